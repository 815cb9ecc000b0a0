import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig, projectRoot } from "../../src/config";
import { bootstrapFingerprint } from "../../src/local/bootstrap";
import { workspace } from "../../src/local/workspace";
import { exampleTree } from "../support/config";

/** A project root holding a copy of the real bootstrap/ folder, to change files in. */
function rootWithBootstrap(): string {
  const root = mkdtempSync(path.join(tmpdir(), "coalition-fingerprint-"));
  cpSync(path.join(projectRoot(), "bootstrap"), path.join(root, "bootstrap"), { recursive: true });
  return root;
}

describe("the fingerprint of a bootstrap, by which local:up skips one the emulator already holds", () => {
  const root = rootWithBootstrap();
  const space = workspace({ COALITION_LOCAL_DIR: path.join(root, "ws") }, root);
  const config = (changes: Record<string, unknown> = {}) => parseConfig({ ...exampleTree(), ...changes });
  const base = bootstrapFingerprint(space, config());

  it("is the same for the same scripts, templates and settings", () => {
    expect(bootstrapFingerprint(space, config())).toBe(base);
    expect(bootstrapFingerprint(workspace({ COALITION_LOCAL_DIR: path.join(root, "other") }, root), config())).toBe(base);
  });

  it("changes with any argument of the bootstrap or any account", () => {
    expect(bootstrapFingerprint(space, config({ prefix: "other" }))).not.toBe(base);
    expect(bootstrapFingerprint(space, config({ github: { repo: "someone/else" } }))).not.toBe(base);
    const accounts = exampleTree().accounts as Record<string, Record<string, unknown>>;
    expect(bootstrapFingerprint(space, config({ accounts: { ...accounts, dev: { ...accounts.dev, accountId: "444444444444" } } }))).not.toBe(base);
  });

  it("changes with any file under bootstrap/, a template or a script, and with a new file", () => {
    const changed = rootWithBootstrap();
    const inChanged = workspace({}, changed);
    expect(bootstrapFingerprint(inChanged, config())).toBe(base);
    writeFileSync(path.join(changed, "bootstrap", "github-oidc-role.cfn.yml"), "# edited\n", { flag: "a" });
    const edited = bootstrapFingerprint(inChanged, config());
    expect(edited).not.toBe(base);
    writeFileSync(path.join(changed, "bootstrap", "lib", "extra.sh"), "");
    expect(bootstrapFingerprint(inChanged, config())).not.toBe(edited);
  });
});
