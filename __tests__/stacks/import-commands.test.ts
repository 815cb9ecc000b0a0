import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/ci/cli";
import { importCommands, parseImportArgs } from "../../src/tools/import-commands";
import { addresses, exampleConfig, synthPlatform } from "../support/synth";

const ACCOUNTS = { shared: "444444444444", prod: "555555555555", dev: "666666666666" } as const;
const adopting = exampleConfig((tree) => {
  for (const env of ["shared", "prod", "dev"] as const) {
    tree.accounts[env].accountId = ACCOUNTS[env];
    tree.accounts[env].githubOidc = { adoptBootstrap: true };
  }
});
const stacks = synthPlatform(adopting);
const env = { COALITION_SHARED_ACCOUNT_ID: ACCOUNTS.shared, COALITION_PROD_ACCOUNT_ID: ACCOUNTS.prod, COALITION_DEV_ACCOUNT_ID: ACCOUNTS.dev };

describe.each(["shared", "prod", "dev"] as const)("terraform import commands for %s", (name) => {
  const lines = importCommands(name, ACCOUNTS[name], env);

  it("name addresses that exist in the synthesized stack", () => {
    // Provider, deploy role and plan role, and each role's two inline policies.
    expect(lines.length).toBe(7);
    for (const line of lines) {
      const [, address] = /^terraform import (\S+) (\S+)$/.exec(line)!;
      expect(addresses(stacks[name])).toContain(address);
    }
  });

  it("match the import blocks the adopt switch emits", () => {
    const blocks = ((stacks[name] as any).import as { to: string; id: string }[]).map(({ to, id }) => `terraform import ${to} ${id}`);
    expect(lines).toEqual(blocks);
    expect(lines).toContain(`terraform import aws_iam_role.github_oidc_role github-actions-${name}`);
    expect(lines).toContain(
      `terraform import aws_iam_openid_connect_provider.github_oidc_provider arn:aws:iam::${ACCOUNTS[name]}:oidc-provider/token.actions.githubusercontent.com`,
    );
  });
});

describe("import-commands arguments", () => {
  it("accepts an environment and a 12-digit account id", () => {
    expect(parseImportArgs(["--env", "dev", "--account-id", "123456789012"])).toEqual({ environment: "dev", accountId: "123456789012" });
    expect(parseImportArgs(["--help"])).toBe("help");
  });

  it.each([
    [["--account-id", "123456789012"], "--env is required"],
    [["--env", "dev"], "--account-id is required"],
    [["--env", "staging", "--account-id", "123456789012"], "--env must be one of shared, prod, dev"],
    [["--env", "dev", "--account-id", "12345"], "--account-id must be a 12-digit AWS account id"],
    [["--env", "dev", "--account-id", "123456789012", "--force"], "Unknown option '--force'"],
    [["--env", "dev", "--account-id", "123456789012", "extra"], "Unexpected argument 'extra'"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseImportArgs(argv)).toThrow(UsageError);
    expect(() => parseImportArgs(argv)).toThrow(message);
  });

  it("prints the commands from the npm script, and exits 2 with usage on bad arguments", () => {
    const run = (args: string[]) =>
      spawnSync("npm", ["run", "--silent", "import-commands", "--", ...args], { encoding: "utf8", env: { ...process.env, ...env } });
    const ok = run(["--env", "prod", "--account-id", ACCOUNTS.prod]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("terraform import aws_iam_role.github_oidc_role github-actions-prod\n");
    const bad = run(["--env", "prod", "--account-id", "42"]);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("--account-id must be a 12-digit AWS account id");
  });
});
