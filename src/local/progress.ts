import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";

/** A step that did not succeed: what went wrong, and the log that shows it. */
export class StepFailure extends Error {
  /** The step it happened in, filled in by Progress. */
  step?: string;
  /** The signal that stopped the command, when one did. */
  signal?: string;
  /** The command's output, when the caller kept it to explain the failure. */
  output?: string;

  constructor(
    message: string,
    readonly log?: string,
  ) {
    super(message);
    this.name = "StepFailure";
  }
}

export interface RunOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Exit codes that are not a failure; default only 0. */
  readonly okCodes?: readonly number[];
  /** `capture` only: keep stdout out of the log too (large JSON). */
  readonly quiet?: boolean;
  /** Called once the command has started, with its process id and where its output starts in the log. */
  readonly onSpawn?: (pid: number, offset: number) => void;
}

/** What a step's body can do: run commands into the step's log, and add a word to its result line. */
export interface Step {
  readonly log: string;
  /** Runs a command with its output appended to the log; resolves with its exit code. */
  run(command: string, args: readonly string[], options: RunOptions): Promise<number>;
  /** Runs a command, keeping its stdout (which goes to the log as well, unless `quiet`). */
  capture(command: string, args: readonly string[], options: RunOptions): Promise<{ code: number; stdout: string }>;
  /** Appends a line of text to the log. */
  record(text: string): void;
  /** Says what the step found or did, on its result line. */
  report(text: string): void;
  /** Says something at once, on a line of its own under the step (and in the log). */
  announce(text: string): void;
}

/**
 * Prints each step of a command as it starts and ends, with its duration, and gives each step a log file of
 * its own under `logDir`, kept after the run. A failing step throws a StepFailure naming itself and its log.
 */
export class Progress {
  private count = 0;
  private readonly started = performance.now();

  constructor(
    readonly logDir: string,
    private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  async step<T>(name: string, body: (step: Step) => Promise<T>): Promise<T> {
    const log = path.join(this.logDir, `${String(++this.count).padStart(2, "0")}-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.log`);
    const reports: string[] = [];
    const begin = performance.now();
    this.print(`→ ${name}`);
    try {
      const result = await body(stepInto(log, reports, (text) => this.print(`  ${name}: ${text}`)));
      this.print(`✓ ${name}${reports.length > 0 ? `: ${reports.join("; ")}` : ""} (${duration(performance.now() - begin)})`);
      return result;
    } catch (error) {
      const failure = error instanceof StepFailure ? error : new StepFailure((error as Error).message ?? String(error), log);
      failure.step ??= name;
      this.print(`✗ ${name} failed (${duration(performance.now() - begin)})`);
      throw failure;
    }
  }

  /** Time since the command started. */
  elapsed(): string {
    return duration(performance.now() - this.started);
  }
}

/** Runs steps side by side; every one finishes before the first failure is thrown. */
export async function together<T>(runs: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(runs);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

export function duration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** A file's text from a byte offset on ("" when it is shorter). */
export function readFrom(file: string, offset: number): string {
  if (!existsSync(file)) return "";
  const text = readFileSync(file);
  return text.length <= offset ? "" : text.subarray(offset).toString("utf8");
}

/** The last lines of a log, to show under a failure. */
export function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * The commands running now. Each leads a process group of its own, so that a Ctrl-C at the terminal reaches this
 * process only, which passes it on once (interruptCommands): Terraform takes a second SIGINT as "stop at once".
 */
const running = new Set<ChildProcess>();
let interrupted = false;

/**
 * Asks every running command to stop as it would on Ctrl-C (SIGINT: Terraform writes its state and releases its
 * lock, then exits), and lets no new command start. Returns how many were running.
 */
export function interruptCommands(): number {
  interrupted = true;
  for (const child of running) signalGroup(child, "SIGINT");
  return running.size;
}

/** Stops every running command and its children at once (SIGKILL). */
export function killCommands(): void {
  interrupted = true;
  for (const child of running) signalGroup(child, "SIGKILL");
}

/** Lets commands start again after an interruption (for the next command run by the same process). */
export function resumeCommands(): void {
  interrupted = false;
}

/** Whether interruptCommands or killCommands was called. */
export function wasInterrupted(): boolean {
  return interrupted;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function stepInto(log: string, reports: string[], announce: (text: string) => void): Step {
  const append = (text: string) => {
    const fd = openSync(log, "a");
    try {
      writeSync(fd, text.endsWith("\n") ? text : `${text}\n`);
    } finally {
      closeSync(fd);
    }
  };
  append("");
  const start = (command: string, args: readonly string[], options: RunOptions, keepStdout: boolean) =>
    new Promise<{ code: number; stdout: string }>((resolve, reject) => {
      if (interrupted) {
        reject(new StepFailure(`interrupted: ${command} was not started`, log));
        return;
      }
      append(`$ ${[command, ...args].join(" ")}${options.cwd ? `   (in ${options.cwd})` : ""}`);
      // The log's own descriptor, not a pipe: a child keeps writing its log even if this process is interrupted.
      const fd = openSync(log, "a");
      const offset = fstatSync(fd).size;
      const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", keepStdout ? "pipe" : fd, fd], detached: true });
      running.add(child);
      if (child.pid !== undefined) options.onSpawn?.(child.pid, offset);
      let stdout = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk;
        if (!options.quiet) writeSync(fd, chunk);
      });
      child.on("error", (error) => {
        running.delete(child);
        closeSync(fd);
        reject(new StepFailure(`cannot run ${command}: ${error.message}`, log));
      });
      child.on("close", (code, signal) => {
        running.delete(child);
        closeSync(fd);
        const status = code ?? 128;
        if (!(options.okCodes ?? [0]).includes(status)) {
          const subcommand = args.find((arg) => !arg.startsWith("-")) ?? "";
          const failure = new StepFailure(`${[command, subcommand].join(" ").trim()} ${signal ? `was stopped by ${signal}` : `exited with ${status}`}`, log);
          if (signal) failure.signal = signal;
          reject(failure);
        } else {
          resolve({ code: status, stdout });
        }
      });
    });
  return {
    log,
    run: async (command, args, options) => (await start(command, args, options, false)).code,
    capture: (command, args, options) => start(command, args, options, true),
    record: append,
    report: (text) => reports.push(text),
    announce: (text) => {
      append(text);
      announce(text);
    },
  };
}
