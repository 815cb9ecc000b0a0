import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { StateLock } from "../../src/ci/terraform-lock";
import { forgetRun, type HolderFacts, isTerraformProcess, killedRuns, leftoverProcesses, lockHolder, recordRun, recordedRuns, type RunRecord, stopLeftovers } from "../../src/local/runs";
import { workspace } from "../../src/local/workspace";

const HERE = "ops@laptop";
const lock = (overrides: Partial<StateLock> = {}): StateLock => ({
  id: "6f1e2d3c-0000-4000-8000-000000000001",
  path: "state-bucket/prod/terraform.tfstate",
  operation: "OperationTypeApply",
  who: HERE,
  version: "1.11.4",
  created: "2026-12-02 10:00:03.123456789 +0000 UTC",
  ...overrides,
});
const run = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  stack: "prod",
  pid: 4242,
  command: "apply",
  who: HERE,
  startedAt: "2026-12-02T10:00:01.000Z",
  log: "/logs/apply-prod.log",
  offset: 0,
  ...overrides,
});
const facts = (overrides: Partial<HolderFacts> = {}): HolderFacts => ({ who: HERE, runs: [run()], isRunning: () => false, terraformInStack: [], ...overrides });

describe("who holds a stack's state lock", () => {
  it("a recorded run of this workspace whose process is gone: the lock is stale", () => {
    expect(lockHolder(lock(), facts())).toEqual({ state: "gone", run: run() });
  });

  it("the recorded run's process still runs: never stale", () => {
    expect(lockHolder(lock(), facts({ isRunning: (pid) => pid === 4242 }))).toEqual({ state: "running", pids: [4242] });
  });

  it("any Terraform process working in the stack's folder holds it, whatever the records say", () => {
    expect(lockHolder(lock(), facts({ terraformInStack: [777] }))).toEqual({ state: "running", pids: [777] });
  });

  it("a lock of another machine or user is never judged stale", () => {
    const holder = lockHolder(lock({ who: "ci@runner-7" }), facts());
    expect(holder.state).toBe("unknown");
    expect(holder.state === "unknown" && holder.reason).toContain("ci@runner-7");
  });

  it("a lock no recorded run took (taken before the run started, or long after) is not this workspace's to break", () => {
    expect(lockHolder(lock({ created: "2026-12-02 09:59:00 +0000 UTC" }), facts()).state).toBe("unknown");
    expect(lockHolder(lock({ created: "2026-12-02 11:00:00 +0000 UTC" }), facts()).state).toBe("unknown");
    expect(lockHolder(lock(), facts({ runs: [] })).state).toBe("unknown");
  });

  it("the latest run that started before the lock was taken is its holder", () => {
    const older = run({ pid: 1, startedAt: "2026-12-02T09:58:00.000Z" });
    const newer = run({ pid: 2, startedAt: "2026-12-02T10:00:02.000Z" });
    expect(lockHolder(lock(), facts({ runs: [older, newer], isRunning: (pid) => pid === 2 }))).toEqual({ state: "running", pids: [2] });
    expect(lockHolder(lock(), facts({ runs: [older, newer], isRunning: (pid) => pid === 1 }))).toEqual({ state: "gone", run: newer });
  });

  it("where the processes in the folder cannot be listed, a gone run is not enough", () => {
    expect(lockHolder(lock(), facts({ terraformInStack: undefined })).state).toBe("unknown");
  });

  it("an unreadable creation time is not enough either", () => {
    expect(lockHolder(lock({ created: "yesterday" }), facts()).state).toBe("unknown");
  });
});

describe("the runs a workspace records", () => {
  it("lists a stack's runs oldest first, finds the killed ones, and forgets them one by one", async () => {
    const space = workspace({ COALITION_LOCAL_DIR: path.join(mkdtempSync(path.join(tmpdir(), "coalition-runs-")), "ws") });
    // A live process that is not Terraform stands for a run's id reused by another program.
    const other = spawn("sleep", ["30"]);
    try {
      recordRun(space, run({ pid: other.pid!, startedAt: "2026-12-02T10:00:05.000Z" }));
      recordRun(space, run({ pid: 999_999_999, startedAt: "2026-12-02T10:00:01.000Z" }));
      recordRun(space, run({ stack: "dev", pid: 12 }));
      expect(recordedRuns(space, "prod").map((recorded) => recorded.startedAt)).toEqual(["2026-12-02T10:00:01.000Z", "2026-12-02T10:00:05.000Z"]);
      expect(isTerraformProcess(other.pid!)).toBe(false);
      expect(killedRuns(space, "prod")).toHaveLength(2);
      forgetRun(space, { stack: "prod", pid: 999_999_999 });
      expect(recordedRuns(space, "prod").map((recorded) => recorded.pid)).toEqual([other.pid]);
      expect(recordedRuns(space, "dev")).toHaveLength(1);
    } finally {
      other.kill();
    }
  });
});

describe.skipIf(process.platform !== "linux")("what a killed run leaves running", () => {
  it("finds the provider plugins of a dead run's process group, and stops them; nothing else of the group", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "coalition-leftovers-"));
    const plugin = path.join(dir, "terraform-provider-aws_v5.100.0_x5");
    copyFileSync("/bin/sleep", plugin);
    // A group leader (standing for Terraform) that starts a plugin and another program, then dies.
    const leader = spawn("bash", ["-c", `"${plugin}" 30 & sleep 30 & echo started; exit 0`], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
    await new Promise((resolve) => leader.once("exit", resolve));
    // The plugin may still be starting (forked, not yet running its program) when the leader is gone.
    let left = leftoverProcesses({ pid: leader.pid! });
    for (let tries = 0; left.length === 0 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = leftoverProcesses({ pid: leader.pid! });
    }
    try {
      expect(left).toHaveLength(1);
      expect(stopLeftovers({ pid: leader.pid! })).toEqual(left);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(leftoverProcesses({ pid: leader.pid! })).toEqual([]);
    } finally {
      try {
        process.kill(-leader.pid!, "SIGKILL");
      } catch {
        // The group is gone.
      }
    }
  });
});
