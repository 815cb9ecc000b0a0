import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { BootstrapSettingsError, loadBootstrapSettings } from "../../src/bootstrap/settings";
import { githubRepositoryVariables } from "../../src/bootstrap/github-environments";
import { ENVIRONMENT_OVERRIDES, ENVIRONMENTS, type PlatformConfig } from "../../src/config";
import { GitHubEnvironments } from "../../src/constructs/github-environments";
import { peeringAccepterPolicy, peeringAccepterTrustPolicy } from "../../src/policies/peering-accepter";
import { stateBucketPolicy } from "../../src/policies/state-bucket";
import { BootstrapStack, type BootstrapStackProps } from "../../stacks/bootstrap-stack";
import { exampleConfig, type StackJson, synthConstruct, synthPlatform } from "../support/synth";

const ROOT = path.join(__dirname, "..", "..");
const config = exampleConfig();
const ids = { shared: config.accounts.shared.accountId, prod: config.accounts.prod.accountId, dev: config.accounts.dev.accountId };

function synthBootstrap(props: Partial<BootstrapStackProps> = {}, platform: PlatformConfig = config): StackJson {
  const stack = new BootstrapStack(Testing.app(), { config: platform, ...props });
  return JSON.parse(Testing.synth(stack)) as StackJson;
}

const envStacks = synthPlatform();
const stack = synthBootstrap({ reviewers: { prod: { users: ["alice", "bob"], teams: ["platform-admins"] } } });
const resource = (type: string, name: string) => {
  const found = stack.resource[type]?.[name];
  if (!found) throw new Error(`${type}.${name} is not in the stack; it has ${Object.keys(stack.resource[type] ?? {}).join(", ")}`);
  return found;
};

describe("the bootstrap stack", () => {
  it("keeps its state locally and pins Terraform like the account stacks", () => {
    expect(Object.keys(stack.terraform.backend)).toEqual(["local"]);
    expect(stack.terraform.backend.local.path).toMatch(/terraform\.bootstrap\.tfstate$/);
    expect(stack.terraform.required_version).toBe(envStacks.shared.terraform.required_version);
  });

  it("has one aliased AWS provider per account, each refusing other accounts' credentials", () => {
    expect(stack.provider.aws.map((p) => [p.alias, p.allowed_account_ids, p.region])).toEqual(
      ENVIRONMENTS.map((env) => [env, [ids[env]], config.region]),
    );
    for (const provider of stack.provider.aws) {
      expect(provider.profile).toBe(`\${var.${provider.alias}_profile == "" ? null : var.${provider.alias}_profile}`);
      expect(provider.default_tags[0].tags).toMatchObject({ Environment: provider.alias, ManagedBy: "terraform" });
    }
    expect(Object.keys(stack.variable ?? {}).sort()).toEqual(["dev_profile", "prod_profile", "shared_profile"]);
  });

  describe.each(ENVIRONMENTS)("in the %s account", (env) => {
    const onProvider = (type: string, name: string) => {
      const found = resource(type, name);
      expect(found.provider, `${type}.${name}`).toBe(`aws.${env}`);
      return found;
    };

    it("creates the state bucket: versioned, encrypted, private, TLS only, never destroyed", () => {
      const bucket = onProvider("aws_s3_bucket", `${env}_state_bucket`);
      expect(bucket.bucket).toBe(`coalition-terraform-state-${ids[env]}`);
      expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
      const ref = `\${aws_s3_bucket.${env}_state_bucket.id}`;
      expect(onProvider("aws_s3_bucket_versioning", `${env}_state_versioning`)).toMatchObject({ bucket: ref, versioning_configuration: { status: "Enabled" } });
      expect(onProvider("aws_s3_bucket_server_side_encryption_configuration", `${env}_state_encryption`).rule).toEqual([
        { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" }, bucket_key_enabled: true },
      ]);
      expect(onProvider("aws_s3_bucket_public_access_block", `${env}_state_public_access_block`)).toMatchObject({
        bucket: ref,
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
      });
      const policy = onProvider("aws_s3_bucket_policy", `${env}_state_policy`);
      const readers = env === "shared" ? [{ environment: "prod", accountId: ids.prod }, { environment: "dev", accountId: ids.dev }] as const : undefined;
      expect(JSON.parse(policy.policy)).toEqual(stateBucketPolicy({ prefix: "coalition", accountId: ids[env], sharedStateReaders: readers }));
      expect(policy.depends_on).toEqual([`aws_s3_bucket_public_access_block.${env}_state_public_access_block`]);
    });

    it("creates the lock table", () => {
      expect(onProvider("aws_dynamodb_table", `${env}_state_lock_table`)).toMatchObject({
        name: "coalition-terraform-locks",
        billing_mode: "PAY_PER_REQUEST",
        hash_key: "LockID",
        attribute: [{ name: "LockID", type: "S" }],
        deletion_protection_enabled: true,
        lifecycle: { prevent_destroy: true },
      });
    });

    it("creates the GitHub OIDC provider exactly as the env stack would have", () => {
      const provider = onProvider("aws_iam_openid_connect_provider", `${env}_github_oidc_provider`);
      const envStackProvider = envStacks[env].resource.aws_iam_openid_connect_provider.github_oidc_provider;
      expect({ url: provider.url, client_id_list: provider.client_id_list, tags: provider.tags }).toEqual({
        url: envStackProvider.url,
        client_id_list: envStackProvider.client_id_list,
        tags: envStackProvider.tags,
      });
    });
  });

  it("creates vpc-peering-accepter in shared with the builders' trust and policy", () => {
    const role = resource("aws_iam_role", "peering_accepter_role");
    const input = { sharedAccountId: ids.shared, region: config.region, requesters: [{ environment: "prod", accountId: ids.prod }, { environment: "dev", accountId: ids.dev }] as const };
    expect(role.provider).toBe("aws.shared");
    expect(role.name).toBe("vpc-peering-accepter");
    expect(JSON.parse(role.assume_role_policy)).toEqual(peeringAccepterTrustPolicy(input));
    const policy = resource("aws_iam_role_policy", "peering_accepter_policy");
    expect(policy).toMatchObject({ provider: "aws.shared", role: "${aws_iam_role.peering_accepter_role.name}", name: "vpc-peering-accepter" });
    expect(JSON.parse(policy.policy)).toEqual(peeringAccepterPolicy(input));
  });

  it("lets the env stacks refer to its OIDC providers with githubOidc.provider: existing", () => {
    const existing = synthPlatform(
      exampleConfig((tree) => {
        for (const env of ENVIRONMENTS) tree.accounts[env].githubOidc = { provider: "existing" };
      }),
    );
    for (const env of ENVIRONMENTS) {
      expect(existing[env].resource.aws_iam_openid_connect_provider).toBeUndefined();
      const trust = JSON.parse(existing[env].resource.aws_iam_role.github_oidc_role.assume_role_policy);
      // The ARN AWS gives the bootstrap's provider: it is fixed by the account and the issuer host.
      const url = resource("aws_iam_openid_connect_provider", `${env}_github_oidc_provider`).url.replace("https://", "");
      expect(trust.Statement[0].Principal.Federated).toBe(`arn:aws:iam::${ids[env]}:oidc-provider/${url}`);
    }
  });

  describe("GitHub environments", () => {
    it("uses the GitHub provider for the repository's owner", () => {
      expect((stack.provider as any).github).toEqual([{ owner: "your-org" }]);
    });

    it("creates shared, prod and dev: shared and prod deployable from main only, dev from main (infrastructure) and development", () => {
      const environments = stack.resource.github_repository_environment;
      expect(Object.keys(environments).sort()).toEqual(["github_dev", "github_prod", "github_shared"]);
      for (const env of ENVIRONMENTS) {
        expect(environments[`github_${env}`]).toMatchObject({
          repository: "coalition-builder",
          environment: env,
          deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
        });
      }
      const branches = Object.values(stack.resource.github_repository_environment_deployment_policy).map((p) => [p.environment, p.branch_pattern]);
      expect(branches.sort()).toEqual([
        ["${github_repository_environment.github_dev.environment}", "development"],
        ["${github_repository_environment.github_dev.environment}", "main"],
        ["${github_repository_environment.github_prod.environment}", "main"],
        ["${github_repository_environment.github_shared.environment}", "main"],
      ]);
    });

    it("lets no administrator bypass prod's rules", () => {
      const environments = stack.resource.github_repository_environment;
      expect(environments.github_prod.can_admins_bypass).toBe(false);
      expect(environments.github_dev.can_admins_bypass).toBe(true);
    });

    it("makes the configured reviewers approve prod, looked up by name, and never their own runs", () => {
      const prod = stack.resource.github_repository_environment.github_prod;
      expect(prod.reviewers).toEqual([
        {
          users: ["${data.github_user.github_user_alice.id}", "${data.github_user.github_user_bob.id}"],
          teams: ["${data.github_team.github_team_platform_admins.id}"],
        },
      ]);
      expect(prod.prevent_self_review).toBe(true);
      expect(stack.data?.github_user.github_user_alice.username).toBe("alice");
      expect(stack.data?.github_team.github_team_platform_admins.slug).toBe("platform-admins");
      expect(stack.resource.github_repository_environment.github_dev.reviewers).toBeUndefined();
    });

    it("sets AWS_ACCOUNT_ID, ENVIRONMENT and AWS_REGION in each", () => {
      const variables = Object.values(stack.resource.github_actions_environment_variable).map((v) => [v.environment, v.variable_name, v.value]);
      expect(variables.sort()).toEqual(
        [
          ...ENVIRONMENTS.map((env) => [`\${github_repository_environment.github_${env}.environment}`, "AWS_ACCOUNT_ID", ids[env]]),
          ...ENVIRONMENTS.map((env) => [`\${github_repository_environment.github_${env}.environment}`, "ENVIRONMENT", env]),
          ...ENVIRONMENTS.map((env) => [`\${github_repository_environment.github_${env}.environment}`, "AWS_REGION", "us-east-1"]),
        ].sort(),
      );
    });

    it("sets the repository variables the workflows' synthesis reads: the three account ids and the region", () => {
      const variables = Object.entries(stack.resource.github_actions_variable).map(([name, v]) => [name, v.repository, v.variable_name, v.value]);
      expect(variables.sort()).toEqual(
        [
          ["github_repository_variable_coalition_shared_account_id", "coalition-builder", "COALITION_SHARED_ACCOUNT_ID", ids.shared],
          ["github_repository_variable_coalition_prod_account_id", "coalition-builder", "COALITION_PROD_ACCOUNT_ID", ids.prod],
          ["github_repository_variable_coalition_dev_account_id", "coalition-builder", "COALITION_DEV_ACCOUNT_ID", ids.dev],
          ["github_repository_variable_coalition_region", "coalition-builder", "COALITION_REGION", "us-east-1"],
        ].sort(),
      );
      // The names are the configuration's own overrides, which the synthesis reads.
      for (const name of Object.keys(githubRepositoryVariables({ accounts: config.accounts, region: config.region }))) expect(ENVIRONMENT_OVERRIDES).toHaveProperty(name);
    });

    it("can be left out, leaving the AWS part exactly as it was", () => {
      const awsOnly = synthBootstrap({ manageGitHub: false, reviewers: { prod: { users: ["alice"], teams: [] } } });
      const withoutGitHub = (json: any) => ({
        resource: Object.fromEntries(Object.entries(json.resource).filter(([type]) => !type.startsWith("github_"))),
        provider: { aws: json.provider.aws },
        variable: json.variable,
        terraform: { ...json.terraform, required_providers: { aws: json.terraform.required_providers.aws } },
      });
      expect(JSON.stringify(awsOnly)).not.toContain("github_repository");
      expect(JSON.stringify(awsOnly)).not.toContain("github_actions_variable");
      expect(awsOnly.data).toBeUndefined();
      expect(withoutGitHub(awsOnly)).toEqual(withoutGitHub(stack));
    });

    it("rejects more reviewers than GitHub allows", () => {
      expect(() =>
        synthConstruct(
          (scope) =>
            new GitHubEnvironments(scope, "github", {
              repository: "r",
              environments: [{ name: "prod", branches: ["main"], variables: {}, reviewers: { users: ["a", "b", "c", "d"], teams: ["e", "f", "g"] } }],
            }),
        ),
      ).toThrow("GitHubEnvironments: environment prod has 7 reviewers; GitHub allows at most 6");
    });
  });
});

describe("bootstrap settings", () => {
  it("read reviewers per environment and the GitHub switch", () => {
    expect(loadBootstrapSettings({})).toEqual({ manageGitHub: true, reviewers: {} });
    expect(
      loadBootstrapSettings({ COALITION_PROD_REVIEWERS: "user:alice, team:platform ,user:bob", COALITION_BOOTSTRAP_GITHUB: "false" }),
    ).toEqual({ manageGitHub: false, reviewers: { prod: { users: ["alice", "bob"], teams: ["platform"] } } });
  });

  it("report every problem with its variable", () => {
    const env = {
      COALITION_PROD_REVIEWERS: "alice,user:bob,user:bob",
      COALITION_DEV_REVIEWERS: "user:a,user:b,user:c,user:d,team:e,team:f,team:g",
      COALITION_BOOTSTRAP_GITHUB: "yes",
    };
    expect(() => loadBootstrapSettings(env)).toThrow(BootstrapSettingsError);
    try {
      loadBootstrapSettings(env);
    } catch (error) {
      expect((error as BootstrapSettingsError).problems).toEqual([
        'COALITION_BOOTSTRAP_GITHUB: must be true or false, not "yes"',
        'COALITION_PROD_REVIEWERS: "alice" is not user:LOGIN or team:SLUG',
        "COALITION_PROD_REVIEWERS: names bob twice",
        "COALITION_DEV_REVIEWERS: lists 7 reviewers; GitHub allows at most 6",
      ]);
    }
  });
});

describe("the bootstrap app (src/bootstrap/app.ts)", () => {
  const runApp = (env: Record<string, string>) => {
    const outdir = path.join(mkdtempSync(path.join(tmpdir(), "coalition-bootstrap-app-")), "out");
    const result = spawnSync(process.execPath, ["scripts/app.cjs", "src/bootstrap/app"], {
      cwd: ROOT,
      env: { ...process.env, ...env, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    return { ...result, outdir };
  };

  it("synthesizes the bootstrap stack alone", () => {
    const result = runApp({ COALITION_PROD_REVIEWERS: "user:alice" });
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(path.join(result.outdir, "stacks"))).toEqual(["bootstrap"]);
    const synthesized = JSON.parse(readFileSync(path.join(result.outdir, "stacks", "bootstrap", "cdk.tf.json"), "utf8"));
    expect(synthesized.data.github_user.github_user_alice.username).toBe("alice");
  }, 60_000);

  it("exits 1 with every problem named, writing nothing, on bad settings or configuration", () => {
    const result = runApp({ COALITION_PROD_REVIEWERS: "alice", COALITION_DEV_ACCOUNT_ID: "1" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("accounts.dev.accountId (from COALITION_DEV_ACCOUNT_ID): must be a 12-digit AWS account id");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(result.outdir)).toBe(false);
    const settings = runApp({ COALITION_PROD_REVIEWERS: "alice" });
    expect(settings.status).toBe(1);
    expect(settings.stderr).toContain('COALITION_PROD_REVIEWERS: "alice" is not user:LOGIN or team:SLUG');
    expect(existsSync(settings.outdir)).toBe(false);
  }, 60_000);

  it("is not part of main.ts's app, and has npm scripts of its own", () => {
    expect(readFileSync(path.join(ROOT, "main.ts"), "utf8")).not.toContain("bootstrap");
    const scripts = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    for (const name of ["bootstrap:synth", "bootstrap:diff", "bootstrap:deploy"]) {
      expect(scripts[name]).toContain("node scripts/app.cjs src/bootstrap/app");
      expect(scripts[name]).toContain("--output cdktf.out/bootstrap");
    }
  });
});
