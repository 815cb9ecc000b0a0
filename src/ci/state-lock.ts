import { readFileSync } from "node:fs";
import { CheckError, parseCommandLine, runCommand, UsageError } from "./cli";
import { inlineCode } from "./markdown";
import { forceUnlockCommand, LOCK_ERROR, lockAge, lockCreatedAt, lockOperation, parseStateLock, reportsLockError, type StateLock } from "./terraform-lock";

/** When the lock was taken and how long ago: `2026-11-30 09:15:02 UTC, 2 days ago`, or Terraform's own text. */
function takenWhen(lock: StateLock, now: Date): string {
  const created = lockCreatedAt(lock);
  if (!created) return `${lock.created || "unknown"} (age unknown)`;
  return `${created.toISOString().slice(0, 19).replace("T", " ")} UTC, ${lockAge(lock, now)} ago`;
}

/** How long ago the lock was taken: `2 days ago`, or `at an unknown time`. */
function takenAgo(lock: StateLock, now: Date): string {
  return lockCreatedAt(lock) ? `${lockAge(lock, now)} ago` : "at an unknown time";
}

/** When releasing the lock is safe, and where the command runs, as lines of a paragraph. */
const WHEN_SAFE = [
  "Release it only once that run has certainly ended (its job finished or was cancelled, its machine no",
  "longer runs Terraform): unlocking under a live run lets two runs write the state. Then, with that",
  "account's credentials, in a checkout where `npm run synth` and `terraform init` have run for the stack:",
];
/** What to do once the lock is released, as lines of a paragraph. */
const AFTER_UNLOCK = [
  "After unlocking, plan again: an apply killed midway may have created resources it had not yet written",
  "to the state.",
];

/** The facts of the lock, label and value, in the order they are shown. */
function facts(lock: StateLock, now: Date): [string, string][] {
  return [
    ["Who", lock.who || "unknown"],
    ["Operation", lockOperation(lock)],
    ["Taken", takenWhen(lock, now)],
    ["Lock ID", lock.id],
    ["State", lock.path || "unknown"],
  ];
}

/** The report for a terminal. */
export function renderText(lock: StateLock, stackDir: string, now: Date): string {
  const rows = facts(lock, now);
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return [
    `The state lock of ${stackDir} is held by another run:`,
    "",
    ...rows.map(([label, value]) => `  ${`${label}:`.padEnd(width)}  ${value}`),
    "",
    ...WHEN_SAFE,
    "",
    `  ${forceUnlockCommand(lock, stackDir)}`,
    "",
    ...AFTER_UNLOCK,
    "",
  ].join("\n");
}

/** Markdown as the content of a table cell, whose pipes would end it. */
function cell(markdown: string): string {
  return markdown.replace(/\|/g, "\\|");
}

/** The report for a job summary or a pull-request comment. */
export function renderMarkdown(lock: StateLock, stackDir: string, now: Date): string {
  const command = forceUnlockCommand(lock, stackDir);
  const fence = "`".repeat(Math.max(3, ...[...command.matchAll(/`+/g)].map((match) => match[0].length + 1)));
  const literal = new Set(["Who", "Lock ID", "State"]);
  return [
    `### 🔒 The state lock of ${inlineCode(stackDir)} is held by another run`,
    "",
    "| | |",
    "|---|---|",
    ...facts(lock, now).map(([label, value]) => `| ${label} | ${cell(literal.has(label) ? inlineCode(value) : value)} |`),
    "",
    WHEN_SAFE.join(" "),
    "",
    `${fence}sh`,
    command,
    fence,
    "",
    AFTER_UNLOCK.join(" "),
    "",
  ].join("\n");
}

/** Text as the data of a GitHub workflow command, which ends at a line break. */
function workflowCommandData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** One GitHub Actions `::error::` line naming the holder and, last, the command that releases the lock. */
export function renderAnnotation(lock: StateLock, stackDir: string, now: Date): string {
  const message =
    `The state lock of ${stackDir} is held by ${lock.who || "an unknown holder"} (${lockOperation(lock)}, taken ${takenAgo(lock, now)}). ` +
    `Only once that run has certainly ended, release it and plan again (the job summary says more): ${forceUnlockCommand(lock, stackDir)}`;
  return `::error title=State lock held::${workflowCommandData(message)}\n`;
}

const RENDERERS = { text: renderText, markdown: renderMarkdown, github: renderAnnotation } as const;
export type ReportFormat = keyof typeof RENDERERS;

const USAGE = `usage: npm run --silent state-lock -- --stack-dir <dir> [--format text|markdown|github] [<file>]

Reads what a failed terraform plan or apply printed (the file, or stdin without one) and, when another run
holds the state lock, prints who holds it, its operation, when it was taken and its age, the lock's ID, and
the terraform force-unlock command for the stack's folder <dir>, with when unlocking is safe. It never
unlocks. --format markdown writes a job summary, github one ::error:: line; text is the default.
Exits 0 with the report, 1 when the output holds no held lock, 2 on bad flags or an unreadable file.`;

export interface StateLockArgs {
  readonly stackDir: string;
  readonly format: ReportFormat;
  /** Terraform's output; stdin when absent. */
  readonly file?: string;
}

export function parseStateLockArgs(argv: string[]): StateLockArgs | "help" {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      "stack-dir": { type: "string" },
      format: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    true,
  );
  if (values.help) return "help";
  const stackDir = values["stack-dir"];
  if (stackDir === undefined || stackDir.trim() === "") throw new UsageError("--stack-dir is required: the stack's folder, e.g. cdktf.out/stacks/prod");
  if (/[\r\n]/.test(stackDir)) throw new UsageError(`--stack-dir must be one line, not ${JSON.stringify(stackDir)}`);
  const format = values.format ?? "text";
  if (!Object.hasOwn(RENDERERS, format)) {
    throw new UsageError(`--format must be one of ${Object.keys(RENDERERS).join(", ")}, not ${JSON.stringify(format)}`);
  }
  if (positionals.length > 1) throw new UsageError(`give one file of Terraform's output, not ${positionals.length}: ${positionals.join(" ")}`);
  return { stackDir, format: format as ReportFormat, ...(positionals[0] !== undefined && { file: positionals[0] }) };
}

/** Terraform's output from the file, or from stdin. */
function readOutput(file: string | undefined, readStdin: () => string): string {
  const source = file ?? "stdin";
  try {
    return file === undefined ? readStdin() : readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (error as Error).message;
    throw new UsageError(`cannot read ${source}: ${reason}`, false);
  }
}

/** Reads stdin, refusing a terminal: the output is piped in or named as a file. */
function readStdin(): string {
  if (process.stdin.isTTY) throw new UsageError("give the file holding Terraform's output, or pipe it in");
  return readFileSync(0, "utf8");
}

/** The whole command: its stdout text, or undefined for --help. */
export function stateLockReport(argv: string[], now = new Date(), stdin: () => string = readStdin): string | undefined {
  const args = parseStateLockArgs(argv);
  if (args === "help") return undefined;
  const output = readOutput(args.file, stdin);
  const lock = parseStateLock(output);
  const source = args.file ?? "stdin";
  if (!lock) {
    throw new CheckError(
      reportsLockError(output)
        ? `${source} reports "${LOCK_ERROR}" but names no lock: Terraform could not reach the lock (see its error message), and there is nothing to unlock`
        : `${source} holds no "${LOCK_ERROR}" error: no run holds the state lock there`,
    );
  }
  return RENDERERS[args.format](lock, args.stackDir, now);
}

if (require.main === module) runCommand("state-lock", USAGE, (argv) => stateLockReport(argv));
