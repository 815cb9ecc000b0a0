import { FACT_RESPONSES, ownItems } from "./calls";
import { type LoggedEntry, readLoggedEntries, REQUEST, RESPONSE } from "./log";

/** The fields of a request the mapping reads; every other field is left out of a trimmed log. */
const KEPT_FIELDS = [
  "rpc.service",
  "rpc.method",
  "aws.region",
  "aws.s3.bucket",
  "aws.s3.key",
  "http.method",
  "http.url",
  "http.request.header.content_type",
  "http.request.header.authorization",
  "tf_req_id",
  "tf_backend.req_id",
];

/** Values longer than this are shortened (policy documents, rules): the mapping reads names and IDs. */
const LONGEST_VALUE = 200;

/** Parameters whose values are never kept, whatever a log holds. */
const SECRET_NAME = /password|secret(string|binary)|token|privatekey/i;

/** What trimming carries from entry to entry, and from file to file. */
export class Trimming {
  /** Requests (and answers) kept already, without their time. */
  private readonly seen = new Set<string>();
  /** Role, source identity and signer of a session → the access key first issued for it. */
  private readonly sessions = new Map<string, string>();
  /** Access key → the key first issued for the same session, which the trimmed log signs with instead. */
  private readonly keys = new Map<string, string>();
  /** AssumeRole requests by request ID: the session asked for, and whether one like it was kept already. */
  private readonly pending = new Map<string, { session: string; again: boolean }>();

  /**
   * A Terraform debug log trimmed to what `iam:coverage` reads: each distinct AWS request once, with its service,
   * operation, region, URL, signing credential scope and parameters (long values shortened, secrets and the bodies
   * of XML APIs left out), and the few answers the mapping learns from, reduced to those facts (credentials issued:
   * the key ID and the role; peering connections; route table associations; role boundaries; KMS aliases). Every
   * session of a role is signed with the key of its first, so the same request made in two sessions is kept once.
   * The result reads as the log it comes from.
   */
  async trim(file: string): Promise<string> {
    const out: string[] = [];
    for await (const entry of readLoggedEntries(file)) {
      const text = entry.kind === "request" ? this.request(entry) : this.response(entry);
      if (text !== undefined) out.push(text);
    }
    return out.join("");
  }

  private request(entry: LoggedEntry): string | undefined {
    const operation = `${entry.service}.${entry.operation}`;
    const requestId = entry.fields.tf_req_id ?? entry.fields["tf_backend.req_id"];
    const text = trimmedRequest(entry, PAIRED.has(operation), (key) => this.keys.get(key) ?? key);
    if (operation === "STS.AssumeRole" && requestId) {
      const params = new URLSearchParams(entry.fields["http.request.body"] ?? "");
      const signer = /Credential=([^/]+)/.exec(text)?.[1] ?? "";
      const session = `${params.get("RoleArn")}|${params.get("SourceIdentity") ?? ""}|${signer}`;
      const again = this.sessions.has(session);
      this.pending.set(requestId, { session, again });
      return again ? undefined : text;
    }
    return this.once(entry, text, PAIRED.has(operation));
  }

  private response(entry: LoggedEntry): string | undefined {
    const operation = `${entry.service}.${entry.operation}`;
    if (!FACT_RESPONSES.has(operation)) return undefined;
    const text = trimmedResponse(entry, PAIRED.has(operation));
    const requestId = entry.fields.tf_req_id ?? entry.fields["tf_backend.req_id"];
    const asked = requestId ? this.pending.get(requestId) : undefined;
    if (operation === "STS.AssumeRole" && asked) {
      this.pending.delete(requestId!);
      const key = /<AccessKeyId>([^<]*)</.exec(entry.fields["http.response.body"] ?? "")?.[1];
      if (!key) return undefined;
      if (asked.again) {
        this.keys.set(key, this.sessions.get(asked.session)!);
        return undefined;
      }
      this.sessions.set(asked.session, key);
      return text;
    }
    return this.once(entry, text, PAIRED.has(operation));
  }

  /** The text, unless the same (but for its time) was kept already; an entry paired by request ID is always kept. */
  private once(entry: LoggedEntry, text: string, paired: boolean): string | undefined {
    const key = text.slice(text.indexOf(entry.logger));
    const kept = paired || !this.seen.has(key);
    this.seen.add(key);
    return kept ? text : undefined;
  }
}

/** A Terraform debug log, or several as one (see Trimming), trimmed to what `iam:coverage` reads. */
export async function trimLogs(files: readonly string[]): Promise<string> {
  const trimming = new Trimming();
  let text = "";
  for (const file of files) text += await trimming.trim(file);
  return text;
}

function trimmedRequest(entry: LoggedEntry, paired: boolean, signer: (key: string) => string): string {
  const fields: Record<string, string> = {};
  for (const name of KEPT_FIELDS) if (entry.fields[name] !== undefined) fields[name] = entry.fields[name];
  if (!paired) {
    delete fields.tf_req_id;
    delete fields["tf_backend.req_id"];
  }
  const scope = /Credential=([^/,\s]+)(\/[^,\s]+)/.exec(fields["http.request.header.authorization"] ?? "");
  if (scope) fields["http.request.header.authorization"] = `AWS4-HMAC-SHA256 Credential=${signer(scope[1])}${scope[2]}`;
  else delete fields["http.request.header.authorization"];
  return render(entry, REQUEST, fields, "http.request.body", trimmedBody(entry.fields["http.request.body"] ?? "", fields["http.request.header.content_type"] ?? ""));
}

function trimmedResponse(entry: LoggedEntry, paired: boolean): string {
  const fields: Record<string, string> = { "rpc.service": entry.service, "rpc.method": entry.operation };
  if (paired) for (const name of ["tf_req_id", "tf_backend.req_id"]) if (entry.fields[name] !== undefined) fields[name] = entry.fields[name];
  return render(entry, RESPONSE, fields, "http.response.body", factsOnly(`${entry.service}.${entry.operation}`, entry.fields["http.response.body"] ?? ""));
}

/** Requests whose answer is paired with them by request ID: each is kept, with its ID. */
const PAIRED: ReadonlySet<string> = new Set(["STS.AssumeRole", "EC2.AssociateRouteTable"]);

/**
 * The part of an answer the mapping learns from (calls.ts), in the answer's own markup: never a secret key or a
 * session token.
 */
function factsOnly(operation: string, body: string): string {
  const tags = (names: string[], text = body) => names.flatMap((name) => new RegExp(`<${name}>[\\s\\S]*?</${name}>`).exec(text) ?? []).join("");
  switch (operation) {
    case "STS.AssumeRole":
      return `<AssumeRoleResponse>${tags(["AccessKeyId", "Arn", "SourceIdentity"])}</AssumeRoleResponse>`;
    case "EC2.DescribeVpcPeeringConnections":
    case "EC2.CreateVpcPeeringConnection": {
      const side = (name: string) => {
        const block = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body)?.[1] ?? "";
        return `<${name}>${tags(["ownerId", "vpcId", "region"], block)}</${name}>`;
      };
      const ids = [...new Set(body.match(/pcx-[0-9a-f]+/g) ?? [])].map((id) => `<vpcPeeringConnectionId>${id}</vpcPeeringConnectionId>`);
      return `<${operation.split(".")[1]}Response>${side("accepterVpcInfo")}${side("requesterVpcInfo")}${ids.join("")}</${operation.split(".")[1]}Response>`;
    }
    case "EC2.DescribeRouteTables": {
      const associations = body.split("<routeTableAssociationId>").slice(1).map((chunk) => {
        const end = chunk.indexOf("</item>");
        const item = `<routeTableAssociationId>${end < 0 ? chunk : chunk.slice(0, end)}`;
        return `<item>${tags(["routeTableAssociationId", "routeTableId", "subnetId"], item)}</item>`;
      });
      return `<DescribeRouteTablesResponse>${associations.join("")}</DescribeRouteTablesResponse>`;
    }
    case "EC2.DescribeInstances":
    case "EC2.RunInstances": {
      const instances = body
        .split("<instancesSet>")
        .slice(1)
        .flatMap(ownItems)
        .map((instance) => {
          const profile = /<iamInstanceProfile>[\s\S]*?<arn>[^<]+<\/arn>/.exec(instance)?.[0];
          return `<item>${tags(["instanceId"], instance)}${profile ? `${profile}</iamInstanceProfile>` : ""}</item>`;
        });
      return `<${operation.split(".")[1]}Response><instancesSet>${instances.join("")}</instancesSet></${operation.split(".")[1]}Response>`;
    }
    case "EC2.AssociateRouteTable":
      return `<AssociateRouteTableResponse>${tags(["associationId"])}</AssociateRouteTableResponse>`;
    case "IAM.GetRole":
      return `<GetRoleResponse>${tags(["RoleName", "Path", "PermissionsBoundaryArn"])}</GetRoleResponse>`;
    case "KMS.ListAliases": {
      try {
        const { Aliases } = JSON.parse(body) as { Aliases?: { AliasName?: string; TargetKeyId?: string }[] };
        return JSON.stringify({ Aliases: (Aliases ?? []).filter((a) => a.TargetKeyId).map(({ AliasName, TargetKeyId }) => ({ AliasName, TargetKeyId })) });
      } catch {
        return "";
      }
    }
    default:
      return "";
  }
}

/** A request body with what the mapping reads: form and JSON parameters, shortened; nothing of XML bodies. */
function trimmedBody(body: string, contentType: string): string {
  if (contentType.includes("x-www-form-urlencoded")) {
    const params = new URLSearchParams(body);
    const kept = new URLSearchParams();
    for (const [name, value] of params) kept.append(name, SECRET_NAME.test(name) ? "*****" : shorten(value));
    return kept.toString();
  }
  if (/json/.test(contentType) && body.trimStart().startsWith("{")) {
    try {
      return JSON.stringify(shortenJson(JSON.parse(body.replace(/\n?\[truncated\.\.\.\]\s*$/, ""))));
    } catch {
      return body.replace(/"(\w*(?:password|secretstring|secretbinary|token|privatekey)\w*)"\s*:\s*"[^"]*"/gi, '"$1":"*****"');
    }
  }
  return "";
}

function shortenJson(value: unknown, name = ""): unknown {
  if (typeof value === "string") return SECRET_NAME.test(name) ? "*****" : shorten(value);
  if (Array.isArray(value)) return value.map((member) => shortenJson(member, name));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, shortenJson(member, key)]));
  return value;
}

function shorten(value: string): string {
  return value.length > LONGEST_VALUE && !value.startsWith("arn:") ? `(${value.length} characters)` : value;
}

/** An entry written as hclog writes it: `head logger: message: key=value …`, a multi-line value as `  key=` and `  | …` lines. */
function render(entry: LoggedEntry, message: string, fields: Record<string, string>, bodyField: string, body: string): string {
  const pairs = Object.entries(fields).map(([name, value]) => `${name}=${/^[^\s"=[\]]+$/.test(value) ? value : JSON.stringify(value)}`);
  const lines = [`${entry.head} ${entry.logger}: ${message} ${pairs.join(" ")}`];
  if (body !== "") lines.push(`  ${bodyField}=`, ...body.split("\n").map((line) => `  | ${line}`));
  return `${lines.join("\n")}\n`;
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write("usage: node --import tsx src/iam-coverage/trim.ts <terraform-log>... > trimmed.log\n");
    process.exitCode = 2;
  } else {
    void trimLogs(files).then((text) => process.stdout.write(text));
  }
}
