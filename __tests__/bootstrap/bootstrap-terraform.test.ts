import { App } from "cdktf";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { exampleConfig } from "../support/synth";
import { have } from "../support/prerequisites";
import { mockedTerraformEnvironment, terraform, terraformEnvironment } from "../support/terraform";

const available = have("terraform");

/**
 * The AWS part only: the GitHub provider cannot be installed offline, so the stack is synthesized with
 * manageGitHub false (the unit tests show that leaves the AWS part unchanged) and its GitHub resources
 * are proven on the synthesized JSON instead.
 */
describe.skipIf(!available)("the bootstrap stack's AWS part under real Terraform", () => {
  const outdir = mkdtempSync(path.join(tmpdir(), "coalition-bootstrap-synth-"));
  const dir = path.join(outdir, "stacks", "bootstrap");
  const env = terraformEnvironment();

  beforeAll(() => {
    const app = new App({ outdir });
    new BootstrapStack(app, { config: exampleConfig(), manageGitHub: false });
    app.synth();
    const mocks = ["shared", "prod", "dev"].map((alias) => `mock_provider "aws" {\n  alias = "${alias}"\n}\n`).join("\n");
    writeFileSync(path.join(dir, "bootstrap.tftest.hcl"), `${mocks}\n${readFileSync(path.join(__dirname, "bootstrap.tftest.hcl"), "utf8")}`);
    const init = terraform(dir, ["init", "-backend=false", "-input=false"], env);
    expect(init.output, "terraform init").toContain("Terraform has been successfully initialized");
  }, 120_000);

  // terraform test validates the configuration first, then applies it; it destroys what it applied, which
  // prevent_destroy makes Terraform refuse for the state buckets and lock tables, as this asserts too.
  it("is valid and applies in full against mocked providers (terraform test), and refuses to destroy the state storage", () => {
    const result = terraform(dir, ["test"], mockedTerraformEnvironment());
    expect(result.output).toContain('run "apply"... pass');
    expect(result.output).not.toMatch(/run "[^"]+"\.\.\. fail/);
    const errors = result.output.match(/^Error: .*$/gm) ?? [];
    expect(new Set(errors)).toEqual(new Set(["Error: Instance cannot be destroyed"]));
    const protectedResources = [...result.output.matchAll(/Resource (\S+) has\s+lifecycle\.prevent_destroy set/g)].map((m) => m[1]);
    expect(protectedResources.sort()).toEqual(
      ["shared", "prod", "dev"].flatMap((env) => [`aws_dynamodb_table.${env}_state_lock_table`, `aws_s3_bucket.${env}_state_bucket`]).sort(),
    );
  }, 300_000);
});
