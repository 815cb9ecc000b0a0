import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse as parseYaml } from "yaml";
import { main } from "../../src/tools/migrate-hcl";
import { prodState, sharedState } from "./fixtures/states";

const ROOT = path.join(__dirname, "..", "..");

/** Runs the command in this process, capturing what it prints. */
function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stderr: string[] = [];
  const stdout: string[] = [];
  vi.spyOn(console, "error").mockImplementation((line: string) => void stderr.push(line));
  vi.spyOn(console, "log").mockImplementation((line: string) => void stdout.push(line));
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (stdout.push(String(chunk)), true));
  const status = main(argv, env);
  vi.restoreAllMocks();
  return { status, stderr: stderr.join("\n"), stdout: stdout.join("") };
}

function files(state?: object | string): { dir: string; state: string; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-migrate-cli-"));
  const file = path.join(dir, "state.json");
  if (state !== undefined) writeFileSync(file, typeof state === "string" ? state : JSON.stringify(state));
  return { dir, state: file, out: path.join(dir, "overlay.yaml") };
}

afterEach(() => vi.restoreAllMocks());

describe("npm run migrate:hcl", () => {
  it("writes the overlay to --out whole, reports on stderr and exits 0", () => {
    const { dir, state, out } = files(sharedState());
    const result = run(["--env", "shared", "--state", state, "--out", out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^migrate:hcl shared: 57 resource instances in .*state\.json/);
    expect(parseYaml(readFileSync(out, "utf8")).migration.shared.names.databaseIdentifier).toBe("coalition-db");
    expect(readdirSync(dir).sort()).toEqual(["overlay.yaml", "state.json"]);
  });

  it("exits 1 and writes nothing when an object holding data would be replaced, naming it", () => {
    const { dir, state, out } = files(sharedState({ masterUsername: "admin" }));
    const result = run(["--env", "shared", "--state", state, "--out", out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^REFUSED: module\.database\.aws_db_instance\.postgres .* username/m);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it.each([
    ["a file that is not a state", "[1, 2, 3]", ["--env", "shared"], /^migrate:hcl: .*state\.json: not a Terraform state \(it has no format version/],
    ["an older state format", JSON.stringify({ version: 3, terraform_version: "0.11.14", modules: [] }), ["--env", "shared"], /^migrate:hcl: .*state\.json: state format version 3 is older than 4/],
    ["another environment's state", JSON.stringify(prodState()), ["--env", "shared"], /^migrate:hcl: .*state\.json: not the shared environment's state: its resources are in account 222222222222/],
    ["a missing state file", undefined, ["--env", "shared"], /^migrate:hcl: .*state\.json: cannot be read \(ENOENT\)$/],
    ["an unknown environment", "{}", ["--env", "staging"], /^migrate:hcl: --env must be one of shared, prod, dev, not "staging"/],
  ])("exits 2 on %s with one line, writing nothing", (_, content, args, message) => {
    const { dir, state, out } = files(content);
    const result = run([...args, "--state", state, "--out", out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split("\n")).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((name) => name !== "state.json")).toEqual([]);
  });

  it("imports instead of moving when the state lies under another key", () => {
    const { state } = files(sharedState());
    const result = run(["--env", "shared", "--state", state, "--state-key", "production/terraform.tfstate"]);
    expect(result.status).toBe(0);
    const overlay = parseYaml(result.stdout);
    expect(overlay.migration.shared.moved).toBeUndefined();
    expect(overlay.migration.shared.imports).toContainEqual({ to: "aws_db_instance.database_instance", id: "coalition-db" });
  });

  it("runs as the documented npm script, the overlay on stdout", () => {
    const { state } = files(sharedState());
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("COALITION_")));
    const result = spawnSync("npm", ["run", "--silent", "migrate:hcl", "--", "--env", "shared", "--state", state], { cwd: ROOT, env, encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^# Taking over the shared stack's earlier state/);
    expect(parseYaml(result.stdout).migration.shared.moved).toContainEqual({ from: "module.database.aws_db_instance.postgres", to: "aws_db_instance.database_instance" });
  }, 60_000);
});
