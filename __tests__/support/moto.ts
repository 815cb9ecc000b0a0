import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { freePort } from "./services";

/** One request moto received, as its recorder kept it. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  /** The AWS service, from the request's signature scope. */
  readonly service: string;
  /** The API action (query and JSON protocols), or `METHOD /path?query` for S3. */
  readonly action: string;
}

/** Reads the actions AWS's S3, IAM, STS, DynamoDB and CloudFormation APIs name as reads, and nothing else. */
export function isReadOnly(request: RecordedRequest): boolean {
  if (request.service === "s3") return request.method === "GET" || request.method === "HEAD";
  return /^(Describe|Get|List|Head)/.test(request.action) || request.action === "AssumeRole";
}

/** A moto server on 127.0.0.1 and a free port, recording every request, for one test file. */
export class Moto {
  private constructor(
    private readonly process: ChildProcess,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<Moto> {
    const port = await freePort();
    const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
      // The recording goes to a file of its own, not into the working directory.
      env: {
        ...process.env,
        MOTO_ENABLE_RECORDING: "True",
        MOTO_RECORDER_FILEPATH: path.join(mkdtempSync(path.join(tmpdir(), "coalition-moto-")), "recording"),
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    child.stderr!.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
    const moto = new Moto(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${log}`);
      try {
        if ((await fetch(`${moto.endpoint}/moto-api/data.json`)).ok) return moto;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`moto_server did not answer on ${moto.endpoint} within 30 s: ${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Environment for AWS clients (SDK and CLI) talking to this emulator with dummy credentials. */
  clientEnvironment(region = "us-east-1"): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
    };
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    this.process.kill("SIGTERM");
    await exited;
  }

  /** Forgets what was recorded and records from now on. */
  async record(): Promise<void> {
    await this.post("recorder/reset-recording");
    await this.post("recorder/start-recording");
  }

  /** Stops recording and returns what was recorded since record(). */
  async recorded(): Promise<RecordedRequest[]> {
    await this.post("recorder/stop-recording");
    const text = await (await fetch(`${this.endpoint}/moto-api/recorder/download-recording`)).text();
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        const entry = JSON.parse(line) as { method: string; url: string; headers: Record<string, string>; body?: string; body_encoded?: boolean };
        const body = entry.body_encoded ? Buffer.from(entry.body ?? "", "base64").toString("utf8") : (entry.body ?? "");
        const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(entry.headers.Authorization ?? "")?.[1] ?? "unknown";
        const target = entry.headers["X-Amz-Target"];
        const queryAction = new URLSearchParams(body).get("Action");
        const url = new URL(entry.url);
        const action = target ? target.split(".").pop()! : (queryAction ?? `${entry.method} ${url.pathname}${url.search}`);
        return { method: entry.method, url: entry.url, service, action };
      });
  }

  private async post(command: string): Promise<void> {
    const response = await fetch(`${this.endpoint}/moto-api/${command}`, { method: "POST" });
    if (!response.ok) throw new Error(`moto ${command}: ${response.status}`);
  }
}

/** The accounts the test profiles reach: moto's STS returns credentials of the account in the role ARN. */
export const ACCOUNTS = { shared: "100000000001", prod: "200000000002", dev: "300000000003" } as const;

/**
 * An AWS CLI setup of its own: a config with the profiles shared, prod and dev, each assuming a role in
 * its account from a profile holding dummy keys, and a HOME of its own (the CLI caches assumed-role
 * credentials there, which another moto run would not know).
 */
export function awsCliEnvironment(endpoint: string): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-aws-"));
  const profiles = Object.entries(ACCOUNTS)
    .map(([name, account]) => `[profile ${name}]\nrole_arn = arn:aws:iam::${account}:role/bootstrap-admin\nsource_profile = keys\nregion = us-east-1\n`)
    .join("\n");
  writeFileSync(path.join(dir, "config"), `[profile keys]\nregion = us-east-1\n\n${profiles}`);
  writeFileSync(path.join(dir, "credentials"), "[keys]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("AWS_") || name.startsWith("COALITION_")) delete env[name];
  return {
    ...env,
    HOME: dir,
    AWS_CONFIG_FILE: path.join(dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "credentials"),
    AWS_ENDPOINT_URL: endpoint,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
  };
}
