import { App } from "cdktf";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckError, UsageError } from "../../src/ci/cli";
import { readStackFacts, stackFacts } from "../../src/ci/stack-facts";
import { names } from "../../src/naming/names";
import { definePlatform } from "../../stacks/platform";
import { exampleConfig } from "../support/synth";

const ACCOUNTS = { shared: "444444444444", prod: "555555555555", dev: "666666666666" } as const;

/** Output lines as $GITHUB_OUTPUT would hold them. */
const parse = (text: string) => Object.fromEntries(text.trimEnd().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));

describe("stack-facts on the synthesized platform", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), "coalition-stack-facts-"));
    const config = exampleConfig((tree) => {
      for (const env of ["shared", "prod", "dev"] as const) tree.accounts[env].accountId = ACCOUNTS[env];
      tree.region = "eu-west-1";
    });
    const app = new App({ outdir });
    definePlatform(app, config);
    app.synth();
  }, 120_000);

  it.each(["shared", "prod", "dev"] as const)("names the %s stack's folder, account, region and deploy role", (stack) => {
    const variables = { AWS_ACCOUNT_ID: ACCOUNTS[stack], AWS_REGION: "eu-west-1", ENVIRONMENT: stack };
    const facts = parse(stackFacts(["--stack", stack, "--outdir", outdir, "--github-environment"], variables)!);
    expect(facts).toMatchObject({
      stack,
      dir: path.join(outdir, "stacks", stack),
      account_id: ACCOUNTS[stack],
      region: "eu-west-1",
      role: "deploy",
      role_arn: `arn:aws:iam::${ACCOUNTS[stack]}:role/github-actions-${stack}`,
      shared_role_name: "",
    });
  });

  it.each(["shared", "prod", "dev"] as const)("names the %s stack's plan role, and for prod and dev the role in shared plans read through", (stack) => {
    const facts = parse(stackFacts(["--stack", stack, "--outdir", outdir, "--role", "plan"], {})!);
    expect(facts).toMatchObject({
      stack,
      account_id: ACCOUNTS[stack],
      region: "eu-west-1",
      role: "plan",
      role_arn: `arn:aws:iam::${ACCOUNTS[stack]}:role/github-actions-${stack}-plan`,
      shared_role_name: stack === "shared" ? "" : "vpc-peering-reader",
    });
    expect(facts.role_arn).toBe(names.roleArn(ACCOUNTS[stack], names.githubActionsPlanRole(stack)));
  });

  it("defaults to the deploy role", () => {
    expect(parse(stackFacts(["--stack", "dev", "--outdir", outdir], {})!)).toMatchObject({ role: "deploy", role_arn: `arn:aws:iam::${ACCOUNTS.dev}:role/github-actions-dev` });
    expect(parse(stackFacts(["--stack", "dev", "--outdir", outdir, "--role", "deploy"], {})!).role_arn).toBe(`arn:aws:iam::${ACCOUNTS.dev}:role/github-actions-dev`);
  });

  it("finds dev's interface endpoints and their security group behind enable_vpc_endpoints, and what they cost", () => {
    const facts = parse(stackFacts(["--stack", "dev", "--outdir", outdir], {})!);
    // The addresses the endpoints have in dev's state, without their [0] index so they also target them when absent.
    expect(facts.endpoint_targets.split(" ").sort()).toEqual(
      [
        "aws_vpc_endpoint.network_secretsmanager_endpoint",
        "aws_vpc_endpoint.network_logs_endpoint",
        "aws_vpc_endpoint.network_geo_places_endpoint",
        "aws_security_group.network_endpoint_security_group",
      ].sort(),
    );
    expect(facts.switchable_endpoints).toBe("3");
    // This platform is in eu-west-1, for which the price table holds no prices: said so, not guessed.
    expect(facts.switchable_endpoints_monthly_usd).toBe("unpriced");
    expect(facts.interface_endpoint_monthly_usd).toBe("unpriced");
  });

  it("prices dev's switchable endpoints from the price table where it holds the region's prices", () => {
    const priced = mkdtempSync(path.join(tmpdir(), "coalition-stack-facts-priced-"));
    const app = new App({ outdir: priced });
    definePlatform(app, exampleConfig((tree) => (tree.region = "us-east-1")));
    app.synth();
    const facts = parse(stackFacts(["--stack", "dev", "--outdir", priced], {})!);
    // An interface endpoint: 0.01 USD per zone-hour in us-east-1, 730 hours a month; dev has three, in one zone each.
    expect(facts.interface_endpoint_monthly_usd).toBe("7.30");
    expect(facts.switchable_endpoints_monthly_usd).toBe("21.90");
  }, 120_000);

  it("finds nothing to switch in prod and shared, whose endpoints are fixed", () => {
    for (const stack of ["prod", "shared"] as const) {
      const facts = readStackFacts(outdir, stack);
      expect(facts.endpointTargets).toEqual([]);
      expect(facts.switchableEndpoints).toBe(0);
    }
  });

  it("exits 1 naming the variables to fix when the GitHub environment is another account, region or name", () => {
    const check = (variables: Record<string, string>) => () => stackFacts(["--stack", "prod", "--outdir", outdir, "--github-environment"], variables);
    expect(check({ AWS_ACCOUNT_ID: ACCOUNTS.dev })).toThrow(CheckError);
    expect(check({ AWS_ACCOUNT_ID: ACCOUNTS.dev })).toThrow(
      `the GitHub environment's AWS_ACCOUNT_ID ${ACCOUNTS.dev} is not the account the prod stack was synthesized for (${ACCOUNTS.prod}); set COALITION_PROD_ACCOUNT_ID`,
    );
    expect(check({ AWS_ACCOUNT_ID: "" })).toThrow("the GitHub environment prod has no variable AWS_ACCOUNT_ID");
    expect(check({ AWS_ACCOUNT_ID: ACCOUNTS.prod, ENVIRONMENT: "dev" })).toThrow("the GitHub environment prod has ENVIRONMENT=dev");
    // Unset optional variables arrive as empty strings and are not checked.
    expect(check({ AWS_ACCOUNT_ID: ACCOUNTS.prod, AWS_REGION: "", ENVIRONMENT: "" })()).toContain(`account_id=${ACCOUNTS.prod}`);
    const result = spawnSync("npm", ["run", "--silent", "stack-facts", "--", "--stack", "dev", "--outdir", outdir, "--github-environment"], {
      encoding: "utf8",
      env: { ...process.env, AWS_ACCOUNT_ID: ACCOUNTS.dev, AWS_REGION: "us-east-1" },
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("stack-facts: the GitHub environment's AWS_REGION us-east-1 is not the region the dev stack was synthesized for (eu-west-1)");
  });

  it.each([
    [["--outdir", "x"], "--stack is required"],
    [["--stack", "staging"], '--stack must be one of shared, prod, dev, not "staging"'],
    [["--stack", "dev", "--account-id", "123456789012"], "Unknown option '--account-id'"],
    [["--stack", "dev", "--outdir", "no/such/dir"], "no synthesized dev stack at no/such/dir/stacks/dev/cdk.tf.json: run npm run synth first"],
    [["--stack", "dev", "extra"], "Unexpected argument 'extra'"],
    [["--stack", "dev", "--role", "admin"], '--role must be one of deploy, plan, not "admin"'],
    [["--stack", "dev", "--role", "plan", "--github-environment"], "--github-environment checks the GitHub environment of a deploy; plan jobs run in none"],
  ])("rejects %j with a usage error", (argv, message) => {
    expect(() => stackFacts(argv, {})).toThrow(UsageError);
    expect(() => stackFacts(argv, {})).toThrow(message);
  });
});
