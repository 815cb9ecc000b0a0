import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROVIDER_MIRROR_VARIABLE } from "../../src/local/terraform";
import { mirroredProvider, SHARED_PROVIDER_VARIABLE, startSharedProvider, terraformPlatform } from "../support/shared-provider";

/** A stand-in provider: a bash script with `body`, which records its process ID first. */
function standIn(body: string): { executable: string; pidFile: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-provider-"));
  const executable = path.join(dir, "terraform-provider-aws");
  const pidFile = path.join(dir, "pid");
  writeFileSync(executable, `#!/usr/bin/env bash\necho $$ > "${pidFile}"\n${body}\n`, { mode: 0o755 });
  return { executable, pidFile };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  return !alive(pid);
}

describe("the AWS provider the terraform test runs against mocks share", () => {
  it("names the platform as Terraform's mirrors do", () => {
    expect(terraformPlatform("linux", "x64")).toBe("linux_amd64");
    expect(terraformPlatform("darwin", "arm64")).toBe("darwin_arm64");
  });

  it("is found in a mirror only for the version asked and this platform", () => {
    const mirror = mkdtempSync(path.join(tmpdir(), "coalition-mirror-"));
    const dir = path.join(mirror, "registry.terraform.io", "hashicorp", "aws", "5.100.0", "linux_amd64");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "terraform-provider-aws_v5.100.0_x5"), "");
    expect(mirroredProvider(mirror, "5.100.0", "linux_amd64")).toBe(path.join(dir, "terraform-provider-aws_v5.100.0_x5"));
    expect(mirroredProvider(mirror, "5.99.0", "linux_amd64")).toBeUndefined();
    expect(mirroredProvider(mirror, "5.100.0", "darwin_arm64")).toBeUndefined();
  });

  it("starts, gives the value it printed for TF_REATTACH_PROVIDERS, and stops", async () => {
    const { executable, pidFile } = standIn(`[ "$1" = -debug ] || exit 9\necho 'Provider started.'\necho "  TF_REATTACH_PROVIDERS='{\\"a\\":1}'"\nexec sleep 60`);
    const provider = await startSharedProvider(executable);
    expect(provider.reattach).toBe('{"a":1}');
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(alive(pid)).toBe(true);
    provider.stop();
    expect(await gone(pid)).toBe(true);
  });

  it("rejects, naming why, when the provider exits first, prints nothing in time, or cannot start", async () => {
    await expect(startSharedProvider(standIn("exit 3").executable)).rejects.toThrow(/-debug exited \(code 3\) before printing TF_REATTACH_PROVIDERS/);
    const silent = standIn("exec sleep 60");
    await expect(startSharedProvider(silent.executable, 300)).rejects.toThrow("printed no TF_REATTACH_PROVIDERS within 0.3 s");
    expect(await gone(Number(readFileSync(silent.pidFile, "utf8")))).toBe(true);
    await expect(startSharedProvider(path.join(tmpdir(), "no-such-provider"))).rejects.toThrow(/could not start: .*ENOENT/);
  });

  const mirror = process.env[PROVIDER_MIRROR_VARIABLE];
  if (!mirror) console.warn(`\n!! SKIPPED: no provider mirror, so the terraform test runs start their own AWS providers.\n`);
  it.skipIf(!mirror)("is running for this test run when there is a mirror (the global setup started it)", () => {
    const reattach = JSON.parse(process.env[SHARED_PROVIDER_VARIABLE] ?? "null");
    const provider = reattach?.["registry.terraform.io/hashicorp/aws"];
    expect(provider?.Protocol, `${SHARED_PROVIDER_VARIABLE}: ${JSON.stringify(reattach)}`).toBe("grpc");
    expect(alive(provider.Pid)).toBe(true);
  });
});
