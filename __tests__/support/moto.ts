import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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
  const cli = awsCli();
  // The CLI itself first on PATH, ahead of a version manager's shim that would only find it again.
  if (cli.directory) env.PATH = `${cli.directory}${path.delimiter}${env.PATH ?? ""}`;
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

/** Where the AWS CLI is, and the Python that runs it. */
interface AwsCli {
  /** The CLI's own entry point (the `aws` Python script), past a pyenv shim. */
  readonly entry?: string;
  /** The folder of that entry point when PATH reaches it through a pyenv shim, else undefined. */
  readonly directory?: string;
  /** A Python (absolute path) that imports botocore, the CLI's own first: what AwsApi reads and writes with. */
  readonly python?: string;
  /** Whether `python` is the entry point's own interpreter and imports the CLI: what WarmAwsCli runs. */
  readonly pythonRunsEntry: boolean;
}

let foundCli: AwsCli | undefined;

/**
 * Finds the AWS CLI v1 behind `aws`, once. A pyenv shim costs a bash and `pyenv exec` (about 0.07 s of CPU)
 * before every one of the hundreds of aws calls the bootstrap tests make; calling the entry point it leads
 * to runs the same CLI.
 */
function awsCli(): AwsCli {
  if (foundCli) return foundCli;
  const onPath = spawnSync("bash", ["-c", "command -v aws"], { encoding: "utf8" }).stdout.trim();
  let entry: string | undefined = onPath === "" ? undefined : onPath;
  if (entry && /pyenv/.test(head(entry))) {
    const real = spawnSync("pyenv", ["which", "aws"], { encoding: "utf8" });
    entry = real.status === 0 && existsSync(real.stdout.trim()) ? real.stdout.trim() : undefined;
  }
  const shebang = entry ? /^#!\s*(\S*python[\w.]*)\s*$|^#!\s*(\S+\/env)\s+(python[\w.]*)\s*$/.exec(head(entry).split("\n")[0]) : null;
  const interpreter = shebang ? (shebang[1] ? [shebang[1]] : [shebang[2], shebang[3]]) : undefined;
  /** The interpreter's absolute path if it imports botocore, and whether it imports the CLI too. */
  const probe = (argv: string[]) => {
    const script = "import sys, botocore.session\nprint(sys.executable)\ntry:\n    import awscli.clidriver\n    print('cli')\nexcept ImportError:\n    pass\n";
    const result = spawnSync(argv[0], [...argv.slice(1), "-c", script], { encoding: "utf8" });
    const [executable, cli] = result.status === 0 ? result.stdout.trim().split("\n") : [];
    return executable ? { executable, cli: cli === "cli" } : undefined;
  };
  const own = interpreter ? probe(interpreter) : undefined;
  const python = own?.executable ?? probe(["python3"])?.executable;
  foundCli = { entry, directory: entry && entry !== onPath ? path.dirname(entry) : undefined, python, pythonRunsEntry: own?.cli === true };
  return foundCli;
}

/**
 * The `aws` command served warm (aws-cli-server.py): the CLI's Python imports the CLI once, and each `aws` a
 * test or a script runs is a small client whose command a fork of that server runs, in the client's place
 * (its arguments, environment, working directory, stdin, stdout and stderr), through the CLI's own entry
 * point. About a third of the CPU of an `aws` start of its own; the same output and exit status (the
 * bootstrap tests compare the two). Where the CLI's Python cannot serve it (no socket.send_fds before Python
 * 3.9), start() gives undefined and `aws` stays as it is; a client that finds no server runs the CLI itself.
 */
export class WarmAwsCli {
  private constructor(
    private readonly process: ChildProcess,
    /** The folder holding the `aws` client: first on PATH. */
    readonly directory: string,
    private readonly log: string,
  ) {}

  /** Starts one for commands run with `env` (the server runs with it too, so nothing differs at import time). */
  static async start(env: NodeJS.ProcessEnv): Promise<WarmAwsCli | undefined> {
    const { entry, python, pythonRunsEntry } = awsCli();
    if (!entry || !python || !pythonRunsEntry) return undefined;
    const directory = mkdtempSync(path.join(tmpdir(), "coalition-warm-aws-"));
    const socket = path.join(directory, "cli.sock");
    const log = path.join(directory, "served");
    const client = [
      `#!${python} -IS`,
      "# The aws command, run by a fork of the warm CLI (__tests__/support/aws-cli-server.py), or by itself without one.",
      "import json, os, socket, sys",
      `argv = [${JSON.stringify(entry)}, *sys.argv[1:]]`,
      "try:",
      "    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
      `    client.connect(${JSON.stringify(socket)})`,
      "except OSError:",
      `    os.execv(${JSON.stringify(entry)}, argv)`,
      `with open(${JSON.stringify(log)}, "a") as log:`,
      "    log.write(' '.join(sys.argv[1:]) + '\\n')",
      'request = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode()',
      'message = len(request).to_bytes(4, "big") + request',
      "sent = socket.send_fds(client, [message], [0, 1, 2])",
      "client.sendall(message[sent:])",
      "status = client.recv(1)",
      "if not status:",
      '    print("aws (warm): the server ended the command without an exit status", file=sys.stderr)',
      "sys.exit(status[0] if status else 255)",
      "",
    ].join("\n");
    writeFileSync(path.join(directory, "aws"), client, { mode: 0o755 });
    const server = spawn(python, [path.join(__dirname, "aws-cli-server.py"), socket], { env, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    server.stderr!.on("data", (chunk) => (output = (output + chunk).slice(-4000)));
    const ready = await new Promise<boolean>((resolve) => {
      server.stdout!.on("data", (chunk) => {
        output += chunk;
        if (output.includes("ready\n")) resolve(true);
      });
      server.once("exit", () => resolve(false));
      server.once("error", () => resolve(false));
    });
    if (!ready) {
      console.warn(`!! the warm aws CLI did not start, so every aws command starts Python: ${output}`);
      return undefined;
    }
    return new WarmAwsCli(server, directory, log);
  }

  /** `env` with this CLI's `aws` first on PATH. */
  environment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return { ...env, PATH: `${this.directory}${path.delimiter}${env.PATH ?? ""}` };
  }

  /** The commands (arguments) the server was sent so far. */
  served(): string[] {
    return existsSync(this.log) ? readFileSync(this.log, "utf8").split("\n").filter((line) => line !== "") : [];
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    this.process.stdin!.end();
    await exited;
  }
}

function head(file: string): string {
  try {
    return readFileSync(file, "utf8").slice(0, 1000);
  } catch {
    return "";
  }
}

/** One AWS API call, named as botocore names it: `{ profile: "prod", service: "iam", operation: "get_role", params: { RoleName } }`. */
export interface AwsCall {
  readonly profile: string;
  readonly service: string;
  readonly operation: string;
  readonly params?: Readonly<Record<string, string>>;
}

/** A call AWS (here moto) refused. */
export class AwsCallError extends Error {}

/** Runs a list of calls with botocore in one process, each on its profile's client, in order; prints a JSON list of results. */
const BATCH = `
import datetime, json, os, sys
import botocore.exceptions, botocore.session

request = json.load(sys.stdin)
sessions, clients, results = {}, {}, []
def client(profile, service):
    if profile not in sessions:
        sessions[profile] = botocore.session.Session(profile=profile)
    if (profile, service) not in clients:
        clients[(profile, service)] = sessions[profile].create_client(service, region_name=request["region"], endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    return clients[(profile, service)]
for call in request["calls"]:
    try:
        result = getattr(client(call["profile"], call["service"]), call["operation"])(**call.get("params", {}))
        result.pop("ResponseMetadata", None)
        results.append({"result": result})
    except botocore.exceptions.ClientError as error:
        results.append({"error": str(error)})
json.dump(results, sys.stdout, default=lambda value: value.isoformat() if isinstance(value, datetime.datetime) else str(value))
`;

/**
 * AWS API calls against the emulator, with the profiles of awsCliEnvironment: a batch runs in one Python
 * process with the CLI's botocore (a start of the CLI costs about half a second of CPU per call), or, where
 * no Python next to the CLI imports botocore, one `aws` command per call.
 */
export class AwsApi {
  private readonly region: string;
  private readonly python?: string;

  /** `viaCli`: one `aws` command per call even where botocore could batch them. */
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    { region = "us-east-1", viaCli = false }: { region?: string; viaCli?: boolean } = {},
  ) {
    this.region = region;
    this.python = viaCli ? undefined : awsCli().python;
  }

  /** The result of each call, in order; an AwsCallError for a call AWS refused. */
  batch(calls: readonly AwsCall[]): unknown[] {
    if (calls.length === 0) return [];
    const python = this.python;
    if (!python) return calls.map((call) => this.cliCall(call));
    const run = spawnSync(python, ["-c", BATCH], {
      env: this.env,
      input: JSON.stringify({ region: this.region, calls }),
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`botocore batch failed (${run.status}): ${run.stderr}${run.error ?? ""}`);
    return (JSON.parse(run.stdout) as ({ result: unknown } | { error: string })[]).map((outcome, i) =>
      "error" in outcome ? new AwsCallError(`${describe(calls[i])}: ${outcome.error}`) : outcome.result,
    );
  }

  /** One call's result; throws if AWS refused it. */
  call(profile: string, service: string, operation: string, params: Record<string, string> = {}): any {
    const [result] = this.batch([{ profile, service, operation, params }]);
    if (result instanceof Error) throw result;
    return result;
  }

  /** The call as the CLI spells it: `aws s3api get-bucket-policy --bucket …`. */
  private cliCall(call: AwsCall): unknown {
    const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/_/g, "-").toLowerCase();
    const options = Object.entries(call.params ?? {}).flatMap(([name, value]) => [`--${kebab(name)}`, value]);
    const service = call.service === "s3" ? "s3api" : call.service;
    const args = [service, kebab(call.operation), ...options, "--profile", call.profile, "--region", this.region, "--output", "json"];
    const result = spawnSync("aws", args, { env: this.env, encoding: "utf8" });
    if (result.status !== 0) return new AwsCallError(`${describe(call)}: ${result.stderr}`);
    return result.stdout.trim() === "" ? {} : JSON.parse(result.stdout);
  }
}

const describe = (call: AwsCall) => `${call.service} ${call.operation} ${JSON.stringify(call.params ?? {})} (profile ${call.profile})`;
