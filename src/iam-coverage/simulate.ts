import { loadPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { PolicyDocument } from "../policies";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** One request to judge: who asks, for what, on which resource, with which request context. */
export interface SimulatedRequest {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  /** The permissions boundary the principal carries, if any. */
  readonly boundary?: PolicyDocument;
  /** The account owning the resource; by default the one in its ARN, else the principal's. */
  readonly resourceAccount?: string;
}

/** The simulation could not judge the request: an unknown action, or an ARN that is no resource of the action. */
export class SimulationError extends Error {}

/**
 * What the principal's own (identity) policies, narrowed by its permissions boundary, decide for one request, with
 * AWS's action and resource-type data checked by @cloud-copilot/iam-simulate (Strict mode: a condition on a key the
 * context lacks does not hold). Cross-account grants also need the target's resource policy; that is not judged
 * here. With `strict`, a context key that does not apply to the action, and a resource ARN with a wildcard (for an
 * action that takes resources), fail instead of being dropped and matched as written.
 */
export async function decide(identityPolicies: { name: string; policy: PolicyDocument }[], request: SimulatedRequest, strict = false): Promise<Decision> {
  const account = request.resourceAccount ?? /^arn:aws:[^:]*:[^:]*:(\d{12}):/.exec(request.resource)?.[1] ?? /:(\d{12}):/.exec(request.principal)![1];
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: account },
        contextVariables: request.context ?? {},
      },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      permissionBoundaryPolicies: request.boundary ? [{ name: "boundary", policy: request.boundary }] : undefined,
    },
    {},
  );
  if (result.resultType === "error") {
    // AWS's own resources, such as its public SSM parameters (`arn:aws:ssm:us-east-1::parameter/aws/…`), have no
    // account, which AWS's resource-type data does not allow for: those are judged by the core engine unchecked.
    if (!strict && result.errors.message === "no.resource.types" && /^arn:aws:[^:]+:[^:]*::/.test(request.resource)) return decideUnchecked(identityPolicies, request, account);
    throw new SimulationError(`simulation of ${request.action} on ${request.resource} failed: ${JSON.stringify(result.errors)}`);
  }
  if (result.resultType === "wildcard" && strict) throw new SimulationError(`expected one result for ${request.action} on ${request.resource}`);
  if (result.resultType === "wildcard") {
    // A resource ARN with `*` (a resource being created, all resources of a type) is matched as written, as AWS
    // does: the simulator judges the pattern itself first, and reports its narrower patterns only when that allowed.
    const exact = result.results.filter((r) => r.resourcePattern === request.resource);
    if (result.results.length === 0) return "ImplicitlyDenied";
    const denied = exact.map((r) => decisionOf(r.analysis, request.boundary)).find((d) => d !== "Allowed");
    return denied ?? "Allowed";
  }
  if (strict && result.result.ignoredContextKeys?.length) throw new SimulationError(`context keys ignored: ${result.result.ignoredContextKeys.join(", ")}`);
  return decisionOf(result.result.analysis, request.boundary);
}

/** The identity policies' decision, narrowed by the boundary's (an explicit deny in either wins). */
function decisionOf(analysis: { identityAnalysis?: { result: string }; permissionBoundaryAnalysis?: { result: string } }, boundary: PolicyDocument | undefined): Decision {
  const decisions = [analysis.identityAnalysis!.result, ...(boundary ? [analysis.permissionBoundaryAnalysis!.result] : [])] as Decision[];
  return decisions.find((d) => d === "ExplicitlyDenied") ?? decisions.find((d) => d === "ImplicitlyDenied") ?? "Allowed";
}

/** The simulator's core engine on the request as given: no check of the action's resource types or context keys. */
function decideUnchecked(identityPolicies: { name: string; policy: PolicyDocument }[], request: SimulatedRequest, account: string): Decision {
  const analysis = core.engine.authorize({
    request: new core.request.AwsRequestImpl(
      request.principal,
      { resource: request.resource, accountId: account },
      request.action,
      new core.context.RequestContextImpl(request.context ?? {}),
    ),
    sessionPolicy: undefined,
    identityPolicies: identityPolicies.map(({ name, policy }) => loadPolicy(policy, { name })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: undefined,
    permissionBoundaries: request.boundary ? [loadPolicy(request.boundary, { name: "boundary" })] : undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new core.discovery.DiscoveryContextKeyConstraints([]) },
  });
  return decisionOf(analysis, request.boundary);
}

/**
 * The simulator's core engine modules, which the package does not export: loaded by path in the pinned version of
 * @cloud-copilot/iam-simulate.
 */
export const core = (() => {
  const load = createRequire(__filename);
  const root = path.dirname(load.resolve("@cloud-copilot/iam-simulate"));
  const module = (file: string) => load(path.join(root, file));
  return {
    engine: module("core_engine/CoreSimulatorEngine.js"),
    request: module("request/request.js"),
    context: module("requestContext.js"),
    discovery: module("context_keys/discoveryContextKeyConstraints.js"),
  };
})();
