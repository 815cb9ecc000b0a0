import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { deepMerge, loadConfig } from "../../src/config";
import { type EmulatorRecord, startEmulator, stopEmulator } from "../../src/local/emulator";
import { workspace } from "../../src/local/workspace";
import { ACCOUNTS, awsCliEnvironment } from "../support/moto";
import { have } from "../support/prerequisites";
import { synthPlatform } from "../support/synth";
import { terraformEnvironment } from "../support/terraform";
import { HOLDS_DATA } from "./support";

const ROOT = path.join(__dirname, "..", "..");
const HCL = path.join(__dirname, "hcl", "shared");
const STATE_BUCKET = `coalition-terraform-state-${ACCOUNTS.shared}`;
const LOCK_TABLE = "coalition-terraform-locks";
const LOGS_BUCKET = "coalition-alb-logs-5f3a9c21";
const OBJECT_KEY = "alb-logs/AWSLogs/100000000001/written-before-the-switch.txt";
const OBJECT_BODY = "an object the HCL deployment's bucket held before the switch\n";

/** One resource change of `terraform show -json` of a plan. */
interface ResourceChange {
  address: string;
  previous_address?: string;
  type: string;
  change: { actions: string[] };
}

// The proof of issue #18 on the emulator: the shared environment, deployed by a small HCL configuration at the
// HCL implementation's module addresses and names with the real S3 backend, is taken over by this project's
// shared stack on the same state key, losing nothing.
describe.skipIf(!have("terraform", "moto_server", "aws"))("migrate:hcl takes over an HCL deployment of shared on the emulator", () => {
  let moto: EmulatorRecord;
  let space: ReturnType<typeof workspace>;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const aws = (...args: string[]) => {
    const result = spawnSync("aws", [...args, "--profile", "shared", "--endpoint-url", moto.endpoint, "--output", "json"], { env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`aws ${args.join(" ")}: ${result.stderr}`);
    return result.stdout.trim() === "" ? {} : JSON.parse(result.stdout);
  };
  const terraform = (cwd: string, args: string[], okCodes = [0]) => {
    const result = spawnSync("terraform", [...args, "-no-color"], { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    if (!okCodes.includes(result.status ?? -1)) throw new Error(`terraform ${args.join(" ")} (exit ${result.status}):\n${result.stdout}${result.stderr}`);
    return { status: result.status, stdout: result.stdout };
  };
  const before: { dbiResourceId?: string; secret?: string } = {};
  let planChanges: ResourceChange[] = [];
  let planText = "";
  let report = "";
  let overlay: any;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "coalition-migrate-e2e-"));
    // The emulator as local mode runs it (its log in the workspace; moto's request recorder off, which stalls under
    // Terraform's parallel requests).
    space = workspace({ COALITION_LOCAL_DIR: path.join(dir, "local") });
    moto = await startEmulator(space, process.env);
    // The emulator's AWS profiles, with Terraform's own settings (the provider mirror's CLI configuration among them).
    const terraformSettings = Object.entries(terraformEnvironment()).filter(([name]) => /^(TF_|GOGC$|CHECKPOINT_DISABLE$)/.test(name));
    env = { ...awsCliEnvironment(moto.endpoint), ...Object.fromEntries(terraformSettings), TF_LOG: "" };

    // The bootstrap's part: the shared account's state bucket and lock table.
    aws("s3api", "create-bucket", "--bucket", STATE_BUCKET);
    aws("s3api", "put-bucket-versioning", "--bucket", STATE_BUCKET, "--versioning-configuration", "Status=Enabled");
    aws(
      "dynamodb", "create-table", "--table-name", LOCK_TABLE, "--attribute-definitions", "AttributeName=LockID,AttributeType=S",
      "--key-schema", "AttributeName=LockID,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST",
    );

    // The HCL deployment, at its state key.
    const hcl = path.join(dir, "hcl");
    cpSync(HCL, hcl, { recursive: true });
    const endpoints = ["s3", "dynamodb", "sts", "iam"].map((service) => `${service} = "${moto.endpoint}"`).join(", ");
    writeFileSync(
      path.join(hcl, "backend.hcl"),
      [
        `bucket = "${STATE_BUCKET}"`,
        `key = "shared/terraform.tfstate"`,
        `region = "us-east-1"`,
        `encrypt = true`,
        `dynamodb_table = "${LOCK_TABLE}"`,
        `profile = "shared"`,
        `use_path_style = true`,
        `endpoints = { ${endpoints} }`,
      ].join("\n"),
    );
    terraform(hcl, ["init", "-input=false", "-backend-config=backend.hcl"]);
    const applied = terraform(hcl, ["apply", "-auto-approve", "-input=false", "-parallelism=30", `-var=endpoint=${moto.endpoint}`]);
    writeFileSync(path.join(dir, "hcl-apply.log"), applied.stdout);

    // What must survive: an object in a bucket, a secret's value, the database itself, logs.
    writeFileSync(path.join(dir, "object.txt"), OBJECT_BODY);
    aws("s3api", "put-object", "--bucket", LOGS_BUCKET, "--key", OBJECT_KEY, "--body", path.join(dir, "object.txt"));
    aws("logs", "create-log-stream", "--log-group-name", "/vpc/flow-logs", "--log-stream-name", "before-the-switch");
    aws("logs", "put-log-events", "--log-group-name", "/vpc/flow-logs", "--log-stream-name", "before-the-switch", "--log-events", `timestamp=${Date.now()},message=kept`);
    before.dbiResourceId = aws("rds", "describe-db-instances", "--db-instance-identifier", "coalition-db").DBInstances[0].DbiResourceId;
    before.secret = aws("secretsmanager", "get-secret-value", "--secret-id", "coalition/database-master").SecretString;
    const state = terraform(hcl, ["state", "pull"]).stdout;
    writeFileSync(path.join(dir, "shared.tfstate.json"), state);

    // The team's configuration: its accounts, no bastion (the emulator has no Session Manager), local mode.
    const team = {
      github: { repo: "your-org/coalition-builder" },
      accounts: { shared: { accountId: ACCOUNTS.shared }, prod: { accountId: ACCOUNTS.prod }, dev: { accountId: ACCOUNTS.dev } },
      bastion: { enabled: false },
      local: { endpoint: moto.endpoint },
    };
    writeFileSync(path.join(dir, "team.yaml"), stringify(team));

    // migrate:hcl, as a person runs it.
    const cliEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("COALITION_")));
    const migration = spawnSync(
      "npm",
      ["run", "--silent", "migrate:hcl", "--", "--env", "shared", "--state", path.join(dir, "shared.tfstate.json"), "--out", path.join(dir, "overlay.yaml")],
      { cwd: ROOT, env: { ...cliEnv, COALITION_CONFIG: path.join(dir, "team.yaml") }, encoding: "utf8" },
    );
    report = migration.stderr;
    if (migration.status !== 0) throw new Error(`migrate:hcl exited ${migration.status}:\n${migration.stderr}`);
    overlay = parseYaml(readFileSync(path.join(dir, "overlay.yaml"), "utf8"));

    // The overlay merged into the team's file, the shared stack synthesized in local mode on the same state key.
    writeFileSync(path.join(dir, "platform.yaml"), stringify(deepMerge(team, overlay)));
    const stack = path.join(dir, "stack");
    mkdirSync(stack);
    writeFileSync(path.join(stack, "cdk.tf.json"), JSON.stringify(synthPlatform(loadConfig({ COALITION_CONFIG: path.join(dir, "platform.yaml") })).shared, null, 2));
    terraform(stack, ["init", "-input=false"]);
    planText = terraform(stack, ["plan", "-input=false", "-parallelism=30", "-out=switch.tfplan"]).stdout;
    planChanges = JSON.parse(terraform(stack, ["show", "-json", "switch.tfplan"]).stdout).resource_changes as ResourceChange[];
  }, 480_000);

  afterAll(async () => {
    if (moto) await stopEmulator(space, moto);
  });

  it("writes the overlay the issue asks for: moves, names kept from the state, forgetting, the old zone's records", () => {
    const shared = overlay.migration.shared;
    expect(shared.moved).toContainEqual({ from: "module.database.aws_db_instance.postgres", to: "aws_db_instance.database_instance" });
    expect(shared.moved).toContainEqual({ from: "module.networking.aws_vpc.main[0]", to: "aws_vpc.network_vpc" });
    expect(shared.names).toEqual({ databaseIdentifier: "coalition-db", databaseSubnetGroup: "coalition-db-subnet", databaseKeyAlias: "coalition-rds", flowLogGroup: "/vpc/flow-logs" });
    expect(shared.removed).toEqual(expect.arrayContaining(["module.database.aws_secretsmanager_secret.db_master", "module.monitoring.aws_s3_bucket.alb_logs", "aws_route53_zone.main"]));
    expect(overlay.database).toEqual({ masterUsername: "coalition_admin" });
    expect(overlay.applications.prod.dnsRecords.map((r: any) => `${r.type} ${r.name}`).sort()).toEqual(["A @", "CNAME test", "CNAME www", "MX @"]);
    expect(report).toMatch(/^Forgotten, kept in AWS/m);
  });

  it("plans nothing to destroy and no replacement, with every object of the HCL state moved or forgotten", () => {
    expect(planText).toMatch(/Plan: \d+ to add, \d+ to change, 0 to destroy/);
    const destroyed = planChanges.filter((change) => change.change.actions.includes("delete"));
    expect(destroyed.map((change) => change.address)).toEqual([]);
    const moved = (from: string) => planChanges.find((change) => change.previous_address === from);
    expect(moved("module.database.aws_db_instance.postgres")?.address).toBe("aws_db_instance.database_instance");
    expect(moved("module.database.aws_kms_key.rds")?.address).toBe("aws_kms_key.database_encryption_key");
    expect(moved("module.database.aws_db_subnet_group.main")?.address).toBe("aws_db_subnet_group.database_subnet_group");
    expect(moved("module.monitoring.aws_cloudwatch_log_group.vpc_flow_log_group")?.address).toBe("aws_cloudwatch_log_group.monitoring_flow_logs");
    const forgotten = planChanges.filter((change) => change.change.actions.includes("forget")).map((change) => change.address);
    expect(forgotten).toEqual(
      expect.arrayContaining([
        "module.database.aws_secretsmanager_secret.db_master[0]",
        "module.database.aws_secretsmanager_secret_version.db_master_initial[0]",
        "module.monitoring.aws_s3_bucket.alb_logs",
        "aws_route53_zone.main",
      ]),
    );
    // Every object of the HCL state that holds data is either taken over in place or forgotten.
    const hcl = (change: ResourceChange) => change.previous_address?.startsWith("module.") || change.address.startsWith("module.") || change.address === "aws_route53_zone.main";
    const held = planChanges.filter((change) => HOLDS_DATA.has(change.type) && hcl(change));
    expect(held.map((change) => change.previous_address ?? change.address).sort()).toEqual([
      "aws_route53_zone.main",
      "module.database.aws_db_instance.postgres",
      "module.database.aws_kms_key.rds",
      "module.database.aws_secretsmanager_secret.db_master[0]",
      "module.database.aws_secretsmanager_secret_version.db_master_initial[0]",
      "module.monitoring.aws_cloudwatch_log_group.vpc_flow_log_group",
      "module.monitoring.aws_s3_bucket.alb_logs",
    ]);
    for (const change of held) expect(["no-op", "update", "forget"], `${change.address}: ${change.change.actions}`).toContain(change.change.actions[0]);
  });

  it("applies, converges (a second plan has no changes), and keeps every object and value written before the switch", () => {
    const stack = path.join(dir, "stack");
    terraform(stack, ["apply", "-input=false", "-parallelism=30", "switch.tfplan"]);
    // RDS makes the master password's secret when the apply hands it the password; the apply that follows publishes
    // its ARN (database_master_secret_arn): at most that output may still change, nothing else.
    const replan = terraform(stack, ["plan", "-input=false", "-parallelism=30", "-detailed-exitcode", "-out=replan.tfplan"], [0, 2]);
    if (replan.status === 2) {
      const shown = JSON.parse(terraform(stack, ["show", "-json", "replan.tfplan"]).stdout) as { resource_changes?: ResourceChange[]; output_changes?: Record<string, { actions: string[] }> };
      expect((shown.resource_changes ?? []).filter((change) => !change.change.actions.every((action) => action === "no-op" || action === "read")), replan.stdout).toEqual([]);
      expect(Object.entries(shown.output_changes ?? {}).filter(([, change]) => !change.actions.includes("no-op")).map(([name]) => name), replan.stdout).toEqual(["database_master_secret_arn"]);
      terraform(stack, ["apply", "-input=false", "replan.tfplan"]);
    }
    const converged = terraform(stack, ["plan", "-input=false", "-parallelism=30", "-detailed-exitcode"], [0, 2]);
    expect(converged.status, converged.stdout).toBe(0);

    const state = JSON.parse(terraform(stack, ["state", "pull"]).stdout) as { resources: { module?: string; type: string; name: string }[] };
    expect(state.resources.filter((resource) => resource.module)).toEqual([]);

    const instance = aws("rds", "describe-db-instances", "--db-instance-identifier", "coalition-db").DBInstances[0];
    expect(instance.DbiResourceId).toBe(before.dbiResourceId);
    expect(instance.MasterUserSecret?.SecretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:100000000001:secret:/);
    aws("s3api", "get-object", "--bucket", LOGS_BUCKET, "--key", OBJECT_KEY, path.join(dir, "object-after.txt"));
    expect(readFileSync(path.join(dir, "object-after.txt"), "utf8")).toBe(OBJECT_BODY);
    expect(aws("secretsmanager", "get-secret-value", "--secret-id", "coalition/database-master").SecretString).toBe(before.secret);
    const events = aws("logs", "get-log-events", "--log-group-name", "/vpc/flow-logs", "--log-stream-name", "before-the-switch").events;
    expect(events.map((event: { message: string }) => event.message)).toEqual(["kept"]);
    const zones = aws("route53", "list-hosted-zones-by-name", "--dns-name", "example.org").HostedZones;
    expect(zones.map((zone: { Name: string }) => zone.Name)).toContain("example.org.");
    expect(aws("kms", "list-aliases").Aliases.map((alias: { AliasName: string }) => alias.AliasName)).toContain("alias/coalition-rds");
  });
});
