/**
 * Arguments of the AWS provider (5.x) that cannot change in place: a different value replaces the object (destroys
 * it and creates another). Listed for the types the migration moves objects into; arguments computed when left
 * out are compared only where the stack sets them.
 */
export const REPLACED_ON_CHANGE: Readonly<Record<string, readonly string[]>> = {
  aws_db_instance: ["identifier", "engine", "username", "storage_encrypted", "db_name", "character_set_name", "timezone"],
  aws_rds_cluster: ["cluster_identifier", "engine", "master_username", "storage_encrypted"],
  aws_db_subnet_group: ["name"],
  aws_s3_bucket: ["bucket"],
  aws_secretsmanager_secret: ["name"],
  aws_kms_key: ["key_usage", "customer_master_key_spec", "multi_region"],
  aws_kms_alias: ["name"],
  aws_ecr_repository: ["name", "encryption_configuration"],
  aws_cloudwatch_log_group: ["name", "log_group_class"],
  aws_route53_zone: ["name"],
  aws_dynamodb_table: ["name"],
  aws_vpc: ["cidr_block", "instance_tenancy"],
  aws_subnet: ["cidr_block", "availability_zone"],
  aws_security_group: ["name", "description"],
  aws_iam_role: ["name", "path"],
  aws_iam_role_policy: ["name"],
  aws_iam_openid_connect_provider: ["url"],
  aws_instance: ["associate_public_ip_address", "availability_zone", "key_name", "tenancy"],
  aws_flow_log: ["traffic_type", "max_aggregation_interval", "log_destination_type"],
  aws_budgets_budget: ["name"],
  aws_wafv2_web_acl: ["name", "scope"],
  aws_acm_certificate: ["domain_name", "subject_alternative_names", "key_algorithm"],
  aws_api_gateway_domain_name: ["domain_name"],
  aws_vpc_endpoint: ["service_name", "vpc_endpoint_type"],
  aws_route: ["destination_cidr_block"],
  aws_location_place_index: ["index_name", "data_source"],
  aws_ses_domain_identity_verification: ["domain"],
};

/** A value the stack writes whose content is only known when Terraform evaluates it (a reference, a function). */
function isExpression(value: unknown): boolean {
  if (typeof value === "string") return value.includes("${");
  if (Array.isArray(value)) return value.some(isExpression);
  if (value !== null && typeof value === "object") return Object.values(value).some(isExpression);
  return false;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Whether the state's value is what the stack writes: lists of plain values as sets (their order carries no
 * meaning in these arguments), blocks (lists of objects) element by element, and in a block only the fields the
 * stack sets (the others are the provider's defaults).
 */
export function same(stateValue: unknown, stackValue: unknown): boolean {
  if (isObject(stackValue)) {
    const state = Array.isArray(stateValue) && stateValue.length === 1 ? stateValue[0] : stateValue;
    return isObject(state) && Object.entries(stackValue).every(([key, value]) => same(state[key], value));
  }
  if (Array.isArray(stackValue)) {
    const state = Array.isArray(stateValue) ? stateValue : [];
    if (stackValue.some(isObject)) return state.length === stackValue.length && stackValue.every((value, i) => same(state[i], value));
    const sorted = (list: unknown[]) => JSON.stringify([...list].map(String).sort());
    return sorted(state) === sorted(stackValue);
  }
  return JSON.stringify(stateValue ?? null) === JSON.stringify(stackValue ?? null);
}

/** One argument that would replace an object: its name and both values. */
export interface ReplacingChange {
  readonly attribute: string;
  readonly from: unknown;
  readonly to: unknown;
}

/**
 * The arguments of REPLACED_ON_CHANGE in which the resource the stack declares (`body`, its Terraform JSON)
 * differs from the object in the state (`attributes`). Arguments the stack leaves out, computes from other
 * resources, or ignores (`lifecycle.ignore_changes`) are not compared.
 */
export function replacingChanges(type: string, attributes: Readonly<Record<string, unknown>>, body: Readonly<Record<string, unknown>>): ReplacingChange[] {
  const ignored = ((body.lifecycle as { ignore_changes?: unknown } | undefined)?.ignore_changes ?? []) as unknown;
  const ignoredList = Array.isArray(ignored) ? (ignored as string[]) : [];
  return (REPLACED_ON_CHANGE[type] ?? []).flatMap((attribute) => {
    const to = body[attribute];
    if (to === undefined || isExpression(to) || ignoredList.includes(attribute) || ignored === "all") return [];
    const from = attributes[attribute];
    return same(from, to) ? [] : [{ attribute, from, to }];
  });
}
