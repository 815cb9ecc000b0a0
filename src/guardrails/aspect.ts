import { type IAspect, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { describeResult, evaluate } from "./engine";
import type { SynthesizedStack } from "./rules";
import type { Suppression } from "./suppressions";

/**
 * Checks every stack it is applied to against the security rules when the stack is synthesized:
 * a failing rule fails the synth with the rule and the resource named; suppressed findings are listed.
 */
export class SecurityGuardrails implements IAspect {
  constructor(private readonly suppressions: () => readonly Suppression[]) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    node.node.addValidation({
      validate: () => {
        const results = evaluate(node.node.id, node.toTerraform() as SynthesizedStack, this.suppressions());
        for (const result of results.filter((r) => r.status === "suppressed")) {
          process.stderr.write(`guardrails [${node.node.id}] suppressed ${describeResult(result)}\n`);
        }
        return results.filter((r) => r.status === "fail").map((r) => `guardrail ${describeResult(r)}`);
      },
    });
  }
}
