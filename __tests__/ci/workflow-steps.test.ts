import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { APPLICATION_ENVIRONMENTS, ENVIRONMENTS, loadConfig } from "../../src/config";
import { terraformEnvironment } from "../support/terraform";
import { terraformAvailable, terraformPlanLine } from "./plan-fixtures";
import { loadWorkflows } from "./workflow-files";

const workflows = loadWorkflows();
const REPO = path.join(__dirname, "..", "..");

/**
 * Runs one step's script as a runner does (bash -e -o pipefail, from the repository root) with `env`
 * standing for what the step's `env:` gives it (and a runner's RUNNER_TEMP and GITHUB_STEP_SUMMARY unless it
 * names its own), and returns its exit status, its log, $GITHUB_OUTPUT and what it added to the job summary.
 */
function runStep(file: string, jobId: string, step: string, env: Record<string, string>) {
  const found = (workflows[file].jobs[jobId].steps as any[]).find((candidate) => candidate.id === step || candidate.name === step);
  expect(found, `${file} › ${jobId} › ${step}`).toBeDefined();
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-step-"));
  const output = path.join(dir, "output");
  writeFileSync(output, "");
  const runner = { RUNNER_TEMP: path.join(dir, "temp"), GITHUB_STEP_SUMMARY: path.join(dir, "summary.md"), ...env };
  mkdirSync(runner.RUNNER_TEMP, { recursive: true });
  const result = spawnSync("bash", ["-e", "-o", "pipefail", "-c", found.run], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...terraformEnvironment(), ...runner, GITHUB_OUTPUT: output },
    maxBuffer: 64 * 1024 * 1024,
  });
  const summary = existsSync(runner.GITHUB_STEP_SUMMARY) ? readFileSync(runner.GITHUB_STEP_SUMMARY, "utf8") : "";
  return { status: result.status, stdout: result.stdout, log: result.stdout + result.stderr, output: readFileSync(output, "utf8"), summary };
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
    ["off", "token", 1, "::error::vpc_endpoints must be enable or disable, not off."],
  ])("%j with token %j: exit %i, %s", (choice, token, status, said) => {
    const result = runStep("dev_cost_control.yml", "endpoints", "choice", { CHOICE: choice, GH_TOKEN: token });
    expect(result.status).toBe(status);
    if (status === 0) expect(result.output).toBe(said);
    else expect(result.log).toContain(said);
  });

  it.each(["disable", "off"])("stops at the job's first step, with one line naming the secret to create, without VARIABLES_TOKEN (choice %j)", (choice) => {
    const control = workflows["dev_cost_control.yml"].jobs.endpoints;
    expect(control.steps[0].id).toBe("choice");
    const result = runStep("dev_cost_control.yml", "endpoints", "choice", { CHOICE: choice, GH_TOKEN: "" });
    expect(result.status).toBe(1);
    expect(result.log).toBe(
      "::error::Create the secret VARIABLES_TOKEN, a fine-grained token with read and write access to this repository's environments: it records the choice in the dev environment's variable ENABLE_VPC_ENDPOINTS.\n",
    );
    expect(result.output).toBe("");
  });

  it("records the choice only after the apply succeeded", () => {
    const names = (workflows["dev_cost_control.yml"].jobs.endpoints.steps as any[]).map((step) => step.id ?? step.name);
    const record = names.indexOf("Record the choice for later deploys");
    expect(names.indexOf("plan")).toBeLessThan(names.indexOf("Apply the plan made above"));
    expect(names.indexOf("Apply the plan made above")).toBeLessThan(record);
    // No if: it runs only when every step before it (the apply among them) succeeded or was skipped.
    expect(workflows["dev_cost_control.yml"].jobs.endpoints.steps[record].if).toBeUndefined();
  });

  it("records the choice in the dev environment's ENABLE_VPC_ENDPOINTS", () => {
    const gh = standIn("gh", 0);
    const result = runStep("dev_cost_control.yml", "endpoints", "Record the choice for later deploys", {
      PATH: gh.PATH,
      STACK: "dev",
      ENABLED: "false",
      GH_TOKEN: "token",
      GITHUB_REPOSITORY: "civic-org/coalition-builder",
    });
    expect(result.status, result.log).toBe(0);
    expect(gh.calls()).toEqual(["variable set ENABLE_VPC_ENDPOINTS --env dev --body false --repo civic-org/coalition-builder"]);
  });

  it("says what to set by hand when recording fails after the apply", () => {
    const gh = standIn("gh", 1);
    const result = runStep("dev_cost_control.yml", "endpoints", "Record the choice for later deploys", {
      PATH: gh.PATH,
      STACK: "dev",
      ENABLED: "true",
      GH_TOKEN: "token",
      GITHUB_REPOSITORY: "civic-org/coalition-builder",
    });
    expect(result.status).toBe(1);
    expect(result.log).toContain(
      "::error::The endpoints are switched but ENABLE_VPC_ENDPOINTS was not recorded: set it to true in the dev environment, or the next deploy of dev switches them back.",
    );
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
    if (enabled === "false") expect(written).toContain("3 interface endpoints removed, about 21.90 USD a month (7.30 USD each).");
  });

  it("says the endpoints are priced by the hour where the price table holds no prices for the region", () => {
    const summary = path.join(mkdtempSync(path.join(tmpdir(), "coalition-runner-")), "summary.md");
    const result = runStep("dev_cost_control.yml", "endpoints", "Summary", {
      CHOICE: "disable",
      ENABLED: "false",
      CHANGED: "true",
      TARGETS: "aws_vpc_endpoint.network_logs_endpoint",
      COUNT: "3",
      MONTHLY: "unpriced",
      EACH: "unpriced",
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(result.status, result.log).toBe(0);
    const written = readFileSync(summary, "utf8");
    expect(written).toContain("### Dev VPC endpoints disabled\n");
    expect(written).toContain("3 interface endpoints removed, priced by the hour (the price table holds no prices for this region).");
    expect(written).not.toContain("unpriced");
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
      expect(result.summary).toBe("");
    });

    it("shows the whole plan in the job summary", () => {
      expect(plan({ ENABLE_VPC_ENDPOINTS: "false" }).status).toBe(0);
      const temp = mkdtempSync(path.join(tmpdir(), "coalition-runner-"));
      const summary = path.join(temp, "summary.md");
      const result = runStep("terraform_stack.yml", "terraform", "render", { STACK: "dev", STACK_DIR: dir, RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: summary });
      expect(result.status, result.log).toBe(0);
      const text = terraform(dir, "show", "-no-color", "tfplan");
      const written = readFileSync(summary, "utf8");
      expect(written).toContain("<!-- coalition-plan:dev -->");
      expect(written).toContain(`**${terraformPlanLine(text)}**`);
      expect(written).toContain(`<details><summary>terraform show</summary>\n\n\`\`\`\`\`text\n${text}\n\`\`\`\`\``);
      expect(existsSync(path.join(temp, "plan-comment.md"))).toBe(false);
    });

    it("applies the plan it made", () => {
      expect(plan({ ENABLE_VPC_ENDPOINTS: "false" }).output).toBe("changes=true\n");
      const result = runStep("terraform_stack.yml", "terraform", "Apply the plan made above", { STACK_DIR: dir });
      expect(result.status, result.log).toBe(0);
      expect(terraform(dir, "state", "list").trim().split("\n")).toEqual(["terraform_data.other"]);
      expect(plan({ ENABLE_VPC_ENDPOINTS: "false" }).output).toBe("changes=false\n");
    });
  });

  describe("a pull request's plan", () => {
    const TARGETS = "terraform_data.endpoint terraform_data.endpoint_security_group";
    const plan = (dir: string, extra: Record<string, string> = {}) =>
      runStep("terraform_plan.yml", "plan", "plan", { STACK_DIR: dir, SHARED_ROLE_NAME: "", ENDPOINT_TARGETS: "", ...extra });

    it("keeps dev's endpoints on while the state has them", () => {
      const dir = applied();
      const result = plan(dir, { ENDPOINT_TARGETS: TARGETS });
      expect(result.status, result.log).toBe(0);
      expect(result.output).toBe("changes=false\n");
    });

    it("keeps them off when Dev Cost Control switched them off, whose choice it cannot read", () => {
      const dir = applied();
      terraform(dir, "apply", "-auto-approve", "-input=false", "-no-color", "-var", "enable_vpc_endpoints=false");
      const result = plan(dir, { ENDPOINT_TARGETS: TARGETS });
      expect(result.status, result.log).toBe(0);
      expect(result.output).toBe("changes=false\n");
      // The deploy's plan, which reads ENABLE_VPC_ENDPOINTS, would have brought them back without it.
      expect(runStep("terraform_stack.yml", "terraform", "plan", { STACK_DIR: dir, APPLY: "false", ENABLE_VPC_ENDPOINTS: "" }).output).toBe("changes=true\n");
    });

    it("plans them on (the variable's default) for a stack with no state yet", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "coalition-endpoints-"));
      copyFileSync(path.join(__dirname, "plans", "endpoints.tf"), path.join(dir, "main.tf"));
      terraform(dir, "init", "-input=false", "-no-color");
      const result = plan(dir, { ENDPOINT_TARGETS: TARGETS });
      expect(result.status, result.log).toBe(0);
      expect(changes(dir)).toEqual(["create terraform_data.endpoint[0]", "create terraform_data.endpoint_security_group[0]", "create terraform_data.other"]);
    });

    it("shows the plan, and writes the stack's comment for the pull request", () => {
      const dir = applied();
      terraform(dir, "apply", "-auto-approve", "-input=false", "-no-color", "-var", "enable_vpc_endpoints=false");
      // Without ENDPOINT_TARGETS nothing is inferred: the default brings the endpoints back.
      expect(plan(dir).output).toBe("changes=true\n");
      const temp = mkdtempSync(path.join(tmpdir(), "coalition-runner-"));
      const summary = path.join(temp, "summary.md");
      const runUrl = "https://github.com/your-org/coalition-builder/actions/runs/7";
      const result = runStep("terraform_plan.yml", "plan", "render", { STACK: "dev", STACK_DIR: dir, RUN_URL: runUrl, RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: summary });
      expect(result.status, result.log).toBe(0);
      const text = terraform(dir, "show", "-no-color", "tfplan");
      const comment = readFileSync(path.join(temp, "plan-comment.md"), "utf8");
      expect(comment.split("\n")[0]).toBe("<!-- coalition-plan:dev -->");
      expect(comment).toContain(`**${terraformPlanLine(text)}**`);
      expect(terraformPlanLine(text)).toBe("Plan: 2 to add, 1 to change, 0 to destroy.");
      expect(comment).toContain(`Full plan: [job summary](${runUrl})`);
      const written = readFileSync(summary, "utf8");
      expect(written).toContain("<!-- coalition-plan:dev -->");
      expect(written).toContain(`<details><summary>terraform show</summary>\n\n\`\`\`\`\`text\n${text}\n\`\`\`\`\``);
    });

    it("replaces the comment with a failure notice when the plan fails", () => {
      const temp = mkdtempSync(path.join(tmpdir(), "coalition-runner-"));
      const result = runStep("terraform_plan.yml", "plan", "render_failure", { STACK: "prod", RUN_URL: "https://github.com/o/r/actions/runs/8", RUNNER_TEMP: temp });
      expect(result.status, result.log).toBe(0);
      const comment = readFileSync(path.join(temp, "plan-comment.md"), "utf8");
      expect(comment.split("\n")[0]).toBe("<!-- coalition-plan:prod -->");
      expect(comment).toContain("**❌ The plan failed.**");
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

/** A stand-in program on PATH that logs each call's arguments, one call per line, and exits with `status`. */
function standIn(program: string, status: number) {
  const dir = mkdtempSync(path.join(tmpdir(), `coalition-${program}-stub-`));
  const calls = path.join(dir, "calls");
  writeFileSync(calls, "");
  writeFileSync(path.join(dir, program), `#!/usr/bin/env bash\necho "$*" >> "${calls}"\nexit ${status}\n`, { mode: 0o755 });
  return { PATH: `${dir}:${process.env.PATH}`, calls: () => readFileSync(calls, "utf8").trimEnd().split("\n") };
}

/**
 * A stand-in terraform that, for plan and apply, prints a fixture of Terraform's own output to stderr and exits
 * with `status`; it does every other command (init) without a word.
 */
function failingTerraform(fixture: string, status = 1) {
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-terraform-stub-"));
  const calls = path.join(dir, "calls");
  writeFileSync(calls, "");
  writeFileSync(
    path.join(dir, "terraform"),
    `#!/usr/bin/env bash\necho "$*" >> "${calls}"\ncase " $* " in\n  *" plan "* | *" apply "*) cat "${fixture}" >&2; exit ${status} ;;\nesac\n`,
    { mode: 0o755 },
  );
  return { PATH: `${dir}:${process.env.PATH}`, calls: () => readFileSync(calls, "utf8").trimEnd().split("\n") };
}

describe("a plan or apply that finds the state lock held, on a stand-in terraform printing Terraform's own error", () => {
  const LOCKS = path.join(__dirname, "locks");
  const STACK_DIR = "cdktf.out/stacks/dev";
  /** The steps that take the state lock (with -lock-timeout), and the rest of the env each needs. */
  const STEPS: [string, string, string, Record<string, string>][] = [
    ["terraform_stack.yml", "terraform", "plan", { APPLY: "true", ENABLE_VPC_ENDPOINTS: "" }],
    ["terraform_stack.yml", "terraform", "Apply the plan made above", {}],
    ["dev_cost_control.yml", "endpoints", "plan", { TARGETS: "terraform_data.endpoint", ENABLED: "false" }],
    ["dev_cost_control.yml", "endpoints", "Apply the plan made above", {}],
  ];

  it("covers every step that waits for the lock", () => {
    const waiting = Object.entries(workflows).flatMap(([file, workflow]) =>
      Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
        ((job.steps ?? []) as any[]).filter((step) => /-lock-timeout=/.test(step.run ?? "")).map((step) => `${file} › ${jobId} › ${step.id ?? step.name}`),
      ),
    );
    expect(waiting.sort()).toEqual(STEPS.map(([file, jobId, step]) => `${file} › ${jobId} › ${step}`).sort());
  });

  describe.each(STEPS)("%s › %s › %s", (file, jobId, step, env) => {
    it("fails, puts the holder and the force-unlock command in the job summary and an ::error:: line, and unlocks nothing", () => {
      const terraform = failingTerraform(path.join(LOCKS, "lockfile-stale-apply.txt"));
      const result = runStep(file, jobId, step, { PATH: terraform.PATH, STACK_DIR, ...env });
      expect(result.status, result.log).toBe(1);
      expect(result.output).toBe("");
      // Terraform's own report stays in the log.
      expect(result.log).toContain("Error acquiring the state lock");
      expect(result.summary).toContain("```sh\nterraform -chdir=cdktf.out/stacks/dev force-unlock 6f1c0a9e-3b7d-4e25-9d41-7a8c2b5e0f13\n```");
      expect(result.summary).toContain("| Who | `runner@fv-az512-17` |");
      expect(result.summary).toMatch(/\| Taken \| 2026-11-30 09:15:02 UTC, \d+ days ago \|/);
      expect(result.summary).toContain("certainly ended");
      const errors = result.stdout.split("\n").filter((line) => line.startsWith("::error"));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain("held by runner@fv-az512-17");
      expect(errors[0]).toContain("terraform -chdir=cdktf.out/stacks/dev force-unlock 6f1c0a9e-3b7d-4e25-9d41-7a8c2b5e0f13");
      expect(terraform.calls().filter((call) => /force-unlock/.test(call))).toEqual([]);
    });

    it("keeps Terraform's exit status and adds nothing to the summary when the failure is not a held lock", () => {
      for (const [fixture, status] of [
        ["missing-table-no-color.txt", 1],
        ["../plans/unchanged.tf", 3],
      ] as const) {
        const terraform = failingTerraform(path.join(LOCKS, fixture), status);
        const result = runStep(file, jobId, step, { PATH: terraform.PATH, STACK_DIR, ...env });
        expect(result.status, `${fixture}: ${result.log}`).toBe(status);
        expect(result.summary, fixture).toBe("");
        expect(result.log, fixture).not.toContain("::error");
        expect(result.output).toBe("");
      }
    });
  });

  it("reads the lock from a log without colour too (DynamoDB locking)", () => {
    const terraform = failingTerraform(path.join(LOCKS, "dynamodb-plan-no-color.txt"));
    const result = runStep("terraform_stack.yml", "terraform", "plan", { PATH: terraform.PATH, STACK_DIR: "cdktf.out/stacks/prod", APPLY: "true", ENABLE_VPC_ENDPOINTS: "" });
    expect(result.status).toBe(1);
    expect(result.summary).toContain("terraform -chdir=cdktf.out/stacks/prod force-unlock d9f21502-e5cc-4e76-74ab-5f831bee811e");
    expect(result.log).toContain("::error title=State lock held::The state lock of cdktf.out/stacks/prod is held by operator@workstation");
  });
});

describe("a pull request's plan, on a stand-in terraform", () => {
  // Exit 2: terraform plan -detailed-exitcode's "changes present".
  const plan = (sharedRoleName: string) => {
    const terraform = standIn("terraform", 2);
    const result = runStep("terraform_plan.yml", "plan", "plan", { PATH: terraform.PATH, STACK_DIR: "cdktf.out/stacks/x", SHARED_ROLE_NAME: sharedRoleName, ENDPOINT_TARGETS: "" });
    return { ...result, calls: terraform.calls() };
  };

  it("takes no lock and, for prod and dev, reads shared through vpc-peering-reader", () => {
    const result = plan("vpc-peering-reader");
    expect(result.status, result.log).toBe(0);
    expect(result.output).toBe("changes=true\n");
    expect(result.calls).toEqual(["-chdir=cdktf.out/stacks/x plan -input=false -lock=false -detailed-exitcode -out=tfplan -var shared_role_name=vpc-peering-reader"]);
  });

  it("passes no shared_role_name for shared, which declares none", () => {
    const result = plan("");
    expect(result.status, result.log).toBe(0);
    expect(result.calls).toEqual(["-chdir=cdktf.out/stacks/x plan -input=false -lock=false -detailed-exitcode -out=tfplan"]);
  });
});

describe("Terraform CI/CD on a pull request from a fork", () => {
  it("says, in a notice and the job summary, that plans need a branch of the repository", () => {
    const summary = path.join(mkdtempSync(path.join(tmpdir(), "coalition-runner-")), "summary.md");
    const result = runStep("deploy_infra.yml", "fork", "Say why there are no plans", { GITHUB_STEP_SUMMARY: summary });
    expect(result.status, result.log).toBe(0);
    const reason =
      "A pull request from a fork gets no OIDC token, so it cannot assume the plan roles: push the branch to this repository and open the pull request from there to get the plans.";
    expect(result.log).toBe(`::notice title=No Terraform plans::${reason}\n`);
    expect(readFileSync(summary, "utf8")).toBe(`### No Terraform plans for a pull request from a fork\n\n${reason}\n`);
  });
});

describe("the synthesis's account checks", () => {
  const SET = { COALITION_SHARED_ACCOUNT_ID: "444444444444", COALITION_PROD_ACCOUNT_ID: "555555555555", COALITION_DEV_ACCOUNT_ID: "666666666666" };

  it("come first, before anything is installed", () => {
    expect(workflows["synth.yml"].jobs.synth.steps[0].name).toBe("Check the repository variables name the accounts");
  });

  it.each([
    [{ ...SET }, "", 0, ""],
    [{ ...SET, COALITION_PROD_ACCOUNT_ID: "", COALITION_DEV_ACCOUNT_ID: "" }, "", 1, "::error::Set the repository variables COALITION_PROD_ACCOUNT_ID COALITION_DEV_ACCOUNT_ID (bootstrap/configure_github.sh sets them)"],
    [{ COALITION_SHARED_ACCOUNT_ID: "", COALITION_PROD_ACCOUNT_ID: "", COALITION_DEV_ACCOUNT_ID: "" }, "", 1, "::error::Set the repository variables COALITION_SHARED_ACCOUNT_ID COALITION_PROD_ACCOUNT_ID COALITION_DEV_ACCOUNT_ID"],
    [{ COALITION_SHARED_ACCOUNT_ID: "", COALITION_PROD_ACCOUNT_ID: "", COALITION_DEV_ACCOUNT_ID: "" }, "platform.yaml", 0, "COALITION_CONFIG names platform.yaml"],
  ])("with %j and COALITION_CONFIG %j: exit %i", (variables, configFile, status, said) => {
    const result = runStep("synth.yml", "synth", "Check the repository variables name the accounts", { ...variables, CONFIG_FILE: configFile });
    expect(result.status, result.log).toBe(status);
    expect(result.log).toContain(said);
  });

  /** A folder of synthesized stacks holding only what stack-facts reads: each stack's default provider. */
  const synthesized = (accounts: Record<string, string>) => {
    const outdir = mkdtempSync(path.join(tmpdir(), "coalition-out-"));
    for (const [stack, accountId] of Object.entries(accounts)) {
      mkdirSync(path.join(outdir, "stacks", stack), { recursive: true });
      const provider = { aws: [{ region: "us-east-1", allowed_account_ids: [accountId] }] };
      writeFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), JSON.stringify({ provider }));
    }
    return outdir;
  };
  const placeholderCheck = (accounts: Record<string, string>) => {
    const step = (workflows["synth.yml"].jobs.synth.steps as any[]).find((candidate) => candidate.name === "Check no stack is for a placeholder account");
    return runStep("synth.yml", "synth", step.name, { ...step.env, OUTDIR: synthesized(accounts) });
  };

  it("list the example configuration's accounts as the placeholders", () => {
    const step = (workflows["synth.yml"].jobs.synth.steps as any[]).find((candidate) => candidate.name === "Check no stack is for a placeholder account");
    const config = loadConfig({});
    expect(step.env.PLACEHOLDER_ACCOUNT_IDS.split(" ")).toEqual(ENVIRONMENTS.map((env) => config.accounts[env].accountId));
  });

  it("pass stacks synthesized for real accounts", () => {
    const result = placeholderCheck({ shared: "444444444444", prod: "555555555555", dev: "666666666666" });
    expect(result.status, result.log).toBe(0);
  });

  it("fail, naming each stack and what to set, when a stack is synthesized for a placeholder (as from a configuration file without accounts)", () => {
    const result = placeholderCheck({ shared: "444444444444", prod: "222222222222", dev: "111111111111" });
    expect(result.status).toBe(1);
    expect(result.log).toContain(
      "::error::The prod stack was synthesized for 222222222222, a placeholder of the example configuration: set the repository variable COALITION_PROD_ACCOUNT_ID, or accounts.prod.accountId in the file COALITION_CONFIG names.",
    );
    expect(result.log).toContain("::error::The dev stack was synthesized for 111111111111");
    expect(result.log).not.toContain("The shared stack");
  });
});
