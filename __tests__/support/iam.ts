import { loadPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { PolicyDocument } from "../../src/policies";
import type { StackJson } from "./synth";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** A GitHub role's policies exactly as synthesized (the deploy role unless told), parsed back out of the stack JSON. */
export function synthesizedRolePolicies(stack: StackJson, name: "github_oidc_role" | "github_oidc_plan_role" = "github_oidc_role") {
  const role = stack.resource.aws_iam_role[name];
  const policies = Object.values(stack.resource.aws_iam_role_policy).filter((p) => p.role === `\${aws_iam_role.${name}.name}`);
  return {
    roleName: role.name as string,
    trust: JSON.parse(role.assume_role_policy) as PolicyDocument,
    identity: Object.values(policies).map((p) => ({ name: p.name as string, policy: JSON.parse(p.policy) as PolicyDocument })),
  };
}

/**
 * What the role's own (identity) policies decide for one request, with AWS's action and resource-type
 * data checked by runSimulation: an unknown action or an ARN of the wrong type fails the test instead of
 * reading as a denial. Cross-account grants also need the target's resource policy; that is not judged here.
 */
export async function decideIdentity(
  identityPolicies: { name: string; policy: PolicyDocument }[],
  request: { principal: string; action: string; resource: string; context?: Record<string, string | string[]>; boundary?: PolicyDocument },
): Promise<Decision> {
  const account = /^arn:aws:[^:]*:[^:]*:(\d{12}):/.exec(request.resource)?.[1] ?? /:(\d{12}):/.exec(request.principal)![1];
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
  if (result.resultType === "error") throw new Error(`simulation of ${request.action} on ${request.resource} failed: ${JSON.stringify(result.errors)}`);
  if (result.resultType !== "single") throw new Error(`expected one result for ${request.action} on ${request.resource}`);
  if (result.result.ignoredContextKeys?.length) throw new Error(`context keys ignored: ${result.result.ignoredContextKeys.join(", ")}`);
  const analysis = result.result.analysis;
  // With a boundary, the boundary's decision narrows the identity policies' (an explicit deny in either wins).
  const decisions = [analysis.identityAnalysis!.result, ...(request.boundary ? [analysis.permissionBoundaryAnalysis!.result] : [])] as Decision[];
  return decisions.find((d) => d === "ExplicitlyDenied") ?? decisions.find((d) => d === "ImplicitlyDenied") ?? "Allowed";
}

/**
 * Whether a web identity may assume a role under its trust policy. runSimulation drops context keys
 * it does not list for an action, and it lists no `token.actions.githubusercontent.com:*` keys, so
 * the `aud` and `sub` conditions would read as missing (and its runUnsafeSimulation cannot take a
 * resource policy). So this calls the package's core `authorize` engine directly, by file path, in
 * the pinned version of @cloud-copilot/iam-simulate: the same engine, given the request context untouched.
 */
export function decideTrust(
  trust: PolicyDocument,
  request: { provider: string; role: string; context: Record<string, string> },
): Decision {
  const account = /::(\d{12}):/.exec(request.role)![1];
  const analysis = core.engine.authorize({
    request: new core.request.AwsRequestImpl(
      request.provider,
      { resource: request.role, accountId: account },
      "sts:AssumeRoleWithWebIdentity",
      new core.context.RequestContextImpl(request.context),
    ),
    sessionPolicy: undefined,
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadPolicy(trust, { name: "trust" }),
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new core.discovery.DiscoveryContextKeyConstraints([]) },
  });
  return analysis.result as Decision;
}

/**
 * What a resource policy (a role's trust, a bucket policy) decides for a principal whose own account allows it
 * everything (an administrator): only the resource side is judged. Uses the core engine, as decideTrust does.
 */
export function decideResourcePolicy(
  resourcePolicy: PolicyDocument,
  request: { principal: string; action: string; resource: string; resourceAccount: string; context?: Record<string, string> },
): Decision {
  const everything = loadPolicy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }, { name: "administrator" });
  const analysis = core.engine.authorize({
    request: new core.request.AwsRequestImpl(
      request.principal,
      { resource: request.resource, accountId: request.resourceAccount },
      request.action,
      new core.context.RequestContextImpl({ "aws:PrincipalArn": request.principal, "aws:PrincipalAccount": request.principal.split(":")[4], ...request.context }),
    ),
    sessionPolicy: undefined,
    identityPolicies: [everything],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadPolicy(resourcePolicy, { name: "resource" }),
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new core.discovery.DiscoveryContextKeyConstraints([]) },
  });
  return analysis.result as Decision;
}

/** The core engine's modules; the package exports only its top-level API, so they are loaded by path. */
const core = (() => {
  const load = createRequire(path.join(process.cwd(), "package.json"));
  const root = path.dirname(load.resolve("@cloud-copilot/iam-simulate"));
  const module = (file: string) => load(path.join(root, file));
  return {
    engine: module("core_engine/CoreSimulatorEngine.js"),
    request: module("request/request.js"),
    context: module("requestContext.js"),
    discovery: module("context_keys/discoveryContextKeyConstraints.js"),
  };
})();
