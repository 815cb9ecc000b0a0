import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { TerraformDataSource, TerraformOutput, TerraformResource, TerraformVariable, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { danglingReferences, ReadableStack, toSnakeCase } from "../../src/naming/addresses";

/** ReadableStack's addresses, its checks at synth and its rewrites, on small stacks (addresses.test.ts has more). */
function stack(id = "test"): ReadableStack {
  const scope = new ReadableStack(Testing.app(), id);
  new AwsProvider(scope, "aws", { region: "us-east-1" });
  return scope;
}
const synth = (scope: ReadableStack) => JSON.parse(Testing.synth(scope, true));

describe("addresses", () => {
  it("leave out cdktf's Default ids, and join the rest in snake case", () => {
    const scope = stack();
    new Vpc(new Construct(new Construct(scope, "Network"), "Default"), "MainVpc", { cidrBlock: "10.0.0.0/16" });
    expect(Object.keys(synth(scope).resource.aws_vpc)).toEqual(["network_main_vpc"]);
  });

  it("refuse a path that gives no valid Terraform name", () => {
    const scope = stack();
    expect(() => new Vpc(new Construct(scope, "1st"), "vpc", { cidrBlock: "10.0.0.0/16" }).friendlyUniqueId).toThrow(
      'Construct path "1st/vpc" gives the Terraform name "1st_vpc", which is not a valid identifier',
    );
  });

  it("give an element the same address each time it is asked", () => {
    const scope = stack();
    const vpc = new Vpc(scope, "vpc", { cidrBlock: "10.0.0.0/16" });
    expect(scope.getLogicalId(vpc)).toBe("vpc");
    expect(scope.getLogicalId(vpc)).toBe("vpc");
  });

  it("keep resources, data sources, outputs and variables in namespaces of their own", () => {
    // Each element at a path of its own, all four mapping to the name a_b_main.
    const scope = stack();
    const a = new Construct(scope, "a");
    new Vpc(a, "b_main", { cidrBlock: "10.0.0.0/16" });
    new DataAwsVpc(new Construct(scope, "a_b"), "main", { id: "vpc-1" });
    new TerraformOutput(new Construct(a, "b"), "main", { value: "x" });
    new TerraformVariable(new Construct(scope, "a_b_main"), "Default", {});
    const json = synth(scope);
    expect([Object.keys(json.resource.aws_vpc), Object.keys(json.data.aws_vpc), Object.keys(json.output), Object.keys(json.variable)]).toEqual([
      ["a_b_main"],
      ["a_b_main"],
      ["a_b_main"],
      ["a_b_main"],
    ]);
  });

  it("let data sources of different types share a name", () => {
    const scope = stack();
    new DataAwsVpc(new Construct(scope, "a"), "b", {});
    new DataAwsSubnet(new Construct(scope, "a_b"), "Default", {});
    const json = synth(scope);
    expect([Object.keys(json.data.aws_vpc), Object.keys(json.data.aws_subnet)]).toEqual([["a_b"], ["a_b"]]);
  });

  it("make two data sources of one type collide whatever their classes, and two resources likewise", () => {
    const data = stack();
    void new DataAwsVpc(new Construct(data, "a"), "b_vpc", {}).friendlyUniqueId;
    expect(() => new TerraformDataSource(new Construct(data, "a_b"), "vpc", { terraformResourceType: "aws_vpc" }).friendlyUniqueId).toThrow(
      '"a/b_vpc" and "a_b/vpc" both map to the Terraform name "a_b_vpc"',
    );
    const resources = stack();
    void new Vpc(new Construct(resources, "a"), "b_vpc", { cidrBlock: "10.0.0.0/16" }).friendlyUniqueId;
    expect(() => new TerraformResource(new Construct(resources, "a_b"), "vpc", { terraformResourceType: "aws_vpc" }).friendlyUniqueId).toThrow(
      '"a/b_vpc" and "a_b/vpc" both map to the Terraform name "a_b_vpc"',
    );
  });
});

describe("a synth of several stacks", () => {
  it("passes when each stack refers only to its own resources, and leaves the app's wiring as it was", () => {
    const app = Testing.app();
    const producer = new ReadableStack(app, "producer");
    new AwsProvider(producer, "aws", { region: "us-east-1" });
    const vpc = new Vpc(producer, "vpc", { cidrBlock: "10.0.0.0/16" });
    new Subnet(producer, "subnet", { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" });
    const consumer = new ReadableStack(app, "consumer");
    new AwsProvider(consumer, "aws", { region: "us-east-1" });
    const own = new Vpc(consumer, "vpc", { cidrBlock: "10.1.0.0/16" });
    new Subnet(consumer, "subnet", { vpcId: own.id, cidrBlock: "10.1.1.0/24" });
    const wiring = app.crossStackReference;
    expect(() => app.synth()).not.toThrow();
    expect(app.crossStackReference).toBe(wiring);
  });
});

describe("rewrites", () => {
  it("apply in the order added, every time the stack is rendered", () => {
    const scope = stack();
    scope.addRewrite((json) => ({ ...json, seen: ["first"] }));
    scope.addRewrite((json) => ({ ...json, seen: [...((json as any).seen ?? []), "second"] }));
    expect((scope.toTerraform() as any).seen).toEqual(["first", "second"]);
    expect(synth(scope).seen).toEqual(["first", "second"]);
  });
});

describe("dangling references", () => {
  it("count locals as declared, read nested braces, and report in sorted order", () => {
    expect(
      danglingReferences({
        locals: { name: "x" },
        output: {
          a: { value: "${merge({ a = aws_subnet.missing.id }, { b = local.name })} ${var.zeta} ${aws_alb.missing.arn}" },
          b: { value: ["${local.other}", { nested: "${data.aws_ami.gone.id}" }] },
        },
      }),
    ).toEqual(["aws_alb.missing", "aws_subnet.missing", "data.aws_ami.gone", "local.other", "var.zeta"]);
  });

  it("skip the // metadata, string literals, and values that are not strings", () => {
    expect(
      danglingReferences({
        "//": { metadata: { note: "${aws_vpc.in_metadata.id}" } },
        resource: { aws_instance: { a: { count: 2, enabled: true, tags: null, missing: undefined, user_data: '${templatefile("aws_vpc.in_a_string", {})}' } } },
      }),
    ).toEqual([]);
  });
});

describe("snake case", () => {
  it.each([
    ["public--a", "public_a"],
    ["__edge__", "edge"],
    ["-x-", "x"],
    ["a..b", "a_b"],
    ["HTTPSListener", "httpslistener"],
    ["ipv6Cidr", "ipv6_cidr"],
  ])("turns %s into %s", (id, expected) => expect(toSnakeCase(id)).toBe(expected));
});
