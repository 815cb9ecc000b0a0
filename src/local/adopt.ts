import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { names } from "../naming/names";

/**
 * The file of import blocks local mode writes next to a stack's `cdk.tf.json` after an apply was killed: the
 * next apply adopts what the killed run created but had not yet written to the state, instead of creating it
 * twice. Removed once that apply succeeds.
 */
export const ADOPTION_FILE = "adopt-interrupted.tf.json";

/** What a killed apply did to one resource, from its output. */
export interface Creation {
  readonly address: string;
  /** The ID Terraform printed when the creation completed; undefined when the run died before that. */
  readonly id?: string;
}

/**
 * The resources an apply's output shows it began to create (`<address>: Creating...`), with the ID of those
 * whose creation completed (`<address>: Creation complete after 2s [id=vpc-0abc]`).
 */
export function creationsIn(output: string): Creation[] {
  const started = new Set<string>();
  const ids = new Map<string, string>();
  for (const line of output.split("\n")) {
    const creating = /^([\w.[\]"-]+): Creating\.\.\.$/.exec(line.trim());
    if (creating) started.add(creating[1]);
    const complete = /^([\w.[\]"-]+): Creation complete after \S+ \[id=(.+)\]$/.exec(line.trim());
    if (complete) {
      started.add(complete[1]);
      ids.set(complete[1], complete[2]);
    }
  }
  return [...started].map((address) => ({ address, id: ids.get(address) }));
}

/**
 * Types that creating again does no harm: their "creation" writes a setting of another object (a bucket's
 * lifecycle, a role's inline policy, a topic's policy…), which the next apply writes again, or creates nothing.
 * What a killed run began of these is left to the next apply.
 */
const CREATED_AGAIN_HARMLESSLY = new Set([
  "aws_acm_certificate_validation",
  "aws_ses_domain_identity_verification",
  "aws_iam_role_policy",
  "aws_iam_role_policy_attachment",
  "aws_s3_bucket_cors_configuration",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_versioning",
  "aws_sns_topic_policy",
  "aws_secretsmanager_secret_policy",
  "aws_ecr_lifecycle_policy",
  "aws_vpc_peering_connection_options",
  "aws_sesv2_email_identity_mail_from_attributes",
]);

/**
 * Types whose import ID is not the `id` Terraform prints, or is an ARN: spelled from their arguments
 * (`{argument}`: written out in the configuration, or a reference to the ID of a resource in the state or adopted
 * with it), `{id}` (the printed ID), and `{account}` and `{region}` (the stack's default AWS provider's).
 */
const IMPORT_ID_TEMPLATES: Readonly<Record<string, string>> = {
  aws_iam_policy: "arn:aws:iam::{account}:policy/{name}",
  aws_sns_topic: "arn:aws:sns:{region}:{account}:{name}",
  aws_route: "{route_table_id}_{destination_cidr_block}",
  aws_route_table_association: "{subnet_id}/{route_table_id}",
  aws_wafv2_web_acl: "{id}/{name}/{scope}",
  aws_db_instance: "{identifier}",
};

/**
 * For an orphan whose creation never reported an ID: the argument naming it, when that is also its import ID.
 * Only a name written in the configuration (no reference) is used.
 */
const IMPORTED_BY_NAME: Readonly<Record<string, string>> = {
  aws_iam_role: "name",
  aws_iam_instance_profile: "name",
  aws_cloudwatch_log_group: "name",
  aws_cloudwatch_metric_alarm: "alarm_name",
  aws_s3_bucket: "bucket",
  aws_kms_alias: "name",
  aws_ecr_repository: "name",
  aws_lambda_function: "function_name",
  aws_location_place_index: "index_name",
  aws_db_subnet_group: "name",
  aws_db_parameter_group: "name",
  aws_sesv2_configuration_set: "configuration_set_name",
  aws_sesv2_email_identity: "email_identity",
};

/** What to do about the resources a killed apply began to create. */
export interface AdoptionPlan {
  /** Import blocks: each resource the killed run created that the state does not hold. */
  readonly imports: { readonly to: string; readonly id: string }[];
  /**
   * Resources the killed run may have created and that cannot be adopted from its output, with why; `byTag`
   * when the object, if it exists, carries its address tag (names.addressTag) to be found by.
   */
  readonly unknown: { readonly address: string; readonly reason: string; readonly byTag?: boolean }[];
}

type Json = Record<string, unknown>;

/**
 * Plans the adoption of what killed runs began to create: each resource not in the state (`inState`: address →
 * ID), still in the stack (`stack`, its Terraform JSON), without an import block of the stack's own, and whose
 * creation would not just write the same thing again, is imported by the ID the run printed, by its configured
 * name when the run died before printing one, or by its import ID spelled from its arguments
 * (IMPORT_ID_TEMPLATES). What none of these gives is left for the address tag (adoptTagged) or reported.
 */
export function planAdoption(creations: readonly Creation[], inState: ReadonlyMap<string, string>, stack: Json): AdoptionPlan {
  const resources = (stack.resource ?? {}) as Record<string, Record<string, Json>>;
  const ownImports = new Set(((stack.import ?? []) as { to: string }[]).map((block) => block.to));
  const pending = new Map<string, { readonly type: string; readonly body: Json; readonly id?: string }>();
  for (const { address, id } of creations) {
    const [type, name] = address.replace(/\[.*\]$/, "").split(".");
    const body = resources[type]?.[name];
    // Not in the stack any more: the apply has nothing to create twice.
    if (!body || inState.has(address) || ownImports.has(address) || CREATED_AGAIN_HARMLESSLY.has(type)) continue;
    pending.set(address, { type, body, id });
  }
  const imports: AdoptionPlan["imports"] = [];
  const unknown: AdoptionPlan["unknown"] = [];
  const byTag = (body: Json) => tagsOf(body)?.[names.addressTag] !== undefined;
  for (const [address, { type, body, id }] of pending) {
    if (type in IMPORT_ID_TEMPLATES) continue;
    const named = IMPORTED_BY_NAME[type] ? literal(body[IMPORTED_BY_NAME[type]]) : undefined;
    if (id !== undefined || named !== undefined) imports.push({ to: address, id: id ?? named! });
    else unknown.push({ address, reason: "its creation was cut before Terraform printed its ID", byTag: byTag(body) });
  }
  // Templates last: they may refer to what the first pass adopts.
  const known = new Map([...inState, ...imports.map(({ to, id }) => [to, id] as const)]);
  const provider = ((((stack.provider ?? {}) as Json).aws ?? []) as Json[]).find((candidate) => candidate.alias === undefined) ?? {};
  const context = { account: (provider.allowed_account_ids as string[] | undefined)?.[0], region: literal(provider.region) };
  for (const [address, { type, body, id }] of pending) {
    if (!(type in IMPORT_ID_TEMPLATES)) continue;
    const importId = spell(IMPORT_ID_TEMPLATES[type], body, { ...context, id }, known);
    if (importId !== undefined) imports.push({ to: address, id: importId });
    else unknown.push({ address, reason: `its import ID (${IMPORT_ID_TEMPLATES[type]}) cannot be spelled from what is known`, byTag: byTag(body) });
  }
  return { imports, unknown };
}

/** A string written out in the configuration (no reference), or undefined. */
function literal(value: unknown): string | undefined {
  return typeof value === "string" && !value.includes("${") ? value : undefined;
}

/**
 * A template's import ID, or undefined when an argument is neither written out nor a known resource's ID (nor
 * one of `given`: id, account, region).
 */
function spell(template: string, body: Json, given: Readonly<Record<string, string | undefined>>, known: ReadonlyMap<string, string>): string | undefined {
  let complete = true;
  const spelled = template.replace(/\{(\w+)\}/g, (_, argument: string) => {
    const value = argument in given ? given[argument] : (literal(body[argument]) ?? referencedId(body[argument], known));
    if (value === undefined) complete = false;
    return value ?? "";
  });
  return complete ? spelled : undefined;
}

/** The ID a reference `${aws_x.name.id}` names, when that resource's ID is known. */
function referencedId(value: unknown, known: ReadonlyMap<string, string>): string | undefined {
  const match = typeof value === "string" ? /^\$\{([a-z0-9_]+\.[a-z0-9_]+)\.id\}$/.exec(value) : null;
  return match ? known.get(match[1]) : undefined;
}

/** The tags a resource's JSON sets, when it sets any. */
function tagsOf(body: Json): Record<string, unknown> | undefined {
  return typeof body.tags === "object" && body.tags !== null ? (body.tags as Record<string, unknown>) : undefined;
}

/**
 * Types imported by their ARN. Every other type found by its address tag is imported by the last part of its
 * ARN (`arn:aws:ec2:…:vpc/vpc-0abc` → `vpc-0abc`, `arn:aws:kms:…:key/<key id>`, `…:hostedzone/Z123`).
 */
const IMPORTED_BY_ARN = new Set([
  "aws_acm_certificate",
  "aws_iam_policy",
  "aws_iam_openid_connect_provider",
  "aws_secretsmanager_secret",
  "aws_sns_topic",
  "aws_ce_anomaly_monitor",
  "aws_ce_anomaly_subscription",
]);

/** The import ID of an object of a resource type, from its ARN. */
export function importIdFromArn(type: string, arn: string): string {
  if (IMPORTED_BY_ARN.has(type)) return arn;
  // arn:aws:wafv2:<region>:<account>:<regional|global>/webacl/<name>/<id>
  const acl = type === "aws_wafv2_web_acl" ? /:(regional|global)\/webacl\/([^/]+)\/([^/]+)$/.exec(arn) : null;
  if (acl) return `${acl[3]}/${acl[2]}/${acl[1] === "global" ? "CLOUDFRONT" : "REGIONAL"}`;
  return arn.split("/").pop() ?? arn;
}

/**
 * Completes an adoption with the objects found by their address tag (`found`: address → the ARNs carrying it):
 * a resource found exactly once is imported; one found more than once stays unknown (a duplicate already).
 */
export function adoptTagged(plan: AdoptionPlan, found: ReadonlyMap<string, readonly string[]>): AdoptionPlan {
  const imports = [...plan.imports];
  const unknown: AdoptionPlan["unknown"] = [];
  for (const entry of plan.unknown) {
    const arns = entry.byTag ? (found.get(entry.address) ?? []) : [];
    const type = entry.address.split(".")[0];
    if (arns.length === 1) imports.push({ to: entry.address, id: importIdFromArn(type, arns[0]) });
    else if (arns.length > 1) unknown.push({ address: entry.address, reason: `${arns.length} objects carry its address tag: ${arns.join(", ")}` });
    else if (entry.byTag) unknown.push({ address: entry.address, reason: `${entry.reason}, and no object carries its address tag` });
    else unknown.push(entry);
  }
  return { imports, unknown };
}

/** Writes the import blocks into the stack's folder, or removes the file when there are none. */
export function writeAdoption(dir: string, imports: AdoptionPlan["imports"]): void {
  const file = path.join(dir, ADOPTION_FILE);
  if (imports.length === 0) {
    rmSync(file, { force: true });
    return;
  }
  writeFileSync(file, `${JSON.stringify({ "//": "Written by local mode: what a killed apply created, adopted by the next apply.", import: imports }, null, 2)}\n`);
}

/** The addresses a plan refused to import because nothing exists under the given ID. */
export function missingImports(output: string): string[] {
  const text = output.replace(/[│|]/g, " ").replace(/\s+/g, " ");
  const found = [...text.matchAll(/While attempting to import an existing object to "([^"]+)", the provider detected that no object exists with the given id/g)];
  return [...new Set(found.map((match) => match[1]))];
}
