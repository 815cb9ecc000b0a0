import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";

/** A step that did not succeed: what went wrong, and the log that shows it. */
export class StepFailure extends Error {
  /** The step it happened in, filled in by Progress. */
  step?: string;

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
      const result = await body(stepInto(log, reports));
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

/** The last lines of a log, to show under a failure. */
export function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

function stepInto(log: string, reports: string[]): Step {
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
      append(`$ ${[command, ...args].join(" ")}${options.cwd ? `   (in ${options.cwd})` : ""}`);
      // The log's own descriptor, not a pipe: a child keeps writing its log even if this process is interrupted.
      const fd = openSync(log, "a");
      const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", keepStdout ? "pipe" : fd, fd] });
      let stdout = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk;
        if (!options.quiet) writeSync(fd, chunk);
      });
      child.on("error", (error) => {
        closeSync(fd);
        reject(new StepFailure(`cannot run ${command}: ${error.message}`, log));
      });
      child.on("close", (code, signal) => {
        closeSync(fd);
        const status = code ?? 128;
        if (!(options.okCodes ?? [0]).includes(status)) {
          const subcommand = args.find((arg) => !arg.startsWith("-")) ?? "";
          reject(new StepFailure(`${[command, subcommand].join(" ").trim()} ${signal ? `was stopped by ${signal}` : `exited with ${status}`}`, log));
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
  };
}
