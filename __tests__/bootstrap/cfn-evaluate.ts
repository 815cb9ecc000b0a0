/**
 * A small, independent reading of a CloudFormation template for given parameter values, the way
 * CloudFormation resolves it: parameter defaults and constraints, rules, conditions, Ref, Fn::Sub,
 * Fn::If, Fn::Join, AWS::NoValue and CommaDelimitedList parameters (a Ref to one is its list of items). It covers what the bootstrap templates use and throws on anything else.
 */

const NO_VALUE = Symbol("AWS::NoValue");

export interface Evaluation {
  /** Each resource's Properties, resolved. */
  readonly properties: Record<string, any>;
  /** AssertDescription of every rule assertion that does not hold. */
  readonly ruleFailures: string[];
}

export class ParameterError extends Error {}

export function evaluateTemplate(
  template: any,
  given: Record<string, string>,
  pseudo: { accountId: string; region: string },
): Evaluation {
  const parameters: Record<string, string> = {};
  const lists = new Set<string>();
  for (const [name, spec] of Object.entries<any>(template.Parameters ?? {})) {
    const value = given[name] ?? spec.Default;
    if (value === undefined) throw new ParameterError(`parameter ${name} has no value`);
    if (spec.AllowedValues && !spec.AllowedValues.includes(value)) throw new ParameterError(`${name}: ${value} is not allowed`);
    if (spec.AllowedPattern && !new RegExp(`^(?:${spec.AllowedPattern})$`).test(value)) throw new ParameterError(`${name}: ${value} does not match`);
    if (spec.MinLength !== undefined && value.length < spec.MinLength) throw new ParameterError(`${name}: too short`);
    if (spec.MaxLength !== undefined && value.length > spec.MaxLength) throw new ParameterError(`${name}: too long`);
    parameters[name] = value;
    if (spec.Type === "CommaDelimitedList") lists.add(name);
  }
  for (const name of Object.keys(given)) if (!(name in parameters)) throw new ParameterError(`unknown parameter ${name}`);
  const pseudoParameters: Record<string, string> = { "AWS::AccountId": pseudo.accountId, "AWS::Region": pseudo.region, "AWS::Partition": "aws" };

  const conditions: Record<string, boolean> = {};
  const condition = (name: string): boolean => {
    if (!(name in conditions)) {
      if (!template.Conditions?.[name]) throw new Error(`unknown condition ${name}`);
      conditions[name] = truth(template.Conditions[name]);
    }
    return conditions[name];
  };
  const truth = (expression: any): boolean => {
    const [fn, args] = Object.entries<any>(expression)[0];
    switch (fn) {
      case "Fn::Equals":
        return resolve(args[0]) === resolve(args[1]);
      case "Fn::Not":
        return !truth(args[0]);
      case "Fn::And":
        return args.every(truth);
      case "Fn::Or":
        return args.some(truth);
      case "Condition":
        return condition(args);
      default:
        throw new Error(`not a condition: ${fn}`);
    }
  };
  const resolve = (value: any): any => {
    if (Array.isArray(value)) return value.map(resolve).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== "object") return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "Ref") {
      if (value.Ref === "AWS::NoValue") return NO_VALUE;
      const resolved = parameters[value.Ref] ?? pseudoParameters[value.Ref];
      if (resolved === undefined) throw new Error(`Ref to ${value.Ref}, which is not a parameter`);
      return lists.has(value.Ref) ? (resolved === "" ? [] : resolved.split(",")) : resolved;
    }
    if (keys.length === 1 && keys[0] === "Fn::Join") {
      const [separator, items] = value["Fn::Join"];
      return (resolve(items) as string[]).join(separator);
    }
    if (keys.length === 1 && keys[0] === "Fn::Sub") {
      if (typeof value["Fn::Sub"] !== "string") throw new Error("only the string form of Fn::Sub is read");
      return value["Fn::Sub"].replace(/\$\{([^}]+)\}/g, (_: string, name: string) => {
        if (lists.has(name)) throw new Error(`Fn::Sub names the list parameter \${${name}}`);
        const resolved = parameters[name] ?? pseudoParameters[name];
        if (resolved === undefined) throw new Error(`Fn::Sub names \${${name}}, which is not a parameter`);
        return resolved;
      });
    }
    if (keys.length === 1 && keys[0] === "Fn::If") {
      const [name, yes, no] = value["Fn::If"];
      return resolve(condition(name) ? yes : no);
    }
    if (keys.some((key) => key.startsWith("Fn::"))) throw new Error(`not read here: ${keys.join(", ")}`);
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, item]) => [key, resolve(item)])
        .filter(([, item]) => item !== NO_VALUE),
    );
  };

  const ruleFailures: string[] = [];
  for (const rule of Object.values<any>(template.Rules ?? {})) {
    if (rule.RuleCondition && !truth(rule.RuleCondition)) continue;
    for (const assertion of rule.Assertions) if (!truth(assertion.Assert)) ruleFailures.push(assertion.AssertDescription);
  }
  const properties = Object.fromEntries(
    Object.entries<any>(template.Resources).map(([id, resource]) => [id, resolve(resource.Properties ?? {})]),
  );
  return { properties, ruleFailures };
}
