import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, deepMerge, loadConfig, parseConfig } from "../../src/config";
import { cidrContains, cidrsOverlap, parseCidr } from "../../src/config/cidr";
import { recordsWrittenByStack } from "../../src/config/schema";
import { configProblems, exampleTree } from "../support/config";

/**
 * The configuration's rules, field by field, with the messages docs/configuration.md promises: the DNS records an
 * application's zone may carry, the migration blocks of migrate:hcl, administrators, SSH sources, the database,
 * the emulator's URL; how files and overlays merge; CIDR arithmetic. (config.test.ts covers the rest.)
 */

const temp = (name: string, text: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "coalition-config-validation-")), name);
  writeFileSync(file, text);
  return file;
};

describe("an application's extra DNS records", () => {
  const records = (env: "prod" | "dev", list: object[], change: (app: any) => void = () => {}) =>
    configProblems((tree) => {
      tree.applications[env].dnsRecords = list;
      change(tree.applications[env]);
    });

  it("take values with a TTL, and aliases for A and AAAA", () => {
    expect(
      records("prod", [
        { name: "@", type: "A", values: ["76.76.21.21"] },
        { name: "@", type: "AAAA", alias: { name: "d.cloudfront.net", zoneId: "Z2FDTNDATAQYW2" } },
        { name: "www", type: "CNAME", ttl: 60, values: ["cname.vercel-dns.com"] },
        { name: "@", type: "MX", values: ["1 smtp.google.com", "5 alt1.smtp.google.com"] },
        { name: "@", type: "TXT", values: ["google-site-verification=abc"] },
        { name: "docs", type: "TXT", values: ["v=spf1 -all"] },
      ]),
    ).toEqual([]);
  });

  it("need values or an alias, not both and not neither", () => {
    const both = "applications.prod.dnsRecords.0.values: give either values or an alias, not both and not neither";
    expect(records("prod", [{ name: "x", type: "A", values: ["192.0.2.1"], alias: { name: "a.example", zoneId: "Z1" } }])).toEqual([both]);
    expect(records("prod", [{ name: "x", type: "A" }])).toEqual([both]);
  });

  it("take an alias only for A and AAAA, and no TTL with it", () => {
    expect(records("prod", [{ name: "x", type: "CNAME", alias: { name: "a.example", zoneId: "Z1" } }])).toEqual(["applications.prod.dnsRecords.0.alias: is for A and AAAA records only"]);
    expect(records("prod", [{ name: "x", type: "A", ttl: 60, alias: { name: "a.example", zoneId: "Z1" } }])).toEqual([
      "applications.prod.dnsRecords.0.ttl: does not apply to an alias: the target's TTL is used",
    ]);
  });

  it("take one CNAME value, never at the apex nor beside other records of its name", () => {
    expect(records("prod", [{ name: "@", type: "CNAME", values: ["a.example"] }])).toEqual(["applications.prod.dnsRecords.0.name: a CNAME cannot be at the apex"]);
    expect(records("prod", [{ name: "www", type: "CNAME", values: ["a.example", "b.example"] }])).toEqual(["applications.prod.dnsRecords.0.values: a CNAME has one value"]);
    expect(records("prod", [{ name: "www", type: "TXT", values: ["x"] }, { name: "www", type: "CNAME", values: ["a.example"] }])).toEqual([
      "applications.prod.dnsRecords.1: a CNAME cannot share its name with other records (dnsRecords.0)",
    ]);
  });

  it("hold every value of a name and type in one record set", () => {
    expect(records("prod", [{ name: "www", type: "A", values: ["192.0.2.1"] }, { name: "www", type: "AAAA", values: ["2001:db8::1"] }, { name: "www", type: "A", values: ["192.0.2.2"] }])).toEqual([
      "applications.prod.dnsRecords.2: repeats dnsRecords.0 (A www): one record set holds every value of a name and type",
    ]);
  });

  it("leave the stack's own records alone, the mail ones only when it sends mail", () => {
    expect(recordsWrittenByStack({ email: false })).toEqual([
      { name: "api", type: "A", what: "the API's custom domain" },
      { name: "api", type: "AAAA", what: "the API's custom domain" },
      { name: "@", type: "NS", what: "the zone's own name servers" },
    ]);
    expect(recordsWrittenByStack({ email: true }).slice(3)).toEqual([
      { name: "_dmarc", type: "TXT", what: "DMARC, with email" },
      { name: "mail", type: "MX", what: "the MAIL FROM domain, with email" },
      { name: "mail", type: "TXT", what: "the MAIL FROM domain's SPF, with email" },
    ]);
    expect(records("prod", [{ name: "@", type: "NS", values: ["ns.example"] }, { name: "mail", type: "MX", values: ["10 mx.example"] }])).toEqual([
      "applications.prod.dnsRecords.0: NS @ is written by the stack itself (the zone's own name servers)",
      "applications.prod.dnsRecords.1: MX mail is written by the stack itself (the MAIL FROM domain, with email)",
    ]);
    expect(records("prod", [{ name: "mail", type: "MX", values: ["10 mx.example"] }], (app) => (app.email = false))).toEqual([]);
  });

  it("keep the apex SPF to the stack when it sends mail", () => {
    const spf = [{ name: "@", type: "TXT", values: ["site-verification=1", "v=spf1 include:_spf.google.com ~all"] }];
    expect(records("prod", spf)).toEqual([
      "applications.prod.dnsRecords.0: holds an SPF value, but the stack writes the apex SPF itself with email: list only the other TXT values",
    ]);
    expect(records("prod", spf, (app) => (app.email = false))).toEqual([]);
  });

  it("need a domain whose zone holds them", () => {
    expect(records("dev", [{ name: "@", type: "A", values: ["192.0.2.1"] }], (app) => delete app.domain)).toEqual([
      "applications.dev.dnsRecords: needs the domain whose zone holds them",
    ]);
    expect(records("dev", [], (app) => delete app.domain)).toEqual([]);
  });
});

describe("the migration blocks of a stack", () => {
  const migration = (env: string, value: object) => configProblems((tree) => (tree.migration = { [env]: value }));

  it("take moves, removals, imports and kept names", () => {
    expect(
      migration("shared", {
        moved: [{ from: "module.database.aws_db_instance.postgres", to: "aws_db_instance.database_instance" }, { from: 'module.a["k"].aws_x.y[0]', to: 'aws_x.y["k"]' }],
        removed: ["module.database.aws_secretsmanager_secret.db_master", "aws_iam_role.old"],
        imports: [{ to: "aws_kms_key.key", id: "1234abcd" }],
        names: { databaseIdentifier: "coalition-db", databaseKeyAlias: "coalition-rds", flowLogGroup: "/aws/vpc/flow" },
      }),
    ).toEqual([]);
  });

  it("refuse removals of one instance, and what is not a resource address", () => {
    expect(migration("prod", { removed: ["aws_s3_bucket.a[0]", "not an address"] })).toEqual([
      "migration.prod.removed.0: must not end in an instance key: a removed block forgets every instance of a resource",
      "migration.prod.removed.1: must be a resource address, such as module.database.aws_secretsmanager_secret.db_master",
    ]);
  });

  it("refuse two moves of one object, two moves to one address, two imports to one address, and an import where a move lands", () => {
    expect(
      migration("dev", {
        moved: [
          { from: "aws_s3_bucket.a", to: "aws_s3_bucket.b" },
          { from: "aws_s3_bucket.a", to: "aws_s3_bucket.c" },
          { from: "aws_s3_bucket.d", to: "aws_s3_bucket.b" },
        ],
        imports: [
          { to: "aws_s3_bucket.c", id: "c" },
          { to: "aws_s3_bucket.e", id: "e" },
          { to: "aws_s3_bucket.e", id: "e2" },
        ],
      }),
    ).toEqual([
      "migration.dev.moved.1.from: aws_s3_bucket.a is moved twice (also moved.0)",
      "migration.dev.moved.2.to: aws_s3_bucket.b receives two moves (also moved.0)",
      "migration.dev.imports.2.to: aws_s3_bucket.e is imported twice (also imports.1)",
      "migration.dev.imports.0.to: aws_s3_bucket.c already receives moved.1",
    ]);
  });

  it("need an id for each import", () => {
    expect(migration("prod", { imports: [{ to: "aws_s3_bucket.a", id: "" }] })).toEqual(["migration.prod.imports.0.id: must not be empty"]);
  });
});

describe("fields with rules of their own", () => {
  it("take administrators by their full ARN in the aws partition, without wildcards", () => {
    expect(configProblems((t) => (t.administrators = ["arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:role/Admin", "arn:aws:iam::111111111111:user/ops/alice"]))).toEqual([]);
    expect(
      configProblems((t) => (t.administrators = ["arn:aws:iam::111111111111:role/*", "arn:aws:iam::11111111111?:root", "arn:aws-cn:iam::111111111111:role/Admin", "arn:aws:iam::111111111111:group/Admins", "Admin"])),
    ).toEqual([
      "administrators.0: must not contain a wildcard (* or ?): name each principal",
      "administrators.1: must not contain a wildcard (* or ?): name each principal",
      "administrators.2: must be in the aws partition (arn:aws:...), the platform's",
      "administrators.3: must be the ARN of an IAM role, user or account root, e.g. arn:aws:iam::111111111111:role/Admin",
      "administrators.4: must be the ARN of an IAM role, user or account root, e.g. arn:aws:iam::111111111111:role/Admin",
    ]);
  });

  it("let SSH in from named ranges only, with a key", () => {
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB admin@example";
    expect(configProblems((t) => Object.assign(t.bastion, { sshCidrs: ["203.0.113.0/24", "198.51.100.7/32", "128.0.0.0/1"], publicKey: key }))).toEqual([]);
    expect(configProblems((t) => Object.assign(t.bastion, { sshCidrs: ["0.0.0.0/0", "203.0.113.1/24", "10.0.0.0/33"], publicKey: key }))).toEqual([
      "bastion.sshCidrs.0: 0.0.0.0/0 must have a prefix length from /1 to /32",
      "bastion.sshCidrs.0: would open SSH to the whole internet",
      "bastion.sshCidrs.1: 203.0.113.1/24 has host bits set; did you mean 203.0.113.0/24?",
      'bastion.sshCidrs.2: "10.0.0.0/33" is not a CIDR block such as 10.0.0.0/16',
    ]);
  });

  it("reserve the database's administrative user names, and let the storage ceiling equal the floor", () => {
    for (const name of ["postgres", "rdsadmin", "admin"]) expect(configProblems((t) => (t.database = { masterUsername: name }))).toEqual(["database.masterUsername: is reserved"]);
    expect(configProblems((t) => (t.database = { masterUsername: "dbo" }))).toEqual([]);
    expect(configProblems((t) => (t.database = { allocatedStorageGb: 50, maxAllocatedStorageGb: 50 }))).toEqual([]);
    expect(configProblems((t) => (t.database = { allocatedStorageGb: 50, maxAllocatedStorageGb: 49 }))).toEqual(["database.maxAllocatedStorageGb: must be at least allocatedStorageGb"]);
  });

  it("take the emulator's URL without a path", () => {
    expect(configProblems((t) => (t.local = { endpoint: "http://127.0.0.1:5000" }))).toEqual([]);
    expect(configProblems((t) => (t.local = { endpoint: "https://localhost:5000/" }))).toEqual([]);
    for (const endpoint of ["http://127.0.0.1:5000/moto", "xhttp://127.0.0.1:5000", "http://127.0.0.1:5000?x=1"]) {
      expect(configProblems((t) => (t.local = { endpoint })), endpoint).toEqual(["local.endpoint: must be an http:// or https:// URL without a path, such as http://127.0.0.1:5000"]);
    }
  });

  it("give every account two zones of the region unless it names them", () => {
    const config = parseConfig(Object.assign(exampleTree(), { region: "eu-west-3" }));
    expect(config.accounts.shared.network.availabilityZones).toEqual(["eu-west-3a", "eu-west-3b"]);
    expect(config.accounts.prod.network.availabilityZones).toEqual(["eu-west-3a", "eu-west-3b"]);
    expect(config.accounts.dev.network.availabilityZones).toEqual(["eu-west-3a", "eu-west-3b"]);
    const named = exampleTree();
    named.region = "eu-west-3";
    named.accounts.dev.network.availabilityZones = ["eu-west-3c", "eu-west-3a"];
    expect(parseConfig(named).accounts.dev.network.availabilityZones).toEqual(["eu-west-3c", "eu-west-3a"]);
    expect(parseConfig(named).accounts.dev.accountId).toBe(exampleTree().accounts.dev.accountId);
  });
});

describe("configuration problems", () => {
  it("are counted in the message, one problem or several, each on its own line", () => {
    const one = new ConfigError(["prefix: is required"]);
    expect(one.message).toBe("Invalid configuration (1 problem):\n  - prefix: is required");
    expect(one.name).toBe("ConfigError");
    expect(one.problems).toEqual(["prefix: is required"]);
    expect(new ConfigError(["a: x", "b: y"]).message).toBe("Invalid configuration (2 problems):\n  - a: x\n  - b: y");
  });

  it("name unknown fields, one or several, and missing ones", () => {
    expect(configProblems((t) => (t.github.owner = "x"))).toEqual(["github: unknown field owner"]);
    expect(configProblems((t) => Object.assign(t.github, { owner: "x", team: "y" }))).toEqual(["github: unknown fields owner, team"]);
    expect(configProblems((t) => delete t.github.repo)).toEqual(["github.repo: is required"]);
    expect(configProblems((t) => (t.github.repo = 42))).toEqual(["github.repo: Expected string, received number"]);
  });

  it("name the top level when the configuration is not a mapping", () => {
    expect(() => parseConfig([])).toThrow("Invalid configuration (1 problem):\n  - (top level): Expected object, received array");
  });
});

describe("configuration files", () => {
  const load = (file: string) => loadConfig({ COALITION_CONFIG: file });
  const failure = (file: string) => {
    try {
      load(file);
    } catch (error) {
      return (error as ConfigError).problems;
    }
    throw new Error("loaded");
  };

  it("read a .json file as JSON and anything else as YAML", () => {
    expect(load(temp("c.json", '{"prefix": "civic"}')).prefix).toBe("civic");
    expect(load(temp("c.yml", "prefix: civic\n")).prefix).toBe("civic");
    const file = temp("c.json", "prefix: civic\n");
    expect(failure(file)).toEqual([expect.stringMatching(new RegExp(`^${file.replace(/[.]/g, "\\.")} \\(named by COALITION_CONFIG\\): cannot be parsed: Unexpected token`))]);
  });

  it("say only the first line of a parse error", () => {
    const file = temp("c.yml", "prefix: [civic\n");
    const [problem] = failure(file);
    expect(problem.startsWith(`${file} (named by COALITION_CONFIG): cannot be parsed: `)).toBe(true);
    expect(problem).not.toContain("\n");
  });

  it("must hold a mapping", () => {
    for (const text of ["- a\n- b\n", "just text\n", "", "null\n"]) {
      const file = temp("c.yml", text);
      expect(failure(file), JSON.stringify(text)).toEqual([`${file} (named by COALITION_CONFIG): must contain a mapping of configuration fields`]);
    }
  });

  it("merge mappings key by key, and replace lists and values whole", () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1, e: { f: 1 } }, { a: { c: [3] }, d: { g: 1 }, e: null, h: 2 })).toEqual({ a: { b: 1, c: [3] }, d: { g: 1 }, e: null, h: 2 });
    expect(deepMerge({ a: [1, { x: 1 }] }, { a: { x: 2 } })).toEqual({ a: { x: 2 } });
    expect(deepMerge({ a: { x: 1 } }, { a: [2] })).toEqual({ a: [2] });
  });

  it("take a tool's overlay over the file, under the COALITION_* overrides", () => {
    const file = temp("c.yml", "prefix: civic\nregion: eu-west-1\n");
    const config = loadConfig({ COALITION_CONFIG: file, COALITION_REGION: "eu-west-3" }, { prefix: "overlay", region: "us-west-2", bastion: { enabled: false } });
    expect([config.prefix, config.region, config.bastion.enabled]).toEqual(["overlay", "eu-west-3", false]);
    expect(loadConfig({}, undefined).prefix).toBe("coalition");
  });
});

describe("CIDR blocks", () => {
  it("take IPv4 blocks from /16 to /28 for networks", () => {
    expect(parseCidr("10.0.0.0/16")).toEqual({});
    expect(parseCidr("10.0.0.16/28")).toEqual({});
    expect(parseCidr("10.0.0.0/15")).toEqual({ problem: "10.0.0.0/15 must have a prefix length from /16 to /28" });
    expect(parseCidr("10.0.0.0/29")).toEqual({ problem: "10.0.0.0/29 must have a prefix length from /16 to /28" });
    expect(parseCidr("2001:db8::/48")).toEqual({ problem: "2001:db8::/48 is not an IPv4 block" });
    expect(parseCidr("10.0.0.0")).toEqual({ problem: '"10.0.0.0" is not a CIDR block such as 10.0.0.0/16' });
    expect(parseCidr("10.0.0.0/32", { minBits: 1, maxBits: 32 })).toEqual({});
  });

  it("contain a block only when it is inside, and overlap either way", () => {
    expect(cidrContains("10.0.0.0/16", "10.0.3.0/24")).toBe(true);
    expect(cidrContains("10.0.0.0/16", "10.0.0.0/16")).toBe(true);
    expect(cidrContains("10.0.0.0/16", "10.0.0.0/8")).toBe(false);
    expect(cidrContains("10.0.0.0/16", "10.1.0.0/24")).toBe(false);
    expect(cidrsOverlap("10.0.0.0/8", "10.1.0.0/16")).toBe(true);
    expect(cidrsOverlap("10.1.0.0/16", "10.0.0.0/8")).toBe(true);
    expect(cidrsOverlap("10.1.0.0/16", "10.2.0.0/16")).toBe(false);
  });
});
