import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { assertWithinQuotas, bootstrapTemplateFigures, longestValue, templateQuotaChecks, templateRoleFigures } from "../../src/bootstrap/template-quotas";
import { exampleConfig } from "../support/synth";
import { evaluateTemplate, ParameterError } from "./cfn-evaluate";

/** IAM User Guide, "IAM and AWS STS quotas". */
const IAM = { roleInline: 10_240, trust: 2_048, roleName: 64, policyName: 128 };

const BOOTSTRAP = path.join(__dirname, "..", "..", "bootstrap");
const oidcTemplate = parse(readFileSync(path.join(BOOTSTRAP, "github-oidc-role.cfn.yml"), "utf8"));
const peeringTemplate = parse(readFileSync(path.join(BOOTSTRAP, "peering-accepter-role.cfn.yml"), "utf8"));

/** Without white space, as IAM counts. */
const size = (document: unknown) => JSON.stringify(document).replace(/\s/g, "").length;

/** A template with one role, its parts given. */
function roleTemplate(properties: Record<string, unknown>) {
  return { Resources: { Role: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: { Version: "2012-10-17" }, ...properties } } } } as any;
}

/** A policy document of exactly `characters` characters without white space. */
function documentOfSize(characters: number) {
  const document = (resource: string) => ({ Version: "2012-10-17", Statement: [{ Sid: "S", Effect: "Allow", Action: "s3:GetObject", Resource: resource }] });
  return document(`arn:aws:s3:::${"a".repeat(characters - size(document("arn:aws:s3:::")))}`);
}

const failing = (template: unknown) =>
  templateQuotaChecks(templateRoleFigures(template as any))
    .filter(({ check }) => !check.ok)
    .map(({ rule, check }) => `${rule}: ${check.message}`);

describe("IAM's quotas on the bootstrap templates' roles", () => {
  it("hold for every role of both templates in every variant, with the example configuration's administrators", () => {
    const figures = bootstrapTemplateFigures(exampleConfig().administrators);
    for (const [file, roles] of Object.entries(figures)) {
      expect(roles.length, file).toBeGreaterThan(0);
      expect(templateQuotaChecks(roles).filter(({ check }) => !check.ok), file).toEqual([]);
    }
    // Five accepted variants of the OIDC template (shared refuses SharedAccountId), two roles each.
    expect(figures["github-oidc-role.cfn.yml"].map((f) => `${f.role} ${f.variant}`)).toHaveLength(10);
    expect(figures["github-oidc-role.cfn.yml"].some((f) => f.variant === "Environment=shared, SharedAccountId set")).toBe(false);
  });

  it("measure the deploy role at its largest: each parameter at the longest value the template accepts", () => {
    const worst = templateRoleFigures(oidcTemplate).find((f) => f.role === "GitHubActionsRole" && f.variant === "Environment=prod, SharedAccountId set")!;
    const longest = { GitHubOrg: "o".repeat(39), GitHubRepo: "r".repeat(100), ResourcePrefix: "p".repeat(20), SharedAccountId: "444455556666" };
    const given = { Environment: "prod", ...longest };
    // The longest region code, us-isof-south-1: 15 characters.
    const role = evaluateTemplate(oidcTemplate, given, { accountId: "123456789012", region: "us-isof-south-1" }).properties.GitHubActionsRole;
    expect(worst.inline).toBe(role.Policies.reduce((sum: number, p: any) => sum + size(p.PolicyDocument), 0));
    expect(worst.trust).toBe(size(role.AssumeRolePolicyDocument));
    expect(worst.inline).toBeLessThanOrEqual(IAM.roleInline);
    // And these are the longest: one more character is refused.
    for (const [name, value] of Object.entries(longest)) {
      expect(() => evaluateTemplate(oidcTemplate, { ...given, [name]: `${value}1` }, { accountId: "123456789012", region: "us-east-1" }), name).toThrow(ParameterError);
    }
  });

  it("find each parameter's longest value from its constraints, and refuse a parameter without a bound", () => {
    const parameters = oidcTemplate.Parameters;
    expect(longestValue("GitHubRepo", parameters.GitHubRepo, 0)).toHaveLength(100);
    expect(longestValue("ResourcePrefix", parameters.ResourcePrefix, 0)).toHaveLength(20);
    expect(longestValue("SharedAccountId", parameters.SharedAccountId, 0)).toMatch(/^\d{12}$/);
    expect(longestValue("ProdAccountId", peeringTemplate.Parameters.ProdAccountId, 0)).not.toBe(longestValue("DevAccountId", peeringTemplate.Parameters.DevAccountId, 1));
    expect(() => longestValue("Free", { Type: "String" }, 0)).toThrow("parameter Free has no MaxLength nor a bounded AllowedPattern");
  });

  it("count the administrators the peering template is given in the accepter's trust policy", () => {
    const administrators = Array.from({ length: 20 }, (_, i) => `arn:aws:iam::${String(i).padStart(12, "0")}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_${"x".repeat(30)}`);
    const figures = templateRoleFigures(peeringTemplate, { AdministratorArns: [administrators] });
    const none = figures.find((f) => f.role === "PeeringAccepterRole" && f.variant === "AdministratorArns: none")!;
    const twenty = figures.find((f) => f.role === "PeeringAccepterRole" && f.variant === "AdministratorArns: 20 ARNs")!;
    // Each ARN, quoted and separated by a comma.
    expect(twenty.trust - none.trust).toBeGreaterThanOrEqual(administrators.reduce((sum, arn) => sum + arn.length + 2, 0));
    expect(templateQuotaChecks(figures).find(({ rule, check }) => rule === "IAM_TRUST_POLICY_SIZE" && check.address === "PeeringAccepterRole")?.check).toMatchObject({
      ok: false,
      message: expect.stringContaining(`AssumeRolePolicyDocument comes to at most ${twenty.trust.toLocaleString("en-US")} characters (AdministratorArns: 20 ARNs`),
    });
  });

  describe("fail just over each limit and pass at it", () => {
    it("a role's Policies together: 10,240 characters", () => {
      const policies = (extra: number) => [
        { PolicyName: "one", PolicyDocument: documentOfSize(4_000) },
        { PolicyName: "two", PolicyDocument: documentOfSize(IAM.roleInline - 4_000 + extra) },
      ];
      expect(failing(roleTemplate({ Policies: policies(0) }))).toEqual([]);
      expect(failing(roleTemplate({ Policies: policies(1) }))).toEqual([
        "IAM_INLINE_POLICY_SIZE: Policies (one, two) come to at most 10,241 characters (parameters at their longest), over IAM's quota of 10,240 for a role's inline policies together (white space not counted)",
      ]);
    });

    it("the trust policy: 2,048 characters", () => {
      expect(failing(roleTemplate({ AssumeRolePolicyDocument: documentOfSize(IAM.trust) }))).toEqual([]);
      expect(failing(roleTemplate({ AssumeRolePolicyDocument: documentOfSize(IAM.trust + 1) }))).toEqual([expect.stringMatching(/^IAM_TRUST_POLICY_SIZE: .*2,049 characters.*2,048.*4,096/)]);
    });

    it("the role's name: 64 characters, a policy's: 128", () => {
      const named = (role: number, policy: number) => roleTemplate({ RoleName: "r".repeat(role), Policies: [{ PolicyName: "p".repeat(policy), PolicyDocument: documentOfSize(200) }] });
      expect(failing(named(IAM.roleName, IAM.policyName))).toEqual([]);
      expect(failing(named(IAM.roleName + 1, IAM.policyName))).toEqual(["IAM_NAME_LENGTH: RoleName is 65 characters (parameters at their longest), over IAM's 64"]);
      expect(failing(named(IAM.roleName, IAM.policyName + 1))).toEqual([`IAM_NAME_LENGTH: PolicyName ${"p".repeat(129)} is 129 characters, over IAM's 128`]);
    });

    it("loudly, for a generator: every problem named with the file", () => {
      expect(() => assertWithinQuotas("ok.cfn.yml", roleTemplate({ RoleName: "r".repeat(IAM.roleName) }))).not.toThrow();
      expect(() => assertWithinQuotas("long.cfn.yml", roleTemplate({ RoleName: "r".repeat(IAM.roleName + 1) }))).toThrow(
        "long.cfn.yml: IAM_NAME_LENGTH Role: RoleName is 65 characters (parameters at their longest), over IAM's 64",
      );
    });

    it("with a parameter at its longest inside Fn::Sub", () => {
      const template = (maxLength: number) => ({
        ...roleTemplate({ RoleName: { "Fn::Sub": "${Prefix}-role" } }),
        Parameters: { Prefix: { Type: "String", MaxLength: maxLength, AllowedPattern: "^[a-z]+$" } },
      });
      expect(failing(template(IAM.roleName - 5))).toEqual([]);
      expect(failing(template(IAM.roleName - 4))).toEqual([expect.stringContaining("RoleName is 65 characters")]);
    });
  });
});
