// Measures synthesis of all stacks (the compiled app cdktf runs) against the floor of loading cdktf
// alone: median wall time and peak RSS over several runs, their ratio, and the project's goals.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const GOALS = { ratio: 2.5, rssMb: 250 };
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const preload = path.join(root, "scripts", "max-rss.cjs");

if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`BENCH_RUNS must be a positive whole number, not ${JSON.stringify(process.env.BENCH_RUNS)}`);
  process.exit(2);
}

function measure(label, args) {
  const samples = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const outdir = mkdtempSync(path.join(tmpdir(), "coalition-bench-"));
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["--require", preload, ...args], {
      cwd: root,
      env: { ...process.env, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    rmSync(outdir, { recursive: true, force: true });
    if (result.status !== 0) {
      console.error(`${label} failed:\n${result.stderr}`);
      process.exit(1);
    }
    const rssKb = Number(/max-rss-kb=(\d+)/.exec(result.stderr)?.[1]);
    if (i > 0) samples.push({ ms, rssMb: rssKb / 1024 }); // the first run only warms the file cache
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { label, ms: median(samples.map((s) => s.ms)), rssMb: Math.max(...samples.map((s) => s.rssMb)) };
}

const floor = measure("floor: node -e \"require('cdktf')\"", ["-e", "require('cdktf')"]);
const synth = measure("synth: node dist/main.js (all stacks)", ["dist/main.js"]);
const ratio = synth.ms / floor.ms;

console.log(`runs per command: ${RUNS} (after one warm-up)`);
for (const row of [floor, synth]) {
  console.log(`${row.label.padEnd(44)} median ${row.ms.toFixed(0).padStart(5)} ms   peak RSS ${row.rssMb.toFixed(0).padStart(4)} MB`);
}
const ratioOk = ratio <= GOALS.ratio;
const rssOk = synth.rssMb <= GOALS.rssMb;
console.log(`ratio synth/floor: ${ratio.toFixed(2)}x (goal <= ${GOALS.ratio}x) ${ratioOk ? "ok" : "MISSED"}`);
console.log(`synth peak RSS: ${synth.rssMb.toFixed(0)} MB (goal <= ${GOALS.rssMb} MB) ${rssOk ? "ok" : "MISSED"}`);
process.exit(ratioOk && rssOk ? 0 : 1);
