import { describe, expect, it } from "vitest";
import { APPLICATION_ENVIRONMENTS } from "../../src/config";
import { decideIdentity } from "../support/iam";
import { exampleConfig, resources, synthPlatform, type StackJson } from "../support/synth";
import { MOCK_SHARED_OUTPUTS } from "../terraform/mock-shared-state";

const config = exampleConfig();
const stacks = synthPlatform(config);

/** Replaces Terraform references in a synthesized string with concrete values, for simulation. */
function resolve(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, reference: string) => {
    const value = values[reference];
    if (value === undefined) throw new Error(`no value for ${whole}`);
    return value;
  });
}

describe.each(APPLICATION_ENVIRONMENTS)("the %s application account", (env) => {
  const stack = stacks[env];
  const account = config.accounts[env].accountId;
  const other = env === "prod" ? "dev" : "prod";

  it("names the Lambda role exactly as the shared account's secret and key policies expect", () => {
    const roleArn = `arn:aws:iam::${account}:role/${resources(stack, "aws_iam_role").lambda_role.name}`;
    const secretPolicy = JSON.parse(resources(stacks.shared, "aws_secretsmanager_secret_policy")[`app_database_credentials_${env}_policy`].policy);
    expect(secretPolicy.Statement[0].Condition.ArnEquals["aws:PrincipalArn"]).toEqual([roleArn]);
    const keyPolicy = JSON.parse(resources(stacks.shared, "aws_kms_key").database_encryption_key.policy);
    expect(keyPolicy.Statement.find((s: any) => s.Sid === "ExternalSecretReaders").Condition.ArnEquals["aws:PrincipalArn"]).toContain(roleArn);
  });

  it("keeps the function's database traffic to the shared database subnets, read from the shared state", () => {
    const egress = resources(stack, "aws_security_group").lambda_security_group.egress;
    expect(egress[0]).toMatchObject({ from_port: 5432, to_port: 5432, cidr_blocks: "${data.terraform_remote_state.shared.outputs.db_subnet_cidrs}" });
    expect(egress[2].prefix_list_ids).toEqual(["${aws_vpc_endpoint.network_s3_endpoint.prefix_list_id}"]);
  });

  it("outputs everything the Lambda deploy workflow reads", () => {
    expect(Object.keys(stack.output ?? {})).toEqual(
      expect.arrayContaining([
        "lambda_role_name",
        "lambda_role_arn",
        "zappa_bucket",
        "lambda_subnet_ids",
        "lambda_security_group_id",
        "database_url_secret_arn",
        "django_secret_key_arn",
        "ecr_repository_url",
      ]),
    );
    expect(stack.output!.database_url_secret_arn.value).toBe(`\${data.terraform_remote_state.shared.outputs.database_secret_arn_${env}}`);
  });

  describe("Lambda role, simulated", () => {
    const region = config.region;
    const values: Record<string, string> = {
      ...Object.fromEntries(Object.entries(MOCK_SHARED_OUTPUTS).map(([name, value]) => [`data.terraform_remote_state.shared.outputs.${name}`, String(value)])),
      "aws_secretsmanager_secret.secrets_django_secret_key.arn": `arn:aws:secretsmanager:${region}:${account}:secret:coalition/${env}/django-secret-key-AbCdEf`,
      "aws_kms_key.secrets_encryption_key.arn": `arn:aws:kms:${region}:${account}:key/00000000-0000-0000-0000-00000000000a`,
      "aws_s3_bucket.static_assets_bucket.arn": `arn:aws:s3:::coalition-${env}-static-assets`,
      "aws_location_place_index.places_index.index_arn": `arn:aws:geo:${region}:${account}:place-index/coalition-${env}-places`,
    };
    const policy = JSON.parse(resolve(resources(stack, "aws_iam_role_policy").lambda_policy.policy, values));
    const principal = `arn:aws:iam::${account}:role/coalition-${env}-lambda`;
    const decide = (action: string, resource: string, context?: Record<string, string>) =>
      decideIdentity([{ name: "application", policy }], { principal, action, resource, context });
    const ownDbSecret = MOCK_SHARED_OUTPUTS[`database_secret_arn_${env}`] as string;
    const otherDbSecret = MOCK_SHARED_OUTPUTS[`database_secret_arn_${other}`] as string;

    it("reads its own environment's secrets", async () => {
      expect(await decide("secretsmanager:GetSecretValue", ownDbSecret)).toBe("Allowed");
      expect(await decide("secretsmanager:GetSecretValue", values["aws_secretsmanager_secret.secrets_django_secret_key.arn"])).toBe("Allowed");
    });

    it("cannot read the other environment's database secret, nor the master secret, nor other secrets", async () => {
      expect(await decide("secretsmanager:GetSecretValue", otherDbSecret)).toBe("ImplicitlyDenied");
      expect(await decide("secretsmanager:GetSecretValue", MOCK_SHARED_OUTPUTS.database_master_secret_arn as string)).toBe("ImplicitlyDenied");
      expect(await decide("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${region}:${account}:secret:coalition/${other}/django-secret-key-AbCdEf`)).toBe("ImplicitlyDenied");
      expect(await decide("secretsmanager:PutSecretValue", ownDbSecret)).toBe("ImplicitlyDenied");
    });

    it("decrypts with the secrets' keys only through Secrets Manager", async () => {
      const key = MOCK_SHARED_OUTPUTS.database_key_arn as string;
      expect(await decide("kms:Decrypt", key, { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` })).toBe("Allowed");
      expect(await decide("kms:Decrypt", key, { "kms:ViaService": `s3.${region}.amazonaws.com` })).toBe("ImplicitlyDenied");
    });

    it("uses its assets bucket and place index, and no other", async () => {
      expect(await decide("s3:PutObject", `arn:aws:s3:::coalition-${env}-static-assets/css/site.css`)).toBe("Allowed");
      expect(await decide("s3:PutObject", `arn:aws:s3:::coalition-${other}-static-assets/css/site.css`)).toBe("ImplicitlyDenied");
      expect(await decide("s3:DeleteBucket", `arn:aws:s3:::coalition-${env}-static-assets`)).toBe("ImplicitlyDenied");
      expect(await decide("geo:SearchPlaceIndexForText", values["aws_location_place_index.places_index.index_arn"])).toBe("Allowed");
      expect(await decide("geo:DeletePlaceIndex", values["aws_location_place_index.places_index.index_arn"])).toBe("ImplicitlyDenied");
    });

    it("writes only its own logs and manages network interfaces only in its account", async () => {
      expect(await decide("logs:PutLogEvents", `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/coalition-${env}:log-stream:abc`)).toBe("Allowed");
      expect(await decide("logs:PutLogEvents", `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/other:log-stream:abc`)).toBe("ImplicitlyDenied");
      expect(await decide("ec2:CreateNetworkInterface", `arn:aws:ec2:${region}:${account}:network-interface/eni-0123456789abcdef0`)).toBe("Allowed");
      expect(await decide("ec2:CreateNetworkInterface", `arn:aws:ec2:${region}:999999999999:network-interface/eni-0123456789abcdef0`)).toBe("ImplicitlyDenied");
      expect(await decide("iam:PassRole", `arn:aws:iam::${account}:role/coalition-${env}-lambda`)).toBe("ImplicitlyDenied");
    });
  });
});

describe("per-environment application settings", () => {
  const kinds = (stack: StackJson, type: string) => Object.keys(resources(stack, type));

  it("keeps dev minimal: no CloudFront, SES, WAF, Route53 or ACM", () => {
    const types = Object.keys(stacks.dev.resource);
    expect(types.filter((type) => /^aws_(cloudfront|ses|sesv2|wafv2|route53|acm|api_gateway)_/.test(type))).toEqual([]);
    expect(stacks.dev.variable?.enable_api_custom_domain).toBeUndefined();
  });

  it("gives prod its zone, certificate, SES, WAF and an API domain behind enable_api_custom_domain, off by default", () => {
    for (const type of ["aws_route53_zone", "aws_acm_certificate", "aws_sesv2_email_identity", "aws_wafv2_web_acl"]) {
      expect(kinds(stacks.prod, type)).toHaveLength(1);
    }
    expect(stacks.prod.variable?.enable_api_custom_domain).toMatchObject({ type: "bool", default: false });
    expect(resources(stacks.prod, "aws_wafv2_web_acl_association").waf_api_stage.count).toBe("${var.enable_api_custom_domain ? 1 : 0}");
  });

  it("lets only prod's Lambda role send mail, from its own domain", async () => {
    const send = (env: "prod" | "dev") =>
      JSON.parse(resources(stacks[env], "aws_iam_role_policy").lambda_policy.policy).Statement.find((s: any) => s.Sid === "SendEmail");
    expect(send("dev")).toBeUndefined();
    expect(send("prod").Condition).toEqual({ StringLike: { "ses:FromAddress": "*@example.org" } });
  });

  it("serves prod's static assets through CloudFront and keeps dev to the bucket", () => {
    expect(kinds(stacks.prod, "aws_cloudfront_distribution")).toEqual(["static_distribution"]);
    expect(kinds(stacks.dev, "aws_cloudfront_distribution")).toEqual([]);
    expect(resources(stacks.prod, "aws_s3_bucket_versioning").static_assets_versioning).toBeDefined();
    expect(resources(stacks.dev, "aws_s3_bucket_versioning").static_assets_versioning).toBeUndefined();
  });

  it("keeps 50 images in prod and 10 in dev", () => {
    const keep = (stack: StackJson) => JSON.parse(resources(stack, "aws_ecr_lifecycle_policy").images_lifecycle.policy).rules[0].selection.countNumber;
    expect([keep(stacks.prod), keep(stacks.dev)]).toEqual([50, 10]);
  });

  it("gives each application account its own place index, secrets key and budget", () => {
    for (const env of APPLICATION_ENVIRONMENTS) {
      expect(resources(stacks[env], "aws_location_place_index").places_index.index_name).toBe(`coalition-${env}-places`);
      expect(resources(stacks[env], "aws_kms_key").secrets_encryption_key.enable_key_rotation).toBe(true);
      expect(resources(stacks[env], "aws_budgets_budget").monitoring_budget.name).toBe(`coalition-${env}-monthly`);
    }
  });
});
