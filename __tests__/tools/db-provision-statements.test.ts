import { GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { main, parseProvisionArgs, provision, type ProvisionOptions, RDS_CERTIFICATE_AUTHORITIES, UsageError } from "../../src/tools/db-provision";

/**
 * db:provision without a server: what it sends to PostgreSQL and to Secrets Manager, with pg's Client and the SDK's
 * client answered in memory. db-provision.test.ts runs it against a real PostgreSQL with PostGIS and Secrets Manager
 * on moto.
 */

/** What PostgreSQL holds, as far as db:provision asks. */
interface Server {
  roles: Set<string>;
  databases: Set<string>;
  superuser: boolean;
  memberOf: Set<string>;
  /** Connecting fails with this message. */
  refuse?: string;
}

/** One statement, and the database of the connection it went to. */
type Statement = [database: string, sql: string];

interface Secrets {
  /** Secret values by id; absent: "no current version", as Terraform leaves them. */
  values: Map<string, string>;
  /** Ids that do not exist at all. */
  missing: Set<string>;
  /** Reading these fails with this error. */
  failing: Map<string, Error>;
}

let server: Server;
let statements: Statement[];
let connections: Client[];
let secrets: Secrets;
let puts: { SecretId?: string; SecretString?: string }[];
let regions: string[];

// The SDK warns, once per process, that its releases after January 2027 need Node 22: noise here.
const SDK_WARNING = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";
const sdkWarning = process.env[SDK_WARNING];
beforeAll(() => {
  process.env[SDK_WARNING] = "true";
});
afterAll(() => {
  if (sdkWarning === undefined) delete process.env[SDK_WARNING];
  else process.env[SDK_WARNING] = sdkWarning;
});

beforeEach(() => {
  server = { roles: new Set(), databases: new Set(["postgres"]), superuser: true, memberOf: new Set() };
  statements = [];
  connections = [];
  secrets = { values: new Map(), missing: new Set(), failing: new Map() };
  puts = [];
  regions = [];
  vi.spyOn(Client.prototype, "connect").mockImplementation(async function (this: Client) {
    connections.push(this);
    if (server.refuse) throw new Error(server.refuse);
  } as any);
  vi.spyOn(Client.prototype, "end").mockImplementation(async function (this: Client) {
    statements.push([this.database!, "(end)"]);
  } as any);
  vi.spyOn(Client.prototype, "query").mockImplementation(async function (this: Client, sql: string, params?: unknown[]) {
    const row = (found: boolean) => ({ rowCount: found ? 1 : 0, rows: found ? [{ "?column?": 1 }] : [] });
    if (sql === "SELECT 1 FROM pg_roles WHERE rolname = $1") return row(server.roles.has(params![0] as string));
    if (sql === "SELECT 1 FROM pg_database WHERE datname = $1") return row(server.databases.has(params![0] as string));
    if (sql === "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") return { rowCount: 1, rows: [{ rolsuper: server.superuser }] };
    if (sql === "SELECT pg_has_role(current_user, $1, 'MEMBER') AS member") return { rowCount: 1, rows: [{ member: server.memberOf.has(params![0] as string) }] };
    statements.push([this.database!, sql]);
    const created = /^CREATE (ROLE|DATABASE) "([^"]+)"/.exec(sql);
    if (created) (created[1] === "ROLE" ? server.roles : server.databases).add(created[2]);
    return { rowCount: null, rows: [] };
  } as any);
  vi.spyOn(SecretsManagerClient.prototype, "send").mockImplementation(async function (this: SecretsManagerClient, command: any) {
    regions.push(await this.config.region());
    const id = command.input.SecretId as string;
    if (command instanceof PutSecretValueCommand) {
      puts.push(command.input);
      secrets.values.set(id, command.input.SecretString!);
      return {};
    }
    if (command instanceof GetSecretValueCommand) {
      const failure = secrets.failing.get(id);
      if (failure) throw failure;
      if (secrets.missing.has(id)) throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });
      const value = secrets.values.get(id);
      if (value === undefined) {
        throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT", $metadata: {} });
      }
      return { SecretString: value };
    }
    throw new Error(`unexpected command ${command.constructor.name}`);
  } as any);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const options = (change: Partial<ProvisionOptions> = {}): ProvisionOptions => ({
  environments: ["dev"],
  host: "127.0.0.1",
  port: 6543,
  appHost: "db.internal.example",
  ssl: false,
  ...change,
});

async function run(opts: ProvisionOptions, env: NodeJS.ProcessEnv = { PGPASSWORD: "admin-password" }) {
  const log: string[] = [];
  await provision(opts, env, (line) => log.push(line));
  return log;
}

/** The role and database statements for one environment's database `name` on the `postgres` connection. */
const serverStatements = (name: string, password: string, verb: "CREATE" | "ALTER" = "CREATE", createDatabase = true): Statement[] => [
  ["postgres", `${verb} ROLE "${name}" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT 100 PASSWORD '${password}'`],
  ...(createDatabase ? ([["postgres", `CREATE DATABASE "${name}" OWNER "${name}" ENCODING 'UTF8' TEMPLATE template0`]] as Statement[]) : []),
  ["postgres", `REVOKE ALL ON DATABASE "${name}" FROM PUBLIC`],
  ["postgres", `GRANT CONNECT, TEMPORARY ON DATABASE "${name}" TO "${name}"`],
];
/** The statements in the environment's own database. */
const databaseStatements = (name: string): Statement[] => [
  [name, "CREATE EXTENSION IF NOT EXISTS postgis"],
  [name, "REVOKE CREATE ON SCHEMA public FROM PUBLIC"],
  [name, `GRANT ALL ON SCHEMA public TO "${name}"`],
  [name, "(end)"],
];

describe("a first run", () => {
  it("generates the password, stores it with the connection details, then creates the role and the database", async () => {
    const log = await run(options());
    expect(puts).toHaveLength(1);
    expect(puts[0].SecretId).toBe("coalition/dev/database");
    const stored = JSON.parse(puts[0].SecretString!);
    // 24 random bytes in base64url: 32 characters of [A-Za-z0-9_-].
    expect(stored.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(stored).toEqual({
      engine: "postgres",
      host: "db.internal.example",
      port: 6543,
      dbname: "coalition_dev",
      username: "coalition_dev",
      password: stored.password,
      url: `postgis://coalition_dev:${stored.password}@db.internal.example:6543/coalition_dev`,
    });
    expect(statements).toEqual([...serverStatements("coalition_dev", stored.password), ...databaseStatements("coalition_dev"), ["postgres", "(end)"]]);
    expect(log).toEqual([
      "dev: generated a password and stored it in coalition/dev/database",
      "dev: created role coalition_dev",
      "dev: created database coalition_dev",
      "dev: database coalition_dev with PostGIS, role coalition_dev: ready",
    ]);
  });

  it("provisions each environment with its own secret, role and database", async () => {
    await run(options({ environments: ["prod", "dev"] }));
    expect(puts.map((put) => put.SecretId)).toEqual(["coalition/prod/database", "coalition/dev/database"]);
    const [prod, dev] = puts.map((put) => JSON.parse(put.SecretString!).password);
    expect(prod).not.toBe(dev);
    expect(statements).toEqual([
      ...serverStatements("coalition_prod", prod),
      ...databaseStatements("coalition_prod"),
      ...serverStatements("coalition_dev", dev),
      ...databaseStatements("coalition_dev"),
      ["postgres", "(end)"],
    ]);
  });

  it("names everything after the configured prefix, with hyphens as underscores in PostgreSQL", async () => {
    await run(options(), { PGPASSWORD: "admin-password", COALITION_PREFIX: "civic-hub" });
    expect(puts[0].SecretId).toBe("civic-hub/dev/database");
    expect(statements[0][1]).toMatch(/^CREATE ROLE "civic_hub_dev" WITH /);
  });

  it("sets a stored password as an escaped literal", async () => {
    const password = "it's a pass/word?@#%:";
    secrets.values.set("coalition/dev/database", JSON.stringify({ password: password }));
    await run(options());
    expect(statements[0][1]).toBe(
      "CREATE ROLE \"coalition_dev\" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT 100 PASSWORD 'it''s a pass/word?@#%:'",
    );
    expect(puts).toEqual([]);
  });
});

describe("a run over what exists", () => {
  it("keeps the stored password, sets it again on the role, and creates nothing", async () => {
    const password = "s".repeat(16);
    secrets.values.set("coalition/dev/database", JSON.stringify({ username: "coalition_dev", password }));
    server.roles.add("coalition_dev");
    server.databases.add("coalition_dev");
    const log = await run(options());
    expect(puts).toEqual([]);
    expect(statements).toEqual([...serverStatements("coalition_dev", password, "ALTER", false), ...databaseStatements("coalition_dev"), ["postgres", "(end)"]]);
    expect(log).toEqual(["dev: database coalition_dev with PostGIS, role coalition_dev: ready"]);
  });

  it("creates the database of a role that exists without one", async () => {
    secrets.values.set("coalition/dev/database", JSON.stringify({ password: "p".repeat(20) }));
    server.roles.add("coalition_dev");
    const log = await run(options());
    expect(statements.slice(0, 2)).toEqual([
      ["postgres", `ALTER ROLE "coalition_dev" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT 100 PASSWORD '${"p".repeat(20)}'`],
      ["postgres", `CREATE DATABASE "coalition_dev" OWNER "coalition_dev" ENCODING 'UTF8' TEMPLATE template0`],
    ]);
    expect(log).toEqual(["dev: created database coalition_dev", "dev: database coalition_dev with PostGIS, role coalition_dev: ready"]);
  });
});

describe("an administrator who is not a superuser (RDS's master user)", () => {
  it("joins the role first, to be allowed to give it a database", async () => {
    server.superuser = false;
    await run(options());
    expect(statements.map(([, sql]) => sql)).toContain('GRANT "coalition_dev" TO current_user');
    const grant = statements.findIndex(([, sql]) => sql === 'GRANT "coalition_dev" TO current_user');
    const create = statements.findIndex(([, sql]) => sql.startsWith("CREATE DATABASE"));
    expect(grant).toBeLessThan(create);
  });

  it("does not join it again once a member", async () => {
    server.superuser = false;
    server.memberOf.add("coalition_dev");
    await run(options());
    expect(statements.map(([, sql]) => sql)).not.toContain('GRANT "coalition_dev" TO current_user');
  });

  it("needs no membership as a superuser", async () => {
    await run(options());
    expect(statements.map(([, sql]) => sql)).not.toContain('GRANT "coalition_dev" TO current_user');
  });
});

describe("the connections", () => {
  it("log in as the configured master user with PGPASSWORD, at --host and --port, to postgres and then the environment's database", async () => {
    await run(options());
    expect(connections.map((c) => [c.host, c.port, c.user, c.password, c.database])).toEqual([
      ["127.0.0.1", 6543, "dbadmin", "admin-password", "postgres"],
      ["127.0.0.1", 6543, "dbadmin", "admin-password", "coalition_dev"],
    ]);
    expect(connections.map((c) => (c as any).connectionParameters.ssl)).toEqual([false, false]);
    expect(connections.map((c) => (c as any)._connectionTimeoutMillis)).toEqual([10_000, 10_000]);
  });

  it("take --admin-user over the configured master user", async () => {
    await run(options({ adminUser: "root_user" }));
    expect(connections.map((c) => c.user)).toEqual(["root_user", "root_user"]);
  });

  it("verify the server's certificate against the authorities, for the name the application uses", async () => {
    await run(options({ ssl: { ca: ["CA-ONE", "CA-TWO"] } }));
    const ssl = (connections[0] as any).connectionParameters.ssl;
    expect(ssl.ca).toEqual(["CA-ONE", "CA-TWO"]);
    expect(ssl.rejectUnauthorized).toBe(true);
    const certificate = (name: string) => ({ subject: { CN: name }, subjectaltname: `DNS:${name}` }) as any;
    // Reached through a tunnel at 127.0.0.1, the server must still hold a certificate for db.internal.example.
    expect(ssl.checkServerIdentity("127.0.0.1", certificate("db.internal.example"))).toBeUndefined();
    expect(ssl.checkServerIdentity("127.0.0.1", certificate("elsewhere.example"))).toBeInstanceOf(Error);
  });

  it("read the admin login from the RDS-managed master secret", async () => {
    secrets.values.set("rds!db-1234", JSON.stringify({ username: "master", password: "from-the-secret" }));
    await run(options({ adminSecretId: "rds!db-1234" }), {});
    expect(connections.map((c) => [c.user, c.password])).toEqual([
      ["master", "from-the-secret"],
      ["master", "from-the-secret"],
    ]);
  });

  it("take --admin-user over the master secret's username, and the configured user when it has none", async () => {
    secrets.values.set("rds!a", JSON.stringify({ username: "master", password: "pw" }));
    secrets.values.set("rds!b", JSON.stringify({ password: "pw" }));
    await run(options({ adminSecretId: "rds!a", adminUser: "chosen" }), {});
    await run(options({ adminSecretId: "rds!b" }), {});
    expect(connections.map((c) => c.user)).toEqual(["chosen", "chosen", "dbadmin", "dbadmin"]);
  });

  it("ask Secrets Manager in AWS_REGION, else AWS_DEFAULT_REGION, else the configured region", async () => {
    await run(options(), { PGPASSWORD: "x", AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-west-2" });
    await run(options(), { PGPASSWORD: "x", AWS_DEFAULT_REGION: "eu-west-2" });
    await run(options(), { PGPASSWORD: "x" });
    expect([...new Set(regions)]).toEqual(["eu-west-1", "eu-west-2", "us-east-1"]);
  });
});

describe("what stops it before it changes anything", () => {
  const refused = async (opts: ProvisionOptions, env: NodeJS.ProcessEnv = { PGPASSWORD: "admin-password" }) => {
    const failure = await run(opts, env).catch((error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure.constructor.name).toBe("ProvisionError");
    expect(puts).toEqual([]);
    expect(statements.filter(([, sql]) => sql !== "(end)")).toEqual([]);
    return failure.message as string;
  };

  it("an unreachable server", async () => {
    server.refuse = "connect ECONNREFUSED 127.0.0.1:6543";
    expect(await refused(options())).toBe("cannot connect to 127.0.0.1:6543 as dbadmin (database postgres): connect ECONNREFUSED 127.0.0.1:6543");
  });

  it("no admin password", async () => {
    expect(await refused(options(), {})).toBe("give --admin-secret-id (the RDS-managed master secret) or set PGPASSWORD");
    expect(await refused(options(), { PGPASSWORD: "" })).toBe("give --admin-secret-id (the RDS-managed master secret) or set PGPASSWORD");
  });

  it("a master secret that cannot be read or has no password", async () => {
    secrets.failing.set("rds!x", new Error("AccessDenied"));
    expect(await refused(options({ adminSecretId: "rds!x" }), {})).toBe("cannot read the master secret rds!x: AccessDenied");
    secrets.values.set("rds!y", "not json");
    expect(await refused(options({ adminSecretId: "rds!y" }), {})).toMatch(/^cannot read the master secret rds!y: .*JSON/);
    secrets.values.set("rds!z", JSON.stringify({ username: "master" }));
    expect(await refused(options({ adminSecretId: "rds!z" }), {})).toBe("the master secret rds!z has no password");
  });

  it("a secret that does not exist", async () => {
    secrets.missing.add("coalition/dev/database");
    expect(await refused(options())).toBe("secret coalition/dev/database does not exist: deploy the shared stack first");
  });

  it("a secret that cannot be read", async () => {
    secrets.failing.set("coalition/dev/database", new Error("User is not authorized to perform: secretsmanager:GetSecretValue"));
    expect(await refused(options())).toBe("cannot read secret coalition/dev/database: User is not authorized to perform: secretsmanager:GetSecretValue");
  });

  it("a secret that holds no JSON, no usable password, or another user's login", async () => {
    secrets.values.set("coalition/dev/database", "password=x");
    expect(await refused(options())).toBe("secret coalition/dev/database does not hold JSON; fix or clear it by hand");
    secrets.values.set("coalition/dev/database", JSON.stringify({ password: "p".repeat(15) }));
    expect(await refused(options())).toBe("secret coalition/dev/database has no usable password; fix or clear it by hand");
    secrets.values.set("coalition/dev/database", JSON.stringify({ password: 1234567890123456 }));
    expect(await refused(options())).toBe("secret coalition/dev/database has no usable password; fix or clear it by hand");
    secrets.values.set("coalition/dev/database", JSON.stringify({ password: "p".repeat(16), username: "coalition_prod" }));
    expect(await refused(options())).toBe("secret coalition/dev/database is for user coalition_prod, not coalition_dev");
  });

  it("a bad secret of the second environment, before the first is provisioned", async () => {
    secrets.values.set("coalition/dev/database", "{");
    expect(await refused(options({ environments: ["prod", "dev"] }))).toBe("secret coalition/dev/database does not hold JSON; fix or clear it by hand");
  });
});

describe("the arguments", () => {
  it("take each environment once, the port, the application's address and verified TLS by default", () => {
    expect(parseProvisionArgs(["--env", "prod", "--env", "dev", "--env", "prod", "--host", "localhost"])).toEqual({
      environments: ["prod", "dev"],
      host: "localhost",
      port: 5432,
      appHost: "localhost",
      adminUser: undefined,
      adminSecretId: undefined,
      ssl: { ca: RDS_CERTIFICATE_AUTHORITIES },
    });
    expect(RDS_CERTIFICATE_AUTHORITIES.length).toBeGreaterThan(0);
    expect(RDS_CERTIFICATE_AUTHORITIES.every((pem) => pem.includes("-----BEGIN CERTIFICATE-----"))).toBe(true);
    expect(
      parseProvisionArgs(["--env", "dev", "--host", "127.0.0.1", "--port", "1", "--app-host", "db.example", "--admin-user", "u", "--admin-secret-id", "s", "--sslmode", "disable"]),
    ).toEqual({ environments: ["dev"], host: "127.0.0.1", port: 1, appHost: "db.example", adminUser: "u", adminSecretId: "s", ssl: false });
    expect(parseProvisionArgs(["--env", "dev", "--host", "h", "--port", "65535", "--sslmode", "verify-full"])).toMatchObject({ port: 65535, ssl: { ca: RDS_CERTIFICATE_AUTHORITIES } });
    expect(parseProvisionArgs(["--help"])).toBe("help");
    expect(parseProvisionArgs(["-h"])).toBe("help");
  });

  it("read --ca-bundle's certificates instead of Amazon RDS's", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "db-provision-ca-"));
    const bundle = path.join(dir, "ca.pem");
    const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;
    writeFileSync(bundle, `# two authorities\n${pem("AAAA")}\n\n${pem("BBBB")}\n`);
    expect(parseProvisionArgs(["--env", "dev", "--host", "h", "--ca-bundle", bundle])).toMatchObject({ ssl: { ca: [`${pem("AAAA")}\n`, `${pem("BBBB")}\n`] } });
    const empty = path.join(dir, "empty.pem");
    writeFileSync(empty, "no certificates here\n");
    expect(() => parseProvisionArgs(["--env", "dev", "--host", "h", "--ca-bundle", empty])).toThrow(new UsageError(`--ca-bundle ${empty} holds no PEM certificate`));
    const missing = path.join(dir, "missing.pem");
    expect(() => parseProvisionArgs(["--env", "dev", "--host", "h", "--ca-bundle", missing])).toThrow(new UsageError(`--ca-bundle ${missing} cannot be read: ENOENT`));
  });

  it.each([
    [[], "--env is required (prod or dev, repeat for both)"],
    [["--env", "shared", "--host", "h"], '--env must be one of prod, dev, not "shared"'],
    [["--env", "dev"], "--host is required"],
    [["--env", "dev", "--host", ""], "--host is required"],
    [["--env", "dev", "--host", "h", "--port", "0"], '--port must be a port number, not "0"'],
    [["--env", "dev", "--host", "h", "--port", "65536"], '--port must be a port number, not "65536"'],
    [["--env", "dev", "--host", "h", "--port", "54.32"], '--port must be a port number, not "54.32"'],
    [["--env", "dev", "--host", "h", "--port", "five"], '--port must be a port number, not "five"'],
    [["--env", "dev", "--host", "h", "--sslmode", "require"], '--sslmode must be verify-full or disable, not "require"'],
    [["--env", "dev", "--host", "h", "--sslmode", "disable", "--ca-bundle", "ca.pem"], "--ca-bundle needs TLS: it cannot go with --sslmode disable"],
    [["--env", "dev", "--host", "h", "extra"], "Unexpected argument 'extra'"],
    [["--env", "dev", "--host", "h", "--force"], "Unknown option '--force'"],
  ])("refuse %j", (argv, message) => {
    expect(() => parseProvisionArgs(argv)).toThrow(UsageError);
    expect(() => parseProvisionArgs(argv)).toThrow(message);
  });
});

describe("the command's exit codes and output", () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
    vi.spyOn(console, "error").mockImplementation((line: string) => void err.push(line));
  });
  const withEnv = async (env: Record<string, string | undefined>, body: () => Promise<void>) => {
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
    try {
      await body();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  };

  it("prints the usage for --help and exits 0", async () => {
    expect(await main(["--help"])).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^usage: npm run --silent db:provision -- --env <prod\|dev> \[--env \.\.\.\] --host HOST \[options\]\n/);
    expect(err).toEqual([]);
  });

  it("exits 2 on bad arguments, with the message and the usage", async () => {
    expect(await main(["--env", "staging", "--host", "h"])).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^db:provision: --env must be one of prod, dev, not "staging"\n\nusage: npm run --silent db:provision/);
    expect(out).toEqual([]);
  });

  it("exits 1 on a provisioning problem, with the message alone", async () => {
    await withEnv({ PGPASSWORD: undefined, COALITION_CONFIG: undefined }, async () => {
      expect(await main(["--env", "dev", "--host", "127.0.0.1", "--sslmode", "disable"])).toBe(1);
    });
    expect(err).toEqual(["db:provision: give --admin-secret-id (the RDS-managed master secret) or set PGPASSWORD"]);
  });

  it("exits 1 on a bad configuration, naming the problem", async () => {
    await withEnv({ COALITION_REGION: "nowhere", COALITION_CONFIG: undefined }, async () => {
      expect(await main(["--env", "dev", "--host", "127.0.0.1", "--sslmode", "disable"])).toBe(1);
    });
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^db:provision: Invalid configuration \(1 problem\):\n {2}- region \(from COALITION_REGION\): must be an AWS region name/);
  });

  it("prints each step and exits 0 when it provisions, silencing the SDK's Node version notice", async () => {
    await withEnv({ PGPASSWORD: "pw", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined, COALITION_CONFIG: undefined, COALITION_PREFIX: undefined }, async () => {
      expect(await main(["--env", "dev", "--host", "127.0.0.1", "--sslmode", "disable"])).toBe(0);
      expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe("true");
    });
    expect(out).toEqual([
      "dev: generated a password and stored it in coalition/dev/database",
      "dev: created role coalition_dev",
      "dev: created database coalition_dev",
      "dev: database coalition_dev with PostGIS, role coalition_dev: ready",
    ]);
  });

  it("throws what it does not expect", async () => {
    vi.mocked(Client.prototype.query).mockRejectedValueOnce(new TypeError("boom"));
    await withEnv({ PGPASSWORD: "pw", COALITION_CONFIG: undefined }, async () => {
      await expect(main(["--env", "dev", "--host", "127.0.0.1", "--sslmode", "disable"])).rejects.toThrow("boom");
    });
  });
});
