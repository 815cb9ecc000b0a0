import * as path from "node:path";
import { type IamRequest, mapCall, type MappingContext, TOLERATED_DENIALS } from "./actions";
import { type AwsCall, callOf, emptyFacts, learnFromRequest, learnFromResponse, type LogFacts, paramValues } from "./calls";
import { readLoggedEntries } from "./log";
import type { RolePolicies } from "./roles";
import { decide, type Decision, SimulationError } from "./simulate";

/** What the calls of the logs are judged against. */
export interface CoverageSubject {
  /** The stack's role under test (its deploy or plan role): every call not made with another role's credentials is its. */
  readonly role: RolePolicies;
  /** Roles the stack's Terraform assumes (shared's peering roles), by ARN: calls made with their credentials are theirs. */
  readonly assumedRoles: ReadonlyMap<string, RolePolicies>;
  /** ARNs only an administrator changes: a call on them that the role may not make is by design, not a gap. */
  readonly administratorArns: readonly string[];
  /**
   * Operations (`<SDK service ID>.<Operation>`) that delete what the stack protects with `prevent_destroy`: Terraform
   * never makes them outside local mode (which lifts it), so the role need not be able to.
   */
  readonly protectedDeletions: ReadonlySet<string>;
  /** Role name → the permissions boundary the stack declares for it. */
  readonly declaredBoundaries: ReadonlyMap<string, string>;
  /** Instance profile name → its role, as the stack declares it. */
  readonly declaredProfileRoles: ReadonlyMap<string, string>;
}

/** A request the role may not make, or a call whose request cannot be told. */
export interface Finding {
  readonly kind: "denied" | "underivable" | "administrator" | "tolerated" | "setup";
  readonly line: string;
}

export interface CoverageReport {
  /** Distinct requests judged (role, action, resource), and operations that could not be mapped. */
  readonly actions: number;
  /** The denied requests and the underivable operations, one line each. */
  readonly denied: Finding[];
  /** Denied requests on what only an administrator changes, and those Terraform tolerates: listed, not counted. */
  readonly notCounted: Finding[];
  /** Calls read from the logs. */
  readonly calls: number;
}

/** A request judged, with the first call that needed it. */
interface Judged {
  decision: Decision | "error";
  why?: string;
  readonly first: string;
  count: number;
  readonly role: string;
  readonly request: IamRequest;
  readonly call: AwsCall;
  /** Why Terraform tolerates its denial, if it does. */
  readonly tolerated?: string;
}

/**
 * Reads every AWS call of Terraform debug logs and judges each against the role that made it: the IAM requests the
 * call needs are simulated against the role's policies (and its boundary). Files are read one after the other,
 * each as a stream.
 */
export async function checkCoverage(files: readonly string[], subject: CoverageSubject): Promise<CoverageReport> {
  const facts = emptyFacts();
  const decisions = new Map<string, Judged>();
  const underivable = new Map<string, { first: string; count: number; role: string; call: AwsCall; why: string }>();
  const setup = new Map<string, { first: string; count: number }>();
  // First what the logs tell of the resources and credentials their calls name (IDs are never reused, so an
  // answer logged after a call still tells about it), then each call judged.
  for (const file of files) {
    for await (const entry of readLoggedEntries(file)) {
      if (entry.kind === "response") learnFromResponse(entry, facts);
      else learnFromRequest(callOf(entry), facts);
    }
  }
  let calls = 0;
  for (const file of files) {
    const shown = path.basename(file);
    for await (const entry of readLoggedEntries(file)) {
      if (entry.kind === "response") continue;
      calls++;
      const call = { ...callOf(entry), source: `${shown}:${entry.line}` };
      const caller = callerOf(call, facts, subject);
      if (!caller) {
        // How the caller got the role's credentials (see callerOf): listed, not judged.
        const target = paramValues(call, "RoleArn")[0] ?? "?";
        const seen = setup.get(target);
        if (seen) seen.count++;
        else setup.set(target, { first: call.source, count: 1 });
        continue;
      }
      const { role, sourceIdentity } = caller;
      const account = role.arn.split(":")[4];
      const context: MappingContext = { account, facts, declaredBoundaries: subject.declaredBoundaries, declaredProfileRoles: subject.declaredProfileRoles };
      const mapping = await mapCall(call, context);
      if (mapping.kind === "none") continue;
      if (mapping.kind === "underivable") {
        const key = `${role.arn}|${call.service}|${call.operation}|${mapping.why}`;
        const seen = underivable.get(key);
        if (seen) seen.count++;
        else underivable.set(key, { first: call.source, count: 1, role: role.roleName, call, why: mapping.why });
        continue;
      }
      for (const request of mapping.requests) {
        const tolerated = TOLERATED_DENIALS.find(({ matches }) => matches(call))?.why;
        const key = `${role.arn}|${sourceIdentity ?? ""}|${request.action}|${request.resource}|${JSON.stringify(request.context)}|${tolerated ?? ""}`;
        const seen = decisions.get(key);
        if (seen) {
          seen.count++;
          continue;
        }
        const record: Judged = { decision: "error", first: call.source, count: 1, role: role.roleName, request, call, ...(tolerated ? { tolerated } : {}) };
        decisions.set(key, record);
        try {
          record.decision = await decide(role.identity, {
            principal: role.arn,
            action: request.action,
            resource: request.resource,
            context: {
              ...request.context,
              "aws:PrincipalArn": role.arn,
              "aws:PrincipalAccount": account,
              ...(sourceIdentity ? { "aws:SourceIdentity": sourceIdentity } : {}),
            },
            boundary: role.boundary,
            resourceAccount: /^arn:aws:[^:]*:[^:]*:(\d{12}):/.exec(request.resource)?.[1] ?? account,
          });
        } catch (error) {
          if (!(error instanceof SimulationError)) throw error;
          record.why = error.message;
        }
      }
    }
  }

  const denied: Finding[] = [];
  const notCounted: Finding[] = [];
  const times = (count: number) => (count > 1 ? `, ${count} calls` : "");
  for (const { decision, why, first, count, role, request, call, tolerated } of decisions.values()) {
    if (decision === "Allowed") continue;
    const what = `${request.action} on ${request.resource} as ${role} (${call.service} ${call.operation}, ${first}${times(count)})`;
    if (decision === "error") {
      denied.push({ kind: "underivable", line: `underivable: ${what}: ${why}` });
    } else if (subject.administratorArns.includes(request.resource)) {
      notCounted.push({ kind: "administrator", line: `administrator: ${what}: ${decision}, by design (an administrator applies it)` });
    } else if (subject.protectedDeletions.has(`${call.service}.${call.operation}`)) {
      notCounted.push({ kind: "administrator", line: `administrator: ${what}: ${decision}, by design (the stack keeps it with prevent_destroy, which only local mode lifts)` });
    } else if (tolerated) {
      notCounted.push({ kind: "tolerated", line: `tolerated: ${what}: ${decision}, which Terraform tolerates: ${tolerated}` });
    } else {
      denied.push({ kind: "denied", line: `denied: ${what}: ${decision}` });
    }
  }
  for (const [target, { first, count }] of setup) {
    notCounted.push({ kind: "setup", line: `setup: sts:AssumeRole on ${target} (${first}${times(count)}): how the caller got the role's credentials, not judged` });
  }
  for (const { first, count, role, call, why } of underivable.values()) {
    denied.push({ kind: "underivable", line: `underivable: ${call.service} ${call.operation} as ${role} (${first}${times(count)}): ${why}` });
  }
  return { actions: decisions.size + underivable.size, denied, notCounted, calls };
}

/**
 * The role whose credentials signed the call, or undefined for the calls that got the caller those credentials.
 * Credentials an AssumeRole answer in the logs issued belong to the role assumed: one of `assumedRoles`, or else
 * the role under test (local mode stands a role of its own in for it). Credentials the logs never issued are the
 * caller's own: the role under test's, except when they assume a role that is not one of `assumedRoles` (how
 * local mode, or a CI step, gets the role under test before Terraform runs).
 */
function callerOf(call: AwsCall, facts: LogFacts, subject: CoverageSubject): { role: RolePolicies; sourceIdentity?: string } | undefined {
  const session = call.accessKey ? facts.issuedKeys.get(call.accessKey) : undefined;
  if (session) {
    const assumed = subject.assumedRoles.get(session.role);
    return assumed ? { role: assumed, ...(session.sourceIdentity ? { sourceIdentity: session.sourceIdentity } : {}) } : { role: subject.role };
  }
  if (call.service === "STS" && call.operation === "AssumeRole") {
    const target = paramValues(call, "RoleArn")[0];
    if (!target || !subject.assumedRoles.has(target)) return undefined;
  }
  return { role: subject.role };
}

/**
 * The report as the command prints it: a line per denied request and underivable call, then the denials not
 * counted, then `actions=<n> denied=<m>`.
 */
export function formatReport(report: CoverageReport): string {
  const lines = [...report.denied.map((f) => f.line), ...report.notCounted.map((f) => f.line)];
  return `${[...lines, `actions=${report.actions} denied=${report.denied.length}`].join("\n")}\n`;
}
