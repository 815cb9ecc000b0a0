import { spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

import { freePort } from "../../src/local/emulator";
import { postgresBinary } from "./prerequisites";

export { freePort };

/**
 * A throwaway PostgreSQL server on 127.0.0.1 with password (SCRAM) authentication for TCP connections,
 * run as the `postgres` system user when the tests run as root (PostgreSQL refuses root).
 * Binaries as postgresBinary finds them.
 */
export class Postgres {
  static readonly superuser = "postgres";
  static readonly superuserPassword = "superuser-secret";


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
    run(postgresBinary("initdb"), ["-D", dataDir, "-U", Postgres.superuser, `--pwfile=${passwordFile}`, "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8"]);
    const port = await freePort();
    run(postgresBinary("pg_ctl"), ["-D", dataDir, "-w", "-l", path.join(root, "server.log"), "-o", `-p ${port} -c listen_addresses=127.0.0.1 -k ${root}`, "start"]);
    return new Postgres(port, () => run(postgresBinary("pg_ctl"), ["-D", dataDir, "-m", "fast", "stop"]));
  }

  private static systemUser(): { uid: number; gid: number } {
    const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
    return { uid: id("-u"), gid: id("-g") };
  }

  stop(): void {
    this.stopServer();
  }
}
