import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["__tests__/**/*.test.ts"],
    // Finds the provider mirror and reports the missing tools, once.
    globalSetup: ["__tests__/global-setup.ts"],
    // Terraform runs take seconds each; everything else is fast.
    testTimeout: 30_000,
    // Synthesis is synchronous and CPU-bound: two workers fit the two cores CI has.
    maxWorkers: 2,
    // Test files share a worker's loaded modules (cdktf and the provider classes cost about a second per file to
    // load again); no test changes module state another relies on.
    isolate: false,
  },
});
