import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { installCommand, missingReport, PREREQUISITES } from "../support/prerequisites";

const ROOT = path.join(__dirname, "..", "..");
const prerequisite = (tool: string) => PREREQUISITES.find((p) => p.tool === tool)!;

/** A PATH on which shellcheck and gh fail, as on a machine without them. */
function pathWithout(...tools: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-no-tools-"));
  for (const tool of tools) {
    writeFileSync(path.join(dir, tool), "#!/bin/sh\nexit 127\n");
    chmodSync(path.join(dir, tool), 0o755);
  }
  return `${dir}${path.delimiter}${process.env.PATH}`;
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

  it("fail the run when a tool is missing in CI, naming it, and only warn elsewhere", () => {
    const setup = (ci: string) =>
      spawnSync(process.execPath, ["--import", "tsx", "-e", "require('./__tests__/global-setup.ts').default().catch((e) => { console.error(e.message); process.exit(1); })"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, PATH: pathWithout("shellcheck", "gh"), CI: ci },
      });
    const inCi = setup("true");
    expect(inCi.status).toBe(1);
    expect(inCi.stderr).toContain("CI runs every test, but tools are missing");
    expect(inCi.stderr).toContain("!! shellcheck is missing");
    const elsewhere = setup("");
    expect(elsewhere.status).toBe(0);
    expect(elsewhere.stderr).toContain("!! gh is missing: SKIPPED configure_github.sh against a fake GitHub API.");
  });

  it("npm run setup:test -- --check exits 1 naming what is missing, and installs nothing", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "__tests__/support/setup-test.ts", "--check"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, PATH: pathWithout("shellcheck") },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("!! shellcheck is missing");
    expect(result.stdout).not.toContain("apt-get");
  });
});
