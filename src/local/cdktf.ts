import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { CONFIG_FILE_VARIABLE, ConfigError, type PlatformConfig } from "../config";
import { localConfig } from "./config";
import { runningEmulator } from "./emulator";
import { type ProviderSource, findProviderSource, terraformEnvironment } from "./terraform";
import { LOCAL_DIR_VARIABLE, type Workspace, workspace } from "./workspace";

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
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
