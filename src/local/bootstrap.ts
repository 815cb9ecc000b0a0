import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { ENVIRONMENTS, type Environment, type PlatformConfig } from "../config";
import { names } from "../naming/names";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "../policies/github-trust";
import { awsEnvironment, emulatorCli } from "./aws";
import type { Step } from "./progress";
import { parsePythonLiteral } from "./python-literal";
import type { Workspace } from "./workspace";

/**
 * Runs the real bootstrap (bootstrap/bootstrap_all.sh) against the emulator with the workspace's three
 * profiles: state buckets, lock tables, the GitHub OIDC stacks (deploy and plan roles) and the peering
 * accepter and reader roles. GitHub is left out (--skip-github): there is no repository to configure.
 */
export async function runBootstrap(step: Step, space: Workspace, config: PlatformConfig, endpoint: string): Promise<void> {
  await step.run("bash", [path.join(space.root, "bootstrap", "bootstrap_all.sh"), ...bootstrapArguments(config)], {
    cwd: space.root,
    env: awsEnvironment(space, process.env, { endpoint }),
  });
}

function bootstrapArguments(config: PlatformConfig): string[] {
  const [org, repo] = config.github.repo.split("/");
  const profiles = ENVIRONMENTS.flatMap((env) => [`--${env}-profile`, env]);
  const administrators = config.administrators.flatMap((arn) => ["--administrator-arn", arn]);
  return [...profiles, "--github-org", org, "--github-repo", repo, "--region", config.region, "--prefix", config.prefix, "--skip-github", ...administrators];
}

/**
 * What a bootstrap depends on: its arguments, the account each profile maps to, and every file under
 * bootstrap/ (scripts and templates). An emulator that holds a bootstrap with the same fingerprint needs none.
 */
export function bootstrapFingerprint(space: Workspace, config: PlatformConfig): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify([bootstrapArguments(config), ENVIRONMENTS.map((env) => config.accounts[env].accountId)]));
  const dir = path.join(space.root, "bootstrap");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => statSync(path.join(dir, file)).isFile()).sort();
  for (const file of files) hash.update(`\0${file}\0`).update(readFileSync(path.join(dir, file)));
  return hash.digest("hex");
}

/**
 * What moto's CloudFormation and S3 get wrong about the bootstrap's result, put right the way AWS would have
 * it, in each account:
 * - moto's CloudFormation does not create AWS::IAM::OIDCProvider: the GitHub OIDC provider the template
 *   declares is created here, with the template's URL, audience and Name tag;
 * - moto's CloudFormation keeps a role's inline policies as Python text instead of JSON, which the provider
 *   cannot read: the policies of every role the bootstrap creates (the deploy and plan roles, and in shared the
 *   peering accepter and reader) are written back as the JSON documents they are;
 * - moto treats a Deny whose condition does not hold as an unconditional Deny, so the state bucket's TLS-only
 *   policy (Deny when aws:SecureTransport is false) refuses every object request, TLS or not: the state
 *   buckets' policies are removed. (moto does not enforce the cross-account read grant either way.)
 * Returns what was changed, per account.
 */
export async function repairBootstrap(step: Step, space: Workspace, config: PlatformConfig, endpoint: string): Promise<string[]> {
  const repaired = await Promise.all(ENVIRONMENTS.map((env) => repairAccount(step, space, config, endpoint, env)));
  return repaired.flat();
}

async function repairAccount(step: Step, space: Workspace, config: PlatformConfig, endpoint: string, env: Environment): Promise<string[]> {
  const accountId = config.accounts[env].accountId;
  const aws = emulatorCli(step, space, endpoint, env);
  const json = async (...args: string[]) => (await aws(args)).json as Record<string, unknown> | undefined;
  const changes: string[] = [];

  const providerArn = names.githubOidcProviderArn(accountId);
  const providers = ((await json("iam", "list-open-id-connect-providers"))?.OpenIDConnectProviderList ?? []) as { Arn: string }[];
  if (!providers.some((provider) => provider.Arn === providerArn)) {
    await json(
      "iam", "create-open-id-connect-provider",
      "--url", `https://${GITHUB_OIDC_HOST}`,
      "--client-id-list", GITHUB_OIDC_AUDIENCE,
      "--tags", `Key=Name,Value=${names.githubOidcProviderTag}`,
    );
    changes.push(`${env}: GitHub OIDC provider created`);
  }

  for (const role of bootstrapRoles(env)) {
    const policyNames = ((await json("iam", "list-role-policies", "--role-name", role))?.PolicyNames ?? []) as string[];
    for (const policyName of policyNames) {
      const document = (await json("iam", "get-role-policy", "--role-name", role, "--policy-name", policyName))?.PolicyDocument;
      // The CLI decodes a JSON document; what stays a string is moto's Python text.
      if (typeof document !== "string") continue;
      await json("iam", "put-role-policy", "--role-name", role, "--policy-name", policyName, "--policy-document", JSON.stringify(policyFromPython(document)));
      changes.push(`${env}: ${role} policy ${policyName} rewritten as JSON`);
    }
  }

  const bucket = names.stateBucket(config.prefix, accountId);
  const { code } = await aws(["s3api", "get-bucket-policy", "--bucket", bucket], [0, 254, 255]);
  if (code === 0) {
    await json("s3api", "delete-bucket-policy", "--bucket", bucket);
    changes.push(`${env}: state bucket policy removed`);
  }
  return changes;
}

/** The roles the bootstrap's CloudFormation stacks create in an account. */
export function bootstrapRoles(env: Environment): string[] {
  const roles = [names.githubActionsRole(env), names.githubActionsPlanRole(env)];
  return env === "shared" ? [...roles, names.peeringAccepterRole, names.peeringReaderRole] : roles;
}

/** A policy document from moto's Python text, without the None that an `AWS::NoValue` statement leaves. */
export function policyFromPython(text: string): unknown {
  const document = parsePythonLiteral(text) as { Statement?: unknown };
  if (Array.isArray(document.Statement)) document.Statement = document.Statement.filter((statement) => statement !== null);
  return document;
}
