import { describe, expect, it } from "vitest";
import { githubSubjects, githubTrustPolicy, infrastructurePolicy, type PolicyStatement, terraformStatePolicy } from "../../src/policies";

const base = { accountId: "222222222222", region: "eu-west-1", prefix: "civic" };
const bySid = (statements: PolicyStatement[], sid: string) => statements.find((s) => s.Sid === sid);

describe("githubTrustPolicy", () => {
  it("lists exactly the design's subjects for each environment", () => {
    expect(githubSubjects({ environment: "shared", repo: "o/r" })).toEqual(["repo:o/r:environment:shared", "repo:o/r:ref:refs/heads/main"]);
    expect(githubSubjects({ environment: "prod", repo: "o/r" })).toEqual(["repo:o/r:environment:prod", "repo:o/r:ref:refs/heads/main"]);
    expect(githubSubjects({ environment: "dev", repo: "o/r" })).toEqual([
      "repo:o/r:environment:dev",
      "repo:o/r:ref:refs/heads/development",
      "repo:o/r:pull_request",
    ]);
  });

  it("trusts only the account's GitHub provider, for web identities with the STS audience", () => {
    const [statement] = githubTrustPolicy({ environment: "prod", repo: "o/r", ...base }).Statement;
    expect(statement).toEqual({
      Sid: "GitHubActionsOidc",
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        StringLike: { "token.actions.githubusercontent.com:sub": ["repo:o/r:environment:prod", "repo:o/r:ref:refs/heads/main"] },
      },
    });
  });
});

describe("terraformStatePolicy", () => {
  it("scopes state access to the environment's own key, lock file and lock table", () => {
    const statements = terraformStatePolicy({ environment: "prod", ...base }).Statement;
    expect(bySid(statements, "StateObject")?.Resource).toBe("arn:aws:s3:::civic-terraform-state-222222222222/prod/terraform.tfstate");
    expect(bySid(statements, "StateLockFile")?.Resource).toBe("arn:aws:s3:::civic-terraform-state-222222222222/prod/terraform.tfstate.tflock");
    expect(bySid(statements, "StateLockTable")?.Resource).toBe("arn:aws:dynamodb:eu-west-1:222222222222:table/civic-terraform-locks");
    expect(bySid(statements, "SharedStateRead")).toBeUndefined();
  });

  it("lets prod and dev read the shared state, and only read it", () => {
    const statements = terraformStatePolicy({ environment: "dev", ...base, sharedAccountId: "111111111111" }).Statement;
    expect(bySid(statements, "SharedStateRead")).toMatchObject({
      Action: ["s3:GetObject"],
      Resource: "arn:aws:s3:::civic-terraform-state-111111111111/shared/terraform.tfstate",
    });
    expect(bySid(terraformStatePolicy({ environment: "shared", ...base, sharedAccountId: "111111111111" }).Statement, "SharedStateRead")).toBeUndefined();
  });
});

describe("infrastructurePolicy", () => {
  const prod = infrastructurePolicy({ environment: "prod", ...base, peeringAccountIds: ["111111111111"] }).Statement;

  it("builds regional ARNs from the configured region and account", () => {
    expect(bySid(prod, "Rds")?.Resource).toEqual(["arn:aws:rds:eu-west-1:222222222222:*"]);
    expect(bySid(prod, "CloudWatch")?.Resource).toEqual(["arn:aws:cloudwatch:eu-west-1:222222222222:*", "arn:aws:logs:eu-west-1:222222222222:*"]);
    expect(bySid(prod, "CloudFront")?.Resource).toBe("arn:aws:cloudfront::222222222222:*");
    expect(bySid(prod, "SsmPublicParameters")?.Resource).toBe("arn:aws:ssm:eu-west-1::parameter/aws/service/*");
  });

  it("scopes IAM changes to the prefix and any extra prefixes, grouped by kind", () => {
    const statements = infrastructurePolicy({ environment: "dev", ...base, extraIamPrefixes: ["geo", "civic"], peeringAccountIds: [] }).Statement;
    expect(bySid(statements, "IamMutate")?.Resource).toEqual([
      "arn:aws:iam::222222222222:role/civic-*",
      "arn:aws:iam::222222222222:role/geo-*",
      "arn:aws:iam::222222222222:policy/civic-*",
      "arn:aws:iam::222222222222:policy/geo-*",
      "arn:aws:iam::222222222222:instance-profile/civic-*",
      "arn:aws:iam::222222222222:instance-profile/geo-*",
      "arn:aws:iam::222222222222:user/ses/civic-*",
      "arn:aws:iam::222222222222:user/ses/geo-*",
    ]);
  });

  it("scopes S3 changes to the environment's buckets and any extra prefixes", () => {
    const statements = infrastructurePolicy({ environment: "dev", ...base, extraS3Prefixes: ["civic-dev-assets", "legacy"], peeringAccountIds: [] }).Statement;
    expect(bySid(statements, "S3Mutate")?.Resource).toEqual([
      "arn:aws:s3:::civic-dev-*",
      "arn:aws:s3:::civic-dev-*/*",
      "arn:aws:s3:::civic-dev-assets-*",
      "arn:aws:s3:::civic-dev-assets-*/*",
      "arn:aws:s3:::legacy-*",
      "arn:aws:s3:::legacy-*/*",
    ]);
  });

  it("assumes only the peering accepter role, naming its environment as the session's source identity, and has no STS statement without peering accounts", () => {
    expect(bySid(prod, "AssumePeeringAccepter")).toEqual({
      Sid: "AssumePeeringAccepter",
      Effect: "Allow",
      Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
      Resource: ["arn:aws:iam::111111111111:role/vpc-peering-accepter"],
    });
    const shared = infrastructurePolicy({ environment: "shared", ...base, peeringAccountIds: [] }).Statement;
    expect(shared.filter((s) => [s.Action].flat().some((a) => a.startsWith("sts:")))).toEqual([]);
  });

  it("keeps the same statements, in the same order, whatever the inputs", () => {
    const other = infrastructurePolicy({ environment: "dev", accountId: "333333333333", region: "us-east-1", prefix: "coalition", peeringAccountIds: ["111111111111"] });
    expect(other.Statement.map((s) => s.Sid)).toEqual(prod.map((s) => s.Sid));
  });
});
