import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "../../src/config";
import { localConfig } from "../../src/local/config";
import { exampleTree } from "../support/config";

function problemsOf(local: unknown): string[] {
  try {
    parseConfig({ ...exampleTree(), local });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("the local section of the configuration", () => {
  it("is absent unless configured: a real deployment has no local mode", () => {
    expect(loadConfig({}).local).toBeUndefined();
  });

  it("takes the emulator's URL and leaves out the unsupported types by default", () => {
    expect(parseConfig({ ...exampleTree(), local: { endpoint: "http://127.0.0.1:5000" } }).local).toEqual({ endpoint: "http://127.0.0.1:5000", excludeUnsupported: true });
    expect(parseConfig({ ...exampleTree(), local: { excludeUnsupported: false } }).local).toEqual({ excludeUnsupported: false });
  });

  it.each([
    ["a URL with a path", { endpoint: "http://127.0.0.1:5000/aws" }, "local.endpoint: must be an http:// or https:// URL without a path"],
    ["no URL at all", { endpoint: "127.0.0.1:5000" }, "local.endpoint: must be the emulator's URL"],
    ["another scheme", { endpoint: "ftp://127.0.0.1:5000" }, "local.endpoint: must be an http:// or https:// URL"],
    ["a switch that is not a boolean", { excludeUnsupported: "yes" }, "local.excludeUnsupported: Expected boolean"],
    ["an unknown field", { port: 5000 }, "local: unknown field port"],
  ])("rejects %s", (_what, local, message) => {
    expect(problemsOf(local).join("\n")).toContain(message);
  });

  it("is read from a configuration file like any other section", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "coalition-local-config-")), "local.yaml");
    writeFileSync(file, "local:\n  excludeUnsupported: false\n");
    expect(loadConfig({ COALITION_CONFIG: file }).local).toEqual({ excludeUnsupported: false });
  });
});

describe("the configuration local:up deploys", () => {
  const endpoint = "http://127.0.0.1:5123";

  it("is the project's configuration in local mode, destroyable, adopting the bootstrap's role", () => {
    const config = localConfig({ COALITION_PROD_ACCOUNT_ID: "444444444444" }, endpoint);
    expect(config.local).toEqual({ endpoint, excludeUnsupported: true });
    expect(config.accounts.prod.accountId).toBe("444444444444");
    expect(config.database.deletionProtection).toBe(false);
    for (const account of Object.values(config.accounts)) expect(account.githubOidc.adoptBootstrap).toBe(true);
    const rest = (c: typeof config) => ({ ...c, local: undefined, database: { ...c.database, deletionProtection: undefined }, accounts: undefined });
    expect(rest(config)).toEqual(rest(loadConfig({ COALITION_PROD_ACCOUNT_ID: "444444444444" })));
  });

  it("keeps the switch a configuration file sets, and creates the zone instead of adopting one", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "coalition-local-config-")), "platform.yaml");
    writeFileSync(file, "local:\n  excludeUnsupported: false\napplications:\n  prod:\n    hostedZoneId: Z0123456789ABCDEFGHIJ\n");
    expect(loadConfig({ COALITION_CONFIG: file }).applications.prod.hostedZoneId).toBe("Z0123456789ABCDEFGHIJ");
    const config = localConfig({ COALITION_CONFIG: file }, endpoint);
    expect(config.local).toEqual({ endpoint, excludeUnsupported: false });
    expect(config.applications.prod.hostedZoneId).toBeUndefined();
    expect(config.applications.prod.domain).toBe("example.org");
  });

  it("reports a bad project configuration as such", () => {
    expect(() => localConfig({ COALITION_REGION: "mars-1" }, endpoint)).toThrow(/region \(from COALITION_REGION\)/);
  });
});
