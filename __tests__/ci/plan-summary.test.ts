import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/ci/cli";
import { readPlanJson, summarizePlan } from "../../src/ci/terraform-plan";

/**
 * summarizePlan on plans written by hand in the shape of `terraform show -json <planfile>` (Terraform's JSON output
 * format 1.x: resource_changes with their change.actions, action_reason, replace_paths, importing, previous_address,
 * deposed; output_changes by name). The Terraform-made plans of plan-comment.test.ts prove the same on real plans.
 */
function plan(resourceChanges: unknown[] = [], outputChanges: Record<string, unknown> = {}): any {
  return { format_version: "1.2", terraform_version: "1.11.4", planned_values: {}, resource_changes: resourceChanges, output_changes: outputChanges };
}

function resource(address: string, actions: string[], extra: Record<string, unknown> = {}, change: Record<string, unknown> = {}) {
  return { address, mode: "managed", type: address.split(".")[0], name: address.split(".")[1], change: { actions, before: null, after: {}, ...change }, ...extra };
}

const data = (address: string, actions: string[], extra: Record<string, unknown> = {}) => ({ ...resource(address, actions, extra), mode: "data" });

describe("what each planned change is", () => {
  it("reads create, update, delete, forget and both orders of replacement", () => {
    const summary = summarizePlan(
      plan([
        resource("aws_s3_bucket.created", ["create"]),
        resource("aws_s3_bucket.updated", ["update"], {}, { before: { acl: "private" }, after: { acl: "public-read" } }),
        resource("aws_s3_bucket.deleted", ["delete"]),
        resource("aws_s3_bucket.forgotten", ["forget"]),
        resource("aws_s3_bucket.destroy_first", ["delete", "create"]),
        resource("aws_s3_bucket.create_first", ["create", "delete"]),
      ]),
    );
    expect(summary.changes).toEqual([
      { address: "aws_s3_bucket.created", kind: "create" },
      { address: "aws_s3_bucket.updated", kind: "update", attributes: ["acl"] },
      { address: "aws_s3_bucket.deleted", kind: "delete" },
      { address: "aws_s3_bucket.forgotten", kind: "forget" },
      { address: "aws_s3_bucket.destroy_first", kind: "replace", createBeforeDestroy: false },
      { address: "aws_s3_bucket.create_first", kind: "replace", createBeforeDestroy: true },
    ]);
  });

  it("leaves out what does not change, and lists an import or a move that changes nothing else", () => {
    const summary = summarizePlan(
      plan([
        resource("aws_vpc.same", ["no-op"]),
        resource("aws_vpc.same_address", ["no-op"], { previous_address: "aws_vpc.same_address" }),
        resource("aws_vpc.adopted", ["no-op"], {}, { importing: { id: "vpc-0123" } }),
        resource("aws_vpc.new_name", ["no-op"], { previous_address: "aws_vpc.old_name" }),
        resource("aws_vpc.adopted_and_moved", ["no-op"], { previous_address: "aws_vpc.elsewhere" }, { importing: { id: "vpc-4567" } }),
        data("data.aws_region.current", ["no-op"]),
      ]),
    );
    expect(summary.changes).toEqual([
      { address: "aws_vpc.adopted", kind: "import", importing: true },
      { address: "aws_vpc.new_name", kind: "move", movedFrom: "aws_vpc.old_name" },
      { address: "aws_vpc.adopted_and_moved", kind: "import", importing: true, movedFrom: "aws_vpc.elsewhere" },
    ]);
    expect(summary.counts).toEqual({ import: 2, add: 0, change: 0, destroy: 0 });
  });

  it("marks an import that also changes the object, a moved object that changes, and a deposed object", () => {
    const summary = summarizePlan(
      plan([
        resource("aws_vpc.adopted", ["update"], {}, { importing: { id: "vpc-1" }, before: { tags: {} }, after: { tags: { Name: "a" } } }),
        resource("aws_vpc.renamed", ["update"], { previous_address: "aws_vpc.before" }, { before: { cidr_block: "10.0.0.0/16" }, after: { cidr_block: "10.0.0.0/16" } }),
        resource("aws_vpc.old", ["delete"], { deposed: "00000001" }),
        resource("aws_vpc.not_importing", ["create"], {}, { importing: null }),
      ]),
    );
    expect(summary.changes).toEqual([
      { address: "aws_vpc.adopted", kind: "update", importing: true, attributes: ["tags"] },
      { address: "aws_vpc.renamed", kind: "update", movedFrom: "aws_vpc.before", attributes: [] },
      { address: "aws_vpc.old", kind: "delete", deposed: "00000001" },
      { address: "aws_vpc.not_importing", kind: "create" },
    ]);
    expect(summary.counts).toEqual({ import: 1, add: 1, change: 2, destroy: 1 });
  });

  it("reads data sources during apply with Terraform's reason, and never counts them", () => {
    const summary = summarizePlan(
      plan([
        data("data.aws_iam_policy_document.a", ["read"], { action_reason: "read_because_config_unknown" }),
        data("data.aws_iam_policy_document.b", ["read"], { action_reason: "read_because_dependency_pending" }),
        data("data.aws_iam_policy_document.c", ["read"], { action_reason: "read_because_check_nested" }),
        data("data.aws_iam_policy_document.d", ["read"]),
      ]),
    );
    expect(summary.changes).toEqual([
      { address: "data.aws_iam_policy_document.a", kind: "read", reason: "its configuration is known only during apply" },
      { address: "data.aws_iam_policy_document.b", kind: "read", reason: "it depends on changes not applied yet" },
      { address: "data.aws_iam_policy_document.c", kind: "read", reason: "a check block reads it" },
      { address: "data.aws_iam_policy_document.d", kind: "read" },
    ]);
    expect(summary.counts).toEqual({ import: 0, add: 0, change: 0, destroy: 0 });
  });

  it("counts as Terraform's Plan line does: a replacement adds one and destroys one", () => {
    const summary = summarizePlan(
      plan([
        resource("a.one", ["create"]),
        resource("a.two", ["create"]),
        resource("a.three", ["update"]),
        resource("a.four", ["delete"]),
        resource("a.five", ["delete", "create"]),
        resource("a.six", ["create", "delete"]),
        resource("a.seven", ["forget"]),
        resource("a.eight", ["no-op"], {}, { importing: {} }),
      ]),
    );
    expect(summary.counts).toEqual({ import: 1, add: 4, change: 1, destroy: 3 });
    expect(summary.terraformVersion).toBe("1.11.4");
  });
});

describe("why Terraform plans a change, in words", () => {
  it.each([
    ["replace_because_tainted", "tainted"],
    ["replace_because_cannot_update", "cannot be updated in place"],
    ["replace_by_request", "replacement requested (-replace)"],
    ["replace_by_triggers", "replace_triggered_by"],
  ])("replacement: %s", (reason, words) => {
    expect(summarizePlan(plan([resource("aws_instance.a", ["delete", "create"], { action_reason: reason })])).changes).toEqual([
      { address: "aws_instance.a", kind: "replace", createBeforeDestroy: false, reason: words },
    ]);
  });

  it.each([
    ["delete_because_no_resource_config", "no longer in the configuration"],
    ["delete_because_no_module", "its module is no longer in the configuration"],
    ["delete_because_wrong_repetition", "count or for_each was added or removed"],
    ["delete_because_count_index", "index out of range for count"],
    ["delete_because_each_key", "key no longer in for_each"],
    ["delete_because_no_move_target", "moved to an address that does not exist"],
  ])("destroy: %s", (reason, words) => {
    expect(summarizePlan(plan([resource("aws_instance.a", ["delete"], { action_reason: reason })])).changes).toEqual([
      { address: "aws_instance.a", kind: "delete", reason: words },
    ]);
  });

  it("spells out a reason it does not know, and says none for a forget (the removed block is the reason)", () => {
    const summary = summarizePlan(
      plan([
        resource("aws_instance.a", ["delete"], { action_reason: "delete_because_of_something_new" }),
        resource("aws_instance.b", ["forget"], { action_reason: "delete_because_no_resource_config" }),
        resource("aws_instance.c", ["create"], { action_reason: "" }),
      ]),
    );
    expect(summary.changes).toEqual([
      { address: "aws_instance.a", kind: "delete", reason: "delete because of something new" },
      { address: "aws_instance.b", kind: "forget" },
      { address: "aws_instance.c", kind: "create" },
    ]);
  });

  it("names the attributes that force a replacement, and then needs no 'cannot be updated' reason", () => {
    const summary = summarizePlan(
      plan([
        resource("aws_instance.a", ["delete", "create"], { action_reason: "replace_because_cannot_update" }, { replace_paths: [["ami"], ["tags", "Name"], ["ebs_block_device", 0, "volume_size"]] }),
        resource("aws_instance.b", ["create", "delete"], { action_reason: "replace_by_triggers" }, { replace_paths: [["user_data"]] }),
        resource("aws_instance.c", ["delete", "create"], { action_reason: "replace_because_cannot_update" }, { replace_paths: [] }),
      ]),
    );
    expect(summary.changes).toEqual([
      { address: "aws_instance.a", kind: "replace", createBeforeDestroy: false, forcedBy: ["ami", "tags.Name", "ebs_block_device[0].volume_size"] },
      { address: "aws_instance.b", kind: "replace", createBeforeDestroy: true, forcedBy: ["user_data"], reason: "replace_triggered_by" },
      { address: "aws_instance.c", kind: "replace", createBeforeDestroy: false, reason: "cannot be updated in place" },
    ]);
  });
});

describe("the attributes an update changes", () => {
  const attributes = (before: unknown, after: unknown, afterUnknown?: unknown) =>
    summarizePlan(plan([resource("aws_lambda_function.f", ["update"], {}, { before, after, after_unknown: afterUnknown })])).changes[0].attributes;

  it("names the top-level attributes whose value differs, sorted, never their values", () => {
    expect(
      attributes(
        { timeout: 3, memory_size: 128, runtime: "python3.12", tags: { a: "1" }, layers: ["x"] },
        { timeout: 30, memory_size: 128, runtime: "python3.13", tags: { a: "1" }, layers: ["x", "y"] },
      ),
    ).toEqual(["layers", "runtime", "timeout"]);
  });

  it("counts an attribute added or removed, but not one going from null to absent", () => {
    expect(attributes({ removed: "x", gone_null: null }, { added: "y" })).toEqual(["added", "removed"]);
  });

  it("counts an attribute known only after apply, even nested, but not an empty marker", () => {
    expect(
      attributes(
        { arn: "a", version: "1", nested: { a: 1 }, list: [1], flat: "f", off: "o" },
        { arn: "a", nested: { a: 1 }, list: [1], flat: "f", off: "o" },
        { version: true, nested: { deep: [false, { x: true }] }, list: [], flat: {}, off: false },
      ),
    ).toEqual(["nested", "version"]);
  });

  it("reads a null marker, at the top or nested, as known", () => {
    expect(attributes({ a: 1, b: { c: 1 } }, { a: 1, b: { c: 1 } }, { a: null, b: { c: null } })).toEqual([]);
  });

  it("reads a before or after that is not an object as no attributes", () => {
    expect(attributes(null, null, null)).toEqual([]);
    expect(attributes(["a"], "b", 7)).toEqual([]);
  });
});

describe("the outputs a plan changes", () => {
  it("names added, changed and removed outputs; a replaced value is a change, and no-op is none", () => {
    const summary = summarizePlan(
      plan([], {
        added: { actions: ["create"] },
        changed: { actions: ["update"] },
        removed: { actions: ["delete"] },
        replaced: { actions: ["delete", "create"] },
        replaced_first: { actions: ["create", "delete"] },
        same: { actions: ["no-op"] },
        read: { actions: ["read"] },
      }),
    );
    expect(summary.outputs).toEqual([
      { name: "added", action: "create" },
      { name: "changed", action: "update" },
      { name: "removed", action: "delete" },
      { name: "replaced", action: "update" },
      { name: "replaced_first", action: "update" },
    ]);
    expect(summary.changes).toEqual([]);
  });

  it("reads a plan without resource_changes or output_changes as changing nothing", () => {
    expect(summarizePlan({ format_version: "1.0", terraform_version: "1.10.0", planned_values: {} })).toEqual({
      terraformVersion: "1.10.0",
      counts: { import: 0, add: 0, change: 0, destroy: 0 },
      changes: [],
      outputs: [],
    });
  });
});

describe("what is not a Terraform plan", () => {
  const refusal = (json: unknown, source?: string) => {
    try {
      summarizePlan(json, source);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).showUsage).toBe(false);
      return (error as Error).message;
    }
    throw new Error("accepted");
  };
  const prefix = "is not a Terraform plan (the output of terraform show -json <planfile>): ";

  it("names each missing field, and the source", () => {
    expect(refusal({ format_version: "1.2", terraform_version: "1.11.4" }, "state.json")).toBe(`state.json ${prefix}planned_values is missing`);
    expect(refusal({ format_version: "1.2", planned_values: {} })).toBe(`the input ${prefix}terraform_version is missing`);
  });

  it("says what is wrong with the top level itself", () => {
    expect(refusal([], "list.json")).toBe(`list.json ${prefix}(top level) Expected object, received array`);
  });

  it("refuses another format than 1.x", () => {
    expect(refusal({ ...plan(), format_version: "2.0" })).toBe(`the input ${prefix}format_version must be 1.x (this reads Terraform's plan format 1)`);
  });

  it("names the first five problems and counts the others", () => {
    const changes = Array.from({ length: 7 }, (_, i) => ({ address: `a.r${i}`, mode: "managed", change: { actions: [] } }));
    expect(refusal(plan(changes))).toBe(
      `the input ${prefix}` +
        [0, 1, 2, 3, 4].map((i) => `resource_changes.${i}.change.actions must name at least one action`).join("; ") +
        " (and 2 more)",
    );
    expect(refusal(plan(changes.slice(0, 5)))).not.toContain("more");
  });

  it("refuses action lists no plan of format 1 has, naming the resource", () => {
    expect(refusal(plan([resource("aws_vpc.a", ["create"]), resource("aws_vpc.b", ["update", "delete"])]), "plan.json")).toBe(
      "plan.json: resource_changes.1 (aws_vpc.b) has actions [update,delete], which no Terraform plan of format 1 has for a managed resource",
    );
    expect(refusal(plan([data("data.aws_vpc.a", ["create"])]))).toBe(
      "the input: resource_changes.0 (data.aws_vpc.a) has actions [create], which no Terraform plan of format 1 has for a data resource",
    );
    expect(refusal(plan([resource("aws_vpc.a", ["read"])]))).toContain("has actions [read], which no Terraform plan of format 1 has for a managed resource");
  });
});

describe("reading a plan file", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "plan-summary-"));

  it("returns the file's JSON", () => {
    const file = path.join(dir, "plan.json");
    writeFileSync(file, JSON.stringify(plan()));
    expect(readPlanJson(file)).toEqual(plan());
  });

  it("says the file is missing, or why it cannot be read, without the usage text", () => {
    const missing = path.join(dir, "missing.json");
    expect(() => readPlanJson(missing)).toThrow(new UsageError(`cannot read ${missing}: no such file`, false));
    expect(() => readPlanJson(dir)).toThrow(new UsageError(`cannot read ${dir}: EISDIR: illegal operation on a directory, read`, false));
  });

  it("says a file that is not JSON is not, and what to give instead", () => {
    const file = path.join(dir, "plan.txt");
    writeFileSync(file, "Plan: 1 to add, 0 to change, 0 to destroy.");
    let caught: unknown;
    try {
      readPlanJson(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).showUsage).toBe(false);
    expect((caught as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is not JSON \\(.+\\); give the output of terraform show -json <planfile>$`));
  });
});
