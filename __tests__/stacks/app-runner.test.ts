import { spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
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
  const run = (...args: string[]) => runWith({}, ...args);
  const runWith = (env: NodeJS.ProcessEnv, ...args: string[]) => {
    const outdir = path.join(mkdtempSync(path.join(tmpdir(), "coalition-app-runner-out-")), "cdktf.out");
    const result = spawnSync(process.execPath, ["scripts/app.cjs", ...args], { cwd: copy, env: { ...process.env, CDKTF_OUTDIR: outdir, ...env }, encoding: "utf8" });
    return { ...result, outdir };
  };
  const builtAt = () => statSync(bundle).mtimeMs;
  /** Marks a file as changed after the last build (mtime in the future, so no clock granularity can hide it). */
  const touch = (file: string) => utimesSync(path.join(copy, file), new Date(), new Date(Date.now() + 60_000));

  beforeAll(() => {
    for (const item of ["main.ts", "src", "stacks", "scripts", "cdktf.json", "package-lock.json"]) cpSync(path.join(ROOT, item), path.join(copy, item), { recursive: true });
    symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
    // The scripts of the programs the tests below run: each rebuild bundles those alone. One more, which only the
    // copy has: a program that zips a folder as a cdktf asset.
    const { scripts, ...project } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const kept = Object.fromEntries(Object.entries(scripts as Record<string, string>).filter(([name]) => ["synth", "state-lock", "drift-report", "drift-issue"].includes(name)));
    kept["asset-probe"] = "node scripts/app.cjs probe/asset";
    writeFileSync(path.join(copy, "package.json"), JSON.stringify({ ...project, scripts: kept }, null, 2));
    mkdirSync(path.join(copy, "probe"));
    writeFileSync(
      path.join(copy, "probe", "asset.ts"),
      [
        'import { App, AssetType, TerraformAsset, TerraformStack } from "cdktf";',
        // cdktf zips by running its helpers' file with the folder and the zip: were that file this bundle, it would
        // run this program again, and again.
        'if (process.argv.length > 3) throw new Error("the zip helper ran the bundle of this program");',
        "const app = new App();",
        'new TerraformAsset(new TerraformStack(app, "probe"), "folder", { path: process.argv[2], type: AssetType.ARCHIVE });',
        "app.synth();",
      ].join("\n"),
    );
  });

  it("builds the bundle when there is none, and synthesizes every stack", () => {
    const result = run("main");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    for (const stack of ["shared", "prod", "dev"]) expect(existsSync(path.join(result.outdir, "stacks", stack, "cdk.tf.json"))).toBe(true);
    // What a rebuild watches: the project's sources, not its dependencies (here node_modules is a link elsewhere).
    const inputs = JSON.parse(readFileSync(path.join(copy, "dist", "inputs.json"), "utf8")) as string[];
    expect(inputs).toContain("src/naming/names.ts");
    expect(inputs.filter((file) => file.includes("node_modules"))).toEqual([]);
  }, 60_000);

  // cdktf is part of the bundle; its helpers for assets (which load archiver) are not, and load only when used.
  it("loads neither cdktf's files nor its asset helpers from node_modules to synthesize", () => {
    const report = path.join(mkdtempSync(path.join(tmpdir(), "coalition-app-runner-modules-")), "modules.json");
    const preload = path.join(path.dirname(report), "report.cjs");
    writeFileSync(preload, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(report)}, JSON.stringify(Object.keys(require.cache))));`);
    const result = runWith({ NODE_OPTIONS: `--require ${preload}` }, "main");
    expect(result.status, result.stderr).toBe(0);
    const loaded = JSON.parse(readFileSync(report, "utf8")) as string[];
    expect(loaded).toContain(bundle);
    expect(loaded.filter((file) => /node_modules[\\/](cdktf|constructs|archiver)[\\/]/.test(file))).toEqual([]);
    // Nor does the bundle hold archiver (esbuild heads each module it bundles with a comment naming its file).
    const bundled = (file: string) => new RegExp(`^// (.*/)?node_modules/${file}$`, "m").test(readFileSync(bundle, "utf8"));
    expect(bundled("cdktf/lib/index\\.js"), "cdktf is bundled").toBe(true);
    expect(bundled("archiver/index\\.js"), "archiver is bundled").toBe(false);
    expect(bundled("cdktf/lib/private/fs\\.js"), "cdktf's asset helpers are bundled").toBe(false);
  }, 60_000);

  it("still zips a folder for a program that declares an asset, loading the helpers from node_modules", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "coalition-app-runner-asset-"));
    writeFileSync(path.join(folder, "handler.py"), "def handler(event, context):\n    return event\n");
    const result = run("probe/asset", folder);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const zips = (readdirSync(result.outdir, { recursive: true }) as string[]).filter((file) => file.endsWith(".zip"));
    expect(zips).toHaveLength(1);
    const zip = readFileSync(path.join(result.outdir, zips[0]));
    expect(zip.subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004");
    expect(zip.includes("handler.py")).toBe(true);
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
