import { TerraformVariable } from "cdktf";
import { describe, expect, it } from "vitest";
import { Networking, type NetworkingProps } from "../../src/constructs/networking";
import { resources, synthConstruct } from "../support/synth";

const base: NetworkingProps = {
  namePrefix: "coalition-prod",
  region: "us-east-1",
  vpcCidr: "10.1.0.0/16",
  availabilityZones: ["us-east-1a", "us-east-1b"],
  publicSubnetCidrs: ["10.1.1.0/24", "10.1.2.0/24"],
  privateSubnetCidrs: ["10.1.3.0/24", "10.1.4.0/24"],
  privateTier: "app",
  interfaceEndpoints: ["secretsmanager", "logs", "geo.places", "email"],
};

const synth = (props: Partial<NetworkingProps> = {}) =>
  synthConstruct((stack) => new Networking(stack, "network", { ...base, ...props }));

describe("Networking", () => {
  it("creates a DNS-enabled VPC and locks down its default security group", () => {
    const stack = synth();
    expect(resources(stack, "aws_vpc").network_vpc).toMatchObject({
      cidr_block: "10.1.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
    const defaultGroup = resources(stack, "aws_default_security_group").network_default_security_group;
    expect(defaultGroup.ingress).toBeUndefined();
    expect(defaultGroup.egress).toBeUndefined();
  });

  it("puts one public and one private subnet in each zone, none with automatic public addresses", () => {
    const subnets = resources(synth(), "aws_subnet");
    expect(Object.keys(subnets).sort()).toEqual(["network_app_a", "network_app_b", "network_public_a", "network_public_b"]);
    expect(subnets.network_public_b).toMatchObject({ cidr_block: "10.1.2.0/24", availability_zone: "us-east-1b" });
    expect(subnets.network_app_a).toMatchObject({ cidr_block: "10.1.3.0/24", availability_zone: "us-east-1a" });
    for (const subnet of Object.values(subnets)) expect(subnet.map_public_ip_on_launch).toBe(false);
  });

  it("routes only the public subnets to the internet gateway, and has no NAT", () => {
    const stack = synth();
    const routes = resources(stack, "aws_route");
    expect(Object.values(routes)).toEqual([
      expect.objectContaining({
        route_table_id: "${aws_route_table.network_public_route_table.id}",
        destination_cidr_block: "0.0.0.0/0",
        gateway_id: "${aws_internet_gateway.network_internet_gateway.id}",
      }),
    ]);
    expect(resources(stack, "aws_route_table").network_app_route_table.route).toBeUndefined();
    expect(resources(stack, "aws_nat_gateway")).toEqual({});
    const associations = Object.values(resources(stack, "aws_route_table_association"));
    expect(associations.map((a) => [a.subnet_id, a.route_table_id]).sort()).toEqual([
      ["${aws_subnet.network_app_a.id}", "${aws_route_table.network_app_route_table.id}"],
      ["${aws_subnet.network_app_b.id}", "${aws_route_table.network_app_route_table.id}"],
      ["${aws_subnet.network_public_a.id}", "${aws_route_table.network_public_route_table.id}"],
      ["${aws_subnet.network_public_b.id}", "${aws_route_table.network_public_route_table.id}"],
    ]);
  });

  it("has no internet gateway at all without public subnets", () => {
    const stack = synth({ publicSubnetCidrs: [] });
    expect(resources(stack, "aws_internet_gateway")).toEqual({});
    expect(resources(stack, "aws_route")).toEqual({});
    expect(resources(stack, "aws_vpc_endpoint").network_s3_endpoint.route_table_ids).toEqual([
      "${aws_route_table.network_app_route_table.id}",
    ]);
  });

  it("attaches an S3 gateway endpoint to every route table", () => {
    expect(resources(synth(), "aws_vpc_endpoint").network_s3_endpoint).toMatchObject({
      vpc_endpoint_type: "Gateway",
      service_name: "com.amazonaws.us-east-1.s3",
      route_table_ids: ["${aws_route_table.network_public_route_table.id}", "${aws_route_table.network_app_route_table.id}"],
    });
  });

  it("creates each interface endpoint with private DNS in the first private subnet, behind HTTPS from the VPC", () => {
    const stack = synth();
    const endpoints = resources(stack, "aws_vpc_endpoint");
    const services = ["secretsmanager", "logs", "geo_places", "email"];
    for (const service of services) {
      expect(endpoints[`network_${service}_endpoint`]).toMatchObject({
        vpc_endpoint_type: "Interface",
        service_name: `com.amazonaws.us-east-1.${service.replace("_", ".")}`,
        private_dns_enabled: true,
        subnet_ids: ["${aws_subnet.network_app_a.id}"],
        security_group_ids: ["${aws_security_group.network_endpoint_security_group.id}"],
      });
      expect(endpoints[`network_${service}_endpoint`].count).toBeUndefined();
    }
    const group = resources(stack, "aws_security_group").network_endpoint_security_group;
    expect(group.ingress).toEqual([
      expect.objectContaining({ protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["10.1.0.0/16"] }),
    ]);
    expect(group.egress).toEqual([]);
  });

  it("creates no interface endpoint or endpoint group when none is asked for", () => {
    const stack = synth({ interfaceEndpoints: [] });
    expect(Object.keys(resources(stack, "aws_vpc_endpoint"))).toEqual(["network_s3_endpoint"]);
    expect(resources(stack, "aws_security_group")).toEqual({});
  });

  it("puts the interface endpoints and their group behind a Terraform switch when given one", () => {
    const stack = synthConstruct((scope) => {
      const enabled = new TerraformVariable(scope, "enable_vpc_endpoints", { type: "bool", default: true });
      new Networking(scope, "network", { ...base, interfaceEndpoints: ["logs"], interfaceEndpointsEnabled: enabled.booleanValue });
    });
    const endpoints = resources(stack, "aws_vpc_endpoint");
    expect(endpoints.network_logs_endpoint.count).toBe("${var.enable_vpc_endpoints ? 1 : 0}");
    expect(endpoints.network_logs_endpoint.security_group_ids).toEqual(["${aws_security_group.network_endpoint_security_group.0.id}"]);
    expect(resources(stack, "aws_security_group").network_endpoint_security_group.count).toBe("${var.enable_vpc_endpoints ? 1 : 0}");
    expect(endpoints.network_s3_endpoint.count).toBeUndefined();
  });

  it("rejects a subnet list that does not match the two zones", () => {
    expect(() => synth({ privateSubnetCidrs: ["10.1.3.0/24"] })).toThrow(/privateSubnetCidrs must list one subnet per zone/);
    expect(() => synth({ publicSubnetCidrs: ["10.1.1.0/24"] })).toThrow(/publicSubnetCidrs/);
    expect(() => synth({ availabilityZones: ["us-east-1a"] })).toThrow(/availabilityZones must name two zones/);
  });
});
