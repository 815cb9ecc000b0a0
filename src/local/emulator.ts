import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tail } from "./progress";
import type { Workspace } from "./workspace";

/** The emulator local mode runs: moto_server, which keeps every account's resources in memory. */
export const EMULATOR_COMMAND = "moto_server";

/**
 * How moto is started:
 * - it loads AWS's managed IAM policies only when asked to; the bastion's role attaches one
 *   (AmazonSSMManagedInstanceCore), which must exist as it does in AWS;
 * - it issues a DNS-validated ACM certificate a fixed time after the request, whatever the DNS records (60 s
 *   by default), which prod's certificate validation would wait out: 10 s keeps the certificate pending for
 *   a while, as AWS does, without waiting a minute.
 */
const EMULATOR_SETTINGS = { MOTO_IAM_LOAD_MANAGED_POLICIES: "true", MOTO_ACM_VALIDATION_WAIT: "10" };

/** A running emulator, as recorded in the workspace between commands. */
export interface EmulatorRecord {
  readonly pid: number;
  readonly endpoint: string;
  readonly startedAt: string;
  /** The fingerprint of the bootstrap this emulator holds, once local:up has bootstrapped it. */
  readonly bootstrapped?: string;
}

/** The emulator recorded in the workspace, if that process still runs and answers; undefined otherwise. */
export async function runningEmulator(space: Workspace): Promise<EmulatorRecord | undefined> {
  const record = readRecord(space);
  if (!record || !isEmulatorProcess(record.pid)) return undefined;
  return (await answers(record.endpoint)) ? record : undefined;
}

/** Whether the workspace names an emulator at all (running or not). */
export function recordedEmulator(space: Workspace): EmulatorRecord | undefined {
  return readRecord(space);
}

/**
 * Starts moto_server on 127.0.0.1 and a free port, detached so that it outlives `local:up` (its state is in
 * memory: it must keep running until `local:down`), logging to the workspace, and records it there.
 */
export async function startEmulator(space: Workspace, env: NodeJS.ProcessEnv): Promise<EmulatorRecord> {
  mkdirSync(space.dir, { recursive: true });
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const log = openSync(space.emulatorLog, "w");
  const child = spawn(EMULATOR_COMMAND, ["-H", "127.0.0.1", "-p", String(port)], {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...env, ...EMULATOR_SETTINGS },
  });
  closeSync(log);
  let exit: string | undefined;
  child.on("exit", (code, signal) => (exit = signal ? `was stopped by ${signal}` : `exited with ${code}`));
  child.on("error", (error) => (exit = `could not start: ${error.message}`));
  child.unref();
  const deadline = Date.now() + 30_000;
  while (!(await answers(endpoint))) {
    if (exit) throw new Error(`${EMULATOR_COMMAND} ${exit}; its log (${space.emulatorLog}) ends with:\n${tail(space.emulatorLog, 10)}`);
    if (Date.now() > deadline) {
      if (child.pid) process.kill(child.pid, "SIGTERM");
      throw new Error(`${EMULATOR_COMMAND} did not answer on ${endpoint} within 30 s; see ${space.emulatorLog}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const record: EmulatorRecord = { pid: child.pid!, endpoint, startedAt: new Date().toISOString() };
  writeRecord(space, record);
  return record;
}

function writeRecord(space: Workspace, record: EmulatorRecord): void {
  writeFileSync(space.emulatorRecord, `${JSON.stringify(record, null, 2)}\n`);
}

/** Stops the recorded emulator (the process local:up started, by its id) and forgets it. */
export async function stopEmulator(space: Workspace, record: EmulatorRecord): Promise<void> {
  if (isEmulatorProcess(record.pid)) {
    process.kill(record.pid, "SIGTERM");
    const deadline = Date.now() + 15_000;
    while (isAlive(record.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (isAlive(record.pid)) process.kill(record.pid, "SIGKILL");
  }
  forgetEmulator(space);
}

/** Records that the emulator holds the bootstrap with this fingerprint; returns the updated record. */
export function recordBootstrap(space: Workspace, record: EmulatorRecord, fingerprint: string): EmulatorRecord {
  const updated: EmulatorRecord = { ...record, bootstrapped: fingerprint };
  writeRecord(space, updated);
  return updated;
}

/** Removes the record of an emulator that no longer runs. */
export function forgetEmulator(space: Workspace): void {
  rmSync(space.emulatorRecord, { force: true });
}

function readRecord(space: Workspace): EmulatorRecord | undefined {
  if (!existsSync(space.emulatorRecord)) return undefined;
  try {
    const record = JSON.parse(readFileSync(space.emulatorRecord, "utf8")) as EmulatorRecord;
    return Number.isInteger(record.pid) && typeof record.endpoint === "string" ? record : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process runs and is moto_server (not another process that reused the id). */
function isEmulatorProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  // Where there is no /proc, the answer on the recorded port is the only check.
  return !existsSync("/proc/self") || (existsSync(cmdline) && readFileSync(cmdline, "utf8").includes(EMULATOR_COMMAND));
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    return (await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** A TCP port on 127.0.0.1 nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
