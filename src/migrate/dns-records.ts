import type { DnsRecordConfig } from "../config";
import { SES_SPF } from "../constructs/email";
import type { StateInstance } from "./state";

/** A record of the old zone and what became of it. */
export type RecordOutcome =
  | { readonly kind: "carried"; readonly address: string; readonly record: DnsRecordConfig }
  | { readonly kind: "skipped"; readonly address: string; readonly reason: string };

/** `www.example.org.` → `www`, `example.org` → `@`; undefined when the name lies outside the domain. */
export function relativeName(fqdn: string, domain: string): string | undefined {
  const name = fqdn.toLowerCase().replace(/\.$/, "");
  if (name === domain) return "@";
  return name.endsWith(`.${domain}`) ? name.slice(0, -domain.length - 1) : undefined;
}

interface RecordAttributes {
  readonly name?: string;
  readonly type?: string;
  readonly ttl?: number | null;
  readonly records?: readonly string[] | null;
  readonly alias?: readonly { name: string; zone_id: string; evaluate_target_health: boolean }[] | null;
  readonly set_identifier?: string | null;
}

/**
 * The configuration entry (`applications.prod.dnsRecords`) of a record set in the state, relative to `domain`; or
 * why it cannot be carried. `email`: the stack writes the apex SPF itself, so an apex TXT keeps its other values only.
 */
export function carryRecord(instance: StateInstance, domain: string, email: boolean): RecordOutcome {
  const attributes = instance.attributes as RecordAttributes;
  const skipped = (reason: string): RecordOutcome => ({ kind: "skipped", address: instance.address, reason });
  const name = relativeName(attributes.name ?? "", domain);
  if (name === undefined) return skipped(`${attributes.name} is not under ${domain}`);
  if (attributes.set_identifier) return skipped(`a record with a routing policy (set identifier ${attributes.set_identifier}), which dnsRecords cannot express: write it by hand`);
  const type = attributes.type ?? "";
  const alias = attributes.alias?.[0];
  if (alias) {
    return {
      kind: "carried",
      address: instance.address,
      record: { name, type: type as DnsRecordConfig["type"], alias: { name: alias.name.replace(/\.$/, ""), zoneId: alias.zone_id, evaluateTargetHealth: alias.evaluate_target_health } },
    };
  }
  let values = [...(attributes.records ?? [])].sort();
  if (email && name === "@" && type === "TXT") values = values.filter((value) => !value.startsWith("v=spf1"));
  if (values.length === 0) return skipped(`its only value is the SPF the stack writes itself (${SES_SPF})`);
  return { kind: "carried", address: instance.address, record: { name, type: type as DnsRecordConfig["type"], ttl: attributes.ttl ?? 300, values } };
}

/**
 * `configured` with the carried records added: a name and type already configured keeps its entry, two carried
 * record sets of one name and type (one record validating both a name and its wildcard) become one holding both's
 * values.
 */
export function mergeRecords(configured: readonly DnsRecordConfig[], carried: readonly DnsRecordConfig[]): DnsRecordConfig[] {
  const key = (record: DnsRecordConfig) => `${record.name} ${record.type}`;
  const result = [...configured];
  for (const record of carried) {
    const index = result.findIndex((existing) => key(existing) === key(record));
    if (index === -1) result.push(record);
    else if (index >= configured.length && record.values && result[index].values) {
      result[index] = { ...result[index], values: [...new Set([...result[index].values!, ...record.values])].sort() };
    }
  }
  return result;
}
