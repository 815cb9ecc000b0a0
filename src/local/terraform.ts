import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ENVIRONMENTS, type Environment } from "../config";
import { awsEnvironment } from "./aws";
import { type Progress, type Step, together } from "./progress";
import { stackDir, type Workspace } from "./workspace";

/** Names a local filesystem mirror of the providers (the folder holding registry.terraform.io/). */
export const PROVIDER_MIRROR_VARIABLE = "TERRAFORM_PROVIDER_MIRROR";

/**
 * Resources Terraform works on at once. Against the emulator most of an apply or a destroy is the provider's
 * fixed waits (Route53 changes, CloudFront, KMS, RDS), which cost no CPU: more of them overlap than with
 * Terraform's default of 10.
 */
export const TERRAFORM_PARALLELISM = 30;

/**
 * Go's garbage-collection target for Terraform and its provider processes, unless the caller sets GOGC. The AWS
 * provider builds its whole schema every time it starts, several times per command (once per provider
 * configuration and phase); at Go's default of 100 over a third of that CPU is spent collecting. At 400 a plan
 * of the dev stack took 12 s of CPU instead of 19, for about 150 MB more per provider process.
 */
export const TERRAFORM_GOGC = "400";

/**
 * Names a folder for Terraform's debug logs. When set, every Terraform command local mode runs on a stack
 * appends its debug log (TF_LOG=debug) to `<folder>/<stack>.log`: the AWS calls `npm run iam:coverage` checks
 * against the stack's roles. Unset (the default), Terraform logs nothing: the logs of a deployment take megabytes.
 */
export const TERRAFORM_LOG_DIR_VARIABLE = "COALITION_TERRAFORM_LOG_DIR";

/** Where a stack's Terraform debug log goes when TERRAFORM_LOG_DIR_VARIABLE names a folder. */
export function terraformLogFile(dir: string, stack: Environment): string {
  return path.join(path.resolve(dir), `${stack}.log`);
}

/** Settings for Terraform run unattended, added to `base`: no prompts, no version check, GOGC as above. */
export function unattendedTerraformEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...base, GOGC: base.GOGC ?? TERRAFORM_GOGC, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
}

/** A Terraform CLI configuration that installs the hashicorp providers from a filesystem mirror, and only there. */
export function mirrorCliConfiguration(mirror: string): string {
  return `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`;
}

/** Where Terraform gets the AWS provider from. */
export interface ProviderSource {
  /** The filesystem mirror, or undefined to download from the registry (into a shared plugin cache). */
  readonly mirror?: string;
  /** How it was found, for the progress line. */
  readonly origin: string;
}

/**
 * The provider mirror named by TERRAFORM_PROVIDER_MIRROR, else the one scripts/find-provider-mirror.sh finds on
 * this machine, else none (Terraform downloads the provider).
 */
export function findProviderSource(space: Workspace, env: NodeJS.ProcessEnv): ProviderSource {
  const named = env[PROVIDER_MIRROR_VARIABLE];
  if (named) {
    if (!existsSync(path.join(named, "registry.terraform.io"))) {
      throw new Error(`${PROVIDER_MIRROR_VARIABLE}=${named} holds no registry.terraform.io/ folder: it is not a provider mirror`);
    }
    return { mirror: path.resolve(named), origin: `${PROVIDER_MIRROR_VARIABLE}` };
  }
  const found = spawnSync("bash", [path.join(space.root, "scripts", "find-provider-mirror.sh")], { encoding: "utf8" });
  if (found.status === 0 && found.stdout.trim() !== "") return { mirror: found.stdout.trim(), origin: "scripts/find-provider-mirror.sh" };
  return { origin: "the Terraform registry (no provider mirror on this machine)" };
}

/**
 * Environment for Terraform in local mode, from `base`: the workspace's AWS profiles (`profile` the default one;
 * the local-mode stacks name their own), and where the provider comes from.
 */
export function terraformEnvironment(space: Workspace, source: ProviderSource, profile?: Environment, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  mkdirSync(space.terraformDir, { recursive: true });
  const env = unattendedTerraformEnvironment(awsEnvironment(space, base, { profile }));
  if (source.mirror) {
    const cliConfig = path.join(space.terraformDir, "cli.tfrc");
    const text = mirrorCliConfiguration(source.mirror);
    // Never rewritten in place: a Terraform started a moment before (the stacks start side by side) may be reading it.
    if (!existsSync(cliConfig) || readFileSync(cliConfig, "utf8") !== text) {
      writeFileSync(`${cliConfig}.${process.pid}`, text);
      renameSync(`${cliConfig}.${process.pid}`, cliConfig);
    }
    env.TF_CLI_CONFIG_FILE = cliConfig;
  } else {
    // The caller's own CLI configuration stays; one download serves the three stacks.
    env.TF_PLUGIN_CACHE_DIR = path.join(space.terraformDir, "plugin-cache");
    mkdirSync(env.TF_PLUGIN_CACHE_DIR, { recursive: true });
  }
  const logDir = base[TERRAFORM_LOG_DIR_VARIABLE];
  if (logDir && profile) {
    // Terraform appends to TF_LOG_PATH: the commands on one stack, which local mode runs one at a time, share its file.
    mkdirSync(path.resolve(logDir), { recursive: true });
    Object.assign(env, { TF_LOG: "debug", TF_LOG_PATH: terraformLogFile(logDir, profile) });
  }
  return env;
}

/** Runs terraform in a stack's folder; resolves with its exit code (codes outside okCodes fail the step). */
export function terraform(step: Step, space: Workspace, env: NodeJS.ProcessEnv, stack: Environment, args: string[], okCodes = [0]): Promise<number> {
  return step.run("terraform", [`-chdir=${stackDir(space, stack)}`, ...args, "-no-color"], { env, okCodes });
}

/**
 * The addresses in a stack's state, as `terraform state list` prints them, from `terraform state pull` (which
 * takes no lock, and prints an empty state, or nothing, for a stack never applied).
 */
export async function stateAddresses(step: Step, space: Workspace, env: NodeJS.ProcessEnv, stack: Environment): Promise<string[]> {
  return [...(await stateIds(step, space, env, stack)).keys()];
}

/** The resource instances in a stack's state, address → ID (`terraform state pull`; none for a stack never applied). */
export async function stateIds(step: Step, space: Workspace, env: NodeJS.ProcessEnv, stack: Environment): Promise<Map<string, string>> {
  const { stdout } = await step.capture("terraform", [`-chdir=${stackDir(space, stack)}`, "state", "pull"], { env, quiet: true });
  return stdout.trim() === "" ? new Map() : idsOf(JSON.parse(stdout));
}

interface StateResource {
  readonly module?: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly instances: readonly { readonly index_key?: string | number; readonly attributes?: { readonly id?: unknown } }[];
}

/**
 * The resource instances of a state (the JSON `terraform state pull` prints), by address as `terraform state
 * list` writes it, each with its `id` attribute ("" when it has none).
 */
export function idsOf(state: { resources?: readonly StateResource[] }): Map<string, string> {
  return new Map(
    (state.resources ?? []).flatMap((resource) => {
      const base = `${resource.module ? `${resource.module}.` : ""}${resource.mode === "data" ? "data." : ""}${resource.type}.${resource.name}`;
      return resource.instances.map(({ index_key: key, attributes }) => [key === undefined ? base : `${base}[${JSON.stringify(key)}]`, typeof attributes?.id === "string" ? attributes.id : ""] as const);
    }),
  );
}

/** The step that initializes the stacks (by default all three), side by side, against their state backends on the emulator. */
export function initStacks(progress: Progress, space: Workspace, source: ProviderSource, stacks: readonly Environment[] = ENVIRONMENTS): Promise<void> {
  return progress.step("terraform init", async (step) => {
    await together(stacks.map((stack) => terraform(step, space, terraformEnvironment(space, source, stack), stack, ["init", "-input=false", "-reconfigure"])));
  });
}

/** The summary line Terraform ends a plan's or an apply's output with ("Plan: 3 to add, …", "No changes."). */
export function outcomeLine(output: string): string | undefined {
  const lines = output.split("\n").map((line) => line.trim());
  return [...lines].reverse().find((line) => /^(Plan: |No changes\.|Apply complete!|Destroy complete!)/.test(line));
}
