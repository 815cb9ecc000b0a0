import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route } from "@cdktf/provider-aws/lib/route";
import { VpcPeeringConnection } from "@cdktf/provider-aws/lib/vpc-peering-connection";
import { VpcPeeringConnectionAccepterA } from "@cdktf/provider-aws/lib/vpc-peering-connection-accepter";
import { VpcPeeringConnectionOptions } from "@cdktf/provider-aws/lib/vpc-peering-connection-options";
import { Construct } from "constructs";

/** One side of a peering: a VPC, its range, and the route table that should reach the other side. */
export interface PeeringSide {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly routeTableId: string;
}

export interface VpcPeeringProps {
  /** Name tag of the connection, e.g. `coalition-prod-to-shared`. */
  readonly name: string;
  /** The VPC asking for the peering (prod or dev), managed by the default provider. */
  readonly requester: PeeringSide;
  /** The VPC accepting it (shared), managed through `accepterProvider`. */
  readonly accepter: PeeringSide & { readonly accountId: string; readonly region: string };
  /** Provider acting in the accepter's account (the assumed accepter role). */
  readonly accepterProvider: AwsProvider;
}

/**
 * A cross-account VPC peering, requested from this account and accepted in the other one in the
 * same apply, with DNS resolution across it and a route on each side to the other VPC's range.
 */
export class VpcPeering extends Construct {
  readonly connection: VpcPeeringConnection;
  /** The connection id, known once the accepter side has accepted it. */
  readonly activeConnectionId: string;

  constructor(scope: Construct, id: string, props: VpcPeeringProps) {
    super(scope, id);
    const tags = (side: string) => ({ Name: props.name, Side: side });

    this.connection = new VpcPeeringConnection(this, "connection", {
      vpcId: props.requester.vpcId,
      peerVpcId: props.accepter.vpcId,
      peerOwnerId: props.accepter.accountId,
      peerRegion: props.accepter.region,
      autoAccept: false, // cross-account: only the accepter can accept
      tags: tags("requester"),
    });
    const accepter = new VpcPeeringConnectionAccepterA(this, "accepter", {
      provider: props.accepterProvider,
      vpcPeeringConnectionId: this.connection.id,
      autoAccept: true,
      tags: tags("accepter"),
    });
    // Everything below needs an active connection, so it refers to the accepted one.
    this.activeConnectionId = accepter.id;

    new VpcPeeringConnectionOptions(this, "requester_options", {
      vpcPeeringConnectionId: this.activeConnectionId,
      requester: { allowRemoteVpcDnsResolution: true },
    });
    new VpcPeeringConnectionOptions(this, "accepter_options", {
      provider: props.accepterProvider,
      vpcPeeringConnectionId: this.activeConnectionId,
      accepter: { allowRemoteVpcDnsResolution: true },
    });

    new Route(this, "requester_route", {
      routeTableId: props.requester.routeTableId,
      destinationCidrBlock: props.accepter.vpcCidr,
      vpcPeeringConnectionId: this.activeConnectionId,
    });
    new Route(this, "accepter_route", {
      provider: props.accepterProvider,
      routeTableId: props.accepter.routeTableId,
      destinationCidrBlock: props.requester.vpcCidr,
      vpcPeeringConnectionId: this.activeConnectionId,
    });
  }
}
