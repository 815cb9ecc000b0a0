import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn, Testing } from "cdktf";
import { danglingReferences, ReadableStack, toSnakeCase } from "../../src/naming/addresses";
import { resources, synthConstruct } from "../support/synth";

describe("readable addresses", () => {
  it.each([
    ["PrivateRouteTable", "private_route_table"],
    ["geo.places_endpoint", "geo_places_endpoint"],
    ["public-a", "public_a"],
    ["vpc", "vpc"],
  ])("turns %s into %s", (id, expected) => expect(toSnakeCase(id)).toBe(expected));

  it("joins the construct path without a hash", () => {
    const stack = synthConstruct((scope) => {
      const group = new Construct(scope, "Network");
      new Vpc(new Construct(group, "Inner"), "main-vpc", { cidrBlock: "10.0.0.0/16" });
    });
    expect(Object.keys(resources(stack, "aws_vpc"))).toEqual(["network_inner_main_vpc"]);
  });

  it("fails the synth when two paths would share an address", () => {
    expect(() =>
      synthConstruct((scope) => {
        new Vpc(new Construct(scope, "a"), "b_vpc", { cidrBlock: "10.0.0.0/16" });
        new Vpc(new Construct(scope, "a_b"), "vpc", { cidrBlock: "10.1.0.0/16" });
      }),
    ).toThrow(/"a\/b_vpc" and "a_b\/vpc" both map to the Terraform name "a_b_vpc"/);
  });

  it("lets names repeat across namespaces (a resource type and outputs)", () => {
    const stack = synthConstruct((scope) => {
      new Vpc(new Construct(scope, "main"), "vpc", { cidrBlock: "10.0.0.0/16" });
      new TerraformOutput(scope, "main_vpc", { value: "x" });
    });
    expect(Object.keys(resources(stack, "aws_vpc"))).toEqual(["main_vpc"]);
    expect(Object.keys(stack.output ?? {})).toEqual(["main_vpc"]);
  });

  it("fails the synth on an implicit cross-stack reference instead of writing a dangling one", () => {
    const app = Testing.app();
    const producer = new ReadableStack(app, "producer");
    new AwsProvider(producer, "aws", { region: "us-east-1" });
    const vpc = new Vpc(producer, "vpc", { cidrBlock: "10.0.0.0/16" });
    const consumer = new ReadableStack(app, "consumer");
    new AwsProvider(consumer, "aws", { region: "us-east-1" });
    new Vpc(consumer, "copy", { cidrBlock: vpc.cidrBlock });
    expect(() => app.synth()).toThrow(/aws_vpc\.vpc is not declared in this stack: read other stacks through remote state/);
  });

  it("fails the synth on a value of another stack whose address this stack also declares", () => {
    const app = Testing.app();
    const producer = new ReadableStack(app, "producer");
    new AwsProvider(producer, "aws", { region: "us-east-1" });
    const vpc = new Vpc(producer, "vpc", { cidrBlock: "10.0.0.0/16" });
    const consumer = new ReadableStack(app, "consumer");
    new AwsProvider(consumer, "aws", { region: "us-east-1" });
    new Vpc(consumer, "vpc", { cidrBlock: "10.1.0.0/16" });
    new TerraformOutput(consumer, "other_vpc", { value: Fn.upper(vpc.id) });
    expect(() => app.synth()).toThrow(/aws_vpc\.vpc\.id belongs to the stack "producer": read other stacks through remote state/);
    expect(producer.node.findAll().filter((node) => node instanceof TerraformOutput)).toEqual([]);
  });

  it("finds the references a stack does not declare, ignoring string literals and built-ins", () => {
    const stack = {
      resource: { aws_vpc: { main: {} } },
      data: { aws_ssm_parameter: { image: {} } },
      variable: { enabled: {} },
      output: {
        a: { value: "${aws_vpc.main.id}-${data.aws_ssm_parameter.image.value}-${var.enabled ? 1 : 0}" },
        b: { value: '${lookup(var.enabled, "aws_vpc.not_a_reference", count.index)}' },
        c: { value: "${aws_subnet.elsewhere.id} ${data.aws_ami.missing.id} ${var.missing}" },
      },
    };
    expect(danglingReferences(stack)).toEqual(["aws_subnet.elsewhere", "data.aws_ami.missing", "var.missing"]);
  });

  it("rejects a path that is not a valid Terraform name", () => {
    expect(() => synthConstruct((scope) => new Vpc(scope, "1st", { cidrBlock: "10.0.0.0/16" }))).toThrow(/not a valid identifier/);
  });
});
