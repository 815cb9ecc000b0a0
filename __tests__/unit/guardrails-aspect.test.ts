import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Aspects, TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { GUARDRAILS_METADATA, SecurityGuardrails } from "../../src/guardrails/aspect";
import { ReadableStack } from "../../src/naming/addresses";

/** The guardrails as an aspect: what a synth of one small stack does with failing and suppressed findings. */
function stack(name: string, rotate: boolean[]): ReadableStack {
  const scope = new ReadableStack(Testing.app(), name);
  new AwsProvider(scope, "aws", { region: "us-east-1" });
  rotate.forEach((enableKeyRotation, i) => new KmsKey(scope, `key_${i}`, { enableKeyRotation }));
  return scope;
}

describe("the guardrails aspect", () => {
  it("fails the synth naming each failing rule and resource", () => {
    const scope = stack("prod", [false, true, false]);
    Aspects.of(scope).add(new SecurityGuardrails(() => []));
    expect(() => Testing.synth(scope, true)).toThrow(
      /guardrail KMS_ROTATION aws_kms_key\.key_0: enable_key_rotation must be true[\s\S]*guardrail KMS_ROTATION aws_kms_key\.key_2: enable_key_rotation must be true/,
    );
    expect(() => Testing.synth(scope, true)).not.toThrow(/key_1/);
  });

  it("records suppressed findings with their reasons in the stack's metadata, and passes", () => {
    const scope = stack("prod", [false, true]);
    const suppressions = [{ rule: "KMS_ROTATION", address: "aws_kms_key.key_0", reason: "imported legacy key" }];
    Aspects.of(scope).add(new SecurityGuardrails(() => suppressions));
    Testing.synth(scope, true);
    const json = scope.toTerraform() as any;
    expect(GUARDRAILS_METADATA).toBe("guardrails");
    expect(json["//"].guardrails).toEqual({ suppressed: ["KMS_ROTATION aws_kms_key.key_0: imported legacy key"] });
  });

  it("records an empty list when nothing is suppressed, keeping the stack's other metadata", () => {
    const scope = stack("dev", [true]);
    Aspects.of(scope).add(new SecurityGuardrails(() => []));
    Testing.synth(scope, true);
    const json = scope.toTerraform() as any;
    expect(json["//"].guardrails).toEqual({ suppressed: [] });
    expect(json["//"].metadata).toMatchObject({ stackName: "dev" });
  });

  it("refuses a stack that cannot record its findings, and leaves other constructs alone", () => {
    const app = Testing.app();
    const plain = new TerraformStack(app, "plain");
    const guardrails = new SecurityGuardrails(() => []);
    expect(() => guardrails.visit(plain)).toThrow("guardrails: stack plain must be a ReadableStack to record its findings");
    const key = new KmsKey(stack("prod", []), "key", {});
    expect(() => guardrails.visit(key)).not.toThrow();
  });
});
