import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { mapCall, type Mapping } from "../../src/iam-coverage/actions";
import { callOf, emptyFacts, learnFromRequest, learnFromResponse } from "../../src/iam-coverage/calls";
import { readLoggedEntries } from "../../src/iam-coverage/log";

export const PROVIDER = "provider.terraform-provider-aws_v5.100.0_x5";
export const ACCOUNT = "222222222222";

/** One AWS request as Terraform's debug log writes it (hclog: fields after the message, a body as `  | ` lines). */
export function requestLine(request: {
  service: string;
  operation: string;
  signing: string;
  method?: string;
  url?: string;
  contentType?: string;
  body?: string;
  key?: string;
  region?: string;
  logger?: string;
  fields?: Record<string, string>;
}): string {
  const quote = (value: string) => (/^[^\s"=]+$/.test(value) ? value : JSON.stringify(value));
  const fields: Record<string, string> = {
    "rpc.service": request.service,
    "rpc.method": request.operation,
    "http.method": request.method ?? "POST",
    "http.url": request.url ?? "http://127.0.0.1:4566/",
    "http.request.header.authorization": `AWS4-HMAC-SHA256 Credential=${request.key ?? "ASIA************TEST"}/20260101/${request.region ?? "us-east-1"}/${request.signing}/aws4_request, SignedHeaders=host;x-amz-date, Signature=*****`,
    ...(request.contentType ? { "http.request.header.content_type": request.contentType } : {}),
    ...request.fields,
  };
  const pairs = Object.entries(fields).map(([name, value]) => `${name}=${quote(value)}`);
  const body = request.body ? `\n  http.request.body=\n${request.body.split("\n").map((line) => `  | ${line}`).join("\n")}\n   tf_rpc=ApplyResourceChange` : "";
  return `2026-01-01T00:00:00.000Z [DEBUG] ${request.logger ?? PROVIDER}: HTTP Request Sent: ${pairs.join(" ")}${body}\n`;
}

/** An answer as the log writes it. */
export function responseLine(response: { service: string; operation: string; body: string; fields?: Record<string, string>; logger?: string }): string {
  const pairs = Object.entries({ "rpc.service": response.service, "rpc.method": response.operation, ...response.fields }).map(
    ([name, value]) => `${name}=${/^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`,
  );
  return `2026-01-01T00:00:01.000Z [DEBUG] ${response.logger ?? PROVIDER}: HTTP Response Received: ${pairs.join(" ")}\n  http.response.body=\n${response.body
    .split("\n")
    .map((line) => `  | ${line}`)
    .join("\n")}\n   http.status_code=200\n`;
}

/** A Query-protocol request (EC2, IAM, STS, RDS, SNS): its parameters form-encoded. */
export function query(service: string, signing: string, operation: string, params: Record<string, string>, more: Partial<Parameters<typeof requestLine>[0]> = {}): string {
  return requestLine({
    service,
    operation,
    signing,
    contentType: "application/x-www-form-urlencoded",
    body: new URLSearchParams({ Action: operation, ...params, Version: "2016-11-15" }).toString(),
    ...more,
  });
}

/** A JSON-protocol request (KMS, Secrets Manager, DynamoDB, CloudWatch Logs, ECR…). */
export function json(service: string, signing: string, operation: string, body: object): string {
  return requestLine({ service, operation, signing, contentType: "application/x-amz-json-1.1", body: JSON.stringify(body) });
}

/** Writes log text to a file of its own and returns its path. */
export function logFile(text: string, name = "test.log"): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "coalition-iam-coverage-")), name);
  writeFileSync(file, text);
  return file;
}

/** What the last request of a log maps to, everything before it learned from, as the account `ACCOUNT`'s caller. */
export async function mappingOfLast(text: string): Promise<Mapping> {
  const file = logFile(text);
  const facts = emptyFacts();
  let last;
  for await (const entry of readLoggedEntries(file)) {
    if (entry.kind === "response") {
      learnFromResponse(entry, facts);
    } else {
      last = callOf(entry);
      learnFromRequest(last, facts);
    }
  }
  if (!last) throw new Error("no request in the log");
  return mapCall(last, { account: ACCOUNT, facts, declaredBoundaries: new Map(), declaredProfileRoles: new Map() });
}

/** The requests of a mapping as `action on resource` lines (sorted). */
export function requestsOf(mapping: Mapping): string[] {
  if (mapping.kind !== "requests") throw new Error(`expected requests, got ${mapping.kind}: ${mapping.why}`);
  return mapping.requests.map(({ action, resource }) => `${action} on ${resource}`).sort();
}
