import { describe, expect, it } from "vitest";
import { checkCoverage } from "../../src/iam-coverage/coverage";
import { stackRole } from "../../src/iam-coverage/roles";
import { coverageSubject } from "../../src/iam-coverage/subject";
import { exampleConfig, synthPlatform } from "../support/synth";
import { logFile, query } from "./log-lines";

const config = exampleConfig();
const PROD = config.accounts.prod.accountId;

describe("the roles iam:coverage judges a stack's calls against", () => {
  it("are the stack's deploy and plan roles as synthesized, without a boundary (they carry none)", () => {
    const stack = synthPlatform(config).prod;
    const deploy = stackRole(stack, "deploy", PROD);
    expect(deploy.arn).toBe(`arn:aws:iam::${PROD}:role/github-actions-prod`);
    expect(deploy.identity.map(({ name }) => name).sort()).toEqual(["infrastructure", "terraform-state"]);
    expect(deploy.boundary).toBeUndefined();
    expect(stackRole(stack, "plan", PROD).arn).toBe(`arn:aws:iam::${PROD}:role/github-actions-prod-plan`);
  });

  it("narrow a role that carries the account's boundary by it: what the boundary denies is denied", async () => {
    const stack = synthPlatform(config).prod;
    stack.resource.aws_iam_role.github_oidc_role.permissions_boundary = "${aws_iam_policy.boundary_policy.arn}";
    const subject = coverageSubject(config, "prod", stack, "deploy");
    expect(subject.role.boundary).toEqual(JSON.parse(stack.resource.aws_iam_policy.boundary_policy.policy));
    // The deploy role's own policy allows creating a bounded role; the boundary allows no IAM action at all.
    const log = logFile(query("IAM", "iam", "CreateRole", { RoleName: "coalition-prod-worker", PermissionsBoundary: `arn:aws:iam::${PROD}:policy/coalition-boundary` }), "prod.log");
    const report = await checkCoverage([log], subject);
    expect(report.denied.map(({ line }) => line)).toEqual([
      `denied: iam:CreateRole on arn:aws:iam::${PROD}:role/coalition-prod-worker as github-actions-prod (IAM CreateRole, prod.log:1): ExplicitlyDenied`,
    ]);
    // Without it, the same call is allowed.
    expect((await checkCoverage([log], coverageSubject(config, "prod", synthPlatform(config).prod, "deploy"))).denied).toEqual([]);
  });

  it("refuse a boundary whose policy the stack does not declare", () => {
    const stack = synthPlatform(config).prod;
    stack.resource.aws_iam_role.github_oidc_role.permissions_boundary = "arn:aws:iam::222222222222:policy/elsewhere";
    expect(() => stackRole(stack, "deploy", PROD)).toThrow("github-actions-prod carries the boundary arn:aws:iam::222222222222:policy/elsewhere, whose policy the stack does not declare");
  });

  it("include shared's peering roles for prod and dev, built by the bootstrap's policy builders, and what only an administrator changes", () => {
    const subject = coverageSubject(config, "dev", synthPlatform(config).dev, "deploy");
    expect([...subject.assumedRoles.keys()].sort()).toEqual(["arn:aws:iam::111111111111:role/vpc-peering-accepter", "arn:aws:iam::111111111111:role/vpc-peering-reader"]);
    expect(subject.administratorArns).toEqual([
      "arn:aws:iam::333333333333:role/github-actions-dev",
      "arn:aws:iam::333333333333:role/github-actions-dev-plan",
      "arn:aws:iam::333333333333:policy/coalition-boundary",
    ]);
    expect(coverageSubject(config, "shared", synthPlatform(config).shared, "deploy").assumedRoles.size).toBe(0);
  });
});
