import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { SesDomainIdentityVerification } from "@cdktf/provider-aws/lib/ses-domain-identity-verification";
import { Sesv2ConfigurationSet } from "@cdktf/provider-aws/lib/sesv2-configuration-set";
import { Sesv2ConfigurationSetEventDestination } from "@cdktf/provider-aws/lib/sesv2-configuration-set-event-destination";
import { Sesv2EmailIdentity } from "@cdktf/provider-aws/lib/sesv2-email-identity";
import { Sesv2EmailIdentityMailFromAttributes } from "@cdktf/provider-aws/lib/sesv2-email-identity-mail-from-attributes";
import { Sesv2EmailIdentityPolicy } from "@cdktf/provider-aws/lib/sesv2-email-identity-policy";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import {
  SES_SERVICE,
  sesConfigurationSetArn,
  sesIdentityArn,
  sesNotificationTopicPolicy,
  sesSendingPolicy,
} from "../policies/ses";
import { isDomainName } from "./dns";
import { EncryptionKey } from "./kms-key";

/** SPF of the apex and of the MAIL FROM domain: only SES sends for them; anything else fails. */
export const SES_SPF = "v=spf1 include:amazonses.com -all";
const RECORD_TTL = 600;
/** Easy DKIM publishes three keys. */
const DKIM_KEYS = 3;

export interface EmailProps {
  /** Prefix of every name, e.g. `coalition-prod`. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** The domain mail is sent from, and the hosted zone its records go into. */
  readonly zone: { readonly domain: string; readonly zoneId: string };
  /** The only role allowed to send as the domain: the Lambda execution role `{prefix}-{env}-lambda`. */
  readonly senderRoleArn: string;
  /** Receives DMARC aggregate reports (`rua`). An address outside the domain must authorize it in its own DNS. */
  readonly dmarcReportEmail: string;
  /** Label of the custom MAIL FROM domain under the domain. Default `mail` (`mail.{domain}`). */
  readonly mailFromSubdomain?: string;
  /** Other TXT values of the apex (site verifications), which share the SPF record's record set. Default none. */
  readonly apexTxtValues?: readonly string[];
  /** Deliver only over TLS; mail to servers without it bounces. Default true. */
  readonly requireTls?: boolean;
}

/**
 * Sending mail from the domain with SES (API v2): the domain identity with 2048-bit Easy DKIM, its DNS records
 * (three DKIM CNAMEs, SPF, DMARC `p=quarantine`, a custom MAIL FROM domain with MX and SPF), a wait until SES
 * has verified it, a sending policy that lets only the sender role send and only from the domain, and a default
 * configuration set that suppresses bounced and complaining addresses and publishes bounces and complaints to an
 * SNS topic encrypted with its own key.
 */
export class Email extends Construct {
  readonly identity: Sesv2EmailIdentity;
  readonly configurationSet: Sesv2ConfigurationSet;
  readonly notificationTopic: SnsTopic;
  readonly domain: string;
  readonly mailFromDomain: string;
  /** ARN of the domain identity (built from its name, so policies can be written before it exists). */
  readonly identityArn: string;
  readonly configurationSetArn: string;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    const mailFromLabel = props.mailFromSubdomain ?? "mail";
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(mailFromLabel)) {
      throw new Error(`Email: mailFromSubdomain "${mailFromLabel}" must be one lowercase DNS label`);
    }
    if (!/^[^\s@;,]+@[a-z0-9.-]+\.[a-z]{2,}$/i.test(props.dmarcReportEmail)) {
      throw new Error(`Email: dmarcReportEmail "${props.dmarcReportEmail}" is not an email address`);
    }
    if (!isDomainName(props.zone.domain)) throw new Error(`Email: domain "${props.zone.domain}" is not a lowercase domain name such as example.org`);
    if (!Token.isUnresolved(props.senderRoleArn) && !/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(props.senderRoleArn)) {
      throw new Error(`Email: senderRoleArn "${props.senderRoleArn}" is not an IAM role ARN`);
    }
    if (!Token.isUnresolved(props.senderRoleArn) && props.senderRoleArn.split(":")[4] !== props.accountId) {
      throw new Error(`Email: senderRoleArn "${props.senderRoleArn}" is not a role of account ${props.accountId}, which owns the identity`);
    }
    const { name, accountId, region } = props;
    const domain = props.zone.domain;
    this.domain = domain;
    this.mailFromDomain = `${mailFromLabel}.${domain}`;
    this.identityArn = sesIdentityArn({ region, accountId, identity: domain });
    const configurationSetName = `${name}-email`;
    this.configurationSetArn = sesConfigurationSetArn({ region, accountId, name: configurationSetName });
    const record = (recordId: string, recordName: string, type: string, records: string[]) =>
      new Route53Record(this, recordId, { zoneId: props.zone.zoneId, name: recordName, type, ttl: RECORD_TTL, records });

    // Bounces and complaints: an encrypted topic only SES (for this configuration set) publishes to.
    const key = new EncryptionKey(this, "encryption", {
      alias: `${name}-email-notifications`,
      description: `Encrypts the ${name} email notification topic`,
      accountId,
      region,
      servicePrincipals: [SES_SERVICE],
    });
    this.notificationTopic = new SnsTopic(this, "notifications", {
      name: `${name}-email-notifications`,
      kmsMasterKeyId: key.arn,
      tags: { Name: `${name}-email-notifications` },
    });
    const topicPolicy = new SnsTopicPolicy(this, "notifications_policy", {
      arn: this.notificationTopic.arn,
      policy: JSON.stringify(
        sesNotificationTopicPolicy({ topicArn: this.notificationTopic.arn, accountId, configurationSetArn: this.configurationSetArn }),
      ),
    });

    this.configurationSet = new Sesv2ConfigurationSet(this, "configuration_set", {
      configurationSetName,
      deliveryOptions: { tlsPolicy: props.requireTls === false ? "OPTIONAL" : "REQUIRE" },
      reputationOptions: { reputationMetricsEnabled: true },
      sendingOptions: { sendingEnabled: true },
      suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
      tags: { Name: configurationSetName },
    });
    new Sesv2ConfigurationSetEventDestination(this, "notifications_destination", {
      configurationSetName: this.configurationSet.configurationSetName,
      eventDestinationName: "bounces-and-complaints",
      eventDestination: {
        enabled: true,
        matchingEventTypes: ["BOUNCE", "COMPLAINT"],
        snsDestination: { topicArn: this.notificationTopic.arn },
      },
      dependsOn: [topicPolicy], // SES checks that it may publish when the destination is created
    });

    this.identity = new Sesv2EmailIdentity(this, "identity", {
      emailIdentity: domain,
      configurationSetName: this.configurationSet.configurationSetName, // every message gets the notifications
      dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
      tags: { Name: domain },
    });
    const dkimTokens = this.identity.dkimSigningAttributes.tokens;
    const dkimRecords = Array.from({ length: DKIM_KEYS }, (_, i) => {
      const token = Fn.element(dkimTokens, i);
      return record(`dkim_${i}`, `${token}._domainkey.${domain}`, "CNAME", [`${token}.dkim.amazonses.com`]);
    });
    record("spf", domain, "TXT", [SES_SPF, ...(props.apexTxtValues ?? [])]);
    record("dmarc", `_dmarc.${domain}`, "TXT", [`v=DMARC1; p=quarantine; rua=mailto:${props.dmarcReportEmail}`]);

    // Bounces return to mail.{domain}, so SPF aligns with the From domain; if its MX ever fails, SES uses its own.
    new Sesv2EmailIdentityMailFromAttributes(this, "mail_from", {
      emailIdentity: this.identity.emailIdentity,
      mailFromDomain: this.mailFromDomain,
      behaviorOnMxFailure: "USE_DEFAULT_VALUE",
    });
    record("mail_from_mx", this.mailFromDomain, "MX", [`10 feedback-smtp.${region}.amazonses.com`]);
    record("mail_from_spf", this.mailFromDomain, "TXT", [SES_SPF]);

    new Sesv2EmailIdentityPolicy(this, "sending_policy", {
      emailIdentity: this.identity.emailIdentity,
      policyName: "sender-role-only",
      policy: JSON.stringify(sesSendingPolicy({ identityArn: this.identityArn, accountId, domain, senderRoleArn: props.senderRoleArn })),
    });

    // Waits (up to 45 minutes) until SES has found the DKIM records, which verifies the domain. This waiter of
    // the v1 API only reads the identity's status, which both APIs share.
    new SesDomainIdentityVerification(this, "verification", {
      domain: this.identity.emailIdentity,
      dependsOn: dkimRecords,
    });
  }
}
