import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { APPLICATION_ENVIRONMENTS } from "../../src/config";
import { terraformEnvironment } from "../support/terraform";
import { terraformAvailable, terraformPlanLine } from "./plan-fixtures";
import { loadWorkflows } from "./workflow-files";

const workflows = loadWorkflows();
const REPO = path.join(__dirname, "..", "..");

/**
 * Runs one step's script as a runner does (bash -e -o pipefail, from the repository root) with `env`
 * standing for what the step's `env:` gives it, and returns its exit status, its log and $GITHUB_OUTPUT.
 */
function runStep(file: string, jobId: string, step: string, env: Record<string, string>) {
  const found = (workflows[file].jobs[jobId].steps as any[]).find((candidate) => candidate.id === step || candidate.name === step);
  expect(found, `${file} › ${jobId} › ${step}`).toBeDefined();
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-step-"));
  const output = path.join(dir, "output");
  writeFileSync(output, "");
  const result = spawnSync("bash", ["-e", "-o", "pipefail", "-c", found.run], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...terraformEnvironment(), ...env, GITHUB_OUTPUT: output },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, log: result.stdout + result.stderr, output: readFileSync(output, "utf8") };
}

describe("the Lambda deploy's choice of environment", () => {
  it.each([
    ["refs/heads/main", "", 0, "prod"],
    ["refs/heads/development", "", 0, "dev"],
    ["refs/heads/main", "dev", 0, "dev"],
    ["refs/heads/feature", "dev", 0, "dev"],
    ["refs/heads/feature", "prod", 1, "::error::prod is deployed only from main, not from refs/heads/feature."],
    ["refs/heads/feature", "", 1, "::error::refs/heads/feature deploys to no environment: choose prod or dev."],
    ["refs/heads/main", "shared", 1, "::error::Unknown environment shared: choose prod or dev."],
  ])("on %s with input %j: exit %i, %s", (ref, requested, status, said) => {
    const result = runStep("deploy_lambda.yml", "select", "select", { GITHUB_REF: ref, REQUESTED: requested });
    expect(result.status).toBe(status);
    if (status === 0) {
      expect(result.output).toBe(`environment=${said}\n`);
      expect(APPLICATION_ENVIRONMENTS).toContain(said);
    } else {
      expect(result.log).toContain(said);
      expect(result.output).toBe("");
    }
  });
});

describe("Dev Cost Control's choice", () => {
  it.each([
    ["enable", "token", 0, "enabled=true\n"],
    ["disable", "token", 0, "enabled=false\n"],
    ["disable", "", 1, "::error::The secret VARIABLES_TOKEN is missing"],
    ["off", "token", 1, "::error::vpc_endpoints must be enable or disable, not off."],
  ])("%j with token %j: exit %i, %s", (choice, token, status, said) => {
    const result = runStep("dev_cost_control.yml", "endpoints", "choice", { CHOICE: choice, GH_TOKEN: token });
    expect(result.status).toBe(status);
    if (status === 0) expect(result.output).toBe(said);
    else expect(result.log).toContain(said);
  });

  it.each([
    ["disable", "false", "true", "### Dev VPC endpoints disabled: about 21.90 USD a month saved"],
    ["enable", "true", "true", "### Dev VPC endpoints enabled"],
    ["disable", "false", "false", "They were already disabled: nothing changed."],
  ])("summarizes %s (changed: %s)", (choice, enabled, changed, said) => {
    const temp = mkdtempSync(path.join(tmpdir(), "coalition-runner-"));
    const summary = path.join(temp, "summary.md");
    const result = runStep("dev_cost_control.yml", "endpoints", "Summary", {
      CHOICE: choice,
      ENABLED: enabled,
      CHANGED: changed,
      TARGETS: "aws_security_group.network_endpoint_security_group aws_vpc_endpoint.network_logs_endpoint",
      COUNT: "3",
      MONTHLY: "21.90",
      EACH: "7.30",
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(result.status, result.log).toBe(0);
    const written = readFileSync(summary, "utf8");
    expect(written).toContain(said);
    expect(written).toContain("Resources switched: `aws_security_group.network_endpoint_security_group`, `aws_vpc_endpoint.network_logs_endpoint`.");
    expect(written).toContain(`Recorded in the dev environment as ENABLE_VPC_ENDPOINTS=${enabled}, which later deploys keep.`);
    if (enabled === "false") expect(written).toContain("3 interface endpoints removed, about 7.30 USD a month each.");
  });
});


describe.skipIf(!terraformAvailable)("the workflows' Terraform steps, on a local stand-in for dev's endpoints", () => {
  const env = terraformEnvironment();
  const terraform = (dir: string, ...args: string[]) => {
    const result = spawnSync("terraform", [`-chdir=${dir}`, ...args], { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`terraform ${args.join(" ")}: ${result.stdout}${result.stderr}`);
    return result.stdout;
  };
  /** A folder holding the stand-in, applied with its endpoints on. */
  const applied = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "coalition-endpoints-"));
    copyFileSync(path.join(__dirname, "plans", "endpoints.tf"), path.join(dir, "main.tf"));
    terraform(dir, "init", "-input=false", "-no-color");
    terraform(dir, "apply", "-auto-approve", "-input=false", "-no-color");
    return dir;
  };
  const changes = (dir: string) =>
    (JSON.parse(terraform(dir, "show", "-json", "tfplan")).resource_changes as any[])
      .filter((change) => change.change.actions.join() !== "no-op")
      .map((change) => `${change.change.actions.join("+")} ${change.address}`)
      .sort();

  describe("Terraform CI/CD", () => {
    let dir: string;
    beforeAll(() => {
      dir = applied();
    }, 60_000);
    const plan = (extra: Record<string, string>) => runStep("terraform_stack.yml", "terraform", "plan", { STACK_DIR: dir, APPLY: "false", ENABLE_VPC_ENDPOINTS: "", ...extra });

    it("plans, and says when there is nothing to change", () => {
      const result = plan({});
      expect(result.status, result.log).toBe(0);
      expect(result.output).toBe("changes=false\n");
      expect(existsSync(path.join(dir, "tfplan"))).toBe(true);
    });

    it("keeps the choice Dev Cost Control recorded in ENABLE_VPC_ENDPOINTS", () => {
      const result = plan({ ENABLE_VPC_ENDPOINTS: "false" });
      expect(result.status, result.log).toBe(0);
      expect(result.output).toBe("changes=true\n");
      expect(changes(dir)).toEqual(["delete terraform_data.endpoint[0]", "delete terraform_data.endpoint_security_group[0]", "update terraform_data.other"]);
    });

    it("refuses an ENABLE_VPC_ENDPOINTS that is not a boolean", () => {
      const result = plan({ ENABLE_VPC_ENDPOINTS: "maybe" });
      expect(result.status).toBe(1);
      expect(result.log).toContain("::error::The variable ENABLE_VPC_ENDPOINTS must be true or false, not maybe.");
      expect(result.output).toBe("");
    });

    it("fails when Terraform fails, without a verdict", () => {
      const broken = mkdtempSync(path.join(tmpdir(), "coalition-broken-"));
      writeFileSync(path.join(broken, "main.tf"), 'resource "terraform_data" "x" {\n  input = var.missing\n}\n');
      const result = runStep("terraform_stack.yml", "terraform", "plan", { STACK_DIR: broken, APPLY: "true", ENABLE_VPC_ENDPOINTS: "" });
      expect(result.status).toBe(1);
      expect(result.log).toContain("Reference to undeclared input variable");
      expect(result.output).toBe("");
    });

    it("shows the plan: the comment for the pull request, and everything in the job summary", () => {
      expect(plan({ ENABLE_VPC_ENDPOINTS: "false" }).status).toBe(0);
      const temp = mkdtempSync(path.join(tmpdir(), "coalition-runner-"));
      const summary = path.join(temp, "summary.md");
      const runUrl = "https://github.com/your-org/coalition-builder/actions/runs/7";
      const result = runStep("terraform_stack.yml", "terraform", "render", { STACK: "dev", STACK_DIR: dir, RUN_URL: runUrl, RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: summary });
      expect(result.status, result.log).toBe(0);
      const text = terraform(dir, "show", "-no-color", "tfplan");
      const comment = readFileSync(path.join(temp, "plan-comment.md"), "utf8");
      expect(comment.split("\n")[0]).toBe("<!-- coalition-plan:dev -->");
      expect(comment).toContain(`**${terraformPlanLine(text)}**`);
      expect(terraformPlanLine(text)).toBe("Plan: 0 to add, 1 to change, 2 to destroy.");
      expect(comment).toContain(`Full plan: [job summary](${runUrl})`);
      const written = readFileSync(summary, "utf8");
      expect(written).toContain("<!-- coalition-plan:dev -->");
      expect(written).toContain(`<details><summary>terraform show</summary>\n\n\`\`\`\`\`text\n${text}\n\`\`\`\`\``);
    });

    it("replaces the comment with a failure notice when the plan fails", () => {
      const temp = mkdtempSync(path.join(tmpdir(), "coalition-runner-"));
      const result = runStep("terraform_stack.yml", "terraform", "render_failure", { STACK: "prod", RUN_URL: "https://github.com/o/r/actions/runs/8", RUNNER_TEMP: temp });
      expect(result.status, result.log).toBe(0);
      const comment = readFileSync(path.join(temp, "plan-comment.md"), "utf8");
      expect(comment.split("\n")[0]).toBe("<!-- coalition-plan:prod -->");
      expect(comment).toContain("**❌ The plan failed.**");
    });

    it("applies the plan it made", () => {
      expect(plan({ ENABLE_VPC_ENDPOINTS: "false" }).output).toBe("changes=true\n");
      const result = runStep("terraform_stack.yml", "terraform", "Apply the plan made above", { STACK_DIR: dir });
      expect(result.status, result.log).toBe(0);
      expect(terraform(dir, "state", "list").trim().split("\n")).toEqual(["terraform_data.other"]);
      expect(plan({ ENABLE_VPC_ENDPOINTS: "false" }).output).toBe("changes=false\n");
    });
  });

  describe("Dev Cost Control", () => {
    const TARGETS = "terraform_data.endpoint terraform_data.endpoint_security_group";

    it("plans the switched resources alone, and applies them", () => {
      const dir = applied();
      const result = runStep("dev_cost_control.yml", "endpoints", "plan", { STACK_DIR: dir, TARGETS, ENABLED: "false" });
      expect(result.status, result.log).toBe(0);
      expect(result.output).toBe("changes=true\n");
      // terraform_data.other changes with the variable too, but is not targeted.
      expect(changes(dir)).toEqual(["delete terraform_data.endpoint[0]", "delete terraform_data.endpoint_security_group[0]"]);
      const apply = runStep("dev_cost_control.yml", "endpoints", "Apply the plan made above", { STACK_DIR: dir });
      expect(apply.status, apply.log).toBe(0);
      expect(terraform(dir, "state", "list").trim().split("\n")).toEqual(["terraform_data.other"]);
      // Enabling brings them back, still leaving the rest alone.
      expect(runStep("dev_cost_control.yml", "endpoints", "plan", { STACK_DIR: dir, TARGETS, ENABLED: "true" }).output).toBe("changes=true\n");
      expect(changes(dir)).toEqual(["create terraform_data.endpoint[0]", "create terraform_data.endpoint_security_group[0]"]);
    });

    it("says when the endpoints are already as asked", () => {
      const dir = applied();
      const result = runStep("dev_cost_control.yml", "endpoints", "plan", { STACK_DIR: dir, TARGETS, ENABLED: "true" });
      expect(result.status, result.log).toBe(0);
      expect(result.output).toBe("changes=false\n");
    });
  });
});
