import { names } from "../naming/names";
import { rolesStatement } from "./cross-account";
import { policy, type PolicyDocument } from "./document";

/** Trust policy letting one AWS service assume a role, optionally only on behalf of this account. */
export function serviceTrustPolicy(service: string, sourceAccountId?: string): PolicyDocument {
  return policy({
    Sid: "ServiceAssumesRole",
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    ...(sourceAccountId ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccountId } } } : {}),
  });
}

/** Topic policy: the owner account manages the topic, and the listed services publish for this account only. */
export function topicPolicy(input: { topicArn: string; accountId: string; publishers: readonly string[] }): PolicyDocument {
  return policy(
    {
      Sid: "OwnerAccess",
      Effect: "Allow",
      Principal: { AWS: names.accountRoot(input.accountId) },
      Action: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"],
      Resource: input.topicArn,
    },
    {
      Sid: "ServicesPublish",
      Effect: "Allow",
      Principal: { Service: [...input.publishers] },
      Action: "sns:Publish",
      Resource: input.topicArn,
      Condition: { StringEquals: { "aws:SourceAccount": input.accountId } },
    },
  );
}

/** Secret policy: only the listed roles of other accounts may read the secret (their own IAM policy must allow it too). */
export function secretReadPolicy(readerArns: readonly string[]): PolicyDocument {
  return policy(rolesStatement("ReadersInOtherAccounts", readerArns, ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "*"));
}

/** What VPC flow logs need to write into one log group. */
export function flowLogsWritePolicy(logGroupArn: string): PolicyDocument {
  return policy({
    Sid: "WriteFlowLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
    Resource: [logGroupArn, `${logGroupArn}:*`],
  });
}
