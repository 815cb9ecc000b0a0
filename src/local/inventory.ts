import type { Environment } from "../config";
import { emulatorCli } from "./aws";
import type { Step } from "./progress";
import type { Workspace } from "./workspace";

/** The value at `path` in a JSON answer, or undefined. */
function dig(answer: unknown, ...path: (string | number)[]): unknown {
  return path.reduce<unknown>((value, key) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), answer);
}

/**
 * ARNs the tagging API still lists after a destroy although AWS has deleted them (as AWS itself does for a
 * while), each with the call that shows the deletion.
 */
const STILL_LISTED_WHEN_DELETED: readonly { kind: RegExp; describe: (arn: string) => string[]; isDeleted: (answer: unknown) => boolean }[] = [
  {
    kind: /^arn:aws:ec2:[^:]+:\d+:instance\//,
    describe: (arn) => ["ec2", "describe-instances", "--instance-ids", arn.split("/")[1]],
    isDeleted: (answer) => dig(answer, "Reservations", 0, "Instances", 0, "State", "Name") === "terminated",
  },
  {
    kind: /^arn:aws:ec2:[^:]+:\d+:vpc-peering-connection\//,
    describe: (arn) => ["ec2", "describe-vpc-peering-connections", "--vpc-peering-connection-ids", arn.split("/")[1]],
    isDeleted: (answer) => dig(answer, "VpcPeeringConnections", 0, "Status", "Code") === "deleted",
  },
  {
    kind: /^arn:aws:kms:/,
    describe: (arn) => ["kms", "describe-key", "--key-id", arn],
    isDeleted: (answer) => dig(answer, "KeyMetadata", "KeyState") === "PendingDeletion",
  },
  {
    kind: /^arn:aws:secretsmanager:/,
    describe: (arn) => ["secretsmanager", "describe-secret", "--secret-id", arn],
    isDeleted: (answer) => dig(answer, "DeletedDate") !== undefined,
  },
];

/**
 * The resources of an account that carry the tag the stacks put on everything they create (`ManagedBy =
 * terraform`, from the providers' default tags) and are not deleted, by ARN.
 */
export async function liveTaggedResources(step: Step, space: Workspace, endpoint: string, env: Environment): Promise<string[]> {
  const cli = emulatorCli(step, space, endpoint, env, true);
  const aws = async (...args: string[]) => (await cli(args)).json;
  const tagged = await aws("resourcegroupstaggingapi", "get-resources", "--tag-filters", "Key=ManagedBy,Values=terraform");
  const arns = ((dig(tagged, "ResourceTagMappingList") ?? []) as { ResourceARN: string }[]).map((mapping) => mapping.ResourceARN);
  const live = await Promise.all(
    arns.map(async (arn) => {
      const known = STILL_LISTED_WHEN_DELETED.find(({ kind }) => kind.test(arn));
      return known && known.isDeleted(await aws(...known.describe(arn))) ? undefined : arn;
    }),
  );
  return live.filter((arn): arn is string => arn !== undefined);
}
