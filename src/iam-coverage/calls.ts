import type { LoggedEntry } from "./log";

/** One AWS API call, with what the IAM mapping needs of it. */
export interface AwsCall {
  /** The SDK's service ID (`EC2`, `S3`, `Route 53`...). */
  readonly service: string;
  readonly operation: string;
  /** The region the request was signed for (its credential scope): what AWS reads as `aws:RequestedRegion`. */
  readonly region: string;
  readonly httpMethod: string;
  /** The URL's path, decoded (`/2013-04-01/hostedzone/Z123`). */
  readonly path: string;
  /** The request's parameters, flattened: query and form fields as sent (`VpcId`, `Tags.member.1.Key`), JSON members by their dotted path, the URL's query. */
  readonly params: ReadonlyMap<string, string>;
  /** S3 only: the bucket and object key the request names. */
  readonly bucket?: string;
  readonly key?: string;
  /** The access key ID the request was signed with, as the log shows it (masked but for its ends). */
  readonly accessKey?: string;
  /** Who sent it: `backend-s3` (the state backend) or the provider's logger. */
  readonly logger: string;
  /** The Terraform RPC (provider) or backend operation the request belongs to: pairs a request with its response. */
  readonly requestId?: string;
  /** Where the request was logged. */
  readonly source: string;
}

/** Reads an AWS call out of a logged request. */
export function callOf(entry: LoggedEntry): AwsCall {
  const f = entry.fields;
  const scope = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(f["http.request.header.authorization"] ?? "");
  const url = parseUrl(f["http.url"] ?? "");
  const params = new Map<string, string>();
  for (const [name, value] of url.searchParams) params.set(name, value);
  const body = f["http.request.body"] ?? "";
  const contentType = f["http.request.header.content_type"] ?? "";
  if (contentType.includes("x-www-form-urlencoded")) {
    for (const [name, value] of new URLSearchParams(body)) params.set(name, value);
  } else if (/json/.test(contentType) && body.trimStart().startsWith("{")) {
    readJsonMembers(body.replace(TRUNCATED, ""), params);
  }
  for (const [name, value] of params) params.set(name, repairArn(value));
  const path = safeDecode(url.pathname);
  const s3 = entry.service === "S3" ? s3Target(url, f["aws.s3.bucket"], f["aws.s3.key"]) : {};
  return {
    service: entry.service,
    operation: entry.operation,
    region: scope?.[2] ?? f["aws.region"] ?? "",
    httpMethod: f["http.method"] ?? "",
    path,
    params,
    ...s3,
    ...(scope ? { accessKey: scope[1] } : {}),
    logger: entry.logger,
    ...(requestIdOf(entry) ? { requestId: requestIdOf(entry) } : {}),
    source: `${entry.file}:${entry.line}`,
  };
}

function requestIdOf(entry: LoggedEntry): string | undefined {
  return entry.fields.tf_req_id ?? entry.fields["tf_backend.req_id"];
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    return new URL("http://invalid/");
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** How the SDK's logger ends a request body it cut short. */
const TRUNCATED = /\n?\[truncated\.\.\.\]\s*$/;

/**
 * The scalar members of a JSON document by dotted path (`Key.LockID.S`, `Tags.0.Key`). A document the logger cut
 * short yields the members before the cut.
 */
export function readJsonMembers(text: string, into: Map<string, string>): void {
  let i = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const string = (): string | undefined => {
    const start = i;
    for (i++; i < text.length && text[i] !== '"'; i += text[i] === "\\" ? 2 : 1);
    if (i >= text.length) return undefined;
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return text.slice(start + 1, i - 1);
    }
  };
  // Reads one value at i; false when the text ends inside it.
  const value = (path: string): boolean => {
    space();
    const c = text[i];
    if (c === undefined) return false;
    if (c === "{" || c === "[") {
      const object = c === "{";
      i++;
      for (let index = 0; ; index++) {
        space();
        if (i >= text.length) return false;
        if (text[i] === (object ? "}" : "]")) {
          i++;
          return true;
        }
        if (text[i] === ",") {
          i++;
          space();
        }
        let name = String(index);
        if (object) {
          const key = text[i] === '"' ? string() : undefined;
          if (key === undefined) return false;
          space();
          if (text[i] !== ":") return false;
          i++;
          name = key;
        }
        if (!value(path ? `${path}.${name}` : name)) return false;
      }
    }
    if (c === '"') {
      const s = string();
      if (s === undefined) return false;
      into.set(path, s);
      return true;
    }
    const scalar = /^[^,}\]\s]+/.exec(text.slice(i))?.[0] ?? "";
    if (scalar === "") return false;
    i += scalar.length;
    if (i >= text.length) return false;
    if (scalar !== "null") into.set(path, scalar);
    return true;
  };
  value("");
}

/**
 * ARNs as AWS writes them. The emulator writes a CloudFront ARN without its empty region
 * (`arn:aws:cloudfront:111111111111:distribution/…`).
 */
function repairArn(value: string): string {
  return value.replace(/^arn:aws:cloudfront:(\d{12}):/, "arn:aws:cloudfront::$1:");
}

/**
 * The bucket and key of an S3 request: the SDK's own fields when it logged them (the state backend does), else
 * from the URL, virtual-hosted (`bucket.s3.<region>.amazonaws.com/key`) or path-style (`host/bucket/key`).
 */
function s3Target(url: URL, bucket: string | undefined, key: string | undefined): { bucket?: string; key?: string } {
  if (bucket) return { bucket, ...(key ? { key } : {}) };
  const path = url.pathname.replace(/^\//, "");
  const virtual = /^(.+)\.s3[.-]/.exec(url.hostname);
  const [first, ...rest] = path.split("/");
  const found = virtual ? { bucket: virtual[1], key: path } : { bucket: first, key: rest.join("/") };
  return {
    ...(found.bucket ? { bucket: safeDecode(found.bucket) } : {}),
    ...(found.key ? { key: safeDecode(found.key) } : {}),
  };
}

/**
 * The values of a parameter in every position it takes: `VpcId`, a list's members (`VpcId.1`, `VpcId.member.2`,
 * JSON `repositoryNames.0` for `RepositoryName`), compared without case.
 */
export function paramValues(call: AwsCall, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of call.params) {
    // A list's members: `Name.1`, `Name.member.1`, `Names.0` (JSON).
    const base = key.replace(/\.(member\.)?\d+$/i, "").toLowerCase();
    if ((base === wanted || (base === `${wanted}s` && base !== key.toLowerCase())) && value !== "") values.push(value);
  }
  return values;
}

/** Credentials an AssumeRole issued: the role (its IAM ARN) and the session's source identity, if it was given one. */
export interface Session {
  readonly role: string;
  readonly sourceIdentity?: string;
}

/** What earlier entries of the logs tell about the resources later calls name. */
export interface LogFacts {
  /** Access key ID → the session an AssumeRole answer issued it for. */
  readonly issuedKeys: Map<string, Session>;
  /** AssumeRole requests waiting for their answer, by request ID: the source identity they asked for. */
  readonly pendingSessions: Map<string, string | undefined>;
  /** VPC peering connection ID → its two sides. */
  readonly peerings: Map<string, Peering>;
  /** IAM role name → path (`/`), from the roles' creation. */
  readonly rolePaths: Map<string, string>;
  /** IAM role name → the permissions boundary it was created with or read back with. */
  readonly roleBoundaries: Map<string, string>;
  /** Instance profile name → the role in it. */
  readonly profileRoles: Map<string, string>;
  /** Route table association ID → its route table and subnet. */
  readonly routeAssociations: Map<string, { readonly routeTable: string; readonly subnet?: string }>;
  /** AssociateRouteTable requests waiting for their answer, by request ID. */
  readonly pendingAssociations: Map<string, { readonly routeTable: string; readonly subnet?: string }>;
  /** KMS alias name (`alias/…`) → the key ID it points to. */
  readonly aliasTargets: Map<string, string>;
  /** EC2 instance ID → the ARN of its instance profile (`ec2:InstanceProfile`). */
  readonly instanceProfiles: Map<string, string>;
}

export interface PeeringSide {
  readonly account: string;
  readonly vpc: string;
  readonly region?: string;
}
export interface Peering {
  readonly requester: PeeringSide;
  readonly accepter: PeeringSide;
}

export function emptyFacts(): LogFacts {
  return {
    issuedKeys: new Map(),
    pendingSessions: new Map(),
    peerings: new Map(),
    rolePaths: new Map(),
    roleBoundaries: new Map(),
    profileRoles: new Map(),
    routeAssociations: new Map(),
    pendingAssociations: new Map(),
    aliasTargets: new Map(),
    instanceProfiles: new Map(),
  };
}

/** The responses whose bodies tell facts; the trimmed logs keep these and no other. */
export const FACT_RESPONSES: ReadonlySet<string> = new Set([
  "STS.AssumeRole",
  "EC2.DescribeVpcPeeringConnections",
  "EC2.CreateVpcPeeringConnection",
  "EC2.DescribeRouteTables",
  "EC2.DescribeInstances",
  "EC2.RunInstances",
  "EC2.AssociateRouteTable",
  "IAM.GetRole",
  "KMS.ListAliases",
]);

/** Learns what a response says: the role credentials an AssumeRole issued, a peering's sides, a role's boundary. */
export function learnFromResponse(entry: LoggedEntry, facts: LogFacts): void {
  const body = entry.fields["http.response.body"] ?? "";
  const tag = (name: string, text = body) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  switch (`${entry.service}.${entry.operation}`) {
    case "STS.AssumeRole": {
      const key = tag("AccessKeyId");
      const assumed = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(tag("Arn") ?? "");
      // AWS answers with the source identity; an emulator may not, and the request that asked for it is then its source.
      const requestId = entry.fields.tf_req_id ?? entry.fields["tf_backend.req_id"];
      const sourceIdentity = tag("SourceIdentity") ?? (requestId ? facts.pendingSessions.get(requestId) : undefined);
      if (requestId) facts.pendingSessions.delete(requestId);
      if (key && assumed) facts.issuedKeys.set(key, { role: `arn:aws:iam::${assumed[1]}:role/${assumed[2]}`, ...(sourceIdentity ? { sourceIdentity } : {}) });
      break;
    }
    case "EC2.DescribeVpcPeeringConnections":
    case "EC2.CreateVpcPeeringConnection": {
      // Only an answer about a single connection: its two sides are then unambiguous.
      const ids = new Set(body.match(/pcx-[0-9a-f]+/g) ?? []);
      if (ids.size !== 1) break;
      const side = (name: string): PeeringSide | undefined => {
        const block = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body)?.[1];
        const account = block && tag("ownerId", block);
        const vpc = block && tag("vpcId", block);
        return account && vpc ? { account, vpc, ...(tag("region", block) ? { region: tag("region", block) } : {}) } : undefined;
      };
      const requester = side("requesterVpcInfo");
      const accepter = side("accepterVpcInfo");
      if (requester && accepter) facts.peerings.set([...ids][0], { requester, accepter });
      break;
    }
    case "EC2.DescribeRouteTables": {
      for (const chunk of body.split("<routeTableAssociationId>").slice(1)) {
        const end = chunk.indexOf("</item>");
        const item = end < 0 ? chunk : chunk.slice(0, end);
        const id = /^(rtbassoc-[0-9a-f]+)</.exec(item)?.[1];
        const routeTable = tag("routeTableId", item);
        const subnet = tag("subnetId", item);
        if (id && routeTable) facts.routeAssociations.set(id, { routeTable, ...(subnet ? { subnet } : {}) });
      }
      break;
    }
    case "EC2.DescribeInstances":
    case "EC2.RunInstances": {
      for (const set of body.split("<instancesSet>").slice(1)) {
        for (const instance of ownItems(set)) {
          const id = tag("instanceId", instance);
          const profile = /<iamInstanceProfile>[\s\S]*?<arn>([^<]+)<\/arn>/.exec(instance)?.[1];
          if (id && profile) facts.instanceProfiles.set(id, profile);
        }
      }
      break;
    }
    case "EC2.AssociateRouteTable": {
      const requestId = entry.fields.tf_req_id;
      const asked = requestId ? facts.pendingAssociations.get(requestId) : undefined;
      const id = tag("associationId");
      if (requestId) facts.pendingAssociations.delete(requestId);
      if (asked && id) facts.routeAssociations.set(id, asked);
      break;
    }
    case "KMS.ListAliases": {
      const members = new Map<string, string>();
      readJsonMembers(body, members);
      for (const [name, value] of members) {
        const at = /^Aliases\.(\d+)\.AliasName$/.exec(name);
        const target = at ? members.get(`Aliases.${at[1]}.TargetKeyId`) : undefined;
        if (target) facts.aliasTargets.set(value, target);
      }
      break;
    }
    case "IAM.GetRole": {
      const name = tag("RoleName");
      const boundary = tag("PermissionsBoundaryArn");
      if (name && boundary) facts.roleBoundaries.set(name, boundary);
      const path = tag("Path");
      if (name && path) facts.rolePaths.set(name, path);
      break;
    }
  }
}

/**
 * The `<item>` elements at the top of an EC2 list (the text after its opening tag), each without the items nested
 * in it: its own fields only.
 */
export function ownItems(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let own = "";
  for (const token of list.split(/(<item>|<\/item>)/)) {
    if (token === "<item>") {
      depth++;
    } else if (token === "</item>") {
      depth--;
      if (depth < 0) break; // the end of the list
      if (depth === 0) {
        items.push(own);
        own = "";
      }
    } else if (depth === 1) {
      own += token;
    }
  }
  return items;
}

/**
 * Learns what a request says: the source identity a session is asked for, the path and boundary a role is created
 * with, the role put in an instance profile.
 */
export function learnFromRequest(call: AwsCall, facts: LogFacts): void {
  const one = (name: string) => paramValues(call, name)[0];
  if (call.service === "STS" && call.operation === "AssumeRole" && call.requestId) facts.pendingSessions.set(call.requestId, one("SourceIdentity"));
  if (call.service === "EC2" && call.operation === "AssociateRouteTable" && call.requestId && one("RouteTableId")) {
    facts.pendingAssociations.set(call.requestId, { routeTable: one("RouteTableId"), ...(one("SubnetId") ? { subnet: one("SubnetId") } : {}) });
  }
  if (call.service === "KMS" && (call.operation === "CreateAlias" || call.operation === "UpdateAlias") && one("AliasName") && one("TargetKeyId")) {
    facts.aliasTargets.set(one("AliasName"), one("TargetKeyId"));
  }
  if (call.service === "IAM" && call.operation === "CreateRole") {
    const name = one("RoleName");
    if (name && one("Path")) facts.rolePaths.set(name, one("Path"));
    if (name && one("PermissionsBoundary")) facts.roleBoundaries.set(name, one("PermissionsBoundary"));
  }
  if (call.service === "IAM" && call.operation === "PutRolePermissionsBoundary" && one("RoleName")) {
    facts.roleBoundaries.set(one("RoleName"), one("PermissionsBoundary"));
  }
  if (call.service === "IAM" && call.operation === "AddRoleToInstanceProfile" && one("InstanceProfileName")) {
    facts.profileRoles.set(one("InstanceProfileName"), one("RoleName"));
  }
}
