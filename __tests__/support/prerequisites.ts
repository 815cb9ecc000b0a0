import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

/**
 * The tools test groups need beyond Node, each with how to install it. `npm test` reports the missing ones
 * once, at the start (__tests__/global-setup.ts); `npm run setup:test` installs what it can; `.ci/run` requires
 * them all. A test group asks `have(...)` and skips without them.
 */
export type Tool = "terraform" | "moto_server" | "aws" | "cfn-lint" | "shellcheck" | "gh" | "postgis";

/** How a tool is installed: Debian packages, a Python package, or by hand. */
export type Install = { readonly apt: readonly string[] } | { readonly pip: string } | { readonly manual: string };

export interface Prerequisite {
  readonly tool: Tool;
  /** The tests that skip without it. */
  readonly needs: string;
  readonly install: Install;
  /** Whether it is here. */
  readonly check: () => Promise<boolean>;
}

/** Whether a command exits 0. */
const runs = (command: string, args: string[] = ["--version"]) =>
  new Promise<boolean>((resolve) => execFile(command, args, (error) => resolve(error === null)));

/** PostgreSQL's binaries: POSTGRES_BIN_DIR, else the folder pg_config names, else PATH. */
export function postgresBinary(name: string): string {
  const dir = process.env.POSTGRES_BIN_DIR ?? postgresBinDir();
  return dir ? path.join(dir, name) : name;
}

function postgresBinDir(): string | undefined {
  const result = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Why PostgreSQL with PostGIS cannot run here, if it cannot. */
export function postgisMissing(): string | undefined {
  if (spawnSync(postgresBinary("initdb"), ["--version"]).status !== 0) return "initdb not found (set POSTGRES_BIN_DIR or install PostgreSQL)";
  const share = spawnSync("pg_config", ["--sharedir"], { encoding: "utf8" });
  if (share.status !== 0 || !existsSync(path.join(share.stdout.trim(), "extension", "postgis.control"))) return "the PostGIS extension is not installed";
  return undefined;
}

export const PREREQUISITES: readonly Prerequisite[] = [
  {
    tool: "terraform",
    needs: "terraform test of every stack against mocked providers, the plan comment and workflow steps on real plans, local mode's locking",
    install: { manual: "install Terraform >= 1.10 on PATH (a HashiCorp release)" },
    check: () => runs("terraform", ["version"]),
  },
  {
    tool: "moto_server",
    needs: "db:provision's secrets, local mode's locking; in npm run test:local, every end-to-end run",
    install: { pip: "moto[server]==5.2.1" },
    check: () => runs("moto_server", ["--help"]),
  },
  { tool: "aws", needs: "local mode's locking; in npm run test:local, every end-to-end run", install: { pip: "awscli==1.45.11" }, check: () => runs("aws") },
  { tool: "cfn-lint", needs: "cfn-lint of the CloudFormation templates", install: { pip: "cfn-lint==1.51.0" }, check: () => runs("cfn-lint") },
  { tool: "shellcheck", needs: "shellcheck of the bootstrap scripts and the workflows' run scripts", install: { apt: ["shellcheck"] }, check: () => runs("shellcheck") },
  { tool: "gh", needs: "configure_github.sh against a fake GitHub API", install: { apt: ["gh"] }, check: () => runs("gh") },
  {
    tool: "postgis",
    needs: "db:provision against a real PostgreSQL 15 with PostGIS",
    install: { apt: ["postgresql-15", "postgresql-15-postgis-3"] },
    check: async () => postgisMissing() === undefined,
  },
];

/** The prerequisites that are not here, checked side by side. */
export async function missingPrerequisites(): Promise<Prerequisite[]> {
  const present = await Promise.all(PREREQUISITES.map((p) => p.check()));
  return PREREQUISITES.filter((_, i) => !present[i]);
}

/** Names the tools the global setup found, for the test workers (which inherit its environment). */
export const PRESENT_TOOLS_VARIABLE = "TEST_TOOLS_PRESENT";

/** Whether every one of `tools` is here, as the global setup found at the start of the run. */
export function have(...tools: Tool[]): boolean {
  const present = process.env[PRESENT_TOOLS_VARIABLE];
  if (present === undefined) throw new Error(`${PRESENT_TOOLS_VARIABLE} is not set: run the tests with vitest and this project's configuration`);
  return tools.every((tool) => present.split(",").includes(tool));
}

/** The command that installs a prerequisite, as a person would type it. */
export function installCommand({ install }: Prerequisite): string {
  if ("apt" in install) return `apt-get install -y ${install.apt.join(" ")}`;
  if ("pip" in install) return `pip install '${install.pip}'`;
  return install.manual;
}

/** The missing prerequisites, each with what skips without it and its install command. */
export function missingReport(missing: readonly Prerequisite[]): string {
  if (missing.length === 0) return "";
  const bar = "!".repeat(78);
  const lines = missing.flatMap((p) => [`!! ${p.tool} is missing: SKIPPED ${p.needs}.`, `!!   install: ${installCommand(p)}`]);
  return [bar, ...lines, "!! npm run setup:test installs the Debian and Python packages it can.", bar].join("\n");
}
