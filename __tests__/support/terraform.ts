import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { mirrorCliConfiguration, PROVIDER_MIRROR_VARIABLE, unattendedTerraformEnvironment } from "../../src/local/terraform";
import { SHARED_PROVIDER_VARIABLE } from "./shared-provider";

/**
 * Environment for running terraform unattended. With TERRAFORM_PROVIDER_MIRROR set (by the global setup, when it
 * finds a mirror), a generated CLI configuration installs the AWS provider from that mirror only.
 */
export function terraformEnvironment(): NodeJS.ProcessEnv {
  const env = unattendedTerraformEnvironment(process.env);
  const mirror = process.env[PROVIDER_MIRROR_VARIABLE];
  if (mirror) {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "terraform-cli-")), "cli.tfrc");
    writeFileSync(file, mirrorCliConfiguration(path.resolve(mirror)));
    env.TF_CLI_CONFIG_FILE = file;
  }
  return env;
}

/**
 * Environment for `terraform test` of a configuration whose AWS providers are all mocked: it attaches to the AWS
 * provider the global setup started, when it started one (see shared-provider.ts), instead of starting its own.
 */
export function mockedTerraformEnvironment(): NodeJS.ProcessEnv {
  const env = terraformEnvironment();
  const reattach = process.env[SHARED_PROVIDER_VARIABLE];
  return reattach ? { ...env, TF_REATTACH_PROVIDERS: reattach } : env;
}

export interface TerraformResult {
  status: number | null;
  output: string;
}

/** Runs one terraform command in `dir`, returning its exit status and combined output. */
export function terraform(dir: string, args: string[], env: NodeJS.ProcessEnv): TerraformResult {
  const result = spawnSync("terraform", [...args, "-no-color"], { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
