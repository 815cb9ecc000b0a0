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

/**
 * A stand-in for the few GitHub REST endpoints of deployment environments and their variables, keeping
 * state like GitHub does and recording every request. `gh` reaches it as the host `github.localhost`
 * (which gh addresses in plain HTTP, at api.github.localhost) through HTTP_PROXY pointing here, so the
 * scripts run gh unchanged.
 */
export class FakeGitHub {
  readonly requests: GitHubRequest[] = [];
  /** Environments by name, each with its variables. */
  readonly environments = new Map<string, Map<string, string>>();

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

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }

  reset(): void {
    this.requests.length = 0;
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

      const prefix = `/repos/${this.repo}/environments/`;
      if (!url.pathname.startsWith(prefix)) return reply(404, { message: "Not Found" });
      const [environment, collection, name, ...rest] = url.pathname.slice(prefix.length).split("/");
      const variables = this.environments.get(environment);
      if (collection === undefined && rest.length === 0) {
        if (req.method === "GET") return variables ? reply(200, { name: environment }) : reply(404, { message: "Not Found" });
        if (req.method === "PUT") {
          if (!variables) this.environments.set(environment, new Map());
          return reply(200, { name: environment });
        }
      }
      if (collection === "variables" && variables && rest.length === 0) {
        if (name === undefined && req.method === "POST") {
          if (variables.has(body.name)) return reply(409, { message: "Already exists" });
          variables.set(body.name, body.value);
          return reply(201, {});
        }
        if (name !== undefined && req.method === "GET") {
          return variables.has(name) ? reply(200, { name, value: variables.get(name) }) : reply(404, { message: "Not Found" });
        }
        if (name !== undefined && req.method === "PATCH" && variables.has(name)) {
          variables.set(name, body.value);
          return reply(204);
        }
      }
      return reply(404, { message: "Not Found" });
    });
  }
}
