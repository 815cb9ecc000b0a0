import type { AccountStack } from "../core/account-stack";
import { excludeUnsupportedTypes } from "./exclusion";
import { ROUND_TRIP_QUIRKS } from "./quirks";
import { ALWAYS_CALLED_SERVICES, serviceOf } from "./services";
import type { EmulatorContext } from "./unsupported";

/** Where and how a stack is deployed in local mode. */
export interface EmulatorTarget extends EmulatorContext {
  /** The emulator's URL, e.g. `http://127.0.0.1:5000`. */
  readonly endpoint: string;
  /** Leave out the types of UNSUPPORTED_TYPES (`local.excludeUnsupported`). */
  readonly excludeUnsupported: boolean;
  /**
   * The AWS profile (of local mode's own AWS configuration) the providers, the state backend and the remote
   * states authenticate with, so the stack deploys into its emulated account whoever runs Terraform on it.
   */
  readonly profile: string;
}

/**
 * Puts the account stacks in local mode when their configuration names an emulator (`local.endpoint`, set by
 * `npm run local:up`): each is rendered by `emulatedStack`. Without `local.endpoint` nothing changes. The app
 * entry calls this; the stacks themselves know nothing of the emulator.
 */
export function applyLocalMode(stacks: readonly AccountStack[]): void {
  for (const stack of stacks) {
    const { local, region } = stack.config;
    if (!local?.endpoint) continue;
    const target: EmulatorTarget = {
      endpoint: local.endpoint,
      excludeUnsupported: local.excludeUnsupported,
      region,
      accountId: stack.account.accountId,
      profile: stack.environment,
    };
    stack.addRewrite((json) => emulatedStack(json, target));
  }
}

/**
 * Attempts per API call in local mode. AWS's default of 25 attempts with backoff turns an emulator that
 * answers "not implemented" into a quarter of an hour of waiting; three fail within seconds.
 */
export const EMULATOR_MAX_ATTEMPTS = 3;

/** Key of the stack's `//` metadata (which Terraform ignores) saying what local mode did to it. */
export const LOCAL_MODE_METADATA = "localMode";

/** What local mode did to a stack, recorded in the stack itself. */
export interface LocalModeMetadata {
  readonly endpoint: string;
  /** Types left out, sorted. */
  readonly excludedTypes: string[];
  /** Addresses left out. */
  readonly excludedResources: string[];
}

type Json = Record<string, unknown>;
type Blocks = Record<string, Record<string, Json>>;

/**
 * A synthesized stack (Terraform JSON) as local mode deploys it: every AWS provider, the S3 state backend and
 * the S3 remote states pointed at the emulator (path-style S3 addressing), the types the emulator cannot take
 * left out with stand-ins for what the rest of the stack reads from them, the attributes the emulator does not
 * read back ignored, and no `prevent_destroy`: `local:down` destroys everything `local:up` deployed. The input
 * is not changed.
 */
export function emulatedStack(stack: object, target: EmulatorTarget): Json {
  const json = structuredClone(stack) as Json;
  const excluded = target.excludeUnsupported ? excludeUnsupportedTypes(json, target) : [];
  ignoreRoundTripQuirks(json);
  allowDestroy(json);
  pointAtEmulator(json, target.endpoint, target.profile);
  const metadata: LocalModeMetadata = {
    endpoint: target.endpoint,
    excludedTypes: [...new Set(excluded.map((address) => address.split(".")[0]))].sort(),
    excludedResources: excluded,
  };
  json["//"] = { ...((json["//"] ?? {}) as Json), [LOCAL_MODE_METADATA]: metadata };
  return json;
}

/** Ignores the arguments moto does not read back as they were written (ROUND_TRIP_QUIRKS). */
function ignoreRoundTripQuirks(json: Json): void {
  const resources = (json.resource ?? {}) as Blocks;
  for (const [type, quirk] of Object.entries(ROUND_TRIP_QUIRKS)) {
    for (const body of Object.values(resources[type] ?? {})) {
      const lifecycle = (body.lifecycle ?? {}) as Json;
      if (lifecycle.ignore_changes === "all") continue;
      const ignored = Array.isArray(lifecycle.ignore_changes) ? (lifecycle.ignore_changes as string[]) : [];
      lifecycle.ignore_changes = [...new Set([...ignored, ...quirk.ignore])];
      body.lifecycle = lifecycle;
    }
  }
}

/** Lifts `prevent_destroy` (the hosted zone's, the database's): nothing on the emulator is worth keeping. */
function allowDestroy(json: Json): void {
  for (const byName of Object.values((json.resource ?? {}) as Blocks)) {
    for (const body of Object.values(byName)) {
      const lifecycle = body.lifecycle as Json | undefined;
      if (lifecycle?.prevent_destroy === undefined) continue;
      delete lifecycle.prevent_destroy;
      if (Object.keys(lifecycle).length === 0) delete body.lifecycle;
    }
  }
}

/** Points every AWS provider, the state backend and the S3 remote states at the emulator. */
function pointAtEmulator(json: Json, endpoint: string, profile: string): void {
  const services = new Set<string>(ALWAYS_CALLED_SERVICES);
  for (const key of ["resource", "data"]) {
    for (const type of Object.keys((json[key] ?? {}) as Blocks)) {
      if (!type.startsWith("aws_")) continue;
      const service = serviceOf(type);
      if (service) services.add(service);
    }
  }
  const endpoints = Object.fromEntries([...services].sort().map((service) => [service, endpoint]));
  const providers = (((json.provider ?? {}) as Json).aws ?? []) as Json[];
  for (const provider of providers) {
    const [existing] = (provider.endpoints ?? [{}]) as Json[];
    provider.endpoints = [{ ...existing, ...endpoints }];
    provider.s3_use_path_style = true;
    provider.max_retries = EMULATOR_MAX_ATTEMPTS;
    provider.profile = profile;
  }

  // The state backend and remote state use their own clients: S3, DynamoDB (lock table), and STS and IAM
  // for the credentials.
  const stateEndpoints = { s3: endpoint, dynamodb: endpoint, iam: endpoint, sts: endpoint };
  const backend = (((json.terraform ?? {}) as Json).backend ?? {}) as Json;
  if (!backend.s3) throw new Error("local mode: the stack has no S3 state backend to point at the emulator");
  Object.assign(backend.s3 as Json, { endpoints: stateEndpoints, use_path_style: true, profile });
  const remoteStates = (((json.data ?? {}) as Blocks).terraform_remote_state ?? {}) as Record<string, Json>;
  for (const remote of Object.values(remoteStates)) {
    if (remote.backend !== "s3") continue;
    Object.assign(remote.config as Json, { endpoints: stateEndpoints, use_path_style: true, profile });
  }
}
