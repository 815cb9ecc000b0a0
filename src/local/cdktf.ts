import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { CONFIG_FILE_VARIABLE, ConfigError, ENVIRONMENTS, type PlatformConfig } from "../config";
import { localConfig } from "./config";
import { runningEmulator } from "./emulator";
import { type ProviderSource, findProviderSource, terraformEnvironment } from "./terraform";
import { terraformProcessesIn } from "./runs";
import { LOCAL_DIR_VARIABLE, stackDir, type Workspace, workspace } from "./workspace";

const USAGE = `Usage: npm run local:cdktf -- <cdktf command> [stacks...] [flags]

Runs the cdktf CLI against the emulator npm run local:up started, for example
  npm run local:cdktf -- diff prod
  npm run local:cdktf -- deploy shared prod dev
with local mode's configuration (the one local:up deploys), the workspace's AWS profiles (each stack signs in
to its own emulated account; the caller's AWS_* settings never reach it), the provider mirror local:up uses,
and cdktf's output in the workspace (cdktf.out/local, or COALITION_LOCAL_DIR), where local:up keeps the stacks:
cdktf.out and real accounts are never touched. cdktf's own help: npm run local:cdktf -- <command> --help.`;

/** The local-mode configuration, written where the app run by cdktf reads it (COALITION_CONFIG). */
export function writeLocalConfig(space: Workspace, config: PlatformConfig): string {
  mkdirSync(space.dir, { recursive: true });
  const file = path.join(space.dir, "config.yaml");
  writeFileSync(file, `# Written by npm run local:cdktf: the configuration npm run local:up deploys.\n${stringify(config)}`);
  return file;
}

/**
 * The environment cdktf runs in: no AWS_* setting and no COALITION_* override of the caller's (the written
 * configuration already holds them), the workspace's AWS configuration, the provider mirror, and cdktf's output
 * in the workspace.
 */
export function localCdktfEnvironment(space: Workspace, source: ProviderSource, configFile: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(Object.entries(base).filter(([name]) => !name.startsWith("COALITION_") || name === LOCAL_DIR_VARIABLE));
  return { ...terraformEnvironment(space, source, undefined, kept), [CONFIG_FILE_VARIABLE]: configFile, CDKTF_OUTPUT: space.synthDir };
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    process.stderr.write(`local:cdktf: name a cdktf command\n\n${USAGE}\n`);
    return 2;
  }
  if (argv[0] === "--help" || argv[0] === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const space = workspace(process.env);
  const emulator = await runningEmulator(space);
  if (!emulator) {
    process.stderr.write(`local:cdktf: no emulator runs for the workspace ${space.dir}: start one with npm run local:up\n`);
    return 1;
  }
  let configFile: string;
  try {
    configFile = writeLocalConfig(space, localConfig(process.env, emulator.endpoint));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`local:cdktf: ${error.message}\n`);
    return 1;
  }
  const env = localCdktfEnvironment(space, findProviderSource(space, process.env), configFile, process.env);
  const child = spawn(path.join(space.root, "node_modules", ".bin", "cdktf"), argv, { cwd: space.root, env, stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  const code = await new Promise<number>((resolve) => child.on("exit", (exit, signal) => resolve(exit ?? (signal ? 1 : 0))));
  const left = await terraformFinished(space, TERRAFORM_WAIT_MS);
  if (left.length > 0) {
    process.stderr.write(`local:cdktf: cdktf ended while Terraform still runs on ${left.map(({ stack, pids }) => `${stack} (process ${pids.join(", ")})`).join(", ")}; it holds the stack's state lock until it ends\n`);
    return code === 0 ? 1 : code;
  }
  return code;
}

/** How long local:cdktf waits, once cdktf has ended, for the Terraform processes it started to end too. */
const TERRAFORM_WAIT_MS = 120_000;

/**
 * Waits for the Terraform processes working in the workspace's stacks to end: cdktf can end before the Terraform
 * it started has released its state lock, which the next command on that stack would find held. Resolves with
 * those still running after `timeoutMs` (none where processes cannot be listed).
 */
export async function terraformFinished(space: Workspace, timeoutMs: number): Promise<{ stack: string; pids: number[] }[]> {
  const running = () => ENVIRONMENTS.map((stack) => ({ stack, pids: terraformProcessesIn(stackDir(space, stack)) ?? [] })).filter(({ pids }) => pids.length > 0);
  const deadline = Date.now() + timeoutMs;
  for (let left = running(); ; left = running()) {
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
