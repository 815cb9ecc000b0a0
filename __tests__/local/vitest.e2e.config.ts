import { defineConfig } from "vitest/config";

/** `npm run test:local`: the end-to-end run of local:up and local:down, minutes long, kept out of `npm test`. */
export default defineConfig({
  test: {
    include: ["__tests__/local/**/*.e2e.ts"],
    globalSetup: ["__tests__/global-setup.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
