import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/** Runs main.ts the way cdktf does, with `env` added and the output going to a fresh folder. */
function runMain(env: Record<string, string>) {
  const outdir = path.join(mkdtempSync(path.join(tmpdir(), "coalition-main-")), "cdktf.out");
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
    env: { ...process.env, ...env, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  return { ...result, outdir };
}

describe("main.ts", () => {
  it("synthesizes the shared, prod and dev stacks", () => {
    const result = runMain({});
    // The only thing said is the list of reviewed guardrail exceptions.
    expect(result.stderr.split("\n").filter((line) => line && !line.startsWith("guardrails ["))).toEqual([]);
    expect(result.status).toBe(0);
    expect(readdirSync(path.join(result.outdir, "stacks")).sort()).toEqual(["dev", "prod", "shared"]);
    expect(existsSync(path.join(result.outdir, "stacks", "prod", "cdk.tf.json"))).toBe(true);
  });

  it("exits non-zero with every problem named, and writes nothing, on a bad configuration", () => {
    const result = runMain({ COALITION_PROD_ACCOUNT_ID: "42", COALITION_GITHUB_REPO: "no-owner" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Invalid configuration (2 problems)");
    expect(result.stderr).toContain("accounts.prod.accountId (from COALITION_PROD_ACCOUNT_ID): must be a 12-digit AWS account id");
    expect(result.stderr).toContain("github.repo (from COALITION_GITHUB_REPO): must be owner/name");
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(existsSync(result.outdir)).toBe(false);
  });
});
