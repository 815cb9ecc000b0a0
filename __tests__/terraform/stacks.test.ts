import { App } from "cdktf";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect, it } from "vitest";
import { definePlatform } from "../../stacks/platform";
import { exampleConfig } from "../support/synth";
import { mockedTerraformEnvironment, terraform, terraformEnvironment } from "../support/terraform";
import { describeStacksUnderTerraform, judgeTerraformTest, protectedAddresses, terraformAvailable } from "./harness";
import { mockProviders } from "./mock-providers";

// The example, adopting what the CloudFormation bootstrap created (provider, roles, inline policies) through import
// blocks, as a first real deploy does: the whole stack applies with them (the mock overrides what is imported).
const { stackDir } = describeStacksUnderTerraform(
  "example configuration, adopting the bootstrap",
  exampleConfig((tree) => {
    for (const env of ["shared", "prod", "dev"]) tree.accounts[env].githubOidc = { adoptBootstrap: true };
  }),
);

it.skipIf(!terraformAvailable)("fails terraform test when an assertion does not hold (the harness can fail)", () => {
  const env = terraformEnvironment();
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-broken-"));
  // A configuration of Terraform's own resource, so that no provider needs starting: what is judged is the output.
  writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ resource: { terraform_data: { network: { input: "10.0.0.0/16" } } } }));
  writeFileSync(
    path.join(dir, "broken.tftest.hcl"),
    `run "apply" {\n  command = apply\n  assert {\n    condition     = terraform_data.network.output == "10.9.0.0/16"\n    error_message = "wrong range"\n  }\n}\n`,
  );
  terraform(dir, ["init", "-backend=false", "-input=false"], env);
  const result = terraform(dir, ["test"], env);
  expect(result.output).toContain("wrong range");
  expect(result.status).not.toBe(0);
  const verdict = judgeTerraformTest(result.output, []);
  expect(verdict.runsPassed).toBe(false);
  expect(verdict.problems).toContain("terraform test did not succeed");
}, 300_000);

it.skipIf(!terraformAvailable)("protects the database from destruction, unless deletion protection is switched off", () => {
  const shared = JSON.parse(readFileSync(path.join(stackDir("shared"), "cdk.tf.json"), "utf8"));
  expect(protectedAddresses(shared).sort()).toEqual(["aws_db_instance.database_instance", "aws_db_parameter_group.database_parameters"]);

  const env = terraformEnvironment();
  const outdir = mkdtempSync(path.join(tmpdir(), "coalition-unprotected-"));
  const app = new App({ outdir });
  const { shared: stack } = definePlatform(app, exampleConfig((tree) => (tree.database.deletionProtection = false)));
  app.synth();
  const dir = path.join(outdir, "stacks", stack.node.id);
  const json = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
  expect(protectedAddresses(json)).toEqual([]);
  writeFileSync(path.join(dir, "teardown.tftest.hcl"), `${mockProviders()}\nrun "apply" {\n  command = apply\n}\n`);
  terraform(dir, ["init", "-backend=false", "-input=false"], env);
  const result = terraform(dir, ["test"], mockedTerraformEnvironment());
  expect(result.output).toContain("Success! 1 passed, 0 failed");
  expect(judgeTerraformTest(result.output, [])).toEqual({ runsPassed: true, problems: [] });
}, 300_000);
