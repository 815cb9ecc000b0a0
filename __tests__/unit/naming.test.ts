import { describe, expect, it } from "vitest";
import { names } from "../../src/naming/names";

/**
 * The names the platform gives AWS resources, spelled out as the design and the docs give them: the bootstrap scripts,
 * the CloudFormation templates and live accounts use them, so each is pinned letter by letter.
 */
describe("resource names", () => {
  it("names each account's Terraform state bucket, lock table and state keys", () => {
    expect(names.stateBucket("coalition", "111111111111")).toBe("coalition-terraform-state-111111111111");
    expect(names.lockTable("coalition")).toBe("coalition-terraform-locks");
    expect(names.stateKey("shared")).toBe("shared/terraform.tfstate");
    expect(names.stateKey("prod")).toBe("prod/terraform.tfstate");
    expect(names.stateKey("dev")).toBe("dev/terraform.tfstate");
  });

  it("names the GitHub Actions roles, their descriptions and the OIDC provider's ARN and bootstrap stack", () => {
    expect(names.githubActionsRole("prod")).toBe("github-actions-prod");
    expect(names.githubActionsPlanRole("dev")).toBe("github-actions-dev-plan");
    expect(names.githubActionsRoleDescription("prod", "o/r")).toBe("Deploys the prod environment from GitHub Actions (o/r)");
    expect(names.githubActionsPlanRoleDescription("dev", "o/r")).toBe(
      "Plans the dev environment read-only from GitHub Actions: pull requests and the drift check (o/r)",
    );
    expect(names.githubOidcProviderArn("222222222222")).toBe("arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com");
    expect(names.githubOidcStack("shared")).toBe("github-oidc-shared");
  });

  it("gives the peering roles in shared their ARNs", () => {
    expect(names.peeringAccepterRoleArn("111111111111")).toBe("arn:aws:iam::111111111111:role/vpc-peering-accepter");
    expect(names.peeringReaderRoleArn("111111111111")).toBe("arn:aws:iam::111111111111:role/vpc-peering-reader");
  });

  it("spells role, account root and boundary ARNs as IAM does", () => {
    expect(names.roleArn("333333333333", "some-role")).toBe("arn:aws:iam::333333333333:role/some-role");
    expect(names.accountRoot("333333333333")).toBe("arn:aws:iam::333333333333:root");
    expect(names.permissionsBoundary("civic")).toBe("civic-boundary");
    expect(names.permissionsBoundaryArn("civic", "333333333333")).toBe("arn:aws:iam::333333333333:policy/civic-boundary");
  });

  it("names each application environment's database, login role and secrets", () => {
    expect(names.appDatabase("coalition", "prod")).toBe("coalition_prod");
    // PostgreSQL identifiers take no hyphen unquoted: every hyphen of the prefix becomes an underscore.
    expect(names.appDatabase("civic-hub-x", "dev")).toBe("civic_hub_x_dev");
    expect(names.appSecret("coalition", "dev", "api-key")).toBe("coalition/dev/api-key");
    expect(names.appDatabaseSecret("coalition", "prod")).toBe("coalition/prod/database");
    expect(names.djangoSecretKey("coalition", "dev")).toBe("coalition/dev/django-secret-key");
  });

  it("names the Lambda role and the other per-environment resources {prefix}-{env}-…", () => {
    expect(names.lambdaRole("coalition", "prod")).toBe("coalition-prod-lambda");
    expect(names.lambdaRoleArn("coalition", "dev", "444444444444")).toBe("arn:aws:iam::444444444444:role/coalition-dev-lambda");
    expect(names.resource("coalition", "dev", "assets")).toBe("coalition-dev-assets");
    expect(names.resource("coalition", "prod", "app", "sg")).toBe("coalition-prod-app-sg");
    expect(names.resource("coalition", "shared")).toBe("coalition-shared");
  });
});
