import type { Environment } from "../config";
import { names } from "../naming/names";
import { type ConditionBlock, policy, type PolicyDocument } from "./document";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/** The GitHub contexts allowed to assume each environment's role, after `repo:{owner}/{name}:`. */
export const GITHUB_SUBJECT_CONTEXTS: Readonly<Record<Environment, readonly string[]>> = {
  shared: ["environment:shared", "ref:refs/heads/main"],
  prod: ["environment:prod", "ref:refs/heads/main"],
  dev: ["environment:dev", "ref:refs/heads/development", "pull_request"],
};

export interface GitHubTrustInput {
  readonly environment: Environment;
  /** The repository as `owner/name`. */
  readonly repo: string;
  readonly accountId: string;
}

/**
 * The GitHub contexts allowed to assume an environment's read-only plan role: pull requests (their plans), and
 * workflows on main that run in no environment (the nightly drift check).
 */
export const GITHUB_PLAN_SUBJECT_CONTEXTS = ["pull_request", "ref:refs/heads/main"] as const;

/** The `sub` claims that may assume the environment's role: exact values, never a repository wildcard. */
export function githubSubjects(input: Pick<GitHubTrustInput, "environment" | "repo">): string[] {
  return GITHUB_SUBJECT_CONTEXTS[input.environment].map((context) => `repo:${input.repo}:${context}`);
}

/** Trust policy of `github-actions-{env}`: web identities of the repository's listed contexts, for STS only. */
export function githubTrustPolicy(input: GitHubTrustInput): PolicyDocument {
  return githubWebIdentityTrust("GitHubActionsOidc", input.accountId, {
    StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE },
    StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: githubSubjects(input) },
  });
}

/**
 * Trust policy of `github-actions-{env}-plan`: web identities of the repository's pull requests and of its main
 * branch outside any environment (GITHUB_PLAN_SUBJECT_CONTEXTS), and nothing else (StringEquals on the exact
 * subjects), for STS only. Forks get no OIDC token, so cannot assume it.
 */
export function githubPlanTrustPolicy(input: Pick<GitHubTrustInput, "repo" | "accountId">): PolicyDocument {
  return githubWebIdentityTrust("GitHubActionsOidcPlans", input.accountId, {
    StringEquals: {
      [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
      [`${GITHUB_OIDC_HOST}:sub`]: GITHUB_PLAN_SUBJECT_CONTEXTS.map((context) => `repo:${input.repo}:${context}`),
    },
  });
}

/** A trust policy letting the account's GitHub OIDC provider's web identities assume the role, on `Condition`. */
function githubWebIdentityTrust(Sid: string, accountId: string, Condition: ConditionBlock): PolicyDocument {
  return policy({
    Sid,
    Effect: "Allow",
    Principal: { Federated: names.githubOidcProviderArn(accountId) },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition,
  });
}
