import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

/**
 * One AWS API request or response as Terraform's debug log (TF_LOG=debug) records it. The AWS provider and the S3
 * state backend both log through aws-sdk-go-base: an entry `HTTP Request Sent:` before each HTTP request (each
 * attempt) and `HTTP Response Received:` after it, with the SDK's fields (`rpc.service`, `rpc.method`,
 * `http.url`, the body...).
 */
export interface LoggedEntry {
  readonly kind: "request" | "response";
  /** The SDK's service ID (`EC2`, `S3`, `Secrets Manager`, `CloudWatch Logs`...). */
  readonly service: string;
  /** The API operation (`CreateVpc`, `PutBucketPolicy`...). */
  readonly operation: string;
  /** The logger that wrote it: `backend-s3` (the state backend), `provider.terraform-provider-aws_…` (the provider). */
  readonly logger: string;
  /** The entry's timestamp and level, as written (`2026-01-02T03:04:05.678Z [DEBUG]`). */
  readonly head: string;
  /** Every field of the entry, by name (`http.request.body`, `aws.s3.bucket`, `http.url`...). */
  readonly fields: Readonly<Record<string, string>>;
  /** Where the entry starts: the log file and its line number (from 1). */
  readonly file: string;
  readonly line: number;
}

/** An entry's first line: a timestamp, a level, the logger's name, then the message and its fields. */
const ENTRY_START = /^\d{4}-\d{2}-\d{2}T[\d:.]+[-+Z\d:]*\s+\[[A-Z]+\]\s*/;
export const REQUEST = "HTTP Request Sent:";
export const RESPONSE = "HTTP Response Received:";

/**
 * Reads the AWS requests and responses of a Terraform debug log, line by line (a debug log of a whole apply is
 * tens of megabytes; only the entry being read is kept). Entries of any other kind are skipped. Rejects when the
 * file cannot be read.
 */
export async function* readLoggedEntries(file: string): AsyncGenerator<LoggedEntry> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let current: { kind: LoggedEntry["kind"]; logger: string; head: string; line: number; text: string[] } | undefined;
  let number = 0;
  const finish = (): LoggedEntry | undefined => {
    if (!current) return undefined;
    const fields = parseFields(current.text);
    const entry = current;
    current = undefined;
    const service = fields["rpc.service"];
    const operation = fields["rpc.method"];
    return service && operation ? { kind: entry.kind, service, operation, logger: entry.logger, head: entry.head, fields, file, line: entry.line } : undefined;
  };
  for await (const line of lines) {
    number++;
    const start = ENTRY_START.exec(line);
    if (!start) {
      current?.text.push(line);
      continue;
    }
    const done = finish();
    if (done) yield done;
    const rest = line.slice(start[0].length);
    for (const [marker, kind] of [[REQUEST, "request"], [RESPONSE, "response"]] as const) {
      // `<logger name>: HTTP Request Sent: fields...`
      const at = rest.indexOf(marker);
      const logger = /^([\w.-]+): $/.exec(rest.slice(0, at))?.[1];
      if (at >= 0 && logger) current = { kind, logger, head: start[0].trim(), line: number, text: [rest.slice(at + marker.length)] };
    }
  }
  const done = finish();
  if (done) yield done;
}

/**
 * The fields of an hclog entry: `key=value` pairs separated by spaces, a value being bare, a Go-quoted string or
 * a bracketed list; a multi-line value is written as `key=` at the end of a line followed by lines `  | text`.
 */
export function parseFields(lines: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  let pending: { key: string; lines: string[] } | undefined;
  const closePending = () => {
    if (pending) fields[pending.key] = pending.lines.join("\n");
    pending = undefined;
  };
  for (const line of lines) {
    const continued = /^\s*\| ?(.*)$/.exec(line);
    if (pending && continued) {
      pending.lines.push(continued[1]);
      continue;
    }
    closePending();
    let i = 0;
    while (i < line.length) {
      while (line[i] === " ") i++;
      const key = /^([^\s=]+)=/.exec(line.slice(i));
      if (!key) {
        // Not a field (free text of another kind): skip the word.
        while (i < line.length && line[i] !== " ") i++;
        continue;
      }
      i += key[0].length;
      if (i >= line.length) {
        pending = { key: key[1], lines: [] };
        break;
      }
      const [value, end] = readValue(line, i);
      fields[key[1]] = value;
      i = end;
    }
  }
  closePending();
  return fields;
}

/** Reads one value starting at `start`; returns it and where it ends. */
function readValue(line: string, start: number): [string, number] {
  if (line[start] === '"') {
    let i = start + 1;
    while (i < line.length && line[i] !== '"') i += line[i] === "\\" ? 2 : 1;
    const quoted = line.slice(start, i + 1);
    try {
      return [JSON.parse(quoted) as string, i + 1];
    } catch {
      return [quoted.slice(1, -1), i + 1];
    }
  }
  if (line[start] === "[") {
    let depth = 0;
    let i = start;
    for (; i < line.length; i++) {
      if (line[i] === "[") depth++;
      else if (line[i] === "]" && --depth === 0) break;
    }
    return [line.slice(start, i + 1), i + 1];
  }
  const end = line.indexOf(" ", start);
  return end < 0 ? [line.slice(start), line.length] : [line.slice(start, end), end];
}
