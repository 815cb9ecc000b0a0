import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CheckError, UsageError } from "../../src/ci/cli";
import { ConfigError } from "../../src/config";
import { costCommand } from "../../src/tools/cost";

const ROOT = path.join(__dirname, "..", "..");
const PLANS = path.join(__dirname, "plans");
const SCRATCH = mkdtempSync(path.join(tmpdir(), "cost-"));
afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

/** The example configuration only, whatever the caller's shell says. */
const clean = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("COALITION_")));

/** Runs the CLI as npm run cost does, in a process of its own: its real exit code, stdout and stderr. */
function spawned(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ["scripts/app.cjs", "src/tools/cost", ...args], { cwd: ROOT, env: { ...clean(), ...env }, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, last: result.stdout.trimEnd().split("\n").at(-1) };
}

/**
 * The command in this process (a synth each time costs less than a Node start with it): its output, or the
 * exit code the CLI's error classes give (runCommand: a UsageError exits 2, a CheckError or ConfigError 1; the
 * spawned tests below prove that wiring) with the message.
 */
function cost(args: string[], env: Record<string, string> = {}) {
  try {
    const stdout = costCommand(args, { ...clean(), ...env }) ?? "";
    return { status: 0, stdout, stderr: "", last: stdout.trimEnd().split("\n").at(-1) };
  } catch (error) {
    const status = error instanceof UsageError ? 2 : error instanceof CheckError || error instanceof ConfigError ? 1 : undefined;
    if (status === undefined) throw error;
    return { status, stdout: "", stderr: (error as Error).message, last: undefined };
  }
}

describe("the cost command as npm runs it", () => {
  test("prints the table and total on stdout, exit 0", () => {
    const result = spawned(["--stack", "dev"]);
    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(result.last).toBe(cost(["--stack", "dev"]).last);
  });

  test("a usage error: exit 2, the message and the usage on stderr, nothing on stdout", () => {
    const result = spawned(["--stack", "qa"]);
    expect(result).toMatchObject({ status: 2, stdout: "" });
    expect(result.stderr).toMatch(/--stack must be one of shared, prod, dev/);
    expect(result.stderr).toMatch(/usage: npm run --silent cost/);
  });

  test("a missing price: exit 1, the reason on stderr, nothing on stdout", () => {
    const result = spawned(["--plan", path.join(PLANS, "unknown-class.json")]);
    expect(result).toMatchObject({ status: 1, stdout: "" });
    expect(result.stderr).toMatch(/no price for RDS instance class "db.x9.huge"/);
  });
});

describe("npm run cost -- --stack", () => {
  test("dev: a table per resource type, then the total; the endpoints switched off save their 21.90", () => {
    const on = cost(["--stack", "dev"]);
    expect(on.status).toBe(0);
    expect(on.stderr).toBe("");
    expect(on.stdout).toMatch(/^TYPE +COUNT +MONTHLY_USD +PRICING$/m);
    expect(on.stdout).toMatch(/^aws_vpc_endpoint +4 +21\.90 /m);
    expect(on.stdout).toMatch(/^aws_s3_bucket +2 +0\.00 +usage-based: /m);
    // 3 endpoints x 7.30 + 2 keys x 1.00 + 1 secret x 0.40 + ECR 2 GB x 0.10
    expect(on.last).toBe("total_monthly_usd=24.50");
    const off = cost(["--stack", "dev", "--var", "enable_vpc_endpoints=false"]);
    expect(off.status).toBe(0);
    expect(off.stdout).toMatch(/^aws_vpc_endpoint +1 +0\.00 /m);
    expect(off.last).toBe("total_monthly_usd=2.60");
  });

  test("shared: the database, the bastion, keys, secrets and alarms", () => {
    // 13.98 (db.t4g.micro + 20 GB) + 7.356 (t4g.nano + 8 GB gp3 + public IPv4) + 2.00 + 0.80 + 0.40
    expect(cost(["--stack", "shared"]).last).toBe("total_monthly_usd=24.54");
  });

  test.each([
    [["--stack", "qa"], /--stack must be one of shared, prod, dev/],
    [["--stack", "dev", "--var", "enable_vpc_endpoint=false"], /no variable enable_vpc_endpoint/],
    [["--stack", "dev", "--var", "enable_vpc_endpoints"], /--var must be name=value/],
    [["--stack", "dev", "--var", "enable_vpc_endpoints=off"], /bool: give true or false/],
    [["--stack", "dev", "--plan", "plan.json"], /either --stack or --plan/],
    [[], /either --stack or --plan/],
    [["--stack", "dev", "--verbose"], /Unknown option '--verbose'/],
  ])("%j is a usage error: exit 2, nothing on stdout", (args, message) => {
    const result = cost(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
  });

  test("a region without prices, or an invalid configuration, exits 1", () => {
    const elsewhere = cost(["--stack", "dev"], { COALITION_REGION: "eu-west-1" });
    expect(elsewhere).toMatchObject({ status: 1, stdout: "" });
    expect(elsewhere.stderr).toMatch(/no price table for region eu-west-1/);
    const invalid = cost(["--stack", "dev"], { COALITION_PREFIX: "Not Valid" });
    expect(invalid).toMatchObject({ status: 1, stdout: "" });
    expect(invalid.stderr).toMatch(/Invalid configuration/);
  });
});

describe("npm run cost -- --plan", () => {
  test("prints each change, the total after the plan, and ends with the delta", () => {
    const result = cost(["--plan", path.join(PLANS, "changes.json")]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^create +aws_vpc_endpoint\.network_logs_endpoint\[0\] +0\.00 +7\.30 +7\.30$/m);
    expect(result.stdout).toMatch(/^delete +aws_kms_key\.monitoring_encryption_key +1\.00 +0\.00 +-1\.00$/m);
    // db.t4g.micro -> db.t4g.small: (0.032 - 0.016) x 730
    expect(result.stdout).toMatch(/^update +aws_db_instance\.database_instance +13\.98 +25\.66 +11\.68$/m);
    expect(result.stdout).toMatch(/^total_monthly_usd=33\.36$/m); // 7.30 + 25.66 + 0.40
    expect(result.last).toBe("delta_monthly_usd=17.98"); // 7.30 - 1.00 + 11.68
  });

  test("a negative delta", () => {
    const file = path.join(SCRATCH, "negative.json");
    const resource = (address: string) => ({
      address,
      mode: "managed",
      type: "aws_vpc_endpoint",
      provider_name: "registry.terraform.io/hashicorp/aws",
      change: { actions: ["delete"], before: { vpc_endpoint_type: "Interface", subnet_ids: ["subnet-a"] }, after: null },
    });
    writeFileSync(file, JSON.stringify({ format_version: "1.2", terraform_version: "1.11.4", planned_values: {}, resource_changes: ["a", "b", "c"].map((n) => resource(`aws_vpc_endpoint.${n}[0]`)) }));
    expect(cost(["--plan", file]).last).toBe("delta_monthly_usd=-21.90");
  });

  test("an instance class the table lacks exits 1 naming it", () => {
    const result = cost(["--plan", path.join(PLANS, "unknown-class.json")]);
    expect(result).toMatchObject({ status: 1, stdout: "" });
    expect(result.stderr).toMatch(/no price for RDS instance class "db.x9.huge"/);
  });

  test.each([
    ["missing.json", undefined, /cannot read .*missing\.json: no such file/],
    ["text.json", "not json", /is not JSON/],
    ["config.json", JSON.stringify({ prefix: "coalition" }), /not a Terraform plan/],
  ])("%s: exit 2, the reason on stderr, nothing on stdout", (name, content, message) => {
    const file = path.join(SCRATCH, name);
    if (content !== undefined) writeFileSync(file, content);
    const result = cost(["--plan", file]);
    expect(result).toMatchObject({ status: 2, stdout: "" });
    expect(result.stderr).toMatch(message);
  });
});
