import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { GithubProvider } from "@cdktf/provider-github/lib/provider";
import { Aspects, LocalBackend, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { APPLICATION_ENVIRONMENTS, ENVIRONMENTS, type Environment, type PlatformConfig } from "../src/config";
import { deploymentBranches, githubEnvironmentVariables, githubRepositoryVariables } from "../src/bootstrap/github-environments";
import { GitHubEnvironments, type Reviewers } from "../src/constructs/github-environments";
import { PeeringRole } from "../src/constructs/peering-role";
import { StateStorage } from "../src/constructs/state-storage";
import { platformTags, REQUIRED_TERRAFORM_VERSION } from "../src/core/account-stack";
import { SecurityGuardrails } from "../src/guardrails/aspect";
import { names } from "../src/naming/names";
import { SUPPRESSIONS } from "../src/guardrails/suppressions";
import { ReadableStack } from "../src/naming/addresses";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "../src/policies/github-trust";

/** Whether repository administrators may deploy an environment without its reviewers and branch rule. */
const ADMINS_MAY_BYPASS: Record<Environment, boolean> = { shared: true, prod: false, dev: true };

export interface BootstrapStackProps {
  readonly config: PlatformConfig;
  /** Also manage the GitHub environments (needs the GitHub provider and a token); false leaves them to configure_github.sh. Default true. */
  readonly manageGitHub?: boolean;
  /** Who must approve deployments, per environment. Default nobody. */
  readonly reviewers?: Partial<Record<Environment, Reviewers>>;
}

/**
 * What Terraform itself needs before the env stacks can run, declared as code instead of the bootstrap
 * scripts: in each account the state bucket, the lock table and the GitHub OIDC provider; in shared the
 * role prod and dev assume to accept their peering; and the repository's GitHub environments and variables. Its own
 * state is local (the buckets it creates cannot hold it), and each account has its own aliased provider.
 */
export class BootstrapStack extends ReadableStack {
  readonly config: PlatformConfig;
  readonly accountProviders: Record<Environment, AwsProvider>;

  constructor(scope: Construct, props: BootstrapStackProps) {
    super(scope, "bootstrap");
    Aspects.of(this).add(new SecurityGuardrails(() => SUPPRESSIONS));
    const config = (this.config = props.config);
    new LocalBackend(this, {});
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);

    this.accountProviders = Object.fromEntries(ENVIRONMENTS.map((env) => [env, this.accountProvider(env)])) as Record<Environment, AwsProvider>;
    const applicationAccounts = APPLICATION_ENVIRONMENTS.map((environment) => ({ environment, accountId: config.accounts[environment].accountId }));

    for (const env of ENVIRONMENTS) {
      const provider = this.accountProviders[env];
      new StateStorage(this, `${env}_state`, {
        provider,
        prefix: config.prefix,
        accountId: config.accounts[env].accountId,
        sharedStateReaders: env === "shared" ? applicationAccounts : undefined,
        administratorArns: env === "shared" ? config.administrators : undefined,
      });
      new IamOpenidConnectProvider(this, `${env}_github_oidc_provider`, {
        provider,
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: [GITHUB_OIDC_AUDIENCE],
        // Tagged as the environment's stack tags it, which adopts it: adopting it changes nothing.
        tags: { Name: names.githubOidcProviderTag, [names.addressTag]: names.githubOidcProviderAddress },
      });
    }

    const peering = { provider: this.accountProviders.shared, sharedAccountId: config.accounts.shared.accountId, region: config.region, requesters: applicationAccounts };
    new PeeringRole(this, "peering_accepter", { ...peering, administratorArns: config.administrators });
    new PeeringRole(this, "peering_reader", { ...peering, readOnly: true });

    if (props.manageGitHub ?? true) {
      const [owner, repository] = config.github.repo.split("/");
      new GitHubEnvironments(this, "github", {
        provider: new GithubProvider(this, "github_provider", { owner }), // token from GITHUB_TOKEN
        repository,
        environments: ENVIRONMENTS.map((env) => ({
          name: env,
          branches: deploymentBranches(env),
          variables: githubEnvironmentVariables({ environment: env, accountId: config.accounts[env].accountId, region: config.region }),
          reviewers: props.reviewers?.[env],
          canAdminsBypass: ADMINS_MAY_BYPASS[env],
        })),
        repositoryVariables: githubRepositoryVariables({ accounts: config.accounts, region: config.region }),
      });
    }
  }

  /** The provider of one account: its credentials come from the AWS CLI profile named by the variable `{env}_profile`. */
  private accountProvider(env: Environment): AwsProvider {
    const profile = new TerraformVariable(this, `${env}_profile`, {
      type: "string",
      default: "",
      description: `AWS CLI profile of the ${env} account; empty for the default credentials`,
    });
    return new AwsProvider(this, `aws_${env}`, {
      alias: env,
      region: this.config.region,
      profile: `\${var.${profile.friendlyUniqueId} == "" ? null : var.${profile.friendlyUniqueId}}`,
      allowedAccountIds: [this.config.accounts[env].accountId],
      defaultTags: [{ tags: platformTags(this.config, env) }],
    });
  }
}
