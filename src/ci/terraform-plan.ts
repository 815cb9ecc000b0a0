import { readFileSync } from "node:fs";
import { z } from "zod";
import { UsageError } from "./cli";

const ACTIONS = ["no-op", "create", "read", "update", "delete", "forget"] as const;
type Action = (typeof ACTIONS)[number];

const actionsSchema = z.array(z.enum(ACTIONS)).min(1, "must name at least one action");

const resourceChangeSchema = z
  .object({
    address: z.string().min(1),
    previous_address: z.string().optional(),
    mode: z.enum(["managed", "data"]),
    deposed: z.string().optional(),
    action_reason: z.string().optional(),
    change: z
      .object({
        actions: actionsSchema,
        before: z.unknown().optional(),
        after: z.unknown().optional(),
        after_unknown: z.unknown().optional(),
        replace_paths: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
        importing: z.object({}).passthrough().nullish(),
      })
      .passthrough(),
  })
  .passthrough();

/** The parts of `terraform show -json <planfile>` (format 1.x) the plan comment reads. */
const planSchema = z
  .object({
    format_version: z.string().regex(/^1\./, "must be 1.x (this reads Terraform's plan format 1)"),
    terraform_version: z.string(),
    planned_values: z.object({}).passthrough(),
    resource_changes: z.array(resourceChangeSchema).default([]),
    output_changes: z.record(z.object({ actions: actionsSchema }).passthrough()).default({}),
  })
  .passthrough();

type ResourceChange = z.infer<typeof resourceChangeSchema>;

/** What a planned change does, one kind per resource instance. */
export type ChangeKind = "replace" | "delete" | "create" | "update" | "import" | "move" | "forget" | "read";

export interface PlannedChange {
  readonly address: string;
  readonly kind: ChangeKind;
  /** Why Terraform plans it, in words (e.g. "no longer in the configuration"). */
  readonly reason?: string;
  /** Replacements: the new object is created before the old one is destroyed. */
  readonly createBeforeDestroy?: boolean;
  /** Replacements: the attributes that force it. */
  readonly forcedBy?: string[];
  /** Updates: top-level attributes whose value changes (names only: values may be secret). */
  readonly attributes?: string[];
  readonly movedFrom?: string;
  readonly importing?: boolean;
  readonly deposed?: string;
}

export interface OutputChange {
  readonly name: string;
  readonly action: "create" | "update" | "delete";
}

/** Counted as Terraform counts them in its "Plan: …" line. */
export interface PlanCounts {
  readonly import: number;
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
}

export interface PlanSummary {
  readonly terraformVersion: string;
  readonly counts: PlanCounts;
  /** Every resource instance that changes, in plan order. */
  readonly changes: PlannedChange[];
  readonly outputs: OutputChange[];
}

const REASONS: Record<string, string> = {
  replace_because_tainted: "tainted",
  replace_because_cannot_update: "cannot be updated in place",
  replace_by_request: "replacement requested (-replace)",
  replace_by_triggers: "replace_triggered_by",
  delete_because_no_resource_config: "no longer in the configuration",
  delete_because_no_module: "its module is no longer in the configuration",
  delete_because_wrong_repetition: "count or for_each was added or removed",
  delete_because_count_index: "index out of range for count",
  delete_because_each_key: "key no longer in for_each",
  delete_because_no_move_target: "moved to an address that does not exist",
  read_because_config_unknown: "its configuration is known only during apply",
  read_because_dependency_pending: "it depends on changes not applied yet",
  read_because_check_nested: "a check block reads it",
};

/** The JSON of a plan file (`terraform show -json` output), or a UsageError naming what is wrong with the file. */
export function readPlanJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`, false);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON (${(error as Error).message}); give the output of terraform show -json <planfile>`, false);
  }
  return json;
}

/** Checks that `json` is a Terraform plan and summarizes what it changes. */
export function summarizePlan(json: unknown, source = "the input"): PlanSummary {
  const parsed = planSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => {
      const field = issue.path.join(".") || "(top level)";
      const message = issue.code === "invalid_type" && issue.received === "undefined" ? "is missing" : issue.message;
      return `${field} ${message}`;
    });
    const more = parsed.error.issues.length > problems.length ? ` (and ${parsed.error.issues.length - problems.length} more)` : "";
    throw new UsageError(
      `${source} is not a Terraform plan (the output of terraform show -json <planfile>): ${problems.join("; ")}${more}`,
      false,
    );
  }
  const plan = parsed.data;
  const changes = plan.resource_changes.flatMap((resource, index) => {
    const change = classify(resource, `${source}: resource_changes.${index}`);
    return change ? [change] : [];
  });
  const managed = changes.filter((change) => change.kind !== "read");
  const count = (...kinds: ChangeKind[]) => managed.filter((change) => kinds.includes(change.kind)).length;
  return {
    terraformVersion: plan.terraform_version,
    counts: {
      import: managed.filter((change) => change.importing).length,
      add: count("create", "replace"),
      change: count("update"),
      destroy: count("delete", "replace"),
    },
    changes,
    outputs: Object.entries(plan.output_changes).flatMap(([name, output]) => {
      const action = outputAction(output.actions);
      return action ? [{ name, action }] : [];
    }),
  };
}

/** What the action lists of a managed resource mean ("delete,create" replaces, destroying first). */
const MANAGED_KINDS: Readonly<Record<string, ChangeKind | undefined>> = {
  create: "create",
  update: "update",
  delete: "delete",
  forget: "forget",
  "delete,create": "replace",
  "create,delete": "replace",
};

function classify(resource: ResourceChange, where: string): PlannedChange | undefined {
  const { address, change } = resource;
  const actions = change.actions.join(",");
  const importing = change.importing != null;
  const movedFrom = resource.previous_address && resource.previous_address !== address ? resource.previous_address : undefined;
  const reason = resource.action_reason ? (REASONS[resource.action_reason] ?? resource.action_reason.replace(/_/g, " ")) : undefined;
  const common = { address, ...(movedFrom && { movedFrom }), ...(importing && { importing }), ...(resource.deposed && { deposed: resource.deposed }) };
  const mode = resource.mode;
  if (mode === "data") {
    if (actions === "read") return { ...common, kind: "read", ...(reason && { reason }) };
    if (actions === "no-op") return undefined;
  } else if (actions === "no-op") {
    if (importing) return { ...common, kind: "import" };
    if (movedFrom) return { ...common, kind: "move" };
    return undefined;
  } else {
    const kind = MANAGED_KINDS[actions];
    if (kind === "replace") {
      const forcedBy = (change.replace_paths ?? []).map(attributePath);
      return {
        ...common,
        kind,
        createBeforeDestroy: actions === "create,delete",
        ...(forcedBy.length > 0 && { forcedBy }),
        ...(reason && !(forcedBy.length > 0 && resource.action_reason === "replace_because_cannot_update") && { reason }),
      };
    }
    if (kind === "update") return { ...common, kind, attributes: changedAttributes(change.before, change.after, change.after_unknown) };
    // A forget's reason is always "not in the configuration": the removed block is the reason.
    if (kind) return { ...common, kind, ...(reason && kind !== "forget" && { reason }) };
  }
  throw new UsageError(`${where} (${address}) has actions [${actions}], which no Terraform plan of format 1 has for a ${mode} resource`, false);
}

function outputAction(actions: Action[]): OutputChange["action"] | undefined {
  const joined = actions.join(",");
  if (joined === "create" || joined === "update" || joined === "delete") return joined;
  if (joined === "delete,create" || joined === "create,delete") return "update";
  return undefined;
}

/** `["tags", "Name"]` → `tags.Name`, `["ingress", 0, "cidr"]` → `ingress[0].cidr`. */
function attributePath(path: (string | number)[]): string {
  return path.map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? step : `.${step}`)).join("");
}

function changedAttributes(before: unknown, after: unknown, afterUnknown: unknown): string[] {
  const asObject = (value: unknown): Record<string, unknown> =>
    value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const [old, next, unknown] = [asObject(before), asObject(after), asObject(afterUnknown)];
  const names = new Set([...Object.keys(old), ...Object.keys(next), ...Object.keys(unknown)]);
  return [...names]
    .filter((name) => containsUnknown(unknown[name]) || JSON.stringify(old[name] ?? null) !== JSON.stringify(next[name] ?? null))
    .sort();
}

/** after_unknown marks unknown values with `true`, nested like the value itself (`{}` and `[]` mean none). */
function containsUnknown(marker: unknown): boolean {
  if (marker === true) return true;
  if (marker !== null && typeof marker === "object") return Object.values(marker).some(containsUnknown);
  return false;
}
