import { App, DefaultTokenResolver, StringConcat, TerraformDataSource, TerraformElement, TerraformResource, TerraformStack, Tokenization } from "cdktf";
import type { Construct, Node } from "constructs";

/**
 * A stack whose Terraform addresses are the construct path in snake_case, without the hash
 * suffix cdktf adds by default: `new Networking(stack, "network")` creating `new Vpc(this, "vpc")`
 * gives `aws_vpc.network_vpc`. Operators import and move state against these addresses, so they
 * must be readable and must not change when unrelated code does. Two paths that would map to the
 * same address (same name in the same namespace: a resource type, data sources of a type, outputs,
 * variables...) fail the synth instead of silently colliding.
 */
export class ReadableStack extends TerraformStack {
  private readonly pathsByAddress = new Map<string, string>();
  private completed?: ReturnType<TerraformStack["toTerraform"]>;
  private readonly rewrites: StackRewrite[] = [];
  private readonly foreignReferences: string[] = [];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Runs before any other validation (the guardrails), which then reuse the JSON it computes.
    this.node.addValidation({
      validate: () => {
        this.completed = super.toTerraform();
        const dangling = danglingReferences(this.completed).map((reference) => `${reference} is not declared in this stack`);
        return [...this.foreignReferences, ...dangling].map(
          (problem) => `${problem}: read other stacks through remote state, not cdktf cross-stack references`,
        );
      },
    });
  }

  /**
   * cdktf resolves every element once before synthesis to wire implicit cross-stack references: each value of
   * another stack becomes an output there and a remote state read here. These stacks never use them (each
   * account reads the others through remote state and its own credentials), so that pass records each such
   * value instead, for the validation above to report, and adds nothing. Without it the value would resolve to
   * its bare address, which names a resource of this stack whenever both stacks declare that name.
   */
  override prepareStack(): void {
    const app = App.of(this);
    const wire = app.crossStackReference;
    app.crossStackReference = (fromStack, toStack, identifier) => {
      if (toStack === this) this.foreignReferences.push(`${identifier} belongs to the stack "${fromStack.node.id}"`);
      return identifier;
    };
    const resolver = new DefaultTokenResolver(new StringConcat());
    try {
      for (const element of this.node.findAll()) {
        if (TerraformElement.isTerraformElement(element) && element.cdktfStack === this) {
          Tokenization.resolve(element.toTerraform(), { scope: this, preparing: true, resolver });
        }
      }
    } finally {
      app.crossStackReference = wire;
    }
  }

  /**
   * The stack's Terraform JSON. Once validation has run (after every aspect, right before synthesis
   * writes the stack) the stack is complete, and the JSON computed then is reused instead of resolving
   * every token again.
   */
  override toTerraform(): ReturnType<TerraformStack["toTerraform"]> {
    const json = this.completed ?? super.toTerraform();
    return this.rewrites.reduce((stack, rewrite) => rewrite(stack), json);
  }

  /**
   * Adds a rewrite of the stack's finished Terraform JSON, applied (in the order added) every time the stack is
   * rendered, so the checks at synth see what is written. It lets code outside the stack adapt it without the
   * stack knowing: local mode points it at the emulator, the guardrails record their findings in its metadata.
   */
  addRewrite(rewrite: StackRewrite): void {
    this.rewrites.push(rewrite);
  }

  protected override allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const stack = TerraformElement.isTerraformElement(element) ? element.cdktfStack : this;
    const parts = node.scopes
      .slice(node.scopes.indexOf(stack) + 1)
      .map((scope) => scope.node.id)
      .filter((id) => id !== "Default");
    const address = parts.map(toSnakeCase).join("_");
    if (!/^[a-z][a-z0-9_]*$/.test(address)) {
      throw new Error(`Construct path "${parts.join("/")}" gives the Terraform name "${address}", which is not a valid identifier`);
    }
    const path = parts.join("/");
    const key = `${namespaceOf(element)} ${address}`;
    const taken = this.pathsByAddress.get(key);
    if (taken !== undefined && taken !== path) {
      throw new Error(`Construct paths "${taken}" and "${path}" both map to the Terraform name "${address}"; rename one of them`);
    }
    this.pathsByAddress.set(key, path);
    return address;
  }
}

/** A pure function from a stack's Terraform JSON to the JSON to write instead; it must not change its input. */
export type StackRewrite = (stack: ReturnType<TerraformStack["toTerraform"]>) => ReturnType<TerraformStack["toTerraform"]>;

/** The namespace a Terraform name must be unique in. */
function namespaceOf(element: TerraformElement | Node): string {
  if (element instanceof TerraformDataSource) return `data.${element.terraformResourceType}`;
  if (element instanceof TerraformResource) return element.terraformResourceType;
  return element.constructor.name;
}

const REFERENCE =
  /(?<![\w.])(?:data\.[a-z][a-z0-9_]*\.[a-z_][a-z0-9_]*|var\.[a-z_][a-z0-9_]*|local\.[a-z_][a-z0-9_]*|[a-z][a-z0-9]*_[a-z0-9_]+\.[a-z_][a-z0-9_]*)/g;

/** References (`aws_vpc.main`, `data.x.y`, `var.z`, `local.w`) used in a stack's expressions but not declared in it. */
export function danglingReferences(stack: Record<string, unknown>): string[] {
  const declared = new Set<string>();
  const blocks = (key: string) => Object.entries((stack[key] ?? {}) as Record<string, Record<string, unknown>>);
  for (const [type, byName] of blocks("resource")) for (const name of Object.keys(byName)) declared.add(`${type}.${name}`);
  for (const [type, byName] of blocks("data")) for (const name of Object.keys(byName)) declared.add(`data.${type}.${name}`);
  for (const name of Object.keys((stack.variable ?? {}) as object)) declared.add(`var.${name}`);
  for (const name of Object.keys((stack.locals ?? {}) as object)) declared.add(`local.${name}`);
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      for (const [, expression] of value.matchAll(/\$\{((?:[^{}]|\{[^{}]*\})*)\}/g)) {
        const code = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""'); // string literals refer to nothing
        for (const [reference] of code.matchAll(REFERENCE)) used.add(reference);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) if (key !== "//") visit(inner);
    }
  };
  visit(stack);
  return [...used].filter((reference) => !declared.has(reference)).sort();
}

/** "PrivateRouteTable" → "private_route_table", "geo.places" → "geo_places", "public-a" → "public_a". */
export function toSnakeCase(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}
