/**
 * AWS limits a real apply hits and an emulator does not enforce, and how the guardrails measure against them.
 * Each figure is AWS's, from the page named beside it; docs/guardrails.md lists them with their sources.
 */

/** IAM User Guide, "IAM and AWS STS quotas": character quotas. IAM does not count white space in a policy's size. */
export const IAM_LIMITS = {
  /** All of one role's inline policies together. */
  roleInlinePolicies: 10_240,
  /** One customer managed policy. */
  managedPolicy: 6_144,
  /** "Role trust policy length": the default quota, adjustable through Service Quotas... */
  trustPolicy: 2_048,
  /** ...up to this. */
  trustPolicyAdjustable: 4_096,
  roleName: 64,
  /** Managed and inline policies alike (the API's PolicyName: 1 to 128). */
  policyName: 128,
} as const;

/** EC2 API Reference, CreateSecurityGroup `GroupDescription`, and IpRange, Ipv6Range, UserIdGroupPair, PrefixListId `Description`. */
export const SECURITY_GROUP_DESCRIPTION = {
  maxLength: 255,
  /** A group's description, and a rule's that references CIDR ranges only (IpRange, Ipv6Range). */
  characters: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/,
  /** A rule's that references a security group or a prefix list (UserIdGroupPair, PrefixListId): no `&`. */
  referenceCharacters: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]*$/,
} as const;

/** S3 User Guide, "General purpose bucket naming rules". */
export const S3_BUCKET_NAME = {
  minLength: 3,
  maxLength: 63,
  characters: /^[a-z0-9.-]*$/,
  reservedPrefixes: ["xn--", "sthree-", "amzn-s3-demo-"],
  reservedSuffixes: ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"],
} as const;

/**
 * What Terraform appends to a `name_prefix` or `bucket_prefix` (terraform-plugin-sdk's `id.UniqueIDSuffixLength`,
 * which the AWS provider subtracts from each name's limit to validate a prefix).
 */
export const UNIQUE_SUFFIX_LENGTH = 26;

/**
 * The length an interpolation whose value is unknown at synth counts as: longer than any ARN or name the
 * platform's resources can have (the longest, a secret's ARN with a 20-character prefix in a 15-character
 * region, stays under 130), so a figure with interpolations is an upper bound. Where the value's length is
 * known, it counts as that instead (KNOWN_LENGTHS).
 */
export const INTERPOLATION_LENGTH = 256;

/** Interpolations whose values have a known longest length. */
const KNOWN_LENGTHS: readonly (readonly [RegExp, number])[] = [
  [/^data\.aws_caller_identity\.[\w-]+\.account_id$/, 12],
  // The longest region code, us-isof-south-1.
  [/^data\.aws_region\.[\w-]+\.(name|id|region)$/, 15],
  // aws-us-gov.
  [/^data\.aws_partition\.[\w-]+\.partition$/, 10],
];

/** A Terraform string as literal text and the expressions of its `${…}` interpolations (`$${` is a literal `${`). */
export interface TemplateString {
  readonly literal: string;
  readonly interpolations: readonly string[];
}

export function parseTemplate(value: string): TemplateString {
  let literal = "";
  const interpolations: string[] = [];
  let i = 0;
  while (i < value.length) {
    if (value.startsWith("$${", i) || value.startsWith("%%{", i)) {
      literal += value.slice(i + 1, i + 3);
      i += 3;
    } else if (value.startsWith("${", i) || value.startsWith("%{", i)) {
      const end = closingBrace(value, i + 2);
      interpolations.push(value.slice(i + 2, end).trim());
      i = end + 1;
    } else {
      literal += value[i++];
    }
  }
  return { literal, interpolations };
}

/** Index of the `}` closing an interpolation whose expression starts at `start` (nested braces and quoted strings skipped). */
function closingBrace(value: string, start: number): number {
  let depth = 0;
  for (let i = start; i < value.length; i++) {
    const c = value[i];
    if (c === '"') {
      for (i++; i < value.length && value[i] !== '"'; i++) if (value[i] === "\\") i++;
    } else if (c === "{") depth++;
    else if (c === "}" && depth-- === 0) return i;
  }
  throw new Error(`unterminated interpolation in ${JSON.stringify(value)}`);
}

/** The longest length an interpolation's value can have: known for a few, INTERPOLATION_LENGTH for the rest. */
export function interpolationLength(expression: string): number {
  return KNOWN_LENGTHS.find(([pattern]) => pattern.test(expression))?.[1] ?? INTERPOLATION_LENGTH;
}

/** A length at synth: exact, or an upper bound when the value holds interpolations. */
export interface Measure {
  readonly size: number;
  /** Interpolations counted at their longest: `size` is an upper bound. */
  readonly interpolations: number;
}

/** The longest a string can be once Terraform resolves it. */
export function stringLength(value: string): Measure {
  const { literal, interpolations } = parseTemplate(value);
  return { size: literal.length + interpolations.reduce((sum, e) => sum + interpolationLength(e), 0), interpolations: interpolations.length };
}

/**
 * A policy document's size as IAM counts it: without white space. A string is Terraform's: interpolations count
 * at their longest (`interpolationLength`), and must sit inside the document's JSON strings (an ARN, a name); a
 * document that is not JSON without them (`${data.aws_iam_policy_document.x.json}`, `${jsonencode(…)}`) has no
 * size at synth, and gives an error instead.
 */
export function policySize(document: unknown): Measure | { readonly error: string } {
  if (typeof document !== "string") return { size: JSON.stringify(document ?? null).replace(/\s/g, "").length, interpolations: 0 };
  const { literal, interpolations } = parseTemplate(document);
  try {
    JSON.parse(literal);
  } catch {
    return { error: `is not a JSON document at synth (${abbreviate(document)}), so its size cannot be checked: build it with a policy builder` };
  }
  const size = literal.replace(/\s/g, "").length + interpolations.reduce((sum, e) => sum + interpolationLength(e), 0);
  return { size, interpolations: interpolations.length };
}

/** The sum of several measures (a role's inline policies). */
export function total(measures: readonly Measure[]): Measure {
  return { size: measures.reduce((s, m) => s + m.size, 0), interpolations: measures.reduce((s, m) => s + m.interpolations, 0) };
}

/**
 * A whole number with its thousands grouped, as AWS's quota pages write it: 10240 gives "10,240". Written out
 * rather than through `toLocaleString`, whose first call loads the locale data and costs every synth ~20 ms.
 */
export function figure(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
}

/** "10,240 characters", with "at most" and the interpolations' count when the figure is an upper bound. */
export function describeMeasure(measure: Measure): string {
  const characters = `${figure(measure.size)} characters`;
  if (measure.interpolations === 0) return characters;
  const how = measure.interpolations === 1 ? "an interpolation at its longest" : `${measure.interpolations} interpolations at their longest`;
  return `at most ${characters} (${how})`;
}

/** Why a bucket name breaks S3's naming rules, judged on its literal text; undefined when it keeps them. */
export function bucketNameProblem(name: string, fromPrefix: boolean): string | undefined {
  const { literal, interpolations } = parseTemplate(name);
  const { size } = stringLength(name);
  const length = fromPrefix ? size + UNIQUE_SUFFIX_LENGTH : size;
  const rules = S3_BUCKET_NAME;
  const whole = interpolations.length === 0;
  const suffix = fromPrefix ? ` with Terraform's ${UNIQUE_SUFFIX_LENGTH}-character suffix` : "";
  if (length > rules.maxLength) {
    const how = whole ? `${length} characters${suffix}` : `up to ${length} characters${suffix} (its interpolations at their longest)`;
    return `is ${how}, over S3's ${rules.maxLength}`;
  }
  if (whole && !fromPrefix && length < rules.minLength) return `is ${length} characters, under S3's ${rules.minLength}`;
  const bad = [...new Set(literal)].filter((c) => !rules.characters.test(c));
  if (bad.length > 0) return `has ${bad.map((c) => JSON.stringify(c)).join(", ")}: S3 allows only lower-case letters, digits, "." and "-"`;
  const first = name.startsWith("${") ? undefined : name[0];
  const last = fromPrefix || name.endsWith("}") ? undefined : name.at(-1);
  if ((first && !/[a-z0-9]/.test(first)) || (last && !/[a-z0-9]/.test(last))) return "must begin and end with a letter or digit";
  // Only periods adjacent in the literal text: in "a.${x}.b", the interpolation stands between them.
  if (name.replace(/\$\{[^}]*\}/g, "x").includes("..")) return "has two adjacent periods";
  if (whole && /^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "is formatted as an IP address";
  const prefix = rules.reservedPrefixes.find((p) => name.startsWith(p));
  if (prefix) return `starts with "${prefix}", which S3 reserves`;
  const reserved = fromPrefix ? undefined : rules.reservedSuffixes.find((s) => name.endsWith(s));
  if (reserved) return `ends with "${reserved}", which S3 reserves`;
  return undefined;
}

/** Why a security group's or rule's description breaks EC2's constraints; undefined when it keeps them. */
export function securityGroupDescriptionProblem(description: string, referencesGroupOrPrefixList: boolean): string | undefined {
  const { literal } = parseTemplate(description);
  const measure = stringLength(description);
  const limits = SECURITY_GROUP_DESCRIPTION;
  if (measure.size > limits.maxLength) return `is ${describeMeasure(measure)}, over EC2's ${limits.maxLength}`;
  const allowed = referencesGroupOrPrefixList ? limits.referenceCharacters : limits.characters;
  const bad = [...new Set(literal)].filter((c) => !allowed.test(c));
  if (bad.length === 0) return undefined;
  const set = referencesGroupOrPrefixList ? "._-:/()#,@[]+=;{}!$* (no & where the rule references a security group or prefix list)" : "._-:/()#,@[]+=&;{}!$*";
  return `has ${bad.map((c) => JSON.stringify(c)).join(", ")}: EC2 allows only letters, digits, spaces and ${set}`;
}

function abbreviate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
