import {
  bucketNameProblem,
  describeMeasure,
  figure,
  IAM_LIMITS,
  type Measure,
  policySize,
  securityGroupDescriptionProblem,
  stringLength,
  total,
  UNIQUE_SUFFIX_LENGTH,
} from "./quotas";
import { type Attributes, type Check, each, type Rule, type SynthesizedStack, verdict } from "./rules";

/** One inline policy of a role: where it is declared, its name and its size (or why it has none at synth). */
interface InlinePolicy {
  readonly source: string;
  readonly name: string;
  readonly size: Measure | { readonly error: string };
}

/** A role's figures against IAM's quotas. */
export interface RoleQuota {
  readonly address: string;
  /** The role's name (with `…` after a `name_prefix`), when the stack gives one. */
  readonly name?: string;
  readonly policies: readonly InlinePolicy[];
  /** Its inline policies together, when each has a size at synth. */
  readonly inline?: Measure;
  readonly trust: Measure | { readonly error: string };
}

const ROLE_REFERENCE = /^\$\{aws_iam_role\.([\w-]+)\.(name|id)\}$/;

/** The role an `aws_iam_role_policy` belongs to: by reference, or by the literal name of a role of the stack in the same account. */
function roleOf(stack: SynthesizedStack, policy: Attributes): string | undefined {
  const reference = ROLE_REFERENCE.exec(String(policy.role));
  if (reference) return `aws_iam_role.${reference[1]}`;
  return each(stack, "aws_iam_role").find(([, role]) => role.name === policy.role && role.provider === policy.provider)?.[0];
}

const policyName = (resource: Attributes): string => resource.name ?? (resource.name_prefix ? `${resource.name_prefix}…` : "(generated)");

/** Every role of the stack with its inline policies (aws_iam_role_policy resources and inline_policy blocks) and trust policy. */
export function roleQuotas(stack: SynthesizedStack): RoleQuota[] {
  const attached = each(stack, "aws_iam_role_policy").map(([address, policy]) => ({ role: roleOf(stack, policy), address, policy }));
  return each(stack, "aws_iam_role").map(([address, role]): RoleQuota => {
    const policies: InlinePolicy[] = [
      ...[role.inline_policy ?? []].flat().filter((block: Attributes) => block?.policy !== undefined).map((block: Attributes) => ({
        source: `${address} inline_policy`,
        name: String(block.name ?? block.name_prefix ?? "(generated)"),
        size: policySize(block.policy),
      })),
      ...attached.filter((p) => p.role === address).map((p) => ({ source: p.address, name: policyName(p.policy), size: policySize(p.policy.policy) })),
    ];
    const sizes = policies.map((p) => p.size);
    const known = sizes.filter((s): s is Measure => !("error" in s));
    return {
      address,
      name: role.name ?? (role.name_prefix ? `${role.name_prefix}…` : undefined),
      policies,
      inline: known.length === sizes.length ? total(known) : undefined,
      trust: policySize(role.assume_role_policy),
    };
  });
}

const INLINE_QUOTA = `IAM's quota of ${figure(IAM_LIMITS.roleInlinePolicies)} for a role's inline policies together (white space not counted)`;

function inlineCheck(role: RoleQuota): Check {
  const unknown = role.policies.find((p) => "error" in p.size);
  if (unknown && "error" in unknown.size) return verdict(role.address, false, `inline policy ${unknown.name} (${unknown.source}) ${unknown.size.error}`);
  const inline = role.inline!;
  const names = role.policies.map((p) => p.name).join(", ");
  return verdict(role.address, inline.size <= IAM_LIMITS.roleInlinePolicies, `inline policies (${names}) come to ${describeMeasure(inline)}, over ${INLINE_QUOTA}`);
}

/** A name's longest length: its interpolations at their longest, and Terraform's suffix after a prefix. */
function nameLength(resource: Attributes): Measure | undefined {
  if (typeof resource.name === "string") return stringLength(resource.name);
  if (typeof resource.name_prefix !== "string") return undefined;
  const prefix = stringLength(resource.name_prefix);
  return { ...prefix, size: prefix.size + UNIQUE_SUFFIX_LENGTH };
}

function nameProblem(what: string, resource: Attributes, limit: number): string | undefined {
  const length = nameLength(resource);
  if (length === undefined || length.size <= limit) return undefined;
  const suffix = typeof resource.name === "string" ? "" : ` (name_prefix ${JSON.stringify(resource.name_prefix)} and Terraform's ${UNIQUE_SUFFIX_LENGTH}-character suffix)`;
  return `${what} is ${describeMeasure(length)}${suffix}, over IAM's ${limit}`;
}

/** Whether a security group rule (separate or inline) refers to a group or a prefix list, whose descriptions allow fewer characters. */
function referencesGroupOrPrefixList(rule: Attributes): boolean {
  return ["referenced_security_group_id", "source_security_group_id", "prefix_list_id", "security_groups", "prefix_list_ids", "self"].some((key) => {
    const value = rule[key];
    return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null && value !== false && value !== "";
  });
}

const SEPARATE_RULE_TYPES = ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];

/** Checks of AWS's size, length and character limits, which an apply would otherwise be the first to meet. */
export const QUOTA_RULES: readonly Rule[] = [
  {
    id: "IAM_INLINE_POLICY_SIZE",
    description: `A role's inline policies together stay within ${figure(IAM_LIMITS.roleInlinePolicies)} characters (white space not counted)`,
    check: (stack) => {
      const roles = roleQuotas(stack).map(inlineCheck);
      // An inline policy on a role this stack does not declare: its own size at least must fit.
      const others = each(stack, "aws_iam_role_policy")
        .filter(([, policy]) => roleOf(stack, policy) === undefined)
        .map(([address, policy]) => {
          const size = policySize(policy.policy);
          if ("error" in size) return verdict(address, false, `policy ${size.error}`);
          return verdict(address, size.size <= IAM_LIMITS.roleInlinePolicies, `policy is ${describeMeasure(size)}, over ${INLINE_QUOTA}`);
        });
      return [...roles, ...others];
    },
  },
  {
    id: "IAM_MANAGED_POLICY_SIZE",
    description: `A managed policy stays within ${figure(IAM_LIMITS.managedPolicy)} characters (white space not counted)`,
    check: (stack) =>
      each(stack, "aws_iam_policy").map(([address, policy]) => {
        const size = policySize(policy.policy);
        if ("error" in size) return verdict(address, false, `policy ${size.error}`);
        return verdict(
          address,
          size.size <= IAM_LIMITS.managedPolicy,
          `policy is ${describeMeasure(size)}, over IAM's quota of ${figure(IAM_LIMITS.managedPolicy)} for a managed policy (white space not counted)`,
        );
      }),
  },
  {
    id: "IAM_TRUST_POLICY_SIZE",
    description: `A role's trust policy stays within ${figure(IAM_LIMITS.trustPolicy)} characters (IAM's default quota)`,
    check: (stack) =>
      roleQuotas(stack).map(({ address, trust }) => {
        if ("error" in trust) return verdict(address, false, `assume_role_policy ${trust.error}`);
        return verdict(
          address,
          trust.size <= IAM_LIMITS.trustPolicy,
          `assume_role_policy is ${describeMeasure(trust)}, over IAM's default quota of ${figure(IAM_LIMITS.trustPolicy)} for a role trust policy ` +
            `(white space not counted; Service Quotas can raise an account's to ${figure(IAM_LIMITS.trustPolicyAdjustable)}: then suppress this finding for that account's stack)`,
        );
      }),
  },
  {
    id: "IAM_NAME_LENGTH",
    description: `Role names within ${IAM_LIMITS.roleName} characters, managed and inline policy names within ${IAM_LIMITS.policyName}`,
    check: (stack) => [
      ...each(stack, "aws_iam_role").map(([address, role]) => {
        const problems = [
          nameProblem("name", role, IAM_LIMITS.roleName),
          ...[role.inline_policy ?? []].flat().map((block: Attributes) => nameProblem(`inline_policy ${JSON.stringify(block?.name)}`, block ?? {}, IAM_LIMITS.policyName)),
        ].filter((p): p is string => p !== undefined);
        return verdict(address, problems.length === 0, problems.join("; "));
      }),
      ...["aws_iam_policy", "aws_iam_role_policy"].flatMap((type) =>
        each(stack, type).map(([address, policy]) => {
          const problem = nameProblem("name", policy, IAM_LIMITS.policyName);
          return verdict(address, problem === undefined, problem ?? "");
        }),
      ),
    ],
  },
  {
    id: "S3_BUCKET_NAME",
    description: "Bucket names keep S3's naming rules: 3 to 63 lower-case letters, digits, dots and hyphens, no reserved prefix or suffix",
    check: (stack) =>
      each(stack, "aws_s3_bucket").map(([address, bucket]) => {
        const [name, fromPrefix] = typeof bucket.bucket === "string" ? [bucket.bucket, false] : [bucket.bucket_prefix, true];
        const problem = typeof name === "string" ? bucketNameProblem(name, fromPrefix) : undefined;
        return verdict(address, problem === undefined, `${fromPrefix ? "bucket_prefix" : "bucket"} ${JSON.stringify(name)} ${problem}`);
      }),
  },
  {
    id: "SG_DESCRIPTION",
    description: "Security group and rule descriptions keep EC2's limits: 255 characters of a-z A-Z 0-9, spaces and ._-:/()#,@[]+=&;{}!$*",
    check: (stack) => {
      const described = (address: string, entries: [string, unknown, boolean][]) => {
        const problems = entries
          .filter(([, description]) => typeof description === "string")
          .map(([where, description, strict]) => {
            const problem = securityGroupDescriptionProblem(description as string, strict);
            return problem && `${where} ${JSON.stringify(description)} ${problem}`;
          })
          .filter((p): p is string => Boolean(p));
        return verdict(address, problems.length === 0, problems.join("; "));
      };
      const groups = each(stack, "aws_security_group").map(([address, group]) =>
        described(address, [
          ["description", group.description, false],
          ...(["ingress", "egress"] as const).flatMap((direction) =>
            [group[direction] ?? []].flat().map((rule: Attributes, i: number): [string, unknown, boolean] => [
              `${direction}[${i}] description`,
              rule?.description,
              referencesGroupOrPrefixList(rule ?? {}),
            ]),
          ),
        ]),
      );
      const rules = SEPARATE_RULE_TYPES.flatMap((type) =>
        each(stack, type).map(([address, rule]) => described(address, [["description", rule.description, referencesGroupOrPrefixList(rule)]])),
      );
      return [...groups, ...rules];
    },
  },
];
