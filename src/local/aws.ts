import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { names } from "../naming/names";
import { ENVIRONMENTS, type Environment, type PlatformConfig } from "../config";
import type { Step } from "./progress";
import type { Workspace } from "./workspace";

/**
 * The role each profile assumes in its account. moto answers AssumeRole with credentials of the account named
 * in the role's ARN, which is how three profiles reach three accounts of one emulator.
 */
export const LOCAL_ADMIN_ROLE = "local-admin";

/** The profile holding the dummy keys the three account profiles assume their roles from. */
const KEYS_PROFILE = "local-keys";

/** Writes the AWS CLI/SDK configuration: one profile per environment, named after it, in its account. */
export function writeProfiles(space: Workspace, config: PlatformConfig): void {
  mkdirSync(space.awsDir, { recursive: true });
  const profiles = ENVIRONMENTS.map((env) =>
    [
      `[profile ${env}]`,
      `role_arn = ${names.roleArn(config.accounts[env].accountId, LOCAL_ADMIN_ROLE)}`,
      `source_profile = ${KEYS_PROFILE}`,
      `region = ${config.region}`,
    ].join("\n"),
  );
  writeFileSync(path.join(space.awsDir, "config"), [`[profile ${KEYS_PROFILE}]\nregion = ${config.region}`, ...profiles, ""].join("\n\n"));
  // Dummy keys: the emulator accepts any, and AWS would accept none of them.
  writeFileSync(
    path.join(space.awsDir, "credentials"),
    `[${KEYS_PROFILE}]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n`,
  );
}

/**
 * Forgets the credentials the AWS CLI cached from an earlier emulator (they live in the CLI's HOME): a new
 * emulator knows none of them and would put their calls into its default account.
 */
export function forgetCachedCredentials(space: Workspace): void {
  rmSync(path.join(space.awsDir, "home"), { recursive: true, force: true });
}

/**
 * Environment for AWS clients in local mode: the caller's environment without any AWS_* setting (credentials or
 * a profile of a real account must never reach these commands), plus the workspace's profiles. With
 * `endpoint`, every AWS CLI call goes to the emulator (the bootstrap scripts run unchanged); Terraform gets no
 * endpoint here, since the local-mode stacks name it themselves.
 */
export function awsEnvironment(space: Workspace, base: NodeJS.ProcessEnv, options: { profile?: Environment; endpoint?: string } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(base).filter(([name]) => !name.startsWith("AWS_")));
  Object.assign(env, {
    AWS_CONFIG_FILE: path.join(space.awsDir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(space.awsDir, "credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
  });
  if (options.profile) env.AWS_PROFILE = options.profile;
  if (options.endpoint) {
    env.AWS_ENDPOINT_URL = options.endpoint;
    // The AWS CLI caches assumed-role credentials under HOME; each emulator gets a HOME of its own.
    env.HOME = path.join(space.awsDir, "home");
    mkdirSync(env.HOME, { recursive: true });
  }
  return env;
}

/**
 * The AWS CLI on the emulator as one account's profile (its account and region). Each call resolves with the
 * exit code and the decoded JSON answer (undefined when the CLI prints nothing); a code not in `okCodes`
 * (default 0) fails the step. `quiet` keeps the answers out of the step's log.
 */
export function emulatorCli(step: Step, space: Workspace, endpoint: string, profile: Environment, quiet = false) {
  const env = awsEnvironment(space, process.env, { endpoint, profile });
  return async (args: readonly string[], okCodes?: readonly number[]): Promise<{ code: number; json: unknown }> => {
    const { code, stdout } = await step.capture("aws", ["--output", "json", ...args], { env, quiet, okCodes });
    return { code, json: code !== 0 || stdout.trim() === "" ? undefined : (JSON.parse(stdout) as unknown) };
  };
}
