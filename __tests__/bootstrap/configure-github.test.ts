import { spawn } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub, type GitHubRequest } from "./fake-github";
import { have } from "../support/prerequisites";

const SCRIPT = path.join(__dirname, "..", "..", "bootstrap", "configure_github.sh");
const REPO = "civic-org/coalition-builder";
const IDS = { shared: "100000000001", prod: "200000000002", dev: "300000000003" };
const ARGS = ["--repo", REPO, "--shared-account-id", IDS.shared, "--prod-account-id", IDS.prod, "--dev-account-id", IDS.dev];

const available = have("gh");

/** Runs the script without blocking the event loop, which serves the fake. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [SCRIPT, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const base = `/repos/${REPO}/environments`;
/** The calls that create one environment and its three variables on an empty repository. */
const creation = (env: string, id: string, region = "us-east-1"): GitHubRequest[] => [
  { method: "GET", path: `${base}/${env}` },
  { method: "PUT", path: `${base}/${env}` },
  { method: "GET", path: `${base}/${env}/variables/AWS_ACCOUNT_ID` },
  { method: "POST", path: `${base}/${env}/variables`, body: { name: "AWS_ACCOUNT_ID", value: id } },
  { method: "GET", path: `${base}/${env}/variables/ENVIRONMENT` },
  { method: "POST", path: `${base}/${env}/variables`, body: { name: "ENVIRONMENT", value: env } },
  { method: "GET", path: `${base}/${env}/variables/AWS_REGION` },
  { method: "POST", path: `${base}/${env}/variables`, body: { name: "AWS_REGION", value: region } },
];
const lookups = (env: string): GitHubRequest[] => [
  { method: "GET", path: `${base}/${env}` },
  { method: "GET", path: `${base}/${env}/variables/AWS_ACCOUNT_ID` },
  { method: "GET", path: `${base}/${env}/variables/ENVIRONMENT` },
  { method: "GET", path: `${base}/${env}/variables/AWS_REGION` },
];

describe.skipIf(!available)("configure_github.sh against a fake GitHub API", () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await FakeGitHub.start(REPO);
  });
  afterAll(async () => {
    await github?.stop();
  });
  beforeEach(() => github.reset());

  it("creates the three environments with their variables, and makes no other call", async () => {
    const result = await run(ARGS, github.ghEnvironment());
    expect(result.status, result.stderr).toBe(0);
    expect(github.requests).toEqual([...creation("shared", IDS.shared), ...creation("prod", IDS.prod), ...creation("dev", IDS.dev)]);
    expect(Object.fromEntries([...github.environments].map(([env, variables]) => [env, Object.fromEntries(variables)]))).toEqual({
      shared: { AWS_ACCOUNT_ID: IDS.shared, ENVIRONMENT: "shared", AWS_REGION: "us-east-1" },
      prod: { AWS_ACCOUNT_ID: IDS.prod, ENVIRONMENT: "prod", AWS_REGION: "us-east-1" },
      dev: { AWS_ACCOUNT_ID: IDS.dev, ENVIRONMENT: "dev", AWS_REGION: "us-east-1" },
    });
  });

  it("only reads on a second run", async () => {
    const result = await run(ARGS, github.ghEnvironment());
    expect(result.status, result.stderr).toBe(0);
    expect(github.requests).toEqual([...lookups("shared"), ...lookups("prod"), ...lookups("dev")]);
  });

  it("changes only the variable whose value differs, and leaves existing environments alone", async () => {
    const result = await run([...ARGS, "--region", "eu-west-1"], github.ghEnvironment());
    expect(result.status, result.stderr).toBe(0);
    const writes = github.requests.filter((request) => request.method !== "GET");
    expect(writes).toEqual(
      ["shared", "prod", "dev"].map((env) => ({
        method: "PATCH",
        path: `${base}/${env}/variables/AWS_REGION`,
        body: { name: "AWS_REGION", value: "eu-west-1" },
      })),
    );
    expect(github.environments.get("prod")?.get("AWS_REGION")).toBe("eu-west-1");
  });

  it("says gh is not authenticated when GitHub rejects the token", async () => {
    const result = await run(ARGS, github.ghEnvironment("wrong-token"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("gh is not authenticated: run gh auth login, or set GH_TOKEN");
    expect(github.requests).toHaveLength(1);
  });

  it.each([
    [["--repo", "coalition-builder", ...ARGS.slice(2)], "--repo must be owner/name, not 'coalition-builder'"],
    [ARGS.slice(0, 6), "--dev-account-id is required"],
    [[...ARGS.slice(0, 6), "--dev-account-id", IDS.prod], "the three account ids must be different"],
    [[...ARGS, "--region", "US-EAST-1"], "--region must be an AWS region such as us-east-1, not 'US-EAST-1'"],
    [[...ARGS, "--environment", "prod"], "unknown argument '--environment'"],
    [["--repo", "a/b c", "--shared-account-id", "1"], "--shared-account-id must be a 12-digit AWS account id, not '1'"],
  ])("rejects %j before calling GitHub", async (args, message) => {
    const result = await run(args, github.ghEnvironment());
    expect(result.stderr).toContain(message);
    expect(result.status).toBe(2);
    expect(github.requests).toEqual([]);
  });
});
