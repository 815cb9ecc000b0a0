import { Document } from "yaml";
import type { Tree } from "../config";
import type { MigrationPlan } from "./plan";

/**
 * The configuration overlay of a plan: `migration.{env}` (moved, removed, imports, names), the database settings
 * kept from the state, and the prod zone's domain and records. Merged over the configuration by COALITION_CONFIG
 * (mappings merge, lists replace: the records list holds the configured records too).
 */
export function overlayOf(plan: MigrationPlan): Tree {
  const migration: Tree = {};
  if (plan.moved.length > 0) migration.moved = plan.moved.map(({ from, to }) => ({ from, to }));
  if (plan.removed.length > 0) migration.removed = [...plan.removed];
  if (plan.imports.length > 0) migration.imports = plan.imports.map(({ to, id }) => ({ to, id }));
  if (Object.keys(plan.names).length > 0) migration.names = { ...plan.names };
  const tree: Tree = { migration: { [plan.environment]: migration } };
  if (Object.keys(plan.database).length > 0) tree.database = { ...plan.database };
  const prod: Tree = {};
  if (plan.domain) prod.domain = plan.domain;
  if (plan.records) prod.dnsRecords = plan.records.map((record) => ({ ...record }));
  if (Object.keys(prod).length > 0) tree.applications = { prod };
  return tree;
}

/** The overlay as YAML, with a header saying where it comes from and how to use it. */
export function overlayYaml(plan: MigrationPlan, stateSource: string): string {
  const document = new Document(overlayOf(plan));
  document.commentBefore = [
    ` Taking over the ${plan.environment} stack's earlier state (${stateSource}), written by npm run migrate:hcl.`,
    ` Merge it into your configuration (or name it alone with COALITION_CONFIG), then plan the ${plan.environment} stack:`,
    " the plan must show nothing to destroy (docs/migrating.md).",
  ].join("\n");
  return document.toString({ lineWidth: 0 });
}
