import type { Environment, PlatformConfig } from "../config";
import { MigrationInputError, type StateInstance } from "./state";

/** Resources of the environment's own account: those of the default AWS provider (not an alias such as the accepter side). */
function inOwnAccount(instance: StateInstance): boolean {
  return /hashicorp\/aws"\]$/.test(instance.provider);
}

/** The account ids the ARNs of the environment's own resources name. */
export function accountsOf(instances: readonly StateInstance[]): string[] {
  const accounts = instances.filter(inOwnAccount).flatMap((instance) => {
    const arn = instance.attributes.arn;
    const match = typeof arn === "string" ? /^arn:aws[\w-]*:[\w-]+:[\w-]*:(\d{12}):/.exec(arn) : null;
    return match ? [match[1]] : [];
  });
  return [...new Set(accounts)].sort();
}

/**
 * Refuses a state that belongs to another environment than `environment`: resources in another account than the
 * configured one, or a VPC of another range. `source` names the state in the message.
 */
export function checkEnvironment(instances: readonly StateInstance[], environment: Environment, config: PlatformConfig, source: string): void {
  if (instances.length === 0) throw new MigrationInputError(`${source}: the state holds no resources: there is nothing to take over`);
  const account = config.accounts[environment].accountId;
  const foreign = accountsOf(instances).filter((id) => id !== account);
  if (foreign.length > 0) {
    throw new MigrationInputError(
      `${source}: not the ${environment} environment's state: its resources are in account ${foreign.join(", ")}, and accounts.${environment}.accountId is ${account}`,
    );
  }
  const range = config.accounts[environment].network.vpcCidr;
  const vpc = instances.find((instance) => instance.type === "aws_vpc" && inOwnAccount(instance) && instance.attributes.cidr_block !== range);
  if (vpc) {
    throw new MigrationInputError(
      `${source}: not the ${environment} environment's state: its VPC ${vpc.address} is ${String(vpc.attributes.cidr_block)}, and accounts.${environment}.network.vpcCidr is ${range}`,
    );
  }
}
