import type { PlanCost, StackEstimate } from "./estimate";
import { HOURS_PER_MONTH } from "./prices";

/** USD with two decimals, rounded half away from zero, never "-0.00". */
export function formatUsd(amount: number): string {
  const cents = Math.round(Math.abs(amount) * 100 + 1e-9) * Math.sign(amount);
  return (cents === 0 ? 0 : cents / 100).toFixed(2);
}

/** Left-aligned columns, two spaces apart, the last one unpadded. */
function columns(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd());
}

/** The estimate of a stack as a table per resource type, ending with `total_monthly_usd=<n>`. */
export function formatStackEstimate(stack: string, estimate: StackEstimate, variables: ReadonlyMap<string, unknown>): string {
  const { prices } = estimate;
  const rows = estimate.types.map((t) => [
    t.type,
    String(t.count),
    formatUsd(t.monthlyUsd),
    t.pricing.basis === "priced" ? t.pricing.unit : `${t.pricing.basis}: ${t.pricing.reason}`,
  ]);
  const settings = [...variables].map(([name, value]) => `${name}=${String(value)}`).join(" ");
  return [
    `# ${stack} in ${estimate.region}: ${prices.source}, retrieved ${prices.retrieved}; ${HOURS_PER_MONTH} hours a month`,
    ...(settings ? [`# variables: ${settings}`] : []),
    ...columns([["TYPE", "COUNT", "MONTHLY_USD", "PRICING"], ...rows]),
    `total_monthly_usd=${formatUsd(estimate.totalMonthlyUsd)}`,
    "",
  ].join("\n");
}

/** One line for a plan comment: the monthly delta with its sign and the stack's new monthly total. */
export function formatPlanCostLine(cost: PlanCost): string {
  const delta = formatUsd(cost.deltaMonthlyUsd);
  const signed = delta.startsWith("-") || delta === "0.00" ? delta : `+${delta}`;
  return `Monthly cost: ${signed} USD, ${formatUsd(cost.totalMonthlyUsd)} USD in total after this plan (fixed monthly part, ${cost.region} list prices)`;
}

/** A plan's changes with their monthly prices before and after, ending with `delta_monthly_usd=<n>`. */
export function formatPlanCost(cost: PlanCost): string {
  const rows = cost.changes.map((c) => [c.action, c.address, formatUsd(c.beforeMonthlyUsd), formatUsd(c.afterMonthlyUsd), formatUsd(c.deltaMonthlyUsd)]);
  return [
    `# monthly USD in ${cost.region}, ${HOURS_PER_MONTH} hours a month`,
    ...(rows.length > 0 ? columns([["ACTION", "ADDRESS", "BEFORE", "AFTER", "DELTA"], ...rows]) : ["# no resource changes"]),
    `total_monthly_usd=${formatUsd(cost.totalMonthlyUsd)}`,
    `delta_monthly_usd=${formatUsd(cost.deltaMonthlyUsd)}`,
    "",
  ].join("\n");
}
