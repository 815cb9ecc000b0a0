import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import { Dns } from "../../src/constructs/dns";
import { Email } from "../../src/constructs/email";
import { definePlatform } from "../../stacks/platform";
import { exampleTree } from "../support/config";
import { exampleConfig, resources, synthConstruct, synthPlatform } from "../support/synth";

/** The problems parseConfig reports for the example configuration changed by `change`. */
function problems(change: (tree: any) => void): string[] {
  const tree = exampleTree();
  change(tree);
  try {
    parseConfig(tree);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("applications.{env}.dnsRecords", () => {
  it("accepts values with a TTL and aliases to AWS targets", () => {
    expect(
      problems((tree) => {
        tree.applications.prod.dnsRecords = [
          { name: "@", type: "A", values: ["76.76.21.21"] },
          { name: "www", type: "CNAME", ttl: 300, values: ["cname.vercel-dns.com"] },
          { name: "@", type: "MX", values: ["1 smtp.google.com"] },
          { name: "@", type: "TXT", values: ["google-site-verification=abc"] },
          { name: "test-api", type: "A", alias: { name: "d-1.execute-api.us-east-1.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8" } },
        ];
      }),
    ).toEqual([]);
  });

  it.each([
    ["a record without a zone", (tree: any) => (tree.applications.dev.dnsRecords = [{ name: "@", type: "A", values: ["192.0.2.1"] }]), "applications.dev.dnsRecords: needs the domain whose zone holds them"],
    ["values and an alias at once", (tree: any) => (tree.applications.prod.dnsRecords = [{ name: "x", type: "A", values: ["192.0.2.1"], alias: { name: "a.example", zoneId: "Z1" } }]), "applications.prod.dnsRecords.0.values: give either values or an alias, not both and not neither"],
    ["an alias of a TXT record", (tree: any) => (tree.applications.prod.dnsRecords = [{ name: "x", type: "TXT", alias: { name: "a.example", zoneId: "Z1" } }]), "applications.prod.dnsRecords.0.alias: is for A and AAAA records only"],
    ["a CNAME at the apex", (tree: any) => (tree.applications.prod.dnsRecords = [{ name: "@", type: "CNAME", values: ["a.example"] }]), "applications.prod.dnsRecords.0.name: a CNAME cannot be at the apex"],
    ["a name in capitals", (tree: any) => (tree.applications.prod.dnsRecords = [{ name: "WWW", type: "A", values: ["192.0.2.1"] }]), "applications.prod.dnsRecords.0.name: must be @ (the apex) or a name under the domain in lower case, such as www or _dmarc"],
    [
      "a name and type listed twice",
      (tree: any) => (tree.applications.prod.dnsRecords = [{ name: "www", type: "A", values: ["192.0.2.1"] }, { name: "www", type: "A", values: ["192.0.2.2"] }]),
      "applications.prod.dnsRecords.1: repeats dnsRecords.0 (A www): one record set holds every value of a name and type",
    ],
    ["DMARC, which the stack writes with email", (tree: any) => (tree.applications.prod.dnsRecords = [{ name: "_dmarc", type: "TXT", values: ["v=DMARC1; p=none"] }]), "applications.prod.dnsRecords.0: TXT _dmarc is written by the stack itself (DMARC, with email)"],
    ["the API's name", (tree: any) => (tree.applications.prod.dnsRecords = [{ name: "api", type: "A", values: ["192.0.2.1"] }]), "applications.prod.dnsRecords.0: A api is written by the stack itself (the API's custom domain)"],
    ["a second SPF at the apex with email", (tree: any) => (tree.applications.prod.dnsRecords = [{ name: "@", type: "TXT", values: ["v=spf1 include:_spf.google.com ~all"] }]), "applications.prod.dnsRecords.0: holds an SPF value, but the stack writes the apex SPF itself with email: list only the other TXT values"],
  ])("refuses %s", (_, change, message) => {
    expect(problems(change)).toContain(message);
  });
});

describe("migration.{env}", () => {
  it.each([
    ["an instance key on a removed block", (tree: any) => (tree.migration = { shared: { removed: ["module.database.aws_secretsmanager_secret.db_master[0]"] } }), "migration.shared.removed.0: must not end in an instance key: a removed block forgets every instance of a resource"],
    ["a move into a module", (tree: any) => (tree.migration = { prod: { moved: [{ from: "aws_s3_bucket.a", to: "module.x.aws_s3_bucket.b" }] } }), "migration.prod.moved.0.to: must be a resource address of this stack, such as aws_db_instance.database_instance"],
    ["an object moved twice", (tree: any) => (tree.migration = { prod: { moved: [{ from: "aws_s3_bucket.a", to: "aws_s3_bucket.b" }, { from: "aws_s3_bucket.a", to: "aws_s3_bucket.c" }] } }), "migration.prod.moved.1.from: aws_s3_bucket.a is moved twice (also moved.0)"],
    ["a name of the shared stack given to prod", (tree: any) => (tree.migration = { prod: { names: { databaseIdentifier: "coalition-db" } } }), "migration.prod.names: unknown field databaseIdentifier"],
    ["a KMS alias with its alias/ part", (tree: any) => (tree.migration = { shared: { names: { databaseKeyAlias: "alias/coalition-rds" } } }), "migration.shared.names.databaseKeyAlias: must be a KMS alias without the alias/ part, such as coalition-rds"],
  ])("refuses %s", (_, change, message) => {
    expect(problems(change)).toContain(message);
  });

  it("emits the blocks at the top of the stack: removed never destroys", () => {
    const tree = exampleTree();
    tree.migration = {
      shared: {
        moved: [{ from: "module.database.aws_db_instance.postgres", to: "aws_db_instance.database_instance" }],
        removed: ["module.database.aws_secretsmanager_secret.db_master"],
        imports: [{ to: "aws_kms_alias.database_encryption_alias", id: "alias/coalition-rds" }],
      },
    };
    const shared = synthPlatform(parseConfig(tree)).shared as any;
    expect(shared.moved).toEqual([{ from: "module.database.aws_db_instance.postgres", to: "aws_db_instance.database_instance" }]);
    expect(shared.removed).toEqual([{ from: "module.database.aws_secretsmanager_secret.db_master", lifecycle: { destroy: false } }]);
    expect(shared.import).toEqual([{ to: "aws_kms_alias.database_encryption_alias", id: "alias/coalition-rds" }]);
  });

  it("fails the synth when a block names what the stack does not declare, or forgets what it does", () => {
    const tree = exampleTree();
    tree.migration = {
      shared: { moved: [{ from: "module.a.aws_s3_bucket.b", to: "aws_s3_bucket.nowhere" }], removed: ["aws_db_instance.database_instance"] },
    };
    const { shared } = definePlatform(Testing.app(), parseConfig(tree));
    expect(() => Testing.synth(shared, true)).toThrow(/migration\.shared\.moved\.0\.to: aws_s3_bucket\.nowhere is not declared in the shared stack; Terraform would move the object there and destroy it/);
    expect(() => Testing.synth(shared, true)).toThrow(/migration\.shared\.removed\.0: aws_db_instance\.database_instance is declared in the shared stack, so it cannot be forgotten/);
  });

  it("adds no block, override or name to the stacks of a configuration without it", () => {
    const stacks = synthPlatform(exampleConfig());
    for (const stack of Object.values(stacks) as any[]) {
      expect(stack.moved).toBeUndefined();
      expect(stack.removed).toBeUndefined();
      expect(stack.import).toBeUndefined();
    }
    expect(stacks.shared.resource.aws_db_instance.database_instance.identifier).toBe("coalition-shared-db");
    expect(stacks.prod.resource.aws_s3_bucket.static_assets_bucket.bucket).toBe("coalition-prod-static-assets");
  });
});

describe("the zone's extra records", () => {
  it("declares each record set by its name and type, plain or alias", () => {
    const stack = synthConstruct((scope) => {
      new Dns(scope, "dns", {
        name: "coalition-prod",
        domain: "example.org",
        records: [
          { name: "@", type: "MX", values: ["1 smtp.google.com"] },
          { name: "www", type: "CNAME", ttl: 600, values: ["cname.vercel-dns.com"] },
          { name: "test-api", type: "A", alias: { name: "d-1.execute-api.us-east-1.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8", evaluateTargetHealth: true } },
        ],
      });
    });
    const records = resources(stack, "aws_route53_record");
    expect(records.dns_record_apex_mx).toMatchObject({ name: "example.org", type: "MX", ttl: 300, records: ["1 smtp.google.com"] });
    expect(records.dns_record_www_cname).toMatchObject({ name: "www.example.org", type: "CNAME", ttl: 600, records: ["cname.vercel-dns.com"] });
    expect(records.dns_record_test_api_a).toMatchObject({
      name: "test-api.example.org",
      type: "A",
      alias: { name: "d-1.execute-api.us-east-1.amazonaws.com", zone_id: "Z1UJRXOUMOOFQ8", evaluate_target_health: true },
    });
    expect(records.dns_record_test_api_a.ttl).toBeUndefined();
  });

  it("puts the apex's other TXT values into the SPF record set when the stack sends mail", () => {
    const tree = exampleTree();
    tree.applications.prod.dnsRecords = [{ name: "@", type: "TXT", values: ["google-site-verification=abc"] }];
    const prod = synthPlatform(parseConfig(tree)).prod;
    expect(resources(prod, "aws_route53_record").email_spf.records).toEqual(["v=spf1 include:amazonses.com -all", "google-site-verification=abc"]);
    expect(Object.keys(resources(prod, "aws_route53_record")).filter((name) => name.startsWith("dns_record_"))).toEqual([]);
  });

  it("keeps Email's SPF alone without other apex values", () => {
    const stack = synthConstruct((scope) => {
      new Email(scope, "email", {
        name: "coalition-prod",
        accountId: "222222222222",
        region: "us-east-1",
        zone: { domain: "example.org", zoneId: "Z1" },
        senderRoleArn: "arn:aws:iam::222222222222:role/coalition-prod-lambda",
        dmarcReportEmail: "dmarc@example.org",
      });
    });
    expect(resources(stack, "aws_route53_record").email_spf.records).toEqual(["v=spf1 include:amazonses.com -all"]);
  });
});
