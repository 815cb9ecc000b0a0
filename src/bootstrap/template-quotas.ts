import { type Check } from "../guardrails/rules";
import { figure, IAM_LIMITS, type Measure, policySize } from "../guardrails/quotas";
import type { Json } from "./cloudformation";
import { TEMPLATE_FILES } from "./shell";
import { githubOidcRoleTemplate, peeringAccepterRoleTemplate } from "./templates";

/**
 * IAM's quotas on the roles of the bootstrap's CloudFormation templates, for every combination of parameter
 * values that changes what a template declares (each AllowedValue, each optional parameter empty and set, each
 * list given), with every other parameter at its longest value: the figures are upper bounds for any stack made
 * from the template.
 */

/** A parameter's value: a string, or the items of a CommaDelimitedList. */
type Value = string | readonly string[];

/** Values of the pseudo parameters, at their longest. */
const PSEUDO_PARAMETERS: Record<string, string> = {
  "AWS::AccountId": "123456789012",
  "AWS::Region": "us-isof-south-1", // the longest region code
  "AWS::Partition": "aws-us-gov",
  "AWS::URLSuffix": "amazonaws.com.cn",
  "AWS::StackName": "s".repeat(128),
};

/** Characters tried for a parameter's longest value; parameters take turns among them (so two account ids differ). */
const FILLERS = "ab01";
/** A parameter without MaxLength whose pattern still matches this many characters has no longest value. */
const UNBOUNDED = 512;

/** The longest value a String parameter accepts (AllowedPattern and MaxLength), made of one repeated character. */
export function longestValue(name: string, parameter: Record<string, Json>, index: number): string {
  const pattern = typeof parameter.AllowedPattern === "string" ? new RegExp(`^(?:${parameter.AllowedPattern})$`) : undefined;
  const max = typeof parameter.MaxLength === "number" ? parameter.MaxLength : UNBOUNDED;
  let best = 0;
  let chars: string[] = [];
  for (const c of FILLERS) {
    let n = max;
    while (n > 0 && pattern !== undefined && !pattern.test(c.repeat(n))) n--;
    if (n > best) [best, chars] = [n, [c]];
    else if (n === best && n > 0) chars.push(c);
  }
  if (best === 0) throw new Error(`template quotas: no value of parameter ${name} found to measure with`);
  if (best >= UNBOUNDED && typeof parameter.MaxLength !== "number") throw new Error(`template quotas: parameter ${name} has no MaxLength nor a bounded AllowedPattern, so its roles' sizes have no bound`);
  return chars[index % chars.length].repeat(best);
}

interface Variant {
  readonly parameters: Record<string, Value>;
  /** The parameters whose values were enumerated, as a person reads them ("" when none were). */
  readonly label: string;
}

/** Every combination of the parameters' values worth measuring. `lists` gives the values of list parameters besides their default. */
function variants(template: Record<string, Json>, lists: Record<string, readonly (readonly string[])[]>): Variant[] {
  const parameters = (template.Parameters ?? {}) as Record<string, Record<string, Json>>;
  const choices = Object.entries(parameters).map(([name, p], index): [string, Value, string | undefined][] => {
    if (p.Type === "CommaDelimitedList") {
      const fallback = typeof p.Default === "string" ? p.Default.split(",").filter(Boolean) : [];
      const values = [fallback, ...(lists[name] ?? [])];
      return values.map((v) => [name, v, values.length > 1 ? `${name}: ${v.length === 0 ? "none" : `${v.length} ARNs`}` : undefined]);
    }
    if (Array.isArray(p.AllowedValues)) return p.AllowedValues.map((v) => [name, String(v), `${name}=${v}`]);
    const longest = longestValue(name, p, index);
    if (p.Default === "") return [[name, "", `${name} empty`], [name, longest, `${name} set`]];
    return [[name, longest, undefined]];
  });
  return choices.reduce<[string, Value, string | undefined][][]>((combos, options) => combos.flatMap((combo) => options.map((o) => [...combo, o])), [[]]).map((combo) => ({
    parameters: Object.fromEntries(combo.map(([name, value]) => [name, value])),
    label: combo.flatMap(([, , label]) => (label ? [label] : [])).join(", "),
  }));
}

const NO_VALUE = Symbol("AWS::NoValue");

/** Evaluates a template's intrinsic functions for one variant (those the bootstrap's templates use in conditions, rules and role properties). */
class Evaluator {
  private readonly conditions = new Map<string, boolean>();

  constructor(
    private readonly template: Record<string, Json>,
    private readonly parameters: Record<string, Value>,
  ) {}

  resolve(node: Json): unknown {
    if (Array.isArray(node)) return node.map((item) => this.resolve(item)).filter((item) => item !== NO_VALUE);
    if (node === null || typeof node !== "object") return node;
    const keys = Object.keys(node);
    const [key] = keys;
    const intrinsic = keys.length === 1 && (key.startsWith("Fn::") || ((key === "Ref" || key === "Condition") && typeof node[key] === "string"));
    if (intrinsic) return this.intrinsic(key, node[key]);
    const entries = Object.entries(node).map(([k, v]) => [k, this.resolve(v)] as const);
    return Object.fromEntries(entries.filter(([, v]) => v !== NO_VALUE));
  }

  condition(name: string): boolean {
    if (!this.conditions.has(name)) {
      const definition = (this.template.Conditions as Record<string, Json> | undefined)?.[name];
      if (definition === undefined) throw new Error(`template quotas: unknown condition ${name}`);
      this.conditions.set(name, this.truth(definition));
    }
    return this.conditions.get(name)!;
  }

  truth(node: Json): boolean {
    const value = this.resolve(node);
    if (typeof value !== "boolean") throw new Error(`template quotas: ${JSON.stringify(node)} is not a condition`);
    return value;
  }

  private intrinsic(name: string, argument: Json): unknown {
    const args = argument as Json[];
    switch (name) {
      case "Ref":
        if (argument === "AWS::NoValue") return NO_VALUE;
        return this.value(String(argument));
      case "Condition":
        return this.condition(String(argument));
      case "Fn::If":
        return this.resolve(this.condition(String(args[0])) ? args[1] : args[2]);
      case "Fn::Equals":
        return JSON.stringify(this.resolve(args[0])) === JSON.stringify(this.resolve(args[1]));
      case "Fn::Not":
        return !this.truth(args[0]);
      case "Fn::And":
        return args.every((a) => this.truth(a));
      case "Fn::Or":
        return args.some((a) => this.truth(a));
      case "Fn::Join":
        return (this.resolve(args[1]) as string[]).join(String(args[0]));
      case "Fn::Sub": {
        const [text, variables] = typeof argument === "string" ? [argument, {}] : [String(args[0]), this.resolve(args[1]) as Record<string, string>];
        return text.replace(/\$\{(!?)([^}]*)\}/g, (_, literal: string, ref: string) => {
          if (literal) return `\${${ref}}`;
          const value = ref in variables ? variables[ref] : this.value(ref);
          if (typeof value !== "string") throw new Error(`template quotas: Fn::Sub of list parameter ${ref}`);
          return value;
        });
      }
      default:
        throw new Error(`template quotas: ${name} is not evaluated`);
    }
  }

  private value(name: string): Value {
    const value = this.parameters[name] ?? PSEUDO_PARAMETERS[name];
    if (value === undefined) throw new Error(`template quotas: unknown parameter ${name}`);
    return value;
  }
}

/** Whether the template's Rules accept a variant (CloudFormation refuses the others before creating anything). */
function acceptedByRules(template: Record<string, Json>, evaluator: Evaluator): boolean {
  return Object.values((template.Rules ?? {}) as Record<string, Record<string, Json>>).every((rule) => {
    if (rule.RuleCondition !== undefined && !evaluator.truth(rule.RuleCondition)) return true;
    return (rule.Assertions as Record<string, Json>[]).every((assertion) => evaluator.truth(assertion.Assert));
  });
}

/** One role of a template in one variant, against IAM's quotas. */
export interface TemplateRoleFigures {
  /** The role's logical id in the template. */
  readonly role: string;
  /** The enumerated parameters' values ("Environment=prod, SharedAccountId set"; "" when the template has none). */
  readonly variant: string;
  readonly roleName?: string;
  readonly policies: readonly { readonly name: string; readonly size: number }[];
  /** The inline policies together (`Policies`), without white space. */
  readonly inline: number;
  /** `AssumeRolePolicyDocument`, without white space. */
  readonly trust: number;
}

function size(document: unknown, what: string): number {
  const measure = policySize(document);
  if ("error" in measure) throw new Error(`template quotas: ${what} ${measure.error}`);
  return (measure as Measure).size;
}

/** Every AWS::IAM::Role of the template in every variant the template's rules accept. */
export function templateRoleFigures(template: Record<string, Json>, lists: Record<string, readonly (readonly string[])[]> = {}): TemplateRoleFigures[] {
  return variants(template, lists).flatMap((variant) => {
    const evaluator = new Evaluator(template, variant.parameters);
    if (!acceptedByRules(template, evaluator)) return [];
    return Object.entries(template.Resources as Record<string, Record<string, Json>>)
      .filter(([, resource]) => resource.Type === "AWS::IAM::Role")
      .filter(([, resource]) => typeof resource.Condition !== "string" || evaluator.condition(resource.Condition))
      .map(([role, resource]): TemplateRoleFigures => {
        const properties = evaluator.resolve(resource.Properties ?? {}) as { RoleName?: string; Policies?: { PolicyName: string; PolicyDocument: unknown }[]; AssumeRolePolicyDocument?: unknown };
        const policies = (properties.Policies ?? []).map((p) => ({ name: p.PolicyName, size: size(p.PolicyDocument, `${role} policy ${p.PolicyName}`) }));
        return {
          role,
          variant: variant.label,
          roleName: properties.RoleName,
          policies,
          inline: policies.reduce((sum, p) => sum + p.size, 0),
          trust: size(properties.AssumeRolePolicyDocument, `${role} AssumeRolePolicyDocument`),
        };
      });
  });
}

/** The variant in which a role's figure is largest. */
export function largest(figures: readonly TemplateRoleFigures[], role: string, by: (f: TemplateRoleFigures) => number): TemplateRoleFigures {
  return figures.filter((f) => f.role === role).reduce((a, b) => (by(b) > by(a) ? b : a));
}

const where = (variant: string) => (variant ? `${variant}, other parameters at their longest` : "parameters at their longest");

/** The quota rules on a template's roles, by rule id: each role's largest figure over the variants against IAM's quota. */
export function templateQuotaChecks(figures: readonly TemplateRoleFigures[]): { rule: string; check: Check }[] {
  const roles = [...new Set(figures.map((f) => f.role))];
  return roles.flatMap((role) => {
    const inline = largest(figures, role, (f) => f.inline);
    const trust = largest(figures, role, (f) => f.trust);
    const names = figures.filter((f) => f.role === role);
    const longName = names.find((f) => (f.roleName?.length ?? 0) > IAM_LIMITS.roleName);
    const longPolicy = names.flatMap((f) => f.policies.map((p) => ({ f, p }))).find(({ p }) => p.name.length > IAM_LIMITS.policyName);
    const nameProblem = longName
      ? `RoleName is ${longName.roleName!.length} characters (${where(longName.variant)}), over IAM's ${IAM_LIMITS.roleName}`
      : longPolicy && `PolicyName ${longPolicy.p.name} is ${longPolicy.p.name.length} characters, over IAM's ${IAM_LIMITS.policyName}`;
    const check = (ok: boolean, message: string): Check => (ok ? { address: role, ok } : { address: role, ok, message });
    return [
      {
        rule: "IAM_INLINE_POLICY_SIZE",
        check: check(
          inline.inline <= IAM_LIMITS.roleInlinePolicies,
          `Policies (${inline.policies.map((p) => p.name).join(", ")}) come to at most ${figure(inline.inline)} characters (${where(inline.variant)}), ` +
            `over IAM's quota of ${figure(IAM_LIMITS.roleInlinePolicies)} for a role's inline policies together (white space not counted)`,
        ),
      },
      {
        rule: "IAM_TRUST_POLICY_SIZE",
        check: check(
          trust.trust <= IAM_LIMITS.trustPolicy,
          `AssumeRolePolicyDocument comes to at most ${figure(trust.trust)} characters (${where(trust.variant)}), ` +
            `over IAM's default quota of ${figure(IAM_LIMITS.trustPolicy)} for a role trust policy (white space not counted; adjustable up to ${figure(IAM_LIMITS.trustPolicyAdjustable)})`,
        ),
      },
      { rule: "IAM_NAME_LENGTH", check: check(nameProblem === undefined, nameProblem ?? "") },
    ];
  });
}

/**
 * The role figures of the bootstrap's two templates, by file. The peering template's AdministratorArns is
 * measured empty and with `administrators` (the configuration's, which the bootstrap scripts pass).
 */
export function bootstrapTemplateFigures(administrators: readonly string[]): Record<string, TemplateRoleFigures[]> {
  const lists: Record<string, (readonly string[])[]> = administrators.length > 0 ? { AdministratorArns: [administrators] } : {};
  return {
    [TEMPLATE_FILES.githubOidc]: templateRoleFigures(githubOidcRoleTemplate()),
    [TEMPLATE_FILES.peeringAccepter]: templateRoleFigures(peeringAccepterRoleTemplate(), lists),
  };
}

/** Throws, naming every problem, when a role of `template` can break one of IAM's quotas: for the generator to call on each template it writes. */
export function assertWithinQuotas(file: string, template: Record<string, Json>, lists: Record<string, readonly (readonly string[])[]> = {}): void {
  const problems = templateQuotaChecks(templateRoleFigures(template, lists)).filter(({ check }) => !check.ok);
  if (problems.length === 0) return;
  throw new Error(`${file}: ${problems.map(({ rule, check }) => `${rule} ${check.address}: ${check.message}`).join("\n")}`);
}
