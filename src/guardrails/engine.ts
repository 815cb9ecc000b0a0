import { QUOTA_RULES } from "./quota-rules";
import { type Rule, RULES, type SynthesizedStack } from "./rules";
import type { Suppression } from "./suppressions";

export type Status = "pass" | "fail" | "suppressed";

export interface Result {
  readonly stack: string;
  readonly rule: string;
  readonly address: string;
  readonly status: Status;
  /** The failure, or the suppression's reason. */
  readonly detail?: string;
}

/** The security rules, then AWS's quotas. */
export const ALL_RULES: readonly Rule[] = [...RULES, ...QUOTA_RULES];

/** Runs every rule on one synthesized stack, applying the suppressions that name it. */
export function evaluate(stackName: string, stack: SynthesizedStack, suppressions: readonly Suppression[]): Result[] {
  return ALL_RULES.flatMap((rule) =>
    rule.check(stack, stackName).map((check): Result => {
      const suppression = suppressions.find(
        (s) => s.rule === rule.id && s.address === check.address && (s.stacks === undefined || s.stacks.includes(stackName)),
      );
      if (check.ok) return { stack: stackName, rule: rule.id, address: check.address, status: "pass" };
      if (suppression) return { stack: stackName, rule: rule.id, address: check.address, status: "suppressed", detail: suppression.reason };
      return { stack: stackName, rule: rule.id, address: check.address, status: "fail", detail: check.message };
    }),
  );
}

export function describeResult(result: Result): string {
  return `${result.rule} ${result.address}${result.detail ? `: ${result.detail}` : ""}`;
}
