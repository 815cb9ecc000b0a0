import type { Environment } from "../config";

/**
 * Every AWS resource name the platform derives, in one place. The bootstrap scripts and the
 * CloudFormation templates create some of these resources, so changing a rule here renames
 * live infrastructure: treat these as a public interface.
 */
export const names = {
  /** S3 bucket holding an account's Terraform state. */
  stateBucket: (prefix: string, accountId: string) => `${prefix}-terraform-state-${accountId}`,
  /** DynamoDB table holding an account's Terraform state locks. */
  lockTable: (prefix: string) => `${prefix}-terraform-locks`,
  /** Key of a stack's state object inside its account's state bucket. */
  stateKey: (env: Environment) => `${env}/terraform.tfstate`,
  /** Role in the shared account that prod and dev assume to accept their VPC peering. */
  peeringAccepterRole: "vpc-peering-accepter",
  peeringAccepterRoleArn: (sharedAccountId: string) => names.roleArn(sharedAccountId, names.peeringAccepterRole),
  /** That role's inline policy. */
  peeringAccepterPolicy: "vpc-peering-accepter",
  /** Role in the shared account that pull-request plans of prod and dev assume to read the peering side there. */
  peeringReaderRole: "vpc-peering-reader",
  peeringReaderRoleArn: (sharedAccountId: string) => names.roleArn(sharedAccountId, names.peeringReaderRole),
  /** Terraform variable of prod and dev naming the role their aws.shared provider assumes: the accepter, or the reader for a plan. */
  sharedRoleVariable: "shared_role_name",
  /** That role's inline policy. */
  peeringReaderPolicy: "vpc-peering-reader",
  /** CloudFormation stacks of the bootstrap: an account's OIDC provider and deploy role; shared's accepter role. */
  githubOidcStack: (env: Environment) => `github-oidc-${env}`,
  peeringAccepterStack: "vpc-peering-accepter",
  /** Tag key every taggable resource of the stacks carries, its value the resource's Terraform address. */
  addressTag: "TerraformAddress",
  /** Name tag of an account's GitHub Actions OIDC provider, whichever way it is created. */
  githubOidcProviderTag: "github-actions-oidc",
  /** Role GitHub Actions assumes through OIDC to deploy an environment. */
  githubActionsRole: (env: Environment) => `github-actions-${env}`,
  /** Read-only role GitHub Actions assumes through OIDC to plan an environment on a pull request. */
  githubActionsPlanRole: (env: Environment) => `github-actions-${env}-plan`,
  /** Descriptions of those two roles, the same wherever a role is declared (stack or bootstrap), so adopting one changes nothing. */
  githubActionsRoleDescription: (env: string, repo: string) => `Deploys the ${env} environment from GitHub Actions (${repo})`,
  githubActionsPlanRoleDescription: (env: string, repo: string) => `Plans the ${env} environment read-only from GitHub Actions: pull requests and the drift check (${repo})`,
  /** Their Terraform addresses in each environment's stack (the import target of a bootstrapped role, and its address tag). */
  githubActionsRoleAddress: "aws_iam_role.github_oidc_role",
  githubActionsPlanRoleAddress: "aws_iam_role.github_oidc_plan_role",
  /** The account's permissions boundary, which every role of a stack carries. */
  permissionsBoundaryAddress: "aws_iam_policy.boundary_policy",
  /** The account's GitHub OIDC provider's address in each environment's stack (which adopts a bootstrapped one). */
  githubOidcProviderAddress: "aws_iam_openid_connect_provider.github_oidc_provider",
  /** The account's GitHub Actions OIDC provider (its ARN is fixed by the issuer host). */
  githubOidcProviderArn: (accountId: string) => `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com`,
  /** Inline policies of the GitHub Actions role. */
  githubStatePolicy: "terraform-state",
  githubInfrastructurePolicy: "infrastructure",
  /** Inline policies of the plan role: reading the state (no lock: pull-request plans run with -lock=false), reading the stack. */
  githubPlanStatePolicy: "terraform-state-read",
  githubPlanReadPolicy: "read-only",
  /** Each application environment's own database on the shared PostgreSQL, and its login role (same name). */
  appDatabase: (prefix: string, env: Environment) => `${prefix.replace(/-/g, "_")}_${env}`,
  /** A secret of one environment's application: `{prefix}/{env}/{leaf}`. */
  appSecret: (prefix: string, env: Environment, leaf: string) => `${prefix}/${env}/${leaf}`,
  /** Secret in the shared account holding an environment's database credentials and URL. */
  appDatabaseSecret: (prefix: string, env: Environment) => names.appSecret(prefix, env, "database"),
  /** Secret in the environment's own account holding Django's SECRET_KEY (its value is set by hand). */
  djangoSecretKey: (prefix: string, env: Environment) => names.appSecret(prefix, env, "django-secret-key"),
  /** Role the environment's Lambda functions run as. */
  lambdaRole: (prefix: string, env: Environment) => `${prefix}-${env}-lambda`,
  lambdaRoleArn: (prefix: string, env: Environment, accountId: string) => names.roleArn(accountId, names.lambdaRole(prefix, env)),
  /** Role VPC flow logs write to their log group as (the monitoring construct's `{prefix}-{env}-flow-logs`). */
  flowLogsRole: (prefix: string, env: Environment) => names.resource(prefix, env, "flow-logs"),
  /** The bastion's name in shared: its instance's, its role's and its instance profile's. */
  bastion: (prefix: string) => names.resource(prefix, "shared", "bastion"),
  roleArn: (accountId: string, roleName: string) => `arn:aws:iam::${accountId}:role/${roleName}`,
  /** The principal that stands for a whole account: its own IAM policies decide who in it may act. */
  accountRoot: (accountId: string) => `arn:aws:iam::${accountId}:root`,
  /** Managed policy every role the stacks create is bounded by; only an administrator may change it. */
  permissionsBoundary: (prefix: string) => `${prefix}-boundary`,
  permissionsBoundaryArn: (prefix: string, accountId: string) => `arn:aws:iam::${accountId}:policy/${names.permissionsBoundary(prefix)}`,
  /**
   * The family of a bucket name kept from an earlier deployment, for a `{family}-*` grant: the name without its
   * last part (`coalition-static-assets-1a2b3c4d` → `coalition-static-assets`).
   */
  bucketFamily: (bucket: string) => (bucket.includes("-") ? bucket.slice(0, bucket.lastIndexOf("-")) : bucket),
  /** Name (and Name tag) of a resource that belongs to one environment. */
  resource: (prefix: string, env: Environment, ...parts: string[]) => [prefix, env, ...parts].join("-"),
} as const;
