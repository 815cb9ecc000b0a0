import { spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
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
    for (const item of ["main.ts", "src", "stacks", "scripts", "cdktf.json", "package-lock.json"]) cpSync(path.join(ROOT, item), path.join(copy, item), { recursive: true });
    symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
    // The scripts of the programs the tests below run: each rebuild bundles those alone.
    const { scripts, ...project } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const kept = Object.fromEntries(Object.entries(scripts as Record<string, string>).filter(([name]) => ["synth", "state-lock", "drift-report", "drift-issue"].includes(name)));
    writeFileSync(path.join(copy, "package.json"), JSON.stringify({ ...project, scripts: kept }, null, 2));
  });

  it("builds the bundle when there is none, and synthesizes every stack", () => {
    const result = run("main");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    for (const stack of ["shared", "prod", "dev"]) expect(existsSync(path.join(result.outdir, "stacks", stack, "cdk.tf.json"))).toBe(true);
  }, 60_000);

  // Whichever program runs, the runner checks every bundle (main.js among them) and rebuilds them all together;
  // a program that only prints its usage keeps these tests from paying for a synthesis each.
  it("reuses the bundle when nothing it was built from changed", () => {
    const before = builtAt();
    expect(run("src/ci/state-lock", "--help").status).toBe(0);
    expect(builtAt()).toBe(before);
  }, 60_000);

  it.each(["src/naming/names.ts", "package-lock.json"])("rebuilds when %s changed", (file) => {
    const before = builtAt();
    touch(file);
    const result = run("src/ci/state-lock", "--help");
    expect(result.status, result.stderr).toBe(0);
    expect(builtAt()).toBeGreaterThan(before);
  }, 60_000);

  it("runs a command with its arguments, as its npm script does", () => {
    const result = run("src/ci/state-lock", "--help");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run --silent state-lock -- /);
    const refused = run("src/ci/state-lock", "--stack-dir", "cdktf.out/stacks/dev", "--format", "yaml");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("yaml");
  });

  it("refuses to build a program that imports a file which runs as a command, naming both", () => {
    const before = builtAt();
    appendFileSync(path.join(copy, "src", "ci", "drift-issue.ts"), '\nimport "./drift-report";\n');
    touch("src/ci/drift-issue.ts");
    const result = run("src/ci/drift-issue", "--help");
    copyFileSync(path.join(ROOT, "src", "ci", "drift-issue.ts"), path.join(copy, "src", "ci", "drift-issue.ts"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("src/ci/drift-report.ts runs as a command and cannot be imported (by src/ci/drift-issue.ts)");
    expect(result.stdout).toBe("");
    expect(builtAt()).toBe(before);
  }, 60_000);

  it("stops with esbuild's error and writes nothing when a source does not compile", () => {
    appendFileSync(path.join(copy, "src", "naming", "names.ts"), "\nexport const broken = ;\n");
    touch("src/naming/names.ts");
    const result = run("main");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("src/naming/names.ts");
    expect(existsSync(result.outdir)).toBe(false);
  }, 60_000);

  it("refuses an unknown program with its usage, listing what the npm scripts and cdktf.json run", () => {
    // The project's own runner: it refuses before building anything.
    const result = spawnSync(process.execPath, ["scripts/app.cjs", "stacks/shared-stack"], { cwd: ROOT, encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage: node scripts/app.cjs <program> [arguments...] | --build");
    // The programs are what the npm scripts and cdktf.json run through the runner.
    const programs = result.stderr.split("\n").find((line) => line.startsWith("programs: "))?.slice("programs: ".length).split(", ");
    const named = [readFileSync(path.join(ROOT, "cdktf.json"), "utf8"), ...Object.values(JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as string[])]
      .flatMap((text) => [...text.matchAll(/app\.cjs ([\w/.-]+)/g)].map((match) => match[1]))
      .filter((name) => name !== "--build");
    expect(new Set(programs)).toEqual(new Set(named));
    expect(programs).toEqual(expect.arrayContaining(["main", "src/bootstrap/app", "src/local/up"]));
  });
});
