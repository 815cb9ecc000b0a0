import { DATA_BEARING_TYPES, isDataBearing } from "./data-bearing";
import type { DnsRecordConfig } from "../config";
import type { MigrationPlan, Outcome, Replacement } from "./plan";

const section = (title: string, lines: readonly string[]): string[] => (lines.length === 0 ? [] : ["", `${title} (${lines.length}):`, ...lines.map((line) => `  ${line}`)]);

const describeRecord = (record: DnsRecordConfig) =>
  `${record.type} ${record.name} ${record.alias ? `alias ${record.alias.name}` : (record.values ?? []).join(" | ")}`;

/** Data-bearing objects that would be replaced, each named with what would be lost: the command then fails. */
export function fatalReplacements(replaced: readonly Replacement[]): Replacement[] {
  return replaced.filter((replacement) => isDataBearing(replacement.type));
}

/**
 * The report for the person running the migration: moved, kept under the old name, imported, forgotten (kept in
 * AWS), replaced (with the argument forcing it), not recognised, the carried DNS records, and what changes.
 */
export function migrationReport(plan: MigrationPlan, replaced: readonly Replacement[], stateSource: string): string {
  const of = (kind: Outcome["kind"]) => plan.outcomes.filter((outcome) => outcome.kind === kind);
  const replacedAddresses = new Set(replaced.map((replacement) => replacement.address));
  const plain = (outcome: Outcome) => !outcome.kept && !replacedAddresses.has(outcome.address);
  const moved = of("moved").filter(plain);
  const imported = of("imported").filter(plain);
  const kept = plan.outcomes.filter((outcome) => outcome.kept);
  const verb = plan.mode === "move" ? "moved" : "imported";
  const fatal = fatalReplacements(replaced);
  return [
    `migrate:hcl ${plan.environment}: ${plan.outcomes.length} resource instances in ${stateSource}; the ${plan.environment} stack takes them over by ${plan.mode === "move" ? "moved blocks on the same state" : "import blocks into a state of its own"}.`,
    ...section(`Moved`, moved.map((outcome) => `${outcome.address} → ${outcome.to}`)),
    ...section(
      `Kept under the old name (${verb}; migration.${plan.environment}.names)`,
      kept.map((outcome) => `${outcome.address} → ${outcome.to}: ${outcome.kept!.value} (instead of ${outcome.kept!.instead})`),
    ),
    ...section(
      "Kept database settings (database.*)",
      Object.entries(plan.database).map(([field, value]) => `${field}: ${value} (the instance's own)`),
    ),
    ...section(
      "Imported",
      imported.map((outcome) => `${outcome.address} → ${outcome.to}${outcome.reason ? `: ${outcome.reason}` : ""}`),
    ),
    ...section(
      "Replaced (destroyed and created again)",
      replaced.map((replacement) => `${replacement.address} → ${replacement.to}: ${replacement.because}`),
    ),
    ...section(
      plan.mode === "move" ? "Forgotten, kept in AWS (removed, destroy = false)" : "Not taken over, kept in AWS (left in the old state)",
      of("forgotten").map((outcome) => `${outcome.address}: ${outcome.reason}`),
    ),
    ...section("Not recognised, forgotten and kept in AWS (review them)", of("unrecognised").map((outcome) => outcome.address)),
    ...section(
      "DNS records carried into applications.prod.dnsRecords",
      plan.carried.map(({ address, record }) => `${describeRecord(record)} (${address})`),
    ),
    ...section("DNS records not carried", plan.notCarried.map(({ address, reason }) => `${address}: ${reason}`)),
    ...section("What changes", plan.notes),
    ...(fatal.length > 0
      ? [
          "",
          ...fatal.map(
            (replacement) =>
              `REFUSED: ${replacement.address} (${DATA_BEARING_TYPES[replacement.type]}) would be replaced at ${replacement.to}: ${replacement.because}. Nothing was written.`,
          ),
        ]
      : []),
  ].join("\n");
}
