import { names } from "../naming/names";
import { WILDCARD_ONLY_ACTIONS } from "../policies";

/** Attributes of a synthesized resource: Terraform's JSON, which the rules read defensively. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Attributes = Record<string, any>;

/** A synthesized stack as Terraform reads it (the parts the rules look at). */
export interface SynthesizedStack {
  resource?: Record<string, Record<string, Attributes>>;
  provider?: { aws?: Attributes[] };
}

/** One rule's verdict on one resource. */
export interface Check {
  readonly address: string;
  readonly ok: boolean;
  /** Why it failed, for a person to fix. */
  readonly message?: string;
}

export interface Rule {
  /** Stable id, used in suppressions. */
  readonly id: string;
  readonly description: string;
  readonly check: (stack: SynthesizedStack, environment: string) => Check[];
}

type Resource = Attributes;

/** Every resource of `type` in the stack, with its address. */
export function each(stack: SynthesizedStack, type: string): [string, Resource][] {
  return Object.entries(stack.resource?.[type] ?? {}).map(([name, resource]) => [`${type}.${name}`, resource]);
}

/** The resources of `type` whose `attribute` refers to the given resource (`${type.name.…}`). */
function referring(stack: SynthesizedStack, type: string, attribute: string, target: string): Resource[] {
  return each(stack, type)
    .filter(([, resource]) => typeof resource[attribute] === "string" && resource[attribute].includes(`\${${target}.`))
    .map(([, resource]) => resource);
}

export const verdict = (address: string, ok: boolean, message: string): Check => (ok ? { address, ok } : { address, ok, message });

/** The provider block a resource's `provider` attribute (`aws`, `aws.shared`, or none: the default) names. */
function providerOf(stack: SynthesizedStack, provider: unknown): Attributes | undefined {
  const alias = typeof provider === "string" ? provider.split(".")[1] : undefined;
  return (stack.provider?.aws ?? []).find((block) => block.alias === alias);
}

/**
 * The permissions boundary of the account a resource with this `provider` lives in: the stack's boundary policy,
 * when it is created with the same provider, as a reference and as the ARN its provider's account gives it.
 */
function accountBoundary(stack: SynthesizedStack, provider: unknown): { reference: string; arn?: string } | undefined {
  const [type, name] = names.permissionsBoundaryAddress.split(".");
  const policy = stack.resource?.[type]?.[name];
  if (policy === undefined || providerOf(stack, policy.provider) !== providerOf(stack, provider)) return undefined;
  const account = providerOf(stack, provider)?.allowed_account_ids?.[0];
  const arn = account === undefined ? undefined : `arn:aws:iam::${account}:policy/${policy.name}`;
  return { reference: `\${${names.permissionsBoundaryAddress}.arn}`, arn };
}

/** Every bucket gets a companion resource of `type` referring to it that satisfies `good`. */
function bucketRule(id: string, description: string, type: string, good: (companion: Resource) => boolean, message: string): Rule {
  return {
    id,
    description,
    check: (stack) =>
      each(stack, "aws_s3_bucket").map(([address]) =>
        verdict(address, referring(stack, type, "bucket", address).some(good), message),
      ),
  };
}

function statements(document: unknown): Attributes[] {
  try {
    const parsed = typeof document === "string" ? JSON.parse(document) : document;
    return [parsed?.Statement ?? []].flat();
  } catch {
    return [];
  }
}

/** Read-only by name: these verbs never change anything. */
const READ_VERBS = /^(Get|List|Describe|View|Search|Head|Check|Simulate|BatchGet|Lookup|Query|Scan|Select)/;
/** Services without account ids in their ARNs, where `*` is the only way to scope (the design's "truly global" list). */
const GLOBAL_SERVICES = ["s3", "route53", "apigateway", "ce"];
const CLOUD_CONTROL = /^cloudformation:(Create|Get|Update|Delete|List)Resource(s|RequestStatus)?$/;

function mayUseWildcardResource(action: string): boolean {
  const [service, name = ""] = action.split(":");
  return (
    READ_VERBS.test(name) ||
    GLOBAL_SERVICES.includes(service) ||
    CLOUD_CONTROL.test(action) ||
    WILDCARD_ONLY_ACTIONS.includes(action)
  );
}

const IDENTITY_POLICY_TYPES = ["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy"];

function identityPolicies(stack: SynthesizedStack): [string, Attributes[]][] {
  return IDENTITY_POLICY_TYPES.flatMap((type) => each(stack, type).map(([address, r]): [string, Attributes[]] => [address, statements(r.policy)]));
}

const worldCidrs = (values: unknown): boolean => [values].flat().some((v) => v === "0.0.0.0/0" || v === "::/0");

export const RULES: readonly Rule[] = [
  bucketRule(
    "S3_PUBLIC_ACCESS_BLOCK",
    "S3 buckets block all four kinds of public access",
    "aws_s3_bucket_public_access_block",
    (b) => b.block_public_acls === true && b.block_public_policy === true && b.ignore_public_acls === true && b.restrict_public_buckets === true,
    "needs an aws_s3_bucket_public_access_block with all four settings true",
  ),
  bucketRule(
    "S3_ENCRYPTION",
    "S3 buckets encrypt at rest by default",
    "aws_s3_bucket_server_side_encryption_configuration",
    (c) => [c.rule].flat().some((r) => r?.apply_server_side_encryption_by_default?.sse_algorithm),
    "needs an aws_s3_bucket_server_side_encryption_configuration",
  ),
  bucketRule(
    "S3_TLS_ONLY",
    "S3 bucket policies refuse requests without TLS",
    "aws_s3_bucket_policy",
    (p) => statements(p.policy).some((s) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false"),
    "needs a bucket policy denying requests where aws:SecureTransport is false",
  ),
  {
    id: "RDS_ENCRYPTED",
    description: "RDS instances encrypt their storage",
    check: (stack) => each(stack, "aws_db_instance").map(([a, db]) => verdict(a, db.storage_encrypted === true, "storage_encrypted must be true")),
  },
  {
    id: "RDS_PRIVATE",
    description: "RDS instances are not publicly accessible",
    check: (stack) => each(stack, "aws_db_instance").map(([a, db]) => verdict(a, db.publicly_accessible === false, "publicly_accessible must be false")),
  },
  {
    id: "RDS_DELETION_PROTECTION",
    description: "The shared database has deletion protection",
    check: (stack, environment) =>
      environment === "shared"
        ? each(stack, "aws_db_instance").map(([a, db]) => verdict(a, db.deletion_protection === true, "deletion_protection must be true in shared"))
        : [],
  },
  {
    id: "SG_NO_WORLD_INGRESS",
    description: "No ingress from 0.0.0.0/0 or ::/0, except 80/443 on groups tagged InternetFacing=true",
    check: (stack) => {
      const groups = Object.fromEntries(each(stack, "aws_security_group"));
      const internetFacing = (address: string) => groups[address]?.tags?.InternetFacing === "true";
      const webPorts = (from: unknown, to: unknown) => from === to && (from === 80 || from === 443);
      const inline = each(stack, "aws_security_group").map(([a, group]) => {
        const open = [group.ingress ?? []].flat().filter((rule: Resource) => worldCidrs([...(rule.cidr_blocks ?? []), ...(rule.ipv6_cidr_blocks ?? [])]));
        const ok = open.every((rule: Resource) => internetFacing(a) && webPorts(rule.from_port, rule.to_port));
        return verdict(a, ok, "ingress open to the whole internet");
      });
      const separate = each(stack, "aws_vpc_security_group_ingress_rule").map(([a, rule]) => {
        const group = /\$\{(aws_security_group\.[a-z0-9_]+)\./.exec(String(rule.security_group_id))?.[1] ?? "";
        const ok = !worldCidrs([rule.cidr_ipv4, rule.cidr_ipv6]) || (internetFacing(group) && webPorts(rule.from_port, rule.to_port));
        return verdict(a, ok, "ingress open to the whole internet");
      });
      return [...inline, ...separate];
    },
  },
  {
    id: "KMS_ROTATION",
    description: "Customer-managed KMS keys rotate",
    check: (stack) => each(stack, "aws_kms_key").map(([a, key]) => verdict(a, key.enable_key_rotation === true, "enable_key_rotation must be true")),
  },
  {
    id: "CLOUDFRONT_HTTPS_OAC",
    description: "CloudFront serves HTTPS only and reads S3 through Origin Access Control",
    check: (stack) =>
      each(stack, "aws_cloudfront_distribution").map(([a, d]) => {
        const behaviors = [d.default_cache_behavior, ...[d.ordered_cache_behavior ?? []].flat()].filter(Boolean);
        const https = behaviors.every((b: Resource) => ["https-only", "redirect-to-https"].includes(b.viewer_protocol_policy));
        const origins = [d.origin ?? []].flat();
        const oac = origins.every((o: Resource) => Boolean(o.origin_access_control_id) && !o.s3_origin_config);
        return verdict(a, https && oac, !https ? "a cache behavior allows plain HTTP" : "an origin does not use Origin Access Control");
      }),
  },
  {
    id: "IAM_NO_WILDCARD_ACTION",
    description: 'Identity policies never allow "Action": "*"',
    check: (stack) =>
      identityPolicies(stack).map(([a, list]) =>
        verdict(
          a,
          !list.some((s) => s.Effect === "Allow" && [s.Action].flat().some((action: string) => action === "*" || action === "*:*")),
          'allows "Action": "*"',
        ),
      ),
  },
  {
    id: "IAM_NO_WILDCARD_RESOURCE_MUTATION",
    description: 'Identity policies allow changes at "Resource": "*" only for global services and actions AWS cannot scope',
    check: (stack) =>
      identityPolicies(stack).map(([a, list]) => {
        const offending = list
          .filter((s) => s.Effect === "Allow" && [s.Resource].flat().includes("*"))
          .flatMap((s) => [s.Action].flat().filter((action: string) => !mayUseWildcardResource(action)));
        return verdict(a, offending.length === 0, `allows changes at "Resource": "*": ${offending.join(", ")}`);
      }),
  },
  {
    id: "LOG_RETENTION",
    description: "Log groups expire their events",
    check: (stack) =>
      each(stack, "aws_cloudwatch_log_group").map(([a, group]) => verdict(a, Number(group.retention_in_days) > 0, "retention_in_days must be set")),
  },
  {
    id: "IAM_ROLE_BOUNDARY",
    description: "Every role the stacks create carries its account's permissions boundary (the deploy and plan roles are an administrator's)",
    check: (stack) =>
      each(stack, "aws_iam_role")
        .filter(([a]) => a !== names.githubActionsRoleAddress && a !== names.githubActionsPlanRoleAddress)
        .map(([a, role]) => {
          const own = accountBoundary(stack, role.provider);
          return verdict(
            a,
            own !== undefined && [own.reference, own.arn].filter((arn) => arn !== undefined).includes(role.permissions_boundary),
            own === undefined
              ? `has no permissions boundary of its account in this stack (${names.permissionsBoundaryAddress}, with the same provider)`
              : `needs permissions_boundary set to its account's boundary, ${own.reference} (${own.arn})`,
          );
        }),
  },
];
