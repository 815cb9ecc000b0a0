// Mutation testing (`npm run test:mutation`): Stryker changes the code below one small way at a time (a mutant)
// and runs the tests of vitest.mutation.config.ts that cover the change; a mutant no test notices survives.
// What it covers, its run times and the ignore policy: docs/testing.md#mutation-testing.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  mutate: [
    "src/policies/**/*.ts",
    "src/guardrails/**/*.ts",
    "src/config/**/*.ts",
    "src/naming/**/*.ts",
    "src/ci/terraform-plan.ts",
    "src/ci/plan-comment.ts",
    "src/local/replan.ts",
    "src/tools/db-provision.ts",
    // Re-exports only.
    "!src/policies/index.ts",
    "!src/config/index.ts",
  ],
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  coverageAnalysis: "perTest",
  // Committed: a re-run tests only the mutants of changed code, and those covered by changed tests.
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowEmojis: false, reportScoreTable: true, reportMutants: true, reportTests: false },
  concurrency: 2,
  // A static mutant (one only module loading runs, such as a constant's value) needs every related test file run
  // again, a minute each: with about a thousand of them that is hours. They are left out of the score (Ignored);
  // the mutants of the functions that read those constants still count.
  ignoreStatic: true,
  // The Stryker processes share the two cores with nothing else: a busy core is no infinite loop.
  timeoutMS: 10_000,
  ignorePatterns: ["cdktf.out", "dist", "reports", "**/.terraform"],
};
