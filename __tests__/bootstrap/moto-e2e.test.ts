import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENVIRONMENTS, type Environment } from "../../src/config";
import { names } from "../../src/naming/names";
import { deployRolesStatement } from "../../src/policies/cross-account";
import { policy as policyDocument } from "../../src/policies/document";
import { peeringAccepterPolicy, peeringAccepterTrustPolicy, peeringReaderPolicy, peeringReaderTrustPolicy } from "../../src/policies/peering-accepter";
import { denyInsecureTransport } from "../../src/policies/s3";
import { stateBucketPolicy } from "../../src/policies/state-bucket";
import { exampleConfig, synthPlatform } from "../support/synth";
import { ACCOUNTS, awsCliEnvironment, isReadOnly, Moto } from "../support/moto";
import { have } from "../support/prerequisites";

const ROOT = path.join(__dirname, "..", "..");
const available = have("moto_server", "aws");

const REGION = "us-east-1";
const ORG = "civic-org";
const REPO = "coalition-builder";
/** A person who operates prod and dev by hand (the configuration's administrators). */
const ADMIN = "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0a1b";
const ALL_ARGS = [
  "--shared-profile", "shared", "--prod-profile", "prod", "--dev-profile", "dev", "--github-org", ORG, "--github-repo", REPO, "--skip-github",
  "--administrator-arn", ADMIN,
];
const bucketOf = (env: Environment) => names.stateBucket("coalition", ACCOUNTS[env]);
const requesters = [
  { environment: "prod", accountId: ACCOUNTS.prod },
  { environment: "dev", accountId: ACCOUNTS.dev },
] as const;

/** The env stacks as Terraform would deploy them into these accounts: what the bootstrap's roles must equal. */
const terraformStacks = synthPlatform(
  exampleConfig((tree) => {
    for (const env of ENVIRONMENTS) tree.accounts[env].accountId = ACCOUNTS[env];
    tree.github.repo = `${ORG}/${REPO}`;
  }),
);

/**
 * moto keeps the inline policies CloudFormation gives a role as Python literal text, and leaves an
 * `AWS::NoValue` list item in them as None (AWS drops it). These two moto quirks, and nothing else,
 * are undone here before comparing.
 */
function motoInlinePolicy(text: string | object): unknown {
  let document: any;
  try {
    document = typeof text === "string" ? JSON.parse(text) : structuredClone(text);
  } catch {
    document = JSON.parse(String(text).replace(/'/g, '"').replace(/\bNone\b/g, "null").replace(/\bTrue\b/g, "true").replace(/\bFalse\b/g, "false"));
  }
  document.Statement = document.Statement.filter((statement: unknown) => statement !== null);
  return document;
}

describe.skipIf(!available)("bootstrap scripts end to end on moto, three accounts", () => {
  let moto: Moto;
  let env: NodeJS.ProcessEnv;
  let first: SpawnSyncReturns<string>;

  const run = (script: string, args: string[], extra: NodeJS.ProcessEnv = {}) =>
    spawnSync("bash", [path.join(ROOT, "bootstrap", script), ...args], {
      env: { ...env, ...extra },
      encoding: "utf8",
      cwd: mkdtempSync(path.join(tmpdir(), "coalition-cwd-")),
      timeout: 240_000,
    });
  const aws = (profile: Environment, args: string[]): any => {
    const result = spawnSync("aws", [...args, "--profile", profile, "--region", REGION, "--output", "json"], { env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`aws ${args.join(" ")} --profile ${profile}: ${result.stderr}`);
    return result.stdout.trim() === "" ? undefined : JSON.parse(result.stdout);
  };
  const inlineCache = new Map<string, Record<string, unknown>>();
  /** A role's inline policies by name, read once per role (they do not change after the first run). */
  const inlinePolicies = (profile: Environment, role: string): Record<string, unknown> => {
    const key = `${profile}/${role}`;
    if (!inlineCache.has(key)) {
      const names: string[] = aws(profile, ["iam", "list-role-policies", "--role-name", role]).PolicyNames;
      const read = (policy: string) => motoInlinePolicy(aws(profile, ["iam", "get-role-policy", "--role-name", role, "--policy-name", policy]).PolicyDocument);
      inlineCache.set(key, Object.fromEntries(names.map((policy) => [policy, read(policy)])));
    }
    return inlineCache.get(key)!;
  };
  const rolePolicy = (profile: Environment, role: string, policy: string) => inlinePolicies(profile, role)[policy];

  /** The role the bootstrap created in the account equals `aws_iam_role.<address>` of its Terraform stack, inline policies included. */
  const expectRoleAsDeclared = (environment: Environment, address: string) => {
    const stack = terraformStacks[environment];
    const declared = stack.resource.aws_iam_role[address];
    const role = aws(environment, ["iam", "get-role", "--role-name", declared.name]).Role;
    expect(role.Arn).toBe(`arn:aws:iam::${ACCOUNTS[environment]}:role/${declared.name}`);
    expect(role.Description).toBe(declared.description);
    expect(role.MaxSessionDuration).toBe(declared.max_session_duration);
    expect(role.AssumeRolePolicyDocument).toEqual(JSON.parse(declared.assume_role_policy));
    const inline = Object.values(stack.resource.aws_iam_role_policy).filter((policy) => policy.role === `\${aws_iam_role.${address}.name}`);
    expect(inline.length).toBeGreaterThan(0);
    expect(Object.keys(inlinePolicies(environment, declared.name)).sort()).toEqual(inline.map((policy) => policy.name).sort());
    for (const policy of inline) expect(rolePolicy(environment, declared.name, policy.name), policy.name).toEqual(JSON.parse(policy.policy));
  };

  beforeAll(async () => {
    moto = await Moto.start();
    env = awsCliEnvironment(moto.endpoint);
    first = run("bootstrap_all.sh", ALL_ARGS);
  }, 300_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it("bootstraps prod, dev and shared, and prints exactly the commands of npm run import-commands", () => {
    expect(first.stderr).toContain("Step 1/4: prod");
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr.indexOf("Step 1/4: prod")).toBeLessThan(first.stderr.indexOf("Step 2/4: dev"));
    expect(first.stderr.indexOf("Step 2/4: dev")).toBeLessThan(first.stderr.indexOf("Step 3/4: shared"));
    expect(first.stderr).toContain("skipped (--skip-github)");
    const direct = ENVIRONMENTS.map((environment) => {
      const result = spawnSync("npm", ["run", "--silent", "import-commands", "--", "--env", environment, "--account-id", ACCOUNTS[environment]], {
        cwd: ROOT,
        encoding: "utf8",
        env: {
          ...process.env,
          COALITION_SHARED_ACCOUNT_ID: ACCOUNTS.shared,
          COALITION_PROD_ACCOUNT_ID: ACCOUNTS.prod,
          COALITION_DEV_ACCOUNT_ID: ACCOUNTS.dev,
        },
      });
      expect(result.status, result.stderr).toBe(0);
      return result.stdout;
    });
    expect(first.stdout).toBe(direct.join(""));
    expect(first.stdout).toContain(`terraform import aws_iam_role.github_oidc_role github-actions-prod\n`);
    expect(first.stdout).toContain(`terraform import aws_iam_role.github_oidc_plan_role github-actions-prod-plan\n`);
    expect(first.stdout).toContain(`terraform import aws_iam_role_policy.github_oidc_plan_state_policy github-actions-dev-plan:terraform-state-read\n`);
    expect(first.stdout).toContain(`terraform import aws_iam_role_policy.github_oidc_plan_read_policy github-actions-shared-plan:read-only\n`);
    // Per account: the provider, and each of the two roles with its two inline policies.
    expect(first.stdout.match(/^terraform import /gm)).toHaveLength(3 * 7);
  });

  describe.each(ENVIRONMENTS)("the %s account", (environment) => {
    const bucket = bucketOf(environment);

    it("has its state bucket: versioned, encrypted, all public access blocked", () => {
      expect(aws(environment, ["s3api", "get-bucket-versioning", "--bucket", bucket]).Status).toBe("Enabled");
      const encryption = aws(environment, ["s3api", "get-bucket-encryption", "--bucket", bucket]).ServerSideEncryptionConfiguration;
      expect(encryption.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm).toBe("AES256");
      expect(aws(environment, ["s3api", "get-public-access-block", "--bucket", bucket]).PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
    });

    it("has the TLS-only bucket policy of the builder", () => {
      const policy = JSON.parse(aws(environment, ["s3api", "get-bucket-policy", "--bucket", bucket]).Policy);
      expect(policy.Statement).toContainEqual({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
      const shared = environment === "shared" ? { sharedStateReaders: requesters, administratorArns: [ADMIN] } : {};
      expect(policy).toEqual(stateBucketPolicy({ prefix: "coalition", accountId: ACCOUNTS[environment], ...shared }));
    });

    it("has the lock table, keyed by LockID and paid per request", () => {
      const table = aws(environment, ["dynamodb", "describe-table", "--table-name", "coalition-terraform-locks"]).Table;
      expect(table.KeySchema).toEqual([{ AttributeName: "LockID", KeyType: "HASH" }]);
      expect(table.AttributeDefinitions).toEqual([{ AttributeName: "LockID", AttributeType: "S" }]);
      expect(table.BillingModeSummary.BillingMode).toBe("PAY_PER_REQUEST");
      expect(table.DeletionProtectionEnabled).toBe(true);
    });

    it(`has the role github-actions-${environment}, exactly as the ${environment} Terraform stack declares it`, () => {
      expect(Object.keys(inlinePolicies(environment, `github-actions-${environment}`)).sort()).toEqual([
        "infrastructure",
        "terraform-state",
      ]);
      expectRoleAsDeclared(environment, "github_oidc_role");
    });

    it(`has the read-only role github-actions-${environment}-plan, exactly as the ${environment} Terraform stack declares it`, () => {
      const planRole = `github-actions-${environment}-plan`;
      expect(Object.keys(inlinePolicies(environment, planRole)).sort()).toEqual(["read-only", "terraform-state-read"]);
      expectRoleAsDeclared(environment, "github_oidc_plan_role");
      const readOnly = rolePolicy(environment, planRole, "read-only") as { Statement: { Sid: string }[] };
      expect(readOnly.Statement.some((statement) => statement.Sid === "AssumePeeringReader")).toBe(environment !== "shared");
    });

    it("has the stack github-oidc-<env>, whose OIDC provider moto does NOT emulate (AWS::IAM::OIDCProvider)", () => {
      const stack = aws(environment, ["cloudformation", "describe-stacks", "--stack-name", `github-oidc-${environment}`]).Stacks[0];
      expect(stack.StackStatus).toBe("CREATE_COMPLETE");
      expect(stack.Outputs.find((o: any) => o.OutputKey === "OIDCProviderArn").OutputValue).toBe(names.githubOidcProviderArn(ACCOUNTS[environment]));
      // moto skips resource types its CloudFormation does not know; if it ever creates the provider, this
      // fails: then assert the provider here instead and update the README.
      expect(aws(environment, ["iam", "list-open-id-connect-providers"]).OpenIDConnectProviderList).toEqual([]);
      console.warn(
        `!! moto does not emulate AWS::IAM::OIDCProvider: github-oidc-${environment} was created without its OIDC provider. ` +
          "The template's provider is checked by cfn-lint and the template tests only.",
      );
    });
  });

  it("gives shared the vpc-peering-accepter role, trusted by the prod and dev deploy roles and the administrators only", () => {
    const role = aws("shared", ["iam", "get-role", "--role-name", "vpc-peering-accepter"]).Role;
    const statement = role.AssumeRolePolicyDocument.Statement[0];
    expect(statement.Principal).toEqual({ AWS: [`arn:aws:iam::${ACCOUNTS.prod}:root`, `arn:aws:iam::${ACCOUNTS.dev}:root`] });
    expect(statement.Condition).toEqual({
      ArnEquals: {
        "aws:PrincipalArn": [`arn:aws:iam::${ACCOUNTS.prod}:role/github-actions-prod`, `arn:aws:iam::${ACCOUNTS.dev}:role/github-actions-dev`],
      },
    });
    const input = { sharedAccountId: ACCOUNTS.shared, region: REGION, requesters };
    expect(role.AssumeRolePolicyDocument.Statement[1]).toEqual({ Sid: "Administrators", Effect: "Allow", Principal: { AWS: [ADMIN] }, Action: "sts:AssumeRole" });
    expect(role.AssumeRolePolicyDocument).toEqual(peeringAccepterTrustPolicy({ ...input, administratorArns: [ADMIN] }));
    expect(rolePolicy("shared", "vpc-peering-accepter", names.peeringAccepterPolicy)).toEqual(peeringAccepterPolicy(input));
  });

  it("gives shared the vpc-peering-reader role, trusted by the prod and dev plan roles only", () => {
    const role = aws("shared", ["iam", "get-role", "--role-name", "vpc-peering-reader"]).Role;
    const statement = role.AssumeRolePolicyDocument.Statement[0];
    expect(statement.Principal).toEqual({ AWS: [`arn:aws:iam::${ACCOUNTS.prod}:root`, `arn:aws:iam::${ACCOUNTS.dev}:root`] });
    expect(statement.Condition).toEqual({
      ArnEquals: {
        "aws:PrincipalArn": [`arn:aws:iam::${ACCOUNTS.prod}:role/github-actions-prod-plan`, `arn:aws:iam::${ACCOUNTS.dev}:role/github-actions-dev-plan`],
      },
    });
    const input = { sharedAccountId: ACCOUNTS.shared, region: REGION, requesters };
    expect(role.AssumeRolePolicyDocument).toEqual(peeringReaderTrustPolicy(input));
    expect(Object.keys(inlinePolicies("shared", "vpc-peering-reader"))).toEqual([names.peeringReaderPolicy]);
    expect(rolePolicy("shared", "vpc-peering-reader", names.peeringReaderPolicy)).toEqual(peeringReaderPolicy(input));
    const stack = aws("shared", ["cloudformation", "describe-stacks", "--stack-name", names.peeringAccepterStack]).Stacks[0];
    expect(stack.Outputs.find((o: any) => o.OutputKey === "ReaderRoleArn").OutputValue).toBe(role.Arn);
  });

  it("lets the prod and dev deploy and plan roles read shared/terraform.tfstate from the shared bucket (the cross-account statement)", () => {
    const policy = JSON.parse(aws("shared", ["s3api", "get-bucket-policy", "--bucket", bucketOf("shared")]).Policy);
    const read = policy.Statement.find((s: any) => s.Sid === "SharedStateRead");
    expect(read).toEqual({
      Sid: "SharedStateRead",
      Effect: "Allow",
      Principal: { AWS: [`arn:aws:iam::${ACCOUNTS.prod}:root`, `arn:aws:iam::${ACCOUNTS.dev}:root`] },
      Action: ["s3:GetObject"],
      Resource: `arn:aws:s3:::${bucketOf("shared")}/shared/terraform.tfstate`,
      Condition: {
        ArnEquals: {
          "aws:PrincipalArn": [
            `arn:aws:iam::${ACCOUNTS.prod}:role/github-actions-prod`,
            `arn:aws:iam::${ACCOUNTS.dev}:role/github-actions-dev`,
            `arn:aws:iam::${ACCOUNTS.prod}:role/github-actions-prod-plan`,
            `arn:aws:iam::${ACCOUNTS.dev}:role/github-actions-dev-plan`,
          ],
        },
      },
    });
    for (const env of ["prod", "dev"] as const) {
      const own = JSON.parse(aws(env, ["s3api", "get-bucket-policy", "--bucket", bucketOf(env)]).Policy);
      expect(own.Statement.map((s: any) => s.Sid)).toEqual(["DenyInsecureTransport"]);
    }
  });

  it("runs a second time: exit 0, the same commands, and not one call that changes anything", async () => {
    await moto.record();
    const second = run("bootstrap_all.sh", ALL_ARGS);
    const requests = await moto.recorded();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(requests.length).toBeGreaterThan(20); // it did look at every account
    expect(requests.filter((request) => !isReadOnly(request)).map((r) => `${r.service} ${r.action}`)).toEqual([]);
    expect(second.stderr).not.toMatch(/\b(created|enabled now|blocked now|updated)\b/);
  }, 240_000);

  it("refuses to overwrite a bucket policy that differs (one an earlier bootstrap wrote, before the plan roles), unless told to replace it", async () => {
    const bucket = bucketOf("shared");
    const arn = `arn:aws:s3:::${bucket}`;
    // What the bootstrap wrote while only the deploy roles read the shared state.
    const earlier = JSON.stringify(
      policyDocument(
        denyInsecureTransport(arn),
        deployRolesStatement("SharedStateBucketList", requesters, ["s3:ListBucket"], arn),
        deployRolesStatement("SharedStateRead", requesters, ["s3:GetObject"], `${arn}/${names.stateKey("shared")}`),
      ),
    );
    aws("shared", ["s3api", "put-bucket-policy", "--bucket", bucket, "--policy", earlier]);
    // Shared's own bootstrap (bootstrap_all.sh passes the same flags to it).
    const args = ["--environment", "shared", "--profile", "shared", "--github-org", ORG, "--github-repo", REPO];
    const shared = [...args, "--prod-account-id", ACCOUNTS.prod, "--dev-account-id", ACCOUNTS.dev, "--administrator-arn", ADMIN];

    await moto.record();
    const refused = run("bootstrap_account.sh", shared);
    const refusedRequests = await moto.recorded();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`bucket ${bucket} has a policy that differs from the bootstrap's`);
    expect(refused.stderr).toContain("--replace-bucket-policy");
    expect(refusedRequests.filter((request) => !isReadOnly(request))).toEqual([]);
    expect(aws("shared", ["s3api", "get-bucket-policy", "--bucket", bucket]).Policy).toBe(earlier);

    await moto.record();
    const replaced = run("bootstrap_account.sh", [...shared, "--replace-bucket-policy"]);
    const requests = await moto.recorded();
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain(`PEERING_READER_ROLE_ARN=arn:aws:iam::${ACCOUNTS.shared}:role/vpc-peering-reader`);
    expect(JSON.parse(aws("shared", ["s3api", "get-bucket-policy", "--bucket", bucket]).Policy)).toEqual(
      stateBucketPolicy({ prefix: "coalition", accountId: ACCOUNTS.shared, sharedStateReaders: requesters, administratorArns: [ADMIN] }),
    );
    const changing = requests.filter((request) => !isReadOnly(request)).map((r) => `${r.service} ${r.action}`);
    expect(changing).toHaveLength(1);
    expect(changing[0]).toMatch(new RegExp(`^s3 PUT /${bucket}\\?policy`));
  }, 120_000);

  it("writes backend.hcl for a stack from the account the credentials reach", () => {
    const stackDir = mkdtempSync(path.join(tmpdir(), "coalition-stack-"));
    const result = run("setup_remote_state.sh", ["prod", "--profile", "prod", "--stack-dir", stackDir]);
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(path.join(stackDir, "backend.hcl"), "utf8")).toBe(
      [
        `bucket  = "coalition-terraform-state-${ACCOUNTS.prod}"`,
        `key     = "prod/terraform.tfstate"`,
        `region  = "${REGION}"`,
        "encrypt = true",
        `dynamodb_table = "coalition-terraform-locks"`,
        "",
      ].join("\n"),
    );
    const s3Locking = run("setup_remote_state.sh", ["dev", "--profile", "dev", "--stack-dir", stackDir, "--locking", "s3"]);
    expect(s3Locking.status, s3Locking.stderr).toBe(0);
    const written = readFileSync(path.join(stackDir, "backend.hcl"), "utf8");
    expect(written).toContain(`bucket  = "coalition-terraform-state-${ACCOUNTS.dev}"`);
    expect(written).toContain("use_lockfile   = true");
    expect(written).not.toContain("dynamodb_table");
  }, 60_000);

  it("stops when the account has not been bootstrapped, writing nothing", () => {
    const stackDir = mkdtempSync(path.join(tmpdir(), "coalition-stack-"));
    const result = run("setup_remote_state.sh", ["prod", "--profile", "prod", "--stack-dir", stackDir, "--prefix", "other"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`state bucket other-terraform-state-${ACCOUNTS.prod} of account ${ACCOUNTS.prod} is missing`);
    expect(spawnSync("ls", ["-A", stackDir], { encoding: "utf8" }).stdout).toBe("");
  }, 60_000);

  it("stops before creating anything when two profiles reach the same account", async () => {
    await moto.record();
    const result = run("bootstrap_all.sh", ALL_ARGS.map((arg) => (arg === "dev" ? "prod" : arg)));
    const requests = await moto.recorded();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("the three profiles must reach three different accounts");
    expect(requests.map((r) => r.action).filter((action) => action !== "AssumeRole")).toEqual(["GetCallerIdentity", "GetCallerIdentity", "GetCallerIdentity"]);
  }, 60_000);

  describe("rejects bad arguments with a clear message, before any AWS call", () => {
    const account = ["--github-org", ORG, "--github-repo", REPO, "--profile", "prod"];
    it.each([
      ["bootstrap_all.sh", ALL_ARGS.filter((arg) => arg !== "--dev-profile" && arg !== "dev"), "--dev-profile is required"],
      ["bootstrap_all.sh", [...ALL_ARGS, "--force"], "unknown argument '--force'"],
      ["bootstrap_all.sh", [...ALL_ARGS, "--region", "mars-1"], "--region must be an AWS region such as us-east-1, not 'mars-1'"],
      ["bootstrap_all.sh", [...ALL_ARGS, "--github-org"], "--github-org needs a value"],
      ["bootstrap_account.sh", ["--environment", "staging", ...account], "--environment must be one of shared prod dev, not 'staging'"],
      ["bootstrap_account.sh", ["--environment", "shared", ...account, "--prod-account-id", "12345"], "--prod-account-id must be a 12-digit AWS account id, not '12345'"],
      ["bootstrap_account.sh", ["--environment", "shared", ...account, "--prod-account-id", ACCOUNTS.prod], "--dev-account-id is required"],
      ["bootstrap_account.sh", ["--environment", "prod", ...account, "--dev-account-id", ACCOUNTS.dev], "--dev-account-id is only for --environment shared"],
      ["bootstrap_account.sh", ["--environment", "prod", ...account, "--prefix", "Bad--Prefix"], "--prefix must be lower-case letters"],
      ["bootstrap_account.sh", ["--environment", "prod", "--github-org", "org/repo", "--github-repo", REPO, "--profile", "prod"], "--github-org must be a GitHub organization or user name, not 'org/repo'"],
      ["setup_remote_state.sh", ["staging", "--profile", "prod"], "the ENVIRONMENT argument must be one of shared prod dev, not 'staging'"],
      ["setup_remote_state.sh", ["prod", "--locking", "redis", "--stack-dir", tmpdir()], "--locking must be dynamodb, s3 or both, not 'redis'"],
      ["setup_remote_state.sh", ["prod", "--stack-dir", path.join(tmpdir(), "no-such-stack-dir")], "does not exist; run npm run synth first"],
    ])("%s %j", async (script, args, message) => {
      await moto.record();
      const result = run(script, args);
      const requests = await moto.recorded();
      expect(result.stderr).toContain(message);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe("");
      expect(requests).toEqual([]);
    });

    it("lists every problem at once", () => {
      const result = run("bootstrap_account.sh", ["--environment", "shared", "--github-repo", "a b"]);
      expect(result.status).toBe(2);
      for (const message of ["--github-org is required", "--github-repo must be a GitHub repository name", "--profile is required", "--prod-account-id is required", "--dev-account-id is required"]) {
        expect(result.stderr).toContain(message);
      }
    });
  });

  it("prints --help for every script without touching AWS", async () => {
    await moto.record();
    for (const script of ["bootstrap_all.sh", "bootstrap_account.sh", "configure_github.sh", "setup_remote_state.sh"]) {
      const result = run(script, ["--help"]);
      expect(result.status, script).toBe(0);
      expect(result.stdout, script).toMatch(/^Usage: /);
    }
    expect(await moto.recorded()).toEqual([]);
  });

  it("updates a stack whose parameters changed (moto re-evaluates no conditions on update, so only the stack is checked)", () => {
    const args = ["--environment", "dev", "--profile", "dev", "--github-org", ORG, "--github-repo", "renamed-repo", "--shared-account-id", ACCOUNTS.shared];
    const result = run("bootstrap_account.sh", args);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("updated");
    const stack = aws("dev", ["cloudformation", "describe-stacks", "--stack-name", "github-oidc-dev"]).Stacks[0];
    expect(stack.StackStatus).toBe("UPDATE_COMPLETE");
    expect(stack.Parameters).toContainEqual({ ParameterKey: "GitHubRepo", ParameterValue: "renamed-repo" });
  }, 60_000);
});
