import { policy, type PolicyDocument } from "./document";

/**
 * The most any role created by the stacks may ever do, whatever policies are later attached to it:
 * what the Lambda functions, the bastion (Session Manager) and VPC flow logs need, and no identity,
 * organization or account administration. A ceiling, not a grant: each role's own policy scopes
 * resources; the boundary's `Resource: "*"` only says which actions can ever be allowed.
 */
export function permissionsBoundaryPolicy(): PolicyDocument {
  return policy(
    {
      Sid: "WorkloadActions",
      Effect: "Allow",
      Action: [
        "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
        "ec2:DescribeNetworkInterfaces", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
        "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "kms:Decrypt",
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
        "geo:SearchPlaceIndexForText", "geo:SearchPlaceIndexForPosition", "geo:SearchPlaceIndexForSuggestions", "geo:GetPlace",
        "ses:SendEmail", "ses:SendRawEmail", "lambda:InvokeFunction",
        "ssm:UpdateInstanceInformation", "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:DescribeAssociation",
        "ssm:GetDocument", "ssm:DescribeDocument", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus",
        "ssm:PutInventory", "ssm:PutComplianceItems", "ssm:GetManifest", "ssm:GetDeployablePatchSnapshotForInstance",
        "ssmmessages:*", "ec2messages:*",
      ],
      Resource: "*",
    },
    {
      Sid: "NoAdministration",
      Effect: "Deny",
      Action: ["iam:*", "organizations:*", "account:*", "sts:AssumeRole"],
      Resource: "*",
    },
  );
}
