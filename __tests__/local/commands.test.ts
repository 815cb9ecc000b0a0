import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "..", "..");

/** Runs `npm run local:<command>` as npm would (node with tsx), in a workspace of its own. */
function run(command: "up" | "down", args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "coalition-local-cmd-")), "workspace");
  const result = spawnSync(process.execPath, [path.join(ROOT, "scripts", "app.cjs"), `src/local/${command}`, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, COALITION_LOCAL_DIR: dir, ...env },
    timeout: 60_000,
  });
  return { ...result, dir };
}

describe("local:up and local:down on bad input", () => {
  it.each(["up", "down"] as const)("local:%s rejects an unknown argument with its usage, exit 2, writing nothing", (command) => {
    const result = run(command, ["--force"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`local:${command}: Unknown option '--force'`);
    expect(result.stderr).toContain(`Usage: npm run local:${command}`);
    expect(result.stdout).toBe("");
    expect(existsSync(result.dir)).toBe(false);
  });

  it("local:up rejects a bad configuration before starting anything, exit 1, writing nothing", () => {
    const result = run("up", [], { COALITION_REGION: "mars-1" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("local:up: Invalid configuration (1 problem):\n  - region (from COALITION_REGION): must be an AWS region name");
    expect(existsSync(result.dir)).toBe(false);
  });

  it("prints its usage with --help", () => {
    const result = run("up", ["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run local:up\n/);
    expect(existsSync(result.dir)).toBe(false);
  });
});

describe("a failing step", () => {
  it("stops local:up with exit 1, naming the step and its log, which is kept", () => {
    // An empty PATH: no terraform (node is run by its full path).
    const result = run("up", [], { PATH: mkdtempSync(path.join(tmpdir(), "coalition-empty-path-")) });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("✗ tools failed");
    expect(result.stderr).toContain('local:up FAILED at step "tools"');
    expect(result.stderr).toContain("terraform is not installed or not on PATH: Terraform >= 1.10 runs the stacks");
    const [logs] = readdirSync(path.join(result.dir, "logs"));
    expect(result.stderr).toContain(`Every log of this run is kept in ${path.join(result.dir, "logs", logs)}`);
    expect(readdirSync(path.join(result.dir, "logs", logs))).toEqual(["01-tools.log"]);
    // Nothing was started.
    expect(existsSync(path.join(result.dir, "emulator.json"))).toBe(false);
  });
});

describe("local:down with nothing to destroy", () => {
  it("says so when no emulator was ever started here", () => {
    const result = run("down");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("local:down: no emulator is recorded in");
    expect(existsSync(result.dir)).toBe(false);
  });

  it("forgets an emulator that no longer runs", () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "coalition-local-cmd-")), "workspace");
    mkdirSync(dir);
    // The id of a process that has exited.
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    writeFileSync(path.join(dir, "emulator.json"), JSON.stringify({ pid: Number(gone), endpoint: "http://127.0.0.1:1", startedAt: "then" }));
    const result = spawnSync(process.execPath, [path.join(ROOT, "scripts", "app.cjs"), "src/local/down"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, COALITION_LOCAL_DIR: dir },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`(pid ${gone}, http://127.0.0.1:1) no longer runs, and what it held went with it: nothing to destroy.`);
    expect(existsSync(path.join(dir, "emulator.json"))).toBe(false);
  });
});
