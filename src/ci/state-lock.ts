import { readFileSync } from "node:fs";
import { CheckError, parseCommandLine, runCommand, UsageError } from "./cli";
import { inlineCode } from "./markdown";

/** A Terraform state lock, as Terraform describes it when it cannot take the lock ("Lock Info:"). */
export interface StateLock {
  /** The lock's ID, which `terraform force-unlock` takes. */
  readonly id: string;
  /** The locked state: `<bucket>/<key>`. */
  readonly path: string;
  /** What the holder was doing, e.g. `OperationTypeApply`. */
  readonly operation: string;
  /** The holder: `<user>@<host>` of the machine that took it. */
  readonly who: string;
  /** The holder's Terraform version. */
  readonly version: string;
  /** When the lock was taken, as Terraform writes it (`2026-12-02 14:00:00.123456789 +0000 UTC`). */
  readonly created: string;
}

const FIELDS = { ID: "id", Path: "path", Operation: "operation", Who: "who", Version: "version", Created: "created" } as const;

/** The error Terraform reports when it cannot take the lock, whatever the reason. */
const LOCK_ERROR = "Error acquiring the state lock";
/** The paragraph that closes that error. */
const LOCK_ERROR_END = "Terraform acquires a state lock to protect";

/** Text without its terminal control sequences: colours, and the cursor moves of cdktf's progress lines. */
function withoutColour(text: string): string {
  // eslint-disable-next-line no-control-regex -- control sequences are what is removed
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/**
 * The lock described after one "Error acquiring the state lock" whose lines start at `start`: the "Lock Info:"
 * line gives the prefix every line of the diagnostic carries (its frame `│ `, or a tool's own), and the fields
 * follow it, indented. Undefined when the error holds no lock (the lock table is missing, access is denied).
 */
function lockAfter(lines: readonly string[], start: number): StateLock | undefined {
  const end = lines.findIndex((line, index) => index > start && line.includes(LOCK_ERROR_END));
  const body = lines.slice(start + 1, end < 0 ? undefined : end);
  const info = body.findIndex((line) => /Lock Info:\s*$/.test(line));
  if (info < 0) return undefined;
  const prefix = body[info].slice(0, body[info].lastIndexOf("Lock Info:"));
  const found: Partial<Record<(typeof FIELDS)[keyof typeof FIELDS], string>> = {};
  for (const line of body.slice(info + 1)) {
    const match = line.startsWith(prefix) ? /^\s+(\w+):\s*(.*)$/.exec(line.slice(prefix.length)) : null;
    if (!match) break;
    if (Object.hasOwn(FIELDS, match[1])) found[FIELDS[match[1] as keyof typeof FIELDS]] ??= match[2].trim();
  }
  if (!found.id) return undefined;
  return { id: found.id, path: found.path ?? "", operation: found.operation ?? "", who: found.who ?? "", version: found.version ?? "", created: found.created ?? "" };
}

/**
 * The lock named by the last "Error acquiring the state lock" in a command's output (with or without colour,
 * the diagnostic's frame, or a prefix on every line), or undefined when the output holds no such error with a
 * lock: Terraform reports that error also when it could not reach the lock at all.
 */
export function parseStateLock(output: string): StateLock | undefined {
  const lines = withoutColour(output).split(/\r?\n/);
  for (let index = lines.length - 1; index >= 0; index--) {
    if (!lines[index].includes(LOCK_ERROR)) continue;
    const lock = lockAfter(lines, index);
    if (lock) return lock;
  }
  return undefined;
}

/** Whether the output reports that Terraform could not take the state lock, held or not. */
export function reportsLockError(output: string): boolean {
  return withoutColour(output).includes(LOCK_ERROR);
}

/** When the lock was taken, or undefined when Terraform's timestamp cannot be read. */
export function lockCreatedAt(lock: StateLock): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})/.exec(lock.created);
  if (!match) return undefined;
  const [, day, time, fraction = "", hours, minutes] = match;
  const date = new Date(`${day}T${time}${fraction.slice(0, 4)}${hours}:${minutes}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The lock's age in words ("3 h 12 min", "45 s"), or "unknown" when its timestamp cannot be read. */
export function lockAge(lock: StateLock, now: Date): string {
  const created = lockCreatedAt(lock);
  if (!created) return "unknown";
  const seconds = Math.max(0, Math.floor((now.getTime() - created.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

/** A word for a POSIX shell: as it is when it holds nothing the shell would read, else single-quoted. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The command that releases the lock, run from the folder `stackDir` is relative to. */
export function forceUnlockCommand(lock: StateLock, stackDir: string): string {
  return `terraform -chdir=${shellWord(stackDir)} force-unlock ${shellWord(lock.id)}`;
}

/** The holder's operation in a word (`apply` for `OperationTypeApply`), or Terraform's own text. */
export function lockOperation(lock: StateLock): string {
  const match = /^OperationType(\w+)$/.exec(lock.operation);
  return match ? match[1].toLowerCase() : lock.operation || "unknown";
}

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
