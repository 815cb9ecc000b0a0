import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import type { ZodIssue } from "zod";
import { configSchema, ENVIRONMENTS, type PlatformConfig } from "./schema";

/** The committed example configuration; every other source is merged over it. */
export const EXAMPLE_CONFIG_PATH = path.join(projectRoot(), "src", "config", "example.yaml");

/** Names a configuration file (YAML or JSON) merged over the example. */
export const CONFIG_FILE_VARIABLE = "COALITION_CONFIG";

/** Environment variables that override single fields, applied after the configuration file. */
export const ENVIRONMENT_OVERRIDES: Readonly<Record<string, readonly string[]>> = {
  COALITION_PREFIX: ["prefix"],
  COALITION_REGION: ["region"],
  COALITION_GITHUB_REPO: ["github", "repo"],
  COALITION_STATE_LOCKING: ["state", "locking"],
  COALITION_SHARED_ACCOUNT_ID: ["accounts", "shared", "accountId"],
  COALITION_PROD_ACCOUNT_ID: ["accounts", "prod", "accountId"],
  COALITION_DEV_ACCOUNT_ID: ["accounts", "dev", "accountId"],
};

/** Every problem found in a configuration, each naming the field (and where the value came from). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** A configuration as its file holds it, before validation. */
export type Tree = Record<string, unknown>;

/**
 * Builds the platform configuration from the example, the file named by COALITION_CONFIG and the
 * COALITION_* overrides in `env`, and validates all of it. Throws a ConfigError listing every problem.
 * `overlay` (a tool's proposal, such as migrate:hcl's) is merged over the file, under the overrides.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = {}, overlay?: Readonly<Tree>): PlatformConfig {
  let merged = readConfigFile(EXAMPLE_CONFIG_PATH);
  const file = env[CONFIG_FILE_VARIABLE];
  // An unset CI variable arrives as an empty string: treat it as unset, like the overrides below.
  if (file !== undefined && file !== "") merged = deepMerge(merged, readConfigFile(path.resolve(file), CONFIG_FILE_VARIABLE));
  if (overlay) merged = deepMerge(merged, overlay);

  const origins = new Map<string, string>();
  for (const [variable, fieldPath] of Object.entries(ENVIRONMENT_OVERRIDES)) {
    const value = env[variable];
    if (value === undefined || value === "") continue;
    merged = deepMerge(merged, nest(fieldPath, value));
    origins.set(fieldPath.join("."), variable);
  }
  return parseConfig(merged, origins);
}

/** Validates an already merged configuration tree. */
export function parseConfig(raw: unknown, origins: ReadonlyMap<string, string> = new Map()): PlatformConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => describe(issue, origins)));
  const config = result.data;
  const accounts = Object.fromEntries(
    ENVIRONMENTS.map((env) => {
      const account = config.accounts[env];
      const availabilityZones = account.network.availabilityZones ?? [`${config.region}a`, `${config.region}b`];
      return [env, { ...account, network: { ...account.network, availabilityZones } }];
    }),
  ) as PlatformConfig["accounts"];
  return { ...config, accounts };
}

function describe(issue: ZodIssue, origins: ReadonlyMap<string, string>): string {
  const field = issue.path.join(".") || "(top level)";
  const origin = origins.get(field);
  let message = issue.message;
  if (issue.code === "unrecognized_keys") message = `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_type" && issue.received === "undefined") message = "is required";
  return `${field}${origin ? ` (from ${origin})` : ""}: ${message}`;
}

function readConfigFile(file: string, variable?: string): Tree {
  const source = variable ? `${file} (named by ${variable})` : file;
  if (!existsSync(file)) throw new ConfigError([`${source}: file not found`]);
  let parsed: unknown;
  try {
    const text = readFileSync(file, "utf8");
    parsed = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError([`${source}: cannot be parsed: ${(error as Error).message.split("\n")[0]}`]);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError([`${source}: must contain a mapping of configuration fields`]);
  }
  return parsed as Tree;
}

/** The project's folder: the nearest one above this module holding cdktf.json (sources and bundles alike). */
export function projectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "cdktf.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no cdktf.json above ${__dirname}: cannot find the project`);
  }
}

function nest(fieldPath: readonly string[], value: unknown): Tree {
  return fieldPath.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Tree;
}

/** Merges `override` into `base`: mappings merge key by key, anything else (lists included) replaces. */
export function deepMerge(base: Tree, override: Tree): Tree {
  const result: Tree = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const existing = result[key];
    result[key] = isTree(existing) && isTree(value) ? deepMerge(existing, value) : value;
  }
  return result;
}

function isTree(value: unknown): value is Tree {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
