import { spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

  /** Starts a server; with `tls`, it also accepts TLS connections, presenting that certificate (PEM) and key. */
  static async start(tls?: { certificate: string; key: string }): Promise<Postgres> {
    const root = mkdtempSync(path.join(tmpdir(), "coalition-postgres-"));
    const dataDir = path.join(root, "data");
    const passwordFile = path.join(root, "password");
    writeFileSync(passwordFile, `${Postgres.superuserPassword}\n`);
    const [certificateFile, keyFile] = [path.join(root, "server.crt"), path.join(root, "server.key")];
    if (tls) {
      writeFileSync(certificateFile, tls.certificate);
      writeFileSync(keyFile, tls.key, { mode: 0o600 });
    }
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const { uid, gid } = Postgres.systemUser();
      for (const file of [root, passwordFile, ...(tls ? [certificateFile, keyFile] : [])]) chownSync(file, uid, gid);
    }
    const run = (command: string, args: string[]) => {
      const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
      const result = spawnSync(file, argv, { encoding: "utf8" });
      if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}${result.stdout}`);
    };
    run(postgresBinary("initdb"), ["-D", dataDir, "-U", Postgres.superuser, `--pwfile=${passwordFile}`, "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8"]);
    const port = await freePort();
    const tlsOptions = tls ? ` -c ssl=on -c ssl_cert_file=${certificateFile} -c ssl_key_file=${keyFile}` : "";
    run(postgresBinary("pg_ctl"), ["-D", dataDir, "-w", "-l", path.join(root, "server.log"), "-o", `-p ${port} -c listen_addresses=127.0.0.1 -k ${root}${tlsOptions}`, "start"]);
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

/**
 * A certificate authority made for a test, and a server certificate it issued for `serverName` (openssl, which
 * PostgreSQL's packages bring). PEM texts.
 */
export function testCertificates(serverName: string): { authority: string; certificate: string; key: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-tls-"));
  const openssl = (args: string[]) => {
    const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Coalition test CA"]);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", `/CN=${serverName}`]);
  writeFileSync(path.join(dir, "san.ext"), `subjectAltName=DNS:${serverName}\n`);
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext"]);
  const read = (file: string) => readFileSync(path.join(dir, file), "utf8");
  return { authority: read("ca.crt"), certificate: read("server.crt"), key: read("server.key") };
}
