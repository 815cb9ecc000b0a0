import { names } from "../naming/names";
import { policy, type PolicyDocument, type PolicyStatement } from "./document";
import { topicPolicy } from "./service-access";

export const SES_SERVICE = "ses.amazonaws.com";

/** The actions that send mail as an identity, in SES API v1 and v2. */
export const SES_SEND_ACTIONS = [
  "ses:SendEmail",
  "ses:SendRawEmail",
  "ses:SendTemplatedEmail",
  "ses:SendBulkTemplatedEmail",
  "ses:SendBulkEmail",
];

/** What Django's email backend calls. */
const DJANGO_SEND_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail"];

export function sesIdentityArn(input: { region: string; accountId: string; identity: string }): string {
  return `arn:aws:ses:${input.region}:${input.accountId}:identity/${input.identity}`;
}

export function sesConfigurationSetArn(input: { region: string; accountId: string; name: string }): string {
  return `arn:aws:ses:${input.region}:${input.accountId}:configuration-set/${input.name}`;
}

export interface SesSendingInput {
  /** The domain identity's ARN. */
  readonly identityArn: string;
  /** The account that owns the identity (and the sender). */
  readonly accountId: string;
  /** The domain; the From address must be `*@{domain}`. */
  readonly domain: string;
  /** The one role that may send. */
  readonly senderRoleArn: string;
}

/**
 * The identity's sending authorization policy. An Allow here would not stop other principals of the account
 * whose IAM policies allow sending, so two Deny statements do that: nobody but the sender role sends as the
 * identity, and nobody sends from an address outside the domain. The Allow names the account (narrowed to
 * the role by `aws:PrincipalArn`), so the role's own IAM policy must allow sending too.
 */
export function sesSendingPolicy(input: SesSendingInput): PolicyDocument {
  const account = { AWS: names.accountRoot(input.accountId) };
  const fromDomain = { "ses:FromAddress": `*@${input.domain}` };
  const statement = (Sid: string, Effect: "Allow" | "Deny", Action: string[], Condition: PolicyStatement["Condition"]): PolicyStatement => ({
    Sid,
    Effect,
    Principal: account,
    Action,
    Resource: input.identityArn,
    Condition,
  });
  return policy(
    statement("SenderRoleSendsFromDomain", "Allow", DJANGO_SEND_ACTIONS, {
      ArnEquals: { "aws:PrincipalArn": input.senderRoleArn },
      StringLike: fromDomain,
    }),
    statement("OnlySenderRoleSends", "Deny", SES_SEND_ACTIONS, { ArnNotEquals: { "aws:PrincipalArn": input.senderRoleArn } }),
    statement("OnlyFromDomain", "Deny", SES_SEND_ACTIONS, { StringNotLike: fromDomain }),
  );
}

/**
 * Policy of the topic receiving bounces and complaints: the account manages it, and SES publishes to it only
 * for this account's configuration set.
 */
export function sesNotificationTopicPolicy(input: { topicArn: string; accountId: string; configurationSetArn: string }): PolicyDocument {
  const [ownerAccess, servicePublishes] = topicPolicy({ topicArn: input.topicArn, accountId: input.accountId, publishers: [SES_SERVICE] }).Statement;
  return policy(ownerAccess, {
    ...servicePublishes,
    Condition: { StringEquals: { "aws:SourceAccount": input.accountId, "aws:SourceArn": input.configurationSetArn } },
  });
}
