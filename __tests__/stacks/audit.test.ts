import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("npm run audit", () => {
  it("prints every rule result of every stack and exits 0 when nothing fails", () => {
    const result = spawnSync("npm", ["run", "--silent", "audit"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    const rows = result.stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^STACK\s+RULE\s+RESOURCE\s+STATUS\s+DETAIL$/);
    for (const stack of ["shared", "prod", "dev"]) {
      expect(rows.some((row) => row.startsWith(`${stack} `) && /\bPASS\b/.test(row))).toBe(true);
      expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^${stack}\\s+IAM_NO_WILDCARD_RESOURCE_MUTATION\\s+aws_iam_policy\\.boundary_policy\\s+SUPPRESSED`)));
    }
    expect(rows.at(-1)).toMatch(/^\d+ passed, 0 failed, 3 suppressed$/);
  }, 60_000);

  it("exits non-zero, naming the field, on a bad configuration", () => {
    const result = spawnSync("npm", ["run", "--silent", "audit"], { encoding: "utf8", env: { ...process.env, COALITION_REGION: "nowhere" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("region (from COALITION_REGION)");
  }, 60_000);
});
