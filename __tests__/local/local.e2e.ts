import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ENVIRONMENTS, type Environment } from "../../src/config";
import { UNSUPPORTED_TYPES } from "../../src/local/unsupported";
import { names } from "../../src/naming/names";
import { exampleConfig, synthPlatform } from "../support/synth";
import { have } from "../support/prerequisites";

const ROOT = path.join(__dirname, "..", "..");
const available = have("moto_server", "aws", "terraform");

const config = exampleConfig();
const accountOf = (env: Environment) => config.accounts[env].accountId;

describe.skipIf(!available)("the platform deployed on the emulator with npm run local:up, then removed with local:down", () => {
  const root = mkdtempSync(path.join(tmpdir(), "coalition-local-e2e-"));
  const dir = path.join(root, "workspace");
  // Terraform's debug logs of every run, one file per stack (and one per stack's plan-role plan), for iam:coverage.
  const terraformLogs = path.join(root, "terraform-logs");
  // The example configuration, whatever the caller's shell says.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("COALITION_")));
  env.COALITION_LOCAL_DIR = dir;
  env.COALITION_TERRAFORM_LOG_DIR = terraformLogs;
  const npm = (script: string, ...args: string[]): SpawnSyncReturns<string> => {
    const result = spawnSync("npm", ["run", "--silent", script, ...(args.length > 0 ? ["--", ...args] : [])], { cwd: ROOT, env, encoding: "utf8", timeout: 480_000 });
    process.stdout.write(`\n$ npm run ${script} ${args.join(" ")}\n${result.stdout}${result.stderr}`);
    return result;
  };
  const record = () => JSON.parse(readFileSync(path.join(dir, "emulator.json"), "utf8")) as { pid: number; endpoint: string };
  const alive = (pid: number) => spawnSync("kill", ["-0", String(pid)]).status === 0;
  const aws = (profile: Environment, args: string[]) => {
    const result = spawnSync("aws", ["--endpoint-url", record().endpoint, "--profile", profile, "--region", config.region, "--output", "json", ...args], {
      encoding: "utf8",
      env: {
        ...env,
        AWS_CONFIG_FILE: path.join(dir, "aws", "config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "aws", "credentials"),
        HOME: path.join(dir, "aws", "home"),
      },
    });
    if (result.status !== 0) throw new Error(`aws ${args.join(" ")} --profile ${profile}: ${result.stderr}`);
    return JSON.parse(result.stdout || "{}");
  };
  /** The state locks held in a stack's account (the lock table also keeps each state's digest, "-md5"). */
  const locks = (stack: Environment) =>
    (aws(stack, ["dynamodb", "scan", "--table-name", names.lockTable(config.prefix)]).Items as { LockID: { S: string } }[]).map((item) => item.LockID.S).filter((id) => !id.endsWith("-md5"));
  let pid: number | undefined;

  afterAll(() => {
    // Only after a failure: the emulator this test's local:up started, by its id.
    if (pid !== undefined && alive(pid)) process.kill(pid, "SIGTERM");
  });

  // The first local:up is killed where a closed terminal would leave it: its prod apply dies (SIGKILL) as soon as
  // it has created a resource, with more under way, holding prod's lock.
  it("a local:up whose prod apply is killed after it began creating resources fails, naming the step", async () => {
    const runs = path.join(dir, "runs");
    const child = spawn("npm", ["run", "--silent", "local:up"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    let killed: { pid: number; log: string; offset: number } | undefined;
    while (!killed && child.exitCode === null) {
      const records = existsSync(runs) ? readdirSync(runs).filter((file) => file.startsWith("prod.")) : [];
      for (const file of records) {
        const run = JSON.parse(readFileSync(path.join(runs, file), "utf8")) as { pid: number; command: string; log: string; offset: number };
        if (run.command === "apply" && /^\S+: Creation complete after/m.test(readFileSync(run.log, "utf8").slice(run.offset))) {
          process.kill(run.pid, "SIGKILL");
          killed = run;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const code = await exited;
    process.stdout.write(`\n$ npm run local:up (prod's apply killed)\n${stdout}${stderr}`);
    expect(killed, "prod's apply was running").toBeDefined();
    pid = record().pid;
    expect(code).toBe(1);
    expect(stderr).toContain('local:up FAILED at step "apply prod"');
    expect(stderr).toContain("terraform apply was stopped by SIGKILL");
    expect(stderr).toContain("npm run local:up carries on from there");
    // It ran in order: bootstrap, shared, then prod and dev side by side.
    expect(stdout).toContain("✓ emulator: started moto_server on http://127.0.0.1:");
    expect(stdout.indexOf("✓ apply shared")).toBeGreaterThan(stdout.indexOf("✓ bootstrap (bootstrap/bootstrap_all.sh)"));
    for (const stack of ["prod", "dev"]) expect(stdout.indexOf(`→ apply ${stack}`)).toBeGreaterThan(stdout.indexOf("✓ apply shared"));
    // The dead apply left prod's lock, which wedged every later run before local mode could release it.
    expect(locks("prod")).toHaveLength(1);
  });

  it("local:up again releases the dead run's lock, adopts what it created, deploys the rest, and a re-plan shows no changes", () => {
    const up = npm("local:up");
    expect(up.status, up.stderr).toBe(0);
    const lock = /released the stale state lock ([0-9a-f-]{36}) \(a terraform apply started .*, process (\d+), no longer runs\)/.exec(up.stdout);
    expect(lock, "the stale lock's release is announced").not.toBeNull();
    const adoption = /a killed apply of prod \(process \d+, .*\) began creating (\d+) resources; (\d+) of them are not in the state and get adopted/.exec(up.stdout);
    expect(adoption, "the adoption is announced").not.toBeNull();
    expect(Number(adoption![1])).toBeGreaterThan(0);
    expect(up.stdout).toContain("✓ apply shared: no changes");
    const applied = /✓ apply prod: Apply complete! Resources: (\d+) imported, (\d+) added/.exec(up.stdout);
    expect(applied).not.toBeNull();
    expect(Number(applied![1])).toBeGreaterThanOrEqual(Number(adoption![2]));
    for (const stack of ENVIRONMENTS) expect(up.stdout).toContain(`✓ re-plan ${stack}: no changes`);
    // Nothing the killed run created was created twice: one VPC, and as many keys as the stack declares.
    expect(aws("prod", ["ec2", "describe-vpcs", "--filters", "Name=cidr,Values=10.1.0.0/16"]).Vpcs).toHaveLength(1);
    expect(aws("prod", ["ec2", "describe-vpcs"]).Vpcs.filter((vpc: { IsDefault: boolean }) => !vpc.IsDefault)).toHaveLength(1);
    const stacks = synthPlatform(config);
    expect(aws("prod", ["kms", "list-keys"]).Keys).toHaveLength(Object.keys(stacks.prod.resource.aws_kms_key).length);
    // The types the stacks hold that the emulator cannot take, counted from the stacks themselves.
    const unsupported = new Set(ENVIRONMENTS.flatMap((stack) => Object.keys(stacks[stack].resource).filter((type) => type in UNSUPPORTED_TYPES)));
    expect(up.stdout).toContain(`Excluded resource types (local mode only; see local.excludeUnsupported): ${unsupported.size} — `);
    expect(up.stdout).toMatch(/local:up done in \d/);
    expect(alive(pid!)).toBe(true);
    expect(readdirSync(path.join(dir, "runs")), "no run is left recorded").toEqual([]);
    expect(existsSync(path.join(dir, "stacks", "prod", "adopt-interrupted.tf.json"))).toBe(false);
  });

  it("lets the cdktf CLI work on the emulator through local:cdktf: the same stacks, nothing to change", () => {
    const plain = (result: SpawnSyncReturns<string>) => stripVTControlCharacters(`${result.stdout}${result.stderr}`);
    // A deploy plans first: no change planned, nothing applied.
    const deploy = npm("local:cdktf", "deploy", "shared", "prod", "dev", "--auto-approve");
    expect(deploy.status, plain(deploy)).toBe(0);
    for (const stack of ENVIRONMENTS) expect(plain(deploy)).toMatch(new RegExp(`^${stack}\\s+No changes\\.`, "m"));
    // cdktf worked in the workspace, where local:up keeps the stacks.
    expect(existsSync(path.join(dir, "manifest.json"))).toBe(true);
  });

  it("left each stack's state in its own account's bucket, and no lock behind", () => {
    for (const stack of ENVIRONMENTS) {
      const bucket = names.stateBucket(config.prefix, accountOf(stack));
      expect(aws(stack, ["s3api", "head-object", "--bucket", bucket, "--key", names.stateKey(stack)]).ContentLength).toBeGreaterThan(1000);
      expect(locks(stack), `locks of ${stack}`).toEqual([]);
    }
  });

  it("peered prod and dev with shared, accepted in the shared account through the assumed accepter role", () => {
    const connections = aws("shared", ["ec2", "describe-vpc-peering-connections"]).VpcPeeringConnections as any[];
    const active = connections.filter((connection) => connection.Status.Code === "active");
    expect(active.map((connection) => connection.RequesterVpcInfo.OwnerId).sort()).toEqual([accountOf("prod"), accountOf("dev")].sort());
    for (const connection of active) expect(connection.AccepterVpcInfo.OwnerId).toBe(accountOf("shared"));
    const databases = aws("shared", ["rds", "describe-db-instances"]).DBInstances as any[];
    expect(databases.map((database) => database.DBInstanceIdentifier)).toEqual(["coalition-shared-db"]);
    expect(aws("prod", ["rds", "describe-db-instances"]).DBInstances).toEqual([]);
  });

  it("plans every stack as a pull request does: with the plan roles, -lock=false, shared read through vpc-peering-reader", async () => {
    // The workspace's profiles, each assuming its account's plan role instead of the administrator role.
    const awsDir = mkdtempSync(path.join(tmpdir(), "coalition-plan-roles-"));
    const profiles = readFileSync(path.join(dir, "aws", "config"), "utf8").replace(
      /^\[profile (shared|prod|dev)\]\nrole_arn = (arn:aws:iam::\d{12}:role\/).*$/gm,
      (_, profile: Environment, account: string) => `[profile ${profile}]\nrole_arn = ${account}${names.githubActionsPlanRole(profile)}`,
    );
    writeFileSync(path.join(awsDir, "config"), profiles);
    expect(readFileSync(path.join(awsDir, "config"), "utf8")).toContain(`role_arn = arn:aws:iam::${accountOf("prod")}:role/github-actions-prod-plan`);
    const cliConfig = path.join(dir, "terraform", "cli.tfrc");
    const planEnv = {
      ...env,
      AWS_CONFIG_FILE: path.join(awsDir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "aws", "credentials"),
      TF_IN_AUTOMATION: "1",
      ...(existsSync(cliConfig) ? { TF_CLI_CONFIG_FILE: cliConfig } : {}),
    };
    const plan = (stack: Environment) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const args = [`-chdir=${path.join(dir, "stacks", stack)}`, "plan", "-lock=false", "-input=false", "-no-color", "-detailed-exitcode"];
        if (stack !== "shared") args.push("-var", "shared_role_name=vpc-peering-reader");
        const child = spawn("terraform", args, { env: { ...planEnv, TF_LOG: "debug", TF_LOG_PATH: path.join(terraformLogs, `${stack}-plan.log`) } });
        let output = "";
        child.stdout.on("data", (chunk) => (output += chunk));
        child.stderr.on("data", (chunk) => (output += chunk));
        child.on("close", (code) => resolve({ code, output }));
      });
    // The roles exist as the stacks declare them (moto enforces no IAM: the policies are proven by simulation).
    for (const stack of ENVIRONMENTS) {
      expect(aws(stack, ["iam", "get-role", "--role-name", names.githubActionsPlanRole(stack)]).Role.AssumeRolePolicyDocument).toBeDefined();
    }
    expect(aws("shared", ["iam", "get-role", "--role-name", names.peeringReaderRole]).Role.RoleName).toBe("vpc-peering-reader");
    const results = await Promise.all(ENVIRONMENTS.map(plan));
    ENVIRONMENTS.forEach((stack, i) => {
      process.stdout.write(`\n$ terraform plan -lock=false (${stack}, plan role)\n${results[i].output.slice(-2000)}`);
      expect(results[i].code, `${stack}: ${results[i].output.slice(-3000)}`).toBe(0);
      expect(results[i].output).toContain("No changes.");
    });
  }, 300_000);

  it("local:up again reuses the emulator and its bootstrap, and converges with no changes", () => {
    const again = npm("local:up");
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`✓ emulator: reusing moto_server on ${record().endpoint} (pid ${pid}`);
    // The emulator holds the first run's bootstrap; the scripts' own second run is proven by the bootstrap tests.
    expect(again.stdout).toContain("✓ bootstrap: skipped: this emulator already holds the bootstrap");
    expect(again.stdout).not.toContain("bootstrap_all.sh");
    for (const stack of ENVIRONMENTS) expect(again.stdout).toContain(`✓ apply ${stack}: no changes`);
    expect(again.stdout).toContain("✓ re-plan: no stack had anything to apply");
  });

  it("local:down destroys prod and dev, then shared, finds nothing left, and stops the emulator", async () => {
    const { endpoint } = record();
    const down = npm("local:down");
    expect(down.status, down.stderr).toBe(0);
    const done = (stack: Environment) => down.stdout.search(new RegExp(`✓ destroy ${stack}: Destroy complete! Resources: [1-9]\\d* destroyed`));
    for (const stack of ENVIRONMENTS) expect(done(stack), `destroy ${stack}`).toBeGreaterThanOrEqual(0);
    // shared is destroyed only after both application stacks are gone.
    for (const stack of ["prod", "dev"] as const) expect(down.stdout.indexOf("→ destroy shared")).toBeGreaterThan(done(stack));
    expect(down.stdout).toContain("✓ check the emulator is empty: every stack's state is empty, and no account holds a live resource tagged ManagedBy=terraform");
    expect(alive(pid!)).toBe(false);
    await expect(fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    expect(existsSync(path.join(dir, "emulator.json"))).toBe(false);
    // The logs of the three runs are kept.
    expect(readdirSync(path.join(dir, "logs")).map((run) => run.replace(/-\d{4}-.*/, "")).sort()).toEqual(["local-down", "local-up", "local-up", "local-up"]);
  });

  // Least privilege that still works: every AWS call Terraform made above, mapped to its IAM action and resource and
  // simulated against the role that makes it in CI (the deploy role for local:up and local:down, the plan role for
  // the pull-request plans), is allowed.
  it.each(ENVIRONMENTS)("every AWS call Terraform made for %s is allowed to its deploy and plan roles (npm run iam:coverage)", (stack) => {
    for (const [role, log] of [["deploy", `${stack}.log`], ["plan", `${stack}-plan.log`]] as const) {
      const coverage = npm("iam:coverage", "--stack", stack, "--role", role, path.join(terraformLogs, log));
      expect(coverage.stderr).toBe("");
      expect(coverage.stdout.trimEnd().split("\n").at(-1)).toMatch(/^actions=[1-9]\d* denied=0$/);
      expect(coverage.status, coverage.stdout).toBe(0);
    }
  });

  it("local:down once more has nothing to do", () => {
    const again = npm("local:down");
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("no emulator is recorded");
  });
});
