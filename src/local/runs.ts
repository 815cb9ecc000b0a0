import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import * as path from "node:path";
import { lockCreatedAt, type StateLock } from "../ci/terraform-lock";
import type { Workspace } from "./workspace";

/**
 * A Terraform command local mode started on a stack, recorded in the workspace from its start until it ends by
 * itself. A record whose process no longer runs is a run that was killed: its lock may be left behind, and what
 * it created since its last state snapshot is named only in its output.
 */
export interface RunRecord {
  readonly stack: string;
  /** Terraform's process id. */
  readonly pid: number;
  /** The Terraform command: apply, destroy, plan, import… */
  readonly command: string;
  /** Who Terraform names as a lock's holder: `<user>@<host>` of this machine. */
  readonly who: string;
  readonly startedAt: string;
  /** The log its output goes to, and where in it the output starts. */
  readonly log: string;
  readonly offset: number;
}

/** `<user>@<host>`, as Terraform writes a lock's `Who`. */
export function lockOwner(): string {
  return `${userInfo().username}@${hostname()}`;
}

function runsDir(space: Workspace): string {
  return path.join(space.dir, "runs");
}

function runFile(space: Workspace, run: Pick<RunRecord, "stack" | "pid">): string {
  return path.join(runsDir(space), `${run.stack}.${run.pid}.json`);
}

export function recordRun(space: Workspace, run: RunRecord): void {
  mkdirSync(runsDir(space), { recursive: true });
  writeFileSync(runFile(space, run), `${JSON.stringify(run, null, 2)}\n`);
}

/** Forgets a run: it ended by itself (its state written, its lock released), or what it left is dealt with. */
export function forgetRun(space: Workspace, run: Pick<RunRecord, "stack" | "pid">): void {
  rmSync(runFile(space, run), { force: true });
}

/**
 * Forgets every recorded run, stopping what killed ones left running: the emulator they ran against is gone, and
 * their locks and resources with it.
 */
export function forgetAllRuns(space: Workspace): void {
  if (existsSync(runsDir(space))) {
    for (const file of readdirSync(runsDir(space))) {
      const pid = Number(file.split(".")[1]);
      if (Number.isInteger(pid)) stopLeftovers({ pid });
    }
  }
  rmSync(runsDir(space), { recursive: true, force: true });
}

/** The runs recorded for a stack, oldest first. */
export function recordedRuns(space: Workspace, stack: string): RunRecord[] {
  if (!existsSync(runsDir(space))) return [];
  return readdirSync(runsDir(space))
    .filter((file) => file.startsWith(`${stack}.`) && file.endsWith(".json"))
    .flatMap((file) => {
      try {
        return [JSON.parse(readFileSync(path.join(runsDir(space), file), "utf8")) as RunRecord];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** The recorded runs of a stack whose process is gone without having ended by itself: killed runs. */
export function killedRuns(space: Workspace, stack: string): RunRecord[] {
  return recordedRuns(space, stack).filter((run) => !isTerraformProcess(run.pid));
}

/** What this machine knows of the processes that could hold a stack's lock. */
export interface HolderFacts {
  /** This machine's `<user>@<host>`. */
  readonly who: string;
  /** The runs local mode recorded for the stack. */
  readonly runs: readonly RunRecord[];
  /** Whether a process id is a running Terraform. */
  readonly isRunning: (pid: number) => boolean;
  /** Terraform processes working in the stack's folder now, or undefined where that cannot be known. */
  readonly terraformInStack: readonly number[] | undefined;
}

/** Who holds a lock, as far as this machine can tell. */
export type LockHolder =
  /** A run of this workspace whose process is gone: the lock is stale and safe to release. */
  | { readonly state: "gone"; readonly run: RunRecord }
  /** A Terraform process of this machine still works on the stack. */
  | { readonly state: "running"; readonly pids: readonly number[] }
  /** Nothing here says the holder is gone: another machine, or a run local mode did not start. */
  | { readonly state: "unknown"; readonly reason: string };

/** Time between a run's start and the lock it takes: Terraform locks within seconds of starting. */
const LOCK_TAKEN_WITHIN_MS = 10 * 60 * 1000;

/**
 * Judges a held lock. It is stale only when it was taken on this machine by a run this workspace recorded (taken
 * after that run started, by the same user and host), that run's process no longer exists, and no Terraform
 * process works in the stack's folder now.
 */
export function lockHolder(lock: StateLock, facts: HolderFacts): LockHolder {
  if (lock.who !== facts.who) return { state: "unknown", reason: `it was taken by ${lock.who || "an unnamed holder"}, not on this machine (${facts.who})` };
  const live = facts.terraformInStack ?? [];
  if (live.length > 0) return { state: "running", pids: live };
  const created = lockCreatedAt(lock)?.getTime();
  if (created === undefined) return { state: "unknown", reason: `its creation time (${JSON.stringify(lock.created)}) cannot be read` };
  const run = [...facts.runs].reverse().find((candidate) => {
    const started = Date.parse(candidate.startedAt);
    return candidate.who === lock.who && created >= started - 5000 && created - started <= LOCK_TAKEN_WITHIN_MS;
  });
  if (!run) return { state: "unknown", reason: "no run of this workspace took it (another Terraform command on this machine, or cdktf)" };
  if (facts.isRunning(run.pid)) return { state: "running", pids: [run.pid] };
  if (facts.terraformInStack === undefined) return { state: "unknown", reason: "this system cannot list the processes working in the stack's folder" };
  return { state: "gone", run };
}

/** Whether a process id is a running Terraform (not another process that reused the id). */
export function isTerraformProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync("/proc/self")) return true;
  try {
    return path.basename(readFileSync(cmdline, "utf8").split("\0")[0]) === "terraform";
  } catch {
    return false;
  }
}

/** Terraform processes whose working folder is `dir` (where `-chdir` or cdktf put them), or undefined without /proc. */
export function terraformProcessesIn(dir: string): number[] | undefined {
  if (!existsSync("/proc/self")) return undefined;
  const target = path.resolve(dir);
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === target && isTerraformProcess(pid);
      } catch {
        return false;
      }
    });
}

/**
 * The processes a killed run left behind: the members of its process group (local mode starts each command
 * leading a group of its own), such as the provider plugins Terraform had started, which outlive it. Only
 * provider plugins are listed; none where processes cannot be listed.
 */
export function leftoverProcesses(run: Pick<RunRecord, "pid">): number[] {
  if (!existsSync("/proc/self") || isTerraformProcess(run.pid)) return [];
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const group = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
        const program = path.basename(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]);
        return group === run.pid && program.startsWith("terraform-provider-");
      } catch {
        return false;
      }
    });
}

/** Stops what a killed run left behind (leftoverProcesses); returns their process ids. */
export function stopLeftovers(run: Pick<RunRecord, "pid">): number[] {
  const left = leftoverProcesses(run);
  for (const pid of left) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
  return left;
}

/** The facts for a stack's folder on this machine. */
export function holderFacts(space: Workspace, stack: string, dir: string): HolderFacts {
  return { who: lockOwner(), runs: recordedRuns(space, stack), isRunning: isTerraformProcess, terraformInStack: terraformProcessesIn(dir) };
}
