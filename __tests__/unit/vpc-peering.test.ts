import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { describe, expect, it } from "vitest";
import { VpcPeering } from "../../src/constructs/vpc-peering";
import { resources, synthConstruct } from "../support/synth";

const stack = synthConstruct((scope) => {
  const accepterProvider = new AwsProvider(scope, "aws_shared", { alias: "shared", region: "us-east-1" });
  new VpcPeering(scope, "peering", {
    name: "coalition-prod-to-shared",
    requester: { vpcId: "vpc-prod", vpcCidr: "10.1.0.0/16", routeTableId: "rtb-prod-app" },
    accepter: { accountId: "111111111111", region: "us-east-1", vpcId: "vpc-shared", vpcCidr: "10.0.0.0/16", routeTableId: "rtb-shared-db" },
    accepterProvider,
  });
});
const accepted = "${aws_vpc_peering_connection_accepter.peering_accepter.id}";

describe("VpcPeering", () => {
  it("requests the peering from this account without accepting it itself", () => {
    expect(resources(stack, "aws_vpc_peering_connection").peering_connection).toMatchObject({
      vpc_id: "vpc-prod",
      peer_vpc_id: "vpc-shared",
      peer_owner_id: "111111111111",
      peer_region: "us-east-1",
      auto_accept: false,
    });
    expect(resources(stack, "aws_vpc_peering_connection").peering_connection.provider).toBeUndefined();
  });

  it("accepts it in the other account through the accepter provider", () => {
    expect(resources(stack, "aws_vpc_peering_connection_accepter").peering_accepter).toMatchObject({
      provider: "aws.shared",
      vpc_peering_connection_id: "${aws_vpc_peering_connection.peering_connection.id}",
      auto_accept: true,
    });
  });

  it("resolves DNS across the peering on both sides, once accepted", () => {
    const options = resources(stack, "aws_vpc_peering_connection_options");
    expect(options.peering_requester_options).toMatchObject({
      vpc_peering_connection_id: accepted,
      requester: { allow_remote_vpc_dns_resolution: true },
    });
    expect(options.peering_requester_options.provider).toBeUndefined();
    expect(options.peering_accepter_options).toMatchObject({
      provider: "aws.shared",
      vpc_peering_connection_id: accepted,
      accepter: { allow_remote_vpc_dns_resolution: true },
    });
  });

  it("routes each side's table to the other VPC's range", () => {
    const routes = resources(stack, "aws_route");
    expect(routes.peering_requester_route).toMatchObject({
      route_table_id: "rtb-prod-app",
      destination_cidr_block: "10.0.0.0/16",
      vpc_peering_connection_id: accepted,
    });
    expect(routes.peering_requester_route.provider).toBeUndefined();
    expect(routes.peering_accepter_route).toMatchObject({
      provider: "aws.shared",
      route_table_id: "rtb-shared-db",
      destination_cidr_block: "10.1.0.0/16",
      vpc_peering_connection_id: accepted,
    });
  });
});
