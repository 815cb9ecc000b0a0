import { loadPolicy } from "@cloud-copilot/iam-policy";
import { synthesizedRolePolicies as rolePolicies } from "../../src/iam-coverage/roles";
import { core, decide, type Decision } from "../../src/iam-coverage/simulate";
import type { PolicyDocument } from "../../src/policies";
import type { StackJson } from "./synth";

export type { Decision };

/** A GitHub role's policies exactly as synthesized (the deploy role unless told), parsed back out of the stack JSON. */
export function synthesizedRolePolicies(stack: StackJson, name: "github_oidc_role" | "github_oidc_plan_role" = "github_oidc_role") {
  const { roleName, trust, identity } = rolePolicies(stack, name);
  return { roleName, trust, identity };
}

/**
 * What the role's own (identity) policies decide for one request, with AWS's action and resource-type data checked
 * by runSimulation: an unknown action, an ARN of the wrong type or a context key that does not apply fails the test
 * instead of reading as a denial. Cross-account grants also need the target's resource policy; that is not judged here.
 */
export function decideIdentity(
  identityPolicies: { name: string; policy: PolicyDocument }[],
  request: { principal: string; action: string; resource: string; context?: Record<string, string | string[]>; boundary?: PolicyDocument },
): Promise<Decision> {
  return decide(identityPolicies, request, true);
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
