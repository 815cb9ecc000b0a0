import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { X509Certificate } from "node:crypto";
import { parseProvisionArgs, RDS_CERTIFICATE_AUTHORITIES, UsageError } from "../../src/tools/db-provision";
import { Moto } from "../support/moto";
import { have } from "../support/prerequisites";
import { freePort, Postgres, testCertificates } from "../support/services";

const missing = have("postgis", "moto_server") ? undefined : "PostgreSQL with PostGIS or moto_server";
/** The name on the test server's certificate, as an RDS endpoint's is on its own. */
const SERVER_NAME = "coalition.c0ffee.us-east-1.rds.test";

describe.skipIf(missing !== undefined)("db:provision against a real PostgreSQL with PostGIS", () => {
  let postgres: Postgres;
  let moto: Moto;
  let secrets: SecretsManagerClient;
  let certificates: ReturnType<typeof testCertificates>;
  let authorityFile: string;

  beforeAll(async () => {
    certificates = testCertificates(SERVER_NAME);
    [postgres, moto] = await Promise.all([Postgres.start(certificates), Moto.start()]);
    authorityFile = path.join(mkdtempSync(path.join(tmpdir(), "coalition-ca-")), "ca.pem");
    writeFileSync(authorityFile, certificates.authority);
    secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    // As the shared stack leaves them: created, with no value.
    for (const env of ["prod", "dev"]) await secrets.send(new CreateSecretCommand({ Name: `coalition/${env}/database` }));
  }, 60_000);

  afterAll(async () => {
    postgres?.stop();
    await moto?.stop();
  });

  const provision = (args: string[], extraEnv: Record<string, string> = {}) =>
    spawnSync(process.execPath, ["scripts/app.cjs", "src/tools/db-provision", ...args], {
      encoding: "utf8",
      env: { ...process.env, ...moto.clientEnvironment(), PGPASSWORD: Postgres.superuserPassword, ...extraEnv },
    });
  const standardArgs = () => ["--env", "prod", "--env", "dev", "--host", "127.0.0.1", "--port", String(postgres.port), "--admin-user", Postgres.superuser, "--sslmode", "disable"];

  const connect = async (user: string, password: string, database: string) => {
    const client = new Client({ host: "127.0.0.1", port: postgres.port, user, password, database });
    await client.connect();
    return client;
  };
  const asSuperuser = (database = "postgres") => connect(Postgres.superuser, Postgres.superuserPassword, database);
  const storedLogin = async (env: string) =>
    JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: `coalition/${env}/database` }))).SecretString!);
  const databases = async () => {
    const client = await asSuperuser();
    try {
      return (await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'coalition%' ORDER BY 1")).rows.map((r) => r.datname);
    } finally {
      await client.end();
    }
  };
  const roles = async () => {
    const client = await asSuperuser();
    try {
      return (await client.query("SELECT rolname FROM pg_roles ORDER BY 1")).rows.map((r) => r.rolname);
    } finally {
      await client.end();
    }
  };
  const secretIsEmpty = async (env: string) =>
    secrets.send(new GetSecretValueCommand({ SecretId: `coalition/${env}/database` })).then(
      () => false,
      () => true,
    );

  it("changes nothing when the server cannot be reached", async () => {
    const port = await freePort();
    const result = provision(["--env", "prod", "--host", "127.0.0.1", "--port", String(port), "--sslmode", "disable"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`db:provision: cannot connect to 127.0.0.1:${port}`);
    expect(await secretIsEmpty("prod")).toBe(true);
    expect(await databases()).toEqual([]);
  }, 60_000);

  it("changes nothing on an unknown environment", async () => {
    const result = provision(["--env", "staging", "--host", "127.0.0.1", "--port", String(postgres.port), "--sslmode", "disable"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--env must be one of prod, dev");
    expect(await secretIsEmpty("prod")).toBe(true);
    expect(await databases()).toEqual([]);
  }, 60_000);

  it("changes nothing when an environment's secret does not exist", async () => {
    const result = provision(standardArgs(), { COALITION_PREFIX: "civic" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("secret civic/prod/database does not exist: deploy the shared stack first");
    expect(await databases()).toEqual([]);
  }, 60_000);

  it("creates each environment's database with PostGIS and its own role, storing the generated password", async () => {
    const result = provision(standardArgs());
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(await databases()).toEqual(["coalition_dev", "coalition_prod"]);
    for (const env of ["prod", "dev"]) {
      const login = await storedLogin(env);
      expect(login).toMatchObject({ engine: "postgres", host: "127.0.0.1", port: postgres.port, dbname: `coalition_${env}`, username: `coalition_${env}` });
      expect(login.password.length).toBeGreaterThanOrEqual(24);
      expect(login.url).toBe(`postgis://coalition_${env}:${encodeURIComponent(login.password)}@127.0.0.1:${postgres.port}/coalition_${env}`);
      const client = await asSuperuser(`coalition_${env}`);
      expect((await client.query("SELECT extname FROM pg_extension WHERE extname = 'postgis'")).rowCount).toBe(1);
      await client.end();
    }
  }, 120_000);

  it("lets each role use its own database, geometry included", async () => {
    const prod = await storedLogin("prod");
    const client = await connect(prod.username, prod.password, prod.dbname);
    await client.query("CREATE TABLE IF NOT EXISTS places (id serial PRIMARY KEY, location geometry(Point, 4326))");
    await client.query("INSERT INTO places (location) VALUES (ST_SetSRID(ST_MakePoint(-77.03, 38.9), 4326))");
    const { rows } = await client.query("SELECT ST_X(location) AS x FROM places LIMIT 1");
    expect(rows[0].x).toBeCloseTo(-77.03);
    await client.end();
  }, 60_000);

  it("keeps each role out of the other environment's database", async () => {
    const prod = await storedLogin("prod");
    const dev = await storedLogin("dev");
    await expect(connect(prod.username, prod.password, "coalition_dev")).rejects.toThrow(/permission denied for database "coalition_dev"/);
    await expect(connect(dev.username, dev.password, "coalition_prod")).rejects.toThrow(/permission denied for database "coalition_prod"/);
    await expect(connect(dev.username, prod.password, "coalition_dev")).rejects.toThrow(/password authentication failed/);
  }, 60_000);

  it("changes nothing when run again", async () => {
    const before = { prod: await storedLogin("prod"), dev: await storedLogin("dev") };
    const result = provision(standardArgs());
    expect(result.status).toBe(0);
    expect(result.stdout).not.toMatch(/created|generated/);
    expect({ prod: await storedLogin("prod"), dev: await storedLogin("dev") }).toEqual(before);
    expect(await databases()).toEqual(["coalition_dev", "coalition_prod"]);
    const client = await connect(before.prod.username, before.prod.password, "coalition_prod");
    expect((await client.query("SELECT count(*)::int AS n FROM places")).rows[0].n).toBe(1);
    await client.end();
  }, 120_000);

  it("sets a stored password holding quotes, backslashes, dollar quotes and a newline exactly, running none of it", async () => {
    const password = "it's \\a $$pass$$ word\n'; CREATE ROLE intruder LOGIN; --";
    const login = { ...(await storedLogin("prod")), password };
    await secrets.send(new PutSecretValueCommand({ SecretId: "coalition/prod/database", SecretString: JSON.stringify(login) }));
    const rolesBefore = await roles();

    const result = provision(standardArgs());
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);

    const client = await connect("coalition_prod", password, "coalition_prod");
    expect((await client.query("SELECT current_user AS user")).rows[0].user).toBe("coalition_prod");
    await client.end();
    for (const near of [password.replace("\n", ""), password.replace("\\", ""), password.replace(/'/g, "")]) {
      await expect(connect("coalition_prod", near, "coalition_prod")).rejects.toThrow(/password authentication failed/);
    }
    expect(await roles()).toEqual(rolesBefore);
    expect(rolesBefore).not.toContain("intruder");
    expect(await databases()).toEqual(["coalition_dev", "coalition_prod"]);
  }, 120_000);

  describe("over TLS (verify-full, the default)", () => {
    // Through a tunnel: reached at 127.0.0.1, the server is verified under the name the application uses.
    const tlsArgs = (appHost: string, ...extra: string[]) =>
      ["--env", "prod", "--host", "127.0.0.1", "--port", String(postgres.port), "--app-host", appHost, "--admin-user", Postgres.superuser, ...extra];

    it("connects when a trusted authority issued the server's certificate for the application's address", () => {
      const result = provision(tlsArgs(SERVER_NAME, "--ca-bundle", authorityFile));
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toContain("prod: database coalition_prod with PostGIS, role coalition_prod: ready");
    }, 60_000);

    it("refuses a server whose certificate no Amazon RDS authority issued, changing nothing", async () => {
      const before = await storedLogin("prod");
      const result = provision(tlsArgs(SERVER_NAME));
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/db:provision: cannot connect to 127\.0\.0\.1:\d+ .*: (unable to verify the first certificate|self-signed certificate in certificate chain|unable to get local issuer certificate)/);
      expect(await storedLogin("prod")).toEqual(before);
    }, 60_000);

    it("refuses a certificate issued for another name", () => {
      const result = provision(tlsArgs("other.c0ffee.us-east-1.rds.test", "--ca-bundle", authorityFile));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`Hostname/IP does not match certificate's altnames: Host: other.c0ffee.us-east-1.rds.test. is not in the cert's altnames: DNS:${SERVER_NAME}`);
    }, 60_000);
  });
});

describe("db:provision arguments", () => {
  it("reads environments, server and options", () => {
    expect(parseProvisionArgs(["--env", "prod", "--env", "dev", "--env", "prod", "--host", "db.internal"])).toEqual({
      environments: ["prod", "dev"],
      host: "db.internal",
      port: 5432,
      appHost: "db.internal",
      adminUser: undefined,
      adminSecretId: undefined,
      ssl: { ca: RDS_CERTIFICATE_AUTHORITIES },
    });
    expect(parseProvisionArgs(["--env", "dev", "--host", "127.0.0.1", "--port", "15432", "--app-host", "db.example"])).toMatchObject({
      port: 15432,
      appHost: "db.example",
    });
  });

  it.each([
    [["--host", "h"], "--env is required"],
    [["--env", "shared", "--host", "h"], "--env must be one of prod, dev"],
    [["--env", "prod"], "--host is required"],
    [["--env", "prod", "--host", "h", "--port", "99999"], "--port must be a port number"],
    [["--env", "prod", "--host", "h", "--sslmode", "require"], "--sslmode must be verify-full or disable"],
    [["--env", "prod", "--host", "h", "--sslmode", "disable", "--ca-bundle", "ca.pem"], "--ca-bundle needs TLS"],
    [["--env", "prod", "--host", "h", "--ca-bundle", "/nonexistent/ca.pem"], "--ca-bundle /nonexistent/ca.pem cannot be read: ENOENT"],
    [["--env", "prod", "--host", "h", "--ca-bundle", "package.json"], "--ca-bundle package.json holds no PEM certificate"],
    [["--env", "prod", "--host", "h", "--password", "x"], "Unknown option '--password'"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseProvisionArgs(argv)).toThrow(UsageError);
    expect(() => parseProvisionArgs(argv)).toThrow(message);
  });
});

describe("the Amazon RDS certificate authorities", () => {
  const subjects = RDS_CERTIFICATE_AUTHORITIES.map((pem) => new X509Certificate(pem).subject);

  // AWS's current root authorities for RDS, per region (RSA2048 is the default for new instances).
  it.each(["RSA2048", "RSA4096", "ECC384"])("include the %s G1 root of the region the platform runs in", (kind) => {
    expect(subjects).toContainEqual(expect.stringContaining(`CN=Amazon RDS us-east-1 Root CA ${kind} G1`));
  });

  it("hold only Amazon RDS's authorities", () => {
    for (const subject of subjects) expect(subject).toMatch(/CN=Amazon RDS /);
  });
});
