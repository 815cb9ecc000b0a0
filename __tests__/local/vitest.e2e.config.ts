import { defineConfig } from "vitest/config";

/**
 * `npm run test:local`: the end-to-end runs on the emulator, minutes long, kept out of `npm test`: local:up and
 * local:down, the drift check, taking over an HCL deployment (migrate:hcl), the bootstrap scripts in three
 * accounts; and the parts local:up relies on, run beside it: the emulator's start, accounts and stop, and
 * `terraform validate` of the local-mode stacks.
 */
export default defineConfig({
  test: {
    include: ["__tests__/local/**/*.e2e.ts", "__tests__/migrate/**/*.e2e.ts", "__tests__/bootstrap/**/*.e2e.ts"],
    globalSetup: ["__tests__/global-setup.ts"],
    setupFiles: ["__tests__/support/token-stack-traces.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
