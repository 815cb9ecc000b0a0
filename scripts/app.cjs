// Runs one of the project's programs from its esbuild bundle: `node scripts/app.cjs main` (the platform app),
// `node scripts/app.cjs src/bootstrap/app` (the bootstrap app), `node scripts/app.cjs src/ci/plan-comment --help`
// (a command, with its arguments). The programs are those the npm scripts in package.json run this way (and
// cdktf.json, which runs main). `node scripts/app.cjs --build` (npm run build) only rebuilds the bundles.
//
// The bundles are rebuilt only when one of the files they were built from (or package-lock.json, package.json,
// or this script) changed, so a run costs the program itself: `npm run synth` about 3× the time of loading cdktf
// alone instead of 15× through the cdktf CLI (`npm run bench` measures it), a command a third of its time through
// tsx. Output of a synth goes to CDKTF_OUTDIR (set by the cdktf CLI) or cdktf.out.
//
// Each bundle holds all of its program's sources, so a file that runs as a command (`require.main === module`)
// must not be imported by another program: in a bundle it would run there too. The build refuses that.
"use strict";
const { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const ROOT = path.dirname(__dirname);
const DIST = path.join(ROOT, "dist");
const INPUTS_FILE = path.join(DIST, "inputs.json");
/** Files that change what a build produces besides the sources esbuild reads. */
const BUILD_FILES = ["package-lock.json", "package.json", "scripts/app.cjs"];

/** The programs: every `scripts/app.cjs <program>` an npm script runs, in the order package.json names them. */
function programs() {
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const named = Object.values(scripts).flatMap((script) => [...script.matchAll(/scripts\/app\.cjs ([\w./-]+)/g)].map((match) => match[1]));
  return [...new Set(named.filter((name) => name !== "--build"))];
}

const PROGRAMS = programs();
const [entry, ...args] = process.argv.slice(2);
if (entry === undefined || !(entry === "--build" ? args.length === 0 : PROGRAMS.includes(entry))) {
  process.stderr.write(`usage: node scripts/app.cjs <program> [arguments...] | --build\nprograms: ${PROGRAMS.join(", ")}\n`);
  process.exit(2);
}

const mtime = (file) => {
  try {
    return statSync(path.join(ROOT, file)).mtimeMs;
  } catch {
    return undefined;
  }
};

/** Whether the bundles are older than any file they were built from (or missing). */
function stale() {
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(INPUTS_FILE, "utf8"));
  } catch {
    return true;
  }
  const built = Math.min(...PROGRAMS.map((name) => mtime(`dist/${name}.js`) ?? -Infinity));
  return [...inputs, ...BUILD_FILES].some((file) => (mtime(file) ?? Infinity) > built);
}

/** The programs' sources that other programs' bundles include, as messages. */
function importedPrograms(metafile) {
  const sources = new Map(PROGRAMS.map((name) => [`${name}.ts`, name]));
  return Object.values(metafile.outputs).flatMap((output) => {
    const own = output.entryPoint;
    return Object.keys(output.inputs)
      .filter((input) => input !== own && sources.has(input))
      .map((input) => `${input} runs as a command and cannot be imported (by ${own}): move what ${own} needs into a module of its own`);
  });
}

/**
 * cdktf's helpers for assets, which cdktf requires as it loads but only TerraformAsset uses. They load archiver
 * and its dependencies (half the time of loading cdktf), and they zip a folder by running their own file with
 * node, so they must stay a file of node_modules. A bundle holds a stand-in instead that loads them from there
 * on first use (no program here declares an asset; one that did would still work).
 */
const DEFERRED = "cdktf/lib/private/fs";

/** The esbuild plugin that replaces cdktf's require of DEFERRED with the stand-in. */
const deferred = {
  name: "deferred",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/private\/fs$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}cdktf${path.sep}`) ? { path: DEFERRED, namespace: "deferred" } : undefined,
    );
    build.onResolve({ filter: new RegExp(`^${DEFERRED}$`), namespace: "deferred" }, () => ({ path: DEFERRED, external: true }));
    build.onLoad({ filter: /.*/, namespace: "deferred" }, () => ({
      contents: `let loaded;\nmodule.exports = new Proxy({}, { get: (_, name) => (loaded ??= require(${JSON.stringify(DEFERRED)}))[name] });\n`,
      resolveDir: ROOT,
    }));
  },
};

/**
 * Bundles every program, cdktf and constructs included (Node then reads one file instead of resolving cdktf's
 * hundreds). Left to Node: DEFERRED, pg-native (an optional part of pg), and the IAM data of
 * iam:coverage (it reads its own files, found next to its code). Written to a folder of its own, then moved into
 * dist/ file by file, so that a program starting meanwhile (tests start several at once) reads either the old
 * bundle or the new one, whole.
 */
async function build() {
  mkdirSync(DIST, { recursive: true });
  const staging = mkdtempSync(path.join(DIST, ".build-"));
  const esbuild = require("esbuild");
  try {
    const result = await esbuild.build({
      entryPoints: PROGRAMS.map((name) => path.join(ROOT, `${name}.ts`)),
      bundle: true,
      platform: "node",
      target: "node20",
      external: ["pg-native", "@cloud-copilot/*"],
      plugins: [deferred],
      outdir: staging,
      outbase: ROOT,
      absWorkingDir: ROOT,
      metafile: true,
      logLevel: "warning",
      // A command's `require.main === module` reads the bundle's module, which is what the check needs.
      logOverride: { "commonjs-variable-in-esm": "silent" },
    });
    const problems = importedPrograms(result.metafile);
    if (problems.length > 0) {
      process.stderr.write(`${problems.join("\n")}\n`);
      return false;
    }
    for (const name of PROGRAMS) {
      const target = path.join(DIST, `${name}.js`);
      mkdirSync(path.dirname(target), { recursive: true });
      renameSync(path.join(staging, `${name}.js`), target);
    }
    // The project's own files: not its dependencies (package-lock.json stands for them), wherever node_modules is,
    // nor the stand-in for DEFERRED, named "deferred:…".
    const inputs = Object.keys(result.metafile.inputs).filter((file) => !/(^|\/)node_modules\//.test(file) && !file.startsWith("deferred:"));
    writeFileSync(path.join(staging, "inputs.json"), `${JSON.stringify(inputs.sort(), null, 2)}\n`);
    renameSync(path.join(staging, "inputs.json"), INPUTS_FILE);
    return true;
  } catch (error) {
    // esbuild has printed its own errors; anything else (a file that cannot be moved) is said here.
    if (!Array.isArray(error?.errors)) process.stderr.write(`node scripts/app.cjs: building the bundles failed: ${error?.message ?? error}\n`);
    return false;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    // The plugin needs esbuild's service process: stopped here, before the program runs in this process.
    await esbuild.stop();
  }
}

/** The program, from its bundle: it runs as the main module, with its own arguments, as `node dist/<program>.js <arguments>` would. */
function run() {
  process.argv.splice(1, process.argv.length - 1, path.join(DIST, `${entry}.js`), ...args);
  Module.runMain();
}

if (entry === "--build" || stale()) {
  build().then((built) => {
    if (!built) process.exit(1);
    if (entry !== "--build") run();
  });
} else {
  run();
}
