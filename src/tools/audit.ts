import { App } from "cdktf";
import { ConfigError, loadConfig } from "../config";
import { evaluate, type Result } from "../guardrails/engine";
import type { SynthesizedStack } from "../guardrails/rules";
import { SUPPRESSIONS } from "../guardrails/suppressions";
import { definePlatform } from "../../stacks/platform";

/** Guardrail results for every stack the configuration defines, with the suppressions each stack records. */
export function auditPlatform(env: NodeJS.ProcessEnv): Result[] {
  const { shared, applications } = definePlatform(new App({ skipValidation: true }), loadConfig(env));
  return [shared, ...applications].flatMap((stack) => {
    const json = stack.toTerraform() as SynthesizedStack;
    return evaluate(stack.node.id, json, [...SUPPRESSIONS, ...stack.recordedSuppressions()]);
  });
}

/** The report as a table, and whether anything failed. */
export function formatReport(results: readonly Result[]): { text: string; failed: number } {
  const rows = results.map((r) => [r.stack, r.rule, r.address, r.status.toUpperCase(), r.detail ?? ""]);
  const header = ["STACK", "RULE", "RESOURCE", "STATUS", "DETAIL"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd();
  const count = (status: Result["status"]) => results.filter((r) => r.status === status).length;
  const failed = count("fail");
  const summary = `${count("pass")} passed, ${failed} failed, ${count("suppressed")} suppressed`;
  return { text: [line(header), ...rows.map(line), "", summary].join("\n"), failed };
}

function main(): number {
  try {
    const { text, failed } = formatReport(auditPlatform(process.env));
    console.log(text);
    return failed > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) process.exit(main());
