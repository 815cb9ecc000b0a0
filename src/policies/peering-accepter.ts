import { type ApplicationAccount, deployRoleArn, planRoleArn, principalsStatement, rolesStatement } from "./cross-account";
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
 * The actions that assume a role in shared as an environment: the session carries the environment's name as its
 * source identity, which the role's trust pins per caller and its policy keys on (it cannot be changed afterwards).
 */
export const ASSUME_AS_ENVIRONMENT = ["sts:AssumeRole", "sts:SetSourceIdentity"];

/**
 * Trust of `vpc-peering-accepter`: each of the prod and dev deploy roles (`github-actions-prod`, `github-actions-dev`)
 * only as its own environment (source identity `prod` or `dev`), and the configured administrators as either.
 */
export function peeringAccepterTrustPolicy(input: PeeringAccepterInput): PolicyDocument {
  const administrators = input.administratorArns ?? [];
  return policy(
    ...input.requesters.map((requester) =>
      rolesStatement(`${title(requester.environment)}DeployRole`, [deployRoleArn(requester)], ASSUME_AS_ENVIRONMENT, undefined, asEnvironment("sts", requester.environment)),
    ),
    ...(administrators.length > 0
      ? [{ ...principalsStatement("Administrators", administrators, ASSUME_AS_ENVIRONMENT), Condition: asEnvironment("sts", ...input.requesters.map((r) => r.environment)) }]
      : []),
  );
}

/**
 * What the prod and dev stacks do in the shared account through the role: accept their peering
 * (`aws_vpc_peering_connection_accepter`), allow DNS resolution across it
 * (`aws_vpc_peering_connection_options`), tag it (default tags), and route the shared database route
 * table back to them (`aws_route`). A session acts on its own environment's peering only: one whose requesting
 * VPC is in that environment's account, for the session's source identity. A connection's ARN may carry either
 * side's account, so its account is left open and the conditions pin both ends instead.
 *
 * Routes cannot be scoped so: IAM authorizes a route change on its route table alone, with no condition on its
 * destination, and prod and dev share the database route table (README, "Residual risks").
 */
export function peeringAccepterPolicy(input: PeeringAccepterInput): PolicyDocument {
  const { region, sharedAccountId: shared } = input;
  const vpcs = (account: string) => `arn:aws:ec2:${region}:${account}:vpc/*`;
  return policy(
    allow("AcceptIntoSharedVpcs", ["ec2:AcceptVpcPeeringConnection"], vpcs(shared)),
    ...input.requesters.map((requester) =>
      allow(
        `${title(requester.environment)}Peering`,
        [
          "ec2:AcceptVpcPeeringConnection", "ec2:ModifyVpcPeeringConnectionOptions", "ec2:DeleteVpcPeeringConnection",
          "ec2:CreateTags", "ec2:DeleteTags",
        ],
        `arn:aws:ec2:${region}:*:vpc-peering-connection/*`,
        {
          ArnLike: { "ec2:AccepterVpc": vpcs(shared), "ec2:RequesterVpc": vpcs(requester.accountId) },
          ...asEnvironment("aws", requester.environment),
        },
      ),
    ),
    allow("SharedRouteTables", ["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"], `arn:aws:ec2:${region}:${shared}:route-table/*`),
    describeNetwork(region),
  );
}

/** A condition that the session's source identity is one of `environments`: `sts:` when assuming, `aws:` after. */
function asEnvironment(prefix: "sts" | "aws", ...environments: string[]) {
  return { StringEquals: { [`${prefix}:SourceIdentity`]: environments.length === 1 ? environments[0] : environments } };
}

const title = (environment: string) => environment[0].toUpperCase() + environment.slice(1);

/**
 * Trust of `vpc-peering-reader`: only the prod and dev plan roles (`github-actions-{env}-plan`), each as its own
 * environment (the stacks' provider in shared sets it, whichever of the two roles it assumes).
 */
export function peeringReaderTrustPolicy(input: PeeringAccepterInput): PolicyDocument {
  return policy(
    ...input.requesters.map((requester) =>
      rolesStatement(`${title(requester.environment)}PlanRole`, [planRoleArn(requester)], ASSUME_AS_ENVIRONMENT, undefined, asEnvironment("sts", requester.environment)),
    ),
  );
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
