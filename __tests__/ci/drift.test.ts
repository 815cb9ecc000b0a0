import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { driftFindings, hasDrift, renderDriftReport } from "../../src/ci/drift";
import { syncDriftIssue, type GitHubTarget } from "../../src/ci/drift-issue";
import { FakeGitHub } from "../bootstrap/fake-github";
import { have } from "../support/prerequisites";
import { synthPlatform } from "../support/synth";
import { terraformEnvironment } from "../support/terraform";
import { terraformActions } from "./plan-fixtures";
import { driftReportCli, fixture, listedAddresses, readJson, RUN_URL, terraformIn } from "./drift-support";
import { jobResults, loadWorkflows, scriptsOf } from "./workflow-files";

describe("the drift report", () => {
  const drifted = readJson(fixture("drifted.plan.json"));
  const clean = readJson(fixture("clean.plan.json"));

  it("starts with the stack's marker and lists every changed resource with its changed attributes", () => {
    const report = renderDriftReport(driftFindings(drifted), { stack: "prod", runUrl: RUN_URL });
    expect(report.split("\n")[0]).toBe("<!-- coalition-drift:prod -->");
    // changed.tf changes retagged's input and adds added; kept is the same in both files.
    expect(listedAddresses(report)).toEqual(["terraform_data.added", "terraform_data.retagged"]);
    expect(report).toMatch(/^- `terraform_data\.retagged` — .*`input`/m);
    expect(report).toContain(`(${RUN_URL})`);
    // Neither changed outside Terraform: only a configuration no apply has made yet.
    expect(report).not.toContain("**changed outside Terraform**");
    expect(hasDrift(driftFindings(drifted))).toBe(true);
  });

  it("says there is no drift when the plan changes nothing", () => {
    const findings = driftFindings(clean);
    expect(hasDrift(findings)).toBe(false);
    const report = renderDriftReport(findings, { stack: "dev" });
    expect(report.split("\n")[0]).toBe("<!-- coalition-drift:dev -->");
    expect(report).toContain("No drift");
    expect(listedAddresses(report)).toEqual([]);
  });

  it("is printed by the npm script, the marker first", () => {
    const result = driftReportCli(["--stack", "shared", "--run-url", RUN_URL, fixture("drifted.plan.json")], true);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout.startsWith("<!-- coalition-drift:shared -->\n")).toBe(true);
    expect(listedAddresses(result.stdout)).toEqual(["terraform_data.added", "terraform_data.retagged"]);
  });

  it.each([
    ["no --stack", [fixture("drifted.plan.json")], /--stack is required/],
    ["an unknown stack", ["--stack", "staging", fixture("drifted.plan.json")], /--stack must be one of shared, prod, dev/],
    ["an unknown flag", ["--stack", "prod", "--verbose", fixture("drifted.plan.json")], /verbose/],
    ["a run URL that is no URL", ["--stack", "prod", "--run-url", "run 42", fixture("drifted.plan.json")], /--run-url must be/],
    ["no plan file", ["--stack", "prod"], /plan file .* is required/],
    ["a missing file", ["--stack", "prod", fixture("nowhere.json")], /cannot read .*no such file/],
    ["a file that is not JSON", ["--stack", "prod", fixture("applied.tf")], /is not JSON/],
    ["JSON that is not a plan", ["--stack", "prod", path.join(__dirname, "..", "..", "package.json")], /is not a Terraform plan/],
  ])("exits 2 with nothing on stdout on %s", (_, args, message) => {
    const result = driftReportCli(args as string[]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message as RegExp);
  });
});

describe.skipIf(!have("terraform"))("the drift report on plans the installed Terraform makes", () => {
  let plans: Record<"drifted" | "clean", { file: string; text: string }>;

  beforeAll(() => {
    const env = { ...terraformEnvironment(), TF_LOG: "" };
    const dir = mkdtempSync(path.join(tmpdir(), "coalition-drift-plans-"));
    const run = (args: string[]) => {
      const result = terraformIn(dir, args, env);
      if (result.status !== 0) throw new Error(`terraform ${args.join(" ")}: ${result.output}`);
      return result.stdout;
    };
    const plan = (name: string) => {
      run(["plan", "-input=false", "-lock=false", "-refresh=true", `-out=${name}`]);
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, run(["show", "-json", name]));
      return { file, text: run(["show", name]) };
    };
    run(["init", "-input=false"]);
    copyFileSync(fixture("applied.tf"), path.join(dir, "main.tf"));
    run(["apply", "-auto-approve", "-input=false"]);
    const cleanPlan = plan("clean");
    copyFileSync(fixture("changed.tf"), path.join(dir, "main.tf"));
    plans = { clean: cleanPlan, drifted: plan("drifted") };
  }, 60_000);

  it("lists exactly the addresses Terraform's own rendering says change", () => {
    const report = driftReportCli(["--stack", "prod", plans.drifted.file]);
    expect(report.status).toBe(0);
    const said = terraformActions(plans.drifted.text).map((action) => action.address).sort();
    expect(said.length).toBeGreaterThan(0);
    expect(listedAddresses(report.stdout)).toEqual(said);
  });

  it("finds no drift where Terraform plans nothing", () => {
    expect(plans.clean.text).toContain("No changes.");
    expect(listedAddresses(driftReportCli(["--stack", "prod", plans.clean.file]).stdout)).toEqual([]);
  });
});

describe("the drift workflow", () => {
  const workflow = loadWorkflows()["drift.yml"];
  const stacks = Object.keys(synthPlatform()).sort();
  const drift = workflow.jobs.drift;
  const step = (id: string) => drift.steps.find((candidate: any) => candidate.id === id);
  const repository = "civic-org/coalition-builder";

  it("runs nightly on a schedule and on demand, and on nothing else", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(workflow.on.schedule).toHaveLength(1);
    const fields = String(workflow.on.schedule[0].cron).split(" ");
    // Minute and hour fixed, every day of every month, every weekday: once a day.
    expect(fields).toHaveLength(5);
    expect(fields.slice(0, 2).every((field) => /^\d+$/.test(field))).toBe(true);
    expect(fields.slice(2)).toEqual(["*", "*", "*"]);
  });

  it.each([
    ["schedule", { event_name: "schedule", repository, ref: "refs/heads/main", event: {} }],
    ["workflow_dispatch", { event_name: "workflow_dispatch", repository, ref: "refs/heads/main", event: {} }],
  ])("on %s, synthesizes, then checks every stack the app synthesizes", (_, github) => {
    expect(jobResults(workflow, github)).toEqual({ synth: "success", drift: "success" });
    expect(workflow.jobs.synth.uses).toBe("./.github/workflows/synth.yml");
    expect(drift.needs).toBe("synth");
    expect([...drift.strategy.matrix.stack].sort()).toEqual(stacks);
    expect(drift.strategy["fail-fast"]).toBe(false);
    // Nothing is checked once the synthesis fails.
    expect(jobResults(workflow, github, { failing: ["synth"] }).drift).toBe("skipped");
  });

  it("grants nothing at the top, and each job only what it uses", () => {
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.synth.permissions).toEqual({ contents: "read" });
    expect(drift.permissions).toEqual({ contents: "read", "id-token": "write", issues: "write" });
  });

  it("assumes the stack's read-only plan role, outside any GitHub environment, as pull requests do", () => {
    expect(drift.environment).toBeUndefined();
    expect(step("stack").run).toBe('npm run --silent stack-facts -- --stack "$STACK" --role plan >> "$GITHUB_OUTPUT"');
    const assume = drift.steps.find((candidate: any) => String(candidate.uses).startsWith("aws-actions/configure-aws-credentials@"));
    expect(assume.with["role-to-assume"]).toBe("${{ steps.stack.outputs.role_arn }}");
    expect(drift.env.STACK).toBe("${{ matrix.stack }}");
    expect(JSON.stringify(workflow)).not.toContain("vars.");
  });

  it("plans refreshed, without the lock, with the exit code telling drift, and reports it to the issue", () => {
    const plan = step("plan").run;
    expect(plan).toContain('terraform -chdir="$STACK_DIR" plan -input=false -lock=false -refresh=true -detailed-exitcode -out=tfplan "${variables[@]}"');
    expect(plan).toContain('variables+=(-var "shared_role_name=$SHARED_ROLE_NAME")');
    expect(plan).not.toMatch(/-lock-timeout/);
    const scripts = scriptsOf("drift.yml", workflow).map((script) => script.text).join("\n");
    expect(scripts).toContain('terraform -chdir="$STACK_DIR" show -json tfplan > "$plan_json"');
    expect(scripts).toContain('npm run --silent drift-report -- --stack "$STACK" --run-url "$RUN_URL" "$plan_json"');
    expect(scripts).toContain('npm run --silent drift-issue -- --stack "$STACK" --run-url "$RUN_URL" "$RUNNER_TEMP/plan.json"');
  });

  describe("its plan step, run with bash on a stand-in terraform", () => {
    /** Runs the plan step with a terraform that records its arguments and exits with `code`. */
    const runPlan = (code: number, sharedRoleName = "") => {
      const dir = mkdtempSync(path.join(tmpdir(), "coalition-drift-step-"));
      const bin = path.join(dir, "bin");
      spawnSync("mkdir", [bin]);
      writeFileSync(path.join(bin, "terraform"), `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> "${dir}/calls"\n[ "$2" = plan ] && exit ${code}\nexit 0\n`, { mode: 0o755 });
      const output = path.join(dir, "output");
      writeFileSync(output, "");
      const result = spawnSync("bash", ["-e", "-c", step("plan").run], {
        encoding: "utf8",
        env: { PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output, STACK_DIR: "stack", SHARED_ROLE_NAME: sharedRoleName, ENDPOINT_TARGETS: "" },
      });
      return { status: result.status, output: readFileSync(output, "utf8"), calls: readFileSync(path.join(dir, "calls"), "utf8") };
    };

    it("says drift on exit code 2, none on 0, and fails on any other", () => {
      expect(runPlan(2)).toMatchObject({ status: 0, output: "drift=true\n" });
      expect(runPlan(0)).toMatchObject({ status: 0, output: "drift=false\n" });
      expect(runPlan(1)).toMatchObject({ status: 1, output: "" });
    });

    it("passes shared_role_name only when stack-facts gives one", () => {
      expect(runPlan(0, "vpc-peering-reader").calls).toContain("-var shared_role_name=vpc-peering-reader");
      expect(runPlan(0).calls).not.toContain("shared_role_name");
    });
  });
});

describe("the drift issue, against a fake GitHub API", () => {
  let github: FakeGitHub;
  let target: GitHubTarget;
  const drifted = () => driftFindings(readJson(fixture("drifted.plan.json")));
  const clean = () => driftFindings(readJson(fixture("clean.plan.json")));
  const writes = () => github.requests.filter((request) => request.method !== "GET");
  const issuesOf = (stack: string) => [...github.issues.values()].filter((issue) => issue.body.startsWith(`<!-- coalition-drift:${stack} -->\n`));

  beforeAll(async () => {
    github = await FakeGitHub.start("civic-org/coalition-builder");
    target = { apiUrl: github.apiUrl(), token: github.token, repository: github.repo };
  });
  afterAll(async () => github?.stop());
  beforeEach(() => github.clear());

  it("opens one issue on the first drift, updates that same issue on the next, and closes it with a comment once clean", async () => {
    github.addIssue({ title: "An unrelated bug", body: "It breaks." });
    github.addIssue({ title: "A pull request", body: "<!-- coalition-drift:prod -->\nnot an issue", pullRequest: true });

    await syncDriftIssue(target, drifted(), { stack: "prod", runUrl: `${RUN_URL}1` });
    expect(issuesOf("prod").filter((issue) => !issue.pullRequest)).toHaveLength(1);
    const [opened] = issuesOf("prod").filter((issue) => !issue.pullRequest);
    expect(opened.state).toBe("open");
    expect(opened.labels).toEqual(["drift"]);
    expect(opened.title).toContain("prod");
    expect(listedAddresses(opened.body)).toEqual(["terraform_data.added", "terraform_data.retagged"]);
    expect(opened.body).toContain(`${RUN_URL}1`);

    await syncDriftIssue(target, drifted(), { stack: "prod", runUrl: `${RUN_URL}2` });
    expect(issuesOf("prod").filter((issue) => !issue.pullRequest).map((issue) => issue.number)).toEqual([opened.number]);
    expect(opened.body).toContain(`${RUN_URL}2`);
    expect(opened.body).not.toContain(`${RUN_URL}1`);
    expect(opened.comments).toEqual([]);

    github.reset();
    await syncDriftIssue(target, clean(), { stack: "prod", runUrl: `${RUN_URL}3` });
    expect(opened.state).toBe("closed");
    expect(opened.comments).toHaveLength(1);
    expect(opened.comments[0]).toContain(`${RUN_URL}3`);
    expect(opened.comments[0]).toMatch(/no drift/i);
    // The comment comes before the issue closes, and nothing else is written.
    expect(writes().map((request) => `${request.method} ${request.path}`)).toEqual([
      `POST /repos/civic-org/coalition-builder/issues/${opened.number}/comments`,
      `PATCH /repos/civic-org/coalition-builder/issues/${opened.number}`,
    ]);
    expect([...github.issues.values()].filter((issue) => issue.number !== opened.number).every((issue) => issue.state === "open")).toBe(true);

    // Drift again after the issue was closed: a new issue, the closed one left as it was.
    await syncDriftIssue(target, drifted(), { stack: "prod", runUrl: `${RUN_URL}4` });
    const open = issuesOf("prod").filter((issue) => !issue.pullRequest && issue.state === "open");
    expect(open).toHaveLength(1);
    expect(open[0].number).not.toBe(opened.number);
    expect(opened.state).toBe("closed");
  });

  it("does nothing on a clean run with no open issue", async () => {
    github.addIssue({ title: "Drift in the dev stack", body: "<!-- coalition-drift:dev -->\nold", state: "closed", stateReason: "completed" });
    await syncDriftIssue(target, clean(), { stack: "dev", runUrl: RUN_URL });
    expect(writes()).toEqual([]);
    expect(github.issues.size).toBe(1);
  });

  it("keeps each stack's issue to itself", async () => {
    await syncDriftIssue(target, drifted(), { stack: "prod", runUrl: RUN_URL });
    await syncDriftIssue(target, drifted(), { stack: "dev", runUrl: RUN_URL });
    await syncDriftIssue(target, clean(), { stack: "prod", runUrl: RUN_URL });
    expect(issuesOf("prod").map((issue) => issue.state)).toEqual(["closed"]);
    expect(issuesOf("dev").map((issue) => issue.state)).toEqual(["open"]);
  });

  it("finds its issue among more open issues than one page holds", async () => {
    await syncDriftIssue(target, drifted(), { stack: "shared", runUrl: RUN_URL });
    for (let i = 0; i < 120; i++) github.addIssue({ body: `issue ${i}` });
    await syncDriftIssue(target, drifted(), { stack: "shared", runUrl: RUN_URL });
    expect(issuesOf("shared")).toHaveLength(1);
  });

  it("is kept by the command the workflow runs, from the run's environment", async () => {
    const env = { ...process.env, GITHUB_TOKEN: github.token, GITHUB_API_URL: github.apiUrl(), GITHUB_REPOSITORY: github.repo };
    const run = (file: string) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ["scripts/app.cjs", "src/ci/drift-issue", "--stack", "prod", "--run-url", RUN_URL, file], { env });
        let [stdout, stderr] = ["", ""];
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("close", (status) => resolve({ status, stdout, stderr }));
      });
    const opened = await run(fixture("drifted.plan.json"));
    expect(opened.stderr).toBe("");
    expect(opened.status).toBe(0);
    expect(issuesOf("prod").map((issue) => issue.state)).toEqual(["open"]);
    expect((await run(fixture("clean.plan.json"))).status).toBe(0);
    expect(issuesOf("prod").map((issue) => issue.state)).toEqual(["closed"]);

    const refused = spawnSync(process.execPath, ["scripts/app.cjs", "src/ci/drift-issue", "--stack", "prod", fixture("clean.plan.json")], {
      env: { ...env, GITHUB_TOKEN: "" },
      encoding: "utf8",
    });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("GITHUB_TOKEN");
  });
});
