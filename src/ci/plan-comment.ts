import { ENVIRONMENTS } from "../config";
import { environmentFlag, parseCommandLine, positiveInteger, runCommand, UsageError } from "./cli";
import { CostInputError, planCost, planRegion } from "../cost/estimate";
import { formatPlanCostLine } from "../cost/format";
import { PriceError } from "../cost/prices";
import { type ChangeKind, type PlannedChange, type PlanSummary, readPlanJson, summarizePlan } from "./terraform-plan";
import { inlineCode, plainText } from "./markdown";

/** GitHub refuses comments over 65,536 characters; this leaves room to spare. */
export const COMMENT_LIMIT = 65_000;
/** The smallest --max-length that always fits the headline and the notes. */
export const MINIMUM_LENGTH = 1_000;

const USAGE = `usage: npm run --silent plan-comment -- --stack <name> [--env <${ENVIRONMENTS.join("|")}>] [--summary-url <url>] [--max-length <n>] <plan.json>
       npm run --silent plan-comment -- --stack <name> --failed [--env <environment>] [--summary-url <url>]

Prints the Markdown body of a pull-request comment for one stack's plan; plan.json is the output of
terraform show -json <planfile>. The first line is a hidden marker unique to the stack, so a workflow
finds and updates its own comment. Destroys and replacements are listed in the open; every change is
listed in a collapsed block, cut to keep the body within --max-length characters (default ${COMMENT_LIMIT}).
--summary-url is where the full plan is (the workflow run); --failed prints the body for a plan that failed.`;

export interface CommentOptions {
  /** The stack the plan belongs to; it names the marker. */
  readonly stack: string;
  /** The GitHub environment whose credentials made the plan. */
  readonly environment?: string;
  /** Where the full plan is, e.g. the workflow run whose job summary holds it. */
  readonly summaryUrl?: string;
  readonly maxLength?: number;
  /** The plan's monthly cost in a line (monthlyCostLine), shown under the headline. */
  readonly costLine?: string;
}

/** The hidden first line that identifies a stack's comment. */
export function planMarker(stack: string): string {
  return `<!-- coalition-plan:${stack} -->`;
}

const GROUPS: readonly { kind: ChangeKind; title: string }[] = [
  { kind: "replace", title: "Replace" },
  { kind: "delete", title: "Destroy" },
  { kind: "create", title: "Create" },
  { kind: "update", title: "Update in place" },
  { kind: "import", title: "Import" },
  { kind: "move", title: "Move" },
  { kind: "forget", title: "Forget (removed from the state, not destroyed)" },
  { kind: "read", title: "Read during apply" },
];

const OUTPUT_WORDS = { create: "added", update: "changed", delete: "removed" } as const;

/** A line of the comment; items are the lines that name a change, the unit truncation counts. */
interface Line {
  readonly text: string;
  readonly item?: boolean;
}

/** The comment for a plan: marker, headline, destroys and replacements in the open, then every change collapsed. */
export function renderPlanComment(plan: PlanSummary, options: CommentOptions): string {
  const maxLength = options.maxLength ?? COMMENT_LIMIT;
  const head = [...header(options), headline(plan), "", meta(plan, options), ...(options.costLine ? ["", options.costLine] : [])];
  const critical = criticalSection(plan.changes);
  const details = detailLines(plan);
  const tail = options.summaryUrl ? ["", `Full plan: ${link("job summary", options.summaryUrl)}`] : [];
  const detailItems = details.filter((line) => line.item).length;

  const assemble = (criticalShown: Line[], detailsShown: Line[], note?: string) =>
    [
      ...head,
      ...(criticalShown.length > 0 ? ["", ...criticalShown.map((line) => line.text)] : []),
      ...(note ? ["", note] : []),
      ...(detailsShown.length > 0
        ? ["", `<details><summary>All changes (${detailItems})</summary>`, "", ...detailsShown.map((line) => line.text), "", "</details>"]
        : []),
      ...tail,
    ].join("\n") + "\n";

  const full = assemble(critical, details);
  if (full.length <= maxLength) return full;

  const where = options.summaryUrl ? `the ${link("job summary", options.summaryUrl)}` : "the job summary of the workflow run";
  const detailsNote = (shown: number) =>
    `> ⚠️ **Truncated:** the collapsed list below shows ${shown} of ${detailItems} changes to keep this comment within ${maxLength} characters; the full plan is in ${where}.`;
  const shownDetails = longestPrefix(details, (prefix) => assemble(critical, prefix, detailsNote(countItems(prefix))), maxLength);
  if (shownDetails !== undefined) return assemble(critical, shownDetails, detailsNote(countItems(shownDetails)));

  // Even the destroy list alone is too long: it is cut too, and the collapsed list left out.
  const criticalItems = critical.filter((line) => line.item).length;
  const criticalNote = (shown: number) =>
    `> ⚠️ **Truncated:** only ${shown} of the ${criticalItems} destroys and replacements fit in this comment (limit ${maxLength} characters), and the list of all changes is left out; the full plan is in ${where}.`;
  const shownCritical = longestPrefix(critical, (prefix) => assemble(prefix, [], criticalNote(countItems(prefix))), maxLength);
  if (shownCritical === undefined) throw new UsageError(`--max-length ${maxLength} is too small for the headline of this plan`);
  return assemble(shownCritical, [], criticalNote(countItems(shownCritical)));
}

/** The comment that replaces a stack's previous plan when the new plan could not be made. */
export function renderFailedPlanComment(options: CommentOptions): string {
  const run = options.summaryUrl ? `the ${link("workflow run", options.summaryUrl)}` : "the workflow run";
  return [
    ...header(options),
    "**❌ The plan failed.** No plan reflects this pull request's latest changes; " + `${run} shows why.`,
    "",
  ].join("\n");
}

function header(options: CommentOptions): string[] {
  return [planMarker(options.stack), `### Terraform plan for ${inlineCode(options.stack)}`, ""];
}

function headline(plan: PlanSummary): string {
  const { counts } = plan;
  const kinds = (kind: ChangeKind) => plan.changes.filter((change) => change.kind === kind).length;
  const outputs = plan.outputs.length;
  if (plan.changes.length === 0) {
    return outputs === 0
      ? "**No changes.** Your infrastructure matches the configuration."
      : `**No resource changes.** Only outputs change (${outputs}): applying saves their new values without changing any real infrastructure.`;
  }
  const imports = counts.import > 0 ? `${counts.import} to import, ` : "";
  const extras = [
    kinds("move") > 0 && `${kinds("move")} to move`,
    kinds("forget") > 0 && `${kinds("forget")} to forget (left in place, no longer managed)`,
    kinds("read") > 0 && `${kinds("read")} to read during apply`,
    outputs > 0 && `${outputs} output${outputs === 1 ? "" : "s"} to change`,
  ].filter(Boolean);
  return `**Plan: ${imports}${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy.**${extras.length > 0 ? ` Also ${extras.join(", ")}.` : ""}`;
}

function meta(plan: PlanSummary, options: CommentOptions): string {
  return [options.environment && `Environment ${inlineCode(options.environment)}`, `Terraform ${plainText(plan.terraformVersion)}`].filter(Boolean).join(" · ");
}

/** Destroys and replacements, always in the open. */
function criticalSection(changes: PlannedChange[]): Line[] {
  const replaced = changes.filter((change) => change.kind === "replace");
  const destroyed = changes.filter((change) => change.kind === "delete");
  if (replaced.length + destroyed.length === 0) return [];
  const lines: Line[] = [{ text: `#### ⚠️ ${replaced.length} to replace, ${destroyed.length} to destroy` }];
  if (replaced.length > 0) {
    lines.push({ text: "" }, { text: `**Replaced** (destroyed and created again):` }, ...replaced.map(item));
  }
  if (destroyed.length > 0) {
    lines.push({ text: "" }, { text: `**Destroyed:**` }, ...destroyed.map(item));
  }
  return lines;
}

function detailLines(plan: PlanSummary): Line[] {
  const lines: Line[] = [];
  for (const { kind, title } of GROUPS) {
    const group = plan.changes.filter((change) => change.kind === kind);
    if (group.length === 0) continue;
    if (lines.length > 0) lines.push({ text: "" });
    lines.push({ text: `**${title} (${group.length})**` }, ...group.map(item));
  }
  if (plan.outputs.length > 0) {
    if (lines.length > 0) lines.push({ text: "" });
    lines.push(
      { text: `**Outputs (${plan.outputs.length})**` },
      ...plan.outputs.map((output) => ({ text: `- ${inlineCode(output.name)}: ${OUTPUT_WORDS[output.action]}`, item: true })),
    );
  }
  return lines;
}

function item(change: PlannedChange): Line {
  const notes = [
    change.forcedBy && `forced by ${change.forcedBy.map(inlineCode).join(", ")}`,
    change.reason && plainText(change.reason),
    change.createBeforeDestroy && "the new object is created before the old one is destroyed",
    change.attributes && change.attributes.length > 0 && change.attributes.map(inlineCode).join(", "),
    change.movedFrom && `moved from ${inlineCode(change.movedFrom)}`,
    change.importing && change.kind !== "import" && "imported",
    change.deposed && `deposed object ${inlineCode(change.deposed)}`,
  ].filter(Boolean);
  return { text: `- ${inlineCode(change.address)}${notes.length > 0 ? ` — ${notes.join("; ")}` : ""}`, item: true };
}

/** The longest prefix of `lines` (ending on an item) whose rendering fits, or undefined if not even the empty one does. */
function longestPrefix(lines: Line[], render: (prefix: Line[]) => string, maxLength: number): Line[] | undefined {
  const fits = (count: number) => render(trimToItem(lines.slice(0, count))).length <= maxLength;
  if (!fits(0)) return undefined;
  let [low, high] = [0, lines.length];
  // Lengths grow with the prefix, so the largest count that fits is found by bisection.
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return trimToItem(lines.slice(0, low));
}

/** A cut list should not end on a heading or a blank line. */
function trimToItem(lines: Line[]): Line[] {
  let end = lines.length;
  while (end > 0 && !lines[end - 1].item) end--;
  return lines.slice(0, end);
}

function countItems(lines: Line[]): number {
  return lines.filter((line) => line.item).length;
}

function link(text: string, url: string): string {
  return `[${text}](${url})`;
}

export interface PlanCommentArgs extends CommentOptions {
  readonly planFile?: string;
  readonly failed: boolean;
}

export function parsePlanCommentArgs(argv: string[]): PlanCommentArgs | "help" {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      stack: { type: "string" },
      env: { type: "string" },
      "summary-url": { type: "string" },
      "max-length": { type: "string" },
      failed: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    true,
  );
  if (values.help) return "help";
  const { stack, env } = values;
  const summaryUrl = values["summary-url"];
  if (stack === undefined) throw new UsageError("--stack is required");
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(stack)) {
    throw new UsageError(`--stack must be a stack name (letters, digits, ".", "_", "-"), not ${JSON.stringify(stack)}`);
  }
  if (env !== undefined) environmentFlag("--env", env);
  if (summaryUrl !== undefined && !/^https?:\/\/[^\s()<>[\]]+$/.test(summaryUrl)) {
    throw new UsageError(`--summary-url must be an http(s) URL without spaces or brackets, not ${JSON.stringify(summaryUrl)}`);
  }
  const maxLength = positiveInteger("--max-length", values["max-length"], COMMENT_LIMIT, MINIMUM_LENGTH);
  const failed = values.failed ?? false;
  if (failed) {
    if (positionals.length > 0) throw new UsageError(`--failed takes no plan file, but was given ${JSON.stringify(positionals[0])}`);
    if (values["max-length"] !== undefined) throw new UsageError("--failed takes no --max-length");
  } else {
    if (positionals.length === 0) throw new UsageError("the plan file (terraform show -json output) is required");
    if (positionals.length > 1) throw new UsageError(`give one plan file, not ${positionals.length}: ${positionals.join(" ")}`);
  }
  return {
    stack,
    ...(env !== undefined && { environment: env }),
    ...(summaryUrl !== undefined && { summaryUrl }),
    maxLength,
    failed,
    ...(positionals[0] !== undefined && { planFile: positionals[0] }),
  };
}

/** The whole command: its stdout text, or undefined for --help. */
export function planComment(argv: string[]): string | undefined {
  const args = parsePlanCommentArgs(argv);
  if (args === "help") return undefined;
  if (args.failed) return renderFailedPlanComment(args);
  const json = readPlanJson(args.planFile!);
  return renderPlanComment(summarizePlan(json, args.planFile!), { ...args, costLine: monthlyCostLine(json) });
}

/**
 * The plan's monthly cost delta and the stack's new monthly total (src/cost), or why it is not estimated: a
 * missing price never stops the comment.
 */
export function monthlyCostLine(plan: unknown): string {
  const region = planRegion(plan);
  if (region === undefined) return "Monthly cost: not estimated (the plan names no AWS region)";
  try {
    return formatPlanCostLine(planCost(plan, region));
  } catch (error) {
    if (error instanceof PriceError || error instanceof CostInputError) return `Monthly cost: not estimated (${error.message})`;
    throw error;
  }
}

if (require.main === module) runCommand("plan-comment", USAGE, planComment);
