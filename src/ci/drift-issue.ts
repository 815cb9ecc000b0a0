import { CheckError, UsageError } from "./cli";
import { driftMarker, driftTitle, hasDrift, parseDriftArgs, readDriftFile, renderDriftReport, renderResolvedComment, type DriftFindings } from "./drift";

const USAGE = `usage: npm run --silent drift-issue -- --stack <env> [--run-url <url>] <plan.json>

Keeps a stack's drift issue in step with a drift check's plan (terraform show -json): opens the issue,
or updates the open one whose body starts with the stack's marker, when the plan has drift; closes it
with a comment when it has none. Reads GITHUB_TOKEN, GITHUB_API_URL and GITHUB_REPOSITORY (owner/name).`;

/** The label drift issues carry, for people browsing issues; the marker is what finds them. */
export const DRIFT_LABEL = "drift";

/** An issue as GitHub's REST API returns it (the fields read here). */
export interface Issue {
  readonly number: number;
  readonly body?: string | null;
  readonly html_url?: string;
  readonly pull_request?: unknown;
}

/** What to do with a stack's drift issue. */
export type IssueAction =
  | { readonly kind: "open" }
  | { readonly kind: "update"; readonly number: number }
  | { readonly kind: "close"; readonly number: number }
  | { readonly kind: "none" };

/** The open issue (not pull request) whose body's first line is the stack's marker, if any. */
export function findDriftIssue(openIssues: readonly Issue[], stack: string): Issue | undefined {
  const marker = driftMarker(stack);
  return openIssues.find((issue) => issue.pull_request === undefined && (issue.body ?? "").split("\n", 1)[0].trim() === marker);
}

/** Drift opens the issue or updates the open one; no drift closes the open one, or does nothing. */
export function decideIssueAction(existing: Issue | undefined, drift: boolean): IssueAction {
  if (drift) return existing ? { kind: "update", number: existing.number } : { kind: "open" };
  return existing ? { kind: "close", number: existing.number } : { kind: "none" };
}

/** Where and as whom to reach GitHub's REST API. */
export interface GitHubTarget {
  /** e.g. the GITHUB_API_URL of a workflow run. */
  readonly apiUrl: string;
  readonly token: string;
  /** owner/name */
  readonly repository: string;
}

/** One REST call; a status outside 2xx is a CheckError with GitHub's message. */
async function call(target: GitHubTarget, method: string, route: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${target.apiUrl.replace(/\/+$/, "")}/repos/${target.repository}/${route}`, {
    method,
    headers: {
      Accept: "application/vnd.github+json",
      Authorization: `token ${target.token}`,
      "X-GitHub-Api-Version": "2022-11-28",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    const message = (() => {
      try {
        return (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        return text;
      }
    })();
    throw new CheckError(`GitHub answered ${method} ${route} with ${response.status}: ${message}`);
  }
  return text === "" ? undefined : JSON.parse(text);
}

/** Every open issue of the repository, page by page. */
async function openIssues(target: GitHubTarget): Promise<Issue[]> {
  const issues: Issue[] = [];
  for (let page = 1; ; page++) {
    const batch = (await call(target, "GET", `issues?state=open&per_page=100&page=${page}`)) as Issue[];
    issues.push(...batch);
    if (batch.length < 100) return issues;
  }
}

/** Applies the action the findings call for to the stack's drift issue, and says what it did in one line. */
export async function syncDriftIssue(target: GitHubTarget, findings: DriftFindings, options: { stack: string; runUrl?: string }): Promise<string> {
  const existing = findDriftIssue(await openIssues(target), options.stack);
  const action = decideIssueAction(existing, hasDrift(findings));
  const body = renderDriftReport(findings, options);
  const title = driftTitle(options.stack);
  switch (action.kind) {
    case "open": {
      const created = (await call(target, "POST", "issues", { title, body, labels: [DRIFT_LABEL] })) as Issue;
      return `opened issue #${created.number} for drift in ${options.stack}`;
    }
    case "update":
      await call(target, "PATCH", `issues/${action.number}`, { title, body });
      return `updated issue #${action.number} for drift in ${options.stack}`;
    case "close":
      await call(target, "POST", `issues/${action.number}/comments`, { body: renderResolvedComment(options) });
      await call(target, "PATCH", `issues/${action.number}`, { state: "closed", state_reason: "completed" });
      return `closed issue #${action.number}: no drift in ${options.stack}`;
    case "none":
      return `no drift in ${options.stack} and no open drift issue: nothing to do`;
  }
}

/** The GitHub target from a workflow run's environment; a missing variable is a UsageError. */
export function targetFromEnvironment(env: NodeJS.ProcessEnv): GitHubTarget {
  const missing = ["GITHUB_TOKEN", "GITHUB_API_URL", "GITHUB_REPOSITORY"].filter((name) => !env[name]);
  if (missing.length > 0) throw new UsageError(`set ${missing.join(", ")}`);
  if (!/^[\w.-]+\/[\w.-]+$/.test(env.GITHUB_REPOSITORY!)) throw new UsageError(`GITHUB_REPOSITORY must be owner/name, not ${JSON.stringify(env.GITHUB_REPOSITORY)}`);
  return { apiUrl: env.GITHUB_API_URL!, token: env.GITHUB_TOKEN!, repository: env.GITHUB_REPOSITORY! };
}

/** The whole command: the line saying what it did, or undefined for --help. */
export async function driftIssue(argv: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const args = parseDriftArgs(argv);
  if (args === "help") return undefined;
  const findings = readDriftFile(args.planFile);
  return syncDriftIssue(targetFromEnvironment(env), findings, args);
}

if (require.main === module) {
  driftIssue(process.argv.slice(2), process.env).then(
    (line) => process.stdout.write(`${line ?? USAGE}\n`),
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`drift-issue: ${error.message}\n${error.showUsage ? `\n${USAGE}\n` : ""}`);
        process.exitCode = 2;
      } else if (error instanceof CheckError) {
        process.stderr.write(`drift-issue: ${error.message}\n`);
        process.exitCode = 1;
      } else {
        throw error;
      }
    },
  );
}
