import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { TERRAFORM_GOGC, terraformEnvironment, unattendedTerraformEnvironment } from "../../src/local/terraform";
import { workspace } from "../../src/local/workspace";

describe("the environment Terraform runs in", () => {
  it("never prompts and raises Go's garbage-collection target unless the caller set one", () => {
    const env = unattendedTerraformEnvironment({ PATH: "/bin", TF_INPUT: "1" });
    expect(env).toMatchObject({ PATH: "/bin", TF_INPUT: "0", TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", GOGC: TERRAFORM_GOGC });
    expect(Number(TERRAFORM_GOGC)).toBeGreaterThan(100);
    expect(unattendedTerraformEnvironment({ GOGC: "off" }).GOGC).toBe("off");
  });

  it("in local mode: the account's profile only, no credentials of the caller's, the provider from the mirror", () => {
    const space = workspace({ COALITION_LOCAL_DIR: mkdtempSync(path.join(tmpdir(), "coalition-tf-env-")) });
    const caller = { ...process.env, AWS_ACCESS_KEY_ID: "AKIAREAL", AWS_PROFILE: "production-admin", GOGC: undefined };
    const saved = process.env;
    process.env = caller;
    let env: NodeJS.ProcessEnv;
    try {
      env = terraformEnvironment(space, { mirror: "/srv/mirror", origin: "test" }, "dev");
    } finally {
      process.env = saved;
    }
    expect(env.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(env.AWS_PROFILE).toBe("dev");
    expect(env.AWS_CONFIG_FILE).toBe(path.join(space.awsDir, "config"));
    expect(env.GOGC).toBe(TERRAFORM_GOGC);
    const cli = readFileSync(env.TF_CLI_CONFIG_FILE!, "utf8");
    expect(cli).toContain('path    = "/srv/mirror"');
    expect(cli).toMatch(/direct \{\s*exclude = \["registry\.terraform\.io\/hashicorp\/\*"\]/);
  });
});
