import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENVIRONMENTS, type Environment } from "../../src/config";
import { names } from "../../src/naming/names";
import { deployRoleArn, rolesStatement } from "../../src/policies/cross-account";
import { policy as policyDocument } from "../../src/policies/document";
import { peeringAccepterPolicy, peeringAccepterTrustPolicy, peeringReaderPolicy, peeringReaderTrustPolicy } from "../../src/policies/peering-accepter";
import { denyInsecureTransport } from "../../src/policies/s3";
import { stateBucketPolicy } from "../../src/policies/state-bucket";
import { exampleConfig, synthPlatform } from "../support/synth";
import { ACCOUNTS, AwsApi, type AwsCall, awsCliEnvironment, isReadOnly, Moto, WarmAwsCli } from "../support/moto";
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

/** What a command did. */
interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** spawnSync's result, without blocking: commands that do not depend on each other run side by side. */
function spawnAsync(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string; timeout: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGTERM"), options.timeout);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The roles a test below reads in an account: its deploy and plan roles, and in shared the accepter and the reader. */
const rolesOf = (environment: Environment): string[] => {
  const declared = terraformStacks[environment].resource.aws_iam_role;
  const names = [`github-actions-${environment}`, `github-actions-${environment}-plan`, declared.github_oidc_role.name, declared.github_oidc_plan_role.name];
  if (environment === "shared") names.push("vpc-peering-accepter", "vpc-peering-reader");
  return [...new Set<string>(names)];
};

/** Every read the checks of the accounts make after the first run, but the inline policies (read next, by name). */
const stateReads = (): AwsCall[] =>
  ENVIRONMENTS.flatMap((profile): AwsCall[] => {
    const Bucket = bucketOf(profile);
    return [
      ...["get_bucket_versioning", "get_bucket_encryption", "get_public_access_block", "get_bucket_policy"].map((operation) => ({ profile, service: "s3", operation, params: { Bucket } })),
      { profile, service: "dynamodb", operation: "describe_table", params: { TableName: "coalition-terraform-locks" } },
      { profile, service: "cloudformation", operation: "describe_stacks", params: { StackName: `github-oidc-${profile}` } },
      ...(profile === "shared" ? [{ profile, service: "cloudformation", operation: "describe_stacks", params: { StackName: names.peeringAccepterStack } }] : []),
      { profile, service: "iam", operation: "list_open_id_connect_providers" },
      ...rolesOf(profile).flatMap((RoleName) => ["get_role", "list_role_policies"].map((operation) => ({ profile, service: "iam", operation, params: { RoleName } }))),
    ];
  });

const callKey = ({ profile, service, operation, params }: AwsCall) => JSON.stringify([profile, service, operation, params ?? {}]);

describe.skipIf(!available)("bootstrap scripts end to end on moto, three accounts", () => {
  let moto: Moto;
  /** What the scripts run with: the emulator's profiles, and `aws` served warm where it can be. */
  let env: NodeJS.ProcessEnv;
  /** The same, with `aws` starting Python itself. */
  let cold: NodeJS.ProcessEnv;
  let warm: WarmAwsCli | undefined;
  let api: AwsApi;
  let first: Ran;
  /** `npm run import-commands` for each environment, run beside the first bootstrap. */
  let direct: Ran[];
  /** What the accounts held right after the first run: every read of stateReads and the inline policies. */
  const afterFirstRun = new Map<string, unknown>();

  const run = (script: string, args: string[], extra: NodeJS.ProcessEnv = {}) =>
    spawnSync("bash", [path.join(ROOT, "bootstrap", script), ...args], {
      env: { ...env, ...extra },
      encoding: "utf8",
      cwd: mkdtempSync(path.join(tmpdir(), "coalition-cwd-")),
      timeout: 240_000,
    });
  /** A call to the emulator now. */
  const aws = (profile: Environment, service: string, operation: string, params: Record<string, string> = {}): any =>
    api.call(profile, service, operation, params);
  /** A read as it answered right after the first run; a read beforeAll did not make fails the test. */
  const state = (profile: Environment, service: string, operation: string, params: Record<string, string> = {}): any => {
    const key = callKey({ profile, service, operation, params });
    if (!afterFirstRun.has(key)) throw new Error(`not read after the first run (add it to stateReads): ${key}`);
    const result = afterFirstRun.get(key);
    if (result instanceof Error) throw result;
    return structuredClone(result);
  };
  /** A role's inline policies by name, as the first run left them. */
  const inlinePolicies = (profile: Environment, role: string): Record<string, unknown> => {
    const names: string[] = state(profile, "iam", "list_role_policies", { RoleName: role }).PolicyNames;
    const read = (policy: string) => motoInlinePolicy(state(profile, "iam", "get_role_policy", { RoleName: role, PolicyName: policy }).PolicyDocument);
    return Object.fromEntries(names.map((policy) => [policy, read(policy)]));
  };
  const rolePolicy = (profile: Environment, role: string, policy: string) => inlinePolicies(profile, role)[policy];

  /** The role the bootstrap created in the account equals `aws_iam_role.<address>` of its Terraform stack, inline policies included. */
  const expectRoleAsDeclared = (environment: Environment, address: string) => {
    const stack = terraformStacks[environment];
    const declared = stack.resource.aws_iam_role[address];
    const role = state(environment, "iam", "get_role", { RoleName: declared.name }).Role;
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
    cold = awsCliEnvironment(moto.endpoint);
    warm = await WarmAwsCli.start(cold);
    env = warm ? warm.environment(cold) : cold;
    api = new AwsApi(env, { region: REGION });
    const importCommands = (environment: Environment) =>
      spawnAsync("npm", ["run", "--silent", "import-commands", "--", "--env", environment, "--account-id", ACCOUNTS[environment]], {
        cwd: ROOT,
        timeout: 120_000,
        env: {
          ...process.env,
          COALITION_SHARED_ACCOUNT_ID: ACCOUNTS.shared,
          COALITION_PROD_ACCOUNT_ID: ACCOUNTS.prod,
          COALITION_DEV_ACCOUNT_ID: ACCOUNTS.dev,
        },
      });
    const bootstrap = spawnAsync("bash", [path.join(ROOT, "bootstrap", "bootstrap_all.sh"), ...ALL_ARGS], {
      env,
      cwd: mkdtempSync(path.join(tmpdir(), "coalition-cwd-")),
      timeout: 240_000,
    });
    [first, direct] = await Promise.all([bootstrap, Promise.all(ENVIRONMENTS.map(importCommands))]);
    // Two batches: everything, then each inline policy the first batch listed.
    const reads = stateReads();
    const results = api.batch(reads);
    const policyReads = reads.flatMap((read, i): AwsCall[] => {
      const result = results[i] as { PolicyNames?: string[] };
      if (read.operation !== "list_role_policies" || result instanceof Error) return [];
      return (result.PolicyNames ?? []).map((PolicyName) => ({ ...read, operation: "get_role_policy", params: { ...read.params, PolicyName } }));
    });
    const policies = api.batch(policyReads);
    [...reads, ...policyReads].forEach((read, i) => afterFirstRun.set(callKey(read), i < reads.length ? results[i] : policies[i - reads.length]));
  }, 300_000);
  afterAll(async () => {
    await warm?.stop();
    await moto?.stop();
  });

  it("bootstraps prod, dev and shared, and prints exactly the commands of npm run import-commands", () => {
    expect(first.stderr).toContain("Step 1/4: prod");
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr.indexOf("Step 1/4: prod")).toBeLessThan(first.stderr.indexOf("Step 2/4: dev"));
    expect(first.stderr.indexOf("Step 2/4: dev")).toBeLessThan(first.stderr.indexOf("Step 3/4: shared"));
    expect(first.stderr).toContain("skipped (--skip-github)");
    for (const result of direct) expect(result.status, result.stderr).toBe(0);
    expect(first.stdout).toBe(direct.map((result) => result.stdout).join(""));
    expect(first.stdout).toContain(`terraform import aws_iam_role.github_oidc_role github-actions-prod\n`);
    expect(first.stdout).toContain(`terraform import aws_iam_role.github_oidc_plan_role github-actions-prod-plan\n`);
    expect(first.stdout).toContain(`terraform import aws_iam_role_policy.github_oidc_plan_state_policy github-actions-dev-plan:terraform-state-read\n`);
    expect(first.stdout).toContain(`terraform import aws_iam_role_policy.github_oidc_plan_read_policy github-actions-shared-plan:read-only\n`);
    // Per account: the provider, and each of the two roles with its two inline policies.
    expect(first.stdout.match(/^terraform import /gm)).toHaveLength(3 * 7);
  });

  it("runs aws warm with the output and exit status of an aws that starts Python itself", (context) => {
    if (!warm) {
      console.warn("!! the warm aws CLI could not start here: the scripts ran the aws command itself");
      context.skip();
      return;
    }
    const commands = [
      // (moto makes up the assumed role's id anew for each call: the account and the ARN are what stays.)
      ["sts", "get-caller-identity", "--profile", "prod", "--query", "[Account,Arn]"],
      ["cloudformation", "describe-stacks", "--stack-name", "github-oidc-shared", "--profile", "shared", "--output", "text", "--query", "Stacks[0].Outputs[].[OutputKey,OutputValue]"],
      ["s3api", "get-bucket-policy", "--bucket", "no-such-bucket", "--profile", "dev", "--region", REGION],
      ["sts", "get-caller-identity", "--region"],
    ];
    const served = warm.served().length;
    const outcomes = commands.map((args) => {
      const [hot, started] = [env, cold].map((environment) => spawnSync("aws", args, { env: environment, encoding: "utf8", cwd: tmpdir() }));
      expect({ status: hot.status, stdout: hot.stdout, stderr: hot.stderr }, args.join(" ")).toEqual({ status: started.status, stdout: started.stdout, stderr: started.stderr });
      return hot;
    });
    expect(warm.served().slice(served)).toEqual(commands.map((args) => args.join(" ")));
    expect(JSON.parse(outcomes[0].stdout)[1]).toMatch(new RegExp(`^arn:aws:sts::${ACCOUNTS.prod}:assumed-role/bootstrap-admin/`));
    expect(outcomes[1].stdout).toContain(`PlanRoleArn\tarn:aws:iam::${ACCOUNTS.shared}:role/github-actions-shared-plan`);
    expect([outcomes[2].status, outcomes[2].stderr]).toEqual([255, expect.stringContaining("NoSuchBucket")]);
    expect([outcomes[3].status, outcomes[3].stderr]).toEqual([2, expect.stringContaining("argument --region: expected one argument")]);
  });

  it("reads through botocore in one process what one aws command per call reads", () => {
    const calls: AwsCall[] = [
      { profile: "shared", service: "s3", operation: "get_bucket_policy", params: { Bucket: bucketOf("shared") } },
      { profile: "prod", service: "iam", operation: "get_role", params: { RoleName: "github-actions-prod" } },
      { profile: "dev", service: "iam", operation: "get_role_policy", params: { RoleName: "github-actions-dev", PolicyName: "terraform-state" } },
    ];
    const viaCli = new AwsApi(env, { region: REGION, viaCli: true }).batch(calls);
    expect(viaCli.filter((result) => result instanceof Error)).toEqual([]);
    // The CLI prints a timestamp as IAM sent it, the batch as ISO 8601: the same instant.
    const instants = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value), (_key, field) => (typeof field === "string" && /^\d{4}-\d\d-\d\dT/.test(field) ? new Date(field).toISOString() : field));
    expect(instants(api.batch(calls))).toEqual(instants(viaCli));
    expect((viaCli[1] as { Role: { AssumeRolePolicyDocument: unknown } }).Role.AssumeRolePolicyDocument).toHaveProperty("Statement");
  });

  describe.each(ENVIRONMENTS)("the %s account", (environment) => {
    const bucket = bucketOf(environment);

    it("has its state bucket: versioned, encrypted, all public access blocked", () => {
      expect(state(environment, "s3", "get_bucket_versioning", { Bucket: bucket }).Status).toBe("Enabled");
      const encryption = state(environment, "s3", "get_bucket_encryption", { Bucket: bucket }).ServerSideEncryptionConfiguration;
      expect(encryption.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm).toBe("AES256");
      expect(state(environment, "s3", "get_public_access_block", { Bucket: bucket }).PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
    });

    it("has the TLS-only bucket policy of the builder", () => {
      const policy = JSON.parse(state(environment, "s3", "get_bucket_policy", { Bucket: bucket }).Policy);
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
      const table = state(environment, "dynamodb", "describe_table", { TableName: "coalition-terraform-locks" }).Table;
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
      const stack = state(environment, "cloudformation", "describe_stacks", { StackName: `github-oidc-${environment}` }).Stacks[0];
      expect(stack.StackStatus).toBe("CREATE_COMPLETE");
      expect(stack.Outputs.find((o: any) => o.OutputKey === "OIDCProviderArn").OutputValue).toBe(names.githubOidcProviderArn(ACCOUNTS[environment]));
      // moto skips resource types its CloudFormation does not know; if it ever creates the provider, this
      // fails: then assert the provider here instead and update the README.
      expect(state(environment, "iam", "list_open_id_connect_providers").OpenIDConnectProviderList).toEqual([]);
      console.warn(
        `!! moto does not emulate AWS::IAM::OIDCProvider: github-oidc-${environment} was created without its OIDC provider. ` +
          "The template's provider is checked by cfn-lint and the template tests only.",
      );
    });
  });

  it("gives shared the vpc-peering-accepter role, trusted by the prod and dev deploy roles and the administrators only", () => {
    const role = state("shared", "iam", "get_role", { RoleName: "vpc-peering-accepter" }).Role;
    const callers = role.AssumeRolePolicyDocument.Statement.slice(0, 2).map((statement: any) => [statement.Principal, statement.Condition]);
    expect(callers).toEqual(
      (["prod", "dev"] as const).map((env) => [
        { AWS: [`arn:aws:iam::${ACCOUNTS[env]}:root`] },
        { StringEquals: { "sts:SourceIdentity": env }, ArnEquals: { "aws:PrincipalArn": [`arn:aws:iam::${ACCOUNTS[env]}:role/github-actions-${env}`] } },
      ]),
    );
    const input = { sharedAccountId: ACCOUNTS.shared, region: REGION, requesters };
    expect(role.AssumeRolePolicyDocument.Statement[2]).toEqual({
      Sid: "Administrators",
      Effect: "Allow",
      Principal: { AWS: [ADMIN] },
      Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
      Condition: { StringEquals: { "sts:SourceIdentity": ["prod", "dev"] } },
    });
    expect(role.AssumeRolePolicyDocument).toEqual(peeringAccepterTrustPolicy({ ...input, administratorArns: [ADMIN] }));
    expect(rolePolicy("shared", "vpc-peering-accepter", names.peeringAccepterPolicy)).toEqual(peeringAccepterPolicy(input));
  });

  it("gives shared the vpc-peering-reader role, trusted by the prod and dev plan roles only", () => {
    const role = state("shared", "iam", "get_role", { RoleName: "vpc-peering-reader" }).Role;
    const callers = role.AssumeRolePolicyDocument.Statement.map((statement: any) => [statement.Principal, statement.Condition]);
    expect(callers).toEqual(
      (["prod", "dev"] as const).map((env) => [
        { AWS: [`arn:aws:iam::${ACCOUNTS[env]}:root`] },
        { StringEquals: { "sts:SourceIdentity": env }, ArnEquals: { "aws:PrincipalArn": [`arn:aws:iam::${ACCOUNTS[env]}:role/github-actions-${env}-plan`] } },
      ]),
    );
    const input = { sharedAccountId: ACCOUNTS.shared, region: REGION, requesters };
    expect(role.AssumeRolePolicyDocument).toEqual(peeringReaderTrustPolicy(input));
    expect(Object.keys(inlinePolicies("shared", "vpc-peering-reader"))).toEqual([names.peeringReaderPolicy]);
    expect(rolePolicy("shared", "vpc-peering-reader", names.peeringReaderPolicy)).toEqual(peeringReaderPolicy(input));
    const stack = state("shared", "cloudformation", "describe_stacks", { StackName: names.peeringAccepterStack }).Stacks[0];
    expect(stack.Outputs.find((o: any) => o.OutputKey === "ReaderRoleArn").OutputValue).toBe(role.Arn);
  });

  it("lets the prod and dev deploy and plan roles read shared/terraform.tfstate from the shared bucket (the cross-account statement)", () => {
    const policy = JSON.parse(state("shared", "s3", "get_bucket_policy", { Bucket: bucketOf("shared") }).Policy);
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
      const own = JSON.parse(state(env, "s3", "get_bucket_policy", { Bucket: bucketOf(env) }).Policy);
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
        rolesStatement("SharedStateBucketList", requesters.map(deployRoleArn), ["s3:ListBucket"], arn),
        rolesStatement("SharedStateRead", requesters.map(deployRoleArn), ["s3:GetObject"], `${arn}/${names.stateKey("shared")}`),
      ),
    );
    aws("shared", "s3", "put_bucket_policy", { Bucket: bucket, Policy: earlier });
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
    expect(aws("shared", "s3", "get_bucket_policy", { Bucket: bucket }).Policy).toBe(earlier);

    await moto.record();
    const replaced = run("bootstrap_account.sh", [...shared, "--replace-bucket-policy"]);
    const requests = await moto.recorded();
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain(`PEERING_READER_ROLE_ARN=arn:aws:iam::${ACCOUNTS.shared}:role/vpc-peering-reader`);
    expect(JSON.parse(aws("shared", "s3", "get_bucket_policy", { Bucket: bucket }).Policy)).toEqual(
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
    const stack = aws("dev", "cloudformation", "describe_stacks", { StackName: "github-oidc-dev" }).Stacks[0];
    expect(stack.StackStatus).toBe("UPDATE_COMPLETE");
    expect(stack.Parameters).toContainEqual({ ParameterKey: "GitHubRepo", ParameterValue: "renamed-repo" });
  }, 60_000);
});
