// A stack's drift, from a refreshed plan: what changed outside Terraform, and the GitHub issue that reports it
// (drift-report prints it, drift-issue keeps it).
import { environmentFlag, parseCommandLine, UsageError } from "./cli";
import { type PlannedChange, type PlanSummary, readPlanJson, summarizePlan } from "./terraform-plan";
import { inlineCode, plainText } from "./markdown";

/** The hidden first line that identifies a stack's drift issue. */
export function driftMarker(stack: string): string {
  return `<!-- coalition-drift:${stack} -->`;
}

/** The title of a stack's drift issue. */
export function driftTitle(stack: string): string {
  return `Drift in the ${stack} stack`;
}

/** What a drift check found: the plan's changes, and which addresses Terraform saw changed outside it. */
export interface DriftFindings {
  readonly plan: PlanSummary;
  /** Addresses in the plan's resource_drift: objects whose real state no longer matches Terraform's state. */
  readonly changedOutside: ReadonlySet<string>;
}

/** Reads a `terraform show -json` plan into drift findings; anything that is not a plan is a UsageError. */
export function driftFindings(json: unknown, source = "the input"): DriftFindings {
  return { plan: summarizePlan(json, source), changedOutside: changedOutsideAddresses(json) };
}

/** The addresses of a plan's resource_drift (absent when nothing changed outside Terraform). */
function changedOutsideAddresses(json: unknown): Set<string> {
  const drift = (json as { resource_drift?: unknown }).resource_drift;
  const entries: unknown[] = Array.isArray(drift) ? drift : [];
  return new Set(entries.flatMap((entry) => {
    const address = (entry as { address?: unknown } | null)?.address;
    return typeof address === "string" ? [address] : [];
  }));
}

/**
 * The changes that are drift: every managed resource the plan would change. Reads during apply and
 * output-only changes touch no real infrastructure, so they are not.
 */
export function driftedChanges(findings: DriftFindings): PlannedChange[] {
  return findings.plan.changes.filter((change) => change.kind !== "read");
}

/** Whether a drift issue should be open for these findings. */
export function hasDrift(findings: DriftFindings): boolean {
  return driftedChanges(findings).length > 0;
}

export interface DriftReportOptions {
  readonly stack: string;
  /** The workflow run that made the plan. */
  readonly runUrl?: string;
}

const KIND_WORDS: Record<PlannedChange["kind"], string> = {
  replace: "would be replaced",
  delete: "would be destroyed",
  create: "would be created",
  update: "would be updated in place",
  import: "would be imported",
  move: "would be moved",
  forget: "would be forgotten",
  read: "would be read",
};

/** The issue body: marker, headline, one line per drifted resource with its changed attributes, the run link. */
export function renderDriftReport(findings: DriftFindings, options: DriftReportOptions): string {
  const changes = driftedChanges(findings);
  const runLine = options.runUrl ? [`Found by [this run](${options.runUrl}); its job summary holds the plan.`] : [];
  const head = [driftMarker(options.stack), `### Drift in ${inlineCode(options.stack)}`, ""];
  if (changes.length === 0) {
    return [...head, "**No drift.** The stack's resources match its configuration.", "", ...runLine].join("\n").trimEnd() + "\n";
  }
  const outside = changes.filter((change) => findings.changedOutside.has(change.address)).length;
  const noun = changes.length === 1 ? "resource differs" : "resources differ";
  return (
    [
      ...head,
      `**${changes.length} ${noun} from the configuration** (${outside} changed outside Terraform). Applying the configuration would change them back.`,
      "",
      ...changes.map((change) => driftLine(change, findings.changedOutside.has(change.address))),
      "",
      `Terraform ${plainText(findings.plan.terraformVersion)}. A change not made outside Terraform is one the configuration holds but no apply has made yet.`,
      ...(runLine.length > 0 ? ["", ...runLine] : []),
      "",
      "This issue is updated by every drift check that still finds drift, and closed by the first that finds none.",
    ].join("\n") + "\n"
  );
}

/** The comment that closes a stack's drift issue. */
export function renderResolvedComment(options: DriftReportOptions): string {
  const where = options.runUrl ? `[A later drift check](${options.runUrl})` : "A later drift check";
  return `${where} found no drift in ${inlineCode(options.stack)}: its resources match the configuration again. Closing.\n`;
}

function driftLine(change: PlannedChange, changedOutside: boolean): string {
  const details = [
    KIND_WORDS[change.kind],
    change.attributes && change.attributes.length > 0 && `attributes ${change.attributes.map(inlineCode).join(", ")}`,
    change.forcedBy && `forced by ${change.forcedBy.map(inlineCode).join(", ")}`,
    change.reason && plainText(change.reason),
    changedOutside && "**changed outside Terraform**",
  ].filter(Boolean);
  return `- ${inlineCode(change.address)} — ${details.join("; ")}`;
}

/** Reads a plan file into drift findings; any problem is a UsageError naming the file. */
export function readDriftFile(file: string): DriftFindings {
  const json = readPlanJson(file);
  return { plan: summarizePlan(json, file), changedOutside: changedOutsideAddresses(json) };
}

export interface DriftReportArgs extends DriftReportOptions {
  readonly planFile: string;
}

/** Checks the flags shared by drift-report and drift-issue. */
export function parseDriftArgs(argv: string[]): DriftReportArgs | "help" {
  const { values, positionals } = parseCommandLine(
    argv,
    { stack: { type: "string" }, "run-url": { type: "string" }, help: { type: "boolean", short: "h" } },
    true,
  );
  if (values.help) return "help";
  const stack = environmentFlag("--stack", values.stack);
  const runUrl = values["run-url"];
  if (runUrl !== undefined && !/^https?:\/\/[^\s()<>[\]]+$/.test(runUrl)) {
    throw new UsageError(`--run-url must be an http(s) URL without spaces or brackets, not ${JSON.stringify(runUrl)}`);
  }
  if (positionals.length === 0) throw new UsageError("the plan file (terraform show -json output) is required");
  if (positionals.length > 1) throw new UsageError(`give one plan file, not ${positionals.length}: ${positionals.join(" ")}`);
  return { stack, ...(runUrl !== undefined && { runUrl }), planFile: positionals[0] };
}
