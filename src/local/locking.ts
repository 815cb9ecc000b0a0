import { forceUnlockCommand, lockAge, lockOperation, parseStateLock, type StateLock } from "../ci/terraform-lock";
import type { Environment } from "../config";
import { readFrom, type Step, StepFailure } from "./progress";
import { forgetRun, holderFacts, lockHolder, lockOwner, recordRun, type RunRecord, stopLeftovers } from "./runs";
import { stackDir, type Workspace } from "./workspace";

/**
 * How long a command waits for a stack's lock that a live process holds (or one local mode cannot judge)
 * before it fails naming the holder.
 */
export const LOCK_WAIT = "2m";

/**
 * Runs a Terraform command that takes the stack's state lock (plan, apply, destroy, import), recorded in the
 * workspace while it runs (see runs.ts). When the lock is held:
 * - by a run of this workspace whose process is gone, the lock is released (`terraform force-unlock`), which
 *   the step announces with the lock's ID, and the command runs again;
 * - otherwise the command runs again waiting up to LOCK_WAIT for the holder, and then fails naming it and the
 *   command that would release the lock, which local mode never runs on a live or unknown holder.
 */
export async function lockingTerraform(
  step: Step,
  space: Workspace,
  env: NodeJS.ProcessEnv,
  stack: Environment,
  args: readonly string[],
  okCodes: readonly number[] = [0],
  wait = LOCK_WAIT,
): Promise<{ code: number; stdout: string }> {
  const dir = stackDir(space, stack);
  const attempt = async (extra: readonly string[]) => {
    let run: RunRecord | undefined;
    const onSpawn = (pid: number, offset: number) => {
      run = { stack, pid, command: args[0], who: lockOwner(), startedAt: new Date().toISOString(), log: step.log, offset };
      recordRun(space, run);
    };
    try {
      // Flags before the arguments: `import` reads its address and ID last, and stops reading flags at them.
      const [command, ...rest] = args;
      const result = await step.capture("terraform", [`-chdir=${dir}`, command, ...extra, "-no-color", ...rest], { env, okCodes, onSpawn });
      if (run) forgetRun(space, run);
      return result;
    } catch (error) {
      // A command that ended by itself wrote its state and released its lock; one stopped by a signal may not have.
      if (run && !(error instanceof StepFailure && error.signal)) forgetRun(space, run);
      if (!run || !(error instanceof StepFailure) || error.signal) throw error;
      const output = readFrom(step.log, run.offset);
      const lock = parseStateLock(output);
      if (lock) throw new HeldLock(lock);
      error.output = output;
      throw error;
    }
  };

  let waited = false;
  for (let released = 0; ; ) {
    try {
      return await attempt(waited ? [`-lock-timeout=${wait}`] : []);
    } catch (error) {
      if (!(error instanceof HeldLock)) throw error;
      const { lock } = error;
      const holder = lockHolder(lock, holderFacts(space, stack, dir));
      if (holder.state === "gone" && released < 2) {
        const stopped = stopLeftovers(holder.run);
        if (stopped.length > 0) step.announce(`stopped the provider processes the dead run left running: ${stopped.join(", ")}`);
        await step.run("terraform", [`-chdir=${dir}`, "force-unlock", "-force", lock.id], { env });
        released++;
        step.announce(`released the stale state lock ${lock.id} (a terraform ${holder.run.command} started ${holder.run.startedAt}, process ${holder.run.pid}, no longer runs)`);
        continue;
      }
      if (!waited) {
        waited = true;
        step.announce(`the state lock ${lock.id} is held (${describeHolder(holder)}): waiting up to ${wait} for it`);
        continue;
      }
      throw new StepFailure(
        `${stack}'s state is locked: lock ${lock.id}, taken by ${lock.who || "an unnamed holder"} for ${lockOperation(lock)} ${lockAge(lock, new Date())} ago (${lock.created}); ${describeHolder(holder)}. ` +
          `Waited ${wait}. Local mode never breaks such a lock: when that run has certainly ended, release it with\n  ${forceUnlockCommand(lock, dir)}`,
        step.log,
      );
    }
  }
}

/** A command failed on a held state lock. */
class HeldLock extends Error {
  constructor(readonly lock: StateLock) {
    super(`the state lock ${lock.id} is held`);
  }
}

function describeHolder(holder: ReturnType<typeof lockHolder>): string {
  if (holder.state === "running") return `Terraform still runs on it here, process ${holder.pids.join(", ")}`;
  if (holder.state === "gone") return `its run, process ${holder.run.pid}, is gone`;
  return holder.reason;
}
