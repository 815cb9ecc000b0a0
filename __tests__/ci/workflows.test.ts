import { Testing, type TerraformStack } from "cdktf";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ENVIRONMENT_OVERRIDES } from "../../src/config";
import { REQUIRED_TERRAFORM_VERSION } from "../../src/core/account-stack";
import { names } from "../../src/naming/names";
import { definePlatform } from "../../stacks/platform";
import { have, PREREQUISITES } from "../support/prerequisites";
import { exampleConfig, synthPlatform } from "../support/synth";
import { evaluateExpression, expressionsInScripts, jobResults, type JobResult, loadWorkflows, scriptsOf, type Workflow } from "./workflow-files";

const workflows = loadWorkflows();
const wf = (file: string) => {
  expect(workflows[file], `${file} exists`).toBeDefined();
  return workflows[file];
};

/** The stacks the app synthesizes and what each depends on, as main.ts wires them. */
const app = (() => {
  const { shared, applications } = definePlatform(Testing.app(), exampleConfig());
  const stacks: TerraformStack[] = [shared, ...applications];
  return {
    stacks: stacks.map((stack) => stack.node.id).sort(),
    applications: applications.map((stack) => stack.node.id).sort(),
    dependencies: Object.fromEntries(stacks.map((stack) => [stack.node.id, stack.dependencies.map((d) => d.node.id).sort()])),
  };
})();

const steps = (job: any): any[] => job.steps ?? [];
const allJobs = () => Object.entries(workflows).flatMap(([file, workflow]) => Object.entries(workflow.jobs).map(([id, job]) => ({ file, id, job })));
const calls = (job: any, file: string) => job.uses === `./.github/workflows/${file}`;
const isReusableOnly = (workflow: Workflow) => Object.keys(workflow.on).length === 1 && "workflow_call" in workflow.on;
const sorted = (list: Iterable<string>) => [...list].sort();

/** Does this job, or a workflow it calls (at any depth), have a step using `action`? */
function reaches(job: any, predicate: (step: any) => boolean): boolean {
  if (steps(job).some(predicate)) return true;
  const called = /^\.\/\.github\/workflows\/(.+)$/.exec(job.uses ?? "")?.[1];
  return called !== undefined && Object.values(wf(called).jobs).some((inner) => reaches(inner, predicate));
}
const assumesRole = (step: any) => String(step.uses ?? "").startsWith("aws-actions/configure-aws-credentials@");
const comments = (step: any) => String(step.uses ?? "").startsWith("actions/github-script@") && /createComment/.test(step.with?.script ?? "");
/** A step that opens, updates or closes the drift issues. */
const writesIssues = (step: any) => /npm run --silent drift-issue\b/.test(String(step.run ?? ""));

describe("the workflows name exactly the stacks the app synthesizes", () => {
  const infra = wf("deploy_infra.yml");

  it("plans every stack on pull requests", () => {
    expect(sorted(infra.jobs.plan.strategy.matrix.stack)).toEqual(app.stacks);
    expect(calls(infra.jobs.plan, "terraform_plan.yml")).toBe(true);
    expect(infra.jobs.plan.with).toEqual({ stack: "${{ matrix.stack }}" });
  });

  it("applies every stack on main, each in a job of its name, in the app's dependency order", () => {
    const applyJobs = Object.entries(infra.jobs).filter(([, job]) => calls(job, "terraform_stack.yml"));
    expect(sorted(applyJobs.map(([, job]) => job.with.stack))).toEqual(app.stacks);
    for (const [id, job] of applyJobs) {
      expect(id).toBe(job.with.stack);
      expect(job.with.apply).toBe("${{ github.event_name == 'push' || inputs.apply }}");
      const needs = ([] as string[]).concat(job.needs).filter((need) => need !== "synth" && need !== "tests");
      expect(sorted(needs), `${id} needs`).toEqual(app.dependencies[id]);
      // A stack that depends on others runs only after they succeeded (on a push).
      for (const need of needs) expect(job.if).toContain(`needs.${need}.result == 'success'`);
    }
    expect(app.dependencies).toEqual({ shared: [], prod: ["shared"], dev: ["shared"] });
  });

  it("offers every stack, and only those, to a manual run", () => {
    expect(sorted(infra.on.workflow_dispatch.inputs.environment.options)).toEqual(app.stacks);
  });

  it("deploys the Lambda to the application environments only", () => {
    expect(sorted(wf("deploy_lambda.yml").on.workflow_dispatch.inputs.environment.options)).toEqual(app.applications);
    expect(sorted(wf("deploy_serverless.yml").on.workflow_dispatch.inputs.environment.options.filter((o: string) => o !== "from-branch"))).toEqual(
      app.applications,
    );
  });

  it("uses no GitHub environment that is not a stack", () => {
    const named = allJobs().flatMap(({ job }) => (typeof job.environment === "string" && !job.environment.includes("${{") ? [job.environment] : []));
    expect(named.length).toBeGreaterThan(0);
    for (const environment of named) expect(app.stacks).toContain(environment);
    expect(wf("terraform_stack.yml").jobs.terraform.environment).toBe("${{ inputs.stack }}");
  });

  it("switches the variable dev declares, and only dev has it", () => {
    const stacks = synthPlatform();
    expect(stacks.dev.variable?.enable_vpc_endpoints).toMatchObject({ type: "bool" });
    expect(stacks.prod.variable?.enable_vpc_endpoints).toBeUndefined();
    expect(stacks.shared.variable?.enable_vpc_endpoints).toBeUndefined();
    const control = wf("dev_cost_control.yml");
    expect(control.jobs.endpoints.environment).toBe("dev");
    expect(steps(control.jobs.endpoints).find((step) => step.id === "plan").run).toContain('-var "enable_vpc_endpoints=$ENABLED"');
    expect(steps(wf("terraform_stack.yml").jobs.terraform).find((step) => step.id === "plan").run).toContain(
      'export TF_VAR_enable_vpc_endpoints="$ENABLE_VPC_ENDPOINTS"',
    );
    // A pull request's plan cannot read the dev environment's variable: it keeps what the state holds.
    expect(steps(wf("terraform_plan.yml").jobs.plan).find((step) => step.id === "plan").run).toContain('variables+=(-var "enable_vpc_endpoints=$enabled")');
    expect(control.on.workflow_dispatch.inputs.vpc_endpoints.options).toEqual(["enable", "disable"]);
  });
});

describe("permissions", () => {
  it("are denied at the top of every workflow that runs by itself, and granted job by job", () => {
    for (const [file, workflow] of Object.entries(workflows)) {
      if (isReusableOnly(workflow)) continue;
      expect(workflow.permissions, file).toEqual({});
      for (const [id, job] of Object.entries(workflow.jobs)) expect(job.permissions, `${file} › ${id}`).toBeDefined();
    }
  });

  it("grant only contents: read, id-token: write where a role is assumed, pull-requests: write where a comment is made, issues: write where drift issues are kept", () => {
    for (const { file, id, job } of allJobs()) {
      if (job.permissions === undefined) continue;
      const expected: Record<string, string> = {};
      if (reaches(job, (step) => String(step.uses ?? "").startsWith("actions/checkout@"))) expected.contents = "read";
      if (reaches(job, assumesRole)) expected["id-token"] = "write";
      if (reaches(job, comments)) expected["pull-requests"] = "write";
      if (reaches(job, writesIssues)) expected.issues = "write";
      expect(job.permissions, `${file} › ${id}`).toEqual(expected);
    }
    expect(wf("deploy_infra.yml").jobs.plan.permissions["pull-requests"]).toBe("write");
    expect(wf("deploy_infra.yml").jobs.shared.permissions["pull-requests"]).toBeUndefined();
  });

  it("of reusable workflows come from their callers (they declare none)", () => {
    for (const file of ["synth.yml", "terraform_plan.yml", "terraform_stack.yml"]) {
      expect(isReusableOnly(wf(file)), file).toBe(true);
      expect(wf(file).permissions).toBeUndefined();
      for (const job of Object.values(wf(file).jobs)) expect(job.permissions).toBeUndefined();
    }
  });
});

describe("roles", () => {
  /** Every step assuming a role, with its job. */
  const assumptions = allJobs().flatMap(({ file, id, job }) =>
    steps(job).flatMap((step, index) => (assumesRole(step) ? [{ where: `${file} › ${id}`, file, job, index }] : [])),
  );

  it("are assumed with the role and region stack-facts reads from the synthesized stack, named nowhere else", () => {
    expect(assumptions.length).toBe(6);
    for (const { where, job, index } of assumptions) {
      const step = steps(job)[index];
      expect(step.with["role-to-assume"], where).toBe("${{ steps.stack.outputs.role_arn }}");
      expect(step.with["aws-region"], where).toBe("${{ steps.stack.outputs.region }}");
      const facts = steps(job).findIndex((candidate) => candidate.id === "stack");
      expect(facts, `${where} reads the stack first`).toBeGreaterThanOrEqual(0);
      expect(facts).toBeLessThan(index);
    }
    expect(JSON.stringify(workflows)).not.toContain("arn:aws:iam::");
    expect(JSON.stringify(workflows)).not.toMatch(/github-actions-|vpc-peering-/);
  });

  it("are deploy roles in a GitHub environment, checked against it first, and the plan role outside any", () => {
    for (const { where, file, job } of assumptions) {
      const facts = steps(job).find((candidate) => candidate.id === "stack");
      if (job.environment !== undefined) {
        expect(facts.run, where).toBe('npm run --silent stack-facts -- --stack "$STACK" --role deploy --github-environment >> "$GITHUB_OUTPUT"');
        expect(facts.env, where).toEqual({
          AWS_ACCOUNT_ID: "${{ vars.AWS_ACCOUNT_ID }}",
          AWS_REGION: "${{ vars.AWS_REGION }}",
          ENVIRONMENT: "${{ vars.ENVIRONMENT }}",
        });
        expect(job.env.STACK, `${where}: STACK is the job's environment`).toBe(job.environment);
      } else {
        expect(["terraform_plan.yml", "drift.yml"]).toContain(file);
        expect(facts.run, where).toBe('npm run --silent stack-facts -- --stack "$STACK" --role plan >> "$GITHUB_OUTPUT"');
        expect(facts.env, where).toBeUndefined();
      }
    }
    expect(assumptions.filter(({ job }) => job.environment === undefined).map(({ where }) => where).sort()).toEqual(["drift.yml › drift", "terraform_plan.yml › plan"]);
    // The plan job has no environment, so no environment's variable either: the account comes from the stack.
    expect(JSON.stringify(wf("terraform_plan.yml"))).not.toContain("vars.");
  });
});

/** The jobs of deploy_infra.yml that run, and the environment and role each one (or the workflow it calls) uses. */
describe("Terraform CI/CD's jobs", () => {
  const infra = wf("deploy_infra.yml");
  const REPOSITORY = "civic-org/coalition-builder";
  const pullRequest = (from: string) => ({
    event_name: "pull_request",
    repository: REPOSITORY,
    ref: "refs/pull/7/merge",
    event: { pull_request: { head: { repo: { full_name: from } } } },
  });
  const push = { event_name: "push", repository: REPOSITORY, ref: "refs/heads/main", event: {} };
  const dispatch = { event_name: "workflow_dispatch", repository: REPOSITORY, ref: "refs/heads/main", event: {} };
  const running = (results: Record<string, JobResult>) => sorted(Object.entries(results).flatMap(([id, result]) => (result === "skipped" ? [] : [id])));
  const needs = (id: string) => sorted([].concat(infra.jobs[id].needs ?? []));
  /** The jobs a job runs: its own, or those of the workflow it calls. */
  const innerJobs = (job: any): any[] => (job.uses ? Object.values(wf(job.uses.split("/").pop()).jobs) : [job]);
  const planStep = (job: any) => steps(job).find((step) => step.id === "plan");

  describe("on a pull request from a branch of the repository", () => {
    const results = jobResults(infra, pullRequest(REPOSITORY));

    it("synthesizes, then plans every stack, and nothing else", () => {
      expect(running(results)).toEqual(["plan", "synth"]);
      expect(needs("plan")).toEqual(["synth"]);
      expect(calls(infra.jobs.plan, "terraform_plan.yml")).toBe(true);
      expect(sorted(infra.jobs.plan.strategy.matrix.stack)).toEqual(app.stacks);
    });

    it("runs no job in a GitHub environment", () => {
      for (const id of running(results)) for (const job of innerJobs(infra.jobs[id])) expect(job.environment, id).toBeUndefined();
    });

    it("plans with the plan role, without the state lock, and with vpc-peering-reader for the stacks that declare shared_role_name", () => {
      const plan = wf("terraform_plan.yml").jobs.plan;
      expect(steps(plan).find((step) => step.id === "stack").run).toContain("--role plan");
      const step = planStep(plan);
      expect(step.run).toContain('terraform -chdir="$STACK_DIR" plan -input=false -lock=false -detailed-exitcode -out=tfplan "${variables[@]}"');
      expect(step.run).toContain('variables+=(-var "shared_role_name=$SHARED_ROLE_NAME")');
      expect(step.env.SHARED_ROLE_NAME).toBe("${{ steps.stack.outputs.shared_role_name }}");
      expect(step.run).not.toMatch(/-lock-timeout|-lock=true/);
      // stack-facts --role plan gives shared_role_name only for prod and dev (stack-facts.test.ts).
      const synthesized = synthPlatform();
      expect(sorted(app.stacks.filter((stack) => synthesized[stack as keyof typeof synthesized].variable?.[names.sharedRoleVariable]))).toEqual(app.applications);
    });

    it("comments each plan on the pull request", () => {
      expect(reaches(infra.jobs.plan, comments)).toBe(true);
      expect(infra.jobs.plan.permissions["pull-requests"]).toBe("write");
    });
  });

  describe("on a pull request from a fork", () => {
    const results = jobResults(infra, pullRequest("someone/coalition-builder"));

    it("runs only the note saying plans need a branch of the repository: no synthesis, no AWS", () => {
      expect(running(results)).toEqual(["fork"]);
      expect(infra.jobs.fork.permissions).toEqual({});
      expect(infra.jobs.fork.environment).toBeUndefined();
      expect(steps(infra.jobs.fork).map((step) => step.uses).filter(Boolean)).toEqual([]);
      expect(steps(infra.jobs.fork)[0].run).toContain('echo "::notice title=No Terraform plans::$reason"');
    });
  });

  describe("on a push to main", () => {
    it("tests and synthesizes, then applies shared, then prod and dev, each in its environment with its deploy role", () => {
      const results = jobResults(infra, push);
      expect(running(results)).toEqual(["dev", "prod", "shared", "synth", "tests"]);
      expect(calls(infra.jobs.tests, "ci.yml")).toBe(true);
      expect(needs("shared")).toEqual(["synth", "tests"]);
      expect(needs("prod")).toEqual(["shared", "synth"]);
      expect(needs("dev")).toEqual(["shared", "synth"]);
      const deploy = wf("terraform_stack.yml").jobs.terraform;
      expect(deploy.environment).toBe("${{ inputs.stack }}");
      expect(steps(deploy).find((step) => step.id === "stack").run).toContain("--role deploy --github-environment");
      for (const id of app.stacks) {
        expect(calls(infra.jobs[id], "terraform_stack.yml"), id).toBe(true);
        expect(infra.jobs[id].with.stack).toBe(id);
        expect(evaluateExpression(infra.jobs[id].with.apply, { github: push, inputs: {} }), id).toBe(true);
      }
      // An apply holds the state lock; only a plan that is not applied runs without it.
      expect(planStep(deploy).run).toContain('if [ "$APPLY" = true ]; then\n  lock=-lock-timeout=5m\nelse\n  lock=-lock=false\nfi');
    });

    it("applies nothing when the tests fail, and neither prod nor dev when shared fails", () => {
      expect(running(jobResults(infra, push, { failing: ["tests"] }))).toEqual(["synth", "tests"]);
      expect(running(jobResults(infra, push, { failing: ["synth"] }))).toEqual(["synth", "tests"]);
      expect(running(jobResults(infra, push, { failing: ["shared"] }))).toEqual(["shared", "synth", "tests"]);
      expect(running(jobResults(infra, push, { failing: ["prod"] }))).toEqual(["dev", "prod", "shared", "synth", "tests"]);
    });

    it("runs the project's tests as ci.yml does for every pull request", () => {
      const ci = wf("ci.yml");
      expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(["pull_request", "push", "workflow_call"]));
      expect(steps(ci.jobs.test).map((step) => step.run).filter(Boolean)).toContain("bash .ci/run");
      // A run of CI's own never shares a concurrency group with (and so never cancels) the one Terraform CI/CD calls.
      expect(ci.concurrency).toEqual({ group: "ci-${{ github.workflow }}-${{ github.ref }}", "cancel-in-progress": true });
    });
  });

  describe("on a manual run", () => {
    it.each(["shared", "prod", "dev"])("plans %s alone, in its environment, and applies only when asked", (stack) => {
      for (const apply of [false, true]) {
        const inputs = { environment: stack, apply };
        expect(running(jobResults(infra, dispatch, { inputs }))).toEqual([stack, "synth"]);
        expect(evaluateExpression(infra.jobs[stack].with.apply, { github: dispatch, inputs })).toBe(apply);
      }
    });
  });

  it("reads every expression it holds: an unknown one would fail here, not pass", () => {
    expect(() => evaluateExpression("github.event_name == 'push' || toJSON(inputs)", { github: push })).toThrow(/unknown (function|context)/);
    expect(evaluateExpression("${{ !cancelled() && needs.a.result == 'SUCCESS' }}", { github: push, needs: { a: { result: "success" } } }, { cancelled: () => false })).toBe(true);
    expect(evaluateExpression("inputs.apply || 'no'", { github: push, inputs: {} })).toBe("no");
  });
});

describe("scripts", () => {
  it("never have ${{ }} pasted into them: values reach them through env", () => {
    for (const [file, workflow] of Object.entries(workflows)) expect(expressionsInScripts(file, workflow)).toEqual([]);
  });

  it("would have untrusted text pasted into a script reported", () => {
    const seeded = parseYaml(`on: pull_request
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ github.event.pull_request.title }}"
      - uses: actions/github-script@v7
        with:
          script: console.log("\${{ github.head_ref }}")
      - run: echo "$TITLE"
        env:
          TITLE: \${{ github.event.pull_request.body }}
`) as Workflow;
    expect(expressionsInScripts("seeded.yml", seeded)).toEqual([
      { where: "seeded.yml › greet › step 1", expression: "${{ github.event.pull_request.title }}" },
      { where: "seeded.yml › greet › step 2", expression: "${{ github.head_ref }}" },
    ]);
  });

  it("of github-script compile", () => {
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    const scripts = Object.entries(workflows).flatMap(([file, workflow]) => scriptsOf(file, workflow)).filter((s) => s.kind === "github-script");
    expect(scripts.length).toBe(1);
    for (const script of scripts) expect(() => new AsyncFunction("github", "context", "core", "require", script.text)).not.toThrow();
  });

  it("run only npm scripts that exist", () => {
    const packageScripts = Object.keys(JSON.parse(readFileSync("package.json", "utf8")).scripts);
    const used = Object.entries(workflows).flatMap(([file, workflow]) =>
      scriptsOf(file, workflow)
        // Scripts run elsewhere (the frontend's own package) are not ours.
        .filter((script) => script.workingDirectory === undefined)
        .flatMap((script) => [...script.text.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((match) => match[1])),
    );
    expect(sorted(new Set(used))).toEqual(["drift-issue", "drift-report", "plan-comment", "stack-facts", "state-lock", "synth", "test:mutation", "zappa-settings"]);
    for (const name of used) expect(packageScripts).toContain(name);
  });
});

describe("the state lock", () => {
  const scripts = Object.entries(workflows).flatMap(([file, workflow]) => scriptsOf(file, workflow)).filter((script) => script.kind === "run");
  const waiting = scripts.filter((script) => /-lock-timeout=/.test(script.text));

  it("is waited for by the deploys' plans and applies, and by nothing else", () => {
    expect(waiting.map((script) => script.where).sort()).toEqual([
      "dev_cost_control.yml › endpoints › Apply the plan made above",
      "dev_cost_control.yml › endpoints › Plan the endpoints alone",
      "terraform_stack.yml › terraform › Apply the plan made above",
      "terraform_stack.yml › terraform › Plan",
    ]);
  });

  it("held by another run, is reported in the job summary and an ::error:: line by every step that waits for it", () => {
    for (const script of waiting) {
      expect(script.text, script.where).toContain('2>&1 | tee "$log"');
      expect(script.text, script.where).toContain("code=${PIPESTATUS[0]}");
      expect(script.text, script.where).toContain('npm run --silent state-lock -- --stack-dir "$STACK_DIR" --format markdown "$log" >> "$GITHUB_STEP_SUMMARY"');
      expect(script.text, script.where).toContain('npm run --silent state-lock -- --stack-dir "$STACK_DIR" --format github "$log"');
    }
  });

  it("is never released by a workflow", () => {
    for (const script of scripts) expect(script.text, script.where).not.toMatch(/force-unlock/);
  });
});

const shellcheckAvailable = have("shellcheck");

/** shellcheck's findings for one script, as GitHub runs it (bash). */
function shellcheck(text: string): string {
  return spawnSync("shellcheck", ["--shell=bash", "--format=gcc", "-"], { input: text, encoding: "utf8" }).stdout;
}

describe.skipIf(!shellcheckAvailable)("shellcheck", () => {
  it("finds nothing in any run script", () => {
    const scripts = Object.entries(workflows).flatMap(([file, workflow]) => scriptsOf(file, workflow)).filter((s) => s.kind === "run");
    expect(scripts.length).toBeGreaterThan(20);
    for (const script of scripts) expect(shellcheck(script.text), script.where).toBe("");
  });

  it("reports a seeded bad script", () => {
    expect(shellcheck('for f in $(ls *.tf); do echo $f; done\n[ $STACK == dev ]')).toMatch(/SC2045|SC2086/);
  });
});

describe("concurrency", () => {
  it("queues the applies of each environment and never cancels one, sharing dev's queue with Dev Cost Control", () => {
    // A newer push to a pull request replaces its older plans, which hold no lock.
    expect(wf("terraform_plan.yml").jobs.plan.concurrency).toEqual({ group: "terraform-plan-${{ inputs.stack }}-${{ github.ref }}", "cancel-in-progress": true });
    const stack = wf("terraform_stack.yml").jobs.terraform.concurrency;
    expect(stack.group).toBe(
      "${{ inputs.apply && format('terraform-apply-{0}', inputs.stack) || format('terraform-plan-{0}-{1}', inputs.stack, github.ref) }}",
    );
    expect(stack["cancel-in-progress"]).toBe("${{ !inputs.apply }}");
    expect(wf("dev_cost_control.yml").jobs.endpoints.concurrency).toEqual({ group: "terraform-apply-dev", "cancel-in-progress": false });
    expect(wf("deploy_lambda.yml").jobs.deploy.concurrency).toEqual({
      group: "deploy-lambda-${{ needs.select.outputs.environment }}",
      "cancel-in-progress": false,
    });
  });
});

describe("wiring", () => {
  it("calls reusable workflows with inputs they declare, and reads outputs they publish", () => {
    let count = 0;
    for (const { file, id, job } of allJobs()) {
      const called = /^\.\/\.github\/workflows\/(.+)$/.exec(job.uses ?? "")?.[1];
      if (!called) continue;
      count++;
      const trigger = wf(called).on.workflow_call;
      expect(trigger, `${called} is reusable`).not.toBeUndefined();
      const inputs = trigger?.inputs ?? {};
      for (const name of Object.keys(job.with ?? {})) expect(Object.keys(inputs), `${file} › ${id} passes ${name}`).toContain(name);
      for (const [name, input] of Object.entries<any>(inputs)) if (input.required) expect(job.with ?? {}, `${file} › ${id} gives ${name}`).toHaveProperty(name);
      const source = JSON.stringify(workflows[file]);
      for (const [, output] of source.matchAll(new RegExp(`needs\\.${id}\\.outputs\\.(\\w+)`, "g"))) {
        expect(Object.keys(trigger?.outputs ?? {}), `${file} reads ${id}.${output}`).toContain(output);
      }
    }
    expect(count).toBe(10);
  });

  it("hands the synthesized stacks only to jobs that come after a synthesis", () => {
    const synthesizes = (job: any): boolean => calls(job, "synth.yml") || (job.uses !== undefined && Object.values(wf(job.uses.split("/").pop()).jobs).some(synthesizes));
    const upstream = (workflow: Workflow, job: any): boolean =>
      ([] as string[]).concat(job.needs ?? []).some((need) => synthesizes(workflow.jobs[need]) || upstream(workflow, workflow.jobs[need]));
    const downloads = (job: any) => steps(job).some((step) => String(step.uses).startsWith("actions/download-artifact@") && step.with.name === "cdktf-out");
    expect(steps(wf("synth.yml").jobs.synth).find((step) => String(step.uses).startsWith("actions/upload-artifact@")).with.name).toBe("cdktf-out");
    for (const { file, id, job } of allJobs()) {
      if (downloads(job) && !isReusableOnly(wf(file))) expect(upstream(wf(file), job), `${file} › ${id}`).toBe(true);
      if (calls(job, "terraform_stack.yml")) expect(upstream(wf(file), job), `${file} › ${id}`).toBe(true);
    }
  });

  it("gives every command that reads the configuration all of its variables, from the repository", () => {
    const expected: Record<string, string> = { CONFIG_FILE: "${{ vars.COALITION_CONFIG }}" };
    for (const variable of Object.keys(ENVIRONMENT_OVERRIDES)) {
      expected[variable] = variable === "COALITION_GITHUB_REPO" ? "${{ github.repository }}" : `\${{ vars.${variable} }}`;
    }
    const readers = allJobs().flatMap(({ file, id, job }) =>
      steps(job).filter((step) => /npm run (synth|--silent zappa-settings)/.test(step.run ?? "")).map((step) => ({ where: `${file} › ${id}`, step })),
    );
    expect(readers.length).toBe(2);
    for (const { where, step } of readers) {
      const mapped = Object.fromEntries(Object.entries<string>(step.env).filter(([name]) => name in expected));
      expect(mapped, where).toEqual(expected);
      // An unset variable is an empty string, which would name the working directory as the file.
      expect(step.run, where).toContain('if [ -n "$CONFIG_FILE" ]; then\n  export COALITION_CONFIG="$CONFIG_FILE"\nfi');
    }
  });
});

describe("tools", () => {
  const uses = allJobs().flatMap(({ job }) => steps(job).map((step) => step.uses).filter(Boolean));

  it("pins every action to a major version", () => {
    for (const action of uses) expect(action).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
  });

  it("checks out without keeping the token in the working tree", () => {
    const checkouts = allJobs().flatMap(({ job }) => steps(job).filter((step) => String(step.uses).startsWith("actions/checkout@")));
    expect(checkouts.length).toBeGreaterThan(5);
    for (const step of checkouts) expect(step.with?.["persist-credentials"]).toBe(false);
  });

  it("runs one Terraform version, within the stacks' required range, without the stdout wrapper", () => {
    const versions = new Set<string>();
    for (const { file, job } of allJobs()) {
      for (const step of steps(job).filter((candidate) => String(candidate.uses).startsWith("hashicorp/setup-terraform@"))) {
        expect(step.with).toEqual({ terraform_version: "${{ env.TERRAFORM_VERSION }}", terraform_wrapper: false });
        versions.add(wf(file).env!.TERRAFORM_VERSION);
      }
    }
    expect(versions.size).toBe(1);
    const [version] = [...versions].map((v) => v.split(".").map(Number));
    const [, low, high] = /^>= (\S+), < (\S+)$/.exec(REQUIRED_TERRAFORM_VERSION)!.map((v) => v?.split(".").map(Number));
    const compare = (a: number[], b: number[]) => a.map((n, i) => n - (b[i] ?? 0)).find((d) => d !== 0) ?? 0;
    expect(compare(version, low)).toBeGreaterThanOrEqual(0);
    expect(compare(version, high)).toBeLessThan(0);
  });

  it("mirrors the AWS provider version the stacks pin for the CI tests", () => {
    const pinned = synthPlatform().prod.terraform.required_providers.aws.version;
    expect(wf("ci.yml").env!.AWS_PROVIDER_VERSION).toBe(pinned);
  });

  it("runs the project's own CI script on pull requests", () => {
    const ci = wf("ci.yml");
    expect(Object.keys(ci.on)).toContain("pull_request");
    expect(steps(ci.jobs.test).map((step) => step.run).filter(Boolean)).toContain("bash .ci/run");
  });

  it("installs, before .ci/run, every test prerequisite setup:test cannot install from Debian, at its pinned version", () => {
    const ci = wf("ci.yml");
    const before = steps(ci.jobs.test).slice(0, steps(ci.jobs.test).findIndex((step) => step.run === "bash .ci/run"));
    const installs = before.map((step) => String(step.run ?? "")).join("\n");
    const byHand = PREREQUISITES.flatMap(({ tool, install }) => ("apt" in install ? [] : [{ tool, install }]));
    expect(byHand.map((p) => p.tool)).toEqual(expect.arrayContaining(["terraform", "moto_server", "aws", "cfn-lint"]));
    for (const { tool, install } of byHand) {
      if ("manual" in install) {
        expect(tool).toBe("terraform");
        expect(before.some((step) => String(step.uses).startsWith("hashicorp/setup-terraform@")), tool).toBe(true);
        continue;
      }
      // "moto[server]==5.2.1" in the table; "moto[server]==$MOTO_VERSION" in the workflow, with MOTO_VERSION: 5.2.1.
      const [name, version] = install.pip.split("==");
      const variable = new RegExp(`"${name.replace(/[[\]]/g, "\\$&")}==\\$(\\w+)"`).exec(installs)?.[1];
      expect(variable, `${tool}: ci.yml installs ${name}`).toBeDefined();
      expect(String(ci.env![variable!]), `${tool}: the version ci.yml pins`).toBe(version);
    }
    expect(installs).toContain(">> \"$GITHUB_PATH\"");
  });
});
