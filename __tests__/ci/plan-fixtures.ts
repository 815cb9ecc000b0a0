import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { have } from "../support/prerequisites";
import { terraformEnvironment } from "../support/terraform";

/**
 * Plans made by the machine's Terraform from the small configurations in plans/, which use only the
 * built-in terraform_data resource and local state (nothing to download). Each scenario optionally
 * applies a "before" configuration, then plans an "after" one (or a destroy) against that state.
 */
const SCENARIOS = {
  mixed: { before: "mixed/before.tf", after: "mixed/after.tf" },
  unchanged: { before: "unchanged.tf", after: "unchanged.tf" },
  "outputs-only": { before: "outputs-only/before.tf", after: "outputs-only/after.tf" },
  import: { after: "import.tf" },
  bulk: { after: "bulk.tf" },
  doomed: { before: "doomed.tf", destroy: true },
} as const satisfies Record<string, { before?: string; after?: string; destroy?: boolean }>;

export type Scenario = keyof typeof SCENARIOS;

export interface PlanFixture {
  /** `terraform show -json tfplan`, written to a file. */
  readonly jsonFile: string;
  readonly json: any;
  /** `terraform show -no-color tfplan`: Terraform's own rendering, the oracle for counts and addresses. */
  readonly text: string;
}

export interface PlanFixtures {
  readonly plans: Record<Scenario, PlanFixture>;
  /** `terraform show -json` of a state, not a plan: a JSON file the command must refuse. */
  readonly stateJsonFile: string;
}

export const terraformAvailable = have("terraform");

function run(dir: string, args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync("terraform", args, { cwd: dir, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`terraform ${args.join(" ")} failed in ${dir}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Makes every scenario's plan in a fresh temporary folder. */
export function generatePlanFixtures(): PlanFixtures {
  const env = { ...terraformEnvironment(), TF_LOG: "" };
  const root = mkdtempSync(path.join(tmpdir(), "coalition-plans-"));
  const source = (file: string) => path.join(__dirname, "plans", file);
  let stateJsonFile = "";
  const plans = Object.fromEntries(
    Object.entries(SCENARIOS).map(([name, scenario]: [string, { before?: string; after?: string; destroy?: boolean }]) => {
      const dir = mkdtempSync(path.join(root, `${name}-`));
      run(dir, ["init", "-input=false", "-no-color"], env);
      if (scenario.before) {
        copyFileSync(source(scenario.before), path.join(dir, "main.tf"));
        run(dir, ["apply", "-auto-approve", "-input=false", "-no-color"], env);
        if (name === "unchanged") {
          stateJsonFile = path.join(root, "state.json");
          writeFileSync(stateJsonFile, run(dir, ["show", "-json"], env));
        }
      }
      if (scenario.after) copyFileSync(source(scenario.after), path.join(dir, "main.tf"));
      run(dir, ["plan", "-input=false", "-no-color", "-out=tfplan", ...(scenario.destroy ? ["-destroy"] : [])], env);
      const jsonFile = path.join(root, `${name}.json`);
      const json = run(dir, ["show", "-json", "tfplan"], env);
      writeFileSync(jsonFile, json);
      return [name, { jsonFile, json: JSON.parse(json), text: run(dir, ["show", "-no-color", "tfplan"], env) }];
    }),
  ) as Record<Scenario, PlanFixture>;
  return { plans, stateJsonFile };
}

/** Terraform's own "Plan: …" line, or undefined when it printed none. */
export function terraformPlanLine(text: string): string | undefined {
  return /^Plan: .*$/m.exec(text)?.[0];
}

/** What Terraform's text rendering says happens to each address ("will be created", "must be replaced", "moved", "forgotten"). */
export function terraformActions(text: string): { address: string; action: string }[] {
  const said = /^ {1,2}# (\S+) (will be (?:created|destroyed|updated in-place|read during apply|imported)|must be replaced|has moved to (\S+)|will no longer be managed by Terraform)/gm;
  return [...text.matchAll(said)].map((match) => {
    if (match[3]) return { address: match[3], action: "moved" };
    return { address: match[1], action: match[2].startsWith("will no longer") ? "forgotten" : match[2] };
  });
}
