import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { installCommand, missingPrerequisites, missingReport, type Prerequisite, PREREQUISITES } from "./prerequisites";

const USAGE = `Usage: npm run setup:test [-- --check]

Installs what the test groups need beyond Node and can be installed here: the Debian packages (PostgreSQL 15
with PostGIS, shellcheck, gh) with apt-get, and the Python ones (moto_server, the AWS CLI, cfn-lint) with pip,
then lists what is still missing (Terraform is installed by hand). Exits 1 if an install failed.
  --check   install nothing; exit 1, naming each, if anything is missing (.ci/run uses it)`;

function usageError(message: string): never {
  process.stderr.write(`setup:test: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function run(command: string, args: string[]): boolean {
  process.stdout.write(`$ ${[command, ...args].join(" ")}\n`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return result.status === 0;
}

/** apt-get as root, or through sudo. */
function aptGet(args: string[]): boolean {
  const root = process.getuid?.() === 0;
  return root ? run("apt-get", args) : run("sudo", ["apt-get", ...args]);
}

/** Installs every missing prerequisite it can; returns whether each attempted install succeeded. */
function install(missing: readonly Prerequisite[]): boolean {
  let ok = true;
  const apt = missing.flatMap((p) => ("apt" in p.install ? p.install.apt : []));
  if (apt.length > 0) ok = aptGet(["update", "-qq"]) && aptGet(["install", "-y", "-qq", ...apt]) && ok;
  const pip = missing.flatMap((p) => ("pip" in p.install ? [p.install.pip] : []));
  if (pip.length > 0) ok = run("python3", ["-m", "pip", "install", "--quiet", ...pip]) && ok;
  return ok;
}

async function main(): Promise<number> {
  let check = false;
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { check: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    check = values.check === true;
  } catch (error) {
    usageError((error as Error).message);
  }
  const installed = check || install(await missingPrerequisites());
  const left = await missingPrerequisites();
  if (left.length === 0) {
    process.stdout.write(`test prerequisites: all present (${PREREQUISITES.map((p) => p.tool).join(", ")})\n`);
    return installed ? 0 : 1;
  }
  process.stderr.write(`${missingReport(left)}\n`);
  if (!check) for (const p of left.filter((p) => "manual" in p.install)) process.stderr.write(`${p.tool}: ${installCommand(p)}\n`);
  return check || !installed ? 1 : 0;
}

main().then((code) => process.exit(code));
