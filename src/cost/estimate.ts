import { ASSUMPTIONS, HOURS_PER_MONTH, PriceError, RESOURCE_PRICING, type RegionPrices, regionPrices, type ResourcePricing } from "./prices";

/** A resource's arguments (synthesized Terraform JSON) or attribute values (a plan's before or after). */
export type Attributes = Readonly<Record<string, unknown>>;

/** Input the estimate cannot read: a variable the stack does not declare, a count it cannot evaluate, a non-plan. */
export class CostInputError extends Error {}

type Pricer = (attributes: Attributes, prices: RegionPrices, unknown: Attributes) => number;

const hourly = (pricePerHour: number) => pricePerHour * HOURS_PER_MONTH;

/** The one object of a nested block: synthesized JSON writes an object, plans a one-element list. */
function block(value: unknown): Attributes | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first !== null && typeof first === "object" ? (first as Attributes) : undefined;
}

/** How many elements a list attribute has; a list the plan does not know yet counts as ASSUMPTIONS.unknownListLength. */
function listLength(value: unknown, unknown: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (Array.isArray(unknown)) return unknown.length;
  return ASSUMPTIONS.unknownListLength;
}

/** Looks up a unit price by a string attribute, failing with what to add to the table. */
function lookup(table: Readonly<Record<string, number>>, value: unknown, what: string, prices: RegionPrices): number {
  const price = typeof value === "string" ? table[value] : undefined;
  if (price === undefined) {
    throw new PriceError(`no price for ${what} ${JSON.stringify(value)} (prices: ${prices.source}); add it to src/cost/prices.ts`);
  }
  return price;
}

const volumeMonthly = (volume: Attributes | undefined, prices: RegionPrices): number => {
  const size = typeof volume?.volume_size === "number" ? volume.volume_size : ASSUMPTIONS.defaultRootVolumeGb;
  return size * lookup(prices.ebsGbMonth, volume?.volume_type ?? ASSUMPTIONS.defaultRootVolumeType, "EBS volume type", prices);
};

/** The monthly price of one resource of each priced type, from its attributes. */
export const PRICERS: Readonly<Record<string, Pricer>> = {
  aws_vpc_endpoint: (attributes, prices, unknown) => {
    const type = attributes.vpc_endpoint_type ?? "Gateway";
    if (type === "Gateway") return 0;
    if (type !== "Interface") throw new PriceError(`no price for VPC endpoint type ${JSON.stringify(type)}; add it to src/cost/estimate.ts`);
    return listLength(attributes.subnet_ids, unknown.subnet_ids) * hourly(prices.interfaceEndpointHour);
  },
  aws_db_instance: (attributes, prices) => {
    const copies = attributes.multi_az === true ? 2 : 1;
    const storageGb = typeof attributes.allocated_storage === "number" ? attributes.allocated_storage : 0;
    const storageType = attributes.storage_type ?? ASSUMPTIONS.defaultRdsStorageType;
    const instance = hourly(lookup(prices.rdsPostgresInstanceHour, attributes.instance_class, "RDS instance class", prices));
    const storage = storageGb * lookup(prices.rdsStorageGbMonth, storageType, "RDS storage type", prices);
    return copies * (instance + storage);
  },
  aws_instance: (attributes, prices) => {
    const instance = hourly(lookup(prices.ec2InstanceHour, attributes.instance_type, "EC2 instance type", prices));
    const extraVolumes = Array.isArray(attributes.ebs_block_device) ? (attributes.ebs_block_device as Attributes[]) : [];
    const volumes = volumeMonthly(block(attributes.root_block_device), prices) + extraVolumes.reduce((sum, v) => sum + volumeMonthly(v, prices), 0);
    const publicIp = attributes.associate_public_ip_address === true ? hourly(prices.publicIpv4Hour) : 0;
    return instance + volumes + publicIp;
  },
  aws_eip: (_attributes, prices) => hourly(prices.publicIpv4Hour),
  aws_kms_key: (_attributes, prices) => prices.kmsKeyMonth,
  aws_secretsmanager_secret: (_attributes, prices) => prices.secretMonth,
  aws_route53_zone: (_attributes, prices) => prices.hostedZoneMonth,
  aws_wafv2_web_acl: (attributes, prices, unknown) => {
    const rules = attributes.rule === undefined || attributes.rule === null ? 0 : listLength(attributes.rule, unknown.rule);
    return prices.wafWebAclMonth + rules * prices.wafRuleMonth;
  },
  aws_cloudwatch_metric_alarm: (attributes, prices) => {
    const queries = Array.isArray(attributes.metric_query) ? (attributes.metric_query as Attributes[]) : [];
    const metrics = Math.max(1, queries.filter((query) => block(query.metric) !== undefined).length);
    const periods = [attributes.period, ...queries.map((query) => block(query.metric)?.period)].filter((p): p is number => typeof p === "number");
    const highResolution = periods.some((period) => period < 60);
    return metrics * (highResolution ? prices.highResolutionAlarmMonth : prices.standardAlarmMonth);
  },
  aws_ecr_repository: (_attributes, prices) => ASSUMPTIONS.ecrStoredGb * prices.ecrStorageGbMonth,
};

/** How a resource type is costed; an AWS type missing from the table is an error naming the file to extend. */
export function pricingOf(type: string): ResourcePricing {
  const pricing = RESOURCE_PRICING[type];
  if (!pricing) throw new PriceError(`resource type ${type} is not in the price table; add it to RESOURCE_PRICING in src/cost/prices.ts`);
  return pricing;
}

/** The fixed monthly price of one resource, USD; 0 for usage-based and free types. */
export function resourceMonthlyUsd(type: string, attributes: Attributes, prices: RegionPrices, unknown: Attributes = {}): number {
  if (pricingOf(type).basis !== "priced") return 0;
  const pricer = PRICERS[type];
  if (!pricer) throw new PriceError(`resource type ${type} is marked priced but src/cost/estimate.ts has no pricer for it`);
  return pricer(attributes, prices, unknown);
}

// ---- A synthesized stack ----

/** The parts of a synthesized stack (cdk.tf.json) the estimate reads. */
export interface SynthesizedStack {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Attributes>>>>;
  readonly variable?: Readonly<Record<string, { readonly default?: unknown; readonly type?: string }>>;
  readonly provider?: Readonly<Record<string, readonly { readonly alias?: string; readonly region?: string }[]>>;
}

/** The cost of every resource of one type in a stack. */
export interface TypeCost {
  readonly type: string;
  /** Resource instances, after evaluating count. */
  readonly count: number;
  readonly monthlyUsd: number;
  readonly pricing: ResourcePricing;
}

export interface StackEstimate {
  readonly region: string;
  readonly prices: RegionPrices;
  /** Every resource type the stack declares, most expensive first, then by name. */
  readonly types: TypeCost[];
  readonly totalMonthlyUsd: number;
}

/** The region of the stack's default AWS provider. */
export function stackRegion(stack: SynthesizedStack): string {
  const region = stack.provider?.aws?.find((provider) => provider.alias === undefined)?.region;
  if (!region) throw new CostInputError("the stack has no default aws provider with a region");
  return region;
}

/**
 * The variables' values: each declared variable's default, overridden by `given` (values as typed on a command
 * line, converted to the variable's type). A name the stack does not declare, or a value of the wrong type, fails.
 */
export function resolveVariables(stack: SynthesizedStack, given: Readonly<Record<string, string>> = {}): Map<string, unknown> {
  const declared = stack.variable ?? {};
  const values = new Map<string, unknown>(Object.entries(declared).filter(([, v]) => "default" in v).map(([name, v]) => [name, v.default]));
  for (const [name, text] of Object.entries(given)) {
    const variable = declared[name];
    if (!variable) {
      const known = Object.keys(declared);
      throw new CostInputError(`the stack has no variable ${name} (it has ${known.length > 0 ? known.join(", ") : "none"})`);
    }
    values.set(name, convert(name, variable.type, text));
  }
  return values;
}

function convert(name: string, type: string | undefined, text: string): unknown {
  if (type === "bool") {
    if (text === "true" || text === "false") return text === "true";
    throw new CostInputError(`variable ${name} is a bool: give true or false, not ${JSON.stringify(text)}`);
  }
  if (type === "number") {
    if (text.trim() === "" || !Number.isFinite(Number(text))) throw new CostInputError(`variable ${name} is a number, not ${JSON.stringify(text)}`);
    return Number(text);
  }
  return text;
}

const CONDITIONAL_COUNT = /^\$\{var\.([A-Za-z_][\w-]*) \? (\d+) : (\d+)\}$/;

/** How many instances a resource block makes: no count is one; a number; or `${var.x ? a : b}` on a bool variable. */
export function instanceCount(address: string, body: Attributes, variables: ReadonlyMap<string, unknown>): number {
  if (body.for_each !== undefined) throw new CostInputError(`${address} uses for_each, which the estimate cannot evaluate`);
  const count = body.count;
  if (count === undefined) return 1;
  if (typeof count === "number") return count;
  const match = typeof count === "string" ? CONDITIONAL_COUNT.exec(count) : null;
  if (!match) throw new CostInputError(`${address} has count ${JSON.stringify(count)}; the estimate evaluates only \${var.x ? a : b}`);
  const [, name, whenTrue, whenFalse] = match;
  const value = variables.get(name);
  if (typeof value !== "boolean") {
    throw new CostInputError(`${address}'s count needs variable ${name} as true or false${variables.has(name) ? `, not ${JSON.stringify(value)}` : ": give --var " + name + "=true|false"}`);
  }
  return Number(value ? whenTrue : whenFalse);
}

/** The monthly cost of a synthesized stack, per resource type, with the given variable values. */
export function estimateStack(stack: SynthesizedStack, given: Readonly<Record<string, string>> = {}, prices?: RegionPrices): StackEstimate {
  const region = stackRegion(stack);
  const table = prices ?? regionPrices(region);
  const variables = resolveVariables(stack, given);
  const types = Object.entries(stack.resource ?? {}).map(([type, byName]): TypeCost => {
    const pricing = pricingOf(type);
    let count = 0;
    let monthlyUsd = 0;
    for (const [name, body] of Object.entries(byName)) {
      const instances = instanceCount(`${type}.${name}`, body, variables);
      count += instances;
      if (instances > 0) monthlyUsd += instances * resourceMonthlyUsd(type, body, table);
    }
    return { type, count, monthlyUsd, pricing };
  });
  types.sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.type.localeCompare(b.type));
  return { region, prices: table, types, totalMonthlyUsd: types.reduce((sum, t) => sum + t.monthlyUsd, 0) };
}

/**
 * What switching a bool variable off saves a month: the stack's total with `variable` true less its total with
 * it false (dev's enable_vpc_endpoints: its interface endpoints). Zero when the stack does not count on it.
 */
export function switchSavingMonthlyUsd(stack: SynthesizedStack, variable: string, prices?: RegionPrices): number {
  return estimateStack(stack, { [variable]: "true" }, prices).totalMonthlyUsd - estimateStack(stack, { [variable]: "false" }, prices).totalMonthlyUsd;
}

// ---- A plan ----

/** What a change does to the bill: a replacement prices its old and new object like a delete and a create. */
export type CostAction = "create" | "delete" | "replace" | "update";

export interface ChangeCost {
  readonly address: string;
  readonly type: string;
  readonly action: CostAction;
  readonly beforeMonthlyUsd: number;
  readonly afterMonthlyUsd: number;
  readonly deltaMonthlyUsd: number;
}

export interface PlanCost {
  readonly region: string;
  /** Every managed resource that is created, deleted, replaced or updated, in plan order. */
  readonly changes: ChangeCost[];
  readonly deltaMonthlyUsd: number;
  /** The stack's monthly cost once the plan is applied: every managed resource the plan keeps or creates. */
  readonly totalMonthlyUsd: number;
}

interface PlanResourceChange {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly provider_name?: string;
  readonly change: { readonly actions: string[]; readonly before?: unknown; readonly after?: unknown; readonly after_unknown?: unknown };
}

const ACTIONS: Readonly<Record<string, CostAction | "keep" | "forget">> = {
  "no-op": "keep",
  create: "create",
  delete: "delete",
  update: "update",
  "delete,create": "replace",
  "create,delete": "replace",
  forget: "forget",
};

/** Checks the parts of `terraform show -json <planfile>` the cost reads. */
function planResourceChanges(plan: unknown): PlanResourceChange[] {
  const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);
  if (!isObject(plan) || typeof plan.format_version !== "string" || !/^1\./.test(plan.format_version) || !("planned_values" in plan)) {
    throw new CostInputError("not a Terraform plan (the output of terraform show -json <planfile>, format 1.x)");
  }
  const changes = plan.resource_changes ?? [];
  if (!Array.isArray(changes)) throw new CostInputError("not a Terraform plan: resource_changes is not a list");
  return changes.map((change: unknown, index) => {
    const valid =
      isObject(change) &&
      typeof change.address === "string" &&
      typeof change.type === "string" &&
      typeof change.mode === "string" &&
      isObject(change.change) &&
      Array.isArray(change.change.actions);
    if (!valid) throw new CostInputError(`not a Terraform plan: resource_changes.${index} lacks address, type, mode or change.actions`);
    return change as unknown as PlanResourceChange;
  });
}

/** The region of the plan's default AWS provider, when the configuration states it as a constant. */
export function planRegion(plan: unknown): string | undefined {
  const region = (plan as { configuration?: { provider_config?: Record<string, { expressions?: { region?: { constant_value?: unknown } } }> } })
    ?.configuration?.provider_config?.aws?.expressions?.region?.constant_value;
  return typeof region === "string" ? region : undefined;
}

const isAws = (change: PlanResourceChange) =>
  change.provider_name === undefined ? change.type.startsWith("aws_") : /(^|\/)hashicorp\/aws$/.test(change.provider_name);

const attributesOf = (value: unknown): Attributes | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Attributes) : undefined;

/**
 * The monthly delta of a plan (`terraform show -json <planfile>`): each created, deleted, replaced or updated
 * managed resource priced before and after, and the stack's monthly total after the plan. The region is the
 * plan's own aws provider region, else `defaultRegion`. Resources of other providers cost nothing here.
 */
export function planCost(plan: unknown, defaultRegion: string, prices?: RegionPrices): PlanCost {
  const resourceChanges = planResourceChanges(plan);
  const region = planRegion(plan) ?? defaultRegion;
  const table = prices ?? regionPrices(region);
  const price = (change: PlanResourceChange, value: unknown, unknown: unknown = {}) => {
    const attributes = attributesOf(value);
    if (!attributes || !isAws(change)) return 0;
    return resourceMonthlyUsd(change.type, attributes, table, attributesOf(unknown) ?? {});
  };
  const changes: ChangeCost[] = [];
  let totalMonthlyUsd = 0;
  for (const change of resourceChanges) {
    if (change.mode !== "managed") continue;
    const action = ACTIONS[change.change.actions.join(",")];
    if (!action) throw new CostInputError(`${change.address} has actions [${change.change.actions.join(",")}], which no plan has for a managed resource`);
    if (action === "forget") continue;
    const before = action === "create" ? 0 : price(change, change.change.before);
    const after = action === "delete" ? 0 : price(change, change.change.after, change.change.after_unknown);
    totalMonthlyUsd += after;
    if (action === "keep") continue;
    changes.push({ address: change.address, type: change.type, action, beforeMonthlyUsd: before, afterMonthlyUsd: after, deltaMonthlyUsd: after - before });
  }
  return { region, changes, deltaMonthlyUsd: changes.reduce((sum, c) => sum + c.deltaMonthlyUsd, 0), totalMonthlyUsd };
}
