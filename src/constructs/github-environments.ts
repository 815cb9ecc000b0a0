import { ActionsEnvironmentVariable } from "@cdktf/provider-github/lib/actions-environment-variable";
import { ActionsVariable } from "@cdktf/provider-github/lib/actions-variable";
import { DataGithubTeam } from "@cdktf/provider-github/lib/data-github-team";
import { DataGithubUser } from "@cdktf/provider-github/lib/data-github-user";
import { RepositoryEnvironment } from "@cdktf/provider-github/lib/repository-environment";
import { RepositoryEnvironmentDeploymentPolicy } from "@cdktf/provider-github/lib/repository-environment-deployment-policy";
import { type TerraformProvider, Token } from "cdktf";
import { Construct } from "constructs";
import { toSnakeCase } from "../naming/addresses";

/** People who must approve a deployment to an environment: GitHub user logins and team slugs of the repository's owner. */
export interface Reviewers {
  readonly users: readonly string[];
  readonly teams: readonly string[];
}

/** GitHub accepts at most this many reviewers (users and teams together) per environment. */
export const MAX_REVIEWERS = 6;

export interface GitHubEnvironmentSpec {
  /** Name of the environment, as the workflows' `environment:` names it. */
  readonly name: string;
  /** The only branches that may deploy to it. */
  readonly branches: readonly string[];
  /** Its variables (AWS_ACCOUNT_ID, …). */
  readonly variables: Readonly<Record<string, string>>;
  /** Who must approve a deployment. Default nobody. */
  readonly reviewers?: Reviewers;
  /** Let repository administrators deploy without the approval and branch rules. Default true (GitHub's). */
  readonly canAdminsBypass?: boolean;
}

export interface GitHubEnvironmentsProps {
  /** Repository name, without the owner (the provider's owner). */
  readonly repository: string;
  readonly environments: readonly GitHubEnvironmentSpec[];
  /** Variables of the repository itself, which jobs outside any environment read too (COALITION_…). Default none. */
  readonly repositoryVariables?: Readonly<Record<string, string>>;
  readonly provider?: TerraformProvider;
}

/**
 * The repository's deployment environments: each deployable from its listed branches only, with its reviewers
 * (who may not approve their own runs) and its variables; and the repository's own variables.
 */
export class GitHubEnvironments extends Construct {
  readonly environments: Record<string, RepositoryEnvironment> = {};

  constructor(scope: Construct, id: string, props: GitHubEnvironmentsProps) {
    super(scope, id);
    const { provider, repository } = props;
    const userIds = new Map<string, string>();
    const teamIds = new Map<string, string>();
    const lookUp = (kind: "user" | "team", name: string): string => {
      const ids = kind === "user" ? userIds : teamIds;
      if (!ids.has(name)) {
        const lookupId = `${kind}_${toSnakeCase(name)}`;
        const source =
          kind === "user"
            ? new DataGithubUser(this, lookupId, { provider, username: name })
            : new DataGithubTeam(this, lookupId, { provider, slug: name, summaryOnly: true });
        ids.set(name, source.id);
      }
      return ids.get(name)!;
    };

    for (const spec of props.environments) {
      const reviewers = spec.reviewers ?? { users: [], teams: [] };
      const count = reviewers.users.length + reviewers.teams.length;
      if (count > MAX_REVIEWERS) {
        throw new Error(`GitHubEnvironments: environment ${spec.name} has ${count} reviewers; GitHub allows at most ${MAX_REVIEWERS}`);
      }
      const key = toSnakeCase(spec.name);
      const environment = new RepositoryEnvironment(this, key, {
        provider,
        repository,
        environment: spec.name,
        canAdminsBypass: spec.canAdminsBypass ?? true,
        preventSelfReview: count > 0 ? true : undefined,
        reviewers:
          count > 0
            ? [
                {
                  users: reviewers.users.map((user) => Token.asNumber(lookUp("user", user))),
                  teams: reviewers.teams.map((team) => Token.asNumber(lookUp("team", team))),
                },
              ]
            : undefined,
        deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      });
      this.environments[spec.name] = environment;
      for (const branch of spec.branches) {
        new RepositoryEnvironmentDeploymentPolicy(this, `${key}_deployment_branch_${toSnakeCase(branch)}`, {
          provider,
          repository,
          environment: environment.environment,
          branchPattern: branch,
        });
      }
      for (const [name, value] of Object.entries(spec.variables)) {
        new ActionsEnvironmentVariable(this, `${key}_variable_${toSnakeCase(name)}`, {
          provider,
          repository,
          environment: environment.environment,
          variableName: name,
          value,
        });
      }
    }

    for (const [name, value] of Object.entries(props.repositoryVariables ?? {})) {
      new ActionsVariable(this, `repository_variable_${toSnakeCase(name)}`, { provider, repository, variableName: name, value });
    }
  }
}
