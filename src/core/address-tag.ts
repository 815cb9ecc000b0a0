import { type IAspect, TerraformResource } from "cdktf";
import type { IConstruct } from "constructs";
import { names } from "../naming/names";

/**
 * Resources that tag an object another resource of the platform manages: the peering connection's accepter
 * (the connection is prod's or dev's `aws_vpc_peering_connection`), whose address would overwrite the owner's
 * where the tags of both sides are one set.
 */
const TAGS_ANOTHER_RESOURCES_OBJECT = new Set(["aws_vpc_peering_connection_accepter"]);

/**
 * Tags every taggable resource with its own Terraform address (`names.addressTag`), so that any object found in
 * an account names the resource that manages it: an operator reading the console finds it in the code, and an
 * object an interrupted apply created but never recorded in the state can be adopted instead of created twice.
 */
export class AddressTags implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || !("tagsInput" in node)) return;
    if (TAGS_ANOTHER_RESOURCES_OBJECT.has(node.terraformResourceType)) return;
    node.addOverride(`tags.${names.addressTag}`, `${node.terraformResourceType}.${node.friendlyUniqueId}`);
  }
}
