import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../../src/config";
import { iamCoverage } from "../../src/tools/iam-coverage";
import { json, logFile, query, responseLine } from "./log-lines";

const ROOT = path.join(__dirname, "..", "..");
const LOGS = path.join(__dirname, "logs");

/** Runs the command in this process; its exit code and what it wrote. */
async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const out = { write: (text: string) => (stdout += text) };
  const err = { write: (text: string) => (stderr += text) };
  const code = await iamCoverage(argv, {}, out, err);
  return { code, stdout, stderr, lines: stdout.trimEnd().split("\n") };
}

/** Requests made as the prod deploy role: a credential no AssumeRole in the log issued is the role's own. */
const prodCall = (text: string) => logFile(text, "prod.log");

describe("npm run iam:coverage on the trimmed logs of a local:up and local:down (the end-to-end test's, __tests__/iam-coverage/logs)", () => {
  it.each(ENVIRONMENTS)("%s: every call of the apply, the re-plan and the destroy is allowed to the deploy role", async (stack) => {
    const { code, lines, stderr } = await run("--stack", stack, path.join(LOGS, `${stack}.log`));
    expect(stderr).toBe("");
    expect(lines.at(-1)).toMatch(/^actions=\d+ denied=0$/);
    expect(Number(/actions=(\d+)/.exec(lines.at(-1)!)![1])).toBeGreaterThan(100);
    // What only an administrator applies is listed, not counted: the boundary and the GitHub roles themselves.
    expect(lines.filter((line) => line.startsWith("administrator: "))).toContainEqual(expect.stringMatching(/^administrator: iam:CreatePolicy on arn:aws:iam::\d{12}:policy\/coalition-boundary /));
    expect(code).toBe(0);
  });

  it.each(ENVIRONMENTS)("%s: every call of a pull request's plan is allowed to the plan role", async (stack) => {
    const { code, lines } = await run("--stack", stack, "--role", "plan", path.join(LOGS, `${stack}-plan.log`));
    expect(lines.at(-1)).toMatch(/^actions=\d+ denied=0$/);
    // The state backend's read of the state's digest item, which the plan role may make, is neither denied nor excused.
    expect(lines.filter((line) => line.includes("dynamodb:GetItem"))).toEqual([]);
    expect(code).toBe(0);
  });

  it("prints the denied calls when the role lacks what the calls need: an apply as the plan role", async () => {
    const { code, lines } = await run("--stack", "prod", "--role", "plan", path.join(LOGS, "prod.log"));
    const denied = lines.filter((line) => line.startsWith("denied: "));
    expect(denied).toContainEqual(expect.stringMatching(/^denied: ec2:CreateVpc on arn:aws:ec2:us-east-1:222222222222:vpc\/\* as github-actions-prod-plan \(EC2 CreateVpc, prod\.log:\d+\): ImplicitlyDenied$/));
    expect(denied).toContainEqual(expect.stringMatching(/^denied: dynamodb:PutItem on arn:aws:dynamodb:us-east-1:222222222222:table\/coalition-terraform-locks as github-actions-prod-plan /));
    expect(lines.at(-1)).toBe(`actions=${/actions=(\d+)/.exec(lines.at(-1)!)![1]} denied=${denied.length + lines.filter((l) => l.startsWith("underivable: ")).length}`);
    expect(code).toBe(1);
  });

  it("keeps the committed logs small, and holds no secret", () => {
    for (const file of ENVIRONMENTS.flatMap((stack) => [`${stack}.log`, `${stack}-plan.log`])) {
      expect(statSync(path.join(LOGS, file)).size, file).toBeLessThan(300_000);
      expect(readFileSync(path.join(LOGS, file), "utf8"), file).not.toMatch(/SecretAccessKey|SessionToken|Signature=[^*]/);
    }
  });
});

describe("npm run iam:coverage on calls the deploy role may not make", () => {
  it("prints a call on another account's resource and exits 1", async () => {
    const log = prodCall(json("Secrets Manager", "secretsmanager", "DescribeSecret", { SecretId: "arn:aws:secretsmanager:us-east-1:999999999999:secret:coalition/prod/x-AbCdEf" }));
    const { code, lines } = await run("--stack", "prod", log);
    expect(lines).toEqual([
      "denied: secretsmanager:DescribeSecret on arn:aws:secretsmanager:us-east-1:999999999999:secret:coalition/prod/x-AbCdEf as github-actions-prod (Secrets Manager DescribeSecret, prod.log:1): ImplicitlyDenied",
      "actions=1 denied=1",
    ]);
    expect(code).toBe(1);
  });

  it("judges a call made through an assumed role against that role: shared's accepter may not delete shared's VPC", async () => {
    const assumed = responseLine({
      service: "STS",
      operation: "AssumeRole",
      body: "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA************ACPT</AccessKeyId></Credentials><AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/vpc-peering-accepter/coalition-prod-terraform</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>",
    });
    const log = prodCall(assumed + query("EC2", "ec2", "DeleteVpc", { VpcId: "vpc-0a1b2c3d" }, { key: "ASIA************ACPT" }));
    const { code, lines } = await run("--stack", "prod", log);
    expect(lines).toEqual(["denied: ec2:DeleteVpc on arn:aws:ec2:us-east-1:111111111111:vpc/vpc-0a1b2c3d as vpc-peering-accepter (EC2 DeleteVpc, prod.log:5): ImplicitlyDenied", "actions=1 denied=1"]);
    expect(code).toBe(1);
  });

  it("lists a call whose action or resource cannot be told, counted as denied", async () => {
    const log = prodCall(query("EC2", "ec2", "DeleteVpc", {}) + query("EC2", "ec2", "DescribeVpcs", {}));
    const { code, lines } = await run("--stack", "prod", log);
    expect(lines).toEqual(["underivable: EC2 DeleteVpc as github-actions-prod (prod.log:1): ec2:DeleteVpc: no parameter gives the VpcId of its vpc resource", "actions=2 denied=1"]);
    expect(code).toBe(1);
  });
});

describe("npm run iam:coverage with bad arguments or logs exits 2 with one line naming the problem", () => {
  const directory = mkdtempSync(path.join(tmpdir(), "coalition-iam-coverage-"));
  it.each([
    [[], "iam:coverage: --stack is required (see --help)"],
    [["--stack", "qa", "x.log"], 'iam:coverage: --stack must be one of shared, prod, dev, not "qa" (see --help)'],
    [["--stack", "prod", "--role", "admin", "x.log"], 'iam:coverage: --role must be one of deploy, plan, not "admin" (see --help)'],
    [["--stack", "prod"], "iam:coverage: give at least one Terraform log (see --help)"],
    [["--stack", "prod", "--colour", "x.log"], /^iam:coverage: Unknown option '--colour'\..* \(see --help\)$/],
    [["--stack", "prod", path.join(directory, "missing.log")], `iam:coverage: cannot read ${path.join(directory, "missing.log")}: ENOENT (see --help)`],
    [["--stack", "prod", directory], `iam:coverage: ${directory} is not a file (see --help)`],
  ] as [string[], string | RegExp][])("%j", async (argv, message) => {
    const { code, stdout, stderr } = await run(...argv);
    expect(stderr.endsWith("\n") && !stderr.slice(0, -1).includes("\n"), "one line").toBe(true);
    expect(stderr.slice(0, -1)).toMatch(typeof message === "string" ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) : message);
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });

  it("a file with no AWS request in it", async () => {
    const log = logFile("2026-01-01T00:00:00.000Z [INFO]  Terraform version: 1.11.4\n");
    const { code, stdout, stderr } = await run("--stack", "prod", log);
    expect(stderr).toBe(`iam:coverage: ${log}: no AWS request found; is it a Terraform debug log (TF_LOG=debug)?\n`);
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });

  it("prints its usage with --help", async () => {
    const { code, stdout } = await run("--help");
    expect(stdout).toMatch(/^usage: npm run --silent iam:coverage -- --stack <shared\|prod\|dev> \[--role <deploy\|plan>\] <terraform-log>\.\.\./);
    expect(code).toBe(0);
  });

  it("as the npm script: the exit codes reach the shell", () => {
    const npm = (...args: string[]) => spawnSync("npm", ["run", "--silent", "iam:coverage", "--", ...args], { cwd: ROOT, encoding: "utf8" });
    const bad = npm("--stack", "prod", path.join(directory, "missing.log"));
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    const denied = npm("--stack", "prod", prodCall(json("Secrets Manager", "secretsmanager", "DescribeSecret", { SecretId: "arn:aws:secretsmanager:us-east-1:999999999999:secret:x-AbCdEf" })));
    expect(denied.status).toBe(1);
    expect(denied.stdout).toMatch(/^denied: secretsmanager:DescribeSecret .*\nactions=1 denied=1\n$/);
  }, 60_000);
});
