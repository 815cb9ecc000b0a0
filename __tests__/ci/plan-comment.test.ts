import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/ci/cli";
import { COMMENT_LIMIT, MINIMUM_LENGTH, parsePlanCommentArgs, planMarker, renderFailedPlanComment, renderPlanComment } from "../../src/ci/plan-comment";
import { summarizePlan } from "../../src/ci/terraform-plan";
import { generatePlanFixtures, type PlanFixtures, type Scenario, terraformActions, terraformAvailable, terraformPlanLine } from "./plan-fixtures";

const SUMMARY_URL = "https://github.com/your-org/coalition-builder/actions/runs/42";
const UNLIMITED = 100_000_000;

/** Runs the command as the workflow does. */
function planComment(args: string[], viaNpm = false) {
  const command = viaNpm ? ["npm", ["run", "--silent", "plan-comment", "--", ...args]] : [process.execPath, ["scripts/app.cjs", "src/ci/plan-comment", ...args]];
  return spawnSync(command[0] as string, command[1] as string[], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** The part of a comment before the collapsed block, and the collapsed block's groups of `- ` items by title. */
function sections(comment: string) {
  const start = comment.indexOf("<details>");
  const open = start < 0 ? comment : comment.slice(0, start);
  const details = start < 0 ? "" : comment.slice(start, comment.indexOf("</details>"));
  const groups: Record<string, string[]> = {};
  let current = "";
  for (const line of details.split("\n")) {
    const title = /^\*\*(.+) \((\d+)\)\*\*$/.exec(line);
    if (title) groups[(current = title[1])] = [];
    else if (line.startsWith("- ")) groups[current].push(line);
  }
  return { open, details, groups };
}

/** The address an item line names: the first inline code span. */
const addressOf = (line: string) => /^- `([^`]+)`/.exec(line)![1];
const items = (text: string) => text.split("\n").filter((line) => line.startsWith("- "));


describe.skipIf(!terraformAvailable)("the plan comment, on plans made by Terraform", () => {
  let fixtures: PlanFixtures;
  beforeAll(() => {
    fixtures = generatePlanFixtures();
  }, 180_000);

  const render = (scenario: Scenario, options: { maxLength?: number; summaryUrl?: string; stack?: string; costLine?: string } = {}) =>
    renderPlanComment(summarizePlan(fixtures.plans[scenario].json), { stack: "dev", environment: "dev", ...options });

  it.each(["mixed", "import", "bulk", "doomed"] as const)("counts the %s plan exactly as Terraform's own Plan line", (scenario) => {
    const line = terraformPlanLine(fixtures.plans[scenario].text);
    expect(line, "terraform show printed a Plan line").toMatch(/^Plan: (\d+ to import, )?\d+ to add, \d+ to change, \d+ to destroy\.$/);
    expect(render(scenario, { maxLength: UNLIMITED }).split("\n")[3]).toMatch(new RegExp(`^\\*\\*${line!.replace(/\./g, "\\.")}\\*\\*`));
  });

  it("starts with a hidden marker unique to the stack", () => {
    const comments = ["shared", "prod", "dev"].map((stack) => render("mixed", { stack }));
    comments.forEach((comment, i) => expect(comment.split("\n")[0]).toBe(`<!-- coalition-plan:${["shared", "prod", "dev"][i]} -->`));
    expect(new Set(comments.map((comment) => comment.split("\n")[0])).size).toBe(3);
    expect(planMarker("prod")).toBe("<!-- coalition-plan:prod -->");
  });

  it("lists every destroy and every replacement by address before the collapsed block, under a warning", () => {
    const { open } = sections(render("mixed"));
    const said = terraformActions(fixtures.plans.mixed.text);
    const replaced = said.filter((a) => a.action === "must be replaced").map((a) => a.address);
    const destroyed = said.filter((a) => a.action === "will be destroyed").map((a) => a.address);
    expect(replaced.length).toBe(2);
    expect(destroyed.length).toBe(3);
    expect(open).toContain(`#### ⚠️ 2 to replace, 3 to destroy`);
    const replacedPart = open.slice(open.indexOf("**Replaced**"), open.indexOf("**Destroyed:**"));
    const destroyedPart = open.slice(open.indexOf("**Destroyed:**"));
    expect(items(replacedPart).map(addressOf).sort()).toEqual(replaced.sort());
    expect(items(destroyedPart).map(addressOf).sort()).toEqual(destroyed.sort());
    // The replacement's cause and order are named.
    expect(replacedPart).toContain("- `terraform_data.replaced_first` — forced by `triggers_replace`; the new object is created before the old one is destroyed");
    expect(destroyedPart).toContain("- `terraform_data.shrunk[2]` — index out of range for count");
  });

  it("lists every change in a collapsed block, grouped by action as Terraform describes them", () => {
    const comment = render("mixed");
    const { groups, details } = sections(comment);
    const groupOf: Record<string, string> = {
      "will be created": "Create",
      "will be destroyed": "Destroy",
      "must be replaced": "Replace",
      "will be updated in-place": "Update in place",
      "will be read during apply": "Read during apply",
      moved: "Move",
      forgotten: "Forget (removed from the state, not destroyed)",
    };
    const said = terraformActions(fixtures.plans.mixed.text);
    expect(said.length).toBe(11);
    const expected: Record<string, string[]> = {};
    for (const { address, action } of said) (expected[groupOf[action]] ??= []).push(address);
    const listed = Object.fromEntries(Object.entries(groups).filter(([title]) => title !== "Outputs").map(([title, lines]) => [title, lines.map(addressOf).sort()]));
    expect(listed).toEqual(Object.fromEntries(Object.entries(expected).map(([title, addresses]) => [title, addresses.sort()])));
    // Outputs, as Terraform's "Changes to Outputs" lists them (+ added, ~ changed, - removed).
    const outputs = [...fixtures.plans.mixed.text.matchAll(/^ {2}([+~-]) (\w+) +=/gm)].map(([, sign, name]) => `- \`${name}\`: ${{ "+": "added", "~": "changed", "-": "removed" }[sign]}`);
    expect(groups.Outputs.sort()).toEqual(outputs.sort());
    expect(details).toContain(`<details><summary>All changes (${said.length + outputs.length})</summary>`);
    expect(details).toContain("- `terraform_data.new_name` — moved from `terraform_data.renamed`");
  });

  it("names the attributes an update changes, never their values", () => {
    const comment = render("mixed");
    expect(readFileSync(fixtures.plans.mixed.jsonFile, "utf8")).toContain("after-secret-value");
    expect(comment).toContain("- `terraform_data.secret` — `input`, `output`");
    expect(comment).not.toContain("secret-value");
    expect(comment).toContain("- `terraform_data.updated` — `input`, `output`");
  });

  it("shows imports as Terraform counts them", () => {
    const { groups } = sections(render("import"));
    expect(groups.Import).toEqual(["- `terraform_data.adopted`"]);
    expect(groups["Update in place"]).toEqual(["- `terraform_data.adopted_changed` — `input`, `output`; imported"]);
    expect(groups.Create).toEqual(["- `terraform_data.created`"]);
  });

  it("says No changes for a plan that changes nothing, with nothing else to show", () => {
    expect(fixtures.plans.unchanged.text).toContain("No changes. Your infrastructure matches the configuration.");
    expect(fixtures.plans.unchanged.json.resource_changes.length).toBe(4);
    const comment = render("unchanged", { summaryUrl: SUMMARY_URL });
    expect(comment).toBe(
      [
        "<!-- coalition-plan:dev -->",
        "### Terraform plan for `dev`",
        "",
        "**No changes.** Your infrastructure matches the configuration.",
        "",
        `Environment \`dev\` · Terraform ${fixtures.plans.unchanged.json.terraform_version}`,
        "",
        `Full plan: [job summary](${SUMMARY_URL})`,
        "",
      ].join("\n"),
    );
  });

  it("says when only outputs change", () => {
    const { text } = fixtures.plans["outputs-only"];
    expect(text).toContain("Changes to Outputs:");
    expect(terraformPlanLine(text)).toBeUndefined();
    const comment = render("outputs-only");
    expect(comment.split("\n")[3]).toBe(
      "**No resource changes.** Only outputs change (2): applying saves their new values without changing any real infrastructure.",
    );
    expect(sections(comment).groups).toEqual({ Outputs: ["- `added`: added", "- `version`: changed"] });
    expect(comment).not.toContain("⚠️");
  });

  describe("size", () => {
    it("keeps a plan too large for one comment within 65,000 characters: headline whole, details cut with a note", () => {
      const full = render("bulk", { maxLength: UNLIMITED });
      expect(full.length).toBeGreaterThan(COMMENT_LIMIT);
      const comment = render("bulk", { summaryUrl: SUMMARY_URL });
      expect(comment.length).toBeLessThanOrEqual(65_000);
      expect(comment.length).toBeGreaterThan(60_000);
      expect(comment.split("\n")[0]).toBe("<!-- coalition-plan:dev -->");
      expect(comment).toContain(`**${terraformPlanLine(fixtures.plans.bulk.text)}**`);
      const shown = items(comment);
      const note = /> ⚠️ \*\*Truncated:\*\* the collapsed list below shows (\d+) of 3000 changes .* the full plan is in the \[job summary\]\((\S+)\)\./.exec(comment);
      expect(note, "a visible truncation note").not.toBeNull();
      expect(Number(note![1])).toBe(shown.length);
      expect(note![2]).toBe(SUMMARY_URL);
      // The note is outside the collapsed block; what is listed is the start of the full list.
      expect(comment.indexOf("Truncated")).toBeLessThan(comment.indexOf("<details>"));
      expect(shown).toEqual(items(full).slice(0, shown.length));
      expect(comment.endsWith("</details>\n\nFull plan: [job summary](" + SUMMARY_URL + ")\n")).toBe(true);
    });

    it("never exceeds the limit, and never cuts the destroy list while the details can give way", () => {
      const full = render("mixed", { summaryUrl: SUMMARY_URL, maxLength: UNLIMITED });
      const { open } = sections(full);
      const destroyList = open.slice(open.indexOf("#### ⚠️")).trimEnd();
      const headline = full.split("\n")[3];
      const seen = { whole: 0, detailsCut: 0, destroysCut: 0 };
      for (let maxLength = MINIMUM_LENGTH; maxLength <= full.length + 5; maxLength++) {
        const comment = render("mixed", { summaryUrl: SUMMARY_URL, maxLength });
        expect(comment.length).toBeLessThanOrEqual(maxLength);
        expect(comment.split("\n")[0]).toBe("<!-- coalition-plan:dev -->");
        expect(comment.split("\n")[3]).toBe(headline);
        if (maxLength >= full.length) {
          expect(comment).toBe(full);
          seen.whole++;
        } else if (comment.includes("the collapsed list below shows")) {
          expect(comment).toMatch(/> ⚠️ \*\*Truncated:\*\* the collapsed list below shows \d+ of 14 changes/);
          expect(comment).toContain(destroyList);
          seen.detailsCut++;
        } else {
          // Only when the open part and a note cannot fit together is the destroy list cut.
          expect(open.length + 400).toBeGreaterThan(maxLength);
          expect(comment).toMatch(/> ⚠️ \*\*Truncated:\*\* only \d+ of the 5 destroys and replacements fit/);
          seen.destroysCut++;
        }
      }
      expect(seen.whole).toBeGreaterThan(0);
      expect(seen.detailsCut).toBeGreaterThan(100);
      expect(seen.destroysCut).toBeGreaterThan(0);
    });

    it("cuts the destroy list only when it alone is over the limit, and says how much is missing", () => {
      const destroyed = terraformActions(fixtures.plans.doomed.text).filter((a) => a.action === "will be destroyed").map((a) => a.address);
      expect(destroyed.length).toBe(160);
      expect(render("doomed", { maxLength: UNLIMITED }).length).toBeGreaterThan(COMMENT_LIMIT);
      const comment = render("doomed");
      expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
      expect(comment).toContain(`**${terraformPlanLine(fixtures.plans.doomed.text)}**`);
      expect(terraformPlanLine(fixtures.plans.doomed.text)).toBe("Plan: 0 to add, 0 to change, 160 to destroy.");
      const shown = items(comment).map(addressOf);
      const note = /> ⚠️ \*\*Truncated:\*\* only (\d+) of the 160 destroys and replacements fit in this comment/.exec(comment);
      expect(note).not.toBeNull();
      expect(Number(note![1])).toBe(shown.length);
      expect(shown.length).toBeGreaterThan(100);
      expect(destroyed).toEqual(expect.arrayContaining(shown));
      expect(comment).not.toContain("<details>");
    });
  });

  describe("the command", () => {
    it("prints the comment from the npm script", () => {
      const result = planComment(["--stack", "prod", "--env", "prod", "--summary-url", SUMMARY_URL, fixtures.plans.mixed.jsonFile], true);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      // These plans hold no AWS resource, so no region to price them in: the comment says so.
      const costLine = "Monthly cost: not estimated (the plan names no AWS region)";
      expect(result.stdout).toBe(render("mixed", { stack: "prod", summaryUrl: SUMMARY_URL, costLine }).replace("Environment `dev`", "Environment `prod`"));
    });

    it("prints a whole 65,000-character comment through a pipe", () => {
      const result = planComment(["--stack", "dev", fixtures.plans.bulk.jsonFile]);
      expect(result.status).toBe(0);
      expect(result.stdout.length).toBeGreaterThan(60_000);
      expect(result.stdout.length).toBeLessThanOrEqual(COMMENT_LIMIT);
      expect(result.stdout.endsWith("</details>\n")).toBe(true);
    });

    it("refuses JSON that is not a plan: a state, a newer format, an unknown action", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "plan-comment-"));
      const mutated = (name: string, change: (plan: any) => void) => {
        const plan = structuredClone(fixtures.plans.mixed.json);
        change(plan);
        writeFileSync(path.join(dir, name), JSON.stringify(plan));
        return path.join(dir, name);
      };
      const cases: [string, RegExp][] = [
        [fixtures.stateJsonFile, /is not a Terraform plan \(the output of terraform show -json <planfile>\): planned_values is missing/],
        [mutated("v2.json", (plan) => (plan.format_version = "2.0")), /format_version must be 1\.x/],
        [mutated("action.json", (plan) => (plan.resource_changes[0].change.actions = ["explode"])), /resource_changes\.0\.change\.actions\.0 Invalid enum value/],
        [mutated("combo.json", (plan) => (plan.resource_changes[1].change.actions = ["update", "delete"])), /has actions \[update,delete\], which no Terraform plan of format 1 has/],
      ];
      for (const [file, message] of cases) {
        const result = planComment(["--stack", "dev", file]);
        expect(result.status, file).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr).toMatch(message);
      }
    });
  });
});

describe("plan-comment input errors", () => {
  it.each([
    ["a missing file", ["--stack", "dev", "no/such/plan.json"], "plan-comment: cannot read no/such/plan.json: no such file"],
    ["a file that is not JSON", ["--stack", "dev", "README.md"], "plan-comment: README.md is not JSON"],
    ["an unknown flag", ["--stack", "dev", "--colour", "plan.json"], "Unknown option '--colour'"],
    ["no --stack", ["plan.json"], "plan-comment: --stack is required"],
  ])("exits 2 with a message and prints nothing for %s", (_, args, message) => {
    const result = planComment(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
  });

  it.each([
    [["--stack", "dev"], "the plan file (terraform show -json output) is required"],
    [["--stack", "dev", "a.json", "b.json"], "give one plan file, not 2: a.json b.json"],
    [["--stack", "dev -->", "a.json"], '--stack must be a stack name (letters, digits, ".", "_", "-"), not "dev -->"'],
    [["--stack", "dev", "--env", "staging", "a.json"], "--env must be one of shared, prod, dev"],
    [["--stack", "dev", "--summary-url", "javascript:alert(1)", "a.json"], "--summary-url must be an http(s) URL"],
    [["--stack", "dev", "--summary-url", "https://x/(y)", "a.json"], "--summary-url must be an http(s) URL"],
    [["--stack", "dev", "--max-length", "lots", "a.json"], '--max-length must be a whole number of at least 1000, not "lots"'],
    [["--stack", "dev", "--max-length", "999", "a.json"], "--max-length must be a whole number of at least 1000"],
    [["--stack", "dev", "--failed", "a.json"], '--failed takes no plan file, but was given "a.json"'],
    [["--stack", "dev", "--max-length"], "argument missing"],
  ])("rejects %j", (argv, message) => {
    expect(() => parsePlanCommentArgs(argv)).toThrow(UsageError);
    expect(() => parsePlanCommentArgs(argv)).toThrow(message);
  });

  it("accepts the documented flags", () => {
    expect(parsePlanCommentArgs(["--stack", "dev", "--env", "dev", "--summary-url", SUMMARY_URL, "--max-length", "5000", "p.json"])).toEqual({
      stack: "dev",
      environment: "dev",
      summaryUrl: SUMMARY_URL,
      maxLength: 5000,
      failed: false,
      planFile: "p.json",
    });
    expect(parsePlanCommentArgs(["--stack", "shared", "p.json"])).toMatchObject({ maxLength: 65_000 });
    expect(parsePlanCommentArgs(["-h"])).toBe("help");
  });

  it("prints a failure comment under the same marker, for a plan that could not be made", () => {
    const result = planComment(["--stack", "prod", "--failed", "--summary-url", SUMMARY_URL]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(renderFailedPlanComment({ stack: "prod", summaryUrl: SUMMARY_URL }));
    expect(result.stdout.split("\n")[0]).toBe("<!-- coalition-plan:prod -->");
    expect(result.stdout).toContain(`**❌ The plan failed.**`);
    expect(result.stdout).toContain(`[workflow run](${SUMMARY_URL})`);
  });
});
