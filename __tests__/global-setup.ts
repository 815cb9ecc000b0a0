import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PROVIDER_MIRROR_VARIABLE, findProviderSource } from "../src/local/terraform";
import { workspace } from "../src/local/workspace";
import { missingPrerequisites, missingReport, PRESENT_TOOLS_VARIABLE, PREREQUISITES } from "./support/prerequisites";
import { mirroredProvider, SHARED_PROVIDER_VARIABLE, type SharedProvider, startSharedProvider, terraformPlatform } from "./support/shared-provider";

/**
 * Runs once before `npm test`: finds the AWS provider's mirror the way local:up does (so nothing needs exporting),
 * and says once which test groups will skip for want of a tool, with the command that installs it. In CI
 * (CI=true) a missing tool fails the run instead: there, nothing may be skipped. Builds the programs' bundles first,
 * which the npm scripts the tests run start from: once, before the workers start several at once. Starts the AWS
 * provider the `terraform test` runs against mocked providers share, and stops it at the end.
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
  const removeTemporary = () => rmSync(temporary, { recursive: true, force: true });
  if (!process.env[PROVIDER_MIRROR_VARIABLE]) {
    const { mirror } = findProviderSource(workspace(process.env), process.env);
    // The test workers inherit this environment.
    if (mirror) process.env[PROVIDER_MIRROR_VARIABLE] = mirror;
  }
  const provider = startProviderForMocks(process.env[PROVIDER_MIRROR_VARIABLE]);
  const [buildError, missing, shared] = await Promise.all([build, checks, provider]);
  const teardown = () => {
    shared?.stop();
    removeTemporary();
  };
  if (shared) process.env[SHARED_PROVIDER_VARIABLE] = shared.reattach;
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

/**
 * The AWS provider every `terraform test` against mocked providers attaches to, started from the mirror (the
 * version @cdktf/provider-aws wraps); without a mirror, or if it cannot start, each run starts its own (slower,
 * said once).
 */
async function startProviderForMocks(mirror: string | undefined): Promise<SharedProvider | undefined> {
  if (!mirror) return undefined;
  const wrapper = JSON.parse(readFileSync(path.join(__dirname, "..", "node_modules", "@cdktf", "provider-aws", "package.json"), "utf8"));
  const version: string = wrapper.cdktf.provider.version;
  const executable = mirroredProvider(mirror, version);
  try {
    if (executable === undefined) throw new Error(`${mirror} holds no hashicorp/aws ${version} for ${terraformPlatform()}`);
    return await startSharedProvider(executable);
  } catch (error) {
    console.warn(`\nThe terraform test runs will each start their own AWS provider (slower): ${(error as Error).message}\n`);
    return undefined;
  }
}
