import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect, it } from "vitest";
import { exampleConfig } from "../support/synth";
import { terraform, terraformEnvironment } from "../support/terraform";
import { describeStacksUnderTerraform, terraformAvailable } from "./harness";

const { stackDir } = describeStacksUnderTerraform("example configuration", exampleConfig());

it.skipIf(!terraformAvailable)("fails terraform test when an assertion does not hold (the harness can fail)", () => {
  const env = terraformEnvironment();
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-broken-"));
  copyFileSync(path.join(stackDir("shared"), "cdk.tf.json"), path.join(dir, "cdk.tf.json"));
  writeFileSync(
    path.join(dir, "broken.tftest.hcl"),
    'mock_provider "aws" {}\nrun "apply" {\n  command = apply\n  assert {\n    condition     = aws_vpc.network_vpc.cidr_block == "10.9.0.0/16"\n    error_message = "wrong range"\n  }\n}\n',
  );
  terraform(dir, ["init", "-backend=false", "-input=false"], env);
  const result = terraform(dir, ["test"], env);
  expect(result.output).toContain("wrong range");
  expect(result.status).not.toBe(0);
}, 300_000);
