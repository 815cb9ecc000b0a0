import { App } from "cdktf";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { environmentFlag, parseCommandLine, UsageError } from "../ci/cli";
import { ConfigError, ENVIRONMENTS, type Environment, loadConfig, type PlatformConfig } from "../config";
import { migrate } from "../migrate/migrate";
import type { StackJson } from "../migrate/plan";
import { MigrationInputError } from "../migrate/state";
import { names } from "../naming/names";
import { definePlatform } from "../../stacks/platform";

const USAGE = `usage: npm run --silent migrate:hcl -- --env <${ENVIRONMENTS.join("|")}> --state <state.json> [--out <overlay.yaml>] [--state-key <key>]

Reads the Terraform state (terraform state pull) of an environment deployed with the HCL implementation and
writes the configuration overlay with which this project's stack of that environment takes it over: moved blocks
to its addresses, the physical names it keeps, removed blocks (destroy = false) for what it no longer manages,
import blocks where an object changes type, and the old zone's records for the prod zone. Merge the overlay into
your configuration (COALITION_CONFIG), then plan: nothing may be destroyed (docs/migrating.md).

  --out        write the overlay to this file (atomically) instead of stdout
  --state-key  the state's key in the bucket when it is not {env}/terraform.tfstate: the stack then starts from a
               state of its own and imports every object instead of moving it

The report (moved, kept under the old name, imported, replaced, forgotten, not recognised, carried records) goes
to stderr. Exit 1, writing nothing, if an object holding data would be replaced; exit 2 for input it cannot use.`;

export interface MigrateArgs {
  readonly environment: Environment;
  readonly state: string;
  readonly out?: string;
  readonly stateKey?: string;
}

export function parseMigrateArgs(argv: string[]): MigrateArgs | "help" {
  const options = {
    env: { type: "string" },
    state: { type: "string" },
    out: { type: "string" },
    "state-key": { type: "string" },
    help: { type: "boolean", short: "h" },
  } as const;
  const { values } = parseCommandLine(argv, options, false);
  if (values.help) return "help";
  const environment = environmentFlag("--env", values.env);
  if (values.state === undefined) throw new UsageError("--state is required");
  return { environment, state: values.state, out: values.out, stateKey: values["state-key"] };
}

/** The environment's stack as Terraform JSON, synthesized from `config` as main.ts wires it (without local mode). */
function synthesize(environment: Environment, config: PlatformConfig): StackJson {
  const { stacks } = definePlatform(new App({ skipValidation: true }), config);
  return stacks.find((stack) => stack.environment === environment)!.toTerraform() as StackJson;
}

/** Writes `text` to `file` through a temporary file in the same folder, so the file is whole or absent. */
function writeAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  try {
    const args = parseMigrateArgs(argv);
    if (args === "help") {
      console.log(USAGE);
      return 0;
    }
    let stateText: string;
    try {
      stateText = readFileSync(args.state, "utf8");
    } catch (error) {
      throw new MigrationInputError(`${args.state}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const result = migrate({
      environment: args.environment,
      stateText,
      stateSource: args.state,
      mode: args.stateKey === undefined || args.stateKey === names.stateKey(args.environment) ? "move" : "import",
      loadConfig: (overlay) => loadConfig(env, overlay),
      synthesize: (config) => synthesize(args.environment, config),
    });
    console.error(result.report);
    if (result.refused.length > 0) return 1;
    if (args.out) writeAtomically(args.out, result.overlay);
    else process.stdout.write(result.overlay);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`migrate:hcl: ${error.message} (usage: npm run --silent migrate:hcl -- --help)`);
      return 2;
    }
    if (error instanceof MigrationInputError) {
      console.error(`migrate:hcl: ${error.message}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(`migrate:hcl: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
