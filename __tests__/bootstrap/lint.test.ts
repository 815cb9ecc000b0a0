import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { have } from "../support/prerequisites";

const BOOTSTRAP = path.join(__dirname, "..", "..", "bootstrap");
const scripts = readdirSync(BOOTSTRAP).filter((file) => file.endsWith(".sh"));
const libraries = readdirSync(path.join(BOOTSTRAP, "lib")).map((file) => path.join("lib", file));
const templates = readdirSync(BOOTSTRAP).filter((file) => file.endsWith(".cfn.yml"));

const shellcheck = have("shellcheck");
const cfnLint = have("cfn-lint");

const runShellcheck = (cwd: string, files: string[]) =>
  spawnSync("shellcheck", ["--external-sources", "--source-path=SCRIPTDIR", "--severity=style", ...files], { cwd, encoding: "utf8" });

describe("bootstrap scripts", () => {
  it("are the four the design names, executable, and stop at the first error", () => {
    expect(scripts.sort()).toEqual(["bootstrap_account.sh", "bootstrap_all.sh", "configure_github.sh", "setup_remote_state.sh"]);
    for (const script of scripts) {
      accessSync(path.join(BOOTSTRAP, script), constants.X_OK);
      expect(readFileSync(path.join(BOOTSTRAP, script), "utf8")).toMatch(/^#!\/usr\/bin\/env bash\n(#.*\n)*set -euo pipefail\n/);
    }
  });

  it.skipIf(!shellcheck)("are shellcheck-clean, with the libraries they source", () => {
    const result = runShellcheck(BOOTSTRAP, [...scripts, ...libraries]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it.skipIf(!shellcheck)("would fail shellcheck with an unquoted expansion (the check can fail)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "coalition-shellcheck-"));
    writeFileSync(path.join(dir, "broken.sh"), "#!/usr/bin/env bash\nset -euo pipefail\nfile=$1\nrm $file\n");
    const result = runShellcheck(dir, ["broken.sh"]);
    expect(result.stdout).toContain("SC2086");
    expect(result.status).not.toBe(0);
  });
});

describe("CloudFormation templates", () => {
  it.skipIf(!cfnLint)("are cfn-lint-clean", () => {
    expect(templates.sort()).toEqual(["github-oidc-role.cfn.yml", "peering-accepter-role.cfn.yml"]);
    const result = spawnSync("cfn-lint", ["--", ...templates], { cwd: BOOTSTRAP, encoding: "utf8" });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  }, 60_000);

  it.skipIf(!cfnLint)("would fail cfn-lint with a property IAM roles do not have (the check can fail)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "coalition-cfn-lint-"));
    const broken = readFileSync(path.join(BOOTSTRAP, "peering-accepter-role.cfn.yml"), "utf8").replace("MaxSessionDuration:", "MaxSessionSeconds:");
    writeFileSync(path.join(dir, "broken.cfn.yml"), broken);
    const result = spawnSync("cfn-lint", ["--", "broken.cfn.yml"], { cwd: dir, encoding: "utf8" });
    expect(result.stdout).toContain("MaxSessionSeconds");
    expect(result.status).not.toBe(0);
  }, 60_000);
});
