// Runs one of the project's CDKTF apps from its esbuild bundle: `node scripts/app.cjs main` (the platform) or
// `node scripts/app.cjs src/bootstrap/app` (the bootstrap stack); `npm run synth` and cdktf.json run it.
// `node scripts/app.cjs --build` (npm run build) only rebuilds the bundles.
// The bundle is rebuilt only when one of the files it was built from (or package-lock.json, or this script)
// changed, so a synth costs the app itself: about 2× the time of loading cdktf instead of 15× through the
// cdktf CLI. Output goes to CDKTF_OUTDIR (set by the cdktf CLI) or cdktf.out.
"use strict";
const { readFileSync, statSync, writeFileSync } = require("node:fs");
const path = require("node:path");

const ROOT = path.dirname(__dirname);
const ENTRIES = ["main", "src/bootstrap/app"];
const DIST = path.join(ROOT, "dist");
const INPUTS_FILE = path.join(DIST, "inputs.json");
/** Files that change what a build produces besides the sources esbuild reads. */
const BUILD_FILES = ["package-lock.json", "scripts/app.cjs"];

const entry = process.argv[2];
if (process.argv.length !== 3 || !(entry === "--build" || ENTRIES.includes(entry))) {
  process.stderr.write(`usage: node scripts/app.cjs <${ENTRIES.join("|")}|--build>\n`);
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
  const built = Math.min(...ENTRIES.map((name) => mtime(`dist/${name}.js`) ?? -Infinity));
  return [...inputs, ...BUILD_FILES].some((file) => (mtime(file) ?? Infinity) > built);
}

/** Bundles every entry (cdktf and constructs stay external: the CLI and the app must share them). */
function build() {
  const result = require("esbuild").buildSync({
    entryPoints: ENTRIES.map((name) => path.join(ROOT, `${name}.ts`)),
    bundle: true,
    platform: "node",
    target: "node20",
    external: ["cdktf", "constructs"],
    outdir: DIST,
    outbase: ROOT,
    metafile: true,
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith("node_modules/"));
  writeFileSync(INPUTS_FILE, `${JSON.stringify(inputs.sort(), null, 2)}\n`);
}

if (entry === "--build" || stale()) {
  try {
    build();
  } catch {
    process.exit(1); // esbuild has printed the errors
  }
}
if (entry !== "--build") require(path.join(DIST, `${entry}.js`));
