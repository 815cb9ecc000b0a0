import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["__tests__/**/*.test.ts"],
    // Terraform runs take seconds each; everything else is fast.
    testTimeout: 30_000,
    // Synthesis is synchronous and CPU-bound: two workers fit the two cores CI has.
    maxWorkers: 2,
  },
});
