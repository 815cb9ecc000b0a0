import { deepMerge, type Environment, parseConfig, type Tree } from "../../src/config";
import { migrate, type MigrateResult } from "../../src/migrate/migrate";
import type { AdoptionMode } from "../../src/migrate/plan";
import { exampleTree } from "../support/config";
import { synthPlatform } from "../support/synth";

/**
 * migrate:hcl's work without the command line: the example configuration (its accounts are the fixtures'),
 * changed by `change`, the stacks synthesized as main.ts wires them.
 */
export function migrateState(environment: Environment, state: object, options: { change?: (tree: any) => void; mode?: AdoptionMode; stateText?: string } = {}): MigrateResult {
  const base = (): Tree => {
    const tree = exampleTree();
    options.change?.(tree);
    return tree;
  };
  return migrate({
    environment,
    stateText: options.stateText ?? JSON.stringify(state),
    stateSource: `${environment}.tfstate.json`,
    mode: options.mode ?? "move",
    loadConfig: (overlay) => parseConfig(overlay ? deepMerge(base(), overlay) : base()),
    synthesize: (config) => synthPlatform(config)[environment],
  });
}

/** The resource part of an instance address. */
export const resourceOf = (address: string) => address.replace(/\[[^\]]*\]$/, "");

/** Every instance address of a fixture state, with its type. */
export function instancesOf(state: object): { address: string; type: string }[] {
  return (state as { resources: { module?: string; type: string; name: string; instances: { index_key?: string | number }[] }[] }).resources.flatMap((resource) =>
    resource.instances.map((instance) => {
      const base = `${resource.module ? `${resource.module}.` : ""}${resource.type}.${resource.name}`;
      return { address: instance.index_key === undefined ? base : `${base}[${JSON.stringify(instance.index_key)}]`, type: resource.type };
    }),
  );
}

/** The types whose objects hold data, as the issue lists them, written out here independently of src/migrate. */
export const HOLDS_DATA: ReadonlySet<string> = new Set([
  "aws_db_instance",
  "aws_s3_bucket",
  "aws_secretsmanager_secret",
  "aws_secretsmanager_secret_version",
  "aws_kms_key",
  "aws_ecr_repository",
  "aws_route53_zone",
  "aws_dynamodb_table",
  "aws_cloudwatch_log_group",
]);
