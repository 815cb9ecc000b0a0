import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CheckError, UsageError } from "../../src/ci/cli";
import { parseStateLockArgs, stateLockReport } from "../../src/ci/state-lock";
import { forceUnlockCommand, lockAge, lockCreatedAt, parseStateLock, type StateLock } from "../../src/ci/terraform-lock";

/*
 * The fixtures in locks/ are what Terraform 1.11.4 printed when another run held the lock of an S3 backend on
 * moto_server (locks/record.sh): locked by DynamoDB, by an S3 lock file, or both; with colour (as CI's log
 * holds it) and with -no-color; held by a live apply, or by a lock written as a cancelled CI job leaves it;
 * and what `cdktf diff` printed around Terraform's error (as `npm run diff` and `npm run deploy` do).
 */
const fixture = (name: string) => readFileSync(path.join(__dirname, "locks", name), "utf8");
const fixtureFile = (name: string) => path.join(__dirname, "locks", name);

const BUCKET = "coalition-terraform-state-222222222222";
/** The lock a cancelled CI job left, as record.sh writes it. */
const STALE = { id: "6f1c0a9e-3b7d-4e25-9d41-7a8c2b5e0f13", operation: "OperationTypeApply", who: "runner@fv-az512-17", version: "1.11.4", created: "2026-11-30 09:15:02.123456789 +0000 UTC" };
const LIVE = { operation: "OperationTypeApply", who: "operator@workstation", version: "1.11.4" };

const LOCKS: Record<string, StateLock> = {
  "dynamodb-plan.txt": { ...LIVE, id: "d9f21502-e5cc-4e76-74ab-5f831bee811e", path: `${BUCKET}/prod/terraform.tfstate`, created: "2026-12-02 14:55:13.339310348 +0000 UTC" },
  "dynamodb-plan-no-color.txt": { ...LIVE, id: "d9f21502-e5cc-4e76-74ab-5f831bee811e", path: `${BUCKET}/prod/terraform.tfstate`, created: "2026-12-02 14:55:13.339310348 +0000 UTC" },
  "cdktf-diff.txt": { ...LIVE, id: "d9f21502-e5cc-4e76-74ab-5f831bee811e", path: `${BUCKET}/prod/terraform.tfstate`, created: "2026-12-02 14:55:13.339310348 +0000 UTC" },
  "lockfile-plan.txt": { ...LIVE, id: "5f70c7e3-c853-7458-2bf8-9b43f605ca2c", path: `${BUCKET}/prod/terraform.tfstate`, created: "2026-12-02 14:55:17.755430932 +0000 UTC" },
  "lockfile-plan-no-color.txt": { ...LIVE, id: "5f70c7e3-c853-7458-2bf8-9b43f605ca2c", path: `${BUCKET}/prod/terraform.tfstate`, created: "2026-12-02 14:55:17.755430932 +0000 UTC" },
  "both-plan-no-color.txt": { ...LIVE, id: "365655a7-4271-4630-b197-8bf33677be0f", path: `${BUCKET}/dev/terraform.tfstate`, created: "2026-12-02 14:55:20.094305637 +0000 UTC" },
  "dynamodb-stale-plan.txt": { ...STALE, path: `${BUCKET}/shared/terraform.tfstate` },
  "lockfile-stale-apply.txt": { ...STALE, path: `${BUCKET}/dev/terraform.tfstate` },
};

// eslint-disable-next-line no-control-regex -- colour codes are what is looked for
const COLOUR = /\x1b\[[0-9;]*m/;

describe("the lock fixtures", () => {
  it("are Terraform's own text, coloured and framed as CI logs it or plain as -no-color prints it", () => {
    for (const name of Object.keys(LOCKS)) {
      const text = fixture(name);
      expect(text, name).toContain("Error acquiring the state lock");
      expect(COLOUR.test(text), name).toBe(!name.includes("no-color"));
      expect(text.includes("│"), name).toBe(!name.includes("no-color"));
    }
    expect(fixture("dynamodb-plan.txt")).toContain("ConditionalCheckFailedException");
    expect(fixture("lockfile-plan.txt")).toContain("PreconditionFailed");
  });

  it("name no machine: the holder of a live lock is operator@workstation", () => {
    for (const name of Object.keys(LOCKS)) expect(fixture(name), name).not.toMatch(/\/tmp\/|\/home\/|\/root\b|root@/);
  });
});

describe("parseStateLock", () => {
  it.each(Object.entries(LOCKS))("reads the lock in %s", (name, lock) => {
    expect(parseStateLock(fixture(name))).toEqual(lock);
  });

  it("finds nothing in an error that names no lock (a lock table that does not exist)", () => {
    const text = fixture("missing-table-no-color.txt");
    expect(text).toContain("Error acquiring the state lock");
    expect(parseStateLock(text)).toBeUndefined();
  });

  it("finds nothing in output without the error", () => {
    expect(parseStateLock("")).toBeUndefined();
    expect(parseStateLock("No changes. Your infrastructure matches the configuration.\n")).toBeUndefined();
    expect(parseStateLock("Lock Info:\n  ID:        abc\n")).toBeUndefined();
  });

  it("finds nothing when the output was cut before the lock's ID", () => {
    const text = fixture("lockfile-plan-no-color.txt");
    expect(parseStateLock(text.slice(0, text.indexOf("  ID:")))).toBeUndefined();
  });

  it("reads lines that a tool prefixed (cdktf puts the stack's name before each), or that end in CRLF", () => {
    const prefixed = (text: string, prefix: string) => text.split("\n").map((line) => `${prefix}${line}`).join("\n");
    expect(parseStateLock(prefixed(fixture("dynamodb-plan.txt"), "prod  "))).toEqual(LOCKS["dynamodb-plan.txt"]);
    expect(parseStateLock(prefixed(fixture("dynamodb-plan-no-color.txt"), "prod  "))).toEqual(LOCKS["dynamodb-plan-no-color.txt"]);
    expect(parseStateLock(fixture("lockfile-stale-apply.txt").replace(/\n/g, "\r\n"))).toEqual(LOCKS["lockfile-stale-apply.txt"]);
  });

  it("reads the last lock of an output holding several", () => {
    const both = `${fixture("dynamodb-stale-plan.txt")}\nretrying\n${fixture("lockfile-plan.txt")}`;
    expect(parseStateLock(both)?.id).toBe("5f70c7e3-c853-7458-2bf8-9b43f605ca2c");
    const then = `${fixture("lockfile-plan.txt")}${fixture("missing-table-no-color.txt")}`;
    expect(parseStateLock(then)?.id).toBe("5f70c7e3-c853-7458-2bf8-9b43f605ca2c");
  });

  it("leaves a field Terraform did not print empty", () => {
    const text = fixture("dynamodb-plan-no-color.txt").replace("  Who:       operator@workstation\n", "");
    expect(parseStateLock(text)).toEqual({ ...LOCKS["dynamodb-plan-no-color.txt"], who: "" });
  });
});

describe("lockCreatedAt", () => {
  it("reads Terraform's timestamp to the millisecond", () => {
    expect(lockCreatedAt(LOCKS["dynamodb-stale-plan.txt"])?.toISOString()).toBe("2026-11-30T09:15:02.123Z");
    expect(lockCreatedAt({ ...STALE, path: "", created: "2026-11-30 11:15:02 +0200 CEST" })?.toISOString()).toBe("2026-11-30T09:15:02.000Z");
  });

  it("gives undefined for a timestamp it cannot read", () => {
    for (const created of ["", "yesterday", "2026-13-45 99:99:99 +0000 UTC"]) expect(lockCreatedAt({ ...STALE, path: "", created }), created).toBeUndefined();
  });
});

describe("lockAge", () => {
  const lock = LOCKS["lockfile-stale-apply.txt"];
  const after = (ms: number) => new Date(Date.UTC(2026, 10, 30, 9, 15, 2, 123) + ms);
  const SECOND = 1000;
  const MINUTE = 60 * SECOND;
  const HOUR = 60 * MINUTE;

  it.each([
    [0, "0 s"],
    [45 * SECOND, "45 s"],
    [59 * SECOND + 900, "59 s"],
    [MINUTE, "1 min"],
    [12 * MINUTE + 30 * SECOND, "12 min"],
    [3 * HOUR + 12 * MINUTE, "3 h 12 min"],
    [47 * HOUR + 59 * MINUTE, "47 h 59 min"],
    [48 * HOUR, "2 days"],
    [9 * 24 * HOUR + 23 * HOUR, "9 days"],
    [-5 * MINUTE, "0 s"],
  ])("is %i ms after it was taken: %s", (ms, age) => {
    expect(lockAge(lock, after(ms))).toBe(age);
  });

  it("is unknown when the timestamp cannot be read", () => {
    expect(lockAge({ ...lock, created: "" }, after(0))).toBe("unknown");
  });
});

/** The arguments a POSIX shell gives terraform for a command line, through a stand-in that prints them. */
function argumentsOf(command: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-terraform-args-"));
  writeFileSync(path.join(dir, "terraform"), '#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
  const result = spawnSync("sh", ["-c", command], { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trimEnd().split("\n");
}

describe("forceUnlockCommand", () => {
  const lock = LOCKS["lockfile-stale-apply.txt"];

  it("releases the lock by its ID in the stack's folder", () => {
    expect(forceUnlockCommand(lock, "cdktf.out/stacks/dev")).toBe("terraform -chdir=cdktf.out/stacks/dev force-unlock 6f1c0a9e-3b7d-4e25-9d41-7a8c2b5e0f13");
    expect(argumentsOf(forceUnlockCommand(lock, "cdktf.out/stacks/dev"))).toEqual(["-chdir=cdktf.out/stacks/dev", "force-unlock", "6f1c0a9e-3b7d-4e25-9d41-7a8c2b5e0f13"]);
  });

  it("quotes a folder or an ID the shell would otherwise split or expand", () => {
    const odd = "/srv/it's my $HOME/stacks/prod";
    expect(argumentsOf(forceUnlockCommand(lock, odd))).toEqual([`-chdir=${odd}`, "force-unlock", lock.id]);
    expect(argumentsOf(forceUnlockCommand({ ...lock, id: "a b;c" }, "dev"))).toEqual(["-chdir=dev", "force-unlock", "a b;c"]);
  });
});

describe("the state-lock report", () => {
  const NOW = new Date("2026-12-02T15:00:00Z");
  const report = (argv: string[], stdin = "") => stateLockReport(argv, NOW, () => stdin);

  it("says who holds the lock, its operation, when it was taken and its age, its ID, the command, when it is safe, and to plan again", () => {
    const text = report(["--stack-dir", "cdktf.out/stacks/dev", fixtureFile("lockfile-stale-apply.txt")])!;
    const lines = text.split("\n");
    expect(lines[0]).toBe("The state lock of cdktf.out/stacks/dev is held by another run:");
    expect(lines).toContain("  Who:        runner@fv-az512-17");
    expect(lines).toContain("  Operation:  apply");
    expect(lines).toContain("  Taken:      2026-11-30 09:15:02 UTC, 2 days ago");
    expect(lines).toContain("  Lock ID:    6f1c0a9e-3b7d-4e25-9d41-7a8c2b5e0f13");
    expect(lines).toContain(`  State:      ${BUCKET}/dev/terraform.tfstate`);
    expect(lines).toContain("  terraform -chdir=cdktf.out/stacks/dev force-unlock 6f1c0a9e-3b7d-4e25-9d41-7a8c2b5e0f13");
    const prose = text.replace(/\n(?=\S)/g, " ");
    expect(prose).toContain("Release it only once that run has certainly ended");
    expect(prose).toContain("unlocking under a live run lets two runs write the state");
    expect(prose).toContain("plan again: an apply killed midway may have created resources it had not yet written to the state");
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(110);
  });

  it("reads Terraform's output from stdin without a file", () => {
    const text = report(["--stack-dir", "cdktf.out/stacks/prod"], fixture("dynamodb-plan.txt"))!;
    expect(text).toContain("  Taken:      2026-12-02 14:55:13 UTC, 4 min ago");
    expect(text).toContain("terraform -chdir=cdktf.out/stacks/prod force-unlock d9f21502-e5cc-4e76-74ab-5f831bee811e");
  });

  it("writes Markdown for the job summary, the command in a shell block", () => {
    const markdown = report(["--stack-dir", "cdktf.out/stacks/shared", "--format", "markdown", fixtureFile("dynamodb-stale-plan.txt")])!;
    expect(markdown.split("\n")[0]).toBe("### 🔒 The state lock of `cdktf.out/stacks/shared` is held by another run");
    expect(markdown).toContain("| Who | `runner@fv-az512-17` |");
    expect(markdown).toContain("| Operation | apply |");
    expect(markdown).toContain("| Taken | 2026-11-30 09:15:02 UTC, 2 days ago |");
    expect(markdown).toContain("| Lock ID | `6f1c0a9e-3b7d-4e25-9d41-7a8c2b5e0f13` |");
    expect(markdown).toContain("```sh\nterraform -chdir=cdktf.out/stacks/shared force-unlock 6f1c0a9e-3b7d-4e25-9d41-7a8c2b5e0f13\n```");
    expect(markdown).toContain("Release it only once that run has certainly ended");
    expect(markdown).toContain("After unlocking, plan again");
  });

  it("keeps a pipe in a value from ending its table cell", () => {
    const lock = fixture("dynamodb-plan-no-color.txt").replace("operator@workstation", "a|b@host");
    expect(report(["--stack-dir", "x", "--format", "markdown"], lock)).toContain("| Who | `a\\|b@host` |");
  });

  it("writes one ::error:: line naming the holder, with the command last", () => {
    const line = report(["--stack-dir", "cdktf.out/stacks/dev", "--format", "github", fixtureFile("lockfile-stale-apply.txt")])!;
    expect(line.endsWith("\n")).toBe(true);
    expect(line.trimEnd()).not.toContain("\n");
    expect(line).toMatch(/^::error title=State lock held::The state lock of cdktf\.out\/stacks\/dev is held by runner@fv-az512-17 \(apply, taken 2 days ago\)\./);
    expect(line.trimEnd().endsWith(": terraform -chdir=cdktf.out/stacks/dev force-unlock 6f1c0a9e-3b7d-4e25-9d41-7a8c2b5e0f13")).toBe(true);
    expect(line).toContain("certainly ended");
  });

  it("keeps a line break or a % in a holder's name from ending or garbling the ::error:: line", () => {
    const lock = fixture("dynamodb-plan-no-color.txt").replace("operator@workstation", "50%@host");
    expect(report(["--stack-dir", "x", "--format", "github"], lock)).toContain("held by 50%25@host");
  });

  it.each([
    ["missing-table-no-color.txt", /reports "Error acquiring the state lock" but names no lock: .*nothing to unlock/],
    ["../plans/unchanged.tf", /holds no "Error acquiring the state lock" error/],
  ])("refuses %s, which holds no held lock (exit 1)", (name, message) => {
    expect(() => report(["--stack-dir", "x", fixtureFile(name)])).toThrow(CheckError);
    expect(() => report(["--stack-dir", "x", fixtureFile(name)])).toThrow(message);
  });

  it.each([
    [[fixtureFile("dynamodb-plan.txt")], "--stack-dir is required"],
    [["--stack-dir", "", "out.txt"], "--stack-dir is required"],
    [["--stack-dir", "a\nb", "out.txt"], "--stack-dir must be one line"],
    [["--stack-dir", "x", "--format", "html", "out.txt"], '--format must be one of text, markdown, github, not "html"'],
    [["--stack-dir", "x", "a.txt", "b.txt"], "give one file of Terraform's output, not 2: a.txt b.txt"],
    [["--stack-dir", "x", "--force", "out.txt"], "Unknown option '--force'"],
    [["--stack-dir"], "argument missing"],
  ])("rejects %j (exit 2)", (argv, message) => {
    expect(() => parseStateLockArgs(argv)).toThrow(UsageError);
    expect(() => parseStateLockArgs(argv)).toThrow(message);
  });

  it("refuses a file it cannot read (exit 2)", () => {
    expect(() => report(["--stack-dir", "x", "no/such/out.txt"])).toThrow("cannot read no/such/out.txt: no such file");
    expect(() => report(["--stack-dir", "x", __dirname])).toThrow(`cannot read ${__dirname}: it is a folder`);
  });
});

describe("npm run state-lock", () => {
  const run = (args: string[], input?: string) =>
    spawnSync("npm", ["run", "--silent", "state-lock", "--", ...args], { encoding: "utf8", ...(input !== undefined && { input }) });

  it("prints the report and exits 0 on a held lock, from a file or stdin", () => {
    const fromFile = run(["--stack-dir", "cdktf.out/stacks/prod", fixtureFile("lockfile-plan.txt")]);
    expect(fromFile.status, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toContain("  Who:        operator@workstation");
    expect(fromFile.stdout).toMatch(/ {2}Taken: {6}2026-12-02 14:55:17 UTC, \d+ (s|min|h \d+ min|days) ago\n/);
    expect(fromFile.stdout).toContain("  terraform -chdir=cdktf.out/stacks/prod force-unlock 5f70c7e3-c853-7458-2bf8-9b43f605ca2c\n");
    expect(fromFile.stderr).toBe("");
    const fromStdin = run(["--stack-dir", "cdktf.out/stacks/prod", "--format", "markdown"], fixture("lockfile-plan.txt"));
    expect(fromStdin.status, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toContain("terraform -chdir=cdktf.out/stacks/prod force-unlock 5f70c7e3-c853-7458-2bf8-9b43f605ca2c");
  });

  it("exits 1 with the reason on stderr and nothing on stdout when there is no held lock", () => {
    const result = run(["--stack-dir", "x", fixtureFile("missing-table-no-color.txt")]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^state-lock: .* names no lock/);
  });

  it("exits 2 with the usage on bad flags, and without it on an unreadable file, printing nothing", () => {
    const flags = run(["--format", "markdown", fixtureFile("lockfile-plan.txt")]);
    expect(flags.status).toBe(2);
    expect(flags.stdout).toBe("");
    expect(flags.stderr).toContain("state-lock: --stack-dir is required");
    expect(flags.stderr).toContain("usage: npm run --silent state-lock");
    const file = run(["--stack-dir", "x", "no/such/out.txt"]);
    expect(file.status).toBe(2);
    expect(file.stdout).toBe("");
    expect(file.stderr).toBe("state-lock: cannot read no/such/out.txt: no such file\n");
  });

  it("prints its usage with --help", () => {
    const result = run(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("usage: npm run --silent state-lock -- --stack-dir <dir>");
  });
});
