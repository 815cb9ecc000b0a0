import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/ci/cli";
import { COMMENT_LIMIT, MINIMUM_LENGTH, parsePlanCommentArgs, planComment, renderFailedPlanComment, renderPlanComment } from "../../src/ci/plan-comment";
import type { PlannedChange, PlanSummary } from "../../src/ci/terraform-plan";

/**
 * The plan comment's text, pinned line by line from plan summaries written by hand; plan-comment.test.ts checks the
 * same rendering against plans Terraform makes.
 */
const URL = "https://github.com/your-org/coalition-builder/actions/runs/7";

function summary(changes: PlannedChange[], outputs: PlanSummary["outputs"] = [], counts?: Partial<PlanSummary["counts"]>): PlanSummary {
  return { terraformVersion: "1.11.4", counts: { import: 0, add: 0, change: 0, destroy: 0, ...counts }, changes, outputs };
}

const creates = (count: number, type = "aws_sqs_queue"): PlannedChange[] =>
  Array.from({ length: count }, (_, i) => ({ address: `${type}.q${String(i).padStart(2, "0")}`, kind: "create" }));
const deletes = (count: number): PlannedChange[] =>
  Array.from({ length: count }, (_, i) => ({ address: `aws_s3_bucket.b${String(i).padStart(2, "0")}`, kind: "delete" }));

/** The `- ` lines of a comment. */
const items = (comment: string) => comment.split("\n").filter((line) => line.startsWith("- "));

describe("the plan comment", () => {
  it("shows every kind of change: destroys and replacements in the open, everything in a collapsed block", () => {
    const plan = summary(
      [
        { address: "aws_instance.web", kind: "replace", forcedBy: ["ami", "tags.Name"], createBeforeDestroy: true },
        { address: "aws_s3_bucket.old", kind: "delete", reason: "no longer in the configuration" },
        { address: "aws_instance.web", kind: "delete", deposed: "8c1e" },
        { address: "aws_sqs_queue.jobs", kind: "create" },
        { address: "aws_lambda_function.api", kind: "update", attributes: ["memory_size", "timeout"], importing: true },
        { address: "aws_vpc.main", kind: "import", importing: true },
        { address: "aws_iam_role.new", kind: "move", movedFrom: "aws_iam_role.old" },
        { address: "aws_kms_key.kept", kind: "forget" },
        { address: "data.aws_iam_policy_document.p", kind: "read", reason: "its configuration is known only during apply" },
      ],
      [
        { name: "url", action: "create" },
        { name: "arn", action: "update" },
        { name: "gone", action: "delete" },
      ],
      { import: 2, add: 2, change: 1, destroy: 3 },
    );
    expect(renderPlanComment(plan, { stack: "prod", environment: "prod", summaryUrl: URL, costLine: "Monthly cost: +1.00 USD" })).toBe(
      [
        "<!-- coalition-plan:prod -->",
        "### Terraform plan for `prod`",
        "",
        "**Plan: 2 to import, 2 to add, 1 to change, 3 to destroy.** Also 1 to move, 1 to forget (left in place, no longer managed), 1 to read during apply, 3 outputs to change.",
        "",
        "Environment `prod` · Terraform 1.11.4",
        "",
        "Monthly cost: +1.00 USD",
        "",
        "#### ⚠️ 1 to replace, 2 to destroy",
        "",
        "**Replaced** (destroyed and created again):",
        "- `aws_instance.web` — forced by `ami`, `tags.Name`; the new object is created before the old one is destroyed",
        "",
        "**Destroyed:**",
        "- `aws_s3_bucket.old` — no longer in the configuration",
        "- `aws_instance.web` — deposed object `8c1e`",
        "",
        "<details><summary>All changes (12)</summary>",
        "",
        "**Replace (1)**",
        "- `aws_instance.web` — forced by `ami`, `tags.Name`; the new object is created before the old one is destroyed",
        "",
        "**Destroy (2)**",
        "- `aws_s3_bucket.old` — no longer in the configuration",
        "- `aws_instance.web` — deposed object `8c1e`",
        "",
        "**Create (1)**",
        "- `aws_sqs_queue.jobs`",
        "",
        "**Update in place (1)**",
        "- `aws_lambda_function.api` — `memory_size`, `timeout`; imported",
        "",
        "**Import (1)**",
        "- `aws_vpc.main`",
        "",
        "**Move (1)**",
        "- `aws_iam_role.new` — moved from `aws_iam_role.old`",
        "",
        "**Forget (removed from the state, not destroyed) (1)**",
        "- `aws_kms_key.kept`",
        "",
        "**Read during apply (1)**",
        "- `data.aws_iam_policy_document.p` — its configuration is known only during apply",
        "",
        "**Outputs (3)**",
        "- `url`: added",
        "- `arn`: changed",
        "- `gone`: removed",
        "",
        "</details>",
        "",
        `Full plan: [job summary](${URL})`,
        "",
      ].join("\n"),
    );
  });

  it("leaves out what it was not given: environment, cost line, link, imports, extras, the destroy section", () => {
    const plan = summary([{ address: "aws_sqs_queue.jobs", kind: "create" }], [], { add: 1 });
    expect(renderPlanComment(plan, { stack: "dev" })).toBe(
      [
        "<!-- coalition-plan:dev -->",
        "### Terraform plan for `dev`",
        "",
        "**Plan: 1 to add, 0 to change, 0 to destroy.**",
        "",
        "Terraform 1.11.4",
        "",
        "<details><summary>All changes (1)</summary>",
        "",
        "**Create (1)**",
        "- `aws_sqs_queue.jobs`",
        "",
        "</details>",
        "",
      ].join("\n"),
    );
  });

  it("shows replacements without destroys, and destroys without replacements", () => {
    const replaced = renderPlanComment(summary([{ address: "aws_instance.a", kind: "replace", createBeforeDestroy: false }], [], { add: 1, destroy: 1 }), { stack: "dev" });
    expect(replaced).toContain("#### ⚠️ 1 to replace, 0 to destroy\n\n**Replaced** (destroyed and created again):\n- `aws_instance.a`\n\n<details>");
    expect(replaced).not.toContain("**Destroyed:**");
    const destroyed = renderPlanComment(summary([{ address: "aws_instance.a", kind: "delete" }], [], { destroy: 1 }), { stack: "dev" });
    expect(destroyed).toContain("#### ⚠️ 0 to replace, 1 to destroy\n\n**Destroyed:**\n- `aws_instance.a`\n\n<details>");
    expect(destroyed).not.toContain("**Replaced**");
    const oneOfEach = renderPlanComment(summary([{ address: "a.r", kind: "replace" }, { address: "a.d", kind: "delete" }], [], { add: 1, destroy: 2 }), { stack: "dev" });
    expect(oneOfEach).toContain("#### ⚠️ 1 to replace, 1 to destroy\n\n**Replaced** (destroyed and created again):\n- `a.r`\n\n**Destroyed:**\n- `a.d`\n");
  });

  it("says when nothing changes, and when only outputs do", () => {
    expect(renderPlanComment(summary([]), { stack: "shared", environment: "shared" })).toBe(
      "<!-- coalition-plan:shared -->\n### Terraform plan for `shared`\n\n**No changes.** Your infrastructure matches the configuration.\n\nEnvironment `shared` · Terraform 1.11.4\n",
    );
    const outputsOnly = renderPlanComment(summary([], [{ name: "vpc_id", action: "update" }]), { stack: "shared" });
    expect(outputsOnly).toBe(
      [
        "<!-- coalition-plan:shared -->",
        "### Terraform plan for `shared`",
        "",
        "**No resource changes.** Only outputs change (1): applying saves their new values without changing any real infrastructure.",
        "",
        "Terraform 1.11.4",
        "",
        "<details><summary>All changes (1)</summary>",
        "",
        "**Outputs (1)**",
        "- `vpc_id`: changed",
        "",
        "</details>",
        "",
      ].join("\n"),
    );
  });

  it("counts one output in the singular", () => {
    const comment = renderPlanComment(summary([{ address: "a.b", kind: "create" }], [{ name: "x", action: "create" }], { add: 1 }), { stack: "dev" });
    expect(comment.split("\n")[3]).toBe("**Plan: 1 to add, 0 to change, 0 to destroy.** Also 1 output to change.");
  });

  it("does not call an import imported twice, and writes an address with backticks as inline code", () => {
    const comment = renderPlanComment(
      summary([
        { address: "aws_vpc.main", kind: "import", importing: true },
        { address: 'aws_ssm_parameter.p["a`b"]', kind: "update", attributes: [] },
      ]),
      { stack: "dev" },
    );
    expect(items(comment)).toEqual(['- ``aws_ssm_parameter.p["a`b"]``', "- `aws_vpc.main`"]);
  });

  it("names the stack in the failure comment, and where to see why", () => {
    expect(renderFailedPlanComment({ stack: "prod", summaryUrl: URL })).toBe(
      `<!-- coalition-plan:prod -->\n### Terraform plan for \`prod\`\n\n**❌ The plan failed.** No plan reflects this pull request's latest changes; the [workflow run](${URL}) shows why.\n`,
    );
    expect(renderFailedPlanComment({ stack: "dev" })).toBe(
      "<!-- coalition-plan:dev -->\n### Terraform plan for `dev`\n\n**❌ The plan failed.** No plan reflects this pull request's latest changes; the workflow run shows why.\n",
    );
  });
});

describe("a comment over the length limit", () => {
  // Each item line is "- `aws_sqs_queue.qNN`": 21 characters and a newline.
  const ITEM = 22;
  const plan = summary(creates(60), [], { add: 60 });
  const full = renderPlanComment(plan, { stack: "dev", summaryUrl: URL, maxLength: 100_000 });

  it("is whole when it fits exactly", () => {
    expect(renderPlanComment(plan, { stack: "dev", summaryUrl: URL, maxLength: full.length })).toBe(full);
    expect(full).not.toContain("Truncated");
    expect(items(full)).toHaveLength(60);
  });

  it("keeps the longest start of the collapsed list that fits, and says how much it shows", () => {
    for (const maxLength of [full.length - 1, full.length - 200, 1_500]) {
      const comment = renderPlanComment(plan, { stack: "dev", summaryUrl: URL, maxLength });
      const shown = items(comment);
      expect(comment.length).toBeLessThanOrEqual(maxLength);
      // One more item would not fit (the count in the note keeps its two digits).
      expect(comment.length + ITEM).toBeGreaterThan(maxLength);
      expect(shown).toEqual(items(full).slice(0, shown.length));
      expect(comment).toContain(
        `\n\n> ⚠️ **Truncated:** the collapsed list below shows ${shown.length} of 60 changes to keep this comment within ${maxLength} characters; the full plan is in the [job summary](${URL}).\n\n<details><summary>All changes (60)</summary>\n\n**Create (60)**\n`,
      );
      expect(comment.endsWith(`${shown.at(-1)}\n\n</details>\n\nFull plan: [job summary](${URL})\n`)).toBe(true);
    }
  });

  it("shows as many changes for a limit of exactly a cut comment's length (the limit is the note's only change)", () => {
    for (const maxLength of [1_200, 1_333, 1_400]) {
      const comment = renderPlanComment(plan, { stack: "dev", summaryUrl: URL, maxLength });
      const again = renderPlanComment(plan, { stack: "dev", summaryUrl: URL, maxLength: comment.length });
      expect(again.length).toBe(comment.length);
      expect(items(again)).toEqual(items(comment));
    }
  });

  it("defaults to GitHub's limit less a margin, and says the job summary has the plan when it has no link", () => {
    const large = summary(creates(100, "aws_cloudwatch_metric_alarm_with_a_long_type_name_for_the_test"), [], { add: 100 });
    // 100 items of about 70 characters and a long headline do not fit in 65,000 characters only with a long
    // list; a list of 1,000 does.
    const huge = summary(
      Array.from({ length: 1_000 }, (_, i) => ({ address: `aws_cloudwatch_metric_alarm.alarm_${String(i).padStart(4, "0")}_${"x".repeat(60)}`, kind: "create" as const })),
      [],
      { add: 1_000 },
    );
    expect(renderPlanComment(large, { stack: "dev" })).not.toContain("Truncated");
    const comment = renderPlanComment(huge, { stack: "dev" });
    expect(COMMENT_LIMIT).toBe(65_000);
    expect(comment.length).toBeLessThanOrEqual(65_000);
    expect(comment.length).toBeGreaterThan(64_800);
    expect(comment).toMatch(/> ⚠️ \*\*Truncated:\*\* the collapsed list below shows \d+ of 1000 changes to keep this comment within 65000 characters; the full plan is in the job summary of the workflow run\.\n/);
  });

  it("never ends the cut list on a heading or a blank line", () => {
    const updates = Array.from({ length: 40 }, (_, i): PlannedChange => ({ address: `aws_lambda_function.f${i}`, kind: "update", attributes: ["timeout"] }));
    const twoGroups = summary([...creates(3), ...updates], [{ name: "url", action: "create" }], { add: 3, change: 40 });
    const whole = renderPlanComment(twoGroups, { stack: "dev", maxLength: 100_000 });
    let cuts = 0;
    for (let maxLength = MINIMUM_LENGTH; maxLength < whole.length; maxLength++) {
      const comment = renderPlanComment(twoGroups, { stack: "dev", maxLength });
      if (!comment.includes("<details>")) continue;
      cuts++;
      const list = comment.slice(comment.indexOf("<details>"), comment.indexOf("</details>")).trimEnd().split("\n");
      expect(list.at(-1)).toMatch(/^- /);
      expect(comment.length).toBeLessThanOrEqual(maxLength);
    }
    expect(cuts).toBeGreaterThan(0);
  });

  it("cuts the destroy list too, leaving out the collapsed list, when the destroys alone are too long", () => {
    const doomed = summary(deletes(60), [], { destroy: 60 });
    const comment = renderPlanComment(doomed, { stack: "dev", summaryUrl: URL, maxLength: MINIMUM_LENGTH });
    const shown = items(comment);
    expect(comment.length).toBeLessThanOrEqual(MINIMUM_LENGTH);
    expect(comment.length + ITEM).toBeGreaterThan(MINIMUM_LENGTH);
    expect(shown).toEqual(deletes(shown.length).map((change) => `- \`${change.address}\``));
    expect(comment).not.toContain("<details>");
    expect(comment).toContain("#### ⚠️ 0 to replace, 60 to destroy\n\n**Destroyed:**\n");
    expect(comment.endsWith(
      `${shown.at(-1)}\n\n> ⚠️ **Truncated:** only ${shown.length} of the 60 destroys and replacements fit in this comment (limit 1000 characters), and the list of all changes is left out; the full plan is in the [job summary](${URL}).\n\nFull plan: [job summary](${URL})\n`,
    )).toBe(true);
  });

  it("refuses a limit too small for the headline", () => {
    const doomed = summary(deletes(3), [], { destroy: 3 });
    expect(() => renderPlanComment(doomed, { stack: "dev", maxLength: 100 })).toThrow(new UsageError("--max-length 100 is too small for the headline of this plan"));
  });
});

describe("the plan-comment command line", () => {
  it("takes the documented flags, with their defaults", () => {
    expect(parsePlanCommentArgs(["--stack", "prod", "--env", "prod", "--summary-url", URL, "--max-length", "1000", "plan.json"])).toEqual({
      stack: "prod",
      environment: "prod",
      summaryUrl: URL,
      maxLength: 1000,
      failed: false,
      planFile: "plan.json",
    });
    expect(parsePlanCommentArgs(["--stack", "a.b_c-1", "plan.json"])).toStrictEqual({ stack: "a.b_c-1", maxLength: 65_000, failed: false, planFile: "plan.json" });
    expect(parsePlanCommentArgs(["--stack", "dev", "--failed"])).toStrictEqual({ stack: "dev", maxLength: 65_000, failed: true });
    expect(parsePlanCommentArgs(["--help"])).toBe("help");
    expect(parsePlanCommentArgs(["-h", "--stack", "x y"])).toBe("help");
  });

  it.each([
    [[], "--stack is required"],
    [["--stack", "", "p.json"], '--stack must be a stack name (letters, digits, ".", "_", "-"), not ""'],
    [["--stack=-dev", "p.json"], '--stack must be a stack name (letters, digits, ".", "_", "-"), not "-dev"'],
    [["--stack", "dev\n", "p.json"], '--stack must be a stack name (letters, digits, ".", "_", "-"), not "dev\\n"'],
    [["--stack", "x".repeat(101), "p.json"], "--stack must be a stack name"],
    [["--stack", "dev", "--env", "prod2", "p.json"], '--env must be one of shared, prod, dev, not "prod2"'],
    [["--stack", "dev", "--summary-url", "ftp://x/y", "p.json"], '--summary-url must be an http(s) URL without spaces or brackets, not "ftp://x/y"'],
    [["--stack", "dev", "--summary-url", "https://x/a b", "p.json"], "--summary-url must be an http(s) URL without spaces or brackets"],
    [["--stack", "dev", "--summary-url", " https://x/y", "p.json"], "--summary-url must be an http(s) URL without spaces or brackets"],
    [["--stack", "dev", "--summary-url", "https://x/y\n", "p.json"], "--summary-url must be an http(s) URL without spaces or brackets"],
    [["--stack", "dev", "--summary-url", "https://x/[y]", "p.json"], "--summary-url must be an http(s) URL without spaces or brackets"],
    [["--stack", "dev", "--max-length", "999", "p.json"], '--max-length must be a whole number of at least 1000, not "999"'],
    [["--stack", "dev", "--failed", "--max-length", "5000"], "--failed takes no --max-length"],
    [["--stack", "dev", "--failed", "p.json"], '--failed takes no plan file, but was given "p.json"'],
    [["--stack", "dev"], "the plan file (terraform show -json output) is required"],
    [["--stack", "dev", "a.json", "b.json", "c.json"], "give one plan file, not 3: a.json b.json c.json"],
    [["--stack", "dev", "--verbose", "p.json"], "Unknown option '--verbose'"],
  ])("refuses %j", (argv, message) => {
    expect(() => parsePlanCommentArgs(argv as string[])).toThrow(UsageError);
    expect(() => parsePlanCommentArgs(argv as string[])).toThrow(message);
  });

  it("accepts http as well as https links", () => {
    expect(parsePlanCommentArgs(["--stack", "dev", "--summary-url", "http://ci.example/run/1", "p.json"])).toMatchObject({ summaryUrl: "http://ci.example/run/1" });
  });

  describe("the whole command", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-comment-render-"));
    const file = path.join(dir, "plan.json");
    writeFileSync(
      file,
      JSON.stringify({
        format_version: "1.2",
        terraform_version: "1.11.4",
        planned_values: {},
        resource_changes: [{ address: "aws_sqs_queue.jobs", mode: "managed", change: { actions: ["create"], before: null, after: {} } }],
      }),
    );

    it("prints the comment of a plan file, with its cost line", () => {
      expect(planComment(["--stack", "dev", "--env", "dev", file])).toBe(
        [
          "<!-- coalition-plan:dev -->",
          "### Terraform plan for `dev`",
          "",
          "**Plan: 1 to add, 0 to change, 0 to destroy.**",
          "",
          "Environment `dev` · Terraform 1.11.4",
          "",
          "Monthly cost: not estimated (the plan names no AWS region)",
          "",
          "<details><summary>All changes (1)</summary>",
          "",
          "**Create (1)**",
          "- `aws_sqs_queue.jobs`",
          "",
          "</details>",
          "",
        ].join("\n"),
      );
    });

    it("keeps to --max-length", () => {
      const many = path.join(dir, "many.json");
      const resourceChanges = Array.from({ length: 200 }, (_, i) => ({ address: `aws_sqs_queue.q${i}`, mode: "managed", change: { actions: ["create"] } }));
      writeFileSync(many, JSON.stringify({ format_version: "1.2", terraform_version: "1.11.4", planned_values: {}, resource_changes: resourceChanges }));
      const comment = planComment(["--stack", "dev", "--max-length", "2000", many])!;
      expect(comment.length).toBeLessThanOrEqual(2000);
      expect(comment).toContain("Truncated");
    });

    it("prints the failure comment, and nothing for --help", () => {
      expect(planComment(["--stack", "prod", "--failed", "--summary-url", URL])).toBe(renderFailedPlanComment({ stack: "prod", summaryUrl: URL }));
      expect(planComment(["--help"])).toBeUndefined();
    });

    it("names the plan file when it is not a plan", () => {
      const state = path.join(dir, "state.json");
      writeFileSync(state, JSON.stringify({ format_version: "1.0", terraform_version: "1.11.4", values: {} }));
      expect(() => planComment(["--stack", "dev", state])).toThrow(`${state} is not a Terraform plan`);
    });
  });
});
