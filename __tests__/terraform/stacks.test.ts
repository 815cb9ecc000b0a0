import { App } from "cdktf";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../../src/config";
import { definePlatform } from "../../stacks/platform";
import { exampleConfig } from "../support/synth";
import { findTerraform, PROVIDER_MIRROR_VARIABLE, terraform, terraformEnvironment } from "../support/terraform";
import { sharedStateOverride } from "./mock-shared-state";

const available = findTerraform() !== undefined;
if (!available) {
  console.warn(
    "\n" + "!".repeat(78) + "\n!! SKIPPED: terraform is not on PATH, so the synthesized stacks were NOT validated.\n" +
      `!! Install Terraform >= 1.10 and set ${PROVIDER_MIRROR_VARIABLE} to run these tests offline.\n` + "!".repeat(78) + "\n",
  );
}

describe.skipIf(!available)("synthesized stacks under real Terraform", () => {
  const outdir = mkdtempSync(path.join(tmpdir(), "coalition-synth-"));
  const env = terraformEnvironment();
  const stackDir = (name: string) => path.join(outdir, "stacks", name);

  beforeAll(() => {
    const app = new App({ outdir });
    definePlatform(app, exampleConfig());
    app.synth();
  });

  describe.each(ENVIRONMENTS)("%s", (name) => {
    beforeAll(() => {
      const init = terraform(stackDir(name), ["init", "-backend=false", "-input=false"], env);
      expect(init.output, "terraform init").toContain("Terraform has been successfully initialized");
      const tests = readFileSync(path.join(__dirname, "mock", `${name}.tftest.hcl`), "utf8");
      const header = name === "shared" ? "" : sharedStateOverride();
      writeFileSync(path.join(stackDir(name), `${name}.tftest.hcl`), `${header}\n${tests}`);
    }, 120_000);

    it("passes terraform validate", () => {
      const result = terraform(stackDir(name), ["validate"], env);
      expect(result.output).toContain("The configuration is valid");
      expect(result.status).toBe(0);
    }, 120_000);

    it("applies in full against mocked providers (terraform test)", () => {
      const result = terraform(stackDir(name), ["test"], env);
      expect(result.output).toMatch(/Success! \d+ passed, 0 failed/);
      expect(result.status).toBe(0);
    }, 300_000);
  });

  it("fails terraform test when an assertion does not hold (the harness can fail)", () => {
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
});
