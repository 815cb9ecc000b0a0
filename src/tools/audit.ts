import { App } from "cdktf";
import { bootstrapTemplateFigures, largest, templateQuotaChecks } from "../bootstrap/template-quotas";
import { ConfigError, loadConfig } from "../config";
import { evaluate, type Result } from "../guardrails/engine";
import { roleQuotas } from "../guardrails/quota-rules";
import { figure, IAM_LIMITS, type Measure } from "../guardrails/quotas";
import type { SynthesizedStack } from "../guardrails/rules";
import { SUPPRESSIONS } from "../guardrails/suppressions";
import { definePlatform } from "../../stacks/platform";

/** One role's policy sizes against IAM's quotas: a stack's role, or a bootstrap template's at its worst variant. */
export interface RoleSizes {
  /** The stack, or the template's file (`bootstrap/…`). */
  readonly stack: string;
  /** The role's address, or its logical id in the template. */
  readonly role: string;
  /** Its inline policies together; undefined when one of them has no size at synth. */
  readonly inline?: Measure;
  readonly trust?: Measure;
  /** Which template parameters give these figures. */
  readonly worstCase?: string;
}

export interface Audit {
  readonly results: Result[];
  readonly roles: RoleSizes[];
}

/**
 * Guardrail results for every stack the configuration defines (with the suppressions each stack records) and for
 * the roles of the bootstrap's CloudFormation templates, and every role's policy sizes.
 */
export function auditPlatform(env: NodeJS.ProcessEnv): Audit {
  const config = loadConfig(env);
  const { shared, applications } = definePlatform(new App({ skipValidation: true }), config);
  const results: Result[] = [];
  const roles: RoleSizes[] = [];
  for (const stack of [shared, ...applications]) {
    const json = stack.toTerraform() as SynthesizedStack;
    results.push(...evaluate(stack.node.id, json, [...SUPPRESSIONS, ...stack.recordedSuppressions()]));
    for (const role of roleQuotas(json)) {
      roles.push({ stack: stack.node.id, role: role.address, inline: role.inline, trust: "error" in role.trust ? undefined : role.trust });
    }
  }
  for (const [file, figures] of Object.entries(bootstrapTemplateFigures(config.administrators))) {
    const stack = `bootstrap/${file}`;
    for (const { rule, check } of templateQuotaChecks(figures)) {
      results.push({ stack, rule, address: check.address, status: check.ok ? "pass" : "fail", ...(check.ok ? {} : { detail: check.message }) });
    }
    for (const role of new Set(figures.map((f) => f.role))) {
      const inline = largest(figures, role, (f) => f.inline);
      const trust = largest(figures, role, (f) => f.trust);
      // Parameters at their longest: the figures are upper bounds, like an interpolation's.
      const bound = (size: number): Measure => ({ size, interpolations: 1 });
      const worstCase = inline.variant === trust.variant ? inline.variant : `inline: ${inline.variant}; trust: ${trust.variant}`;
      roles.push({ stack, role, inline: bound(inline.inline), trust: bound(trust.trust), worstCase });
    }
  }
  return { results, roles };
}

/** Lines of columns, each padded to its widest cell (the last one not padded). */
function table(header: string[], rows: string[][], alignRight: number[] = []): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : alignRight.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** "8,987 / 10,240  87.8%", "≤" before an upper bound. */
function usage(measure: Measure | undefined, limit: number): string {
  if (measure === undefined) return "unknown at synth";
  const bound = measure.interpolations > 0 ? "≤" : "";
  const percent = ((measure.size / limit) * 100).toFixed(1).padStart(5);
  return `${bound}${figure(measure.size)} / ${figure(limit)}  ${percent}%`;
}

/** The report as tables (rule results, then role policy sizes), and whether anything failed. */
export function formatReport(results: readonly Result[], roles: readonly RoleSizes[] = []): { text: string; failed: number } {
  const rows = results.map((r) => [r.stack, r.rule, r.address, r.status.toUpperCase(), r.detail ?? ""]);
  const count = (status: Result["status"]) => results.filter((r) => r.status === status).length;
  const failed = count("fail");
  const summary = `${count("pass")} passed, ${failed} failed, ${count("suppressed")} suppressed`;
  const lines = table(["STACK", "RULE", "RESOURCE", "STATUS", "DETAIL"], rows);
  if (roles.length > 0) {
    const sizes = roles.map((r) => [r.stack, r.role, usage(r.inline, IAM_LIMITS.roleInlinePolicies), usage(r.trust, IAM_LIMITS.trustPolicy), r.worstCase ?? ""]);
    lines.push(
      "",
      "Role policy sizes in characters, white space not counted (≤: an upper bound, with interpolations or template parameters at their longest):",
      ...table(["STACK", "ROLE", "INLINE POLICIES", "TRUST POLICY", "WORST CASE"], sizes, [2, 3]),
    );
  }
  return { text: [...lines, "", summary].join("\n"), failed };
}

function main(): number {
  try {
    const { results, roles } = auditPlatform(process.env);
    const { text, failed } = formatReport(results, roles);
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
