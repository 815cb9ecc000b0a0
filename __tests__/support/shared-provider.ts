import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import type { Socket } from "node:net";
import * as path from "node:path";
import { unattendedTerraformEnvironment } from "../../src/local/terraform";

/**
 * One AWS provider process, started once by the global setup, that every `terraform test` against mocked providers
 * attaches to (TF_REATTACH_PROVIDERS) instead of starting its own: Terraform starts the provider once per provider
 * configuration and phase (25 times for prod's test file), and each start builds the whole schema again. This cuts
 * a quarter of the CPU those runs take.
 *
 * Safe only where every AWS provider is mocked: Terraform then asks the provider for its schema and to validate
 * configuration, calls that keep no state, so Terraforms running side by side can share it. A run that configures
 * a provider (a plan or apply against the emulator) must start its own: one process holds one configuration.
 */

/** Set by the global setup to the TF_REATTACH_PROVIDERS value of the provider it started, when it could start one. */
export const SHARED_PROVIDER_VARIABLE = "TEST_AWS_PROVIDER_REATTACH";

export interface SharedProvider {
  /** The value for TF_REATTACH_PROVIDERS. */
  readonly reattach: string;
  /** Stops the provider. */
  readonly stop: () => void;
}

/** Terraform's name for this machine's platform (linux_amd64, darwin_arm64, …). */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const names: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };
  return `${platform}_${names[arch] ?? arch}`;
}

/** The AWS provider's executable of `version` in a filesystem mirror (unpacked layout), if the mirror holds it. */
export function mirroredProvider(mirror: string, version: string, platform: string = terraformPlatform()): string | undefined {
  const dir = path.join(mirror, "registry.terraform.io", "hashicorp", "aws", version, platform);
  const file = existsSync(dir) ? readdirSync(dir).find((name) => name.startsWith("terraform-provider-aws")) : undefined;
  return file === undefined ? undefined : path.join(dir, file);
}

/**
 * Starts `executable` in the provider protocol's debug mode, which keeps it running and prints the
 * TF_REATTACH_PROVIDERS value Terraforms attach with. Rejects, naming why, when it exits or prints none in time.
 */
export function startSharedProvider(executable: string, timeoutMs = 30_000): Promise<SharedProvider> {
  return new Promise((resolve, reject) => {
    // Its log (on stderr, at trace level in debug mode) is not needed: discarded, so that it cannot fill a pipe.
    const child = spawn(executable, ["-debug"], { env: unattendedTerraformEnvironment(process.env), stdio: ["ignore", "pipe", "ignore"] });
    let printed = "";
    let found = false;
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`${executable} -debug ${why}`));
    };
    const timer = setTimeout(() => fail(`printed no TF_REATTACH_PROVIDERS within ${timeoutMs / 1000} s`), timeoutMs);
    child.on("error", (error) => fail(`could not start: ${error.message}`));
    child.on("exit", (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before printing TF_REATTACH_PROVIDERS`));
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (found) return; // what it prints later is read and dropped, so that the pipe never fills
      printed += chunk;
      const value = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(printed)?.[1];
      if (value === undefined) return;
      found = true;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      // It neither keeps this process alive nor outlives it: a caller that never stops it still ends, stopping it.
      const stop = () => child.kill();
      child.unref();
      (child.stdout as Socket).unref();
      process.once("exit", stop);
      resolve({ reattach: value, stop });
    });
  });
}
