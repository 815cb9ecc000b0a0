import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** One request the fake received. */
export interface GitHubRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

/** Which branches may deploy to an environment, as GitHub's API spells it; null lets every branch in. */
export type DeploymentBranchPolicy = { protected_branches: boolean; custom_branch_policies: boolean } | null;

/** A deployment environment as the fake keeps it. */
export interface FakeEnvironment {
  deploymentBranchPolicy: DeploymentBranchPolicy;
  /** Its deployment branch (or tag) policies, which GitHub keeps only while custom_branch_policies is true. */
  readonly branchPolicies: { id: number; name: string; type: "branch" | "tag" }[];
  waitTimer: number;
  preventSelfReview: boolean;
  reviewers: { type: "User" | "Team"; id: number }[];
  readonly variables: Map<string, string>;
}

/** An issue as the fake keeps it. */
export interface FakeIssue {
  readonly number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  stateReason: string | null;
  labels: string[];
  /** The bodies of its comments, oldest first. */
  readonly comments: string[];
  /** Set on the pull requests the issues endpoints also list, as GitHub does. */
  readonly pullRequest?: boolean;
}

/**
 * A stand-in for the few GitHub REST endpoints of deployment environments (with their branch policies and
 * variables) and repository variables, keeping state like GitHub does and recording every request. `gh`
 * reaches it as the host `github.localhost` (which gh addresses in plain HTTP, at api.github.localhost)
 * through HTTP_PROXY pointing here, so the scripts run gh unchanged.
 */
export class FakeGitHub {
  readonly requests: GitHubRequest[] = [];
  readonly environments = new Map<string, FakeEnvironment>();
  /** The repository's Actions variables. */
  readonly variables = new Map<string, string>();
  /** The repository's issues (and pull requests, which the issues endpoints list too), by number. */
  readonly issues = new Map<number, FakeIssue>();
  private nextId = 1;

  private constructor(
    private readonly server: Server,
    readonly repo: string,
    readonly token: string,
  ) {}

  static async start(repo: string, token = "fake-token-for-tests"): Promise<FakeGitHub> {
    const holder: { fake?: FakeGitHub } = {};
    const server = createServer((req, res) => holder.fake!.handle(req, res));
    const fake = (holder.fake = new FakeGitHub(server, repo, token));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  /** What gh needs in its environment to talk to the fake (and to nothing else). */
  ghEnvironment(token = this.token): NodeJS.ProcessEnv {
    const { port } = this.server.address() as { port: number };
    return {
      GH_HOST: "github.localhost",
      GH_TOKEN: token,
      GH_CONFIG_DIR: mkdtempSync(path.join(tmpdir(), "coalition-gh-")),
      GH_NO_UPDATE_NOTIFIER: "1",
      GH_PROMPT_DISABLED: "1",
      HTTP_PROXY: `http://127.0.0.1:${port}`,
      http_proxy: `http://127.0.0.1:${port}`,
      NO_PROXY: "",
      no_proxy: "",
    };
  }

  /** The base URL of the REST API for clients that call it directly (GITHUB_API_URL), not through a proxy. */
  apiUrl(): string {
    const { port } = this.server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Forgets the recorded requests (not the state). */
  reset(): void {
    this.requests.length = 0;
  }

  /** Forgets everything: an empty repository. */
  clear(): void {
    this.reset();
    this.environments.clear();
    this.variables.clear();
    this.issues.clear();
  }

  /** An issue (or pull request) made by hand, as GitHub would hold it. */
  addIssue(settings: Partial<Omit<FakeIssue, "number" | "comments">> & { comments?: string[] } = {}): FakeIssue {
    const { comments = [], ...rest } = settings;
    const number = Math.max(0, ...this.issues.keys()) + 1;
    const issue: FakeIssue = { number, title: `Issue ${number}`, body: "", state: "open", stateReason: null, labels: [], comments: [...comments], ...rest };
    this.issues.set(number, issue);
    return issue;
  }

  /** An environment made by hand (in the settings), as GitHub would hold it. */
  addEnvironment(name: string, settings: Partial<Omit<FakeEnvironment, "branchPolicies" | "variables">> & { branches?: string[] } = {}): FakeEnvironment {
    const { branches = [], ...rest } = settings;
    const environment: FakeEnvironment = {
      deploymentBranchPolicy: null,
      branchPolicies: branches.map((branch) => ({ id: this.nextId++, name: branch, type: "branch" })),
      waitTimer: 0,
      preventSelfReview: false,
      reviewers: [],
      variables: new Map(),
      ...rest,
    };
    this.environments.set(name, environment);
    return environment;
  }

  /** The environment as GET /repos/{owner}/{repo}/environments/{name} shows it. */
  private environmentJson(name: string, environment: FakeEnvironment) {
    const rules: unknown[] = [];
    if (environment.waitTimer > 0) rules.push({ id: 1, type: "wait_timer", wait_timer: environment.waitTimer });
    if (environment.reviewers.length > 0) {
      rules.push({
        id: 2,
        type: "required_reviewers",
        prevent_self_review: environment.preventSelfReview,
        reviewers: environment.reviewers.map(({ type, id }) => ({ type, reviewer: { id, login: `${type.toLowerCase()}-${id}` } })),
      });
    }
    if (environment.deploymentBranchPolicy) rules.push({ id: 3, type: "branch_policy" });
    return { id: 7, name, can_admins_bypass: true, protection_rules: rules, deployment_branch_policy: environment.deploymentBranchPolicy };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://api.github.localhost");
      const body = text === "" ? undefined : JSON.parse(text);
      this.requests.push({ method: req.method ?? "", path: url.pathname, ...(body === undefined ? {} : { body }) });
      const reply = (status: number, payload?: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(payload === undefined ? "" : JSON.stringify(payload));
      };
      if (url.host !== "api.github.localhost") return reply(502, { message: `not a GitHub API host: ${url.host}` });
      if (req.headers.authorization !== `token ${this.token}`) return reply(401, { message: "Bad credentials" });

      const repository = `/repos/${this.repo}/`;
      if (!url.pathname.startsWith(repository)) return reply(404, { message: "Not Found" });
      const parts = url.pathname.slice(repository.length).split("/");
      if (parts[0] === "actions" && parts[1] === "variables") return this.variableEndpoint(this.variables, parts[2], parts.length > 3, req.method, body, reply);
      if (parts[0] === "issues") return this.issueEndpoint(parts.slice(1), url.searchParams, req.method, body, reply);
      if (parts[0] !== "environments" || parts[1] === undefined) return reply(404, { message: "Not Found" });
      const [, name, collection, ...rest] = parts;
      const environment = this.environments.get(name);
      if (collection === undefined) {
        if (req.method === "GET") return environment ? reply(200, this.environmentJson(name, environment)) : reply(404, { message: "Not Found" });
        if (req.method === "PUT") {
          const updated = environment ?? this.addEnvironment(name);
          // What the body leaves out is reset (reviewers, wait timer, branches open to all): the caller must send the whole environment.
          updated.deploymentBranchPolicy = body?.deployment_branch_policy ?? null;
          updated.waitTimer = body?.wait_timer ?? 0;
          updated.preventSelfReview = body?.prevent_self_review ?? false;
          updated.reviewers = body?.reviewers ?? [];
          if (!updated.deploymentBranchPolicy?.custom_branch_policies) updated.branchPolicies.length = 0;
          return reply(200, this.environmentJson(name, updated));
        }
      }
      if (!environment) return reply(404, { message: "Not Found" });
      if (collection === "variables") return this.variableEndpoint(environment.variables, rest[0], rest.length > 1, req.method, body, reply);
      if (collection === "deployment-branch-policies" && rest.length === 0) {
        if (!environment.deploymentBranchPolicy?.custom_branch_policies) return reply(404, { message: "Not Found" });
        if (req.method === "GET") return reply(200, { total_count: environment.branchPolicies.length, branch_policies: environment.branchPolicies });
        if (req.method === "POST") {
          if (environment.branchPolicies.some((policy) => policy.name === body.name && policy.type === body.type)) {
            return reply(422, { message: "A deployment branch policy with this name already exists" });
          }
          const policy = { id: this.nextId++, name: body.name, type: body.type ?? "branch" };
          environment.branchPolicies.push(policy);
          return reply(200, policy);
        }
      }
      return reply(404, { message: "Not Found" });
    });
  }

  /** GET, POST and PATCH of Actions variables, the repository's or an environment's. */
  private variableEndpoint(
    variables: Map<string, string>,
    name: string | undefined,
    deeper: boolean,
    method: string | undefined,
    body: any,
    reply: (status: number, payload?: unknown) => void,
  ): void {
    if (deeper) return reply(404, { message: "Not Found" });
    if (name === undefined && method === "POST") {
      if (variables.has(body.name)) return reply(409, { message: "Already exists" });
      variables.set(body.name, body.value);
      return reply(201, {});
    }
    if (name !== undefined && method === "GET") {
      return variables.has(name) ? reply(200, { name, value: variables.get(name) }) : reply(404, { message: "Not Found" });
    }
    if (name !== undefined && method === "PATCH" && variables.has(name)) {
      variables.set(name, body.value);
      return reply(204);
    }
    return reply(404, { message: "Not Found" });
  }

  /** The issue as GitHub's REST API shows it. */
  private issueJson(issue: FakeIssue) {
    return {
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      state_reason: issue.stateReason,
      labels: issue.labels.map((name) => ({ name })),
      comments: issue.comments.length,
      html_url: `https://github.localhost/${this.repo}/${issue.pullRequest ? "pull" : "issues"}/${issue.number}`,
      ...(issue.pullRequest && { pull_request: { url: `http://api.github.localhost/repos/${this.repo}/pulls/${issue.number}` } }),
    };
  }

  /**
   * Issues: list (state open, closed or all, default open; labels all of which an issue must carry; per_page
   * and page), create, get, update (title, body, state, state_reason, labels), and list or add comments.
   */
  private issueEndpoint(
    rest: string[],
    query: URLSearchParams,
    method: string | undefined,
    body: any,
    reply: (status: number, payload?: unknown) => void,
  ): void {
    const [number, collection, ...deeper] = rest;
    if (number === undefined || number === "") {
      if (method === "GET") {
        const state = query.get("state") ?? "open";
        const labels = (query.get("labels") ?? "").split(",").filter(Boolean);
        const perPage = Number(query.get("per_page") ?? 30);
        const page = Number(query.get("page") ?? 1);
        const matching = [...this.issues.values()]
          .filter((issue) => state === "all" || issue.state === state)
          .filter((issue) => labels.every((label) => issue.labels.includes(label)))
          .sort((a, b) => b.number - a.number);
        return reply(200, matching.slice((page - 1) * perPage, page * perPage).map((issue) => this.issueJson(issue)));
      }
      if (method === "POST") {
        if (typeof body?.title !== "string" || body.title === "") return reply(422, { message: "Validation Failed: title is missing" });
        const labels = ((body.labels ?? []) as (string | { name: string })[]).map((label) => (typeof label === "string" ? label : label.name));
        return reply(201, this.issueJson(this.addIssue({ title: body.title, body: body.body ?? "", labels })));
      }
      return reply(404, { message: "Not Found" });
    }
    const issue = this.issues.get(Number(number));
    if (!issue || deeper.length > 0) return reply(404, { message: "Not Found" });
    if (collection === undefined) {
      if (method === "GET") return reply(200, this.issueJson(issue));
      if (method === "PATCH") {
        if (body?.title !== undefined) issue.title = body.title;
        if (body?.body !== undefined) issue.body = body.body;
        if (body?.labels !== undefined) issue.labels = body.labels;
        if (body?.state !== undefined) {
          if (body.state !== "open" && body.state !== "closed") return reply(422, { message: `Validation Failed: state ${body.state}` });
          issue.state = body.state;
          issue.stateReason = body.state === "closed" ? (body.state_reason ?? "completed") : null;
        }
        return reply(200, this.issueJson(issue));
      }
    }
    if (collection === "comments") {
      if (method === "GET") return reply(200, issue.comments.map((text, index) => ({ id: index + 1, body: text })));
      if (method === "POST") {
        if (typeof body?.body !== "string" || body.body === "") return reply(422, { message: "Validation Failed: body is missing" });
        issue.comments.push(body.body);
        return reply(201, { id: issue.comments.length, body: body.body });
      }
    }
    return reply(404, { message: "Not Found" });
  }
}
