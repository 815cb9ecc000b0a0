// Measures `npm run synth` (all three stacks, the command users and CI run) against the floor of loading cdktf
// alone, side by side (the two alternating): median wall time over several runs, the ratio, and synth's peak RSS
// (the largest process of the run: npm, then the app). Then times the unit suite (`npm test`), median of
// BENCH_TEST_RUNS runs. Prints each figure with its goal and exits 1 when one is missed. BENCH_RUNS sets the runs
// per command of synth; BENCH_SKIP_TESTS=1 skips the suite.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const USAGE = `Usage: npm run bench

Times npm run synth against node -e 'require("cdktf")', alternating (median of BENCH_RUNS runs each, default 7,
after one warm-up), prints both, their ratio (goal <= 4x) and synth's peak RSS (goal <= 150 MB), then the wall time of
npm test (median of BENCH_TEST_RUNS runs, default 1; goal <= 180 s; BENCH_SKIP_TESTS=1 skips it). Exits 1
when a goal is missed.`;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TEST_RUNS = Number(process.env.BENCH_TEST_RUNS ?? 1);
const GOALS = { ratio: 4, rssMb: 150, testSeconds: 180 };
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const preload = path.join(root, "scripts", "max-rss.cjs");

if (process.argv.length > 2) {
  const help = process.argv[2] === "--help" || process.argv[2] === "-h";
  (help ? console.log : console.error)(help ? USAGE : `bench: unknown argument ${process.argv[2]}\n\n${USAGE}`);
  process.exit(help ? 0 : 2);
}
for (const [name, runs] of [["BENCH_RUNS", RUNS], ["BENCH_TEST_RUNS", TEST_RUNS]]) {
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`${name} must be a positive whole number, not ${JSON.stringify(process.env[name])}`);
    process.exit(2);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs a command once; every Node process it starts reports its peak RSS. */
function runOnce(label, command, args) {
  const outdir = mkdtempSync(path.join(tmpdir(), "coalition-bench-"));
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: outdir, NODE_OPTIONS: `--require ${preload}` },
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) {
    console.error(`${label} failed:\n${result.stderr}`);
    process.exit(1);
  }
  const rssKb = Math.max(...[...result.stderr.matchAll(/max-rss-kb=(\d+)/g)].map((match) => Number(match[1])));
  return { ms, rssMb: rssKb / 1024 };
}

// The floor and synth alternate, run for run, so that both see the machine at the same speed (on a shared machine
// it drifts within minutes); the ratio is the median of each pair's ratio. The first pair is a warm-up: it builds
// the bundle and warms the file cache.
const commands = [
  { label: "floor: node -e 'require(\"cdktf\")'", command: process.execPath, args: ["-e", "require('cdktf')"] },
  { label: "synth: npm run --silent synth", command: "npm", args: ["run", "--silent", "synth"] },
];
const pairs = [];
for (let i = 0; i < RUNS + 1; i++) {
  const pair = commands.map(({ label, command, args }) => runOnce(label, command, args));
  if (i > 0) pairs.push(pair);
}
const [floor, synth] = commands.map(({ label }, index) => ({
  label,
  ms: median(pairs.map((pair) => pair[index].ms)),
  rssMb: Math.max(...pairs.map((pair) => pair[index].rssMb)),
}));
const ratio = median(pairs.map(([f, s]) => s.ms / f.ms));
const verdict = (ok) => (ok ? "ok" : "MISSED");
console.log(`runs per command: ${RUNS} (after one warm-up), the two alternating`);
for (const row of [floor, synth]) {
  console.log(`${row.label.padEnd(40)} median ${row.ms.toFixed(0).padStart(5)} ms   peak RSS ${row.rssMb.toFixed(0).padStart(4)} MB`);
}
const results = [ratio <= GOALS.ratio, synth.rssMb <= GOALS.rssMb];
console.log(`ratio synth/floor (median of the runs' ratios): ${ratio.toFixed(2)}x (goal <= ${GOALS.ratio}x) ${verdict(results[0])}`);
console.log(`synth peak RSS: ${synth.rssMb.toFixed(0)} MB (goal <= ${GOALS.rssMb} MB) ${verdict(results[1])}`);

if (process.env.BENCH_SKIP_TESTS === "1") {
  console.log("unit suite: skipped (BENCH_SKIP_TESTS=1)");
} else {
  const runs = [];
  for (let i = 0; i < TEST_RUNS; i++) {
    const start = process.hrtime.bigint();
    const tests = spawnSync("npm", ["test", "--silent"], { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    runs.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (tests.status !== 0) {
      console.error(`npm test failed (exit ${tests.status}):\n${tests.stdout.slice(-4000)}${tests.stderr.slice(-4000)}`);
      process.exit(1);
    }
  }
  const seconds = median(runs);
  results.push(seconds <= GOALS.testSeconds);
  const each = TEST_RUNS > 1 ? `median of ${TEST_RUNS} runs (${runs.map((s) => s.toFixed(0)).join(", ")} s)` : "one run";
  console.log(`unit suite: npm test ${seconds.toFixed(0)} s, ${each} (goal <= ${GOALS.testSeconds} s) ${verdict(results[2])}`);
}
process.exit(results.every(Boolean) ? 0 : 1);
