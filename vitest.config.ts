import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * The files that take longest, longest first (measured on two cores: about 55 s, then 9 to 13 s each): started
 * before the rest, so that neither worker is left with a long file at the end while the other has finished.
 * Without a cache of the last run's durations (CI), Vitest would start the largest files first, whatever they cost.
 */
export const LONGEST_FILES = [
  "__tests__/terraform/stacks.test.ts",
  "__tests__/ci/workflow-steps.test.ts",
  "__tests__/bootstrap/configure-github.test.ts",
  "__tests__/bootstrap/bootstrap-terraform.test.ts",
  "__tests__/docs/commands.test.ts",
];

/** Vitest's order (failed first, then by the last run's durations, else by size), the longest files ahead of it. */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FILES.findIndex((name) => file.moduleId.endsWith(`/${name}`));
      return index === -1 ? LONGEST_FILES.length : index;
    };
    // Array.prototype.sort is stable: the files of equal rank keep Vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ["__tests__/**/*.test.ts"],
    // Builds the programs' bundles, finds the provider mirror, starts the provider the mocked Terraform tests share
    // and reports the missing tools, once.
    globalSetup: ["__tests__/global-setup.ts"],
    // cdktf's token traces formatted without source maps: synthesis several times faster.
    setupFiles: ["__tests__/support/token-stack-traces.ts"],
    // Terraform runs take seconds each; everything else is fast.
    testTimeout: 30_000,
    // Synthesis is synchronous and CPU-bound: two workers fit the two cores CI has.
    maxWorkers: 2,
    // Test files share a worker's loaded modules (cdktf and the provider classes cost about a second per file to
    // load again); no test changes module state another relies on.
    isolate: false,
    sequence: { sequencer: LongestFirstSequencer },
  },
});
