import type { Environment } from "../config";
import { names } from "../naming/names";
import { allow, policy, type PolicyDocument, type PolicyStatement } from "./document";
import { ASSUME_AS_ENVIRONMENT } from "./peering-accepter";

export interface InfrastructurePolicyInput {
  readonly environment: Environment;
  readonly accountId: string;
  readonly region: string;
  /** Name prefix of everything the stacks create (`coalition`). */
  readonly prefix: string;
  /** More IAM name prefixes the role may manage, besides `prefix`. */
  readonly extraIamPrefixes?: readonly string[];
  /** More S3 bucket name prefixes the role may change, besides `{prefix}-{environment}`. */
  readonly extraS3Prefixes?: readonly string[];
  /** Accounts whose `vpc-peering-accepter` role the role may assume; none for shared. */
  readonly peeringAccountIds: readonly string[];
}

const readOnly = (service: string) => [`${service}:Describe*`, `${service}:Get*`, `${service}:List*`];

/** Services whose resources are regional and carry the account id: all actions, only in this account and region. */
const REGIONAL_SERVICES: readonly (readonly [sid: string, services: readonly string[]])[] = [
  ["Rds", ["rds"]],
  ["Ecr", ["ecr"]],
  ["SecretsManager", ["secretsmanager"]],
  ["Ssm", ["ssm"]],
  ["Sns", ["sns"]],
  ["CloudWatch", ["cloudwatch", "logs"]],
  ["Waf", ["wafv2"]],
  ["Ses", ["ses"]],
  ["Acm", ["acm"]],
  ["Kms", ["kms"]],
  ["Location", ["geo"]],
];

/** Global services whose ARNs still carry the account id. */
const GLOBAL_ACCOUNT_SERVICES: readonly (readonly [sid: string, service: string])[] = [
  ["CloudFront", "cloudfront"],
  ["Budgets", "budgets"],
];

/**
 * Actions AWS authorizes only at `Resource: "*"` that the stacks need: creating a KMS key, a
 * certificate request or a CloudFront distribution has no ARN to scope to yet. The tests check each
 * one against AWS's action data, so no action that could be scoped hides here.
 */
export const WILDCARD_ONLY_ACTIONS = [
  "kms:CreateKey",
  "acm:RequestCertificate",
  "cloudfront:CreateDistribution",
  "cloudfront:CreateOriginAccessControl",
  "cloudfront:CreateCachePolicy",
  "cloudfront:CreateResponseHeadersPolicy",
  "secretsmanager:GetRandomPassword",
  "secretsmanager:ListSecrets",
  "lambda:ListFunctions",
  "sns:ListTopics",
  "ecr:GetAuthorizationToken",
  "logs:DescribeLogGroups",
];

/**
 * Changes to a role's or user's permissions: allowed only on principals that carry the account's
 * permissions boundary (`iam:PermissionsBoundary`), so nothing CI creates can exceed it.
 */
const IAM_BOUNDED_ACTIONS = [
  "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary", "iam:CreateUser", "iam:PutUserPolicy", "iam:DeleteUserPolicy",
  "iam:PutUserPermissionsBoundary",
];

/** IAM changes that grant no permissions by themselves. */
const IAM_OTHER_ACTIONS = [
  "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole",
  "iam:UntagRole", "iam:CreatePolicy", "iam:DeletePolicy", "iam:CreatePolicyVersion",
  "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
  "iam:CreateInstanceProfile", "iam:DeleteInstanceProfile", "iam:AddRoleToInstanceProfile",
  "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile", "iam:UntagInstanceProfile",
  "iam:DeleteUser", "iam:TagUser", "iam:UntagUser", "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey",
];

/** Changes to a managed policy: denied on the boundary itself. */
const POLICY_CHANGE_ACTIONS = [
  "iam:CreatePolicy", "iam:DeletePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion",
  "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
];

/** Changes to a role's permissions or trust: denied on the deploy roles, which an administrator manages. */
const DEPLOY_ROLE_CHANGE_ACTIONS = [
  "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
  "iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
  "iam:UpdateRole", "iam:DeleteRole",
];

const OIDC_PROVIDER_ACTIONS = [
  "iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider", "iam:TagOpenIDConnectProvider",
  "iam:UntagOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint",
  "iam:AddClientIDToOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider",
];

const S3_MUTATE_ACTIONS = [
  "s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucket*", "s3:DeleteBucketPolicy", "s3:DeleteBucketWebsite",
  "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
  "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteObjectTagging",
];

const ROUTE53_ACTIONS = [
  "route53:Get*", "route53:List*", "route53:CreateHostedZone", "route53:ChangeResourceRecordSets",
  "route53:ChangeTagsForResource", "route53:UpdateHostedZoneComment",
];

const CLOUD_FORMATION_STACK_ACTIONS = [
  "cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:DeleteStack",
  "cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents", "cloudformation:DescribeStackResource",
  "cloudformation:DescribeStackResources", "cloudformation:ListStackResources", "cloudformation:GetTemplate",
];

/** Services that create service-linked roles for the platform (API Gateway custom domains, RDS). */
const SERVICE_LINKED_ROLE_SERVICES = ["ops.apigateway.amazonaws.com", "rds.amazonaws.com"];

/**
 * The deploy role's permissions: read broadly, change only this account's resources in this region,
 * IAM only under the project's prefixes and never beyond the permissions boundary (nor the boundary or
 * the deploy roles themselves), S3 only on this environment's buckets (`{prefix}-{env}-*`), and assume
 * only the shared account's peering accepter role.
 */
export function infrastructurePolicy(input: InfrastructurePolicyInput): PolicyDocument {
  const { accountId: account, region } = input;
  const iamPrefixes = unique([input.prefix, ...(input.extraIamPrefixes ?? [])]);
  // Bucket names are global, so the environment is part of the pattern: `coalition-*` would also match
  // the other accounts' buckets, the state buckets among them (whose own policy is terraformStatePolicy).
  const s3Prefixes = unique([names.resource(input.prefix, input.environment), ...(input.extraS3Prefixes ?? [])]);
  const iam = (path: string) => `arn:aws:iam::${account}:${path}`;
  const boundary = names.permissionsBoundaryArn(input.prefix, account);

  const statements: PolicyStatement[] = [
    allow(
      "ServiceReadOnly",
      [
        ...readOnly("ec2"), "cloudfront:Describe*", "cloudfront:Get*", "cloudfront:List*", ...readOnly("wafv2"),
        ...readOnly("ses"), ...readOnly("acm"), ...readOnly("kms"), ...readOnly("geo"), "budgets:Describe*", "budgets:View*",
      ],
      "*",
    ),
    allow("WildcardOnlyActions", WILDCARD_ONLY_ACTIONS, "*"),
    allow("IamReadOnly", ["iam:Get*", "iam:List*", "iam:SimulatePrincipalPolicy"], "*"),
    allow(
      "IamBoundedPrincipals",
      IAM_BOUNDED_ACTIONS,
      ["role", "user/ses"].flatMap((kind) => iamPrefixes.map((p) => iam(`${kind}/${p}-*`))),
      { StringEquals: { "iam:PermissionsBoundary": boundary } },
    ),
    allow(
      "IamMutate",
      IAM_OTHER_ACTIONS,
      ["role", "policy", "instance-profile", "user/ses"].flatMap((kind) => iamPrefixes.map((p) => iam(`${kind}/${p}-*`))),
    ),
    { Sid: "ProtectBoundary", Effect: "Deny", Action: POLICY_CHANGE_ACTIONS, Resource: boundary },
    {
      Sid: "KeepBoundaries",
      Effect: "Deny",
      Action: ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"],
      Resource: "*",
    },
    { Sid: "ProtectDeployRoles", Effect: "Deny", Action: DEPLOY_ROLE_CHANGE_ACTIONS, Resource: iam(`role/${names.githubActionsRole("*" as Environment)}`) },
    allow("OidcProviderMutate", OIDC_PROVIDER_ACTIONS, names.githubOidcProviderArn(account)),
    allow("ServiceLinkedRoles", ["iam:CreateServiceLinkedRole"], iam("role/aws-service-role/*"), {
      StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICES },
    }),
    // Attaching the web ACL is also authorized on the protected API stage, whose ARN has no account.
    allow("WafApiStages", ["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"], `arn:aws:apigateway:${region}::/restapis/*/stages/*`),
    allow("Ec2", ["ec2:*"], [`arn:aws:ec2:${region}:${account}:*`, `arn:aws:ec2:${region}::image/*`]),
    // Changing an instance's user data runs code as its role: only the bastion's, in shared; no instance elsewhere.
    {
      Sid: "OnlyBastionInstanceAttributes",
      Effect: "Deny",
      Action: "ec2:ModifyInstanceAttribute",
      Resource: "*",
      ...(input.environment === "shared" && {
        Condition: { StringNotEquals: { "ec2:InstanceProfile": iam(`instance-profile/${names.bastion(input.prefix)}`) } },
      }),
    },
    allow("SsmPublicParameters", ["ssm:GetParameter", "ssm:GetParameters"], `arn:aws:ssm:${region}::parameter/aws/service/*`),
    ...REGIONAL_SERVICES.map(([sid, services]) =>
      allow(sid, services.map((s) => `${s}:*`), services.map((s) => `arn:aws:${s}:${region}:${account}:*`)),
    ),
    // Zappa's function `{project}-{stage}` (project = prefix, stage = environment), its versions and aliases.
    allow("Lambda", ["lambda:*"], [`arn:aws:lambda:${region}:${account}:function:${input.prefix}-${input.environment}`, `arn:aws:lambda:${region}:${account}:function:${input.prefix}-${input.environment}:*`]),
    ...passRoles(input).map(([sid, role, service]) =>
      allow(sid, ["iam:PassRole"], iam(`role/${role}`), { StringEquals: { "iam:PassedToService": service } }),
    ),
    ...GLOBAL_ACCOUNT_SERVICES.map(([sid, service]) => allow(sid, [`${service}:*`], `arn:aws:${service}::${account}:*`)),
    allow("S3ReadOnly", ["s3:Get*", "s3:List*"], "*"),
    allow("S3Mutate", S3_MUTATE_ACTIONS, s3Prefixes.flatMap((p) => [`arn:aws:s3:::${p}-*`, `arn:aws:s3:::${p}-*/*`])),
    allow("Route53", ROUTE53_ACTIONS, "*"),
    allow("ApiGateway", ["apigateway:*"], "*"),
    allow("CostExplorer", ["ce:*"], "*"),
    allow(
      "CloudControlApi",
      ["cloudformation:CreateResource", "cloudformation:GetResource", "cloudformation:UpdateResource",
        "cloudformation:DeleteResource", "cloudformation:ListResources", "cloudformation:GetResourceRequestStatus"],
      "*",
    ),
    allow(
      "CloudFormationStacks",
      CLOUD_FORMATION_STACK_ACTIONS,
      `arn:aws:cloudformation:${region}:${account}:stack/${input.prefix}-*/*`, // Zappa's stacks are {project}-{stage}
    ),
    allow(
      "EventBridgeRead",
      ["events:DescribeRule", "events:ListRules", "events:ListRuleNamesByTarget", "events:ListTargetsByRule", "events:ListTagsForResource"],
      "*",
    ),
    allow(
      "EventBridgeWrite",
      ["events:PutRule", "events:PutTargets", "events:DeleteRule", "events:RemoveTargets", "events:EnableRule",
        "events:DisableRule", "events:TagResource", "events:UntagResource"],
      `arn:aws:events:${region}:${account}:rule/*`,
    ),
  ];
  if (input.peeringAccountIds.length > 0) {
    statements.push(allow("AssumePeeringAccepter", ASSUME_AS_ENVIRONMENT, input.peeringAccountIds.map(names.peeringAccepterRoleArn)));
  }
  return policy(...statements);
}

/**
 * The roles the stacks hand to a service, each to the one service it is for: the Lambda function's execution role
 * (prod and dev), the flow logs' role, the bastion's (shared, through its instance profile).
 */
function passRoles({ prefix, environment }: InfrastructurePolicyInput): [sid: string, role: string, service: string][] {
  const flowLogs: [string, string, string] = ["PassFlowLogsRole", names.flowLogsRole(prefix, environment), "vpc-flow-logs.amazonaws.com"];
  return environment === "shared"
    ? [flowLogs, ["PassBastionRole", names.bastion(prefix), "ec2.amazonaws.com"]]
    : [["PassLambdaRole", names.lambdaRole(prefix, environment), "lambda.amazonaws.com"], flowLogs];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
