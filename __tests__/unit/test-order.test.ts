import { existsSync } from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { LONGEST_FILES } from "../../vitest.config";

const ROOT = path.join(__dirname, "..", "..");

// A renamed or removed file would silently drop out of the order the suite's wall time depends on.
it("starts first only files that exist and that npm test runs", () => {
  for (const file of LONGEST_FILES) {
    expect(existsSync(path.join(ROOT, file)), file).toBe(true);
    expect(file, file).toMatch(/^__tests__\/.+\.test\.ts$/);
  }
  expect(new Set(LONGEST_FILES).size).toBe(LONGEST_FILES.length);
});
