import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Progress, StepFailure } from "../../src/local/progress";
import { driftOf, replanStacks } from "../../src/local/replan";
import { workspace } from "../../src/local/workspace";
import { have } from "../support/prerequisites";
import { terraform, terraformEnvironment } from "../support/terraform";

const available = have("terraform");

/** `terraform show -json` of a plan of `after` made against the state `before` left (built-in resources, local state). */
function planAgainst(before: string, after: string): unknown {
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-drift-"));
  const env = terraformEnvironment();
  const run = (args: string[]) => {
    const result = terraform(dir, args, env);
    if (result.status !== 0 && result.status !== 2) throw new Error(`terraform ${args.join(" ")}: ${result.output}`);
    return result.output;
  };
  writeFileSync(path.join(dir, "main.tf"), before);
  run(["apply", "-auto-approve", "-input=false"]);
  writeFileSync(path.join(dir, "main.tf"), after);
  run(["plan", "-input=false", "-out=replan"]);
  const shown = spawnSync("terraform", ["show", "-json", "replan"], { cwd: dir, env, encoding: "utf8" });
  if (shown.status !== 0) throw new Error(`terraform show: ${shown.stderr}`);
  return JSON.parse(shown.stdout);
}

describe.skipIf(!available)("the drift a re-plan reports", () => {
  const before = `resource "terraform_data" "kept" {\n  input = "same"\n}\nresource "terraform_data" "drifting" {\n  input = { size = 1, name = "a" }\n}\nresource "terraform_data" "recreated" {\n  triggers_replace = "v1"\n}\noutput "name" {\n  value = "a"\n}\n`;
  let drifting: unknown;
  let converged: unknown;

  beforeAll(() => {
    drifting = planAgainst(before, before.replace("size = 1", "size = 2").replace('"v1"', '"v2"').replace('value = "a"', 'value = "b"'));
    converged = planAgainst(before, before);
  }, 120_000);

  it("names every resource that would change, how, and which attributes, and every output", () => {
    expect(driftOf(drifting, "test")).toEqual([
      "update terraform_data.drifting (input, output)",
      "replace terraform_data.recreated (triggers_replace)",
      "update output name",
    ]);
  });

  it("is empty when the plan changes nothing", () => {
    expect(driftOf(converged, "test")).toEqual([]);
  });

  it("refuses what is not a plan", () => {
    expect(() => driftOf({ resources: [] }, "the re-plan of prod")).toThrow("the re-plan of prod is not a Terraform plan");
  });
});

/** A local-mode workspace whose stacks, each of built-in resources with local state, are applied. */
function appliedStacks(stacks: Partial<Record<"shared" | "prod" | "dev", string>>) {
  const space = workspace({ COALITION_LOCAL_DIR: mkdtempSync(path.join(tmpdir(), "coalition-replan-")) });
  const env = terraformEnvironment();
  for (const [stack, text] of Object.entries(stacks)) {
    const dir = path.join(space.synthDir, "stacks", stack);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "main.tf"), text);
    const applied = terraform(dir, ["apply", "-auto-approve", "-input=false"], env);
    if (applied.status !== 0) throw new Error(applied.output);
  }
  return space;
}

describe.skipIf(!available)("the re-plan step of local:up", () => {
  // Three stacks; prod's reads the clock, so that it never converges.
  let space: ReturnType<typeof workspace>;
  const source = { mirror: process.env.TERRAFORM_PROVIDER_MIRROR, origin: "test" };
  const stable = `resource "terraform_data" "steady" {\n  input = "same"\n}\n`;

  beforeAll(() => {
    space = appliedStacks({ shared: stable, prod: `${stable}resource "terraform_data" "clock" {\n  input = timestamp()\n}\n`, dev: stable });
  }, 120_000);

  it("passes when every stack converged", async () => {
    const lines: string[] = [];
    await replanStacks(new Progress(path.join(space.logsDir, "converged"), (line) => lines.push(line)), space, source, ["shared", "dev"]);
    expect(lines.filter((line) => line.startsWith("✓")).sort()).toEqual([expect.stringMatching(/^✓ re-plan dev: no changes \(/), expect.stringMatching(/^✓ re-plan shared: no changes \(/)]);
  }, 120_000);

  it("fails loudly, naming each stack that would still change, what would change, and its plan", async () => {
    const failure = await replanStacks(new Progress(path.join(space.logsDir, "drifting"), () => {}), space, source, ["shared", "prod", "dev"]).catch((error) => error);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.step).toBe("re-plan");
    expect(failure.message).toBe(
      "after the apply, terraform plan still changes prod, so the deployment did not converge:\n" +
        `prod (plan: ${path.join(space.synthDir, "stacks", "prod", "replan")}):\n  update terraform_data.clock (input, output)`,
    );
  }, 120_000);

  it("fails a stack whose plan changes something it does not list, such as a read left for the apply", async () => {
    // The path of shared's state, which this data source reads, is known at apply time only (timestamp() is), so
    // each plan leaves the read to the apply.
    const laterRead = `data "terraform_remote_state" "later" {\n  backend = "local"\n  config = { path = "\${substr(timestamp(), 0, 0)}../shared/terraform.tfstate" }\n}\n`;
    const reading = appliedStacks({ shared: stable, dev: laterRead });
    const failure = await replanStacks(new Progress(path.join(reading.logsDir, "reading"), () => {}), reading, source, ["shared", "dev"]).catch((error) => error);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toBe(
      "after the apply, terraform plan still changes dev, so the deployment did not converge:\n" +
        `dev (plan: ${path.join(reading.synthDir, "stacks", "dev", "replan")}):\n  (terraform plan reported changes it does not list)`,
    );
  }, 120_000);
});
