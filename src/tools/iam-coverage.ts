import { App } from "cdktf";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { environmentFlag, parseCommandLine, UsageError } from "../ci/cli";
import { ConfigError, ENVIRONMENTS, type Environment, loadConfig } from "../config";
import { checkCoverage, formatReport } from "../iam-coverage/coverage";
import { GITHUB_ROLE_RESOURCES, type GitHubRoleKind, type SynthesizedStackJson } from "../iam-coverage/roles";
import { coverageSubject } from "../iam-coverage/subject";
import { definePlatform } from "../../stacks/platform";

const ROLES = Object.keys(GITHUB_ROLE_RESOURCES) as GitHubRoleKind[];

const USAGE = `usage: npm run --silent iam:coverage -- --stack <${ENVIRONMENTS.join("|")}> [--role <${ROLES.join("|")}>] <terraform-log>...

Reads Terraform debug logs (TF_LOG=debug: local:up and local:down write them per stack when
COALITION_TERRAFORM_LOG_DIR names a folder), maps every AWS API call in them to the IAM action and resource ARN
AWS authorizes it as, and simulates each against the stack's GitHub Actions role as synthesized from the project
configuration: the deploy role (default) or the read-only plan role, with its permissions boundary if it has one.
Calls made through the shared account's vpc-peering-accepter or vpc-peering-reader are judged against that role.
Prints one line per denied request and per call whose action or ARN cannot be derived, then the denied requests on
what only an administrator applies (the boundary, the deploy and plan roles: listed, not counted), and ends with
actions=<n> denied=<m>. Exits 1 when m > 0, 2 on bad arguments or an unreadable log.`;

interface Arguments {
  readonly stack: Environment;
  readonly role: GitHubRoleKind;
  readonly logs: string[];
}

/** The command's arguments, or "help". Throws a UsageError naming what is wrong. */
export function parseCoverageArgs(argv: string[]): Arguments | "help" {
  const { values, positionals } = parseCommandLine(argv, { stack: { type: "string" }, role: { type: "string" }, help: { type: "boolean", short: "h" } }, true);
  if (values.help) return "help";
  const stack = environmentFlag("--stack", values.stack);
  const role = values.role ?? "deploy";
  if (!(ROLES as string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")}, not ${JSON.stringify(role)}`);
  if (positionals.length === 0) throw new UsageError("give at least one Terraform log");
  for (const log of positionals) readable(log);
  return { stack, role: role as GitHubRoleKind, logs: positionals };
}

/** Fails with a UsageError unless the file can be read. */
function readable(file: string): void {
  try {
    if (!statSync(file).isFile()) throw new UsageError(`${file} is not a file`);
    const fd = openSync(file, "r");
    try {
      readSync(fd, Buffer.alloc(1), 0, 1, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The stack as Terraform JSON, synthesized from the project configuration in `env`. */
function synthesize(stack: Environment, env: NodeJS.ProcessEnv) {
  const config = loadConfig(env);
  const { stacks } = definePlatform(new App({ skipValidation: true }), config);
  const found = stacks.find((candidate) => candidate.environment === stack)!;
  return { config, json: found.toTerraform() as SynthesizedStackJson };
}

/** Where the command writes. */
interface Output {
  write(text: string): unknown;
}

/** Runs the command; resolves with its exit code, having written its output. */
export async function iamCoverage(argv: string[], env: NodeJS.ProcessEnv = process.env, out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  let args: Arguments | "help";
  try {
    args = parseCoverageArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err.write(`iam:coverage: ${error.message} (see --help)\n`);
    return 2;
  }
  if (args === "help") {
    out.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const { config, json } = synthesize(args.stack, env);
    const report = await checkCoverage(args.logs, coverageSubject(config, args.stack, json, args.role));
    if (report.calls === 0) {
      err.write(`iam:coverage: ${args.logs.join(", ")}: no AWS request found; is it a Terraform debug log (TF_LOG=debug)?\n`);
      return 2;
    }
    out.write(formatReport(report));
    return report.denied.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      err.write(`iam:coverage: ${error.message}\n`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code && (error as NodeJS.ErrnoException).syscall) {
      err.write(`iam:coverage: cannot read a log: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  void iamCoverage(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
