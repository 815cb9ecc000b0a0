import { describe, expect, it } from "vitest";
import { GitHubOidc, type GitHubOidcProps } from "../../src/constructs/github-oidc";
import { resources, synthConstruct } from "../support/synth";

const base: GitHubOidcProps = {
  environment: "prod",
  accountId: "222222222222",
  region: "us-east-1",
  prefix: "coalition",
  repo: "your-org/coalition-builder",
  peeringAccountIds: ["111111111111"],
  sharedStateAccountId: "111111111111",
};

function build(props: Partial<GitHubOidcProps> = {}) {
  let construct!: GitHubOidc;
  const stack = synthConstruct((scope) => (construct = new GitHubOidc(scope, "github_oidc", { ...base, ...props })));
  return { stack, construct };
}

describe("GitHubOidc", () => {
  it("creates the provider for GitHub's issuer with the STS audience", () => {
    expect(resources(build().stack, "aws_iam_openid_connect_provider").github_oidc_provider).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      client_id_list: ["sts.amazonaws.com"],
    });
  });

  it("creates the github-actions role after the provider, with the state and infrastructure policies inline", () => {
    const { stack } = build();
    const role = resources(stack, "aws_iam_role").github_oidc_role;
    expect(role).toMatchObject({ name: "github-actions-prod", max_session_duration: 3600 });
    expect(role.depends_on).toEqual(["aws_iam_openid_connect_provider.github_oidc_provider"]);
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal.Federated).toBe(
      "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com",
    );
    const policies = resources(stack, "aws_iam_role_policy");
    expect(Object.values(policies).map((p) => [p.name, p.role]).sort()).toEqual([
      ["infrastructure", "${aws_iam_role.github_oidc_role.name}"],
      ["read-only", "${aws_iam_role.github_oidc_plan_role.name}"],
      ["terraform-state", "${aws_iam_role.github_oidc_role.name}"],
      ["terraform-state-read", "${aws_iam_role.github_oidc_plan_role.name}"],
    ]);
    expect(JSON.parse(policies.github_oidc_infrastructure_policy.policy).Statement.map((s: any) => s.Sid)).toContain("AssumePeeringAccepter");
  });

  it("outputs the role and provider ARNs", () => {
    const { stack } = build();
    expect(stack.output?.github_oidc_role_arn.value).toBe("${aws_iam_role.github_oidc_role.arn}");
    expect(stack.output?.github_oidc_provider_arn.value).toBe("${aws_iam_openid_connect_provider.github_oidc_provider.arn}");
  });

  it("refers to a provider managed elsewhere by its ARN", () => {
    const { stack, construct } = build({ createProvider: false });
    expect(resources(stack, "aws_iam_openid_connect_provider")).toEqual({});
    expect(resources(stack, "aws_iam_role").github_oidc_role.depends_on).toBeUndefined();
    expect(stack.output?.github_oidc_provider_arn.value).toBe("arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com");
    expect(construct.importTargets().map((t) => t.address)).not.toContain("aws_iam_openid_connect_provider.github_oidc_provider");
  });

  it("emits no import blocks unless asked to adopt the bootstrap's resources", () => {
    expect((build().stack as any).import).toBeUndefined();
  });

  it("imports the bootstrap's provider, role and inline policies by their AWS ids when adopting", () => {
    const { stack, construct } = build({ adoptBootstrap: true });
    const expected = [
      { to: "aws_iam_openid_connect_provider.github_oidc_provider", id: "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com" },
      { to: "aws_iam_role.github_oidc_role", id: "github-actions-prod" },
      { to: "aws_iam_role.github_oidc_plan_role", id: "github-actions-prod-plan" },
      { to: "aws_iam_role_policy.github_oidc_state_policy", id: "github-actions-prod:terraform-state" },
      { to: "aws_iam_role_policy.github_oidc_infrastructure_policy", id: "github-actions-prod:infrastructure" },
      { to: "aws_iam_role_policy.github_oidc_plan_state_policy", id: "github-actions-prod-plan:terraform-state-read" },
      { to: "aws_iam_role_policy.github_oidc_plan_read_policy", id: "github-actions-prod-plan:read-only" },
    ];
    expect((stack as any).import).toEqual(expected);
    expect(construct.importTargets()).toEqual(expected.map(({ to, id }) => ({ address: to, id })));
  });

  it("adopts only the role and policies when the provider is managed elsewhere", () => {
    const { stack } = build({ adoptBootstrap: true, createProvider: false });
    expect((stack as any).import.map((i: any) => i.to)).toEqual([
      "aws_iam_role.github_oidc_role",
      "aws_iam_role.github_oidc_plan_role",
      "aws_iam_role_policy.github_oidc_state_policy",
      "aws_iam_role_policy.github_oidc_infrastructure_policy",
      "aws_iam_role_policy.github_oidc_plan_state_policy",
      "aws_iam_role_policy.github_oidc_plan_read_policy",
    ]);
  });

  describe("the plan role", () => {
    const { stack } = build();
    const role = resources(stack, "aws_iam_role").github_oidc_plan_role;
    const policy = (name: string) => JSON.parse(resources(stack, "aws_iam_role_policy")[name].policy);

    it("is github-actions-{env}-plan, created after the provider, with no boundary (an administrator's, like the deploy role)", () => {
      expect(role).toMatchObject({ name: "github-actions-prod-plan", max_session_duration: 3600 });
      expect(role.depends_on).toEqual(["aws_iam_openid_connect_provider.github_oidc_provider"]);
      expect(role.permissions_boundary).toBeUndefined();
    });

    it("is trusted by the repository's pull requests and its main branch outside any environment only, matched exactly", () => {
      expect(JSON.parse(role.assume_role_policy)).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "GitHubActionsOidcPlans",
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": ["repo:your-org/coalition-builder:pull_request", "repo:your-org/coalition-builder:ref:refs/heads/main"],
              },
            },
          },
        ],
      });
    });

    it("reads prod's state and shared's, and takes no lock", () => {
      expect(policy("github_oidc_plan_state_policy").Statement).toEqual([
        { Sid: "StateBucketList", Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::coalition-terraform-state-222222222222" },
        { Sid: "StateObjectRead", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::coalition-terraform-state-222222222222/prod/terraform.tfstate" },
        {
          Sid: "StateDigestRead",
          Effect: "Allow",
          Action: ["dynamodb:GetItem"],
          Resource: "arn:aws:dynamodb:us-east-1:222222222222:table/coalition-terraform-locks",
          Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["coalition-terraform-state-222222222222/prod/terraform.tfstate-md5"] } },
        },
        { Sid: "SharedStateBucketList", Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::coalition-terraform-state-111111111111" },
        { Sid: "SharedStateRead", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::coalition-terraform-state-111111111111/shared/terraform.tfstate" },
      ]);
    });

    it("may assume shared's vpc-peering-reader, never the accepter", () => {
      const statements = policy("github_oidc_plan_read_policy").Statement as any[];
      const assume = statements.filter((s) => [s.Action].flat().includes("sts:AssumeRole"));
      expect(assume).toEqual([
        { Sid: "AssumePeeringReader", Effect: "Allow", Action: ["sts:AssumeRole", "sts:SetSourceIdentity"], Resource: ["arn:aws:iam::111111111111:role/vpc-peering-reader"] },
      ]);
    });

    it("outputs its ARN", () => {
      expect(stack.output?.github_oidc_plan_role_arn.value).toBe("${aws_iam_role.github_oidc_plan_role.arn}");
    });
  });
});
