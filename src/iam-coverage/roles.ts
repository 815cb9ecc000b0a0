import { APPLICATION_ENVIRONMENTS, type PlatformConfig } from "../config";
import { names } from "../naming/names";
import type { PolicyDocument } from "../policies";
import { peeringAccepterPolicy, peeringReaderPolicy } from "../policies/peering-accepter";

/** The parts of a synthesized stack (Terraform JSON) the roles are read from. */
export interface SynthesizedStackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
}

/** The Terraform names of a stack's GitHub roles: the deploy role and the read-only plan role. */
export const GITHUB_ROLE_RESOURCES = { deploy: "github_oidc_role", plan: "github_oidc_plan_role" } as const;
export type GitHubRoleKind = keyof typeof GITHUB_ROLE_RESOURCES;

/** A role's permissions as the simulation takes them. */
export interface RolePolicies {
  readonly roleName: string;
  /** The role's ARN, the principal of its requests. */
  readonly arn: string;
  readonly identity: { name: string; policy: PolicyDocument }[];
  /** The permissions boundary the role carries, if any. */
  readonly boundary?: PolicyDocument;
}

/**
 * A GitHub role's name, trust and inline policies exactly as synthesized, parsed back out of the stack JSON (the
 * deploy role unless told).
 */
export function synthesizedRolePolicies(stack: SynthesizedStackJson, name: string = GITHUB_ROLE_RESOURCES.deploy) {
  const role = stack.resource?.aws_iam_role?.[name];
  if (!role) throw new Error(`the stack declares no aws_iam_role.${name}`);
  const policies = Object.values(stack.resource?.aws_iam_role_policy ?? {}).filter((p) => p.role === `\${aws_iam_role.${name}.name}`);
  return {
    roleName: role.name as string,
    trust: JSON.parse(role.assume_role_policy as string) as PolicyDocument,
    identity: policies.map((p) => ({ name: p.name as string, policy: JSON.parse(p.policy as string) as PolicyDocument })),
    /** The `permissions_boundary` the role declares (an ARN or a reference), if any. */
    permissionsBoundary: role.permissions_boundary as string | undefined,
  };
}

/** The account's permissions boundary policy as the stack declares it (`aws_iam_policy.boundary_policy`). */
export function synthesizedBoundary(stack: SynthesizedStackJson): PolicyDocument | undefined {
  const [type, name] = names.permissionsBoundaryAddress.split(".");
  const policy = stack.resource?.[type]?.[name]?.policy;
  return typeof policy === "string" ? (JSON.parse(policy) as PolicyDocument) : undefined;
}

/**
 * The role of a stack that the coverage judges (`kind`), with its boundary when it carries one (the reference
 * `${aws_iam_policy.boundary_policy.arn}` or the boundary's ARN).
 */
export function stackRole(stack: SynthesizedStackJson, kind: GitHubRoleKind, accountId: string): RolePolicies {
  const role = synthesizedRolePolicies(stack, GITHUB_ROLE_RESOURCES[kind]);
  let boundary: PolicyDocument | undefined;
  if (role.permissionsBoundary !== undefined) {
    const [type, name] = names.permissionsBoundaryAddress.split(".");
    boundary = role.permissionsBoundary === `\${${type}.${name}.arn}` ? synthesizedBoundary(stack) : undefined;
    if (!boundary) throw new Error(`${role.roleName} carries the boundary ${role.permissionsBoundary}, whose policy the stack does not declare`);
  }
  return { roleName: role.roleName, arn: names.roleArn(accountId, role.roleName), identity: role.identity, ...(boundary ? { boundary } : {}) };
}

/**
 * Roles outside the stack that its Terraform assumes, by ARN: for prod and dev, the shared account's
 * `vpc-peering-accepter` (deploys) and `vpc-peering-reader` (plans), which the bootstrap creates from the same
 * policy builders.
 */
export function assumedRoles(config: PlatformConfig): Map<string, RolePolicies> {
  const shared = config.accounts.shared.accountId;
  const requesters = APPLICATION_ENVIRONMENTS.map((environment) => ({ environment, accountId: config.accounts[environment].accountId }));
  const input = { sharedAccountId: shared, region: config.region, requesters };
  const role = (name: string, policyName: string, policy: PolicyDocument): [string, RolePolicies] => {
    const arn = names.roleArn(shared, name);
    return [arn, { roleName: name, arn, identity: [{ name: policyName, policy }] }];
  };
  return new Map([
    role(names.peeringAccepterRole, names.peeringAccepterPolicy, peeringAccepterPolicy(input)),
    role(names.peeringReaderRole, names.peeringReaderPolicy, peeringReaderPolicy(input)),
  ]);
}

/**
 * The ARNs of what only an administrator changes ([guardrails](docs/guardrails.md)): the permissions boundary, and
 * the deploy and plan roles themselves (their inline policies are changed through the role). The deploy role is
 * denied these changes by design.
 */
export function administratorArns(stack: SynthesizedStackJson, accountId: string, prefix: string): string[] {
  const roles = Object.values(GITHUB_ROLE_RESOURCES).flatMap((name) => {
    const role = stack.resource?.aws_iam_role?.[name];
    return role ? [names.roleArn(accountId, role.name as string)] : [];
  });
  return [...roles, names.permissionsBoundaryArn(prefix, accountId)];
}

/** The boundary each role the stack declares carries (role name → boundary ARN), for `iam:PermissionsBoundary`. */
export function declaredRoleBoundaries(stack: SynthesizedStackJson, accountId: string, prefix: string): Map<string, string> {
  const boundaries = new Map<string, string>();
  for (const role of Object.values(stack.resource?.aws_iam_role ?? {})) {
    const declared = role.permissions_boundary;
    if (typeof role.name !== "string" || typeof declared !== "string") continue;
    const [type, name] = names.permissionsBoundaryAddress.split(".");
    boundaries.set(role.name, declared === `\${${type}.${name}.arn}` ? names.permissionsBoundaryArn(prefix, accountId) : declared);
  }
  return boundaries;
}
