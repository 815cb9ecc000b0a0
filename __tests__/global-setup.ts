import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PROVIDER_MIRROR_VARIABLE, findProviderSource } from "../src/local/terraform";
import { workspace } from "../src/local/workspace";
import { missingPrerequisites, missingReport, PRESENT_TOOLS_VARIABLE, PREREQUISITES } from "./support/prerequisites";

/**
 * Runs once before `npm test`: finds the AWS provider's mirror the way local:up does (so nothing needs exporting),
 * and says once which test groups will skip for want of a tool, with the command that installs it. In CI
 * (CI=true) a missing tool fails the run instead: there, nothing may be skipped. Builds the programs' bundles first,
 * which the npm scripts the tests run start from: once, before the workers start several at once.
 */
export default async function setup(): Promise<() => void> {
  // The build and the checks of the tools run side by side, while the mirror is looked for.
  const build = new Promise<string | undefined>((resolve) =>
    execFile(process.execPath, [path.join(__dirname, "..", "scripts", "app.cjs"), "--build"], (error, _stdout, stderr) => resolve(error ? stderr : undefined)),
  );
  const checks = missingPrerequisites();
  // Every temporary file of the run (cdktf's test apps, emulator data, plans) goes under one folder, removed at the end.
  const temporary = mkdtempSync(path.join(tmpdir(), "coalition-tests-"));
  chmodSync(temporary, 0o755); // servers the tests run as another user (PostgreSQL) reach their folders inside
  process.env.TMPDIR = temporary; // the test workers inherit this environment
  const teardown = () => rmSync(temporary, { recursive: true, force: true });
  if (!process.env[PROVIDER_MIRROR_VARIABLE]) {
    const { mirror } = findProviderSource(workspace(process.env), process.env);
    // The test workers inherit this environment.
    if (mirror) process.env[PROVIDER_MIRROR_VARIABLE] = mirror;
  }
  const [buildError, missing] = await Promise.all([build, checks]);
  if (buildError !== undefined) {
    teardown();
    throw new Error(`node scripts/app.cjs --build failed:\n${buildError}`);
  }
  process.env[PRESENT_TOOLS_VARIABLE] = PREREQUISITES.filter((p) => !missing.includes(p)).map((p) => p.tool).join(",");
  if (missing.length === 0) return teardown;
  const report = missingReport(missing);
  if (process.env.CI === "true") {
    teardown();
    throw new Error(`CI runs every test, but tools are missing:\n${report}`);
  }
  console.warn(`\n${report}\n`);
  return teardown;
}
