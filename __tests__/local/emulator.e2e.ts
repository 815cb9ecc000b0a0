import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../../src/config";
import { awsEnvironment, LOCAL_ADMIN_ROLE, writeProfiles } from "../../src/local/aws";
import { localConfig } from "../../src/local/config";
import { type EmulatorRecord, recordBootstrap, runningEmulator, startEmulator, stopEmulator } from "../../src/local/emulator";
import { liveTaggedResources } from "../../src/local/inventory";
import { Progress } from "../../src/local/progress";
import { workspace } from "../../src/local/workspace";
import { have } from "../support/prerequisites";

const available = have("moto_server", "aws");

const alive = (pid: number) => spawnSync("kill", ["-0", String(pid)]).status === 0;

describe.skipIf(!available)("the emulator local mode runs", () => {
  const space = workspace({ COALITION_LOCAL_DIR: path.join(mkdtempSync(path.join(tmpdir(), "coalition-emulator-")), "ws") });
  let record: EmulatorRecord | undefined;
  afterAll(async () => {
    if (record && alive(record.pid)) await stopEmulator(space, record);
  });

  it("starts on 127.0.0.1 and a free port, answers, and is recorded in the workspace", async () => {
    record = await startEmulator(space, process.env);
    expect(record.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.parse(readFileSync(space.emulatorRecord, "utf8"))).toEqual(record);
    expect((await fetch(`${record.endpoint}/moto-api/`)).ok).toBe(true);
    expect(await runningEmulator(space)).toEqual(record);
  }, 60_000);

  it("loads AWS's managed IAM policies, which the bastion's role attaches", async () => {
    const response = await fetch(record!.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request" },
      body: "Action=GetPolicy&Version=2010-05-08&PolicyArn=arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    });
    expect(await response.text()).toContain("<PolicyName>AmazonSSMManagedInstanceCore</PolicyName>");
  });

  it("gives each environment's profile its own account, whatever AWS settings the caller's shell has", () => {
    const config = localConfig({}, record!.endpoint);
    writeProfiles(space, config);
    const shell = { ...process.env, AWS_ACCESS_KEY_ID: "AKIACALLERSOWNKEY000", AWS_SECRET_ACCESS_KEY: "secret", AWS_PROFILE: "production-admin" };
    for (const env of ENVIRONMENTS) {
      const result = spawnSync("aws", ["sts", "get-caller-identity", "--output", "json"], {
        encoding: "utf8",
        env: awsEnvironment(space, shell, { profile: env, endpoint: record!.endpoint }),
      });
      expect(result.status, result.stderr).toBe(0);
      const identity = JSON.parse(result.stdout);
      expect(identity.Account).toBe(config.accounts[env].accountId);
      expect(identity.Arn).toMatch(new RegExp(`^arn:aws:sts::${identity.Account}:assumed-role/${LOCAL_ADMIN_ROLE}/`));
    }
  }, 60_000);

  it("finds what is left tagged by the stacks, telling deleted resources AWS still lists from live ones", async () => {
    const config = localConfig({}, record!.endpoint);
    const aws = (...args: string[]) => {
      const result = spawnSync("aws", ["--endpoint-url", record!.endpoint, "--profile", "dev", "--output", "json", ...args], {
        encoding: "utf8",
        env: awsEnvironment(space, process.env, { endpoint: record!.endpoint }),
      });
      if (result.status !== 0) throw new Error(result.stderr);
      return JSON.parse(result.stdout || "{}");
    };
    const tags = ["Key=ManagedBy,Value=terraform", "Key=Environment,Value=dev"];
    const vpc = aws("ec2", "create-vpc", "--cidr-block", "10.9.0.0/16", "--tag-specifications", `ResourceType=vpc,Tags=[{${tags.join("},{")}}]`).Vpc;
    const key = aws("kms", "create-key", "--tags", "TagKey=ManagedBy,TagValue=terraform").KeyMetadata;
    aws("kms", "schedule-key-deletion", "--key-id", key.KeyId, "--pending-window-in-days", "7");
    const secret = aws("secretsmanager", "create-secret", "--name", "left/behind", "--tags", "Key=ManagedBy,Value=terraform");
    aws("secretsmanager", "delete-secret", "--secret-id", secret.ARN);
    aws("ec2", "create-vpc", "--cidr-block", "10.8.0.0/16"); // not the stacks'

    const progress = new Progress(path.join(space.logsDir, "inventory"), () => {});
    const live = await progress.step("inventory", (step) => liveTaggedResources(step, space, record!.endpoint, "dev"));
    expect(live).toEqual([expect.stringMatching(new RegExp(`^arn:aws:ec2:us-east-1:${config.accounts.dev.accountId}:vpc/${vpc.VpcId}$`))]);
    expect(await progress.step("inventory", (step) => liveTaggedResources(step, space, record!.endpoint, "prod"))).toEqual([]);
  }, 60_000);

  it("records the bootstrap it holds, and keeps that record while it runs", async () => {
    expect(record!.bootstrapped).toBeUndefined();
    const marked = recordBootstrap(space, record!, "fingerprint-1");
    expect(marked).toEqual({ ...record, bootstrapped: "fingerprint-1" });
    expect(await runningEmulator(space)).toEqual(marked);
  });

  it("is stopped by its process id and forgotten", async () => {
    await stopEmulator(space, record!);
    expect(alive(record!.pid)).toBe(false);
    expect(existsSync(space.emulatorRecord)).toBe(false);
    expect(await runningEmulator(space)).toBeUndefined();
  }, 30_000);
});
