import { TerraformOutput, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../../src/config";
import { SHARED_OUTPUTS } from "../../src/contract/shared-outputs";
import { definePlatform } from "../../stacks/platform";
import { addresses, exampleConfig, resources, synthPlatform, type StackJson } from "../support/synth";

const config = exampleConfig();
const stacks = synthPlatform(config);

/** Names of the shared outputs a consumer stack reads through its remote state. */
function remoteOutputsRead(consumer: StackJson): string[] {
  const text = JSON.stringify({ ...consumer, data: undefined });
  return [...new Set([...text.matchAll(/data\.terraform_remote_state\.shared\.outputs\.(\w+)/g)].map((m) => m[1]))].sort();
}

/** The outputs a consumer reads that the producer does not declare. */
function undeclaredReads(producer: StackJson, consumer: StackJson): string[] {
  const declared = Object.keys(producer.output ?? {});
  return remoteOutputsRead(consumer).filter((name) => !declared.includes(name));
}

describe("state backends", () => {
  it.each(ENVIRONMENTS)("keeps the %s state encrypted in its own account's bucket, locked by the table", (env) => {
    expect(stacks[env].terraform.backend.s3).toEqual({
      bucket: `coalition-terraform-state-${config.accounts[env].accountId}`,
      key: `${env}/terraform.tfstate`,
      region: "us-east-1",
      encrypt: true,
      dynamodb_table: "coalition-terraform-locks",
    });
  });

  it("switches to S3-native lock files, or both, from the configuration", () => {
    const s3Only = synthPlatform(exampleConfig((t) => (t.state.locking = "s3")));
    expect(s3Only.prod.terraform.backend.s3.use_lockfile).toBe(true);
    expect(s3Only.prod.terraform.backend.s3.dynamodb_table).toBeUndefined();
    const both = synthPlatform(exampleConfig((t) => (t.state.locking = "both")));
    expect(both.dev.terraform.backend.s3).toMatchObject({ use_lockfile: true, dynamodb_table: "coalition-terraform-locks" });
    expect(stacks.shared.terraform.backend.s3.use_lockfile).toBeUndefined();
  });

  it("follows the prefix and account ids", () => {
    const renamed = synthPlatform(exampleConfig((t) => ((t.prefix = "civic"), (t.accounts.dev.accountId = "999999999999"))));
    expect(renamed.dev.terraform.backend.s3).toMatchObject({ bucket: "civic-terraform-state-999999999999", dynamodb_table: "civic-terraform-locks" });
  });

  it.each(ENVIRONMENTS)("lets %s run on Terraform 1.11 and 1.12+, with the pinned AWS provider", (env) => {
    const constraint = stacks[env].terraform.required_version as string;
    expect(constraint).toMatch(/>= 1\.1[01]/);
    expect(constraint).not.toMatch(/1\.12|~>/);
    expect(stacks[env].terraform.required_providers.aws.version).toBe("5.100.0");
  });
});

describe("providers", () => {
  it.each(ENVIRONMENTS)("pins the %s provider to its account and tags everything", (env) => {
    const [provider] = stacks[env].provider.aws;
    expect(provider).toMatchObject({ region: "us-east-1", allowed_account_ids: [config.accounts[env].accountId] });
    expect(provider.default_tags[0].tags).toEqual({ Project: "coalition-builder", Environment: env, ManagedBy: "terraform" });
  });

  it.each(["prod", "dev"] as const)("gives %s an aliased provider that assumes the role shared_role_name names in shared: the accepter unless a plan asks for the reader", (env) => {
    const shared = stacks[env].provider.aws.find((p) => p.alias === "shared");
    expect(shared).toMatchObject({
      allowed_account_ids: ["111111111111"],
      assume_role: [{ role_arn: "arn:aws:iam::111111111111:role/${var.shared_role_name}", source_identity: env }],
    });
    expect(stacks[env].variable!.shared_role_name).toMatchObject({ type: "string", default: "vpc-peering-accepter", nullable: false });
    expect(stacks[env].variable!.shared_role_name.validation).toEqual([
      {
        condition: '${contains(["vpc-peering-accepter","vpc-peering-reader"], var.shared_role_name)}',
        error_message: "shared_role_name must be vpc-peering-accepter or vpc-peering-reader.",
      },
    ]);
    expect(stacks.shared.provider.aws).toHaveLength(1);
    expect(stacks.shared.variable?.shared_role_name).toBeUndefined();
  });
});

describe("stack wiring", () => {
  it("names the stacks shared, prod and dev, and deploys prod and dev after shared", () => {
    const app = Testing.app();
    const { shared, applications } = definePlatform(app, config);
    expect([shared, ...applications].map((stack) => stack.node.id)).toEqual(["shared", "prod", "dev"]);
    for (const stack of applications) expect(stack.dependencies).toEqual([shared]);
    expect(shared.dependencies).toEqual([]);
  });

  it.each(["prod", "dev"] as const)("reads the shared state from the shared account's bucket in %s", (env) => {
    expect(stacks[env].data?.terraform_remote_state.shared).toEqual({
      backend: "s3",
      config: { bucket: "coalition-terraform-state-111111111111", key: "shared/terraform.tfstate", region: "us-east-1" },
    });
  });

  it("fails the synth when a stack uses a value of another, even one whose address it also declares", () => {
    const app = Testing.app();
    const { shared, applications } = definePlatform(app, config);
    const prod = applications.find((stack) => stack.node.id === "prod")!;
    new TerraformOutput(prod, "shared_vpc", { value: shared.network.vpc.id });
    expect(() => app.synth()).toThrow(/aws_vpc\.network_vpc\.id belongs to the stack "shared": read other stacks through remote state/);
  });
});

describe("shared output contract", () => {
  it("is declared in full by the shared stack", () => {
    expect(Object.keys(stacks.shared.output ?? {})).toEqual(expect.arrayContaining(Object.keys(SHARED_OUTPUTS)));
    for (const name of ["vpc_id", "vpc_cidr", "db_subnet_ids", "db_subnet_cidrs", "db_route_table_id"]) {
      expect(SHARED_OUTPUTS).toHaveProperty(name);
    }
  });

  it.each(["prod", "dev"] as const)("covers every output %s reads", (env) => {
    expect(remoteOutputsRead(stacks[env])).toEqual(
      ["database_key_arn", `database_secret_arn_${env}`, "db_route_table_id", "db_subnet_cidrs", "vpc_cidr", "vpc_id"].sort(),
    );
    expect(undeclaredReads(stacks.shared, stacks[env])).toEqual([]);
  });

  it("catches a consumer reading an output the producer does not declare", () => {
    const drifted = structuredClone(stacks.prod);
    drifted.resource.aws_route.peering_requester_route.destination_cidr_block = "${data.terraform_remote_state.shared.outputs.vpc_cidr_block}";
    expect(undeclaredReads(stacks.shared, drifted)).toEqual(["vpc_cidr_block"]);
  });

  it("publishes the database subnets and their route table", () => {
    const outputs = stacks.shared.output!;
    expect(outputs.db_subnet_ids.value).toEqual(["${aws_subnet.network_db_a.id}", "${aws_subnet.network_db_b.id}"]);
    expect(outputs.db_subnet_cidrs.value).toEqual(["${aws_subnet.network_db_a.cidr_block}", "${aws_subnet.network_db_b.cidr_block}"]);
    expect(outputs.db_route_table_id.value).toBe("${aws_route_table.network_db_route_table.id}");
  });
});

describe("networks per account", () => {
  it("gives shared public and database subnets, with no interface endpoints", () => {
    expect(Object.keys(resources(stacks.shared, "aws_subnet")).sort()).toEqual(["network_db_a", "network_db_b", "network_public_a", "network_public_b"]);
    expect(Object.keys(resources(stacks.shared, "aws_vpc_endpoint"))).toEqual(["network_s3_endpoint"]);
    expect(resources(stacks.shared, "aws_vpc_peering_connection")).toEqual({});
  });

  it("gives prod fixed Secrets Manager, Logs, Location and SES endpoints", () => {
    const endpoints = resources(stacks.prod, "aws_vpc_endpoint");
    expect(Object.keys(endpoints).sort()).toEqual(
      ["network_email_endpoint", "network_geo_places_endpoint", "network_logs_endpoint", "network_s3_endpoint", "network_secretsmanager_endpoint"],
    );
    expect(Object.values(endpoints).every((endpoint) => endpoint.count === undefined)).toBe(true);
    expect(stacks.prod.variable?.enable_vpc_endpoints).toBeUndefined();
  });

  it("gives dev three endpoints behind enable_vpc_endpoints, on by default", () => {
    expect(stacks.dev.variable?.enable_vpc_endpoints).toMatchObject({ type: "bool", default: true, nullable: false });
    const switched = Object.entries(resources(stacks.dev, "aws_vpc_endpoint")).filter(([, e]) => e.count === "${var.enable_vpc_endpoints ? 1 : 0}");
    expect(switched.map(([name]) => name).sort()).toEqual(["network_geo_places_endpoint", "network_logs_endpoint", "network_secretsmanager_endpoint"]);
    expect(resources(stacks.dev, "aws_internet_gateway")).toEqual({});
  });

  it.each(["prod", "dev"] as const)("peers %s with the shared VPC from the shared stack's outputs", (env) => {
    expect(resources(stacks[env], "aws_vpc_peering_connection").peering_connection).toMatchObject({
      peer_vpc_id: "${data.terraform_remote_state.shared.outputs.vpc_id}",
      peer_owner_id: "111111111111",
      tags: { Name: `coalition-${env}-to-shared` },
    });
    const routes = resources(stacks[env], "aws_route");
    expect(routes.peering_requester_route).toMatchObject({
      route_table_id: "${aws_route_table.network_app_route_table.id}",
      destination_cidr_block: "${data.terraform_remote_state.shared.outputs.vpc_cidr}",
    });
    expect(routes.peering_accepter_route).toMatchObject({
      provider: "aws.shared",
      route_table_id: "${data.terraform_remote_state.shared.outputs.db_route_table_id}",
      destination_cidr_block: config.accounts[env].network.vpcCidr,
    });
  });
});

describe("the shared data tier", () => {
  it("lets exactly the prod and dev app subnets of the configuration reach the database", () => {
    const rules = (stack: StackJson) =>
      Object.values(resources(stack, "aws_vpc_security_group_ingress_rule"))
        .filter((rule) => rule.security_group_id === "${aws_security_group.database_security_group.id}" && rule.cidr_ipv4)
        .map((rule) => rule.cidr_ipv4)
        .sort();
    const expected = [...config.accounts.prod.network.privateSubnetCidrs, ...config.accounts.dev.network.privateSubnetCidrs].sort();
    expect(rules(stacks.shared)).toEqual(expected);
    const moved = synthPlatform(exampleConfig((t) => (t.accounts.dev.network.privateSubnetCidrs = ["10.2.10.0/24", "10.2.11.0/24"])));
    expect(rules(moved.shared)).toEqual(["10.1.3.0/24", "10.1.4.0/24", "10.2.10.0/24", "10.2.11.0/24"]);
  });

  it("publishes the database, its secrets, the bastion and the alert topic", () => {
    const outputs = stacks.shared.output!;
    expect(outputs.database_endpoint.value).toBe("${aws_db_instance.database_instance.endpoint}");
    expect(outputs.database_master_secret_arn.value).toBe("${aws_db_instance.database_instance.master_user_secret[0].secret_arn}");
    expect(outputs.database_secret_arn_prod.value).toBe("${aws_secretsmanager_secret.app_database_credentials_prod.arn}");
    expect(outputs.bastion_instance_id.value).toBe("${aws_instance.bastion_instance.id}");
    expect(outputs.alert_topic_arn.value).toBe("${aws_sns_topic.monitoring_topic.arn}");
  });

  it("names each environment's database secret after the environment", () => {
    const secrets = resources(stacks.shared, "aws_secretsmanager_secret");
    expect(secrets.app_database_credentials_prod.name).toBe("coalition/prod/database");
    expect(secrets.app_database_credentials_dev.name).toBe("coalition/dev/database");
  });

  it("leaves the bastion out when disabled, publishing empty bastion outputs", () => {
    const without = synthPlatform(exampleConfig((t) => (t.bastion.enabled = false))).shared;
    expect(resources(without, "aws_instance")).toEqual({});
    expect(without.output!.bastion_instance_id.value).toBe("");
    expect(Object.keys(resources(without, "aws_vpc_security_group_ingress_rule"))).not.toContain("database_client_bastion");
  });

  it("refuses a bastion without a public subnet to put it in", () => {
    expect(() => synthPlatform(exampleConfig((t) => (t.accounts.shared.network.publicSubnetCidrs = [])))).toThrow(/bastion needs a public subnet/);
  });

  it("budgets the shared account with its configured amount", () => {
    const budget = synthPlatform(exampleConfig((t) => (t.accounts.shared.monthlyBudgetUsd = 45.5))).shared;
    expect(resources(budget, "aws_budgets_budget").monitoring_budget.limit_amount).toBe("45.50");
  });
});

describe("addresses", () => {
  it.each(ENVIRONMENTS)("are readable snake_case without hash suffixes in %s", (env) => {
    const all = addresses(stacks[env]);
    expect(all.length).toBeGreaterThan(10);
    for (const address of all) {
      const name = address.split(".").pop()!;
      expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(name).not.toMatch(/_[0-9A-F]{8}$/i);
    }
  });
});
