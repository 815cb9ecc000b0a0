import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockingTerraform } from "../../src/local/locking";
import { Progress, StepFailure } from "../../src/local/progress";
import { lockOwner, recordedRuns, recordRun } from "../../src/local/runs";
import { unattendedTerraformEnvironment } from "../../src/local/terraform";
import { stackDir, workspace } from "../../src/local/workspace";
import { Moto } from "../support/moto";
import { have } from "../support/prerequisites";

const BUCKET = "coalition-terraform-state-test";
const KEY = "prod/terraform.tfstate";
const TABLE = "coalition-terraform-locks";

/** The S3 backend of a stack, with its DynamoDB lock table, on the emulator. */
function backendBlock(endpoint: string): string {
  const endpoints = ["s3", "dynamodb", "sts", "iam"].map((service) => `      ${service} = "${endpoint}"`).join("\n");
  return `terraform {
  backend "s3" {
    bucket                      = "${BUCKET}"
    key                         = "${KEY}"
    region                      = "us-east-1"
    dynamodb_table              = "${TABLE}"
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    endpoints = {
${endpoints}
    }
  }
}
resource "terraform_data" "marker" {
  input = "one"
}
`;
}

describe.skipIf(!have("terraform", "moto_server", "aws"))("a Terraform command local mode runs on a stack whose lock is held", () => {
  let moto: Moto;
  let env: NodeJS.ProcessEnv;
  const aws = (...args: string[]) => {
    const result = spawnSync("aws", [...args, "--output", "json"], { env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`aws ${args.join(" ")}: ${result.stderr}`);
    return result.stdout.trim() === "" ? {} : JSON.parse(result.stdout);
  };
  /** The lock the table holds for the stack's state, if any (its ID). */
  const heldId = (): string | undefined => {
    const item = aws("dynamodb", "get-item", "--table-name", TABLE, "--key", JSON.stringify({ LockID: { S: `${BUCKET}/${KEY}` } })).Item;
    return item ? (JSON.parse(item.Info.S) as { ID: string }).ID : undefined;
  };
  /** Puts a lock in the table, as a run that took it and died would leave it. */
  const hold = (lock: Record<string, string>) =>
    aws("dynamodb", "put-item", "--table-name", TABLE, "--item", JSON.stringify({ LockID: { S: `${BUCKET}/${KEY}` }, Info: { S: JSON.stringify({ ...lock, Path: `${BUCKET}/${KEY}` }) } }));
  const space = workspace({ COALITION_LOCAL_DIR: path.join(mkdtempSync(path.join(tmpdir(), "coalition-locking-")), "ws") });
  const lines: string[] = [];
  const progress = new Progress(path.join(space.logsDir, "run"), (line) => lines.push(line));
  const held = (id: string, created: Date) => ({ ID: id, Operation: "OperationTypeApply", Info: "", Who: lockOwner(), Version: "1.11.4", Created: created.toISOString(), Path: "" });

  beforeAll(async () => {
    moto = await Moto.start();
    env = { ...unattendedTerraformEnvironment(process.env), ...moto.clientEnvironment() };
    aws("s3api", "create-bucket", "--bucket", BUCKET);
    aws("dynamodb", "create-table", "--table-name", TABLE, "--attribute-definitions", "AttributeName=LockID,AttributeType=S", "--key-schema", "AttributeName=LockID,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST");
    mkdirSync(stackDir(space, "prod"), { recursive: true });
    writeFileSync(path.join(stackDir(space, "prod"), "main.tf"), backendBlock(moto.endpoint));
    await progress.step("init", (step) => step.run("terraform", [`-chdir=${stackDir(space, "prod")}`, "init", "-input=false", "-no-color"], { env }));
  }, 60_000);

  afterAll(async () => moto?.stop());

  it("releases the lock of a recorded run whose process is gone, says so with the lock's ID, and runs", async () => {
    const started = new Date(Date.now() - 60_000);
    // A run this workspace recorded, whose process (an id no process has) is gone.
    recordRun(space, { stack: "prod", pid: 999_999_999, command: "apply", who: lockOwner(), startedAt: started.toISOString(), log: "/nowhere", offset: 0 });
    hold(held("1b7c0a52-0000-4000-8000-00000000dead", new Date(started.getTime() + 2000)));

    const result = await progress.step("apply prod", (step) => lockingTerraform(step, space, env, "prod", ["apply", "-auto-approve", "-input=false"], [0], "1s"));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Apply complete! Resources: 1 added");

    expect(lines.join("\n")).toMatch(/apply prod: released the stale state lock 1b7c0a52-0000-4000-8000-00000000dead \(a terraform apply started .*, process 999999999, no longer runs\)/);
    // The apply itself took the lock and released it; the runs it recorded are gone with it.
    expect(heldId()).toBeUndefined();
    expect(recordedRuns(space, "prod").filter((run) => run.pid !== 999_999_999)).toEqual([]);
  }, 120_000);

  it("never releases a lock whose recorded run still runs: waits, then fails naming the holder and the force-unlock command", async () => {
    // A live Terraform process stands for the run that holds the lock.
    const live = spawn("terraform", ["console"], { cwd: tmpdir(), stdio: ["pipe", "ignore", "ignore"], env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    await new Promise((resolve) => live.once("spawn", resolve));
    try {
      const started = new Date(Date.now() - 1000);
      recordRun(space, { stack: "prod", pid: live.pid!, command: "apply", who: lockOwner(), startedAt: started.toISOString(), log: "/nowhere", offset: 0 });
      hold(held("5e6f7a8b-0000-4000-8000-0000000a11fe", new Date()));

      const failure = await progress.step("plan prod", (step) => lockingTerraform(step, space, env, "prod", ["plan", "-input=false"], [0], "1s")).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StepFailure);
      const message = (failure as StepFailure).message;
      expect(message).toContain("prod's state is locked: lock 5e6f7a8b-0000-4000-8000-0000000a11fe");
      expect(message).toContain(`Terraform still runs on it here, process ${live.pid}`);
      expect(message).toContain(`terraform -chdir=${stackDir(space, "prod")} force-unlock 5e6f7a8b-0000-4000-8000-0000000a11fe`);
      expect(lines.join("\n")).toContain("plan prod: the state lock 5e6f7a8b-0000-4000-8000-0000000a11fe is held (Terraform still runs on it here");
      expect(heldId()).toBe("5e6f7a8b-0000-4000-8000-0000000a11fe");
    } finally {
      live.kill("SIGKILL");
    }
  }, 120_000);

  it("never releases a lock taken on another machine", async () => {
    hold({ ...held("9a9a9a9a-0000-4000-8000-000000000c1c", new Date()), Who: "runner@ci-host" });
    const failure = (await progress.step("plan prod", (step) => lockingTerraform(step, space, env, "prod", ["plan", "-input=false"], [0], "1s")).catch((error: unknown) => error)) as StepFailure;
    expect(failure.message).toContain("it was taken by runner@ci-host, not on this machine");
    expect(heldId()).toBe("9a9a9a9a-0000-4000-8000-000000000c1c");
  }, 120_000);
});
