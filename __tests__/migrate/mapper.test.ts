import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { MigrateResult } from "../../src/migrate/migrate";
import { exampleTree } from "../support/config";
import { synthPlatform } from "../support/synth";
import { deepMerge, parseConfig } from "../../src/config";
import { devState, DOMAIN, instanceCount, prodState, sharedState, SUFFIX } from "./fixtures/states";
import { HOLDS_DATA, instancesOf, migrateState, resourceOf } from "./support";

const movedTo = (result: MigrateResult, from: string) => result.plan.moved.find((move) => move.from === from)?.to;
const overlayOf = (result: MigrateResult) => parseYaml(result.overlay);

/** Whether Terraform, given the overlay, would leave the instance in AWS: moved (not replaced), imported, or forgotten. */
function keptInAws(result: MigrateResult, address: string): boolean {
  const replaced = result.replaced.some((replacement) => replacement.address === address);
  const moved = result.plan.moved.some((move) => move.from === address);
  return !replaced && (moved || result.plan.removed.includes(resourceOf(address)));
}

describe.each([
  ["shared", () => sharedState(), 57],
  ["prod", () => prodState({ apiCustomDomain: true }), 119],
  ["dev", () => devState(), 77],
] as const)("the %s state built from the inventory", (environment, build, count) => {
  const state = build();
  const result = migrateState(environment, state);

  it(`holds the inventory's ${count} instances, every one recognised`, () => {
    expect(instanceCount(state)).toBe(count);
    expect(result.plan.outcomes).toHaveLength(count);
    expect(result.plan.outcomes.filter((outcome) => outcome.kind === "unrecognised")).toEqual([]);
  });

  it("leaves every object that holds data in AWS: moved without replacement, or forgotten; nothing is refused", () => {
    const dataBearing = instancesOf(state).filter((instance) => HOLDS_DATA.has(instance.type));
    expect(dataBearing.length).toBeGreaterThan(3);
    for (const instance of dataBearing) expect(keptInAws(result, instance.address), instance.address).toBe(true);
    expect(result.refused).toEqual([]);
  });

  it("forgets with removed blocks only what it does not move, by resource address", () => {
    for (const address of result.plan.removed) expect(address).not.toMatch(/\]$/);
    const moved = new Set(result.plan.moved.map((move) => move.from));
    for (const { address } of instancesOf(state)) {
      expect(moved.has(address) || result.plan.removed.includes(resourceOf(address)), address).toBe(true);
    }
  });

  it("writes an overlay the configuration accepts, whose stack declares every moved and imported address", () => {
    const overlay = overlayOf(result);
    const config = parseConfig(deepMerge(exampleTree(), overlay));
    const stack = synthPlatform(config)[environment];
    const declared = (address: string) => {
      const [type, name] = resourceOf(address).split(".");
      return stack.resource[type]?.[name] !== undefined;
    };
    for (const move of overlay.migration[environment].moved) expect(declared(move.to), move.to).toBe(true);
    for (const entry of overlay.migration[environment].imports ?? []) expect(declared(entry.to), entry.to).toBe(true);
    const blocks = stack as unknown as { moved: unknown[]; removed: { from: string; lifecycle: { destroy: boolean } }[] };
    expect(blocks.moved).toHaveLength(overlay.migration[environment].moved.length);
    expect(blocks.removed.every((block) => block.lifecycle.destroy === false)).toBe(true);
  });

  it("adopts the deploy role in place and leaves its inline policies alone", () => {
    expect(movedTo(result, "module.github_oidc.aws_iam_role.github_actions")).toBe("aws_iam_role.github_oidc_role");
    expect(result.plan.removed).toContain("module.github_oidc.aws_iam_role_policy.terraform_operations");
  });
});

describe("shared", () => {
  const result = migrateState("shared", sharedState());
  const overlay = overlayOf(result);

  it("moves the database, its key, subnet group and the flow log group, keeping their names", () => {
    expect(movedTo(result, "module.database.aws_db_instance.postgres")).toBe("aws_db_instance.database_instance");
    expect(movedTo(result, "module.database.aws_kms_key.rds")).toBe("aws_kms_key.database_encryption_key");
    expect(movedTo(result, "module.database.aws_kms_alias.rds")).toBe("aws_kms_alias.database_encryption_alias");
    expect(movedTo(result, "module.database.aws_db_subnet_group.main")).toBe("aws_db_subnet_group.database_subnet_group");
    expect(overlay.migration.shared.names).toEqual({
      databaseIdentifier: "coalition-db",
      databaseSubnetGroup: "coalition-db-subnet",
      databaseKeyAlias: "coalition-rds",
      flowLogGroup: "/vpc/flow-logs",
    });
    expect(overlay.database).toEqual({ masterUsername: "coalition_admin" });
  });

  it("makes the synthesized stack use those names", () => {
    const stack = synthPlatform(parseConfig(deepMerge(exampleTree(), overlay))).shared;
    expect(stack.resource.aws_db_instance.database_instance.identifier).toBe("coalition-db");
    expect(stack.resource.aws_db_instance.database_instance.username).toBe("coalition_admin");
    expect(stack.resource.aws_db_subnet_group.database_subnet_group.name).toBe("coalition-db-subnet");
    expect(stack.resource.aws_kms_alias.database_encryption_alias.name).toBe("alias/coalition-rds");
    expect(stack.resource.aws_cloudwatch_log_group.monitoring_flow_logs.name).toBe("/vpc/flow-logs");
  });

  it("forgets the master password secret, the load balancer log bucket and the hosted zone with its records", () => {
    expect(result.plan.removed).toEqual(
      expect.arrayContaining([
        "module.database.aws_secretsmanager_secret.db_master",
        "module.database.aws_secretsmanager_secret_version.db_master_initial",
        "module.monitoring.aws_s3_bucket.alb_logs",
        "aws_route53_zone.main",
        "aws_route53_record.www",
        "module.monitoring.awscc_ce_anomaly_monitor.project_anomaly_monitor",
        "module.monitoring.random_id.bucket_suffix",
      ]),
    );
  });

  it("carries the site's own records of the old zone into the prod zone's records, with its domain", () => {
    expect(overlay.applications.prod.domain).toBe(DOMAIN);
    expect(overlay.applications.prod.dnsRecords).toEqual([
      { name: "@", type: "A", ttl: 300, values: ["76.76.21.21"] },
      { name: "@", type: "MX", ttl: 300, values: ["1 smtp.google.com"] },
      { name: "www", type: "CNAME", ttl: 300, values: ["cname.vercel-dns.com"] },
      { name: "test", type: "CNAME", ttl: 300, values: ["cname.vercel-dns.com"] },
    ]);
  });

  it("reports the replaced objects with the argument forcing each, and what changes", () => {
    const replaced = Object.fromEntries(result.replaced.map((replacement) => [replacement.address, replacement.because]));
    expect(replaced["module.monitoring.aws_iam_role.vpc_flow_log_role"]).toMatch(/^name \("vpc-flow-log-role" → "coalition-shared-flow-logs"\)/);
    expect(replaced["module.monitoring.aws_budgets_budget.monthly"]).toMatch(/^name /);
    expect(replaced["module.bastion.aws_instance.bastion"]).toMatch(/^user_data/);
    expect(Object.keys(replaced).every((address) => !HOLDS_DATA.has(address.split(".").at(-2)!))).toBe(true);
    expect(result.report).toMatch(/^Kept under the old name .*\n {2}module\.database\.aws_kms_alias\.rds → aws_kms_alias\.database_encryption_alias: coalition-rds/m);
    expect(result.report).toMatch(/^Replaced \(destroyed and created again\) \(\d+\):/m);
    expect(result.report).toMatch(/hosted zone moves from the shared account to prod/);
  });
});

describe("prod", () => {
  const result = migrateState("prod", prodState({ apiCustomDomain: true }));
  const overlay = overlayOf(result);
  const stack = synthPlatform(parseConfig(deepMerge(exampleTree(), overlay))).prod;

  it("keeps the asset and Zappa buckets, the image repository and the secret key under their names", () => {
    expect(movedTo(result, "module.storage.aws_s3_bucket.static_assets")).toBe("aws_s3_bucket.static_assets_bucket");
    expect(movedTo(result, "module.zappa.aws_s3_bucket.zappa_deployments")).toBe("aws_s3_bucket.lambda_deployments_bucket");
    expect(movedTo(result, "module.lambda_ecr.aws_ecr_repository.lambda")).toBe("aws_ecr_repository.images_repository");
    expect(movedTo(result, "module.secrets.aws_secretsmanager_secret.secret_key")).toBe("aws_secretsmanager_secret.secrets_django_secret_key");
    expect(overlay.migration.prod.names).toEqual({
      assetsBucket: `coalition-static-assets-${SUFFIX.staticAssets}`,
      deploymentBucket: "coalition-zappa-deployments",
      secretsKeyAlias: "coalition-secrets",
      djangoSecretKey: "coalition/secret-key",
      flowLogGroup: "/vpc/flow-logs",
    });
    expect(stack.resource.aws_s3_bucket.static_assets_bucket.bucket).toBe(`coalition-static-assets-${SUFFIX.staticAssets}`);
    expect(stack.resource.aws_ecr_repository.images_repository.name).toBe("coalition-prod");
    expect(stack.resource.aws_secretsmanager_secret.secrets_django_secret_key.name).toBe("coalition/secret-key");
  });

  it("lets the deploy role change the buckets kept under their old names", () => {
    const policy = JSON.parse(stack.resource.aws_iam_role_policy.github_oidc_infrastructure_policy.policy);
    const s3 = policy.Statement.find((statement: { Sid: string }) => statement.Sid === "S3Mutate");
    expect(s3.Resource).toEqual(expect.arrayContaining(["arn:aws:s3:::coalition-static-assets-*", "arn:aws:s3:::coalition-zappa-*"]));
  });

  it("forgets the second, public asset bucket, the database URL and site password secrets and the base image repository", () => {
    expect(result.plan.removed).toEqual(
      expect.arrayContaining([
        "module.serverless_storage.aws_s3_bucket.assets",
        "module.secrets.aws_secretsmanager_secret.db_url",
        "module.secrets.aws_secretsmanager_secret.site_password_secret",
        "module.secrets.aws_secretsmanager_secret_version.secret_key",
        "module.lambda_ecr.aws_ecr_repository.geolambda",
        "module.zappa.aws_iam_role.zappa_deployment",
      ]),
    );
    expect(result.report).toMatch(/public second bucket is forgotten/);
  });

  it("imports the SES identity into the SES v2 resource by its domain", () => {
    expect(result.plan.imports).toEqual([{ to: "aws_sesv2_email_identity.email_identity", id: DOMAIN }]);
    expect(result.plan.removed).toContain("module.ses.aws_ses_domain_identity.main");
  });

  it("moves the API's custom domain into its counted resource and says to switch it on", () => {
    expect(movedTo(result, "aws_api_gateway_domain_name.api[0]")).toBe("aws_api_gateway_domain_name.api_domain[0]");
    expect(result.report).toMatch(/-var enable_api_custom_domain=true/);
  });

  it("replaces the unattached web ACL, saying so", () => {
    expect(result.replaced.find((replacement) => replacement.address === "module.security.aws_wafv2_web_acl.main[0]")?.because).toMatch(/^name \("coalition-waf"/);
    expect(result.report).toMatch(/web ACL, attached to nothing before/);
  });

  it("carries only the old zone's records the prod stack does not write itself", () => {
    expect(overlay.applications.prod.dnsRecords).toEqual([{ name: "_amazonses", type: "TXT", ttl: 600, values: ["ses-token-0001"] }]);
    expect(result.plan.notCarried).toEqual([]);
  });
});

describe("dev", () => {
  const result = migrateState("dev", devState());
  const overlay = overlayOf(result);

  it("takes dev's only asset bucket over as its private assets bucket, keeping its name", () => {
    expect(movedTo(result, "module.serverless_storage.aws_s3_bucket.assets")).toBe("aws_s3_bucket.static_assets_bucket");
    expect(overlay.migration.dev.names.assetsBucket).toBe(`coalition-dev-assets-${SUFFIX.devAssets}`);
    expect(overlay.migration.dev.names.deploymentBucket).toBe("coalition-zappa-deployments-dev");
    expect(result.report).toMatch(/dev's asset bucket, publicly readable before, becomes private/);
  });

  it("moves the switchable interface endpoints to their counted addresses and forgets the unused internet gateway", () => {
    expect(movedTo(result, 'module.networking.aws_vpc_endpoint.interface["secretsmanager"]')).toBe("aws_vpc_endpoint.network_secretsmanager_endpoint[0]");
    expect(movedTo(result, 'module.networking.aws_vpc_endpoint.interface["geo_places"]')).toBe("aws_vpc_endpoint.network_geo_places_endpoint[0]");
    expect(result.plan.removed).toContain("module.networking.aws_internet_gateway.igw");
  });

  it("carries the test-api records, the alias with its target", () => {
    expect(overlay.applications.prod.dnsRecords).toEqual([
      { name: "_d4e5f6.test-api", type: "CNAME", ttl: 60, values: ["_q1w2e3.acm-validations.aws."] },
      { name: "test-api", type: "A", alias: { name: "d-dev.execute-api.us-east-1.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8", evaluateTargetHealth: true } },
    ]);
  });

  it("adds the carried records to those already configured, so the overlays of the three stacks merge without loss", () => {
    const configured = [{ name: "www", type: "CNAME", ttl: 300, values: ["cname.vercel-dns.com"] }];
    const merged = migrateState("dev", devState(), { change: (tree) => (tree.applications.prod.dnsRecords = configured) });
    expect(overlayOf(merged).applications.prod.dnsRecords.map((record: { name: string }) => record.name)).toEqual(["www", "_d4e5f6.test-api", "test-api"]);
  });
});

describe("refusals and other inputs", () => {
  it("refuses, naming it, a database whose master user the configuration cannot keep (its replacement would lose the data)", () => {
    const result = migrateState("shared", sharedState({ masterUsername: "admin" }));
    expect(result.refused.map((replacement) => replacement.address)).toEqual(["module.database.aws_db_instance.postgres"]);
    expect(result.refused[0].because).toMatch(/^username \("admin" → "dbadmin"\)/);
    expect(result.report).toMatch(/^REFUSED: module\.database\.aws_db_instance\.postgres \(a database/m);
  });

  it("refuses an image repository encrypted otherwise than the stack declares", () => {
    const state = prodState() as { resources: { type: string; name: string; instances: { attributes: Record<string, unknown> }[] }[] };
    const repository = state.resources.find((resource) => resource.type === "aws_ecr_repository" && resource.name === "lambda")!;
    repository.instances[0].attributes.encryption_configuration = [{ encryption_type: "KMS", kms_key: "arn:aws:kms:us-east-1:222222222222:key/k" }];
    const result = migrateState("prod", state);
    expect(result.refused.map((replacement) => replacement.address)).toEqual(["module.lambda_ecr.aws_ecr_repository.lambda"]);
  });

  it("forgets, and reports, what no rule recognises, data or not", () => {
    const state = sharedState({
      extra: (b) => {
        b.one("aws_s3_bucket.team_uploads", { id: "coalition-team-uploads", bucket: "coalition-team-uploads", arn: "arn:aws:s3:::coalition-team-uploads" });
        b.one("module.extra.aws_sns_topic.news", { id: "arn:aws:sns:us-east-1:111111111111:news", arn: "arn:aws:sns:us-east-1:111111111111:news" });
      },
    });
    const result = migrateState("shared", state);
    expect(result.plan.outcomes.filter((outcome) => outcome.kind === "unrecognised").map((outcome) => outcome.address)).toEqual(["aws_s3_bucket.team_uploads", "module.extra.aws_sns_topic.news"]);
    expect(result.plan.removed).toEqual(expect.arrayContaining(["aws_s3_bucket.team_uploads", "module.extra.aws_sns_topic.news"]));
    expect(result.report).toMatch(/^Not recognised, forgotten and kept in AWS \(review them\) \(2\):\n {2}aws_s3_bucket\.team_uploads/m);
  });

  it("imports everything by its id, removing nothing, when the state lies under another key", () => {
    const result = migrateState("shared", sharedState(), { mode: "import" });
    expect(result.plan.moved).toEqual([]);
    expect(result.plan.removed).toEqual([]);
    const imports = Object.fromEntries(result.plan.imports.map(({ to, id }) => [to, id]));
    expect(imports["aws_db_instance.database_instance"]).toBe("coalition-db");
    expect(imports["aws_kms_alias.database_encryption_alias"]).toBe("alias/coalition-rds");
    expect(imports["aws_route_table_association.network_db_a_route_table"]).toBe("subnet-shared-private_db_a/rtb-shared-private_db");
    expect(imports["aws_route.network_public_internet_route"]).toBe("rtb-shared-public_0.0.0.0/0");
    expect(imports["aws_cloudwatch_log_group.monitoring_flow_logs"]).toBe("/vpc/flow-logs");
    expect(parseYaml(result.overlay).migration.shared.names.databaseIdentifier).toBe("coalition-db");
    expect(result.report).toMatch(/^Kept under the old name \(imported; migration\.shared\.names\) \(4\):$/m);
    expect(result.report).toMatch(/^Not taken over, kept in AWS \(left in the old state\)/m);
    expect(result.report).not.toMatch(/^Moved/m);
  });
});
