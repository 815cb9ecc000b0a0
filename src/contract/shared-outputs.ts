import { DataTerraformRemoteStateS3, TerraformOutput, type TerraformStack } from "cdktf";
import type { Construct } from "constructs";

/**
 * The outputs the shared stack publishes in its state and prod/dev read through remote state.
 * This list is the whole contract: the shared stack must declare every name (the compiler checks
 * it) and consumers can only ask for names listed here, with the kind given here.
 */
export const SHARED_OUTPUTS = {
  vpc_id: "string",
  vpc_cidr: "string",
  db_subnet_ids: "list",
  db_subnet_cidrs: "list",
  db_route_table_id: "string",
  database_endpoint: "string",
  database_address: "string",
  database_port: "string",
  database_master_secret_arn: "string",
  database_security_group_id: "string",
  database_key_arn: "string",
  database_secret_arn_prod: "string",
  database_secret_arn_dev: "string",
  bastion_instance_id: "string",
  bastion_public_ip: "string",
  alert_topic_arn: "string",
} as const;

export type SharedOutputName = keyof typeof SHARED_OUTPUTS;
type NamesOfKind<K> = { [N in SharedOutputName]: (typeof SHARED_OUTPUTS)[N] extends K ? N : never }[SharedOutputName];
type ValueOf<K> = K extends "list" ? string[] : string;

/** Declares every shared output; the argument must name each one with a value of its kind. */
export function declareSharedOutputs(
  stack: TerraformStack,
  values: { [N in SharedOutputName]: ValueOf<(typeof SHARED_OUTPUTS)[N]> | number },
): void {
  for (const name of Object.keys(SHARED_OUTPUTS) as SharedOutputName[]) {
    new TerraformOutput(stack, name, { value: values[name], description: `Shared account ${name.replace(/_/g, " ")} (read by prod and dev)` });
  }
}

export interface SharedStateProps {
  /** State bucket of the shared account. */
  readonly bucket: string;
  /** Key of the shared stack's state object. */
  readonly key: string;
  readonly region: string;
}

/** Reads the shared stack's outputs from its S3 state (`data.terraform_remote_state.<id>`), typed by the contract above. */
export class SharedState {
  private readonly state: DataTerraformRemoteStateS3;

  constructor(scope: Construct, id: string, props: SharedStateProps) {
    this.state = new DataTerraformRemoteStateS3(scope, id, { ...props });
  }

  string(name: NamesOfKind<"string">): string {
    return this.state.getString(name);
  }

  list(name: NamesOfKind<"list">): string[] {
    return this.state.getList(name);
  }
}
