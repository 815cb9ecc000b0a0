import { RULES, type SynthesizedStack } from "./rules";
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

/** Runs every rule on one synthesized stack, applying the suppressions that name it. */
export function evaluate(stackName: string, stack: SynthesizedStack, suppressions: readonly Suppression[]): Result[] {
  return RULES.flatMap((rule) =>
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
