import { ENVIRONMENTS, type Environment, loadConfig } from "../config";
import { names } from "../naming/names";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, githubTrustPolicy } from "../policies/github-trust";
import { infrastructurePolicy } from "../policies/infrastructure";
import {
  PEERING_ACCEPTER_DESCRIPTION,
  peeringAccepterPolicy,
  peeringAccepterTrustPolicy,
} from "../policies/peering-accepter";
import { terraformStatePolicy } from "../policies/terraform-state";
import { type Json, type TemplateCondition, VariantMerger } from "./cloudformation";
import { INPUT_PATTERNS, PREFIX_LENGTH } from "./inputs";

/** Values of a template's parameters as the builders see them: `${Name}` placeholders that `Fn::Sub` resolves. */
const ACCOUNT = "${AWS::AccountId}";
const REGION = "${AWS::Region}";
const PREFIX = "${ResourcePrefix}";
const REPO = "${GitHubOrg}/${GitHubRepo}";
const SHARED_ACCOUNT = "${SharedAccountId}";

/** The same text as the env stacks' GitHubOidc construct gives the role, so adopting it changes nothing. */
export function deployRoleDescription(environment: string, repo: string): string {
  return `Deploys the ${environment} environment from GitHub Actions (${repo})`;
}

/** One combination of the OIDC template's parameters that changes what the builders return. */
export interface OidcVariant {
  readonly environment: Environment;
  /** SharedAccountId is set (prod and dev only: the template's rule rejects it for shared). */
  readonly sharedAccount: boolean;
}

export const OIDC_VARIANTS: readonly OidcVariant[] = ENVIRONMENTS.flatMap((environment): OidcVariant[] =>
  environment === "shared" ? [{ environment, sharedAccount: false }] : [false, true].map((sharedAccount) => ({ environment, sharedAccount })),
);

const isEnvironment = (env: Environment) => ({ "Fn::Equals": [{ Ref: "Environment" }, env] });

const OIDC_CONDITIONS: readonly TemplateCondition<OidcVariant>[] = [
  { name: "IsShared", definition: isEnvironment("shared"), holds: (v) => v.environment === "shared" },
  { name: "IsProd", definition: isEnvironment("prod"), holds: (v) => v.environment === "prod" },
  { name: "IsDev", definition: isEnvironment("dev"), holds: (v) => v.environment === "dev" },
  {
    name: "HasSharedAccountId",
    definition: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "SharedAccountId" }, ""] }] },
    holds: (v) => v.sharedAccount,
  },
];

/** The deploy role's properties for one variant, straight from the policy builders. */
function deployRoleProperties({ environment, sharedAccount }: OidcVariant): Json {
  const account = { environment, accountId: ACCOUNT, region: REGION, prefix: PREFIX };
  const roleName = names.githubActionsRole(environment);
  return {
    RoleName: roleName,
    Description: deployRoleDescription(environment, REPO),
    MaxSessionDuration: 3600,
    AssumeRolePolicyDocument: githubTrustPolicy({ environment, repo: REPO, accountId: ACCOUNT }) as unknown as Json,
    Policies: [
      {
        PolicyName: names.githubStatePolicy,
        PolicyDocument: terraformStatePolicy({ ...account, sharedAccountId: sharedAccount ? SHARED_ACCOUNT : undefined }) as unknown as Json,
      },
      {
        PolicyName: names.githubInfrastructurePolicy,
        PolicyDocument: infrastructurePolicy({ ...account, peeringAccountIds: sharedAccount ? [SHARED_ACCOUNT] : [] }) as unknown as Json,
      },
    ],
    Tags: [{ Key: "Name", Value: roleName }],
  };
}

/** A 12-digit account id; `optional` ones default to "" and accept it. */
const accountIdParameter = (description: string, optional = false): Json => ({
  Type: "String",
  Description: description,
  ...(optional ? { Default: "" } : {}),
  AllowedPattern: optional ? `^(${INPUT_PATTERNS.accountId.slice(1, -1)})?$` : INPUT_PATTERNS.accountId,
  ConstraintDescription: `must be ${optional ? "empty or " : ""}a 12-digit AWS account id`,
});

/** Resources the bootstrap hands over to Terraform survive the stack's deletion. */
const RETAIN = { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" } as const;

/**
 * github-oidc-role.cfn.yml: the account's GitHub OIDC provider and its `github-actions-{env}` role with
 * the inline policies `terraform-state` and `infrastructure`, exactly as the env stacks declare them
 * (the same builders), so Terraform can import them without a change.
 */
export function githubOidcRoleTemplate(): Record<string, Json> {
  const parameters: Record<string, Json> = {
    Environment: { Type: "String", Description: "Environment this account runs", AllowedValues: [...ENVIRONMENTS] },
    GitHubOrg: {
      Type: "String",
      Description: "Owner (organization or user) of the GitHub repository that deploys",
      AllowedPattern: INPUT_PATTERNS.githubOwner,
      ConstraintDescription: "must be a GitHub organization or user name",
    },
    GitHubRepo: {
      Type: "String",
      Description: "Name of the GitHub repository that deploys",
      AllowedPattern: INPUT_PATTERNS.githubRepoName,
      ConstraintDescription: "must be a GitHub repository name",
    },
    SharedAccountId: accountIdParameter(
      "Shared account (prod and dev): read its state and assume its vpc-peering-accepter role. Leave empty for the shared account.",
      true,
    ),
    ResourcePrefix: {
      Type: "String",
      Description: "Name prefix of the resources the role may manage",
      Default: loadConfig({}).prefix, // the example configuration's
      MinLength: PREFIX_LENGTH.min,
      MaxLength: PREFIX_LENGTH.max,
      AllowedPattern: INPUT_PATTERNS.prefix,
      ConstraintDescription: `must be ${PREFIX_LENGTH.min}-${PREFIX_LENGTH.max} lower-case letters, digits and single inner hyphens, starting with a letter`,
    },
  };
  const merger = new VariantMerger(OIDC_CONDITIONS, Object.keys(parameters), (v: OidcVariant) => v.environment);
  const role = merger.merge(OIDC_VARIANTS.map((variant) => [variant, deployRoleProperties(variant)] as const));
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "GitHub Actions OIDC provider and deploy role (github-actions-{env}) of one account",
    Parameters: parameters,
    Rules: {
      SharedAccountIdOnlyForApplications: {
        RuleCondition: { "Fn::Equals": [{ Ref: "Environment" }, "shared"] },
        Assertions: [
          {
            Assert: { "Fn::Equals": [{ Ref: "SharedAccountId" }, ""] },
            AssertDescription: "SharedAccountId must be empty for the shared environment",
          },
        ],
      },
    },
    ...(merger.conditionsSection() ? { Conditions: merger.conditionsSection()! } : {}),
    Resources: {
      GitHubOidcProvider: {
        Type: "AWS::IAM::OIDCProvider",
        ...RETAIN,
        Properties: {
          Url: `https://${GITHUB_OIDC_HOST}`,
          ClientIdList: [GITHUB_OIDC_AUDIENCE],
          Tags: [{ Key: "Name", Value: names.githubOidcProviderTag }],
        },
      },
      GitHubActionsRole: {
        Type: "AWS::IAM::Role",
        ...RETAIN,
        DependsOn: "GitHubOidcProvider", // the trust policy names the provider by ARN
        Properties: role,
      },
    },
    Outputs: {
      OIDCProviderArn: { Description: "The account's GitHub OIDC provider", Value: merger.lift(names.githubOidcProviderArn(ACCOUNT)) },
      RoleArn: { Description: "Role GitHub Actions assumes to deploy this account", Value: { "Fn::GetAtt": ["GitHubActionsRole", "Arn"] } },
      RoleName: { Value: { Ref: "GitHubActionsRole" } },
    },
  };
}

/**
 * peering-accepter-role.cfn.yml: the shared account's `vpc-peering-accepter` role, which the prod and
 * dev deploy roles assume to accept their VPC peering and route back to it.
 */
export function peeringAccepterRoleTemplate(): Record<string, Json> {
  const parameters: Record<string, Json> = {
    ProdAccountId: accountIdParameter("Production account, whose github-actions-prod role may assume this role"),
    DevAccountId: accountIdParameter("Development account, whose github-actions-dev role may assume this role"),
  };
  const input = {
    sharedAccountId: ACCOUNT,
    region: REGION,
    requesters: [
      { environment: "prod", accountId: "${ProdAccountId}" },
      { environment: "dev", accountId: "${DevAccountId}" },
    ] as const,
  };
  const merger = new VariantMerger<null>([], Object.keys(parameters));
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "Role in the shared account that prod and dev assume to accept their VPC peering",
    Parameters: parameters,
    Rules: {
      DistinctAccounts: {
        Assertions: [
          {
            Assert: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "ProdAccountId" }, { Ref: "DevAccountId" }] }] },
            AssertDescription: "ProdAccountId and DevAccountId must be different accounts",
          },
        ],
      },
    },
    Resources: {
      PeeringAccepterRole: {
        Type: "AWS::IAM::Role",
        ...RETAIN,
        Properties: merger.lift({
          RoleName: names.peeringAccepterRole,
          Description: PEERING_ACCEPTER_DESCRIPTION,
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: peeringAccepterTrustPolicy(input) as unknown as Json,
          Policies: [{ PolicyName: names.peeringAccepterPolicy, PolicyDocument: peeringAccepterPolicy(input) as unknown as Json }],
          Tags: [{ Key: "Name", Value: names.peeringAccepterRole }],
        }),
      },
    },
    Outputs: {
      RoleArn: { Description: "Role the prod and dev stacks' aws.shared provider assumes", Value: { "Fn::GetAtt": ["PeeringAccepterRole", "Arn"] } },
      RoleName: { Value: { Ref: "PeeringAccepterRole" } },
    },
  };
}
