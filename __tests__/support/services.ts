import { spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

import { freePort } from "../../src/local/emulator";

export { freePort };

/** Says loudly, once, why a group of tests is skipped. */
export function warnSkipped(what: string, missing: string, fix: string): void {
  const bar = "!".repeat(78);
  console.warn(`\n${bar}\n!! SKIPPED: ${what}: ${missing}.\n!! ${fix}\n${bar}\n`);
}

/** Whether a command runs at all (`--version` or the like exits 0). */
export function toolAvailable(command: string, args: string[] = ["--version"]): boolean {
  return spawnSync(command, args, { encoding: "utf8" }).status === 0;
}

/**
 * A throwaway PostgreSQL server on 127.0.0.1 with password (SCRAM) authentication for TCP connections,
 * run as the `postgres` system user when the tests run as root (PostgreSQL refuses root).
 * Binaries come from POSTGRES_BIN_DIR, else from PATH.
 */
export class Postgres {
  static readonly superuser = "postgres";
  static readonly superuserPassword = "superuser-secret";

  static binary(name: string): string {
    return process.env.POSTGRES_BIN_DIR ? path.join(process.env.POSTGRES_BIN_DIR, name) : name;
  }

  /** What is missing to run these tests, if anything. */
  static missing(): string | undefined {
    if (spawnSync(Postgres.binary("initdb"), ["--version"]).status !== 0) return "initdb not found (set POSTGRES_BIN_DIR or put the PostgreSQL binaries on PATH)";
    const share = spawnSync(Postgres.binary("pg_config"), ["--sharedir"], { encoding: "utf8" });
    const sharedir = share.status === 0 ? share.stdout.trim() : undefined;
    if (sharedir && spawnSync("sh", ["-c", `ls ${sharedir}/extension/postgis.control`]).status !== 0) return "the PostGIS extension is not installed";
    return undefined;
  }

  private constructor(
    readonly port: number,
    private readonly stopServer: () => void,
  ) {}

  static async start(): Promise<Postgres> {
    const root = mkdtempSync(path.join(tmpdir(), "coalition-postgres-"));
    const dataDir = path.join(root, "data");
    const passwordFile = path.join(root, "password");
    writeFileSync(passwordFile, `${Postgres.superuserPassword}\n`);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const { uid, gid } = Postgres.systemUser();
      chownSync(root, uid, gid);
      chownSync(passwordFile, uid, gid);
    }
    const run = (command: string, args: string[]) => {
      const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
      const result = spawnSync(file, argv, { encoding: "utf8" });
      if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}${result.stdout}`);
    };
    run(Postgres.binary("initdb"), ["-D", dataDir, "-U", Postgres.superuser, `--pwfile=${passwordFile}`, "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8"]);
    const port = await freePort();
    run(Postgres.binary("pg_ctl"), ["-D", dataDir, "-w", "-l", path.join(root, "server.log"), "-o", `-p ${port} -c listen_addresses=127.0.0.1 -k ${root}`, "start"]);
    return new Postgres(port, () => run(Postgres.binary("pg_ctl"), ["-D", dataDir, "-m", "fast", "stop"]));
  }

  private static systemUser(): { uid: number; gid: number } {
    const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
    return { uid: id("-u"), gid: id("-g") };
  }

  stop(): void {
    this.stopServer();
  }
}
