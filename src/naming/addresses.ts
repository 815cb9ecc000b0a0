import { TerraformDataSource, TerraformElement, TerraformResource, TerraformStack } from "cdktf";
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

  constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  /**
   * Records the stack's Terraform JSON once the stack is complete (validations run after every aspect,
   * right before synthesis writes the stack), so that writing it does not resolve every token again.
   */
  rememberCompleteTerraform(json: ReturnType<TerraformStack["toTerraform"]>): void {
    this.completed = json;
  }

  override toTerraform(): ReturnType<TerraformStack["toTerraform"]> {
    return this.completed ?? super.toTerraform();
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

/** The namespace a Terraform name must be unique in. */
function namespaceOf(element: TerraformElement | Node): string {
  if (element instanceof TerraformDataSource) return `data.${element.terraformResourceType}`;
  if (element instanceof TerraformResource) return element.terraformResourceType;
  return element.constructor.name;
}

/** "PrivateRouteTable" → "private_route_table", "geo.places" → "geo_places", "public-a" → "public_a". */
export function toSnakeCase(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}
