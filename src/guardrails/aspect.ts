import { type IAspect, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { ReadableStack } from "../naming/addresses";
import { describeResult, evaluate, type Result } from "./engine";
import type { SynthesizedStack } from "./rules";
import type { Suppression } from "./suppressions";

/** Key of the stack's `//` metadata (which Terraform ignores) listing the guardrail findings that were suppressed. */
export const GUARDRAILS_METADATA = "guardrails";

/** What the guardrails record in a synthesized stack. */
export interface GuardrailsMetadata {
  /** Each suppressed finding: rule, address and the suppression's reason. */
  readonly suppressed: string[];
}

/**
 * Checks every stack it is applied to against the security rules when the stack is synthesized: a failing rule
 * fails the synth with the rule and the resource named. Suppressed findings are not errors: they are recorded
 * in the synthesized stack's metadata (and listed by `npm run audit`), so a good synth prints nothing.
 */
export class SecurityGuardrails implements IAspect {
  constructor(private readonly suppressions: () => readonly Suppression[]) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    if (!(node instanceof ReadableStack)) throw new Error(`guardrails: stack ${node.node.id} must be a ReadableStack to record its findings`);
    let suppressed: readonly Result[] = [];
    node.node.addValidation({
      validate: () => {
        const results = evaluate(node.node.id, node.toTerraform() as SynthesizedStack, this.suppressions());
        suppressed = results.filter((r) => r.status === "suppressed");
        return results.filter((r) => r.status === "fail").map((r) => `guardrail ${describeResult(r)}`);
      },
    });
    node.addRewrite((json) => {
      const metadata: GuardrailsMetadata = { suppressed: suppressed.map(describeResult) };
      return { ...json, "//": { ...((json["//"] as object | undefined) ?? {}), [GUARDRAILS_METADATA]: metadata } };
    });
  }
}
