import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseCommandLine, UsageError } from "../ci/cli";
import { ConfigError } from "../config";
import { EMULATOR_COMMAND, recordedEmulator, runningEmulator } from "./emulator";
import { interruptCommands, killCommands, Progress, resumeCommands, StepFailure, tail, wasInterrupted } from "./progress";
import { type Workspace, workspace } from "./workspace";

/** What a local command needs once its arguments and configuration are known to be good. */
export interface LocalCommand {
  readonly name: string;
  readonly usage: string;
  /**
   * Checks everything that can be checked before anything is written (throwing ConfigError or UsageError),
   * and returns the work to do, or a message when there is nothing to do.
   */
  prepare(space: Workspace): Promise<((progress: Progress) => Promise<string[]>) | string>;
}

/**
 * Runs `local:up` or `local:down`: bad arguments exit 2 and a bad configuration exits 1, both before anything is
 * started or written; then each step is shown with its duration, and a failing step exits 1 naming the step,
 * its log (kept, like every log of the run) and the log's last lines.
 */
export async function runLocalCommand(command: LocalCommand, argv = process.argv.slice(2)): Promise<void> {
  const say = (stream: NodeJS.WriteStream, text: string) => stream.write(`${text}\n`);
  let work: Awaited<ReturnType<LocalCommand["prepare"]>>;
  const space = workspace(process.env);
  try {
    const { values } = parseCommandLine(argv, { help: { type: "boolean", short: "h" } }, false);
    if (values.help) {
      say(process.stdout, command.usage);
      return;
    }
    work = await command.prepare(space);
  } catch (error) {
    if (error instanceof UsageError) {
      say(process.stderr, `${command.name}: ${error.message}\n\n${command.usage}`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof ConfigError) {
      say(process.stderr, `${command.name}: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  if (typeof work === "string") {
    say(process.stdout, `${command.name}: ${work}`);
    return;
  }

  const logDir = path.join(space.logsDir, `${command.name.replace(/\W+/g, "-")}-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  const progress = new Progress(logDir);
  const shown = path.relative(process.cwd(), logDir);
  say(process.stdout, `${command.name}: logs of every step in ${shown.startsWith("..") ? logDir : shown}`);
  const stopSignals = handleStopSignals(command.name, (text) => say(process.stderr, text));
  try {
    const summary = await work(progress);
    say(process.stdout, `\n${command.name} done in ${progress.elapsed()}.`);
    for (const line of summary) say(process.stdout, line);
  } catch (error) {
    if (wasInterrupted()) {
      say(process.stderr, `\n${command.name} was interrupted after ${progress.elapsed()}; every log of this run is kept in ${logDir}.`);
      say(process.stderr, `Terraform was asked to stop as on Ctrl-C: it wrote its state and released its lock. npm run local:up carries on from there, npm run local:down removes it all.`);
      process.exitCode = 130;
      return;
    }
    const failure = error instanceof StepFailure ? error : new StepFailure((error as Error).stack ?? String(error));
    const log = failure.log ? `\nIts log: ${failure.log}${tail(failure.log) ? `, which ends with:\n${indent(tail(failure.log))}` : ""}` : "";
    say(process.stderr, `\n${command.name} FAILED at step "${failure.step ?? "?"}" after ${progress.elapsed()}:\n${indent(failure.message)}${log}`);
    say(process.stderr, `Every log of this run is kept in ${logDir}.`);
    const emulator = recordedEmulator(space);
    if (emulator && (await runningEmulator(space))) {
      say(process.stderr, `The emulator (${emulator.endpoint}, pid ${emulator.pid}) keeps running with what was deployed so far: npm run local:up carries on from there, npm run local:down removes it.`);
    }
    process.exitCode = 1;
  } finally {
    stopSignals();
  }
}

/**
 * While a command runs, Ctrl-C (SIGINT) or SIGTERM stops it cleanly: the running commands are asked to stop as on
 * Ctrl-C (Terraform then writes its state and releases its lock) and no new one starts. A second signal stops
 * them at once (SIGKILL) and exits: the next local:up or local:down releases what they left (see runs.ts).
 * Returns the function that removes the handlers.
 */
function handleStopSignals(name: string, say: (text: string) => void): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (!wasInterrupted()) {
      const running = interruptCommands();
      say(`\n${name}: ${signal}: asking the ${running} running command${running === 1 ? "" : "s"} to stop (Terraform writes its state and releases its lock). ${signal} again stops at once.`);
      return;
    }
    killCommands();
    say(`${name}: ${signal} again: stopped at once. The next npm run local:up or local:down releases the locks left and adopts what a killed apply created.`);
    process.exit(130);
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
    resumeCommands();
  };
}

export function indent(text: string): string {
  return text.replace(/^/gm, "  ");
}

/** Checks that the programs local mode runs are installed; the message says which is missing and why it is needed. */
export function requireTools(tools: readonly ("terraform" | "aws" | "moto")[]): string[] {
  const checks = {
    terraform: { command: "terraform", args: ["version", "-json"], need: "Terraform >= 1.10 runs the stacks" },
    aws: { command: "aws", args: ["--version"], need: "the AWS CLI runs the bootstrap scripts" },
    moto: { command: EMULATOR_COMMAND, args: ["--help"], need: "moto_server is the AWS emulator (pip install 'moto[server]')" },
  } as const;
  return tools.map((tool) => {
    const { command, args, need } = checks[tool];
    const result = spawnSync(command, args, { encoding: "utf8" });
    if (result.status !== 0) throw new StepFailure(`${command} is not installed or not on PATH: ${need}`);
    if (tool !== "terraform") return command;
    const version = (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version;
    const [major, minor] = version.split(".").map(Number);
    if (major < 1 || (major === 1 && minor < 10)) throw new StepFailure(`terraform ${version} is too old: the stacks need >= 1.10`);
    return `terraform ${version}`;
  });
}
