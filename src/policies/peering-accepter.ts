import { type ApplicationAccount, deployRolesStatement } from "./cross-account";
import { allow, policy, type PolicyDocument } from "./document";

/** Name of the accepter role's inline policy. */
export const PEERING_ACCEPTER_DESCRIPTION = "Accepts the VPC peering of prod and dev and routes the shared database subnets back to them";

export interface PeeringAccepterInput {
  /** The shared account, which owns the role and the accepting VPC. */
  readonly sharedAccountId: string;
  readonly region: string;
  /** The application accounts (prod, dev) whose deploy roles request peerings and assume the role to accept them. */
  readonly requesters: readonly ApplicationAccount[];
}

/** Trust of `vpc-peering-accepter`: only the prod and dev deploy roles (`github-actions-prod`, `github-actions-dev`). */
export function peeringAccepterTrustPolicy(input: PeeringAccepterInput): PolicyDocument {
  return policy(deployRolesStatement("ApplicationDeployRoles", input.requesters, "sts:AssumeRole"));
}

/**
 * What the prod and dev stacks do in the shared account through the role: accept their peering
 * (`aws_vpc_peering_connection_accepter`), allow DNS resolution across it
 * (`aws_vpc_peering_connection_options`), tag it (default tags), and route the shared database route
 * table back to them (`aws_route`). A connection's ARN may carry either side's account, so its account
 * is left open and the conditions pin both ends instead: a shared VPC accepting, a prod or dev VPC requesting.
 */
export function peeringAccepterPolicy(input: PeeringAccepterInput): PolicyDocument {
  const { region, sharedAccountId: shared } = input;
  const vpcs = (account: string) => `arn:aws:ec2:${region}:${account}:vpc/*`;
  return policy(
    allow("AcceptIntoSharedVpcs", ["ec2:AcceptVpcPeeringConnection"], vpcs(shared)),
    allow(
      "ApplicationPeerings",
      [
        "ec2:AcceptVpcPeeringConnection", "ec2:ModifyVpcPeeringConnectionOptions", "ec2:DeleteVpcPeeringConnection",
        "ec2:CreateTags", "ec2:DeleteTags",
      ],
      `arn:aws:ec2:${region}:*:vpc-peering-connection/*`,
      {
        ArnLike: {
          "ec2:AccepterVpc": vpcs(shared),
          "ec2:RequesterVpc": input.requesters.map((r) => vpcs(r.accountId)),
        },
      },
    ),
    allow("SharedRouteTables", ["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"], `arn:aws:ec2:${region}:${shared}:route-table/*`),
    allow(
      "DescribeNetwork",
      ["ec2:DescribeVpcPeeringConnections", "ec2:DescribeRouteTables", "ec2:DescribeVpcs"],
      "*", // EC2's Describe actions have no resource-level permissions
      { StringEquals: { "aws:RequestedRegion": region } },
    ),
  );
}
