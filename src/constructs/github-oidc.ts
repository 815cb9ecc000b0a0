import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { TerraformOutput, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import type { Environment } from "../config";
import { names } from "../naming/names";
import {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  githubPlanTrustPolicy,
  githubTrustPolicy,
  infrastructurePolicy,
  planReadPolicy,
  terraformStatePolicy,
  terraformStateReadPolicy,
} from "../policies";

export interface GitHubOidcProps {
  readonly environment: Environment;
  readonly accountId: string;
  readonly region: string;
  /** Project prefix: IAM and S3 names the role may manage start with it. */
  readonly prefix: string;
  /** Repository allowed to deploy, `owner/name`. */
  readonly repo: string;
  /** Accounts whose `vpc-peering-accepter` role the deploy role may assume. Default none. */
  readonly peeringAccountIds?: readonly string[];
  /** More bucket name prefixes the deploy role may change (`{p}-*`), besides the environment's own. Default none. */
  readonly extraS3Prefixes?: readonly string[];
  /** Account of the shared state the environment reads (prod and dev). Default none. */
  readonly sharedStateAccountId?: string;
  /** Create the account's OIDC provider here (true), or refer to one another stack manages (false). Default true. */
  readonly createProvider?: boolean;
  /** Adopt the provider (when created here), role and inline policies the CloudFormation bootstrap made, with import blocks. Default false. */
  readonly adoptBootstrap?: boolean;
}

/** A resource to import: its Terraform address and the id AWS knows it by. */
export interface ImportTarget {
  readonly address: string;
  readonly id: string;
}

/**
 * GitHub Actions' way into an account: the OIDC provider; the `github-actions-{env}` deploy role, trusted only
 * by the repository's contexts for that environment, with the state and infrastructure policies the policy
 * builders define; and the read-only `github-actions-{env}-plan` role, trusted only by the repository's pull
 * requests, which can read the state and what a plan refreshes, and change nothing.
 */
export class GitHubOidc extends Construct {
  readonly role: IamRole;
  readonly planRole: IamRole;
  readonly providerArn: string;
  private readonly adoptable: { resource: TerraformResource; id: string }[] = [];

  constructor(scope: Construct, id: string, props: GitHubOidcProps) {
    super(scope, id);
    const roleName = names.githubActionsRole(props.environment);
    const createProvider = props.createProvider ?? true;
    this.providerArn = names.githubOidcProviderArn(props.accountId);

    const provider = createProvider
      ? new IamOpenidConnectProvider(this, "provider", {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIdList: [GITHUB_OIDC_AUDIENCE],
          tags: { Name: names.githubOidcProviderTag },
        })
      : undefined;
    if (provider) this.adoptable.push({ resource: provider, id: this.providerArn });

    this.role = new IamRole(this, "role", {
      name: roleName,
      description: names.githubActionsRoleDescription(props.environment, props.repo),
      assumeRolePolicy: JSON.stringify(githubTrustPolicy({ environment: props.environment, repo: props.repo, accountId: props.accountId })),
      maxSessionDuration: 3600,
      dependsOn: provider ? [provider] : undefined, // IAM rejects a trust policy naming a provider that does not exist yet
      tags: { Name: roleName },
    });
    this.adoptable.push({ resource: this.role, id: roleName });

    const planRoleName = names.githubActionsPlanRole(props.environment);
    this.planRole = new IamRole(this, "plan_role", {
      name: planRoleName,
      description: names.githubActionsPlanRoleDescription(props.environment, props.repo),
      assumeRolePolicy: JSON.stringify(githubPlanTrustPolicy({ repo: props.repo, accountId: props.accountId })),
      maxSessionDuration: 3600,
      dependsOn: provider ? [provider] : undefined,
      tags: { Name: planRoleName },
    });
    this.adoptable.push({ resource: this.planRole, id: planRoleName });

    const inlinePolicy = (policyId: string, [role, name]: [IamRole, string], policyName: string, document: object) => {
      const resource = new IamRolePolicy(this, policyId, { role: role.name, name: policyName, policy: JSON.stringify(document) });
      this.adoptable.push({ resource, id: `${name}:${policyName}` });
    };
    const deployRole: [IamRole, string] = [this.role, roleName];
    const planRole: [IamRole, string] = [this.planRole, planRoleName];
    const account = { environment: props.environment, accountId: props.accountId, region: props.region, prefix: props.prefix };
    const infrastructure = { ...account, peeringAccountIds: props.peeringAccountIds ?? [], extraS3Prefixes: props.extraS3Prefixes };
    const state = { ...account, sharedAccountId: props.sharedStateAccountId };
    inlinePolicy("state_policy", deployRole, names.githubStatePolicy, terraformStatePolicy(state));
    inlinePolicy("infrastructure_policy", deployRole, names.githubInfrastructurePolicy, infrastructurePolicy(infrastructure));
    inlinePolicy("plan_state_policy", planRole, names.githubPlanStatePolicy, terraformStateReadPolicy(state));
    inlinePolicy("plan_read_policy", planRole, names.githubPlanReadPolicy, planReadPolicy({ ...infrastructure, sharedAccountId: props.sharedStateAccountId }));

    if (props.adoptBootstrap) for (const { resource, id: importId } of this.adoptable) resource.importFrom(importId);

    new TerraformOutput(this, "role_arn", { value: this.role.arn, description: "Role GitHub Actions assumes to deploy this environment" });
    new TerraformOutput(this, "plan_role_arn", { value: this.planRole.arn, description: "Read-only role GitHub Actions assumes to plan this environment on pull requests" });
    new TerraformOutput(this, "provider_arn", {
      value: provider ? provider.arn : this.providerArn,
      description: "GitHub Actions OIDC provider of this account",
    });
  }

  /** What the CloudFormation bootstrap created that this construct manages, with the ids to import it by. */
  importTargets(): ImportTarget[] {
    return this.adoptable.map(({ resource, id }) => ({ address: `${resource.terraformResourceType}.${resource.friendlyUniqueId}`, id }));
  }
}
