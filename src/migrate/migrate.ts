import type { Environment, PlatformConfig, Tree } from "../config";
import { migrationProblems } from "../core/account-stack";
import { checkEnvironment } from "./environment";
import { overlayOf, overlayYaml } from "./overlay";
import { type AdoptionMode, type MigrationPlan, planMigration, type Replacement, replacements, type StackJson } from "./plan";
import { fatalReplacements, migrationReport } from "./report";
import { readState } from "./state";

export interface MigrateOptions {
  readonly environment: Environment;
  /** The state, as `terraform state pull` prints it. */
  readonly stateText: string;
  /** Names the state in messages (its file). */
  readonly stateSource: string;
  readonly mode: AdoptionMode;
  /** The configuration, with an overlay merged over it when given (loadConfig). */
  readonly loadConfig: (overlay?: Tree) => PlatformConfig;
  /** The environment's stack synthesized from a configuration (its Terraform JSON). */
  readonly synthesize: (config: PlatformConfig) => StackJson;
}

export interface MigrateResult {
  readonly plan: MigrationPlan;
  /** Moved or imported objects the stack would still replace. */
  readonly replaced: readonly Replacement[];
  /** Those that hold data: the migration is refused. */
  readonly refused: readonly Replacement[];
  /** The configuration overlay (YAML). */
  readonly overlay: string;
  /** The report (for stderr). */
  readonly report: string;
}

/**
 * Plans the takeover of an earlier HCL state by the environment's stack: reads and checks the state, maps every
 * instance, synthesizes the stack again with the overlay to check that every block lands and that no object would
 * be replaced by an argument that differs, and reports. Throws a MigrationInputError for input it cannot use.
 */
export function migrate(options: MigrateOptions): MigrateResult {
  const { environment } = options;
  const instances = readState(options.stateText, options.stateSource);
  const config = options.loadConfig();
  checkEnvironment(instances, environment, config, options.stateSource);
  const plan = planMigration({ environment, config, instances, stack: options.synthesize(config), mode: options.mode });

  const adopted = options.loadConfig(overlayOf(plan));
  const stack = options.synthesize(adopted);
  const migration = adopted.migration?.[environment];
  const problems = migration ? migrationProblems(environment, migration, stack as Record<string, unknown>) : [];
  if (problems.length > 0) throw new Error(`the overlay does not fit the ${environment} stack:\n${problems.join("\n")}`);

  const replaced = replacements(plan, instances, stack);
  return {
    plan,
    replaced,
    refused: fatalReplacements(replaced),
    overlay: overlayYaml(plan, options.stateSource),
    report: migrationReport(plan, replaced, options.stateSource),
  };
}
