import { describe, expect, it } from "vitest";
import { checkEnvironment } from "../../src/migrate/environment";
import { MigrationInputError, readState } from "../../src/migrate/state";
import { exampleConfig } from "../support/synth";
import { prodState, sharedState } from "./fixtures/states";

const read = (state: unknown) => readState(JSON.stringify(state), "state.json");

describe("reading a state", () => {
  it("lists managed instances with their addresses as terraform state list prints them", () => {
    const instances = read({
      version: 4,
      terraform_version: "1.12.1",
      resources: [
        { module: "module.database", mode: "managed", type: "aws_db_instance", name: "postgres", provider: "p", instances: [{ attributes: { id: "db-1" } }] },
        { module: "module.networking", mode: "managed", type: "aws_vpc_endpoint", name: "interface", provider: "p", instances: [{ index_key: "ses", attributes: {} }] },
        { mode: "managed", type: "aws_route53_record", name: "ses_dkim", provider: "p", instances: [{ index_key: 2, attributes: {} }] },
        { mode: "data", type: "aws_caller_identity", name: "current", provider: "p", instances: [{ attributes: {} }] },
      ],
    });
    expect(instances.map((instance) => [instance.address, instance.resource])).toEqual([
      ["module.database.aws_db_instance.postgres", "module.database.aws_db_instance.postgres"],
      ['module.networking.aws_vpc_endpoint.interface["ses"]', "module.networking.aws_vpc_endpoint.interface"],
      ["aws_route53_record.ses_dkim[2]", "aws_route53_record.ses_dkim"],
    ]);
  });

  it.each([
    ["text that is not JSON", "{ not json", /^state\.json: not a Terraform state \(it is not JSON/],
    ["JSON without a format version", JSON.stringify({ resources: [] }), /^state\.json: not a Terraform state \(it has no format version/],
    ["an older format", JSON.stringify({ version: 3, terraform_version: "0.11.14", modules: [] }), /^state\.json: state format version 3 is older than 4/],
    ["a newer format", JSON.stringify({ version: 5, terraform_version: "2.0.0", resources: [] }), /^state\.json: state format version 5 is newer than/],
    ["a version 4 state without resources", JSON.stringify({ version: 4, terraform_version: "1.12.1" }), /^state\.json: not a Terraform state \(resources: Required\)/],
  ])("refuses %s with one line naming the file", (_, text, message) => {
    expect(() => readState(text, "state.json")).toThrow(MigrationInputError);
    expect(() => readState(text, "state.json")).toThrow(message);
    try {
      readState(text, "state.json");
    } catch (error) {
      expect((error as Error).message).not.toContain("\n");
    }
  });
});

describe("the environment a state belongs to", () => {
  const config = exampleConfig();

  it("accepts each environment's own state", () => {
    expect(() => checkEnvironment(read(sharedState()), "shared", config, "s.json")).not.toThrow();
    expect(() => checkEnvironment(read(prodState()), "prod", config, "p.json")).not.toThrow();
  });

  it("refuses a state whose resources are in another account, naming both accounts", () => {
    expect(() => checkEnvironment(read(prodState()), "dev", config, "p.json")).toThrow(
      "p.json: not the dev environment's state: its resources are in account 222222222222, and accounts.dev.accountId is 333333333333",
    );
  });

  it("does not count the accepter side, which lives in the shared account, against prod", () => {
    const state = prodState() as { resources: { type: string; provider: string; instances: { attributes: Record<string, unknown> }[] }[] };
    const accepter = state.resources.find((resource) => resource.type === "aws_vpc_peering_connection_accepter")!;
    accepter.instances[0].attributes.arn = "arn:aws:ec2:us-east-1:111111111111:vpc-peering-connection/pcx-prod";
    expect(() => checkEnvironment(read(state), "prod", config, "p.json")).not.toThrow();
  });

  it("refuses a state whose VPC has another range, when no ARN tells the account", () => {
    const state = {
      version: 4,
      terraform_version: "1.12.1",
      resources: [{ module: "module.networking", mode: "managed", type: "aws_vpc", name: "main", provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [{ index_key: 0, attributes: { cidr_block: "10.2.0.0/16" } }] }],
    };
    expect(() => checkEnvironment(read(state), "shared", config, "s.json")).toThrow(
      "s.json: not the shared environment's state: its VPC module.networking.aws_vpc.main[0] is 10.2.0.0/16, and accounts.shared.network.vpcCidr is 10.0.0.0/16",
    );
  });

  it("refuses an empty state: nothing to take over", () => {
    expect(() => checkEnvironment([], "shared", config, "s.json")).toThrow("s.json: the state holds no resources");
  });
});
