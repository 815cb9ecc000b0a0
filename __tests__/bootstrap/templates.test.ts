import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type Json, VariantMerger } from "../../src/bootstrap/cloudformation";
import { ENVIRONMENTS, type Environment } from "../../src/config";
import { githubTrustPolicy } from "../../src/policies/github-trust";
import { infrastructurePolicy } from "../../src/policies/infrastructure";
import { peeringAccepterPolicy, peeringAccepterTrustPolicy } from "../../src/policies/peering-accepter";
import { terraformStatePolicy } from "../../src/policies/terraform-state";
import { exampleConfig, synthPlatform } from "../support/synth";
import { evaluateTemplate, ParameterError } from "./cfn-evaluate";

const BOOTSTRAP = path.join(__dirname, "..", "..", "bootstrap");
const oidcTemplate = parse(readFileSync(path.join(BOOTSTRAP, "github-oidc-role.cfn.yml"), "utf8"));
const peeringTemplate = parse(readFileSync(path.join(BOOTSTRAP, "peering-accepter-role.cfn.yml"), "utf8"));

const ACCOUNTS = { shared: "444455556666", prod: "555566667777", dev: "666677778888" } as const;
const REGION = "eu-west-2";
const PREFIX = "civic";
const [ORG, NAME] = ["civic-org", "coalition-builder"];

function deployRole(environment: Environment, sharedAccountId: string | undefined, prefix = PREFIX) {
  const parameters: Record<string, string> = { Environment: environment, GitHubOrg: ORG, GitHubRepo: NAME, ResourcePrefix: prefix };
  if (sharedAccountId) parameters.SharedAccountId = sharedAccountId;
  return evaluateTemplate(oidcTemplate, parameters, { accountId: ACCOUNTS[environment], region: REGION });
}

describe("github-oidc-role.cfn.yml", () => {
  it("has exactly the design's parameters, with its defaults", () => {
    expect(Object.keys(oidcTemplate.Parameters)).toEqual(["Environment", "GitHubOrg", "GitHubRepo", "SharedAccountId", "ResourcePrefix"]);
    expect(oidcTemplate.Parameters.Environment.AllowedValues).toEqual(["shared", "prod", "dev"]);
    for (const required of ["Environment", "GitHubOrg", "GitHubRepo"]) expect(oidcTemplate.Parameters[required].Default).toBeUndefined();
    expect(oidcTemplate.Parameters.SharedAccountId.Default).toBe("");
    expect(oidcTemplate.Parameters.ResourcePrefix.Default).toBe("coalition");
  });

  describe.each([
    ["shared", undefined],
    ["prod", ACCOUNTS.shared],
    ["dev", ACCOUNTS.shared],
    ["prod", undefined],
    ["dev", undefined],
  ] as const)("for %s with SharedAccountId %s", (environment, sharedAccountId) => {
    const { properties, ruleFailures } = deployRole(environment, sharedAccountId);
    const role = properties.GitHubActionsRole;
    const account = { environment, accountId: ACCOUNTS[environment], region: REGION, prefix: PREFIX };

    it("passes the template's rules", () => expect(ruleFailures).toEqual([]));

    it("names the role github-actions-<env> and trusts the repository's contexts through the account's provider", () => {
      expect(role.RoleName).toBe(`github-actions-${environment}`);
      expect(role.AssumeRolePolicyDocument).toEqual(githubTrustPolicy({ environment, repo: `${ORG}/${NAME}`, accountId: ACCOUNTS[environment] }));
    });

    it("has the inline policies terraform-state and infrastructure of the builders, the shared account's parts only with SharedAccountId", () => {
      expect(role.Policies).toEqual([
        { PolicyName: "terraform-state", PolicyDocument: terraformStatePolicy({ ...account, sharedAccountId }) },
        { PolicyName: "infrastructure", PolicyDocument: infrastructurePolicy({ ...account, peeringAccountIds: sharedAccountId ? [sharedAccountId] : [] }) },
      ]);
      const sids = role.Policies.flatMap((p: any) => p.PolicyDocument.Statement.map((s: any) => s.Sid));
      expect(sids.includes("AssumePeeringAccepter")).toBe(sharedAccountId !== undefined);
      expect(sids.includes("SharedStateRead")).toBe(sharedAccountId !== undefined);
    });
  });

  it("scopes S3 changes to the environment's own buckets", () => {
    const infrastructure = deployRole("dev", ACCOUNTS.shared).properties.GitHubActionsRole.Policies[1].PolicyDocument;
    expect(infrastructure.Statement.find((s: any) => s.Sid === "S3Mutate").Resource).toEqual([`arn:aws:s3:::${PREFIX}-dev-*`, `arn:aws:s3:::${PREFIX}-dev-*/*`]);
  });

  it("rejects SharedAccountId for the shared environment", () => {
    expect(deployRole("shared", ACCOUNTS.prod).ruleFailures).toEqual(["SharedAccountId must be empty for the shared environment"]);
  });

  it.each([
    ["Environment", "staging"],
    ["SharedAccountId", "12345"],
    ["ResourcePrefix", "Civic"],
    ["ResourcePrefix", "a"],
    ["GitHubOrg", "civic org"],
    ["GitHubRepo", "a/b"],
  ])("rejects %s=%s", (name, value) => {
    const parameters = { Environment: "prod", GitHubOrg: ORG, GitHubRepo: NAME, [name]: value };
    expect(() => evaluateTemplate(oidcTemplate, parameters, { accountId: ACCOUNTS.prod, region: REGION })).toThrow(ParameterError);
  });

  it("keeps the provider and the role when the stack is deleted, so Terraform can own them", () => {
    for (const id of ["GitHubOidcProvider", "GitHubActionsRole"]) {
      expect(oidcTemplate.Resources[id]).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    }
  });

  // The reference implementation's CloudFormation role drifted from its Terraform one: here both come
  // from the same builders, and this compares the evaluated template with the synthesized env stacks.
  describe("declares exactly what the env stacks declare, so adopting it changes nothing", () => {
    const stacks = synthPlatform(
      exampleConfig((tree) => {
        for (const env of ENVIRONMENTS) tree.accounts[env].accountId = ACCOUNTS[env];
        Object.assign(tree, { prefix: PREFIX, region: REGION });
        tree.github.repo = `${ORG}/${NAME}`;
      }),
    );
    it.each(ENVIRONMENTS)("%s", (environment) => {
      const stack = stacks[environment];
      const { properties } = deployRole(environment, environment === "shared" ? undefined : ACCOUNTS.shared);
      const role = properties.GitHubActionsRole;
      const declared = stack.resource.aws_iam_role.github_oidc_role;
      expect(role.RoleName).toBe(declared.name);
      expect(role.Description).toBe(declared.description);
      expect(role.MaxSessionDuration).toBe(declared.max_session_duration);
      expect(role.AssumeRolePolicyDocument).toEqual(JSON.parse(declared.assume_role_policy));
      const inline = Object.values(stack.resource.aws_iam_role_policy).filter((p) => p.role === "${aws_iam_role.github_oidc_role.name}");
      const byName = (a: { PolicyName: string }, b: { PolicyName: string }) => a.PolicyName.localeCompare(b.PolicyName);
      expect([...role.Policies].sort(byName)).toEqual(inline.map((p) => ({ PolicyName: p.name, PolicyDocument: JSON.parse(p.policy) })).sort(byName));
      const provider = stack.resource.aws_iam_openid_connect_provider.github_oidc_provider;
      expect(properties.GitHubOidcProvider).toEqual({
        Url: provider.url,
        ClientIdList: provider.client_id_list,
        Tags: [{ Key: "Name", Value: provider.tags.Name }],
      });
    });
  });
});

describe("peering-accepter-role.cfn.yml", () => {
  const evaluate = (prod: string, dev: string) =>
    evaluateTemplate(peeringTemplate, { ProdAccountId: prod, DevAccountId: dev }, { accountId: ACCOUNTS.shared, region: REGION });

  it("creates vpc-peering-accepter with the builders' trust and policy", () => {
    const { properties, ruleFailures } = evaluate(ACCOUNTS.prod, ACCOUNTS.dev);
    const input = {
      sharedAccountId: ACCOUNTS.shared,
      region: REGION,
      requesters: [
        { environment: "prod", accountId: ACCOUNTS.prod },
        { environment: "dev", accountId: ACCOUNTS.dev },
      ] as const,
    };
    expect(ruleFailures).toEqual([]);
    expect(properties.PeeringAccepterRole).toMatchObject({
      RoleName: "vpc-peering-accepter",
      AssumeRolePolicyDocument: peeringAccepterTrustPolicy(input),
      Policies: [{ PolicyName: "vpc-peering-accepter", PolicyDocument: peeringAccepterPolicy(input) }],
    });
  });

  it("asks for both application accounts, different from each other", () => {
    expect(Object.keys(peeringTemplate.Parameters)).toEqual(["ProdAccountId", "DevAccountId"]);
    expect(() => evaluateTemplate(peeringTemplate, { ProdAccountId: ACCOUNTS.prod }, { accountId: ACCOUNTS.shared, region: REGION })).toThrow(
      "DevAccountId has no value",
    );
    expect(evaluate(ACCOUNTS.prod, ACCOUNTS.prod).ruleFailures).toEqual(["ProdAccountId and DevAccountId must be different accounts"]);
  });
});

describe("VariantMerger", () => {
  type V = { environment: Environment };
  const conditions = [{ name: "IsProd", definition: {}, holds: (v: V) => v.environment === "prod" }];
  const variants: V[] = ENVIRONMENTS.map((environment) => ({ environment }));

  it("refuses a placeholder the template does not declare", () => {
    const merger = new VariantMerger(conditions, ["ResourcePrefix"], (v: V) => v.environment);
    expect(() => merger.lift("arn:aws:s3:::${Prefix}-state")).toThrow("refers to ${Prefix}, which is neither a parameter");
  });

  it("refuses statements that no condition can select", () => {
    const merger = new VariantMerger(conditions, [], (v: V) => v.environment);
    const documents = variants.map((v): [V, Json] => [v, [{ Sid: "A" }, ...(v.environment === "dev" ? [{ Sid: "B" }] : [])]]);
    expect(() => merger.merge(documents)).toThrow("no condition holds exactly for the variants that have statement B");
  });

  it("refuses statements in different orders", () => {
    const merger = new VariantMerger(conditions, [], (v: V) => v.environment);
    const documents = variants.map((v): [V, Json] => [v, v.environment === "prod" ? [{ Sid: "B" }, { Sid: "A" }] : [{ Sid: "A" }, { Sid: "B" }]]);
    expect(() => merger.merge(documents)).toThrow("statement A comes in different orders");
  });
});
