import { App } from "cdktf";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ENVIRONMENTS, type PlatformConfig } from "../../src/config";
import { definePlatform } from "../../stacks/platform";
import { have } from "../support/prerequisites";
import { mockedTerraformEnvironment, terraform, terraformEnvironment } from "../support/terraform";
import { mockProviders } from "./mock-providers";
import { sharedStateOverride } from "./mock-shared-state";

export const terraformAvailable = have("terraform");

/**
 * For every stack synthesized from `config`: terraform init (no backend), then terraform test, which validates
 * the configuration and applies the whole stack against mocked providers with the run blocks of
 * mock/<stack>.tftest.hcl. Resources the stack imports are overridden too: Terraform cannot import from a mock
 * provider.
 */
export function describeStacksUnderTerraform(label: string, config: PlatformConfig): { stackDir: (name: string) => string } {
  const outdir = mkdtempSync(path.join(tmpdir(), "coalition-synth-"));
  const stackDir = (name: string) => path.join(outdir, "stacks", name);
  const env = terraformEnvironment();

  describe.skipIf(!terraformAvailable)(`${label}: synthesized stacks under real Terraform`, () => {
    beforeAll(() => {
      const app = new App({ outdir });
      definePlatform(app, config);
      app.synth();
    });

    describe.each(ENVIRONMENTS)("%s", (name) => {
      beforeAll(() => {
        const init = terraform(stackDir(name), ["init", "-backend=false", "-input=false"], env);
        expect(init.output, "terraform init").toContain("Terraform has been successfully initialized");
        const stack = JSON.parse(readFileSync(path.join(stackDir(name), "cdk.tf.json"), "utf8"));
        const imported = ((stack.import ?? []) as { to: string }[]).map(({ to }) => `override_resource {\n  target = ${to}\n}\n`);
        const runs = readFileSync(path.join(__dirname, "mock", `${name}.tftest.hcl`), "utf8");
        const header = [
          name === "shared" ? mockProviders() : mockProviders(["shared"]),
          ...(name === "shared" ? [] : [sharedStateOverride()]),
          ...imported,
        ].join("\n");
        writeFileSync(path.join(stackDir(name), `${name}.tftest.hcl`), `${header}\n${runs}`);
      }, 120_000);

      it("is valid and applies in full against mocked providers (terraform test)", () => {
        const stack = JSON.parse(readFileSync(path.join(stackDir(name), "cdk.tf.json"), "utf8"));
        const result = terraform(stackDir(name), ["test"], mockedTerraformEnvironment());
        expect(judgeTerraformTest(result.output, protectedAddresses(stack)), result.output).toEqual({ runsPassed: true, problems: [] });
      }, 300_000);
    });
  });
  return { stackDir };
}

/** Addresses of the resources a stack protects with `lifecycle.prevent_destroy`. */
export function protectedAddresses(stack: { resource?: Record<string, Record<string, any>> }): string[] {
  return Object.entries(stack.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName)
      .filter(([, resource]) => resource.lifecycle?.prevent_destroy === true)
      .map(([name]) => `${type}.${name}`),
  );
}

/**
 * Reads `terraform test` output. Every run must pass. Terraform then destroys what the runs created;
 * where the stack protects resources with prevent_destroy, that teardown must stop on one of them
 * (which proves the protection) and on nothing else.
 */
export function judgeTerraformTest(output: string, protectedList: readonly string[]): { runsPassed: boolean; problems: string[] } {
  const summary = /(?:Success|Failure)! (\d+) passed, (\d+) failed/.exec(output);
  const runsPassed = summary !== null && Number(summary[1]) > 0 && summary[2] === "0";
  const problems: string[] = [];
  const errors = [...output.matchAll(/^Error: (.+)$/gm)].map((m) => m[1].trim());
  const blocked = [...output.matchAll(/Resource (\S+) has lifecycle\.prevent_destroy set/g)].map((m) => m[1]);
  for (const error of errors.filter((e) => e !== "Instance cannot be destroyed")) problems.push(`unexpected error: ${error}`);
  for (const address of blocked.filter((a) => !protectedList.includes(a))) problems.push(`${address} blocked teardown but is not protected`);
  if (protectedList.length > 0 && blocked.length === 0) problems.push(`teardown was not stopped by any of ${protectedList.join(", ")}`);
  if (protectedList.length === 0 && !/Success! /.test(output)) problems.push("terraform test did not succeed");
  return { runsPassed, problems };
}
