import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { localCdktfEnvironment, terraformFinished, writeLocalConfig } from "../../src/local/cdktf";
import { localConfig } from "../../src/local/config";
import { stackDir, workspace } from "../../src/local/workspace";
import { have } from "../support/prerequisites";
import { synthPlatform } from "../support/synth";

const ENDPOINT = "http://127.0.0.1:4999";
const space = () => workspace({ COALITION_LOCAL_DIR: path.join(mkdtempSync(path.join(tmpdir(), "coalition-local-cdktf-")), "workspace") });

describe("the configuration local:cdktf gives the app", () => {
  it("is the one local:up deploys, so cdktf synthesizes the same stacks", () => {
    const caller = { COALITION_PREFIX: "civic", COALITION_PROD_ACCOUNT_ID: "444455556666" };
    const deployed = localConfig(caller, ENDPOINT);
    const file = writeLocalConfig(space(), deployed);
    const read = loadConfig({ COALITION_CONFIG: file });
    expect(read).toEqual(deployed);
    expect(read.prefix).toBe("civic");
    expect(read.local?.endpoint).toBe(ENDPOINT);
    expect(synthPlatform(read)).toEqual(synthPlatform(deployed));
  });
});

describe("the environment local:cdktf runs cdktf in", () => {
  const local = space();
  const caller = {
    PATH: process.env.PATH,
    AWS_PROFILE: "prod-admin",
    AWS_ACCESS_KEY_ID: "AKIAREAL",
    AWS_SECRET_ACCESS_KEY: "real",
    AWS_SESSION_TOKEN: "real",
    COALITION_CONFIG: "/somewhere/platform.yaml",
    COALITION_PREFIX: "other",
    COALITION_LOCAL_DIR: local.dir,
  };
  const env = localCdktfEnvironment(local, { mirror: "/mirror", origin: "test" }, path.join(local.dir, "config.yaml"), caller);

  it("carries none of the caller's AWS credentials or profile, only the workspace's profiles", () => {
    for (const name of ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) expect(env[name], name).toBeUndefined();
    expect(env.AWS_CONFIG_FILE).toBe(path.join(local.awsDir, "config"));
    expect(env.AWS_SHARED_CREDENTIALS_FILE).toBe(path.join(local.awsDir, "credentials"));
  });

  it("points the app at the written configuration, without the caller's overrides (it holds them already)", () => {
    expect(env.COALITION_CONFIG).toBe(path.join(local.dir, "config.yaml"));
    expect(env.COALITION_PREFIX).toBeUndefined();
    expect(env.COALITION_LOCAL_DIR).toBe(local.dir);
  });

  it("writes cdktf's output into the workspace and takes the provider from the mirror", () => {
    expect(env.CDKTF_OUTPUT).toBe(local.synthDir);
    expect(env.TF_CLI_CONFIG_FILE).toBe(path.join(local.terraformDir, "cli.tfrc"));
    expect(env.PATH).toBe(process.env.PATH);
  });
});

describe("npm run local:cdktf", () => {
  const run = (args: string[], dir = space().dir) =>
    spawnSync(process.execPath, ["scripts/app.cjs", "src/local/cdktf", ...args], { encoding: "utf8", env: { ...process.env, COALITION_LOCAL_DIR: dir } });

  it("prints its usage with --help", () => {
    const result = run(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: npm run local:cdktf -- <cdktf command>");
  });

  it("exits 2 with its usage when no cdktf command is named", () => {
    const result = run([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("local:cdktf: name a cdktf command");
  });

  it("exits 1, naming the way out, when no emulator runs for the workspace, and writes nothing", () => {
    const dir = space().dir;
    const result = run(["diff", "prod"], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`local:cdktf: no emulator runs for the workspace ${dir}: start one with npm run local:up\n`);
    expect(spawnSync("ls", [dir]).status).not.toBe(0);
  });
});

describe.skipIf(!have("terraform"))("local:cdktf ends only once the Terraform that cdktf started has", () => {
  it("finds a Terraform process still working in a stack's folder, and none once it has ended", async () => {
    const local = space();
    mkdirSync(stackDir(local, "prod"), { recursive: true });
    // A Terraform process that waits (on its input) in prod's folder, as one cdktf left running would.
    const terraform = spawn("terraform", ["console"], { cwd: stackDir(local, "prod"), stdio: ["pipe", "ignore", "ignore"], env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    try {
      await new Promise((resolve) => terraform.once("spawn", resolve));
      expect(await terraformFinished(local, 300)).toEqual([{ stack: "prod", pids: [terraform.pid] }]);
      const ended = new Promise((resolve) => terraform.once("exit", resolve));
      setTimeout(() => terraform.stdin.end(), 300);
      // Waits for it to end (it ends when its input does), then finds none.
      expect(await terraformFinished(local, 20_000)).toEqual([]);
      await ended;
    } finally {
      terraform.kill("SIGKILL");
    }
  });
});
