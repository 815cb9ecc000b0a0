import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { installCommand, missingReport, PREREQUISITES } from "../support/prerequisites";

const ROOT = path.join(__dirname, "..", "..");
const prerequisite = (tool: string) => PREREQUISITES.find((p) => p.tool === tool)!;

/**
 * A PATH on which the `missing` tools fail, as on a machine without them, and the Python tools succeed at once
 * (their real checks start Python: the global setup of every run checks those, not what is reported here).
 */
function pathWithout(...missing: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-no-tools-"));
  const stub = (tool: string, status: number) => {
    writeFileSync(path.join(dir, tool), `#!/bin/sh\nexit ${status}\n`);
    chmodSync(path.join(dir, tool), 0o755);
  };
  for (const tool of ["moto_server", "aws", "cfn-lint"]) stub(tool, 0);
  for (const tool of missing) stub(tool, 127);
  return `${dir}${path.delimiter}${process.env.PATH}`;
}

/** Runs a TypeScript entry point with tsx in the project root, without blocking: the three below run side by side. */
function runTs(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("the test prerequisites", () => {
  it("say how each is installed, as a person would type it", () => {
    expect(installCommand(prerequisite("shellcheck"))).toBe("apt-get install -y shellcheck");
    expect(installCommand(prerequisite("postgis"))).toBe("apt-get install -y postgresql-15 postgresql-15-postgis-3");
    expect(installCommand(prerequisite("moto_server"))).toBe("pip install 'moto[server]==5.2.1'");
    expect(installCommand(prerequisite("terraform"))).toMatch(/^install Terraform >= 1\.10/);
  });

  it("report each missing one with what skips without it and its install command, and nothing when none is missing", () => {
    const report = missingReport([prerequisite("gh")]);
    expect(report).toContain("!! gh is missing: SKIPPED configure_github.sh against a fake GitHub API.");
    expect(report).toContain("!!   install: apt-get install -y gh");
    expect(report).toContain("npm run setup:test");
    expect(missingReport([])).toBe("");
  });

  describe("with tools missing", () => {
    const setup = (ci: string) =>
      runTs(["-e", "require('./__tests__/global-setup.ts').default().then((teardown) => teardown(), (e) => { console.error(e.message); process.exit(1); })"], {
        ...process.env,
        PATH: pathWithout("shellcheck", "gh"),
        CI: ci,
      });
    let inCi: Awaited<ReturnType<typeof runTs>>;
    let elsewhere: Awaited<ReturnType<typeof runTs>>;
    let check: Awaited<ReturnType<typeof runTs>>;
    beforeAll(async () => {
      [inCi, elsewhere, check] = await Promise.all([
        setup("true"),
        setup(""),
        runTs(["__tests__/support/setup-test.ts", "--check"], { ...process.env, PATH: pathWithout("shellcheck") }),
      ]);
    }, 60_000);

    it("fail the run when a tool is missing in CI, naming it, and only warn elsewhere", () => {
      expect(inCi.status).toBe(1);
      expect(inCi.stderr).toContain("CI runs every test, but tools are missing");
      expect(inCi.stderr).toContain("!! shellcheck is missing");
      expect(elsewhere.status).toBe(0);
      expect(elsewhere.stderr).toContain("!! gh is missing: SKIPPED configure_github.sh against a fake GitHub API.");
    });

    it("npm run setup:test -- --check exits 1 naming what is missing, and installs nothing", () => {
      const result = check;
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("!! shellcheck is missing");
      expect(result.stdout).not.toContain("apt-get");
    });
  });
});
