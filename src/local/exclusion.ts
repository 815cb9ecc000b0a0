import { type EmulatorContext, UNSUPPORTED_TYPES } from "./unsupported";

type Json = Record<string, unknown>;
type Blocks = Record<string, Record<string, Json>>;

/** Arguments that configure Terraform's handling of a resource rather than the resource itself. */
const META_ARGUMENTS = ["count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection", "timeouts", "//"];

/** The resource types of a synthesized stack that local mode leaves out, sorted. */
function unsupportedTypesIn(stack: object): string[] {
  return Object.keys(((stack as Json).resource ?? {}) as Blocks)
    .filter((type) => type in UNSUPPORTED_TYPES)
    .sort();
}

/**
 * Leaves out the resources of the unsupported types, and keeps the stack valid without them: dependencies on
 * them and imports into them are dropped, and whatever reads them reads a stand-in instead, a local value
 * holding the resource's own arguments and the attributes UNSUPPORTED_TYPES computes for it. Changes `json`;
 * returns the addresses left out.
 */
export function excludeUnsupportedTypes(json: Json, context: EmulatorContext): string[] {
  const resources = (json.resource ?? {}) as Blocks;
  const excluded = unsupportedTypesIn(json).flatMap((type) => {
    const byName = resources[type];
    delete resources[type];
    return Object.entries(byName).map(([name, body]) => ({ type, name, body, address: `${type}.${name}` }));
  });
  if (excluded.length === 0) return [];
  const addresses = new Set(excluded.map((resource) => resource.address));

  // Ordering on a left-out resource is void; importing into one is impossible.
  for (const block of everyBlock(json)) {
    if (Array.isArray(block.depends_on)) block.depends_on = block.depends_on.filter((entry) => !addresses.has(String(entry)));
  }
  for (const key of ["import", "moved"]) {
    if (!Array.isArray(json[key])) continue;
    json[key] = (json[key] as Json[]).filter((block) => ![block.to, block.from].some((address) => addresses.has(String(address))));
  }

  // A stand-in for each left-out resource the rest of the stack reads, or another stand-in does.
  const reads = (value: unknown, address: string) => referenceTo(address).test(JSON.stringify(withoutMetadata(value)));
  const argumentsOf = (body: Json) => Object.fromEntries(Object.entries(body).filter(([key]) => !META_ARGUMENTS.includes(key)));
  const needed = new Set<string>();
  const queue = excluded.filter(({ address }) => reads(json, address));
  for (let next = queue.shift(); next; next = queue.shift()) {
    if (needed.has(next.address)) continue;
    needed.add(next.address);
    queue.push(...excluded.filter(({ address }) => reads(argumentsOf(next!.body), address)));
  }
  const locals = (json.locals ?? {}) as Json;
  const standIn = (type: string, name: string) => `excluded_${type}_${name}`;
  for (const { type, name, body, address } of excluded.filter((resource) => needed.has(resource.address))) {
    if (body.count !== undefined || body.for_each !== undefined) {
      throw new Error(`local mode: ${address} is left out but read elsewhere in the stack, and a stand-in for a resource with count or for_each is not supported`);
    }
    const args = argumentsOf(body);
    locals[standIn(type, name)] = { ...args, ...UNSUPPORTED_TYPES[type].computed(args, context) };
  }
  if (Object.keys(locals).length > 0) json.locals = locals;

  // Every read of a left-out resource reads its stand-in instead.
  const rewrites = excluded.map(({ type, name, address }) => ({
    pattern: referenceTo(address, "g"),
    replacement: `local.${standIn(type, name)}`,
  }));
  rewriteStrings(json, (value) => rewrites.reduce((text, { pattern, replacement }) => text.replace(pattern, replacement), value));
  return excluded.map(({ address }) => address);
}

/** Every resource, data source, output and module block of a stack. */
function everyBlock(json: Json): Json[] {
  const nested = (key: string) => Object.values((json[key] ?? {}) as Blocks).flatMap((byName) => Object.values(byName));
  const flat = (key: string) => Object.values((json[key] ?? {}) as Record<string, Json>);
  return [...nested("resource"), ...nested("data"), ...flat("output"), ...flat("module")];
}

/** Applies `change` to every string of the stack outside cdktf's `//` metadata. */
function rewriteStrings(value: unknown, change: (text: string) => string): unknown {
  if (typeof value === "string") return change(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => (value[i] = rewriteStrings(item, change)));
  } else if (value !== null && typeof value === "object") {
    const object = value as Json;
    for (const key of Object.keys(object)) if (key !== "//") object[key] = rewriteStrings(object[key], change);
  }
  return value;
}

function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "//").map(([key, item]) => [key, withoutMetadata(item)]));
}

/** `aws_x.y` where an expression reads it (not `data.aws_x.y`, not `aws_x.yz`). */
function referenceTo(address: string, flags = ""): RegExp {
  return new RegExp(`(?<![\\w.])${address.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w])`, flags);
}
