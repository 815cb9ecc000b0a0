import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { Environment } from "../config";
import { names } from "../naming/names";
import { adoptTagged, type AdoptionPlan, creationsIn, planAdoption, writeAdoption } from "./adopt";
import { emulatorCli } from "./aws";
import { readFrom, type Step } from "./progress";
import { forgetRun, killedRuns, type RunRecord, stopLeftovers } from "./runs";
import { stateIds } from "./terraform";
import { stackDir, type Workspace } from "./workspace";

/** The killed applies of a stack, and what to adopt of theirs. */
export interface Recovery {
  readonly killed: readonly RunRecord[];
  readonly plan: AdoptionPlan;
}

/**
 * Finds the applies of a stack that were killed (recorded runs whose process is gone) and plans the adoption of
 * what they began to create and the state does not hold, announcing both. Undefined when none was killed.
 */
export async function findKilledApplies(step: Step, space: Workspace, env: NodeJS.ProcessEnv, stack: Environment, endpoint: string): Promise<Recovery | undefined> {
  const killed = killedRuns(space, stack).filter((run) => run.command === "apply");
  if (killed.length === 0) return undefined;
  const dir = stackDir(space, stack);
  const inState = await stateIds(step, space, env, stack);
  const creations = killed.flatMap((run) => creationsIn(readFrom(run.log, run.offset)));
  const stackJson = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8")) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const fromOutput = planAdoption(creations, inState, stackJson);
  const sought = fromOutput.unknown.filter(({ byTag }) => byTag).map(({ address }) => address);
  const found = await objectsByAddress(step, space, endpoint, stack, sought);
  await addWebAclsByName(step, space, endpoint, stack, sought, stackJson, found);
  const plan = adoptTagged(fromOutput, found);
  const runs = killed.map((run) => `process ${run.pid}, started ${run.startedAt}`).join("; ");
  step.announce(`a killed apply of ${stack} (${runs}) began creating ${creations.length} resources; ${plan.imports.length} of them are not in the state and get adopted`);
  for (const { to, id } of plan.imports) step.record(`adopt ${to} = ${id}`);
  for (const { address, reason } of plan.unknown) {
    step.announce(`${address} may have been created by the killed apply and cannot be adopted (${reason}): if the apply creates it again, look for a duplicate`);
  }
  return { killed, plan };
}

/** The objects of the stack's account carrying each address's tag (names.addressTag), by ARN. */
async function objectsByAddress(step: Step, space: Workspace, endpoint: string, stack: Environment, addresses: readonly string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const cli = emulatorCli(step, space, endpoint, stack);
  // The tagging API takes up to 20 values per tag key.
  for (let start = 0; start < addresses.length; start += 20) {
    const values = addresses.slice(start, start + 20);
    const { json } = await cli(["resourcegroupstaggingapi", "get-resources", "--tag-filters", JSON.stringify([{ Key: names.addressTag, Values: values }])]);
    const mappings = ((json as { ResourceTagMappingList?: { ResourceARN: string; Tags: { Key: string; Value: string }[] }[] }).ResourceTagMappingList ?? []);
    for (const { ResourceARN: arn, Tags: tags } of mappings) {
      const address = tags.find(({ Key }) => Key === names.addressTag)?.Value;
      if (address) found.set(address, [...(found.get(address) ?? []), arn]);
    }
  }
  return found;
}

/**
 * Web ACLs the tagging API does not list (the emulator's does not), found by their configured name and scope
 * among the account's ACLs and added to `found` by ARN.
 */
async function addWebAclsByName(
  step: Step,
  space: Workspace,
  endpoint: string,
  stack: Environment,
  addresses: readonly string[],
  stackJson: { resource?: Record<string, Record<string, Record<string, unknown>>> },
  found: Map<string, string[]>,
): Promise<void> {
  const cli = emulatorCli(step, space, endpoint, stack);
  for (const address of addresses.filter((candidate) => candidate.startsWith("aws_wafv2_web_acl.") && !found.has(candidate))) {
    const body = stackJson.resource?.aws_wafv2_web_acl?.[address.split(".")[1]];
    if (typeof body?.name !== "string" || typeof body.scope !== "string") continue;
    const { json } = await cli(["wafv2", "list-web-acls", "--scope", body.scope]);
    const acls = ((json as { WebACLs?: { Name: string; ARN: string }[] } | undefined)?.WebACLs ?? []).filter((acl) => acl.Name === body.name);
    if (acls.length > 0) found.set(address, acls.map((acl) => acl.ARN));
  }
}

/** Writes the import blocks of a recovery into the stack's folder (or removes an earlier file when there is none). */
export function stageAdoption(space: Workspace, stack: Environment, recovery: Recovery | undefined): void {
  writeAdoption(stackDir(space, stack), recovery?.plan.imports ?? []);
}

/** Once the stack has been applied: the killed runs are dealt with, and the import blocks are done. */
export function finishRecovery(space: Workspace, stack: Environment, recovery: Recovery | undefined): void {
  for (const run of recovery?.killed ?? []) {
    stopLeftovers(run);
    forgetRun(space, run);
  }
  writeAdoption(stackDir(space, stack), []);
}
