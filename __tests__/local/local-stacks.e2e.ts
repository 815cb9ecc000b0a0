import { App } from "cdktf";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ENVIRONMENTS, parseConfig } from "../../src/config";
import { applyLocalMode } from "../../src/local/emulated-stack";
import { definePlatform } from "../../stacks/platform";
import { exampleConfig } from "../support/synth";
import { have } from "../support/prerequisites";
import { terraform, terraformEnvironment } from "../support/terraform";

const available = have("terraform");

describe.skipIf(!available)("the local-mode stacks under real Terraform", () => {
  const outdir = mkdtempSync(path.join(tmpdir(), "coalition-local-synth-"));
  const env = terraformEnvironment();

  beforeAll(() => {
    const app = new App({ outdir });
    applyLocalMode(definePlatform(app, parseConfig({ ...exampleConfig(), local: { endpoint: "http://127.0.0.1:4999" } })).stacks);
    app.synth();
  });

  // Validation type-checks every expression (the reads of the stand-ins included) and the providers' settings
  // (the endpoints included) against the provider's schema.
  it.each(ENVIRONMENTS)("%s passes terraform validate", (stack) => {
    const dir = path.join(outdir, "stacks", stack);
    const init = terraform(dir, ["init", "-backend=false", "-input=false"], env);
    expect(init.output, "terraform init").toContain("Terraform has been successfully initialized");
    const result = terraform(dir, ["validate"], env);
    expect(result.output).toContain("The configuration is valid");
    expect(result.status).toBe(0);
  }, 180_000);
});
