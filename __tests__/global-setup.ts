import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PROVIDER_MIRROR_VARIABLE, findProviderSource } from "../src/local/terraform";
import { workspace } from "../src/local/workspace";
import { missingPrerequisites, missingReport, PRESENT_TOOLS_VARIABLE, PREREQUISITES } from "./support/prerequisites";

/**
 * Runs once before `npm test`: finds the AWS provider's mirror the way local:up does (so nothing needs exporting),
 * and says once which test groups will skip for want of a tool, with the command that installs it. In CI
 * (CI=true) a missing tool fails the run instead: there, nothing may be skipped.
 */
export default async function setup(): Promise<() => void> {
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
  const missing = await missingPrerequisites();
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
