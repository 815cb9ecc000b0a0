import { App } from "cdktf";
import { environmentFlag, parseCommandLine, UsageError } from "../ci/cli";
import { ConfigError, ENVIRONMENTS, type Environment, loadConfig } from "../config";
import { definePlatform } from "../../stacks/platform";

const USAGE = `usage: npm run --silent import-commands -- --env <${ENVIRONMENTS.join("|")}> --account-id <12-digit id>

Prints the terraform import commands that adopt the GitHub OIDC provider, role and inline policies the
CloudFormation bootstrap created in that account, at this project's Terraform addresses. Run them in
cdktf.out/stacks/<env> after \`npm run synth\` and \`terraform init\`.`;

/** The `terraform import` lines for one environment, from the stacks as main.ts builds them. */
export function importCommands(environment: Environment, accountId: string, env: NodeJS.ProcessEnv = {}): string[] {
  const variable = `COALITION_${environment.toUpperCase()}_ACCOUNT_ID`;
  const config = loadConfig({ ...env, [variable]: accountId });
  const { shared, applications } = definePlatform(new App({ skipValidation: true }), config);
  const stack = [shared, ...applications].find((candidate) => candidate.environment === environment)!;
  return stack.githubOidc.importTargets().map(({ address, id }) => `terraform import ${address} ${id}`);
}

export function parseImportArgs(argv: string[]): { environment: Environment; accountId: string } | "help" {
  const { values } = parseCommandLine(argv, { env: { type: "string" }, "account-id": { type: "string" }, help: { type: "boolean", short: "h" } }, false);
  if (values.help) return "help";
  const environment = environmentFlag("--env", values.env);
  const accountId = values["account-id"];
  if (accountId === undefined) throw new UsageError("--account-id is required");
  if (!/^\d{12}$/.test(accountId)) throw new UsageError(`--account-id must be a 12-digit AWS account id, not ${JSON.stringify(accountId)}`);
  return { environment, accountId };
}

function main(argv: string[]): number {
  try {
    const args = parseImportArgs(argv);
    if (args === "help") {
      console.log(USAGE);
      return 0;
    }
    const lines = importCommands(args.environment, args.accountId, process.env);
    console.log(`# in cdktf.out/stacks/${args.environment}, after npm run synth and terraform init:`);
    console.log(lines.join("\n"));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`import-commands: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
