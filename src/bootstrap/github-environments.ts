import type { Environment } from "../config";
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
