import { ENVIRONMENTS, type Environment, loadConfig } from "../config";
import { names } from "../naming/names";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, githubPlanTrustPolicy, githubTrustPolicy } from "../policies/github-trust";
import { infrastructurePolicy } from "../policies/infrastructure";
import {
  PEERING_ACCEPTER_DESCRIPTION,
  PEERING_READER_DESCRIPTION,
  peeringAccepterPolicy,
  peeringAccepterTrustPolicy,
  peeringReaderPolicy,
  peeringReaderTrustPolicy,
} from "../policies/peering-accepter";
import { planReadPolicy } from "../policies/plan";
import { terraformStatePolicy, terraformStateReadPolicy } from "../policies/terraform-state";
import { isDeepStrictEqual } from "node:util";
import { type Json, type TemplateCondition, VariantMerger } from "./cloudformation";
import { INPUT_PATTERNS, PREFIX_LENGTH } from "./inputs";

/** Values of a template's parameters as the builders see them: `${Name}` placeholders that `Fn::Sub` resolves. */
const ACCOUNT = "${AWS::AccountId}";
const REGION = "${AWS::Region}";
const PREFIX = "${ResourcePrefix}";
const REPO = "${GitHubOrg}/${GitHubRepo}";
const SHARED_ACCOUNT = "${SharedAccountId}";
/** Stands for the AdministratorArns list parameter in the builders' output; listParameter makes it a Ref. */
const ADMINISTRATORS = "${AdministratorArns}";

/** Replaces every one-item list holding only `placeholder` (as Fn::Sub) with a Ref to that list parameter. */
function listParameter(value: Json, placeholder: string): Json {
  const name = placeholder.slice(2, -1);
  const visit = (node: Json): Json => {
    if (Array.isArray(node)) {
      const [only] = node;
      if (node.length === 1 && isDeepStrictEqual(only, { "Fn::Sub": placeholder })) return { Ref: name };
      return node.map(visit);
    }
    if (node !== null && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, visit(inner as Json)]));
    return node;
  };
  return visit(value);
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
  { name: "IsApplication", definition: { "Fn::Not": [isEnvironment("shared")] }, holds: (v) => v.environment !== "shared" },
  {
    name: "HasSharedAccountId",
    definition: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "SharedAccountId" }, ""] }] },
    holds: (v) => v.sharedAccount,
  },
];

/** What the builders take for one variant: the account, and the shared account's id when SharedAccountId is set. */
function variantInput({ environment, sharedAccount }: OidcVariant) {
  const account = { environment, accountId: ACCOUNT, region: REGION, prefix: PREFIX };
  const sharedAccountId = sharedAccount ? SHARED_ACCOUNT : undefined;
  return { account, sharedAccountId, peeringAccountIds: sharedAccount ? [SHARED_ACCOUNT] : [] };
}

/** The deploy role's properties for one variant, straight from the policy builders. */
function deployRoleProperties(variant: OidcVariant): Json {
  const { account, sharedAccountId, peeringAccountIds } = variantInput(variant);
  return roleProperties(
    names.githubActionsRole(variant.environment),
    names.githubActionsRoleDescription(variant.environment, REPO),
    githubTrustPolicy({ environment: variant.environment, repo: REPO, accountId: ACCOUNT }),
    [
      [names.githubStatePolicy, terraformStatePolicy({ ...account, sharedAccountId })],
      [names.githubInfrastructurePolicy, infrastructurePolicy({ ...account, peeringAccountIds })],
    ],
    names.githubActionsRoleAddress,
  );
}

/** The read-only plan role's properties for one variant, straight from the policy builders. */
function planRoleProperties(variant: OidcVariant): Json {
  const { account, sharedAccountId, peeringAccountIds } = variantInput(variant);
  return roleProperties(
    names.githubActionsPlanRole(variant.environment),
    names.githubActionsPlanRoleDescription(variant.environment, REPO),
    githubPlanTrustPolicy({ repo: REPO, accountId: ACCOUNT }),
    [
      [names.githubPlanStatePolicy, terraformStateReadPolicy({ ...account, sharedAccountId })],
      [names.githubPlanReadPolicy, planReadPolicy({ ...account, peeringAccountIds, sharedAccountId })],
    ],
    names.githubActionsPlanRoleAddress,
  );
}

/**
 * An `AWS::IAM::Role`'s properties as the stacks declare the role: name tag (and address tag, for a role a stack
 * adopts), one-hour sessions, inline policies by name.
 */
function roleProperties(name: string, description: string, trust: object, policies: readonly (readonly [name: string, document: object])[], address?: string): Json {
  return {
    RoleName: name,
    Description: description,
    MaxSessionDuration: 3600,
    AssumeRolePolicyDocument: trust as unknown as Json,
    Policies: policies.map(([PolicyName, document]) => ({ PolicyName, PolicyDocument: document as unknown as Json })),
    Tags: [{ Key: "Name", Value: name }, ...(address ? [{ Key: names.addressTag, Value: address }] : [])],
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
 * github-oidc-role.cfn.yml: the account's GitHub OIDC provider, its `github-actions-{env}` deploy role with the
 * inline policies `terraform-state` and `infrastructure`, and its read-only `github-actions-{env}-plan` role with
 * `terraform-state-read` and `read-only`, exactly as the env stacks declare them (the same builders), so
 * Terraform can import them without a change.
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
      "Shared account (prod and dev): read its state and assume its vpc-peering-accepter role (the plan role: vpc-peering-reader). Leave empty for the shared account.",
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
  const planRole = merger.merge(OIDC_VARIANTS.map((variant) => [variant, planRoleProperties(variant)] as const));
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "GitHub Actions OIDC provider, deploy role (github-actions-{env}) and plan role (github-actions-{env}-plan) of one account",
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
          Tags: [
            { Key: "Name", Value: names.githubOidcProviderTag },
            { Key: names.addressTag, Value: names.githubOidcProviderAddress },
          ],
        },
      },
      GitHubActionsRole: {
        Type: "AWS::IAM::Role",
        ...RETAIN,
        DependsOn: "GitHubOidcProvider", // the trust policy names the provider by ARN
        Properties: role,
      },
      GitHubActionsPlanRole: {
        Type: "AWS::IAM::Role",
        ...RETAIN,
        DependsOn: "GitHubOidcProvider",
        Properties: planRole,
      },
    },
    Outputs: {
      OIDCProviderArn: { Description: "The account's GitHub OIDC provider", Value: merger.lift(names.githubOidcProviderArn(ACCOUNT)) },
      RoleArn: { Description: "Role GitHub Actions assumes to deploy this account", Value: { "Fn::GetAtt": ["GitHubActionsRole", "Arn"] } },
      RoleName: { Value: { Ref: "GitHubActionsRole" } },
      PlanRoleArn: {
        Description: "Read-only role GitHub Actions assumes to plan this account on pull requests",
        Value: { "Fn::GetAtt": ["GitHubActionsPlanRole", "Arn"] },
      },
    },
  };
}

/** A role of the shared account for the peering of prod and dev, with its one inline policy. */
/**
 * peering-accepter-role.cfn.yml: the shared account's roles for the VPC peering of prod and dev, as the CDKTF
 * bootstrap stack declares them: `vpc-peering-accepter`, which their deploy roles assume to accept the peering
 * and route back to it, and the read-only `vpc-peering-reader`, which their plan roles assume to read that side.
 */
export function peeringAccepterRoleTemplate(): Record<string, Json> {
  const parameters: Record<string, Json> = {
    ProdAccountId: accountIdParameter(
      `Production account, whose ${names.githubActionsRole("prod")} role may assume ${names.peeringAccepterRole} and ${names.githubActionsPlanRole("prod")} ${names.peeringReaderRole}`,
    ),
    DevAccountId: accountIdParameter(
      `Development account, whose ${names.githubActionsRole("dev")} role may assume ${names.peeringAccepterRole} and ${names.githubActionsPlanRole("dev")} ${names.peeringReaderRole}`,
    ),
  };
  parameters.AdministratorArns = {
    Type: "CommaDelimitedList",
    Default: "",
    Description: "People's IAM principals (full ARNs: roles, users, or an account root) that may also assume the accepter, to deploy prod and dev by hand; empty for none",
  };
  const input = (administrators: boolean) => ({
    sharedAccountId: ACCOUNT,
    region: REGION,
    requesters: [
      { environment: "prod", accountId: "${ProdAccountId}" },
      { environment: "dev", accountId: "${DevAccountId}" },
    ] as const,
    administratorArns: administrators ? [ADMINISTRATORS] : [],
  });
  const conditions: TemplateCondition<boolean>[] = [
    {
      name: "HasAdministrators",
      definition: { "Fn::Not": [{ "Fn::Equals": [{ "Fn::Join": ["", { Ref: "AdministratorArns" }] }, ""] }] },
      holds: (administrators) => administrators,
    },
  ];
  const merger = new VariantMerger<boolean>(conditions, Object.keys(parameters));
  const accepter = listParameter(
    merger.merge(
      [false, true].map((administrators) => {
        const given = input(administrators);
        const role = roleProperties(names.peeringAccepterRole, PEERING_ACCEPTER_DESCRIPTION, peeringAccepterTrustPolicy(given), [
          [names.peeringAccepterPolicy, peeringAccepterPolicy(given)],
        ]);
        return [administrators, role] as const;
      }),
    ),
    ADMINISTRATORS,
  );
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "Roles in the shared account that prod and dev assume for their VPC peering: to accept it (deploys) and to read it (plans)",
    Parameters: parameters,
    Conditions: merger.conditionsSection()!,
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
        Properties: accepter,
      },
      PeeringReaderRole: {
        Type: "AWS::IAM::Role",
        ...RETAIN,
        Properties: merger.lift(
          roleProperties(names.peeringReaderRole, PEERING_READER_DESCRIPTION, peeringReaderTrustPolicy(input(false)), [
            [names.peeringReaderPolicy, peeringReaderPolicy(input(false))],
          ]),
        ),
      },
    },
    Outputs: {
      RoleArn: { Description: "Role the prod and dev stacks' aws.shared provider assumes to deploy", Value: { "Fn::GetAtt": ["PeeringAccepterRole", "Arn"] } },
      RoleName: { Value: { Ref: "PeeringAccepterRole" } },
      ReaderRoleArn: {
        Description: "Role the prod and dev stacks' aws.shared provider assumes for a read-only plan",
        Value: { "Fn::GetAtt": ["PeeringReaderRole", "Arn"] },
      },
      ReaderRoleName: { Value: { Ref: "PeeringReaderRole" } },
    },
  };
}
