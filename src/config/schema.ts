import { z } from "zod";
import { cidrContains, cidrsOverlap, parseCidr } from "./cidr";
import { names } from "../naming/names";

/** The three accounts, in deployment order. */
export const ENVIRONMENTS = ["shared", "prod", "dev"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The accounts that run the application and reach the shared database through peering. */
export const APPLICATION_ENVIRONMENTS = ["prod", "dev"] as const;
export type ApplicationEnvironment = (typeof APPLICATION_ENVIRONMENTS)[number];

/** Interface endpoints an application VPC may have, by the last part of their service name. */
export const INTERFACE_ENDPOINT_SERVICES = ["secretsmanager", "logs", "geo.places", "email"] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

export const STATE_LOCKING_MODES = ["dynamodb", "s3", "both"] as const;
export type StateLocking = (typeof STATE_LOCKING_MODES)[number];

/** Tags the stacks set themselves on every resource. */
const RESERVED_TAGS = ["Environment", "ManagedBy", names.addressTag];

const accountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");

/**
 * An administrator principal: the full ARN of a role, a user or (spelled out) an account's root, in the aws
 * partition, without wildcards (which a resource policy would read as everyone matching).
 */
const ADMINISTRATOR_ARN = /^arn:aws:iam::\d{12}:(root|role\/[\w+=,.@/-]{1,512}|user\/[\w+=,.@/-]{1,512})$/;
const administratorArn = z.string().superRefine((value, ctx) => {
  const problem = /[*?]/.test(value)
    ? "must not contain a wildcard (* or ?): name each principal"
    : /^arn:aws-[a-z-]+:/.test(value)
      ? "must be in the aws partition (arn:aws:...), the platform's"
      : !ADMINISTRATOR_ARN.test(value)
        ? "must be the ARN of an IAM role, user or account root, e.g. arn:aws:iam::111111111111:role/Admin"
        : undefined;
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});

const cidr = z.string().superRefine((value, ctx) => {
  const problem = parseCidr(value).problem;
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});

/** An address range to allow in from anywhere (/1 to /32), but never the whole internet. */
const sourceCidr = z.string().superRefine((value, ctx) => {
  const problem = parseCidr(value, { minBits: 1, maxBits: 32 }).problem;
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});

const region = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "must be an AWS region name such as us-east-1");

const networkSchema = z
  .object({
    vpcCidr: cidr,
    /** Two zones; defaults to the region's "a" and "b" zones. */
    availabilityZones: z.array(z.string()).length(2, "must name exactly two zones").optional(),
    /** Public subnets, one per zone, or none (then the VPC has no internet gateway). */
    publicSubnetCidrs: z
      .array(cidr)
      .refine((list) => list.length === 0 || list.length === 2, "must list two subnets (one per zone) or none"),
    /** Private subnets, one per zone: application subnets in prod/dev, database subnets in shared. */
    privateSubnetCidrs: z.array(cidr).length(2, "must list two subnets, one per zone"),
    /** Interface endpoints (private DNS, first zone only) that Lambda needs in a VPC without NAT. */
    interfaceEndpoints: z
      .array(z.enum(INTERFACE_ENDPOINT_SERVICES))
      .refine((list) => new Set(list).size === list.length, "lists a service twice")
      .default([]),
    /** Put the interface endpoints behind the Terraform variable `enable_vpc_endpoints`. */
    switchableEndpoints: z.boolean().default(false),
  })
  .strict();

const githubOidcSchema = z
  .object({
    /** create: this stack manages the account's OIDC provider; existing: another stack (bootstrap) does. */
    provider: z.enum(["create", "existing"]).default("create"),
    /** Import what the CloudFormation bootstrap created (provider when created here, role, inline policies). */
    adoptBootstrap: z.boolean().default(false),
  })
  .strict();

const accountSchema = z
  .object({
    accountId,
    network: networkSchema,
    githubOidc: githubOidcSchema.default({}),
    /** Monthly cost budget of the account in USD; alerts at 80% and 100% actual and 100% forecast. */
    monthlyBudgetUsd: z.number().positive("must be a positive amount of USD").default(30),
  })
  .strict();

/** The database's master user name. */
export const masterUsernameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,15}$/, "must be 1-16 lower-case letters, digits or underscores, starting with a letter")
  .refine((name) => !["postgres", "rdsadmin", "admin"].includes(name), "is reserved");

/** The shared PostgreSQL (with PostGIS) that prod and dev use through the peering. */
const databaseSchema = z
  .object({
    /** PostgreSQL major version; AWS applies minor versions. */
    engineVersion: z.string().regex(/^1[3-9]$/, "must be a PostgreSQL major version from 13 to 19, such as \"16\"").default("16"),
    instanceClass: z.string().regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.t4g.micro").default("db.t4g.micro"),
    allocatedStorageGb: z.number().int().min(20, "must be at least 20 (the gp3 minimum)").max(65536).default(20),
    /** Upper limit for storage autoscaling. */
    maxAllocatedStorageGb: z.number().int().max(65536).default(100),
    backupRetentionDays: z.number().int().min(1, "must be 1 to 35 days").max(35, "must be 1 to 35 days").default(14),
    /** Deletion protection and a final snapshot; turn off only to delete the database on purpose. */
    deletionProtection: z.boolean().default(true),
    multiAz: z.boolean().default(false),
    performanceInsights: z.boolean().default(false),
    /** Master user; its password is generated and kept by RDS in Secrets Manager. */
    masterUsername: masterUsernameSchema.default("dbadmin"),
  })
  .strict()
  .refine((db) => db.maxAllocatedStorageGb >= db.allocatedStorageGb, {
    message: "must be at least allocatedStorageGb",
    path: ["maxAllocatedStorageGb"],
  });

/** The shared account's bastion, the way to the database for people (SSM Session Manager, or SSH). */
const bastionSchema = z
  .object({
    enabled: z.boolean().default(true),
    instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as t4g.nano").default("t4g.nano"),
    /** Sources allowed to SSH in; none by default (Session Manager needs no inbound rule). */
    sshCidrs: z
      .array(sourceCidr.refine((value) => !value.endsWith("/0"), "would open SSH to the whole internet"))
      .default([]),
    /** OpenSSH public key for a key pair; none by default. */
    publicKey: z
      .string()
      .regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/, "must be an OpenSSH public key")
      .optional(),
  })
  .strict();

/** Route53 record types an application's zone may carry besides the records the stack writes itself. */
export const DNS_RECORD_TYPES = ["A", "AAAA", "CAA", "CNAME", "MX", "NS", "SRV", "TXT"] as const;

const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

/**
 * One record set of the domain's zone that the stack does not write itself (the site's apex and www, mail
 * exchangers, verification TXT records): plain values with a TTL, or an alias to an AWS target.
 */
const dnsRecordSchema = z
  .object({
    /** Name relative to the domain: `@` for the apex, `www`, `_dmarc`, `*.dev`. */
    name: z
      .string()
      .regex(
        /^(@|\*|(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*)$/,
        "must be @ (the apex) or a name under the domain in lower case, such as www or _dmarc",
      ),
    type: z.enum(DNS_RECORD_TYPES),
    /** Seconds resolvers may cache the values; not for an alias. Default 300. */
    ttl: z.number().int().min(0).max(2147483647).optional(),
    /** The record's values, as Route53 writes them (`10 mail.example.org` for MX, the text of a TXT). */
    values: z.array(z.string().min(1, "must not be empty")).min(1, "must list at least one value").optional(),
    /** An alias to an AWS target (CloudFront, API Gateway, a load balancer), instead of values. */
    alias: z
      .object({
        name: z.string().min(1),
        zoneId: z.string().regex(HOSTED_ZONE_ID, "must be the target's Route53 hosted zone id, such as Z2FDTNDATAQYW2"),
        evaluateTargetHealth: z.boolean().default(false),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((record, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    if (!record.values === !record.alias) issue("values", "give either values or an alias, not both and not neither");
    if (record.alias && !["A", "AAAA"].includes(record.type)) issue("alias", "is for A and AAAA records only");
    if (record.alias && record.ttl !== undefined) issue("ttl", "does not apply to an alias: the target's TTL is used");
    if (record.type === "CNAME" && record.name === "@") issue("name", "a CNAME cannot be at the apex");
    if (record.type === "CNAME" && (record.values?.length ?? 0) > 1) issue("values", "a CNAME has one value");
  });

/** A record of an application's zone, as configured. */
export type DnsRecordConfig = z.output<typeof dnsRecordSchema>;

/** What one application account (prod or dev) runs around the Lambda functions that Zappa deploys. */
const applicationSchema = z
  .object({
    /** The site's domain: a hosted zone, an apex + wildcard certificate, the API's custom domain and SES. */
    domain: z
      .string()
      .regex(/^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case domain name such as example.org")
      .optional(),
    /** The hosted zone Route53 created when the domain was registered in this account, to adopt instead of a new one. */
    hostedZoneId: z.string().regex(HOSTED_ZONE_ID, "must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ").optional(),
    /** Serve the static assets bucket through CloudFront (HTTPS only, Origin Access Control). */
    cdn: z.boolean().default(false),
    /** Send mail from the domain with SES (needs domain). */
    email: z.boolean().default(false),
    /** Regional WAF web ACL in front of the API. */
    waf: z.boolean().default(false),
    /** Where DMARC aggregate reports go; default dmarc@{domain}. */
    dmarcReportEmail: z.string().email("must be an email address").optional(),
    /** Web origins allowed to fetch the static assets (CORS). */
    corsOrigins: z.array(z.string().regex(/^https:\/\/[a-z0-9.-]+(:\d+)?$/, "must be an https:// origin without a path")).default([]),
    /** Keep old versions of static assets (for rollbacks). */
    versionedAssets: z.boolean().default(false),
    /** Container images the ECR repository keeps; older ones expire. */
    ecrKeepImages: z.number().int().min(1).max(1000).default(10),
    /** Requests per IP per 5 minutes before the WAF blocks it. */
    wafRateLimit: z.number().int().min(100).max(2_000_000_000).default(2000),
    /** More record sets of the domain's zone (needs domain), besides those the stack writes itself. */
    dnsRecords: z.array(dnsRecordSchema).default([]),
  })
  .strict()
  .superRefine((app, ctx) => {
    checkDnsRecords(app, ctx);
    if (app.email && !app.domain) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["email"], message: "needs a domain to send from" });
    if (app.waf && !app.domain) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["waf"], message: "needs a domain (the WAF guards the API's custom domain stage)" });
    if (app.hostedZoneId && !app.domain) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["hostedZoneId"], message: "needs the domain it serves" });
  });

/** Names of record sets the stack writes itself when the feature is on, relative to the domain, by type. */
export function recordsWrittenByStack(app: { email: boolean }): { name: string; type: string; what: string }[] {
  return [
    { name: "api", type: "A", what: "the API's custom domain" },
    { name: "api", type: "AAAA", what: "the API's custom domain" },
    { name: "@", type: "NS", what: "the zone's own name servers" },
    ...(app.email
      ? [
          { name: "_dmarc", type: "TXT", what: "DMARC, with email" },
          { name: "mail", type: "MX", what: "the MAIL FROM domain, with email" },
          { name: "mail", type: "TXT", what: "the MAIL FROM domain's SPF, with email" },
        ]
      : []),
  ];
}

/** Rules over an application's extra DNS records: a zone to hold them, one record set per name and type, no clash with the stack's own. */
function checkDnsRecords(app: { domain?: string; email: boolean; dnsRecords: DnsRecordConfig[] }, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["dnsRecords", ...path], message });
  if (app.dnsRecords.length > 0 && !app.domain) issue([], "needs the domain whose zone holds them");
  const written = recordsWrittenByStack(app);
  const seen = new Map<string, number>();
  app.dnsRecords.forEach((record, i) => {
    const key = `${record.name} ${record.type}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) issue([i], `repeats dnsRecords.${earlier} (${record.type} ${record.name}): one record set holds every value of a name and type`);
    else seen.set(key, i);
    const clash = written.find((own) => own.name === record.name && own.type === record.type);
    if (clash) issue([i], `${record.type} ${record.name} is written by the stack itself (${clash.what})`);
    const cname = app.dnsRecords.findIndex((other, j) => j !== i && other.name === record.name && (other.type === "CNAME") !== (record.type === "CNAME"));
    if (record.type === "CNAME" && cname !== -1) issue([i], `a CNAME cannot share its name with other records (dnsRecords.${cname})`);
    if (app.email && record.name === "@" && record.type === "TXT" && record.values?.some((value) => value.startsWith("v=spf1"))) {
      issue([i], "holds an SPF value, but the stack writes the apex SPF itself with email: list only the other TXT values");
    }
  });
}

const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const monitoringSchema = z
  .object({
    /** Address subscribed to the alert topic (alarms, budgets, cost anomalies); none by default. */
    alertEmail: z.string().email("must be an email address").optional(),
    /** Retention of the platform's log groups, in one of the values CloudWatch Logs accepts. */
    logRetentionDays: z
      .number()
      .refine((days) => LOG_RETENTION_DAYS.includes(days), `must be one of ${LOG_RETENTION_DAYS.join(", ")}`)
      .default(30),
    /** Alarm when the database has more connections than this. */
    maxDatabaseConnections: z.number().int().positive().default(80),
  })
  .strict();

/**
 * Local mode: the stacks deployed by `npm run local:up` onto an AWS API emulator on this machine instead of AWS
 * (src/local). Absent in a real deployment.
 */
const localSchema = z
  .object({
    /** The emulator's URL (`http://127.0.0.1:PORT`), which `npm run local:up` sets; every provider and state backend then talks to it. */
    endpoint: z
      .string()
      .url("must be the emulator's URL, such as http://127.0.0.1:5000")
      .refine((url) => /^https?:\/\/[^/?#]+\/?$/.test(url), "must be an http:// or https:// URL without a path, such as http://127.0.0.1:5000")
      .optional(),
    /** Leave out the resource types the emulator cannot handle (listed with their reasons in src/local/unsupported.ts). */
    excludeUnsupported: z.boolean().default(true),
  })
  .strict();

/** A root-module resource address of this project's stacks, optionally with an instance key: `aws_s3_bucket.static_assets_bucket[0]`. */
const ROOT_ADDRESS = /^[a-z][a-z0-9_]*\.[a-z_][a-z0-9_-]*(\[(\d+|"[^"]+")\])?$/;
/** Any resource instance address, module path included: `module.database.aws_db_instance.postgres`, `module.a.aws_x.y["k"]`. */
const ANY_ADDRESS = /^(module\.[a-z_][a-z0-9_-]*(\[(\d+|"[^"]+")\])?\.)*[a-z][a-z0-9_]*\.[a-z_][a-z0-9_-]*(\[(\d+|"[^"]+")\])?$/;
/** A resource address without instance key, which is what a `removed` block takes. */
const RESOURCE_ADDRESS = /^(module\.[a-z_][a-z0-9_-]*\.)*[a-z][a-z0-9_]*\.[a-z_][a-z0-9_-]*$/;

const rootAddress = z.string().regex(ROOT_ADDRESS, "must be a resource address of this stack, such as aws_db_instance.database_instance");
const anyAddress = z.string().regex(ANY_ADDRESS, "must be a resource instance address, such as module.database.aws_db_instance.postgres");
const s3BucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name");
const kmsAliasName = z.string().regex(/^(?!alias\/)(?!aws\/)[a-zA-Z0-9/_-]{1,250}$/, "must be a KMS alias without the alias/ part, such as coalition-rds");
const logGroupName = z.string().regex(/^[\w#/.-]{1,512}$/, "must be a CloudWatch Logs group name");

/**
 * Physical names an earlier deployment gave resources this stack takes over, kept so that nothing that holds
 * data is renamed (which would replace it). Written by `npm run migrate:hcl`; each replaces the name the stack
 * would otherwise derive from the prefix.
 */
const sharedKeptNamesSchema = z
  .object({
    /** The RDS instance's identifier. */
    databaseIdentifier: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "must be an RDS identifier: lower-case letters, digits and hyphens, starting with a letter"),
    /** The database's subnet group. */
    databaseSubnetGroup: z.string().regex(/^[a-z0-9 ._-]{1,255}$/, "must be an RDS subnet group name"),
    /** Alias of the database's KMS key. */
    databaseKeyAlias: kmsAliasName,
    /** The VPC flow logs' log group. */
    flowLogGroup: logGroupName,
  })
  .partial()
  .strict();

const applicationKeptNamesSchema = z
  .object({
    /** The static assets bucket. */
    assetsBucket: s3BucketName,
    /** The bucket Zappa uploads its packages to. */
    deploymentBucket: s3BucketName,
    /** The ECR repository of the Lambda image. */
    imageRepository: z.string().regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, "must be an ECR repository name"),
    /** Alias of the application secrets' KMS key. */
    secretsKeyAlias: kmsAliasName,
    /** The secret holding Django's SECRET_KEY. */
    djangoSecretKey: z.string().regex(/^[\w/+=.@-]{1,512}$/, "must be a Secrets Manager secret name"),
    /** The VPC flow logs' log group. */
    flowLogGroup: logGroupName,
  })
  .partial()
  .strict();

/**
 * How one stack takes over the state of an earlier deployment (written by `npm run migrate:hcl`): Terraform
 * `moved` blocks to this stack's addresses, `removed` blocks (`destroy = false`) for what it no longer manages,
 * `import` blocks where the state cannot be moved, and the physical names it keeps.
 */
function migrationSchema<Names extends z.ZodTypeAny>(namesSchema: Names) {
  return z
    .object({
      moved: z.array(z.object({ from: anyAddress, to: rootAddress }).strict()).default([]),
      removed: z
        .array(
          z
            .string()
            .refine((address) => !/\]$/.test(address), "must not end in an instance key: a removed block forgets every instance of a resource")
            .refine((address) => /\]$/.test(address) || RESOURCE_ADDRESS.test(address), "must be a resource address, such as module.database.aws_secretsmanager_secret.db_master"),
        )
        .default([]),
      imports: z.array(z.object({ to: rootAddress, id: z.string().min(1, "must not be empty") }).strict()).default([]),
      names: namesSchema.default({}),
    })
    .strict()
    .superRefine((migration, ctx) => {
      const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
      const firstIndex = (list: string[]) => list.map((value, i) => [value, list.indexOf(value), i] as const).filter(([, first, i]) => first !== i);
      for (const [value, first, i] of firstIndex(migration.moved.map((move) => move.from))) issue(["moved", i, "from"], `${value} is moved twice (also moved.${first})`);
      for (const [value, first, i] of firstIndex(migration.moved.map((move) => move.to))) issue(["moved", i, "to"], `${value} receives two moves (also moved.${first})`);
      for (const [value, first, i] of firstIndex(migration.imports.map((entry) => entry.to))) issue(["imports", i, "to"], `${value} is imported twice (also imports.${first})`);
      migration.imports.forEach((entry, i) => {
        const moved = migration.moved.findIndex((move) => move.to === entry.to);
        if (moved !== -1) issue(["imports", i, "to"], `${entry.to} already receives moved.${moved}`);
      });
    });
}

const migrationsSchema = z
  .object({
    shared: migrationSchema(sharedKeptNamesSchema).optional(),
    prod: migrationSchema(applicationKeptNamesSchema).optional(),
    dev: migrationSchema(applicationKeptNamesSchema).optional(),
  })
  .strict();

const fieldsSchema = z
  .object({
    /** Name part of every resource the stacks create; lower case so it is valid in S3 and IAM names. */
    prefix: z
      .string()
      .regex(
        /^[a-z](?!.*--)[a-z0-9-]{0,18}[a-z0-9]$/,
        "must be 2-20 characters of lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it is part of S3 bucket and IAM names)",
      ),
    region,
    github: z
      .object({
        repo: z
          .string()
          .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, "must be owner/name, e.g. your-org/coalition-builder"),
      })
      .strict(),
    state: z.object({ locking: z.enum(STATE_LOCKING_MODES) }).strict(),
    /**
     * People's way in: IAM principals (e.g. an SSO administrator role) that may assume the shared account's
     * vpc-peering-accepter and read shared/terraform.tfstate, so they can plan, apply and import prod and dev by hand.
     */
    administrators: z.array(administratorArn).default([]),
    /** Tags on every resource, besides Environment and ManagedBy which the stacks set. */
    tags: z
      .record(z.string().min(1).max(128), z.string().max(256))
      .superRefine((tags, ctx) => {
        for (const key of Object.keys(tags).filter((k) => RESERVED_TAGS.includes(k))) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: "is set by the stacks and cannot be configured" });
        }
      }),
    accounts: z
      .object({ shared: accountSchema, prod: accountSchema, dev: accountSchema })
      .strict(),
    database: databaseSchema.default({}),
    bastion: bastionSchema.default({}),
    monitoring: monitoringSchema.default({}),
    applications: z.object({ prod: applicationSchema.default({}), dev: applicationSchema.default({}) }).strict().default({}),
    local: localSchema.optional(),
    /** Taking over an earlier deployment's state, per stack (`npm run migrate:hcl` writes it). */
    migration: migrationsSchema.optional(),
  })
  .strict();

/** The whole configuration: each field's own rules, then the rules that relate fields. */
export const configSchema = fieldsSchema.superRefine(checkAcrossFields);

export type RawConfig = z.input<typeof configSchema>;
type ParsedConfig = z.output<typeof fieldsSchema>;

/** An account's network once defaults are filled in. */
export type NetworkConfig = ParsedConfig["accounts"]["shared"]["network"] & { availabilityZones: string[] };

export interface AccountConfig extends Omit<ParsedConfig["accounts"]["shared"], "network"> {
  network: NetworkConfig;
}
export type ApplicationConfig = ParsedConfig["applications"]["prod"];
/** How one stack takes over an earlier deployment's state. */
export type SharedMigration = NonNullable<NonNullable<ParsedConfig["migration"]>["shared"]>;
export type ApplicationMigration = NonNullable<NonNullable<ParsedConfig["migration"]>["prod"]>;
export type StackMigration = SharedMigration | ApplicationMigration;

/** The validated configuration the stacks are built from. */
export interface PlatformConfig extends Omit<ParsedConfig, "accounts"> {
  accounts: Record<Environment, AccountConfig>;
}

/** Rules that relate several fields. Fields that are themselves invalid are skipped here: their own rule reports them. */
function checkAcrossFields(config: ParsedConfig, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });

  const seenIds = new Map<string, Environment>();
  for (const env of ENVIRONMENTS) {
    const id = config.accounts[env].accountId;
    const other = seenIds.get(id);
    if (other) issue(["accounts", env, "accountId"], `is the same as accounts.${other}.accountId; each environment needs its own account`);
    else seenIds.set(id, env);
  }

  const vpcs = ENVIRONMENTS.map((env) => ({ env, cidr: config.accounts[env].network.vpcCidr })).filter(
    (vpc) => !parseCidr(vpc.cidr).problem,
  );
  vpcs.forEach((vpc, i) => {
    for (const earlier of vpcs.slice(0, i)) {
      if (cidrsOverlap(vpc.cidr, earlier.cidr)) {
        issue(["accounts", vpc.env, "network", "vpcCidr"], `${vpc.cidr} overlaps accounts.${earlier.env}.network.vpcCidr (${earlier.cidr}); peered VPCs need distinct ranges`);
      }
    }
  });

  for (const env of ENVIRONMENTS) {
    const network = config.accounts[env].network;
    const base = ["accounts", env, "network"];
    const subnets = [
      ...network.publicSubnetCidrs.map((value, i) => ({ path: [...base, "publicSubnetCidrs", i], value })),
      ...network.privateSubnetCidrs.map((value, i) => ({ path: [...base, "privateSubnetCidrs", i], value })),
    ].filter((subnet) => !parseCidr(subnet.value).problem);
    const vpcValid = !parseCidr(network.vpcCidr).problem;
    subnets.forEach((subnet, i) => {
      if (vpcValid && !cidrContains(network.vpcCidr, subnet.value)) {
        issue(subnet.path, `${subnet.value} is outside the VPC range ${network.vpcCidr}`);
      }
      for (const earlier of subnets.slice(0, i)) {
        if (cidrsOverlap(subnet.value, earlier.value)) {
          issue(subnet.path, `${subnet.value} overlaps ${earlier.path.join(".")} (${earlier.value})`);
        }
      }
    });
    network.availabilityZones?.forEach((zone, i) => {
      if (region.safeParse(config.region).success && !new RegExp(`^${config.region}[a-z]$`).test(zone)) {
        issue([...base, "availabilityZones", i], `${zone} is not a zone of region ${config.region}`);
      }
    });
    if (network.availabilityZones && network.availabilityZones[0] === network.availabilityZones[1]) {
      issue([...base, "availabilityZones"], "must name two different zones");
    }
  }

  if (config.bastion.enabled && config.accounts.shared.network.publicSubnetCidrs.length === 0) {
    issue(["bastion", "enabled"], "the bastion needs a public subnet: set accounts.shared.network.publicSubnetCidrs, or bastion.enabled: false");
  }
  if (config.bastion.sshCidrs.length > 0 && !config.bastion.publicKey) {
    issue(["bastion", "publicKey"], "is required when bastion.sshCidrs lets SSH in: there is no other way to log in over SSH");
  }
}
