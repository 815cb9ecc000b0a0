import { type ApplicationAccount, deployRolesStatement, planRolesStatement, principalsStatement } from "./cross-account";
import { allow, policy, type PolicyDocument, type PolicyStatement } from "./document";

export const PEERING_READER_DESCRIPTION = "Reads the shared side of the VPC peering of prod and dev, for their pull-request plans";

/** Description of the accepter role. */
export const PEERING_ACCEPTER_DESCRIPTION = "Accepts the VPC peering of prod and dev and routes the shared database subnets back to them";

export interface PeeringAccepterInput {
  /** The shared account, which owns the role and the accepting VPC. */
  readonly sharedAccountId: string;
  readonly region: string;
  /** The application accounts (prod, dev) whose deploy roles request peerings and assume the role to accept them. */
  readonly requesters: readonly ApplicationAccount[];
  /** People's principals (`administrators` in the configuration) who may also assume the accepter, to deploy by hand. Default none. */
  readonly administratorArns?: readonly string[];
}

/**
 * Trust of `vpc-peering-accepter`: only the prod and dev deploy roles (`github-actions-prod`, `github-actions-dev`),
 * and the configured administrators.
 */
export function peeringAccepterTrustPolicy(input: PeeringAccepterInput): PolicyDocument {
  const administrators = input.administratorArns ?? [];
  return policy(
    deployRolesStatement("ApplicationDeployRoles", input.requesters, "sts:AssumeRole"),
    ...(administrators.length > 0 ? [principalsStatement("Administrators", administrators, "sts:AssumeRole")] : []),
  );
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
    describeNetwork(region),
  );
}

/** Trust of `vpc-peering-reader`: only the prod and dev plan roles (`github-actions-{env}-plan`). */
export function peeringReaderTrustPolicy(input: PeeringAccepterInput): PolicyDocument {
  return policy(planRolesStatement("ApplicationPlanRoles", input.requesters, "sts:AssumeRole"));
}

/**
 * What a pull-request plan of prod or dev refreshes in the shared account through `vpc-peering-reader`: the
 * peering connection, the shared database route table and VPC. Nothing else, and nothing that changes them.
 */
export function peeringReaderPolicy(input: Pick<PeeringAccepterInput, "region">): PolicyDocument {
  return policy(describeNetwork(input.region));
}

function describeNetwork(region: string): PolicyStatement {
  return allow(
    "DescribeNetwork",
    ["ec2:DescribeVpcPeeringConnections", "ec2:DescribeRouteTables", "ec2:DescribeVpcs"],
    "*", // EC2's Describe actions have no resource-level permissions
    { StringEquals: { "aws:RequestedRegion": region } },
  );
}
