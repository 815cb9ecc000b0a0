import type { Environment } from "../config";
import { names } from "../naming/names";
import { allow, policy, type PolicyDocument } from "./document";

export interface PermissionsBoundaryInput {
  readonly prefix: string;
  readonly environment: Environment;
  /** The account the boundary is in. */
  readonly accountId: string;
  readonly region: string;
  /** The shared account, where prod's and dev's database secret lives and its key; none for shared itself. */
  readonly sharedAccountId?: string;
  /** More bucket name prefixes (`{p}-*`) workloads may write objects to, besides `{prefix}-{environment}`: kept names. */
  readonly extraBucketPrefixes?: readonly string[];
  /** More secrets (by name) workloads may read, besides `{prefix}/{environment}/*`: kept names. */
  readonly extraSecretNames?: readonly string[];
  /** The environment's VPC: secrets are read and objects written only through its endpoints. */
  readonly vpcId: string;
}

/**
 * The most any role created by the stacks may ever do, whatever policies are later attached to it:
 * what the Lambda functions, the bastion (Session Manager) and VPC flow logs need, and no identity,
 * organization or account administration. A ceiling, not a grant: each role's own policy scopes
 * resources. Data is capped too: objects may be written only in the environment's own buckets (never a state
 * bucket), and only the environment's own secrets read and the keys of its account (and shared's) used to
 * decrypt, so a bounded role, whoever gets to use it, cannot overwrite or read another environment's data; and
 * secrets are read and objects written only from the environment's VPC.
 */
export function permissionsBoundaryPolicy(input: PermissionsBoundaryInput): PolicyDocument {
  const { prefix, environment, region } = input;
  const accounts = [input.accountId, ...(input.sharedAccountId ? [input.sharedAccountId] : [])];
  const buckets = [names.resource(prefix, environment), ...(input.extraBucketPrefixes ?? [])];
  const secrets = accounts.map((account) => `arn:aws:secretsmanager:${region}:${account}:secret:`);
  const stateBucket = `arn:aws:s3:::${names.stateBucket(prefix, input.accountId)}`;
  return policy(
    allow(
      "WorkloadActions",
      [
        "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
        "ec2:DescribeNetworkInterfaces", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
        "secretsmanager:DescribeSecret", "s3:GetObject", "s3:ListBucket",
        "geo:SearchPlaceIndexForText", "geo:SearchPlaceIndexForPosition", "geo:SearchPlaceIndexForSuggestions", "geo:GetPlace",
        "ses:SendEmail", "ses:SendRawEmail", "lambda:InvokeFunction",
        "ssm:UpdateInstanceInformation", "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:DescribeAssociation",
        "ssm:GetDocument", "ssm:DescribeDocument", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus",
        "ssm:PutInventory", "ssm:PutComplianceItems", "ssm:GetManifest", "ssm:GetDeployablePatchSnapshotForInstance",
        "ssmmessages:*", "ec2messages:*",
      ],
      "*",
    ),
    allow("OwnObjectWrites", ["s3:PutObject", "s3:DeleteObject"], buckets.map((bucket) => `arn:aws:s3:::${bucket}-*/*`)),
    allow("OwnSecrets", ["secretsmanager:GetSecretValue"], [
      ...secrets.map((arn) => `${arn}${names.appSecret(prefix, environment, "*")}`),
      ...(input.extraSecretNames ?? []).map((name) => `${secrets[0]}${name}-*`),
    ]),
    allow("OwnKeys", ["kms:Decrypt"], accounts.map((account) => `arn:aws:kms:${region}:${account}:key/*`)),
    { Sid: "NoStateWrites", Effect: "Deny", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: [stateBucket, `${stateBucket}/*`] },
    // Whoever gets to use a bounded role (its trust can be changed), its data stays in the VPC: requests from
    // anywhere else, another account's VPC included, carry another aws:SourceVpc or none.
    {
      Sid: "DataOnlyFromTheVpc",
      Effect: "Deny",
      Action: ["secretsmanager:GetSecretValue", "s3:PutObject", "s3:DeleteObject"],
      Resource: "*",
      Condition: { StringNotEquals: { "aws:SourceVpc": input.vpcId } },
    },
    {
      Sid: "NoAdministration",
      Effect: "Deny",
      Action: ["iam:*", "organizations:*", "account:*", "sts:AssumeRole"],
      Resource: "*",
    },
  );
}
