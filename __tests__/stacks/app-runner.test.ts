import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdtempSync, statSync, symlinkSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "..", "..");

/**
 * scripts/app.cjs, which `npm run synth` and cdktf.json run, on a copy of the project (sources, lock file and
 * runner; node_modules linked), so that changing a source here cannot disturb anything else.
 */
describe("the app runner (npm run synth)", () => {
  const copy = path.join(mkdtempSync(path.join(tmpdir(), "coalition-app-runner-")), "project");
  const bundle = path.join(copy, "dist", "main.js");
  const run = (...args: string[]) => {
    const outdir = path.join(mkdtempSync(path.join(tmpdir(), "coalition-app-runner-out-")), "cdktf.out");
    const result = spawnSync(process.execPath, ["scripts/app.cjs", ...args], { cwd: copy, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    return { ...result, outdir };
  };
  const builtAt = () => statSync(bundle).mtimeMs;
  /** Marks a file as changed after the last build (mtime in the future, so no clock granularity can hide it). */
  const touch = (file: string) => utimesSync(path.join(copy, file), new Date(), new Date(Date.now() + 60_000));

  beforeAll(() => {
    for (const item of ["main.ts", "src", "stacks", "scripts", "cdktf.json", "package.json", "package-lock.json"]) cpSync(path.join(ROOT, item), path.join(copy, item), { recursive: true });
    symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
  });

  it("builds the bundle when there is none, and synthesizes every stack", () => {
    const result = run("main");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    for (const stack of ["shared", "prod", "dev"]) expect(existsSync(path.join(result.outdir, "stacks", stack, "cdk.tf.json"))).toBe(true);
  }, 60_000);

  it("reuses the bundle when nothing it was built from changed", () => {
    const before = builtAt();
    expect(run("main").status).toBe(0);
    expect(builtAt()).toBe(before);
  }, 60_000);

  it.each(["src/naming/names.ts", "package-lock.json"])("rebuilds when %s changed", (file) => {
    const before = builtAt();
    touch(file);
    const result = run("main");
    expect(result.status, result.stderr).toBe(0);
    expect(builtAt()).toBeGreaterThan(before);
  }, 60_000);

  it("stops with esbuild's error and writes nothing when a source does not compile", () => {
    appendFileSync(path.join(copy, "src", "naming", "names.ts"), "\nexport const broken = ;\n");
    touch("src/naming/names.ts");
    const result = run("main");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("src/naming/names.ts");
    expect(existsSync(result.outdir)).toBe(false);
  }, 60_000);

  it("refuses an unknown app with its usage", () => {
    const result = run("stacks/shared-stack");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage: node scripts/app.cjs <main|src/bootstrap/app|--build>");
  });
});
