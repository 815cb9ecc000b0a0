import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { interruptCommands, killCommands, Progress, resumeCommands, StepFailure } from "../../src/local/progress";
import { idsOf } from "../../src/local/terraform";

const logDir = () => path.join(mkdtempSync(path.join(tmpdir(), "coalition-interrupt-")), "logs");
const started = (log: () => string, text: string) =>
  new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (log().includes(text)) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });

// A command that, like Terraform, finishes its work when interrupted once (here: says so and exits 3).
const GRACEFUL = ["-c", 'trap "echo wrote my state; exit 3" INT; echo working; while :; do sleep 0.1; done'];
// A command that ignores the interruption, as Terraform does while it finishes a call it cannot cut.
const STUBBORN = ["-c", 'trap "echo still busy" INT; echo working; while :; do sleep 0.1; done'];

describe("interrupting a local command", () => {
  afterEach(() => resumeCommands());

  it("passes one SIGINT to each running command, lets it finish, and starts no new command", async () => {
    const progress = new Progress(logDir(), () => {});
    let log = "";
    const step = progress.step("apply", async (body) => {
      log = body.log;
      await body.run("bash", GRACEFUL, { env: process.env });
    });
    await started(() => (log ? readFileSync(log, "utf8") : ""), "working");
    expect(interruptCommands()).toBe(1);
    const failure = await step.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StepFailure);
    expect((failure as StepFailure).message).toMatch(/^bash .* exited with 3$/);
    expect(readFileSync(log, "utf8")).toContain("wrote my state");
    const next = await progress.step("re-plan", (body) => body.run("bash", ["-c", "echo ran"], { env: process.env })).catch((error: unknown) => error);
    expect((next as StepFailure).message).toBe("interrupted: bash was not started");
  });

  it("stops at once, with SIGKILL, a command that does not end on the first signal", async () => {
    const progress = new Progress(logDir(), () => {});
    let log = "";
    const step = progress.step("apply", async (body) => {
      log = body.log;
      await body.run("bash", STUBBORN, { env: process.env });
    });
    await started(() => (log ? readFileSync(log, "utf8") : ""), "working");
    interruptCommands();
    await started(() => readFileSync(log, "utf8"), "still busy");
    killCommands();
    const failure = (await step.catch((error: unknown) => error)) as StepFailure;
    expect(failure.message).toMatch(/^bash .* was stopped by SIGKILL$/);
    expect(failure.signal).toBe("SIGKILL");
  });

  it("after resumeCommands, commands start again", async () => {
    interruptCommands();
    resumeCommands();
    const progress = new Progress(logDir(), () => {});
    await expect(progress.step("plan", (body) => body.run("bash", ["-c", "true"], { env: process.env }))).resolves.toBe(0);
  });
});

describe("the addresses of a state", () => {
  it("are written as terraform state list writes them: data sources, counted and keyed instances, modules", () => {
    const state = {
      resources: [
        { mode: "managed" as const, type: "aws_vpc", name: "network", instances: [{ attributes: { id: "vpc-0a1b" } }] },
        { mode: "data" as const, type: "terraform_remote_state", name: "shared", instances: [{}] },
        { mode: "managed" as const, type: "aws_subnet", name: "private", instances: [{ index_key: 0 }, { index_key: 1 }] },
        { module: "module.dns", mode: "managed" as const, type: "aws_route53_record", name: "api", instances: [{ index_key: "a" }] },
      ],
    };
    expect([...idsOf(state).keys()]).toEqual([
      "aws_vpc.network",
      "data.terraform_remote_state.shared",
      "aws_subnet.private[0]",
      "aws_subnet.private[1]",
      'module.dns.aws_route53_record.api["a"]',
    ]);
    expect(idsOf(state).get("aws_vpc.network")).toBe("vpc-0a1b");
    expect(idsOf(state).get("aws_subnet.private[0]")).toBe("");
    expect(idsOf({}).size).toBe(0);
  });
});
