// A Terraform state lock as Terraform describes it when it cannot take one: read from a command's output,
// its age, its holder's operation, and the command that releases it. state-lock and local mode share it.

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
export const LOCK_ERROR = "Error acquiring the state lock";
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
