/** What local mode knows about the emulator it deploys to (moto_server 5). */
export interface EmulatorContext {
  readonly region: string;
  /** The account the stack deploys into. */
  readonly accountId: string;
}

/** Arguments of one resource as the stack declares them (Terraform JSON). */
export type ResourceArguments = Readonly<Record<string, unknown>>;

export interface UnsupportedType {
  /** Why the emulator cannot take this type, as checked against it. */
  readonly reason: string;
  /**
   * The attributes Terraform would compute for a resource of this type, besides its own arguments: what the
   * rest of the stack may read from its stand-in while the resource itself is left out.
   */
  readonly computed: (args: ResourceArguments, context: EmulatorContext) => Record<string, unknown>;
}

const text = (args: ResourceArguments, name: string): string => {
  const value = args[name];
  if (typeof value !== "string") throw new Error(`local mode: the stand-in needs the argument ${name} as a plain string, not ${JSON.stringify(value)}`);
  return value;
};

/**
 * Resource types moto_server cannot take, each checked by applying it: local mode leaves them out (unless
 * `local.excludeUnsupported` is false), and whatever the stack reads from them comes from a stand-in holding
 * the resource's own arguments plus the attributes `computed` gives. Nothing else is excluded.
 */
export const UNSUPPORTED_TYPES: Readonly<Record<string, UnsupportedType>> = {
  aws_budgets_budget: {
    reason:
      "moto has no DescribeSubscribersForNotification, which the provider calls to read a budget's notifications: every read fails with an HTTP 500",
    computed: (args, { accountId }) => ({
      id: `${accountId}:${text(args, "name")}`,
      arn: `arn:aws:budgets::${accountId}:budget/${text(args, "name")}`,
    }),
  },
  aws_ce_anomaly_monitor: {
    reason: "moto implements no Cost Explorer anomaly detection: CreateAnomalyMonitor answers NotImplemented (HTTP 500)",
    computed: (args, { accountId }) => ({ arn: `arn:aws:ce::${accountId}:anomalymonitor/${text(args, "name")}` }),
  },
  aws_ce_anomaly_subscription: {
    reason: "moto implements no Cost Explorer anomaly detection: CreateAnomalySubscription answers NotImplemented (HTTP 500)",
    computed: (args, { accountId }) => ({ arn: `arn:aws:ce::${accountId}:anomalysubscription/${text(args, "name")}` }),
  },
  aws_location_place_index: {
    reason: "moto does not emulate Amazon Location Service at all",
    computed: (args, { region, accountId }) => ({
      index_arn: `arn:aws:geo:${region}:${accountId}:place-index/${text(args, "index_name")}`,
    }),
  },
  aws_sesv2_email_identity: {
    reason: "moto answers CreateEmailIdentity and GetEmailIdentity (SESv2) with timestamps as text, which the provider cannot decode",
    computed: (args, { region, accountId }) => ({
      arn: `arn:aws:ses:${region}:${accountId}:identity/${text(args, "email_identity")}`,
      identity_type: "DOMAIN",
      // Stand-in DKIM tokens: the records the stack derives from them are created, with these names.
      dkim_signing_attributes: [{ tokens: ["local1", "local2", "local3"], status: "NOT_STARTED" }],
    }),
  },
  aws_sesv2_configuration_set: {
    reason: "moto answers GetConfigurationSet (SESv2) with SendingOptions in a shape the provider cannot decode",
    computed: (args, { region, accountId }) => ({
      arn: `arn:aws:ses:${region}:${accountId}:configuration-set/${text(args, "configuration_set_name")}`,
    }),
  },
  aws_sesv2_configuration_set_event_destination: {
    reason: "moto does not implement CreateConfigurationSetEventDestination of SESv2",
    computed: () => ({}),
  },
  aws_sesv2_email_identity_mail_from_attributes: {
    reason: "moto does not implement PutEmailIdentityMailFromAttributes of SESv2",
    computed: () => ({}),
  },
  aws_sesv2_email_identity_policy: {
    reason: "moto refuses a policy for an identity it does not hold (NotFoundException), and the identity is excluded above",
    computed: () => ({}),
  },
  aws_ses_domain_identity_verification: {
    reason: "it waits (up to 45 minutes) for the SESv2 identity, excluded above, to be verified",
    computed: (args) => ({ id: text(args, "domain") }),
  },
};
