import { ENVIRONMENT_OVERRIDES, ENVIRONMENTS, type Environment } from "../config";
import { GITHUB_SUBJECT_CONTEXTS } from "../policies/github-trust";

export interface EnvironmentVariablesInput {
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
}

/** The variables of each GitHub environment, which the workflows read to pick the account and role. */
export function githubEnvironmentVariables(input: EnvironmentVariablesInput): Record<string, string> {
  return { AWS_ACCOUNT_ID: input.accountId, ENVIRONMENT: input.environment, AWS_REGION: input.region };
}

/**
 * The branches that may deploy to an environment: the one whose `ref:refs/heads/…` context the
 * environment's role trusts (main for shared and prod, development for dev), so GitHub's gate and AWS's
 * trust policy name the same branch; and main everywhere, because the infrastructure workflow applies
 * every stack (dev included) from main.
 */
export function deploymentBranches(environment: Environment): string[] {
  const refs = GITHUB_SUBJECT_CONTEXTS[environment].flatMap((context) => /^ref:refs\/heads\/(.+)$/.exec(context)?.[1] ?? []);
  if (refs.length !== 1) throw new Error(`the ${environment} role should trust exactly one branch, not ${refs.length}`);
  return [...new Set(["main", ...refs])];
}

export interface RepositoryVariablesInput {
  readonly accounts: Readonly<Record<Environment, { readonly accountId: string }>>;
  readonly region: string;
}

/** The configuration override (COALITION_…) that sets one field, as the synthesis reads it. */
function overrideOf(...field: string[]): string {
  const found = Object.entries(ENVIRONMENT_OVERRIDES).find(([, fieldPath]) => fieldPath.join(".") === field.join("."));
  if (!found) throw new Error(`no COALITION_* variable sets ${field.join(".")}`);
  return found[0];
}

/**
 * The repository variables the workflows' synthesis reads: the three account ids and the region (the
 * synthesis runs in no environment, and without them would synthesize the example's placeholder accounts).
 */
export function githubRepositoryVariables(input: RepositoryVariablesInput): Record<string, string> {
  return {
    ...Object.fromEntries(ENVIRONMENTS.map((env) => [overrideOf("accounts", env, "accountId"), input.accounts[env].accountId])),
    [overrideOf("region")]: input.region,
  };
}
