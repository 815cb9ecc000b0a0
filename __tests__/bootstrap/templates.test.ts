import { Testing } from "cdktf";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type Json, VariantMerger } from "../../src/bootstrap/cloudformation";
import { ENVIRONMENTS, type Environment } from "../../src/config";
import { bootstrapRoles } from "../../src/local/bootstrap";
import { githubPlanTrustPolicy, githubTrustPolicy } from "../../src/policies/github-trust";
import { infrastructurePolicy } from "../../src/policies/infrastructure";
import { peeringAccepterPolicy, peeringAccepterTrustPolicy, peeringReaderPolicy, peeringReaderTrustPolicy } from "../../src/policies/peering-accepter";
import { planReadPolicy } from "../../src/policies/plan";
import { terraformStatePolicy, terraformStateReadPolicy } from "../../src/policies/terraform-state";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { exampleConfig, type StackJson, synthPlatform } from "../support/synth";
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

/** CloudFormation's CreateStack limit for a template passed in the request (--template-body), in bytes. */
const TEMPLATE_BODY_LIMIT = 51_200;

/**
 * A role of an evaluated template against the role a synthesized Terraform stack declares at `address`: every
 * property Terraform would compare after importing it, and its inline policies (by name) against the stack's
 * `aws_iam_role_policy` resources on that role.
 */
function expectSameRole(role: any, stack: StackJson, address: string) {
  const declared = stack.resource.aws_iam_role[address];
  expect(declared, `aws_iam_role.${address}`).toBeDefined();
  expect(role.RoleName).toBe(declared.name);
  expect(role.Description).toBe(declared.description);
  expect(role.MaxSessionDuration).toBe(declared.max_session_duration);
  expect(role.AssumeRolePolicyDocument).toEqual(JSON.parse(declared.assume_role_policy));
  expect(role.Tags).toEqual(Object.entries(declared.tags).map(([Key, Value]) => ({ Key, Value })));
  const inline = Object.values(stack.resource.aws_iam_role_policy).filter((p) => p.role === `\${aws_iam_role.${address}.name}`);
  expect(inline.length, `inline policies of aws_iam_role.${address}`).toBeGreaterThan(0);
  const byName = (a: { PolicyName: string }, b: { PolicyName: string }) => a.PolicyName.localeCompare(b.PolicyName);
  expect([...role.Policies].sort(byName)).toEqual(inline.map((p) => ({ PolicyName: p.name, PolicyDocument: JSON.parse(p.policy) })).sort(byName));
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
    const planRole = properties.GitHubActionsPlanRole;
    const account = { environment, accountId: ACCOUNTS[environment], region: REGION, prefix: PREFIX };
    const peeringAccountIds = sharedAccountId ? [sharedAccountId] : [];

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

    it("names the plan role github-actions-<env>-plan and trusts only the repository's pull requests through the account's provider", () => {
      expect(planRole.RoleName).toBe(`github-actions-${environment}-plan`);
      expect(planRole.Description).toBe(`Plans the ${environment} environment read-only from GitHub Actions: pull requests and the drift check (${ORG}/${NAME})`);
      expect(planRole.MaxSessionDuration).toBe(3600);
      expect(planRole.AssumeRolePolicyDocument).toEqual(githubPlanTrustPolicy({ repo: `${ORG}/${NAME}`, accountId: ACCOUNTS[environment] }));
      expect(planRole.Tags).toEqual([
        { Key: "Name", Value: `github-actions-${environment}-plan` },
        { Key: "TerraformAddress", Value: "aws_iam_role.github_oidc_plan_role" },
      ]);
    });

    it("gives the plan role the inline policies terraform-state-read and read-only of the builders, the shared account's parts only with SharedAccountId", () => {
      expect(planRole.Policies).toEqual([
        { PolicyName: "terraform-state-read", PolicyDocument: terraformStateReadPolicy({ ...account, sharedAccountId }) },
        { PolicyName: "read-only", PolicyDocument: planReadPolicy({ ...account, peeringAccountIds, sharedAccountId }) },
      ]);
      const sids = planRole.Policies.flatMap((p: any) => p.PolicyDocument.Statement.map((s: any) => s.Sid));
      expect(sids.includes("AssumePeeringReader")).toBe(sharedAccountId !== undefined);
      expect(sids.includes("SharedStateBucketList")).toBe(sharedAccountId !== undefined);
      expect(sids.includes("SharedStateRead")).toBe(sharedAccountId !== undefined);
      expect(sids).not.toContain("AssumePeeringAccepter");
      const readOnly = planRole.Policies[1].PolicyDocument.Statement;
      const stateObjects = readOnly.find((s: any) => s.Sid === "NoObjectReadsButState").NotResource;
      expect(stateObjects).toHaveLength(sharedAccountId ? 2 : 1);
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

  it("keeps the provider and the roles when the stack is deleted, so Terraform can own them", () => {
    expect(Object.keys(oidcTemplate.Resources)).toEqual(["GitHubOidcProvider", "GitHubActionsRole", "GitHubActionsPlanRole"]);
    for (const id of ["GitHubOidcProvider", "GitHubActionsRole", "GitHubActionsPlanRole"]) {
      expect(oidcTemplate.Resources[id]).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    }
  });

  it("creates both roles after the provider their trust policies name", () => {
    for (const id of ["GitHubActionsRole", "GitHubActionsPlanRole"]) expect(oidcTemplate.Resources[id].DependsOn).toBe("GitHubOidcProvider");
  });

  it("outputs both roles' ARNs", () => {
    expect(oidcTemplate.Outputs.RoleArn.Value).toEqual({ "Fn::GetAtt": ["GitHubActionsRole", "Arn"] });
    expect(oidcTemplate.Outputs.PlanRoleArn.Value).toEqual({ "Fn::GetAtt": ["GitHubActionsPlanRole", "Arn"] });
  });

  it("fits in a CreateStack request, as the scripts pass it", () => {
    for (const file of ["github-oidc-role.cfn.yml", "peering-accepter-role.cfn.yml"]) {
      expect(readFileSync(path.join(BOOTSTRAP, file)).byteLength, file).toBeLessThan(TEMPLATE_BODY_LIMIT);
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
    describe.each(ENVIRONMENTS)("%s", (environment) => {
      const stack = stacks[environment];
      const { properties } = deployRole(environment, environment === "shared" ? undefined : ACCOUNTS.shared);

      it("the deploy role", () => expectSameRole(properties.GitHubActionsRole, stack, "github_oidc_role"));
      it("the plan role", () => expectSameRole(properties.GitHubActionsPlanRole, stack, "github_oidc_plan_role"));
      it("the OIDC provider", () => {
        const provider = stack.resource.aws_iam_openid_connect_provider.github_oidc_provider;
        expect(properties.GitHubOidcProvider).toEqual({
          Url: provider.url,
          ClientIdList: provider.client_id_list,
          Tags: Object.entries(provider.tags).map(([Key, Value]) => ({ Key, Value })),
        });
      });
    });
  });
});

describe("peering-accepter-role.cfn.yml", () => {
  const evaluate = (prod: string, dev: string) =>
    evaluateTemplate(peeringTemplate, { ProdAccountId: prod, DevAccountId: dev }, { accountId: ACCOUNTS.shared, region: REGION });
  const input = {
    sharedAccountId: ACCOUNTS.shared,
    region: REGION,
    requesters: [
      { environment: "prod", accountId: ACCOUNTS.prod },
      { environment: "dev", accountId: ACCOUNTS.dev },
    ] as const,
  };

  it("creates vpc-peering-accepter with the builders' trust and policy", () => {
    const { properties, ruleFailures } = evaluate(ACCOUNTS.prod, ACCOUNTS.dev);
    expect(ruleFailures).toEqual([]);
    expect(properties.PeeringAccepterRole).toMatchObject({
      RoleName: "vpc-peering-accepter",
      AssumeRolePolicyDocument: peeringAccepterTrustPolicy(input),
      Policies: [{ PolicyName: "vpc-peering-accepter", PolicyDocument: peeringAccepterPolicy(input) }],
    });
  });

  it("creates vpc-peering-reader, trusted by the prod and dev plan roles only, with the builders' read-only policy", () => {
    const reader = evaluate(ACCOUNTS.prod, ACCOUNTS.dev).properties.PeeringReaderRole;
    expect(reader).toMatchObject({
      RoleName: "vpc-peering-reader",
      AssumeRolePolicyDocument: peeringReaderTrustPolicy(input),
      Policies: [{ PolicyName: "vpc-peering-reader", PolicyDocument: peeringReaderPolicy(input) }],
    });
    expect(reader.AssumeRolePolicyDocument.Statement.map((s: any) => s.Condition.ArnEquals["aws:PrincipalArn"])).toEqual([
      [`arn:aws:iam::${ACCOUNTS.prod}:role/github-actions-prod-plan`],
      [`arn:aws:iam::${ACCOUNTS.dev}:role/github-actions-dev-plan`],
    ]);
  });

  it("keeps both roles when the stack is deleted, and outputs their ARNs", () => {
    expect(Object.keys(peeringTemplate.Resources)).toEqual(["PeeringAccepterRole", "PeeringReaderRole"]);
    for (const resource of Object.values<any>(peeringTemplate.Resources)) {
      expect(resource).toMatchObject({ Type: "AWS::IAM::Role", DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    }
    expect(peeringTemplate.Outputs.RoleArn.Value).toEqual({ "Fn::GetAtt": ["PeeringAccepterRole", "Arn"] });
    expect(peeringTemplate.Outputs.ReaderRoleArn.Value).toEqual({ "Fn::GetAtt": ["PeeringReaderRole", "Arn"] });
  });

  // The CDKTF bootstrap stack is the other way to create these roles: both must declare the same ones.
  describe("declares exactly what the CDKTF bootstrap stack declares", () => {
    const config = exampleConfig((tree) => {
      for (const env of ENVIRONMENTS) tree.accounts[env].accountId = ACCOUNTS[env];
      Object.assign(tree, { prefix: PREFIX, region: REGION });
    });
    const stack = JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), { config, manageGitHub: false }))) as StackJson;
    const { properties } = evaluate(ACCOUNTS.prod, ACCOUNTS.dev);

    it.each([
      ["PeeringAccepterRole", "peering_accepter_role"],
      ["PeeringReaderRole", "peering_reader_role"],
    ])("%s as aws_iam_role.%s", (id, address) => {
      expect(stack.resource.aws_iam_role[address].provider).toBe("aws.shared");
      expectSameRole(properties[id], stack, address);
    });
  });

  describe("lets the configured administrators assume the accepter, as the CDKTF bootstrap stack does", () => {
    const administrators = ["arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0a1b", "arn:aws:iam::333333333333:user/ops"];
    const config = exampleConfig((tree) => {
      for (const env of ENVIRONMENTS) tree.accounts[env].accountId = ACCOUNTS[env];
      Object.assign(tree, { prefix: PREFIX, region: REGION, administrators });
    });
    const stack = JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), { config, manageGitHub: false }))) as StackJson;
    const evaluation = evaluateTemplate(
      peeringTemplate,
      { ProdAccountId: ACCOUNTS.prod, DevAccountId: ACCOUNTS.dev, AdministratorArns: administrators.join(",") },
      { accountId: ACCOUNTS.shared, region: REGION },
    );

    it("with the builders' trust, named in the stack too", () => {
      expect(evaluation.properties.PeeringAccepterRole.AssumeRolePolicyDocument).toEqual(peeringAccepterTrustPolicy({ ...input, administratorArns: administrators }));
      expect(evaluation.properties.PeeringAccepterRole.AssumeRolePolicyDocument.Statement[2]).toEqual({
        Sid: "Administrators",
        Effect: "Allow",
        Principal: { AWS: administrators },
        Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
        Condition: { StringEquals: { "sts:SourceIdentity": ["prod", "dev"] } },
      });
      expectSameRole(evaluation.properties.PeeringAccepterRole, stack, "peering_accepter_role");
    });

    it("and not the reader, which stays the plan roles' only", () => {
      expectSameRole(evaluation.properties.PeeringReaderRole, stack, "peering_reader_role");
      expect(JSON.stringify(evaluation.properties.PeeringReaderRole)).not.toContain("ops");
    });
  });

  it("asks for both application accounts, different from each other, and optionally administrators", () => {
    expect(Object.keys(peeringTemplate.Parameters)).toEqual(["ProdAccountId", "DevAccountId", "AdministratorArns"]);
    expect(peeringTemplate.Parameters.AdministratorArns).toMatchObject({ Type: "CommaDelimitedList", Default: "" });
    expect(() => evaluateTemplate(peeringTemplate, { ProdAccountId: ACCOUNTS.prod }, { accountId: ACCOUNTS.shared, region: REGION })).toThrow(
      "DevAccountId has no value",
    );
    expect(evaluate(ACCOUNTS.prod, ACCOUNTS.prod).ruleFailures).toEqual(["ProdAccountId and DevAccountId must be different accounts"]);
  });
});

describe("local mode's fix-ups after the bootstrap (src/local/bootstrap.ts)", () => {
  it.each(ENVIRONMENTS)("rewrite the policies of every role the templates create in %s", (environment) => {
    const sharedAccountId = environment === "shared" ? undefined : ACCOUNTS.shared;
    const evaluations = [deployRole(environment, sharedAccountId)];
    if (environment === "shared") {
      evaluations.push(evaluateTemplate(peeringTemplate, { ProdAccountId: ACCOUNTS.prod, DevAccountId: ACCOUNTS.dev }, { accountId: ACCOUNTS.shared, region: REGION }));
    }
    const templates = environment === "shared" ? [oidcTemplate, peeringTemplate] : [oidcTemplate];
    const roles = templates.flatMap((template, i) =>
      Object.entries<any>(template.Resources)
        .filter(([, resource]) => resource.Type === "AWS::IAM::Role")
        .map(([id]) => evaluations[i].properties[id].RoleName),
    );
    expect(bootstrapRoles(environment).sort()).toEqual(roles.sort());
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
