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

export type Workflow = { name?: string; on: Record<string, any>; permissions?: unknown; concurrency?: unknown; env?: Record<string, string>; jobs: Record<string, any> };

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

/** The values an expression reads: `github.…`, `inputs.…`, `needs.<job>.result`. */
export interface ExpressionContexts {
  readonly github: Record<string, unknown>;
  readonly inputs?: Record<string, unknown>;
  readonly needs?: Record<string, { result: string }>;
}

/** What the status functions of a job's `if` see: the results of the jobs it needs. */
type StatusFunctions = Record<"success" | "failure" | "cancelled" | "always", () => boolean>;

/**
 * Evaluates the part of GitHub's expression language the workflows use: `${{ }}` or a bare `if`, string,
 * boolean, null and number literals, context paths (a missing one is null), `!`, `==`, `!=` (strings
 * compared ignoring case), `&&` and `||` (which return an operand, as GitHub's do), parentheses, and the
 * status functions. Anything else throws, so a workflow using more fails its test instead of passing it.
 */
export function evaluateExpression(expression: string, contexts: ExpressionContexts, status?: Partial<StatusFunctions>): unknown {
  const source = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
  const tokenPattern = /\s*('(?:[^']|'')*'|&&|\|\||==|!=|[()!]|[A-Za-z_][\w.-]*(?:\(\))?|\d+)\s*/y;
  const tokens: string[] = [];
  while (tokenPattern.lastIndex < source.length) {
    const match = tokenPattern.exec(source);
    if (!match) throw new Error(`cannot read the expression ${expression}`);
    tokens.push(match[1]);
  }
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string) => {
    const token = tokens[position++];
    if (expected !== undefined && token !== expected) throw new Error(`expected ${expected} in ${expression}, found ${token}`);
    return token;
  };
  const primary = (): unknown => {
    const token = take();
    if (token === undefined) throw new Error(`unexpected end of ${expression}`);
    if (token === "(") {
      const value = or();
      take(")");
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'");
    if (/^\d+$/.test(token)) return Number(token);
    if (token === "true" || token === "false") return token === "true";
    if (token === "null") return null;
    if (token.endsWith("()")) {
      const fn = status?.[token.slice(0, -2) as keyof StatusFunctions];
      if (!fn) throw new Error(`unknown function ${token} in ${expression}`);
      return fn();
    }
    const [root, ...rest] = token.split(".");
    if (!(root in contexts)) throw new Error(`unknown context ${root} in ${expression}`);
    return rest.reduce<any>((value, key) => (value === null || value === undefined ? null : (value[key] ?? null)), (contexts as any)[root]);
  };
  const unary = (): unknown => (peek() === "!" ? (take(), !truthyValue(unary())) : primary());
  const equality = (): unknown => {
    const left = unary();
    if (peek() !== "==" && peek() !== "!=") return left;
    const negate = take() === "!=";
    const right = unary();
    const same = typeof left === "string" && typeof right === "string" ? left.toLowerCase() === right.toLowerCase() : left === right;
    return negate ? !same : same;
  };
  const and = (): unknown => {
    let value = equality();
    while (peek() === "&&") {
      take();
      const right = equality();
      value = truthyValue(value) ? right : value;
    }
    return value;
  };
  function or(): unknown {
    let value = and();
    while (peek() === "||") {
      take();
      const right = and();
      value = truthyValue(value) ? value : right;
    }
    return value;
  }
  const value = or();
  if (position !== tokens.length) throw new Error(`unexpected ${peek()} in ${expression}`);
  return value;
}

export type JobResult = "success" | "failure" | "skipped";

/**
 * Which jobs of a workflow run for an event, as GitHub decides: in the order of their `needs`, each job's
 * `if` (with GitHub's implicit `success()` when it calls no status function) sees the results of the jobs
 * it needs. Every job that runs succeeds, except those listed in `failing`.
 */
export function jobResults(workflow: Workflow, github: Record<string, unknown>, options: { inputs?: Record<string, unknown>; failing?: string[] } = {}): Record<string, JobResult> {
  const results: Record<string, JobResult> = {};
  const needsOf = (job: any): string[] => [].concat(job.needs ?? []);
  const pending = new Set(Object.keys(workflow.jobs));
  while (pending.size > 0) {
    const ready = [...pending].filter((id) => needsOf(workflow.jobs[id]).every((need) => need in results));
    if (ready.length === 0) throw new Error(`the needs of ${[...pending].join(", ")} form a cycle or name no job`);
    for (const id of ready) {
      pending.delete(id);
      const job = workflow.jobs[id];
      const needs = Object.fromEntries(needsOf(job).map((need) => [need, { result: results[need] }]));
      const condition = typeof job.if === "string" ? job.if : job.if === undefined ? "success()" : String(job.if);
      const explicit = /\b(success|failure|cancelled|always)\(\)/.test(condition);
      const status: StatusFunctions = {
        success: () => Object.values(needs).every((need) => need.result === "success"),
        failure: () => Object.values(needs).some((need) => need.result === "failure"),
        cancelled: () => false,
        always: () => true,
      };
      const contexts = { github, inputs: options.inputs ?? {}, needs };
      const runs = (explicit || status.success()) && truthyValue(evaluateExpression(condition, contexts, status));
      results[id] = !runs ? "skipped" : options.failing?.includes(id) ? "failure" : "success";
    }
  }
  return results;
}

/** GitHub's truthiness: false, null, 0 and the empty string are false. */
function truthyValue(value: unknown): boolean {
  return value !== false && value !== null && value !== undefined && value !== "" && value !== 0;
}
