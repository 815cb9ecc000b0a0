import { spawn } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deploymentBranches, githubRepositoryVariables } from "../../src/bootstrap/github-environments";
import { ENVIRONMENTS, type Environment } from "../../src/config";
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
const repositoryVariables = `/repos/${REPO}/actions/variables`;
const CUSTOM_BRANCHES = { protected_branches: false, custom_branch_policies: true };
/** The branches each environment lets deploy, and the repository variables, as the CDKTF bootstrap stack sets them. */
const branchesOf = (env: Environment) => deploymentBranches(env);
const repositoryValues = (region = "us-east-1") =>
  githubRepositoryVariables({ accounts: { shared: { accountId: IDS.shared }, prod: { accountId: IDS.prod }, dev: { accountId: IDS.dev } }, region });

/** The calls that create one environment, its branch rules and its three variables on an empty repository. */
const creation = (env: Environment, id: string, region = "us-east-1"): GitHubRequest[] => [
  { method: "GET", path: `${base}/${env}` },
  { method: "PUT", path: `${base}/${env}`, body: { deployment_branch_policy: CUSTOM_BRANCHES } },
  { method: "GET", path: `${base}/${env}/deployment-branch-policies` },
  ...branchesOf(env).map((name) => ({ method: "POST", path: `${base}/${env}/deployment-branch-policies`, body: { name, type: "branch" } })),
  { method: "GET", path: `${base}/${env}/variables/AWS_ACCOUNT_ID` },
  { method: "POST", path: `${base}/${env}/variables`, body: { name: "AWS_ACCOUNT_ID", value: id } },
  { method: "GET", path: `${base}/${env}/variables/ENVIRONMENT` },
  { method: "POST", path: `${base}/${env}/variables`, body: { name: "ENVIRONMENT", value: env } },
  { method: "GET", path: `${base}/${env}/variables/AWS_REGION` },
  { method: "POST", path: `${base}/${env}/variables`, body: { name: "AWS_REGION", value: region } },
];
const repositoryCreation = (): GitHubRequest[] =>
  Object.entries(repositoryValues()).flatMap(([name, value]) => [
    { method: "GET", path: `${repositoryVariables}/${name}` },
    { method: "POST", path: repositoryVariables, body: { name, value } },
  ]);
const lookups = (env: Environment): GitHubRequest[] => [
  { method: "GET", path: `${base}/${env}` },
  { method: "GET", path: `${base}/${env}/deployment-branch-policies` },
  { method: "GET", path: `${base}/${env}/variables/AWS_ACCOUNT_ID` },
  { method: "GET", path: `${base}/${env}/variables/ENVIRONMENT` },
  { method: "GET", path: `${base}/${env}/variables/AWS_REGION` },
];
const repositoryLookups = (): GitHubRequest[] => Object.keys(repositoryValues()).map((name) => ({ method: "GET", path: `${repositoryVariables}/${name}` }));

/** What the fake holds, in plain objects. */
const stateOf = (github: FakeGitHub) => ({
  environments: Object.fromEntries(
    [...github.environments].map(([env, environment]) => [
      env,
      {
        deploymentBranchPolicy: environment.deploymentBranchPolicy,
        branches: environment.branchPolicies.map((policy) => `${policy.type}:${policy.name}`),
        variables: Object.fromEntries(environment.variables),
      },
    ]),
  ),
  variables: Object.fromEntries(github.variables),
});

describe.skipIf(!available)("configure_github.sh against a fake GitHub API", () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await FakeGitHub.start(REPO);
  });
  afterAll(async () => {
    await github?.stop();
  });
  beforeEach(() => github.reset());

  it("creates the three environments with their branch rules and variables, then the repository variables, and makes no other call", async () => {
    const result = await run(ARGS, github.ghEnvironment());
    expect(result.status, result.stderr).toBe(0);
    expect(github.requests).toEqual([...creation("shared", IDS.shared), ...creation("prod", IDS.prod), ...creation("dev", IDS.dev), ...repositoryCreation()]);
    expect(stateOf(github)).toEqual({
      environments: {
        shared: { deploymentBranchPolicy: CUSTOM_BRANCHES, branches: ["branch:main"], variables: { AWS_ACCOUNT_ID: IDS.shared, ENVIRONMENT: "shared", AWS_REGION: "us-east-1" } },
        prod: { deploymentBranchPolicy: CUSTOM_BRANCHES, branches: ["branch:main"], variables: { AWS_ACCOUNT_ID: IDS.prod, ENVIRONMENT: "prod", AWS_REGION: "us-east-1" } },
        dev: {
          deploymentBranchPolicy: CUSTOM_BRANCHES,
          branches: ["branch:main", "branch:development"],
          variables: { AWS_ACCOUNT_ID: IDS.dev, ENVIRONMENT: "dev", AWS_REGION: "us-east-1" },
        },
      },
      variables: { COALITION_SHARED_ACCOUNT_ID: IDS.shared, COALITION_PROD_ACCOUNT_ID: IDS.prod, COALITION_DEV_ACCOUNT_ID: IDS.dev, COALITION_REGION: "us-east-1" },
    });
  });

  it("sets the branches and repository variables the CDKTF bootstrap stack sets", () => {
    for (const env of ENVIRONMENTS) expect(github.environments.get(env)!.branchPolicies.map((policy) => policy.name).sort()).toEqual([...branchesOf(env)].sort());
    expect(branchesOf("dev").sort()).toEqual(["development", "main"]);
    expect(Object.fromEntries(github.variables)).toEqual(repositoryValues());
  });

  it("only reads on a second run", async () => {
    const before = structuredClone(stateOf(github));
    const result = await run(ARGS, github.ghEnvironment());
    expect(result.status, result.stderr).toBe(0);
    expect(github.requests).toEqual([...lookups("shared"), ...lookups("prod"), ...lookups("dev"), ...repositoryLookups()]);
    expect(stateOf(github)).toEqual(before);
  });

  it("changes only the variables whose value differs, and leaves existing environments alone", async () => {
    const result = await run([...ARGS, "--region", "eu-west-1"], github.ghEnvironment());
    expect(result.status, result.stderr).toBe(0);
    const writes = github.requests.filter((request) => request.method !== "GET");
    expect(writes).toEqual([
      ...ENVIRONMENTS.map((env) => ({
        method: "PATCH",
        path: `${base}/${env}/variables/AWS_REGION`,
        body: { name: "AWS_REGION", value: "eu-west-1" },
      })),
      { method: "PATCH", path: `${repositoryVariables}/COALITION_REGION`, body: { name: "COALITION_REGION", value: "eu-west-1" } },
    ]);
    expect(github.environments.get("prod")?.variables.get("AWS_REGION")).toBe("eu-west-1");
    expect(github.variables.get("COALITION_REGION")).toBe("eu-west-1");
    expect(result.stderr).toContain("COALITION_REGION = eu-west-1 (was us-east-1)");
  });

  it("restricts environments made by hand to their branches, keeping their reviewers and wait timer and any other branch rule", async () => {
    github.clear();
    github.addEnvironment("prod", { reviewers: [{ type: "User", id: 41 }, { type: "Team", id: 42 }], preventSelfReview: true, waitTimer: 5 });
    github.addEnvironment("dev", { deploymentBranchPolicy: CUSTOM_BRANCHES, branches: ["development", "release/*"] });
    const result = await run(ARGS, github.ghEnvironment());
    expect(result.status, result.stderr).toBe(0);
    const environmentCalls = github.requests.filter((request) => !request.path.includes("/variables"));
    expect(environmentCalls).toEqual([
      { method: "GET", path: `${base}/shared` },
      { method: "PUT", path: `${base}/shared`, body: { deployment_branch_policy: CUSTOM_BRANCHES } },
      { method: "GET", path: `${base}/shared/deployment-branch-policies` },
      { method: "POST", path: `${base}/shared/deployment-branch-policies`, body: { name: "main", type: "branch" } },
      { method: "GET", path: `${base}/prod` },
      // The whole environment goes back, so no rule is lost whatever GitHub does with what a body leaves out.
      {
        method: "PUT",
        path: `${base}/prod`,
        body: {
          deployment_branch_policy: CUSTOM_BRANCHES,
          wait_timer: 5,
          prevent_self_review: true,
          reviewers: [
            { type: "User", id: 41 },
            { type: "Team", id: 42 },
          ],
        },
      },
      { method: "GET", path: `${base}/prod/deployment-branch-policies` },
      { method: "POST", path: `${base}/prod/deployment-branch-policies`, body: { name: "main", type: "branch" } },
      // dev has custom branches already: no PUT, only the missing rule.
      { method: "GET", path: `${base}/dev` },
      { method: "GET", path: `${base}/dev/deployment-branch-policies` },
      { method: "POST", path: `${base}/dev/deployment-branch-policies`, body: { name: "main", type: "branch" } },
    ]);
    const prod = github.environments.get("prod")!;
    expect([prod.reviewers, prod.preventSelfReview, prod.waitTimer]).toEqual([[{ type: "User", id: 41 }, { type: "Team", id: 42 }], true, 5]);
    expect(stateOf(github).environments.dev.branches).toEqual(["branch:development", "branch:release/*", "branch:main"]);
    expect(result.stderr).toContain("warning: dev is also deployable from 'release/*', which this script does not remove");
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
    [[...ARGS, "--region"], "--region needs a value"],
    [["--repo", "a/b c", "--shared-account-id", "1"], "--shared-account-id must be a 12-digit AWS account id, not '1'"],
  ])("rejects %j before calling GitHub", async (args, message) => {
    const result = await run(args, github.ghEnvironment());
    expect(result.stderr).toContain(message);
    expect(result.status).toBe(2);
    expect(github.requests).toEqual([]);
  });
});
