import { ENVIRONMENTS, type Environment } from "../config";
import { MAX_REVIEWERS, type Reviewers } from "../constructs/github-environments";

/** Names the reviewers of an environment: `COALITION_PROD_REVIEWERS="user:alice,team:platform"`. */
export const reviewersVariable = (env: Environment) => `COALITION_${env.toUpperCase()}_REVIEWERS`;

/** Turns the GitHub part of the bootstrap stack off (`false`) or on (`true`, the default). */
export const MANAGE_GITHUB_VARIABLE = "COALITION_BOOTSTRAP_GITHUB";

export interface BootstrapSettings {
  readonly manageGitHub: boolean;
  readonly reviewers: Partial<Record<Environment, Reviewers>>;
}

/** Every problem in the bootstrap stack's settings, each naming its variable. */
export class BootstrapSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid bootstrap settings (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "BootstrapSettingsError";
  }
}

const USER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Reads the bootstrap stack's own settings from the environment; throws a BootstrapSettingsError listing every problem. */
export function loadBootstrapSettings(env: Readonly<Record<string, string | undefined>>): BootstrapSettings {
  const problems: string[] = [];
  const manage = env[MANAGE_GITHUB_VARIABLE] ?? "true";
  if (manage !== "true" && manage !== "false") problems.push(`${MANAGE_GITHUB_VARIABLE}: must be true or false, not ${JSON.stringify(manage)}`);

  const reviewers: Partial<Record<Environment, Reviewers>> = {};
  for (const environment of ENVIRONMENTS) {
    const variable = reviewersVariable(environment);
    const value = env[variable];
    if (value === undefined || value.trim() === "") continue;
    const users: string[] = [];
    const teams: string[] = [];
    for (const entry of value.split(",").map((part) => part.trim())) {
      const [, kind, name] = /^(user|team):(.*)$/.exec(entry) ?? [];
      if (kind === "user" && USER.test(name)) users.push(name);
      else if (kind === "team" && TEAM.test(name)) teams.push(name);
      else problems.push(`${variable}: ${JSON.stringify(entry)} is not user:LOGIN or team:SLUG`);
    }
    for (const list of [users, teams]) {
      const repeated = list.filter((name, i) => list.indexOf(name) !== i);
      if (repeated.length > 0) problems.push(`${variable}: names ${[...new Set(repeated)].join(", ")} twice`);
    }
    if (users.length + teams.length > MAX_REVIEWERS) {
      problems.push(`${variable}: lists ${users.length + teams.length} reviewers; GitHub allows at most ${MAX_REVIEWERS}`);
    }
    reviewers[environment] = { users, teams };
  }
  if (problems.length > 0) throw new BootstrapSettingsError(problems);
  return { manageGitHub: manage === "true", reviewers };
}
