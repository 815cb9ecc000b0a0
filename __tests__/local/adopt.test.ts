import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ADOPTION_FILE, adoptTagged, creationsIn, importIdFromArn, missingImports, planAdoption, writeAdoption } from "../../src/local/adopt";

// The lines an apply prints as it goes (-no-color), cut where the process was killed.
const KILLED_APPLY = `
data.terraform_remote_state.shared: Reading...
aws_vpc.network_vpc_5E1C7D2A: Creating...
aws_iam_role.lambda_role_6B0D1F2E: Creating...
aws_kms_key.logs_key_0A1B2C3D: Creating...
aws_s3_bucket.assets_bucket_11AA22BB: Creating...
aws_iam_role.lambda_role_6B0D1F2E: Creation complete after 1s [id=coalition-prod-lambda]
aws_vpc.network_vpc_5E1C7D2A: Creation complete after 2s [id=vpc-0a1b2c3d4e5f60718]
aws_route.public_default_9F8E7D6C: Creating...
aws_iam_role_policy.lambda_logs_1F2E3D4C: Creating...
aws_wafv2_web_acl.api_acl_2B3C4D5E: Creation complete after 1s [id=8f9e7d6c-0000-4000-8000-00000000aaaa]
aws_kms_key.logs_key_0A1B2C3D: Still creating... [10s elapsed]
aws_subnet.network_private_a_77FF0011["a"]: Creation complete after 1s [id=subnet-0123]
aws_vpc.network_vpc_5E1C7D2A: Modifications complete after 1s [id=vpc-0a1b2c3d4e5f60718]
`;

const STACK = {
  resource: {
    aws_vpc: { network_vpc_5E1C7D2A: { cidr_block: "10.1.0.0/16" } },
    aws_iam_role: { lambda_role_6B0D1F2E: { name: "coalition-prod-lambda" } },
    aws_kms_key: { logs_key_0A1B2C3D: { description: "logs", tags: { TerraformAddress: "aws_kms_key.logs_key_0A1B2C3D" } } },
    aws_s3_bucket: { assets_bucket_11AA22BB: { bucket: "coalition-prod-assets" } },
    aws_route: { public_default_9F8E7D6C: { route_table_id: "${aws_route_table.public.id}", destination_cidr_block: "0.0.0.0/0" } },
    aws_iam_role_policy: { lambda_logs_1F2E3D4C: { role: "${aws_iam_role.lambda_role_6B0D1F2E.name}" } },
    aws_wafv2_web_acl: { api_acl_2B3C4D5E: { name: "coalition-prod-api", scope: "REGIONAL" } },
    aws_subnet: { network_private_a_77FF0011: { for_each: "${var.zones}" } },
  },
};

describe("what a killed apply began to create", () => {
  it("reads each resource it began, with the ID of those it finished", () => {
    expect(creationsIn(KILLED_APPLY)).toEqual([
      { address: "aws_vpc.network_vpc_5E1C7D2A", id: "vpc-0a1b2c3d4e5f60718" },
      { address: "aws_iam_role.lambda_role_6B0D1F2E", id: "coalition-prod-lambda" },
      { address: "aws_kms_key.logs_key_0A1B2C3D", id: undefined },
      { address: "aws_s3_bucket.assets_bucket_11AA22BB", id: undefined },
      { address: "aws_route.public_default_9F8E7D6C", id: undefined },
      { address: "aws_iam_role_policy.lambda_logs_1F2E3D4C", id: undefined },
      { address: "aws_wafv2_web_acl.api_acl_2B3C4D5E", id: "8f9e7d6c-0000-4000-8000-00000000aaaa" },
      { address: 'aws_subnet.network_private_a_77FF0011["a"]', id: "subnet-0123" },
    ]);
  });

  it("an output with no creation names none", () => {
    expect(creationsIn("No changes. Your infrastructure matches the configuration.\n")).toEqual([]);
  });
});

describe("the adoption of what a killed apply created", () => {
  const creations = creationsIn(KILLED_APPLY);

  it("imports what the state lacks: by the printed ID, by the configured name when no ID was printed, or by an import ID spelled from its arguments", () => {
    const inState = new Map([
      ["aws_iam_role.lambda_role_6B0D1F2E", "coalition-prod-lambda"],
      ["aws_route_table.public", "rtb-0f00"],
    ]);
    const plan = planAdoption(creations, inState, STACK);
    expect(plan.imports).toEqual([
      { to: "aws_vpc.network_vpc_5E1C7D2A", id: "vpc-0a1b2c3d4e5f60718" },
      { to: "aws_s3_bucket.assets_bucket_11AA22BB", id: "coalition-prod-assets" },
      { to: 'aws_subnet.network_private_a_77FF0011["a"]', id: "subnet-0123" },
      // A route is imported as <route table>_<destination>, its table's ID read from the state.
      { to: "aws_route.public_default_9F8E7D6C", id: "rtb-0f00_0.0.0.0/0" },
      // A web ACL as <ID>/<name>/<scope>, not by the ID alone.
      { to: "aws_wafv2_web_acl.api_acl_2B3C4D5E", id: "8f9e7d6c-0000-4000-8000-00000000aaaa/coalition-prod-api/REGIONAL" },
    ]);
    // A key with no name and no printed ID cannot be adopted from the output: said so. An inline policy written
    // again is the same policy: neither adopted nor reported.
    expect(plan.unknown.map(({ address }) => address)).toEqual(["aws_kms_key.logs_key_0A1B2C3D"]);
    expect(plan.unknown[0].byTag).toBe(true);
  });

  it("a route whose table is neither in the state nor adopted is reported, not imported under a guessed ID", () => {
    const plan = planAdoption(creations, new Map(), STACK);
    expect(plan.imports.map(({ to }) => to)).not.toContain("aws_route.public_default_9F8E7D6C");
    expect(plan.unknown.find(({ address }) => address === "aws_route.public_default_9F8E7D6C")?.reason).toContain("{route_table_id}_{destination_cidr_block}");
  });

  it("leaves out what the state holds, what the stack imports itself, and what the stack no longer has", () => {
    const stack = { ...STACK, import: [{ to: "aws_vpc.network_vpc_5E1C7D2A", id: "vpc-x" }], resource: { ...STACK.resource, aws_s3_bucket: {}, aws_route: {}, aws_wafv2_web_acl: {} } };
    const inState = new Map([
      ['aws_subnet.network_private_a_77FF0011["a"]', "subnet-0123"],
      ["aws_iam_role.lambda_role_6B0D1F2E", "coalition-prod-lambda"],
    ]);
    expect(planAdoption(creations, inState, stack).imports).toEqual([]);
  });

  it("spells an ARN-imported object's import ID from its name and the stack's account and region", () => {
    const stack = {
      provider: { aws: [{ region: "us-east-1", allowed_account_ids: ["222222222222"] }, { alias: "shared", region: "us-east-1", allowed_account_ids: ["111111111111"] }] },
      resource: { aws_iam_policy: { boundary_policy: { name: "coalition-boundary" } }, aws_sns_topic: { alerts_topic: { name: "coalition-prod-alerts" } } },
    };
    const output = "aws_iam_policy.boundary_policy: Creating...\naws_sns_topic.alerts_topic: Creating...\n";
    expect(planAdoption(creationsIn(output), new Map(), stack).imports).toEqual([
      { to: "aws_iam_policy.boundary_policy", id: "arn:aws:iam::222222222222:policy/coalition-boundary" },
      { to: "aws_sns_topic.alerts_topic", id: "arn:aws:sns:us-east-1:222222222222:coalition-prod-alerts" },
    ]);
  });

  it("uses a configured name only when it is written out, not a reference", () => {
    const stack = { resource: { aws_s3_bucket: { assets_bucket_11AA22BB: { bucket: "${var.prefix}-assets" } } } };
    expect(planAdoption(creations, new Map(), stack).imports).toEqual([]);
  });

  it("finds an object whose ID was never printed by its address tag, and imports it when exactly one carries it", () => {
    const plan = planAdoption(creations, new Map(), STACK);
    const key = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const found = adoptTagged(plan, new Map([["aws_kms_key.logs_key_0A1B2C3D", [key]], ["aws_route.public_default_9F8E7D6C", ["arn:aws:ec2:us-east-1:222222222222:route/x"]]]));
    expect(found.imports).toContainEqual({ to: "aws_kms_key.logs_key_0A1B2C3D", id: "1234abcd-12ab-34cd-56ef-1234567890ab" });
    // The route takes no tags: whatever carries its address is not it.
    expect(found.unknown.map(({ address }) => address)).toEqual(["aws_route.public_default_9F8E7D6C"]);

    const twice = adoptTagged(plan, new Map([["aws_kms_key.logs_key_0A1B2C3D", [key, `${key}0`]]]));
    expect(twice.imports.map(({ to }) => to)).not.toContain("aws_kms_key.logs_key_0A1B2C3D");
    expect(twice.unknown[0].reason).toMatch(/^2 objects carry its address tag/);
    const none = adoptTagged(plan, new Map());
    expect(none.unknown[0].reason).toMatch(/no object carries its address tag$/);
  });

  it("imports an object found by tag by the end of its ARN, or by the ARN for the types AWS imports so", () => {
    expect(importIdFromArn("aws_vpc", "arn:aws:ec2:us-east-1:222222222222:vpc/vpc-0a1b")).toBe("vpc-0a1b");
    expect(importIdFromArn("aws_route53_zone", "arn:aws:route53:::hostedzone/Z0123")).toBe("Z0123");
    expect(importIdFromArn("aws_wafv2_web_acl", "arn:aws:wafv2:us-east-1:222222222222:regional/webacl/coalition-prod-api/8f9e")).toBe("8f9e/coalition-prod-api/REGIONAL");
    expect(importIdFromArn("aws_wafv2_web_acl", "arn:aws:wafv2:us-east-1:222222222222:global/webacl/edge/77aa")).toBe("77aa/edge/CLOUDFRONT");
    const topic = "arn:aws:sns:us-east-1:222222222222:coalition-prod-alerts";
    expect(importIdFromArn("aws_sns_topic", topic)).toBe(topic);
  });

  it("writes the import blocks next to the stack, and removes the file when there is nothing to adopt", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "coalition-adopt-"));
    writeAdoption(dir, [{ to: "aws_vpc.network_vpc_5E1C7D2A", id: "vpc-0a1b" }]);
    const written = JSON.parse(readFileSync(path.join(dir, ADOPTION_FILE), "utf8"));
    expect(written.import).toEqual([{ to: "aws_vpc.network_vpc_5E1C7D2A", id: "vpc-0a1b" }]);
    writeAdoption(dir, []);
    expect(existsSync(path.join(dir, ADOPTION_FILE))).toBe(false);
  });

  it("reads which imports found nothing from Terraform's error, however it is wrapped", () => {
    const output = `│ Error: Cannot import non-existent remote object
│
│ While attempting to import an existing object to
│ "aws_s3_bucket.assets_bucket_11AA22BB", the provider detected that no
│ object exists with the given id. Only pre-existing objects can be
│ imported; check that the id is correct and that it is associated with the
│ provider's configured region or endpoint, or use "terraform apply" to
│ create a new remote object for this resource.
`;
    expect(missingImports(output)).toEqual(["aws_s3_bucket.assets_bucket_11AA22BB"]);
    expect(missingImports("Error: creating S3 Bucket: BucketAlreadyExists")).toEqual([]);
  });
});
