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
      ["terraform-state", "${aws_iam_role.github_oidc_role.name}"],
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
      { to: "aws_iam_role_policy.github_oidc_state_policy", id: "github-actions-prod:terraform-state" },
      { to: "aws_iam_role_policy.github_oidc_infrastructure_policy", id: "github-actions-prod:infrastructure" },
    ];
    expect((stack as any).import).toEqual(expected);
    expect(construct.importTargets()).toEqual(expected.map(({ to, id }) => ({ address: to, id })));
  });

  it("adopts only the role and policies when the provider is managed elsewhere", () => {
    const { stack } = build({ adoptBootstrap: true, createProvider: false });
    expect((stack as any).import.map((i: any) => i.to)).toEqual([
      "aws_iam_role.github_oidc_role",
      "aws_iam_role_policy.github_oidc_state_policy",
      "aws_iam_role_policy.github_oidc_infrastructure_policy",
    ]);
  });
});
