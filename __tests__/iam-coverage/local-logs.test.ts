import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { TERRAFORM_LOG_DIR_VARIABLE, terraformEnvironment } from "../../src/local/terraform";
import { workspace } from "../../src/local/workspace";

describe("local mode's Terraform debug logs, for iam:coverage", () => {
  const root = mkdtempSync(path.join(tmpdir(), "coalition-local-logs-"));
  const space = workspace({ COALITION_LOCAL_DIR: path.join(root, "workspace") });
  const source = { mirror: path.join(root, "mirror"), origin: "test" };

  it(`are written per stack only when ${TERRAFORM_LOG_DIR_VARIABLE} names a folder`, () => {
    const logs = path.join(root, "logs");
    const env = terraformEnvironment(space, source, "prod", { [TERRAFORM_LOG_DIR_VARIABLE]: logs });
    expect(env.TF_LOG).toBe("debug");
    expect(env.TF_LOG_PATH).toBe(path.join(logs, "prod.log"));
    expect(statSync(logs).isDirectory()).toBe(true);
    // Not by default, and not for the cdktf CLI, which runs no single stack.
    expect(terraformEnvironment(space, source, "prod", {}).TF_LOG_PATH).toBeUndefined();
    expect(terraformEnvironment(space, source, undefined, { [TERRAFORM_LOG_DIR_VARIABLE]: logs }).TF_LOG_PATH).toBeUndefined();
  });

  it("leave the CLI configuration alone when it is already right (a Terraform started before may be reading it)", () => {
    const file = terraformEnvironment(space, source, "shared", {}).TF_CLI_CONFIG_FILE!;
    const before = statSync(file);
    terraformEnvironment(space, source, "prod", {});
    expect(statSync(file).ino).toBe(before.ino);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
  });
});
