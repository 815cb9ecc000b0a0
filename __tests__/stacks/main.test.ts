import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/** Runs main.ts the way cdktf does, with `env` added and the output going to a fresh folder. */
function runMain(env: Record<string, string>) {
  const outdir = path.join(mkdtempSync(path.join(tmpdir(), "coalition-main-")), "cdktf.out");
  const result = spawnSync(process.execPath, ["scripts/app.cjs", "main"], {
    env: { ...process.env, ...env, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  return { ...result, outdir };
}

describe("main.ts", () => {
  it("synthesizes the shared, prod and dev stacks", () => {
    const result = runMain({});
    // A good synth says nothing: the reviewed guardrail exceptions are recorded in each stack instead.
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(readdirSync(path.join(result.outdir, "stacks")).sort()).toEqual(["dev", "prod", "shared"]);
    for (const stack of ["shared", "prod", "dev"]) {
      const json = JSON.parse(readFileSync(path.join(result.outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
      expect(json["//"].guardrails.suppressed).toEqual([expect.stringMatching(/^IAM_NO_WILDCARD_RESOURCE_MUTATION aws_iam_policy\.boundary_policy: .*ceiling/)]);
    }
  });

  it("records a suppression the configuration asks for in the stack it concerns", () => {
    const config = path.join(mkdtempSync(path.join(tmpdir(), "coalition-main-config-")), "config.yaml");
    writeFileSync(config, "database:\n  deletionProtection: false\n");
    const result = runMain({ COALITION_CONFIG: config });
    expect(result.stderr).toBe("");
    const suppressed = (stack: string) => JSON.parse(readFileSync(path.join(result.outdir, "stacks", stack, "cdk.tf.json"), "utf8"))["//"].guardrails.suppressed;
    expect(suppressed("shared")).toContainEqual(expect.stringMatching(/^RDS_DELETION_PROTECTION aws_db_instance\.\w+: database\.deletionProtection is false/));
    expect(suppressed("prod")).not.toContainEqual(expect.stringMatching(/^RDS_DELETION_PROTECTION/));
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
