import { defineConfig } from "vitest/config";

/**
 * The tests `npm run test:mutation` (Stryker, stryker.config.mjs) runs against each mutant: the tests that call the
 * mutated code directly and run in-process in a second or two. Left out: tests that spawn a process (it would load
 * the unmutated code), start an emulator or a database, or run Terraform; the construct tests, which reach the
 * mutated code only through whole constructs; and the tests that synthesize the whole platform inside a test
 * (platform.test.ts, guardrails.test.ts), which take 6 to 18 s a run and reach nearly every mutant. On two cores a
 * test file costs one to three seconds a run, against thousands of mutants: the code the others cover has fast
 * tests here.
 */
export const MUTATION_TESTS = [
  // src/config
  "__tests__/unit/config.test.ts",
  "__tests__/unit/config-validation.test.ts",
  "__tests__/local/config.test.ts",
  // src/naming
  "__tests__/unit/addresses.test.ts",
  "__tests__/unit/naming.test.ts",
  "__tests__/unit/readable-stack.test.ts",
  // src/guardrails
  "__tests__/unit/guardrails-rules.test.ts",
  "__tests__/unit/guardrails-quotas.test.ts",
  "__tests__/unit/guardrails-aspect.test.ts",
  // src/policies
  "__tests__/unit/policies.test.ts",
  "__tests__/bootstrap/policies.test.ts",
  "__tests__/bootstrap/templates.test.ts",
  "__tests__/stacks/iam-simulation.test.ts",
  "__tests__/stacks/plan-role.test.ts",
  // src/ci/terraform-plan.ts, src/ci/plan-comment.ts
  "__tests__/ci/plan-summary.test.ts",
  "__tests__/ci/plan-comment-render.test.ts",
  "__tests__/cost/plan.test.ts",
  // src/local/replan.ts
  "__tests__/local/replan-drift.test.ts",
  // src/tools/db-provision.ts
  "__tests__/tools/db-provision-statements.test.ts",
];

export default defineConfig({
  test: {
    include: MUTATION_TESTS,
    testTimeout: 30_000,
    setupFiles: ["__tests__/support/token-stack-traces.ts"],
    // Each test file loads its modules afresh: the synthesis cache of __tests__/support/synth.ts and the modules'
    // top-level values must not carry one mutant's results into the next mutant's run.
    isolate: true,
  },
});
