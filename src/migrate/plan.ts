import { type DnsRecordConfig, type Environment, masterUsernameSchema, type PlatformConfig, recordsWrittenByStack } from "../config";
import { carryRecord, mergeRecords } from "./dns-records";
import { type Disposition, type KeptName, ruleFor } from "./hcl-map";
import { replacingChanges } from "./replacement";
import { MigrationInputError, type StateInstance } from "./state";

/** A synthesized stack, as far as the migration reads it. */
export interface StackJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

/**
 * How the earlier state reaches this stack: `move` when this stack uses the same state (its bucket and key), so
 * `moved` and `removed` blocks refactor it in place; `import` when this stack starts from an empty state (another
 * key), so every object is imported by its id and the old state is left as it is.
 */
export type AdoptionMode = "move" | "import";

export interface MigrationInput {
  readonly environment: Environment;
  /** The configuration the stack is synthesized from (the team's, before the overlay). */
  readonly config: PlatformConfig;
  readonly instances: readonly StateInstance[];
  /** The stack synthesized from `config`: the addresses that can take objects over, and their default names. */
  readonly stack: StackJson;
  readonly mode: AdoptionMode;
}

/** What becomes of one instance of the earlier state. */
export interface Outcome {
  readonly address: string;
  readonly type: string;
  readonly kind: "moved" | "imported" | "forgotten" | "unrecognised";
  /** The address here (moved, imported). */
  readonly to?: string;
  /** Why it is forgotten, or what it became. */
  readonly reason?: string;
  /** The physical name kept, when it differs from the one the stack would give. */
  readonly kept?: { readonly slot: string; readonly value: string; readonly instead: string };
  /** An argument the rules know replaces it although the stack's value is only known at plan time. */
  readonly replacedBy?: string;
}

/** The migration of one stack: Terraform blocks, configuration and what becomes of every instance. */
export interface MigrationPlan {
  readonly environment: Environment;
  readonly mode: AdoptionMode;
  readonly outcomes: readonly Outcome[];
  readonly moved: readonly { from: string; to: string }[];
  readonly removed: readonly string[];
  readonly imports: readonly { to: string; id: string }[];
  /** `migration.{env}.names`. */
  readonly names: Readonly<Record<string, string>>;
  /** Settings of the database kept from the state (`database.*`), where the configuration's would replace or shrink it. */
  readonly database: Readonly<Record<string, string | number>>;
  /** The old zone's domain, when this state holds the zone (`applications.prod.domain`). */
  readonly domain?: string;
  /** `applications.prod.dnsRecords`: the configured ones and those carried from the old zone. */
  readonly records?: readonly DnsRecordConfig[];
  readonly carried: readonly { address: string; record: DnsRecordConfig }[];
  readonly notCarried: readonly { address: string; reason: string }[];
  readonly notes: readonly string[];
}

/** The resource a root address names in the stack: `aws_x.y[0]` → the body of `aws_x.y`. */
export function declaredBody(stack: StackJson, address: string): Readonly<Record<string, unknown>> | undefined {
  const [type, name] = address.replace(/\[[^\]]*\]$/, "").split(".");
  return stack.resource?.[type]?.[name];
}

/** The instance address an object takes in the stack: `[0]` added for a counted resource. */
function instanceOf(stack: StackJson, to: string): string | undefined {
  const body = declaredBody(stack, to);
  if (!body) return undefined;
  return body.count === undefined ? to : `${to}[0]`;
}

/**
 * Types whose import id is not their `id` attribute (for the `import` mode), spelled from the state's attributes
 * (`{attribute}`); `null` for a type Terraform cannot import (a wait, which is simply created again).
 */
const IMPORT_IDS: Readonly<Record<string, string | null>> = {
  aws_db_instance: "{identifier}",
  aws_kms_alias: "{name}",
  aws_route: "{route_table_id}_{destination_cidr_block}",
  aws_route_table_association: "{subnet_id}/{route_table_id}",
  aws_iam_role_policy_attachment: "{role}/{policy_arn}",
  aws_wafv2_web_acl: "{id}/{name}/{scope}",
  aws_api_gateway_base_path_mapping: "{domain_name}/{base_path}",
  aws_ecr_lifecycle_policy: "{repository}",
  aws_acm_certificate_validation: null,
  aws_ses_domain_identity_verification: null,
};

/** The id `terraform import` takes for an object of the state; undefined when the type cannot be imported or an attribute is missing. */
export function importId(instance: StateInstance): string | undefined {
  const template = Object.hasOwn(IMPORT_IDS, instance.type) ? IMPORT_IDS[instance.type] : "{id}";
  if (template === null) return undefined;
  let missing = false;
  const id = template.replace(/\{(\w+)\}/g, (_, attribute: string) => {
    const value = instance.attributes[attribute];
    if (typeof value !== "string") missing = true;
    return String(value);
  });
  return missing || id === "" ? undefined : id;
}

const stripped = (value: string, prefix?: string) => (prefix && value.startsWith(prefix) ? value.slice(prefix.length) : value);

/** The kept name of a moved instance, when it differs from the stack's own name for it. */
function keptName(keep: KeptName | undefined, instance: StateInstance, body: Readonly<Record<string, unknown>>): Outcome["kept"] {
  if (!keep) return undefined;
  const value = instance.attributes[keep.attribute];
  const instead = body[keep.attribute];
  if (typeof value !== "string" || value === instead) return undefined;
  return { slot: keep.slot, value: stripped(value, keep.strip), instead: typeof instead === "string" ? instead : "" };
}

/** The database settings of the configuration that the instance in the state would not survive. */
function databaseSettings(instance: StateInstance, config: PlatformConfig): Record<string, string | number> {
  const a = instance.attributes;
  const settings: Record<string, string | number> = {};
  // A name the configuration refuses is left out: the check of the overlay then reports the replacement it forces.
  if (typeof a.username === "string" && a.username !== config.database.masterUsername && masterUsernameSchema.safeParse(a.username).success) {
    settings.masterUsername = a.username;
  }
  const major = typeof a.engine_version === "string" ? a.engine_version.split(".")[0] : undefined;
  if (major && major !== config.database.engineVersion) settings.engineVersion = major;
  if (typeof a.allocated_storage === "number" && a.allocated_storage > config.database.allocatedStorageGb) {
    settings.allocatedStorageGb = a.allocated_storage;
    if (a.allocated_storage > config.database.maxAllocatedStorageGb) settings.maxAllocatedStorageGb = a.allocated_storage;
  }
  return settings;
}

/** The domain of the old hosted zone: the zone's own name in the shared state, else the configured prod domain. */
function zoneDomain(instances: readonly StateInstance[], config: PlatformConfig): string | undefined {
  const zone = instances.find((instance) => instance.type === "aws_route53_zone" && typeof instance.attributes.name === "string");
  const name = zone ? String(zone.attributes.name) : config.applications.prod.domain;
  return name?.toLowerCase().replace(/\.$/, "");
}

/**
 * Decides, for every instance of the earlier state, whether this stack moves it (keeping its physical name where
 * the stack would give another), imports it, or forgets it (Terraform stops managing it, AWS keeps it); carries
 * the old zone's records into the prod zone's configuration. Nothing is ever destroyed: what no rule recognises
 * is forgotten too, and reported.
 */
export function planMigration(input: MigrationInput): MigrationPlan {
  const { environment, config, stack, mode } = input;
  const prod = config.applications.prod;
  const domain = zoneDomain(input.instances, config);
  const outcomes: Outcome[] = [];
  const moved: { from: string; to: string }[] = [];
  const imports: { to: string; id: string }[] = [];
  const forgottenResources = new Set<string>();
  const names: Record<string, string> = {};
  let database: Record<string, string | number> = {};
  const carried: { address: string; record: DnsRecordConfig }[] = [];
  const notCarried: { address: string; reason: string }[] = [];
  const notes = new Set<string>();
  const taken = new Map<string, string>();
  const ownRecords = recordsWrittenByStack(prod);

  const forgetIt = (instance: StateInstance, kind: "forgotten" | "unrecognised", reason: string) => {
    forgottenResources.add(instance.resource);
    outcomes.push({ address: instance.address, type: instance.type, kind, reason });
  };
  const adopt = (instance: StateInstance, to: string): boolean => {
    if (mode === "move") {
      moved.push({ from: instance.address, to });
      return true;
    }
    const id = importId(instance);
    if (id === undefined) return false;
    imports.push({ to, id });
    return true;
  };

  for (const instance of input.instances) {
    const rule = ruleFor(environment, instance.resource, instance.key);
    if (!rule) {
      forgetIt(instance, "unrecognised", "not recognised: forgotten, so that nothing unknown is destroyed; review it");
      continue;
    }
    const then: Disposition = rule.then;
    if (then.kind === "forget") {
      forgetIt(instance, "forgotten", then.reason);
    } else if (then.kind === "record") {
      const writtenHere = then.writtenHere?.(prod) ?? false;
      if (writtenHere) {
        forgetIt(instance, "forgotten", "a record of the old zone that the prod stack writes into its own zone");
      } else if (!domain) {
        throw new MigrationInputError(`the state holds records of the old zone (${instance.address}), but applications.prod.domain is not set: set it to the zone's domain, or merge the shared overlay first`);
      } else {
        const outcome = carryRecord(instance, domain, prod.email);
        const own = outcome.kind === "carried" ? ownRecords.find((r) => r.name === outcome.record.name && r.type === outcome.record.type) : undefined;
        if (outcome.kind === "carried" && !own) carried.push({ address: instance.address, record: outcome.record });
        else notCarried.push({ address: instance.address, reason: own ? `the prod stack writes ${own.what} itself` : (outcome as { reason: string }).reason });
        forgetIt(instance, "forgotten", "a record of the old zone, carried into applications.prod.dnsRecords unless listed as not carried");
      }
    } else {
      const target = instanceOf(stack, then.to);
      const holder = target && taken.get(target);
      if (!target || holder) {
        const why = target ? `${target} already takes over ${holder}` : `this configuration declares no ${then.to}`;
        forgetIt(instance, "forgotten", `${why}: the object stays as it is`);
        continue;
      }
      if (then.kind === "import") {
        // Another type here: the old address is forgotten, the same object imported at the new one.
        forgottenResources.add(instance.resource);
        imports.push({ to: target, id: String(instance.attributes[then.idAttribute]) });
        taken.set(target, instance.address);
        outcomes.push({ address: instance.address, type: instance.type, kind: "imported", to: target, reason: then.reason });
      } else {
        const body = declaredBody(stack, then.to)!;
        if (!adopt(instance, target)) {
          forgetIt(instance, "forgotten", "cannot be imported (a wait, or its id is missing from the state): the stack creates it again");
          continue;
        }
        taken.set(target, instance.address);
        const kept = keptName(then.keep, instance, body);
        if (kept) names[kept.slot] = kept.value;
        if (instance.type === "aws_db_instance") database = databaseSettings(instance, config);
        outcomes.push({ address: instance.address, type: instance.type, kind: mode === "move" ? "moved" : "imported", to: target, kept, replacedBy: then.replacedBy });
      }
    }
    if (rule.note) notes.add(rule.note);
  }

  const records = carried.length > 0 ? mergeRecords(prod.dnsRecords, carried.map(({ record }) => record)) : undefined;
  const ownsZone = input.instances.some((instance) => instance.type === "aws_route53_zone");
  return {
    environment,
    mode,
    outcomes,
    moved,
    // A removed block forgets every instance of a resource still at its address after the moves.
    removed: mode === "move" ? [...forgottenResources].sort() : [],
    imports,
    names,
    database,
    domain: ownsZone ? domain : undefined,
    records,
    carried,
    notCarried,
    notes: [...notes],
  };
}

/** A moved or imported object that the stack (synthesized with the overlay) would replace, and why. */
export interface Replacement {
  readonly address: string;
  readonly to: string;
  readonly type: string;
  readonly because: string;
}

/**
 * The objects of the plan that the stack synthesized with the overlay would still replace: an argument that
 * cannot change in place differs from the state, or a rule knows it will.
 */
export function replacements(plan: MigrationPlan, instances: readonly StateInstance[], stack: StackJson): Replacement[] {
  const byAddress = new Map(instances.map((instance) => [instance.address, instance]));
  return plan.outcomes.flatMap((outcome) => {
    if ((outcome.kind !== "moved" && outcome.kind !== "imported") || !outcome.to) return [];
    const instance = byAddress.get(outcome.address)!;
    const body = declaredBody(stack, outcome.to);
    if (!body) return [{ address: outcome.address, to: outcome.to, type: outcome.type, because: `${outcome.to} is not declared in the stack` }];
    const changes = replacingChanges(instance.type, instance.attributes, body).map(
      (change) => `${change.attribute} (${JSON.stringify(change.from)} → ${JSON.stringify(change.to)})`,
    );
    const because = [...changes, ...(outcome.replacedBy ? [outcome.replacedBy] : [])];
    return because.length > 0 ? [{ address: outcome.address, to: outcome.to, type: outcome.type, because: because.join(", ") }] : [];
  });
}
