import { isDeepStrictEqual } from "node:util";
import { stringify } from "yaml";

/** A JSON value as CloudFormation reads it (intrinsic functions are objects). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export const NO_VALUE: Json = { Ref: "AWS::NoValue" };

/** A CloudFormation condition: its definition in the template, and when it holds for a variant. */
export interface TemplateCondition<V> {
  readonly name: string;
  readonly definition: Json;
  readonly holds: (variant: V) => boolean;
  /** Other conditions its definition refers to. */
  readonly uses?: readonly string[];
}

/** Pseudo parameters a template may name in `Fn::Sub`. */
const PSEUDO_PARAMETERS = ["AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::URLSuffix"];

/**
 * Builds one CloudFormation value out of the values a builder gives for every variant of a template's
 * parameters (e.g. one per environment). Where the variants agree the value is written once; where
 * they differ only by the environment's name it becomes `${Environment}`; statements present in some
 * variants only get a condition and `AWS::NoValue`; anything else becomes `Fn::If` on the condition
 * that splits the variants most compactly. Strings holding `${…}` placeholders become `Fn::Sub`.
 */
export class VariantMerger<V> {
  private readonly used = new Set<string>();

  constructor(
    private readonly conditions: readonly TemplateCondition<V>[],
    /** Parameters the template declares, which `Fn::Sub` may refer to. */
    private readonly parameters: readonly string[],
    /** The variant's environment name, for `${Environment}`; omit when the template has no such parameter. */
    private readonly environmentOf?: (variant: V) => string,
  ) {}

  merge(entries: readonly (readonly [V, Json])[]): Json {
    if (entries.length === 0) throw new Error("nothing to merge");
    const values = entries.map(([, value]) => value);
    if (values.every((value) => isDeepStrictEqual(value, values[0]))) return this.lift(values[0]);

    if (values.every((value) => typeof value === "string")) {
      const unified = this.unifyEnvironment(entries as readonly (readonly [V, string])[]);
      if (unified !== undefined) return this.lift(unified);
    }
    if (values.every(Array.isArray)) {
      const arrays = values as Json[][];
      if (arrays.every(isStatementList)) return this.mergeStatements(entries as readonly (readonly [V, Json[]])[]);
      if (arrays.every((array) => array.length === arrays[0].length)) {
        return arrays[0].map((_, i) => this.merge(entries.map(([variant, value]) => [variant, (value as Json[])[i]] as const)));
      }
    }
    if (values.every(isObject)) {
      const keys = Object.keys(values[0] as object);
      if (values.every((value) => isDeepStrictEqual(Object.keys(value as object), keys))) {
        return Object.fromEntries(
          keys.map((key) => [key, this.merge(entries.map(([variant, value]) => [variant, (value as Record<string, Json>)[key]] as const))]),
        );
      }
    }
    return this.split(entries);
  }

  /** The `Conditions` section: the conditions the merged values use, and those these refer to. */
  conditionsSection(): Record<string, Json> | undefined {
    const needed = new Set<string>();
    const add = (name: string) => {
      if (needed.has(name)) return;
      needed.add(name);
      for (const other of this.condition(name).uses ?? []) add(other);
    };
    this.used.forEach(add);
    const section = Object.fromEntries(this.conditions.filter((c) => needed.has(c.name)).map((c) => [c.name, c.definition]));
    return Object.keys(section).length > 0 ? section : undefined;
  }

  /** Wraps every string holding a `${…}` placeholder in `Fn::Sub`, after checking each placeholder is known. */
  lift(value: Json): Json {
    if (typeof value === "string") {
      if (!value.includes("${")) return value;
      for (const [, name] of value.matchAll(/\$\{([^}]*)\}/g)) {
        if (!this.parameters.includes(name) && !PSEUDO_PARAMETERS.includes(name)) {
          throw new Error(`"${value}" refers to \${${name}}, which is neither a parameter of the template nor a pseudo parameter`);
        }
      }
      return { "Fn::Sub": value };
    }
    if (Array.isArray(value)) return value.map((item) => this.lift(item));
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.lift(item)]));
    return value;
  }

  /** "environment:prod" and "environment:dev" → "environment:${Environment}", when that is all they differ by. */
  private unifyEnvironment(entries: readonly (readonly [V, string])[]): string | undefined {
    if (!this.environmentOf) return undefined;
    const unified = entries.map(([variant, value]) => value.split(this.environmentOf!(variant)).join("${Environment}"));
    return unified.every((value) => value === unified[0]) && unified[0].includes("${Environment}") ? unified[0] : undefined;
  }

  /** Statements by Sid, in one order all variants agree with; a statement missing from some variants gets a condition. */
  private mergeStatements(entries: readonly (readonly [V, Json[]])[]): Json[] {
    const sid = (statement: Json) => (statement as { Sid: string }).Sid;
    const order: string[] = [];
    for (const [, statements] of entries) {
      let position = 0;
      for (const statement of statements) {
        const index = order.indexOf(sid(statement));
        if (index === -1) order.splice(position++, 0, sid(statement));
        else if (index < position) throw new Error(`statement ${sid(statement)} comes in different orders in the variants`);
        else position = index + 1;
      }
    }
    return order.map((name) => {
      const present = entries.flatMap(([variant, statements]) => {
        const statement = statements.find((s) => sid(s) === name);
        return statement === undefined ? [] : [[variant, statement] as const];
      });
      const merged = this.merge(present);
      if (present.length === entries.length) return merged;
      const condition = this.conditionSelecting(
        entries.map(([variant]) => variant),
        present.map(([variant]) => variant),
      );
      if (!condition) throw new Error(`no condition holds exactly for the variants that have statement ${name}`);
      return { "Fn::If": [this.use(condition), merged, NO_VALUE] };
    });
  }

  /** `Fn::If` on the condition that splits the variants into two groups with the smallest result. */
  private split(entries: readonly (readonly [V, Json])[]): Json {
    let best: Json | undefined;
    let bestSize = Infinity;
    for (const condition of this.conditions) {
      const yes = entries.filter(([variant]) => condition.holds(variant));
      const no = entries.filter(([variant]) => !condition.holds(variant));
      if (yes.length === 0 || no.length === 0) continue;
      const probe = new VariantMerger(this.conditions, this.parameters, this.environmentOf);
      const candidate: Json = { "Fn::If": [condition.name, probe.merge(yes), probe.merge(no)] };
      const size = JSON.stringify(candidate).length;
      if (size < bestSize) [best, bestSize] = [candidate, size];
    }
    if (best === undefined) throw new Error(`no condition tells apart the variants of ${JSON.stringify(entries.map(([, value]) => value))}`);
    // Merge again with this merger, so the conditions the chosen branch uses are recorded.
    const [name] = (best as { "Fn::If": [string] })["Fn::If"];
    const condition = this.condition(name);
    return {
      "Fn::If": [
        this.use(condition),
        this.merge(entries.filter(([variant]) => condition.holds(variant))),
        this.merge(entries.filter(([variant]) => !condition.holds(variant))),
      ],
    };
  }

  private conditionSelecting(domain: readonly V[], selected: readonly V[]): TemplateCondition<V> | undefined {
    return this.conditions.find((condition) => domain.every((variant) => condition.holds(variant) === selected.includes(variant)));
  }

  private condition(name: string): TemplateCondition<V> {
    const condition = this.conditions.find((c) => c.name === name);
    if (!condition) throw new Error(`unknown condition ${name}`);
    return condition;
  }

  private use(condition: TemplateCondition<V>): string {
    this.used.add(condition.name);
    return condition.name;
  }
}

function isObject(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isStatementList(value: Json[]): boolean {
  return value.length > 0 && value.every((item) => isObject(item) && typeof item.Sid === "string");
}

/** A template as YAML, with a header saying where it comes from. YAML 1.1 quoting keeps "2012-10-17" a string for every parser. */
export function templateYaml(header: string, template: Record<string, Json>): string {
  const comment = header
    .split("\n")
    .map((line) => `# ${line}`.trimEnd())
    .join("\n");
  return `${comment}\n${stringify(template, { lineWidth: 0, version: "1.1", aliasDuplicateObjects: false })}`;
}
