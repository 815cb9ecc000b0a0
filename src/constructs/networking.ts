import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Fn, type IResolvable, propertyAccess, Token } from "cdktf";
import { Construct } from "constructs";
import type { InterfaceEndpointService } from "../config";

export interface NetworkingProps {
  /** Prefix of every Name tag, e.g. `coalition-prod`. */
  readonly namePrefix: string;
  readonly region: string;
  readonly vpcCidr: string;
  /** Two zones; subnet i lives in zone i. */
  readonly availabilityZones: readonly string[];
  /** Public subnets, one per zone; none means no internet gateway at all. */
  readonly publicSubnetCidrs: readonly string[];
  /** Private subnets, one per zone. They share one route table with no default route. */
  readonly privateSubnetCidrs: readonly string[];
  /** What the private subnets hold, used in names: `app` (Lambda) or `db` (RDS). */
  readonly privateTier: "app" | "db";
  /** Interface endpoints with private DNS, in the first private subnet only (each costs per zone). */
  readonly interfaceEndpoints?: readonly InterfaceEndpointService[];
  /**
   * When given, the interface endpoints and their security group exist only while this
   * Terraform expression is true (addresses then end in `[0]`). Defaults to always.
   */
  readonly interfaceEndpointsEnabled?: IResolvable | boolean;
}

/**
 * An account's VPC: public subnets behind an internet gateway, private subnets without any route
 * to the internet (no NAT), an S3 gateway endpoint on every route table, and the interface
 * endpoints that let Lambda reach AWS services from the private subnets.
 */
export class Networking extends Construct {
  readonly vpc: Vpc;
  readonly publicSubnets: Subnet[];
  readonly privateSubnets: Subnet[];
  readonly privateRouteTable: RouteTable;
  readonly publicRouteTable?: RouteTable;
  /** The S3 gateway endpoint; its prefix list is S3's address range inside the VPC. */
  readonly s3Endpoint: VpcEndpoint;
  readonly interfaceEndpoints: Partial<Record<InterfaceEndpointService, VpcEndpoint>> = {};
  readonly endpointSecurityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkingProps) {
    super(scope, id);
    if (props.availabilityZones.length !== 2) throw new Error("Networking: availabilityZones must name two zones");
    if (props.privateSubnetCidrs.length !== 2) throw new Error("Networking: privateSubnetCidrs must list one subnet per zone");
    if (![0, 2].includes(props.publicSubnetCidrs.length)) throw new Error("Networking: publicSubnetCidrs must list one subnet per zone, or none");
    const name = (suffix: string) => ({ Name: `${props.namePrefix}-${suffix}` });
    const zoneLetter = (i: number) => props.availabilityZones[i].slice(-1);

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true, // private DNS names of interface endpoints need both
      tags: name("vpc"),
    });
    // Takes every rule away from the default group, so nothing can fall back on it.
    new DefaultSecurityGroup(this, "default_security_group", { vpcId: this.vpc.id, tags: name("default-deny") });

    const subnets = (tier: string, cidrs: readonly string[], isPublic: boolean) =>
      cidrs.map(
        (cidr, i) =>
          new Subnet(this, `${tier}_${zoneLetter(i)}`, {
            vpcId: this.vpc.id,
            cidrBlock: cidr,
            availabilityZone: props.availabilityZones[i],
            mapPublicIpOnLaunch: false, // public addresses are given explicitly (bastion EIP), never by default
            tags: { ...name(`${tier}-${zoneLetter(i)}`), Tier: isPublic ? "public" : tier },
          }),
      );
    this.publicSubnets = subnets("public", props.publicSubnetCidrs, true);
    this.privateSubnets = subnets(props.privateTier, props.privateSubnetCidrs, false);

    const routeTables: RouteTable[] = [];
    if (this.publicSubnets.length > 0) {
      const gateway = new InternetGateway(this, "internet_gateway", { vpcId: this.vpc.id, tags: name("igw") });
      this.publicRouteTable = new RouteTable(this, "public_route_table", { vpcId: this.vpc.id, tags: name("public") });
      new Route(this, "public_internet_route", {
        routeTableId: this.publicRouteTable.id,
        destinationCidrBlock: "0.0.0.0/0",
        gatewayId: gateway.id,
      });
      this.associate(this.publicSubnets, this.publicRouteTable);
      routeTables.push(this.publicRouteTable);
    }
    // No default route: the private subnets reach only the VPC, its endpoints and peered VPCs.
    this.privateRouteTable = new RouteTable(this, `${props.privateTier}_route_table`, {
      vpcId: this.vpc.id,
      tags: name(props.privateTier),
    });
    this.associate(this.privateSubnets, this.privateRouteTable);
    routeTables.push(this.privateRouteTable);

    this.s3Endpoint = new VpcEndpoint(this, "s3_endpoint", {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: routeTables.map((table) => table.id),
      tags: name("s3"),
    });

    const services = props.interfaceEndpoints ?? [];
    if (services.length > 0) {
      const count =
        props.interfaceEndpointsEnabled === undefined
          ? undefined
          : Token.asNumber(Fn.conditional(props.interfaceEndpointsEnabled, 1, 0));
      this.endpointSecurityGroup = new SecurityGroup(this, "endpoint_security_group", {
        count,
        name: `${props.namePrefix}-vpc-endpoints`,
        description: "HTTPS from inside the VPC to the interface endpoints",
        vpcId: this.vpc.id,
        ingress: [
          {
            description: "HTTPS from the VPC",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: [props.vpcCidr],
          },
        ],
        egress: [],
        tags: name("vpc-endpoints"),
      });
      // With a count, the group is aws_security_group.<name>[0]; the endpoints exist only when it does.
      const securityGroupId =
        count === undefined
          ? this.endpointSecurityGroup.id
          : Token.asString(propertyAccess(this.endpointSecurityGroup.fqn, [0, "id"]));
      for (const service of services) {
        this.interfaceEndpoints[service] = new VpcEndpoint(this, `${service}_endpoint`, {
          count,
          vpcId: this.vpc.id,
          serviceName: `com.amazonaws.${props.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: [this.privateSubnets[0].id],
          securityGroupIds: [securityGroupId],
          tags: name(`${service.replace(".", "-")}-endpoint`),
        });
      }
    }
  }

  private associate(subnets: Subnet[], table: RouteTable): void {
    for (const subnet of subnets) {
      new RouteTableAssociation(this, `${subnet.node.id}_route_table`, { subnetId: subnet.id, routeTableId: table.id });
    }
  }
}
