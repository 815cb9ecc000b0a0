import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ENVIRONMENTS, type Environment } from "../config";
import { type SynthesizedStack, switchSavingMonthlyUsd } from "../cost/estimate";
import { formatUsd } from "../cost/format";
import { HOURS_PER_MONTH, PriceError, regionPrices } from "../cost/prices";
import { names } from "../naming/names";
import { CheckError, environmentFlag, parseCommandLine, runCommand, UsageError } from "./cli";

/** The Terraform variable that switches dev's interface endpoints (and their security group) off. */
export const ENDPOINT_SWITCH_VARIABLE = "enable_vpc_endpoints";
/** The roles a workflow assumes in a stack's account: the deploy role, or the read-only plan role of pull requests. */
export const ROLES = ["deploy", "plan"] as const;
export type Role = (typeof ROLES)[number];

const USAGE = `usage: npm run --silent stack-facts -- --stack <${ENVIRONMENTS.join("|")}> [--role <${ROLES.join("|")}>] [--github-environment] [--outdir <dir>]

Prints, as name=value lines for $GITHUB_OUTPUT, what a workflow needs to know about a synthesized stack
(default --outdir cdktf.out): its folder, account, region, the GitHub Actions role to assume there, and the
resources behind ${ENDPOINT_SWITCH_VARIABLE}. --role deploy (the default) names ${names.githubActionsRole("{env}" as Environment)}; --role plan
names the read-only ${names.githubActionsPlanRole("{env}" as Environment)} of pull-request plans and, for a stack declaring
${names.sharedRoleVariable}, the value to give it: ${names.peeringReaderRole}, the role in shared plans read the peering through.
With --github-environment (deploy role only: plan jobs run in no environment) it first checks the GitHub
environment's variables, passed as environment variables: AWS_ACCOUNT_ID (required) must be the stack's
account, AWS_REGION and ENVIRONMENT (when set) its region and name; it exits 1 if they are not.`;

export interface StackFacts {
  readonly stack: Environment;
  /** The folder to run Terraform in. */
  readonly dir: string;
  readonly accountId: string;
  readonly region: string;
  /** Which of the stack's GitHub Actions roles roleArn is. */
  readonly role: Role;
  /** The role GitHub Actions assumes through OIDC in the stack's account. */
  readonly roleArn: string;
  /** The value a plan passes to the stack's shared_role_name variable; empty for deploys and stacks without it. */
  readonly sharedRoleName: string;
  /** Addresses of the resources whose count depends on enable_vpc_endpoints (empty when the stack has no switch). */
  readonly endpointTargets: string[];
  /** How many of those are interface endpoints. */
  readonly switchableEndpoints: number;
  /** What switching them off saves a month, and what one interface endpoint costs (src/cost), in USD; "unpriced" where the price table has no prices for the region. */
  readonly switchableMonthlyUsd: string;
  readonly interfaceEndpointMonthlyUsd: string;
}

type StackJson = {
  variable?: Record<string, unknown>;
  provider?: { aws?: { alias?: string; region?: string; allowed_account_ids?: string[] }[] };
  resource?: Record<string, Record<string, { count?: unknown; for_each?: unknown }>>;
};

/** Reads a synthesized stack (`<outdir>/stacks/<stack>/cdk.tf.json`), for the role a job assumes in its account. */
export function readStackFacts(outdir: string, stack: Environment, role: Role = "deploy"): StackFacts {
  const dir = path.join(outdir, "stacks", stack);
  const file = path.join(dir, "cdk.tf.json");
  let json: StackJson;
  try {
    json = JSON.parse(readFileSync(file, "utf8")) as StackJson;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new UsageError(
      missing ? `no synthesized ${stack} stack at ${file}: run npm run synth first` : `${file} is not JSON: ${(error as Error).message}`,
      false,
    );
  }
  const provider = (json.provider?.aws ?? []).find((candidate) => candidate.alias === undefined);
  const accountId = provider?.allowed_account_ids?.[0];
  if (!provider?.region || !accountId) {
    throw new UsageError(`${file} has no default aws provider with a region and allowed_account_ids: is it a stack of this project?`, false);
  }
  const switched = new RegExp(`\\bvar\\.${ENDPOINT_SWITCH_VARIABLE}\\b`);
  const endpointTargets = Object.entries(json.resource ?? {})
    .flatMap(([type, byName]) =>
      Object.entries(byName)
        .filter(([, body]) => switched.test(JSON.stringify([body.count ?? null, body.for_each ?? null])))
        .map(([name]) => `${type}.${name}`),
    )
    .sort();
  return {
    stack,
    dir,
    accountId,
    region: provider.region,
    role,
    roleArn: names.roleArn(accountId, role === "plan" ? names.githubActionsPlanRole(stack) : names.githubActionsRole(stack)),
    sharedRoleName: role === "plan" && json.variable?.[names.sharedRoleVariable] !== undefined ? names.peeringReaderRole : "",
    endpointTargets,
    switchableEndpoints: endpointTargets.filter((address) => address.startsWith("aws_vpc_endpoint.")).length,
    switchableMonthlyUsd: priced(() => (endpointTargets.length > 0 ? switchSavingMonthlyUsd(json as SynthesizedStack, ENDPOINT_SWITCH_VARIABLE) : 0)),
    interfaceEndpointMonthlyUsd: priced(() => regionPrices(provider.region!).interfaceEndpointHour * HOURS_PER_MONTH),
  };
}

/** A monthly amount from the price table, or "unpriced" where the table has no price for it. */
function priced(amount: () => number): string {
  try {
    return formatUsd(amount());
  } catch (error) {
    if (error instanceof PriceError) return "unpriced";
    throw error;
  }
}

/** The variables each GitHub environment carries (empty when unset, as GitHub passes them). */
export interface GitHubEnvironmentVariables {
  readonly AWS_ACCOUNT_ID?: string;
  readonly AWS_REGION?: string;
  readonly ENVIRONMENT?: string;
}

/** Fails unless the GitHub environment's variables describe the account, region and name the stack was synthesized for. */
export function checkGitHubEnvironment(facts: StackFacts, variables: GitHubEnvironmentVariables): void {
  const { AWS_ACCOUNT_ID: accountId, AWS_REGION: region, ENVIRONMENT: name } = variables;
  const problems: string[] = [];
  if (!accountId) {
    problems.push(`the GitHub environment ${facts.stack} has no variable AWS_ACCOUNT_ID`);
  } else if (accountId !== facts.accountId) {
    problems.push(
      `the GitHub environment's AWS_ACCOUNT_ID ${accountId} is not the account the ${facts.stack} stack was synthesized for (${facts.accountId}); ` +
        `set COALITION_${facts.stack.toUpperCase()}_ACCOUNT_ID (or accounts.${facts.stack}.accountId in the configuration) to the same account`,
    );
  }
  if (region && region !== facts.region) {
    problems.push(
      `the GitHub environment's AWS_REGION ${region} is not the region the ${facts.stack} stack was synthesized for (${facts.region}); ` +
        "set COALITION_REGION (or region in the configuration) to the same region",
    );
  }
  if (name && name !== facts.stack) {
    problems.push(`the GitHub environment ${facts.stack} has ENVIRONMENT=${name}; it must name its own environment`);
  }
  if (problems.length > 0) throw new CheckError(problems.join("\n"));
}

/** name=value lines, the format of $GITHUB_OUTPUT. */
export function formatStackFacts(facts: StackFacts): string {
  return [
    `stack=${facts.stack}`,
    `dir=${facts.dir}`,
    `account_id=${facts.accountId}`,
    `region=${facts.region}`,
    `role=${facts.role}`,
    `role_arn=${facts.roleArn}`,
    `shared_role_name=${facts.sharedRoleName}`,
    `endpoint_targets=${facts.endpointTargets.join(" ")}`,
    `switchable_endpoints=${facts.switchableEndpoints}`,
    `switchable_endpoints_monthly_usd=${facts.switchableMonthlyUsd}`,
    `interface_endpoint_monthly_usd=${facts.interfaceEndpointMonthlyUsd}`,
    "",
  ].join("\n");
}

export function stackFacts(argv: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { values } = parseCommandLine(
    argv,
    {
      stack: { type: "string" },
      role: { type: "string", default: "deploy" },
      "github-environment": { type: "boolean" },
      outdir: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    false,
  );
  if (values.help) return undefined;
  const stack = environmentFlag("--stack", values.stack);
  const role = values.role as Role;
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")}, not ${JSON.stringify(role)}`);
  if (role === "plan" && values["github-environment"]) {
    throw new UsageError("--github-environment checks the GitHub environment of a deploy; plan jobs run in none (--role plan)");
  }
  const facts = readStackFacts(values.outdir ?? "cdktf.out", stack, role);
  if (values["github-environment"]) checkGitHubEnvironment(facts, env);
  return formatStackFacts(facts);
}

if (require.main === module) runCommand("stack-facts", USAGE, stackFacts);
