import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

export const WORKFLOW_DIR = path.join(__dirname, "..", "..", ".github", "workflows");

/** The workflow files, by file name. */
export function workflowSources(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(WORKFLOW_DIR)
      .filter((file) => /\.ya?ml$/.test(file))
      .sort()
      .map((file) => [file, readFileSync(path.join(WORKFLOW_DIR, file), "utf8")]),
  );
}

export type Workflow = { name?: string; on: Record<string, any>; permissions?: unknown; env?: Record<string, string>; jobs: Record<string, any> };

export function loadWorkflows(): Record<string, Workflow> {
  return Object.fromEntries(Object.entries(workflowSources()).map(([file, text]) => [file, parseYaml(text) as Workflow]));
}

/** A script a runner executes: a step's `run`, or the `script` of actions/github-script. */
export interface Script {
  readonly where: string;
  readonly kind: "run" | "github-script";
  readonly text: string;
  readonly workingDirectory?: string;
}

export function scriptsOf(file: string, workflow: Workflow): Script[] {
  return Object.entries(workflow.jobs ?? {}).flatMap(([jobId, job]) =>
    ((job.steps ?? []) as any[]).flatMap((step, index) => {
      const where = `${file} › ${jobId} › ${step.name ?? `step ${index + 1}`}`;
      const scripts: Script[] = [];
      if (typeof step.run === "string") {
        scripts.push({ where, kind: "run", text: step.run, ...(step["working-directory"] && { workingDirectory: step["working-directory"] }) });
      }
      if (typeof step.uses === "string" && step.uses.startsWith("actions/github-script@") && typeof step.with?.script === "string") {
        scripts.push({ where, kind: "github-script", text: step.with.script });
      }
      return scripts;
    }),
  );
}

/**
 * Every `${{ … }}` written inside a script. Such text is pasted into the script before it runs, so a
 * pull-request title, a branch name or any other value an outsider controls could run as code; values
 * reach scripts through `env:` instead. None at all is the rule: it needs no list of safe contexts.
 */
export function expressionsInScripts(file: string, workflow: Workflow): { where: string; expression: string }[] {
  return scriptsOf(file, workflow).flatMap((script) =>
    [...script.text.matchAll(/\$\{\{[\s\S]*?\}\}/g)].map((match) => ({ where: script.where, expression: match[0] })),
  );
}
