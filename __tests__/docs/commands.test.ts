import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { anchorsOf, commandsOf, documentedCommands, documents, relativeLinksOf, ROOT } from "./markdown";

/*
 * Every command the README and docs/ tell a reader to type is checked here, so none rots.
 *
 * Which commands: each line of the ```sh, ```bash and ```shell blocks of README.md and docs/*.md, where
 *  - a line ending in `\` continues on the next (joined with one space, indentation dropped);
 *  - blank lines and lines starting with `#` (comments, or the output a command prints) are not commands;
 *  - a trailing ` # comment` (a `#` after whitespace, outside quotes) is not part of the command;
 *  - everything else is kept verbatim: environment prefixes (`AWS_PROFILE=x terraform …`), placeholders
 *    (`<run url>`), redirections and a trailing `&` are part of the key.
 *
 * COMMANDS holds each of them, copied verbatim, with how it is checked:
 *  - run: run for real, in the project root, when it is fast, offline and harmless;
 *  - help: its usage instead (`npm run --silent <script> -- --help`, `bash bootstrap/<script> --help`,
 *    `terraform <command> -help`, `aws <service> <operation> help`, `gh <command> --help`, …), which must exit 0
 *    and name the command; a row whose tool (terraform, aws, gh, pip) is not installed is skipped, loudly;
 *  - exists: for the few commands that cannot run inside `npm test` because they run it themselves; the
 *    script or file they name must exist.
 * Every row names its subject, which must appear in the documented command too, so a row cannot check
 * something else than what the docs say. A documented command missing from COMMANDS fails the test, and so
 * does a row no document holds any more.
 */

interface RunCheck {
  readonly how: "run" | "help";
  /** What runs, in the project root. */
  readonly argv: readonly string[];
  /** Part of the documented command this check is about (a script, a subcommand). */
  readonly subject: string;
  /** What the output (stdout and stderr) must contain. */
  readonly mentions?: string | RegExp;
  /** The program that must be installed; without it the row is skipped with a warning. */
  readonly tool?: string;
  /** Further assertions after a successful run, given the documented command. */
  readonly verify?: (command: string) => void;
}

interface ExistsCheck {
  readonly how: "exists";
  readonly subject: string;
  /** Why the command is not run. */
  readonly reason: string;
  /** The npm script the command runs, if any. */
  readonly script?: string;
  /** Files (relative to the project root) the command runs. */
  readonly files: readonly string[];
}

type Check = RunCheck | ExistsCheck;

/** The usage of an npm script: `npm run --silent <script> -- --help`. */
const npmHelp = (script: string, mentions: string | RegExp = script): Check => ({
  how: "help",
  argv: ["npm", "run", "--silent", script, "--", "--help"],
  subject: script,
  mentions,
});
const bootstrapHelp = (script: string): Check => ({
  how: "help",
  argv: ["bash", `bootstrap/${script}`, "--help"],
  subject: `bootstrap/${script}`,
  mentions: script,
});
const terraformHelp = (...command: string[]): Check => ({
  how: "help",
  argv: ["terraform", ...command, "-help"],
  subject: `terraform ${command.join(" ")}`,
  mentions: `Usage: terraform [global options] ${command.join(" ")} `,
  tool: "terraform",
});
const awsHelp = (service: string, operation: string): Check => ({
  how: "help",
  argv: ["aws", service, operation, "help"],
  subject: `aws ${service} ${operation}`,
  mentions: operation,
  tool: "aws",
});
const ghHelp = (...command: string[]): Check => ({
  how: "help",
  argv: ["gh", ...command, "--help"],
  subject: `gh ${command.join(" ")}`,
  mentions: `gh ${command.join(" ")}`,
  tool: "gh",
});
const vitestHelp: Check = { how: "help", argv: ["npx", "vitest", "run", "--help"], subject: "vitest run", mentions: "vitest run" };
/** Shell builtins (`export`, `cd`): run in bash, where they change nothing outside it. */
const shell = (command: string): Check => ({ how: "run", argv: ["bash", "-c", command], subject: command });
const stackDirs = ["shared", "prod", "dev"].map((stack) => path.join(ROOT, "cdktf.out", "stacks", stack));

/**
 * A Terraform command run in a stack's folder: besides its usage, every address it names (`-target=…`, the
 * address `terraform import` takes) must exist in that stack as `npm run synth` (checked first) writes it.
 */
function addressed(stack: "shared" | "prod" | "dev", check: Check): Check {
  if (check.how === "exists") throw new Error("addressed: a command that runs");
  return {
    ...check,
    verify: (command) => {
      const json = JSON.parse(readFileSync(path.join(ROOT, "cdktf.out", "stacks", stack, "cdk.tf.json"), "utf8"));
      const declared = new Set(Object.entries(json.resource as Record<string, object>).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)));
      const named = [...command.matchAll(/-target=(\S+)/g)].map((m) => m[1]).concat([...command.matchAll(/terraform import (\S+)/g)].map((m) => m[1]));
      expect(named.length, command).toBeGreaterThan(0);
      for (const address of named) expect(declared.has(address), `${address} in ${stack}`).toBe(true);
    },
  };
}

/** `npm run synth`, whose output the `cd cdktf.out/stacks/…` rows and the addresses of Terraform commands need. */
const SYNTH = ["npm", "run", "synth"] as const;

/** Checked in this order: `npm run synth` first, since the `cd cdktf.out/stacks/…` rows need its output. */
const COMMANDS: Record<string, Check> = {
  "npm run synth": {
    how: "run",
    argv: SYNTH,
    subject: "synth",
    verify: () => {
      for (const dir of stackDirs) expect(existsSync(path.join(dir, "cdk.tf.json")), dir).toBe(true);
    },
  },
  "cd cdktf.out/stacks/shared": shell("cd cdktf.out/stacks/shared"),
  "cd cdktf.out/stacks/prod": shell("cd cdktf.out/stacks/prod"),
  "cd cdktf.out/stacks/dev": shell("cd cdktf.out/stacks/dev"),
  "npm run --silent audit": { how: "run", argv: ["npm", "run", "--silent", "audit"], subject: "audit", mentions: / passed, 0 failed, \d+ suppressed/ },
  "npm run --silent import-commands -- --env prod --account-id 222222222222": {
    how: "run",
    argv: ["npm", "run", "--silent", "import-commands", "--", "--env", "prod", "--account-id", "222222222222"],
    subject: "import-commands",
    mentions: "terraform import aws_iam_role.github_oidc_role github-actions-prod",
  },
  // Writing the files would change committed ones; --check renders the same files and writes nothing.
  "npm run gen:bootstrap": { how: "run", argv: ["npm", "run", "--silent", "gen:bootstrap", "--", "--check"], subject: "gen:bootstrap" },

  // README: prerequisites, run it, test it.
  "pip install 'moto[server]==5.2.1' awscli==1.45.11 cfn-lint==1.51.0": {
    how: "help",
    argv: ["pip", "install", "--help"],
    subject: "pip install",
    mentions: "pip install",
    tool: "pip",
  },
  "npm ci": { how: "help", argv: ["npm", "ci", "--help"], subject: "npm ci", mentions: "npm ci" },
  "npm run local:up": npmHelp("local:up"),
  "npm run setup:test": npmHelp("setup:test"),
  "npm test": { how: "help", argv: ["npm", "test", "--", "--help"], subject: "npm test", mentions: "vitest run" },

  // docs/local-mode.md
  "npm run local:down": npmHelp("local:down"),
  "npm run local:cdktf -- diff prod": npmHelp("local:cdktf"),
  "npm run local:cdktf -- deploy shared prod dev": npmHelp("local:cdktf"),
  "npm run local:cdktf -- --help": npmHelp("local:cdktf"),

  // docs/deploy.md
  "npm run diff -- prod": npmHelp("diff", "cdktf diff"),
  "npm run deploy -- shared prod dev": npmHelp("deploy", "cdktf deploy"),
  "export COALITION_CONFIG=./platform.yaml": shell("export COALITION_CONFIG=./platform.yaml"),
  "terraform init": terraformHelp("init"),
  "AWS_PROFILE=shared-admin terraform apply -target=aws_iam_policy.boundary_policy -target=aws_iam_role.github_oidc_role -target=aws_iam_role_policy.github_oidc_state_policy -target=aws_iam_role_policy.github_oidc_infrastructure_policy -target=aws_iam_role.github_oidc_plan_role -target=aws_iam_role_policy.github_oidc_plan_state_policy -target=aws_iam_role_policy.github_oidc_plan_read_policy":
    addressed("shared", terraformHelp("apply")),
  "terraform apply -var enable_vpc_endpoints=false": terraformHelp("apply"),

  // docs/operations.md
  "AWS_PROFILE=prod-admin npm run diff -- prod": npmHelp("diff", "cdktf diff"),
  "AWS_PROFILE=shared-admin npm run deploy -- shared": npmHelp("deploy", "cdktf deploy"),
  "AWS_PROFILE=prod-admin npm run deploy -- prod --ignore-missing-stack-dependencies": { ...npmHelp("deploy", "--ignore-missing-stack-dependencies") },
  "AWS_PROFILE=dev-admin npm run deploy -- dev --ignore-missing-stack-dependencies": { ...npmHelp("deploy", "--ignore-missing-stack-dependencies") },
  "AWS_PROFILE=prod-admin terraform import aws_iam_role.github_oidc_plan_role github-actions-prod-plan": addressed("prod", terraformHelp("import")),
  "AWS_PROFILE=prod-admin terraform force-unlock 9b2f2c57-7c8e-2d6a-4d1b-0b6a9b1c2d3e": terraformHelp("force-unlock"),
  "AWS_PROFILE=prod-admin terraform -chdir=cdktf.out/stacks/prod plan -lock-timeout=1m 2>&1 | tee out.txt": { how: "help", argv: ["terraform", "plan", "-help"], subject: "plan -lock-timeout=1m", mentions: "-lock-timeout=", tool: "terraform" },
  "npm run state-lock -- --stack-dir cdktf.out/stacks/prod out.txt": npmHelp("state-lock", "--stack-dir"),

  // docs/migrating.md
  "npm run --silent migrate:hcl -- --env shared --state shared.tfstate.json --out migrate-shared.yaml": npmHelp("migrate:hcl", "--state"),
  "terraform state pull > shared.tfstate.json": terraformHelp("state", "pull"),
  "terraform plan -out=tfplan": terraformHelp("plan"),
  "terraform apply tfplan": terraformHelp("apply"),

  // docs/guardrails.md
  "AWS_PROFILE=prod-admin terraform apply -target=aws_iam_policy.boundary_policy -target=aws_iam_role.github_oidc_role -target=aws_iam_role_policy.github_oidc_state_policy -target=aws_iam_role_policy.github_oidc_infrastructure_policy -target=aws_iam_role.github_oidc_plan_role -target=aws_iam_role_policy.github_oidc_plan_state_policy -target=aws_iam_role_policy.github_oidc_plan_read_policy":
    addressed("prod", terraformHelp("apply")),

  // docs/bootstrap.md
  "bootstrap/bootstrap_all.sh --shared-profile shared-admin --prod-profile prod-admin --dev-profile dev-admin --github-org your-org --github-repo coalition-builder [--region us-east-1] [--prefix coalition] [--skip-github] > imports.txt":
    bootstrapHelp("bootstrap_all.sh"),
  "bootstrap/bootstrap_account.sh --environment prod --github-org your-org --github-repo coalition-builder --profile prod-admin [--shared-account-id 111111111111]":
    bootstrapHelp("bootstrap_account.sh"),
  "bootstrap/bootstrap_account.sh --environment shared --github-org your-org --github-repo coalition-builder --profile shared-admin --prod-account-id 222222222222 --dev-account-id 333333333333":
    bootstrapHelp("bootstrap_account.sh"),
  "bootstrap/configure_github.sh --repo your-org/coalition-builder --shared-account-id 111111111111 --prod-account-id 222222222222 --dev-account-id 333333333333 [--region us-east-1]":
    bootstrapHelp("configure_github.sh"),
  "bootstrap/setup_remote_state.sh prod --profile prod-admin": bootstrapHelp("setup_remote_state.sh"),
  "export COALITION_CONFIG=./platform.yaml GITHUB_TOKEN=...": shell("export COALITION_CONFIG=./platform.yaml GITHUB_TOKEN=..."),
  'export COALITION_PROD_REVIEWERS="user:alice,team:platform"': shell('export COALITION_PROD_REVIEWERS="user:alice,team:platform"'),
  "npm run bootstrap:synth": npmHelp("bootstrap:synth", "cdktf synth"),
  "npm run bootstrap:deploy -- --var shared_profile=shared-admin --var prod_profile=prod-admin --var dev_profile=dev-admin": npmHelp(
    "bootstrap:deploy",
    "cdktf deploy",
  ),
  "terraform apply -target=aws_iam_role.github_oidc_role -target=aws_iam_role_policy.github_oidc_state_policy -target=aws_iam_role_policy.github_oidc_infrastructure_policy":
    terraformHelp("apply"),

  // docs/data-tier.md
  'aws ssm start-session --target "$(terraform output -raw bastion_instance_id)" --document-name AWS-StartPortForwardingSessionToRemoteHost --parameters host=<database_address>,portNumber=5432,localPortNumber=15432 &':
    awsHelp("ssm", "start-session"),
  "npm run --silent db:provision -- --env prod --env dev --host 127.0.0.1 --port 15432 --app-host <database_address> --admin-secret-id <database_master_secret_arn>":
    npmHelp("db:provision"),

  // docs/applications.md
  "aws secretsmanager put-secret-value --secret-id coalition/prod/django-secret-key --secret-string '<a long random string>'": awsHelp(
    "secretsmanager",
    "put-secret-value",
  ),
  "terraform apply -target=aws_route53_zone.dns_zone": terraformHelp("apply"),
  "terraform state show aws_route53_zone.dns_zone": terraformHelp("state", "show"),
  "terraform apply": terraformHelp("apply"),
  "terraform apply -var enable_api_custom_domain=true": terraformHelp("apply"),

  // docs/ci-cd.md
  "npm run --silent stack-facts -- --stack <env> --github-environment": npmHelp("stack-facts"),
  "npm run --silent stack-facts -- --stack <env> --role plan": npmHelp("stack-facts"),
  "terraform show -json tfplan > plan.json": terraformHelp("show"),
  "npm run --silent plan-comment -- --stack dev --env dev --summary-url <run url> plan.json": npmHelp("plan-comment"),
  "terraform output -json > outputs.json": terraformHelp("output"),
  "npm run --silent zappa-settings -- --env prod --django-settings <module> outputs.json": npmHelp("zappa-settings"),
  "gh workflow run dev_cost_control.yml -f vpc_endpoints=disable": ghHelp("workflow", "run"),
  "gh workflow run dev_cost_control.yml -f vpc_endpoints=enable": ghHelp("workflow", "run"),

  // docs/testing.md
  "npm run setup:test -- --help": npmHelp("setup:test"),
  "npm run setup:test -- --check": npmHelp("setup:test"),
  "npx vitest run __tests__/unit": vitestHelp,
  "npx vitest run __tests__/docs": vitestHelp,
  "npm run test:local": npmHelp("test:local", "vitest run"),
  ".ci/run": {
    how: "exists",
    subject: ".ci/run",
    reason: "it runs npm ci and npm test, this test included",
    files: [".ci/run"],
  },
  "npm run test:mutation": {
    how: "exists",
    subject: "test:mutation",
    reason: "it runs the fast tests against each mutant, minutes even incrementally",
    script: "test:mutation",
    files: ["stryker.config.mjs", "vitest.mutation.config.ts"],
  },
  "npm run bench": {
    how: "exists",
    subject: "bench",
    reason: "it times npm test, this test included",
    script: "bench",
    files: ["scripts/bench.mjs"],
  },
};

/** The caller's environment, without the COALITION_* settings: the docs' commands assume the example configuration. */
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("COALITION_"))),
  NO_COLOR: "1",
};

interface Outcome {
  readonly status: number | null;
  readonly output: string;
}

/** Commands running at once: most of a row's time is starting npm, node or Python, and the rows do not depend on each other. */
const SIDE_BY_SIDE = 3;
let running = 0;
const queue: (() => void)[] = [];

/** Runs argv in the project root, once it is its turn among SIDE_BY_SIDE; its stdout, then its stderr. */
async function spawnQueued(argv: readonly string[]): Promise<Outcome> {
  if (running < SIDE_BY_SIDE) running += 1;
  else await new Promise<void>((resolve) => queue.push(resolve)); // a command that ends hands its turn over
  try {
    return await new Promise<Outcome>((resolve) => {
      const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => child.kill("SIGTERM"), 120_000);
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      child.on("error", (error) => {
        clearTimeout(timer);
        resolve({ status: null, output: `${stdout}${stderr}${String(error)}` });
      });
      child.on("close", (status) => {
        clearTimeout(timer);
        resolve({ status, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    const next = queue.shift();
    if (next) next();
    else running -= 1;
  }
}

const results = new Map<string, Promise<Outcome>>();
/**
 * Runs argv once per test run: several rows share a check (`terraform apply -help`). A command in cdktf.out/
 * waits for `npm run synth`, which writes it.
 */
function runOnce(argv: readonly string[]): Promise<Outcome> {
  const key = JSON.stringify(argv);
  let result = results.get(key);
  if (!result) {
    const synth = argv.join(" ").includes("cdktf.out") ? runOnce(SYNTH) : undefined;
    result = synth ? synth.then(() => spawnQueued(argv)) : spawnQueued(argv);
    results.set(key, result);
  }
  return result;
}

/** Every row that runs, started now, SIDE_BY_SIDE at a time, in the order of COMMANDS; each test awaits its own. */
beforeAll(() => {
  for (const check of Object.values(COMMANDS)) {
    if (check.how !== "exists" && (!check.tool || isInstalled(check.tool))) void runOnce(check.argv);
  }
});

const installed = new Map<string, boolean>();
function isInstalled(tool: string): boolean {
  if (!installed.has(tool)) {
    const available = spawnSync(tool, ["--version"], { env, encoding: "utf8" }).status === 0;
    installed.set(tool, available);
    if (!available) {
      console.warn(`\n!! SKIPPED: the documented ${tool} commands were NOT checked: ${tool} is not on PATH.\n!! npm run setup:test says how to install it.\n`);
    }
  }
  return installed.get(tool) ?? false;
}

describe("the commands in the README and docs/", () => {
  const documented = documentedCommands();

  it("are found in every document that has shell blocks", () => {
    expect(documented.size).toBeGreaterThan(20);
    expect(documents()).toContain("README.md");
    for (const command of ["npm ci", "npm run local:up", "npm run setup:test", "npm test"]) {
      expect(documented.get(command)?.[0], command).toMatch(/^README\.md:/);
    }
  });

  it("are each in COMMANDS, copied verbatim", () => {
    const missing = [...documented].filter(([command]) => !(command in COMMANDS)).map(([command, where]) => `${where.join(", ")}: ${command}`);
    expect(missing, "add each documented command, verbatim, to COMMANDS in __tests__/docs/commands.test.ts").toEqual([]);
  });

  it("leave no row of COMMANDS that no document holds any more", () => {
    const stale = Object.keys(COMMANDS).filter((command) => !documented.has(command));
    expect(stale, "remove these rows from COMMANDS, or put the commands back in the docs").toEqual([]);
  });

  it.each(Object.entries(COMMANDS))("have a row for %s whose subject is part of the command", (command, check) => {
    expect(command).toContain(check.subject);
  });
});

describe.each(Object.entries(COMMANDS))("%s", (command, check) => {
  if (check.how === "exists") {
    it(`exists (not run: ${check.reason})`, () => {
      if (check.script) {
        const scripts = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
        expect(Object.keys(scripts)).toContain(check.script);
      }
      for (const file of check.files) expect(existsSync(path.join(ROOT, file)), file).toBe(true);
    });
    return;
  }
  it(check.how === "run" ? `runs: ${check.argv.join(" ")}` : `prints its usage: ${check.argv.join(" ")}`, async (context) => {
    if (check.tool && !isInstalled(check.tool)) {
      context.skip();
      return;
    }
    const result = await runOnce(check.argv);
    expect(result.status, `${command}\n${result.output}`).toBe(0);
    if (typeof check.mentions === "string") expect(result.output).toContain(check.mentions);
    else if (check.mentions) expect(result.output).toMatch(check.mentions);
    if (check.verify) {
      await runOnce(SYNTH); // what it verifies may read synth's output
      check.verify(command);
    }
  }, 120_000);
});

describe("the links between the README and docs/", () => {
  it.each(documents())("resolve from %s, anchors included", (file) => {
    const broken: string[] = [];
    for (const { target, line } of relativeLinksOf(readFileSync(path.join(ROOT, file), "utf8"))) {
      const [linked, anchor] = target.split("#");
      const destination = linked === "" ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), linked);
      if (!existsSync(destination)) {
        broken.push(`${file}:${line}: ${target} (no such file)`);
      } else if (anchor !== undefined && destination.endsWith(".md") && !anchorsOf(readFileSync(destination, "utf8")).has(anchor)) {
        broken.push(`${file}:${line}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("reading commands from a document", () => {
  it("joins continued lines, drops comments and keeps the rest verbatim", () => {
    const markdown = [
      "```sh",
      "# a comment",
      "",
      "AWS_PROFILE=admin terraform apply \\",
      "  -target=a.b   # trailing comment",
      "echo 'not # a comment' &",
      "```",
      "```",
      "not a shell block",
      "```",
      "   ```bash",
      "   npm run synth",
      "   ```",
    ].join("\n");
    expect(commandsOf(markdown).map(({ command }) => command)).toEqual([
      "AWS_PROFILE=admin terraform apply -target=a.b",
      "echo 'not # a comment' &",
      "npm run synth",
    ]);
  });
});
