import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { Environment } from "../../src/config";
import type { Progress, RunOptions, Step } from "../../src/local/progress";
import { StepFailure } from "../../src/local/progress";
import { driftOf, REPLAN_FILE, replanStacks } from "../../src/local/replan";
import { workspace } from "../../src/local/workspace";

/**
 * The re-plan step of local:up with Terraform answered by a fake step: what it runs, what it reports and how it fails.
 * replan.test.ts runs the same step with the real Terraform.
 */
const plan = (resourceChanges: unknown[], outputChanges: Record<string, unknown> = {}) => ({
  format_version: "1.2",
  terraform_version: "1.11.4",
  planned_values: {},
  resource_changes: resourceChanges,
  output_changes: outputChanges,
});
const change = (address: string, actions: string[], extra: Record<string, unknown> = {}, mode = "managed") => ({ address, mode, change: { actions, ...extra } });

describe("the drift a plan shows", () => {
  it("names each resource instance and output that would change, with the attributes involved", () => {
    expect(
      driftOf(
        plan(
          [
            change("aws_vpc.main", ["update"], { before: { tags: { a: "1" }, cidr_block: "10.0.0.0/16" }, after: { tags: { a: "2" }, cidr_block: "10.0.0.0/16" } }),
            change("aws_instance.bastion", ["delete", "create"], { replace_paths: [["ami"], ["user_data"]] }),
            change("aws_sqs_queue.jobs", ["create"]),
            change("aws_vpc.same", ["no-op"]),
            change("aws_lambda_function.f", ["update"], { before: { a: 1 }, after: { a: 1 } }),
            change("data.aws_iam_policy_document.p", ["read"], {}, "data"),
          ],
          { vpc_id: { actions: ["update"] }, added: { actions: ["create"] } },
        ),
        "the re-plan of shared",
      ),
    ).toEqual([
      "update aws_vpc.main (tags)",
      "replace aws_instance.bastion (ami, user_data)",
      "create aws_sqs_queue.jobs",
      "update aws_lambda_function.f",
      "update output vpc_id",
      "create output added",
    ]);
  });

  it("is empty when the plan changes nothing, and refuses what is not a plan, naming it", () => {
    expect(driftOf(plan([change("aws_vpc.same", ["no-op"])]), "x")).toEqual([]);
    expect(() => driftOf({ format_version: "1.2" }, "the re-plan of dev")).toThrow(/^the re-plan of dev is not a Terraform plan/);
  });
});

describe("the re-plan step", () => {
  const space = workspace({ COALITION_LOCAL_DIR: mkdtempSync(path.join(tmpdir(), "coalition-replan-fake-")) });
  const source = { mirror: undefined, origin: "test" };

  /** A Progress whose steps answer `terraform plan` with each stack's exit code and `terraform show` with its plan. */
  function fakeProgress(answers: Partial<Record<Environment, { code: number; plan?: unknown }>>) {
    const calls: { stack: string; command: string; args: readonly string[]; options: RunOptions }[] = [];
    const reports: Record<string, string[]> = {};
    const progress = {
      async step<T>(name: string, body: (step: Step) => Promise<T>): Promise<T> {
        const stack = name.replace(/^re-plan /, "") as Environment;
        const step: Step = {
          log: path.join(space.logsDir, `${stack}.log`),
          run: async () => 0,
          capture: async (command, args, options) => {
            calls.push({ stack, command, args, options });
            if (args.includes("plan")) return { code: answers[stack]!.code, stdout: "" };
            return { code: 0, stdout: JSON.stringify(answers[stack]!.plan) };
          },
          record: () => {},
          report: (text) => (reports[name] ??= []).push(text),
          announce: () => {},
        };
        return body(step);
      },
    } as unknown as Progress;
    return { progress, calls, reports };
  }

  const stackDir = (stack: string) => path.join(space.synthDir, "stacks", stack);

  it("plans each stack with -detailed-exitcode into the replan file, and passes when none would change", async () => {
    const { progress, calls, reports } = fakeProgress({ shared: { code: 0 }, dev: { code: 0 } });
    await replanStacks(progress, space, source, ["shared", "dev"]);
    expect(REPLAN_FILE).toBe("replan");
    expect(calls.map(({ stack, command, args }) => [stack, command, args])).toEqual([
      ["shared", "terraform", [`-chdir=${stackDir("shared")}`, "plan", "-no-color", "-input=false", "-detailed-exitcode", "-out=replan"]],
      ["dev", "terraform", [`-chdir=${stackDir("dev")}`, "plan", "-no-color", "-input=false", "-detailed-exitcode", "-out=replan"]],
    ]);
    // Exit code 2 of -detailed-exitcode means changes, not a failure.
    expect(calls[0].options.okCodes).toEqual([0, 2]);
    expect(reports).toEqual({ "re-plan shared": ["no changes"], "re-plan dev": ["no changes"] });
  });

  it("fails naming each stack that would still change, what would change and where its plan is", async () => {
    const { progress, calls, reports } = fakeProgress({
      shared: { code: 0 },
      prod: { code: 2, plan: plan([change("terraform_data.clock", ["update"], { before: { input: "a" }, after: { input: "b" } })]) },
      dev: { code: 2, plan: plan([change("aws_sqs_queue.a", ["create"]), change("aws_sqs_queue.b", ["delete"])]) },
    });
    const failure = await replanStacks(progress, space, source, ["shared", "prod", "dev"]).catch((error) => error);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.step).toBe("re-plan");
    expect(failure.message).toBe(
      "after the apply, terraform plan still changes prod, dev, so the deployment did not converge:\n" +
        `prod (plan: ${path.join(stackDir("prod"), "replan")}):\n  update terraform_data.clock (input)\n` +
        `dev (plan: ${path.join(stackDir("dev"), "replan")}):\n  create aws_sqs_queue.a\n  delete aws_sqs_queue.b`,
    );
    const shows = calls.filter(({ args }) => args.includes("show"));
    expect(shows.map(({ stack, command, args, options }) => [stack, command, args, options.quiet])).toEqual([
      ["prod", "terraform", [`-chdir=${stackDir("prod")}`, "show", "-json", "replan"], true],
      ["dev", "terraform", [`-chdir=${stackDir("dev")}`, "show", "-json", "replan"], true],
    ]);
    expect(reports).toEqual({ "re-plan shared": ["no changes"], "re-plan prod": ["1 change left"], "re-plan dev": ["2 changes left"] });
  });

  it("names the stack whose plan file is not a plan", async () => {
    const { progress } = fakeProgress({ dev: { code: 2, plan: { format_version: "1.2" } } });
    const failure = await replanStacks(progress, space, source, ["dev"]).catch((error) => error);
    expect(failure.message).toMatch(/^the re-plan of dev is not a Terraform plan/);
  });

  it("fails too when terraform plan reports changes its JSON does not list", async () => {
    const { progress, reports } = fakeProgress({ prod: { code: 2, plan: plan([change("aws_vpc.same", ["no-op"])]) } });
    const failure = await replanStacks(progress, space, source, ["prod"]).catch((error) => error);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toBe(
      "after the apply, terraform plan still changes prod, so the deployment did not converge:\n" +
        `prod (plan: ${path.join(stackDir("prod"), "replan")}):\n  (terraform plan reported changes it does not list)`,
    );
    expect(reports).toEqual({ "re-plan prod": ["0 changes left"] });
  });
});
