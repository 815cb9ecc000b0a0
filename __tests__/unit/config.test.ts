import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { configProblems } from "../support/config";

function writeTemp(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "coalition-config-")), name);
  writeFileSync(file, text);
  return file;
}

describe("the example configuration", () => {
  it("is valid and fills in the zones from the region", () => {
    const config = loadConfig({});
    expect(config.prefix).toBe("coalition");
    expect(config.accounts.prod.network.availabilityZones).toEqual(["us-east-1a", "us-east-1b"]);
    expect(config.accounts.shared.network.interfaceEndpoints).toEqual([]);
    expect(config.accounts.dev.network.switchableEndpoints).toBe(true);
  });
});

describe("configuration rules", () => {
  const cases: [string, (tree: any) => void, string][] = [
    ["an account id that is not 12 digits", (t) => (t.accounts.prod.accountId = "12345"), "accounts.prod.accountId: must be a 12-digit AWS account id"],
    ["an account id used twice", (t) => (t.accounts.dev.accountId = t.accounts.prod.accountId), "accounts.dev.accountId: is the same as accounts.prod.accountId"],
    ["overlapping VPC ranges", (t) => (t.accounts.dev.network.vpcCidr = "10.1.128.0/17"), "accounts.dev.network.vpcCidr: 10.1.128.0/17 overlaps accounts.prod.network.vpcCidr"],
    ["a subnet outside its VPC", (t) => (t.accounts.prod.network.privateSubnetCidrs[1] = "10.9.4.0/24"), "accounts.prod.network.privateSubnetCidrs.1: 10.9.4.0/24 is outside the VPC range 10.1.0.0/16"],
    ["overlapping subnets", (t) => (t.accounts.shared.network.privateSubnetCidrs[0] = "10.0.0.0/22"), "accounts.shared.network.privateSubnetCidrs.0: 10.0.0.0/22 overlaps accounts.shared.network.publicSubnetCidrs.0"],
    ["a block with host bits", (t) => (t.accounts.prod.network.vpcCidr = "10.1.0.1/16"), "accounts.prod.network.vpcCidr: 10.1.0.1/16 has host bits set; did you mean 10.1.0.0/16?"],
    ["a block that is not a CIDR", (t) => (t.accounts.prod.network.publicSubnetCidrs[0] = "10.1.1.0"), 'accounts.prod.network.publicSubnetCidrs.0: "10.1.1.0" is not a CIDR block'],
    ["a VPC larger than AWS allows", (t) => (t.accounts.prod.network.vpcCidr = "10.0.0.0/8"), "accounts.prod.network.vpcCidr: 10.0.0.0/8 must have a prefix length from /16 to /28"],
    ["one public subnet", (t) => (t.accounts.prod.network.publicSubnetCidrs = ["10.1.1.0/24"]), "accounts.prod.network.publicSubnetCidrs: must list two subnets (one per zone) or none"],
    ["a bad region", (t) => (t.region = "us-east"), "region: must be an AWS region name"],
    ["a zone of another region", (t) => (t.accounts.dev.network.availabilityZones = ["us-east-1a", "eu-west-1b"]), "accounts.dev.network.availabilityZones.1: eu-west-1b is not a zone of region us-east-1"],
    ["the same zone twice", (t) => (t.accounts.dev.network.availabilityZones = ["us-east-1a", "us-east-1a"]), "accounts.dev.network.availabilityZones: must name two different zones"],
    ["a repository without owner", (t) => (t.github.repo = "coalition-builder"), "github.repo: must be owner/name"],
    ["a repository with a wildcard", (t) => (t.github.repo = "your-org/*"), "github.repo: must be owner/name"],
    ["a prefix with capitals", (t) => (t.prefix = "Coalition"), "prefix: must be 2-20 characters"],
    ["a prefix ending in a hyphen", (t) => (t.prefix = "coalition-"), "prefix: must be 2-20 characters"],
    ["a prefix with a double hyphen", (t) => (t.prefix = "co--alition"), "prefix: must be 2-20 characters"],
    ["a prefix too long for bucket names", (t) => (t.prefix = "a".repeat(21)), "prefix: must be 2-20 characters"],
    ["an unknown locking mode", (t) => (t.state.locking = "consul"), "state.locking: Invalid enum value"],
    ["an unknown endpoint service", (t) => (t.accounts.prod.network.interfaceEndpoints = ["sqs"]), "accounts.prod.network.interfaceEndpoints.0: Invalid enum value"],
    ["an endpoint listed twice", (t) => (t.accounts.prod.network.interfaceEndpoints = ["logs", "logs"]), "accounts.prod.network.interfaceEndpoints: lists a service twice"],
    ["a reserved tag", (t) => (t.tags.Environment = "x"), "tags.Environment: is set by the stacks and cannot be configured"],
    ["a misspelt field", (t) => (t.accounts.prod.network.vpcCIDR = "10.1.0.0/16"), "accounts.prod.network: unknown field vpcCIDR"],
    ["a missing field", (t) => delete t.accounts.shared.network.privateSubnetCidrs, "accounts.shared.network.privateSubnetCidrs: is required"],
    ["a full PostgreSQL version", (t) => (t.database.engineVersion = "16.3"), "database.engineVersion: must be a PostgreSQL major version"],
    ["a storage limit below the storage", (t) => (t.database.maxAllocatedStorageGb = 10), "database.maxAllocatedStorageGb: must be at least allocatedStorageGb"],
    ["too long a backup retention", (t) => (t.database.backupRetentionDays = 40), "database.backupRetentionDays: must be 1 to 35 days"],
    ["a reserved master user", (t) => (t.database.masterUsername = "postgres"), "database.masterUsername: is reserved"],
    ["SSH from the whole internet", (t) => (t.bastion.sshCidrs = ["0.0.0.0/0"]), "bastion.sshCidrs.0: would open SSH to the whole internet"],
    ["a malformed SSH source", (t) => (t.bastion.sshCidrs = ["203.0.113.10"]), 'bastion.sshCidrs.0: "203.0.113.10" is not a CIDR block'],
    ["a malformed public key", (t) => (t.bastion.publicKey = "AAAAB3NzaC1yc2E"), "bastion.publicKey: must be an OpenSSH public key"],
    ["SSH in without a key to log in with", (t) => (t.bastion.sshCidrs = ["203.0.113.10/32"]), "bastion.publicKey: is required when bastion.sshCidrs lets SSH in"],
    ["a bastion without a public subnet", (t) => (t.accounts.shared.network.publicSubnetCidrs = []), "bastion.enabled: the bastion needs a public subnet"],
    ["a malformed alert email", (t) => (t.monitoring.alertEmail = "ops-at-example.org"), "monitoring.alertEmail: must be an email address"],
    ["a retention CloudWatch does not offer", (t) => (t.monitoring.logRetentionDays = 31), "monitoring.logRetentionDays: must be one of 1, 3, 5"],
    ["mail without a domain", (t) => ((t.applications.dev.email = true), delete t.applications.dev.domain), "applications.dev.email: needs a domain to send from"],
    ["a domain with capitals", (t) => (t.applications.prod.domain = "Example.org"), "applications.prod.domain: must be a lower-case domain name"],
    ["a CORS origin with a path", (t) => (t.applications.prod.corsOrigins = ["https://example.org/app"]), "applications.prod.corsOrigins.0: must be an https:// origin"],
    ["a plain-HTTP CORS origin", (t) => (t.applications.prod.corsOrigins = ["http://example.org"]), "applications.prod.corsOrigins.0: must be an https:// origin"],
    ["an application account for shared", (t) => (t.applications.shared = {}), "applications: unknown field shared"],
    ["a WAF without a domain", (t) => ((t.applications.dev.waf = true), delete t.applications.dev.domain), "applications.dev.waf: needs a domain"],
    ["a malformed hosted zone id", (t) => (t.applications.prod.hostedZoneId = "zone-1"), "applications.prod.hostedZoneId: must be a Route53 hosted zone id"],
    ["a budget of nothing", (t) => (t.accounts.dev.monthlyBudgetUsd = 0), "accounts.dev.monthlyBudgetUsd: must be a positive amount of USD"],
  ];

  it.each(cases)("rejects %s", (_name, change, expected) => {
    const problems = configProblems(change);
    expect(problems.some((problem) => problem.startsWith(expected)), problems.join("\n")).toBe(true);
  });

  it("reports every problem at once", () => {
    const problems = configProblems((t) => {
      t.accounts.prod.accountId = "12";
      t.accounts.dev.network.vpcCidr = "10.0.0.0/16";
      t.github.repo = "nope";
      t.region = "mars-1";
      t.accounts.shared.network.publicSubnetCidrs[0] = "192.168.0.0/24";
    });
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual(
      [
        "accounts.dev.network.privateSubnetCidrs.0",
        "accounts.dev.network.privateSubnetCidrs.1",
        "accounts.dev.network.vpcCidr",
        "accounts.prod.accountId",
        "accounts.shared.network.publicSubnetCidrs.0",
        "github.repo",
        "region",
      ].sort(),
    );
  });

  it("accepts a config without public subnets, and custom zones", () => {
    expect(
      configProblems((t) => {
        t.accounts.prod.network.publicSubnetCidrs = [];
        t.accounts.prod.network.availabilityZones = ["us-east-1c", "us-east-1d"];
      }),
    ).toEqual([]);
  });
});

describe("configuration sources", () => {
  it("merges a YAML file over the example, lists replaced whole", () => {
    const file = writeTemp("platform.yaml", "prefix: civic\naccounts:\n  dev:\n    network:\n      interfaceEndpoints: [secretsmanager]\n");
    const config = loadConfig({ COALITION_CONFIG: file });
    expect(config.prefix).toBe("civic");
    expect(config.accounts.dev.network.interfaceEndpoints).toEqual(["secretsmanager"]);
    expect(config.accounts.dev.network.vpcCidr).toBe("10.2.0.0/16");
  });

  it("reads JSON files too", () => {
    const file = writeTemp("platform.json", JSON.stringify({ region: "eu-west-1" }));
    expect(loadConfig({ COALITION_CONFIG: file }).accounts.shared.network.availabilityZones).toEqual(["eu-west-1a", "eu-west-1b"]);
  });

  it("applies environment variables after the file and names them in errors", () => {
    const file = writeTemp("platform.yaml", "accounts:\n  prod:\n    accountId: '444444444444'\n");
    const config = loadConfig({ COALITION_CONFIG: file, COALITION_PROD_ACCOUNT_ID: "555555555555", COALITION_STATE_LOCKING: "both" });
    expect(config.accounts.prod.accountId).toBe("555555555555");
    expect(config.state.locking).toBe("both");
    expect(() => loadConfig({ COALITION_DEV_ACCOUNT_ID: "oops" })).toThrow("accounts.dev.accountId (from COALITION_DEV_ACCOUNT_ID): must be a 12-digit AWS account id");
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ COALITION_CONFIG: "", COALITION_PREFIX: "" }).prefix).toBe("coalition");
  });

  it("reports a missing or unreadable file", () => {
    expect(() => loadConfig({ COALITION_CONFIG: "/nonexistent/platform.yaml" })).toThrow(/platform\.yaml \(named by COALITION_CONFIG\): file not found/);
    const broken = writeTemp("broken.yaml", "prefix: [unclosed\n");
    expect(() => loadConfig({ COALITION_CONFIG: broken })).toThrow(/broken\.yaml \(named by COALITION_CONFIG\): cannot be parsed/);
    const scalar = writeTemp("scalar.yaml", "just a string\n");
    expect(() => loadConfig({ COALITION_CONFIG: scalar })).toThrow(/must contain a mapping/);
  });
});
