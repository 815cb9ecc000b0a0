import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { spawnSync } from "node:child_process";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseProvisionArgs, UsageError } from "../../src/tools/db-provision";
import { Moto } from "../support/moto";
import { have } from "../support/prerequisites";
import { freePort, Postgres } from "../support/services";

const missing = have("postgis", "moto_server") ? undefined : "PostgreSQL with PostGIS or moto_server";

describe.skipIf(missing !== undefined)("db:provision against a real PostgreSQL with PostGIS", () => {
  let postgres: Postgres;
  let moto: Moto;
  let secrets: SecretsManagerClient;

  beforeAll(async () => {
    [postgres, moto] = await Promise.all([Postgres.start(), Moto.start()]);
    secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    // As the shared stack leaves them: created, with no value.
    for (const env of ["prod", "dev"]) await secrets.send(new CreateSecretCommand({ Name: `coalition/${env}/database` }));
  }, 60_000);

  afterAll(async () => {
    postgres?.stop();
    await moto?.stop();
  });

  const provision = (args: string[], extraEnv: Record<string, string> = {}) =>
    spawnSync(process.execPath, ["--import", "tsx", "src/tools/db-provision.ts", ...args], {
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
      ssl: true,
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
    [["--env", "prod", "--host", "h", "--sslmode", "prefer"], "--sslmode must be require or disable"],
    [["--env", "prod", "--host", "h", "--password", "x"], "Unknown option '--password'"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseProvisionArgs(argv)).toThrow(UsageError);
    expect(() => parseProvisionArgs(argv)).toThrow(message);
  });
});
