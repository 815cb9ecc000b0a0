import type { Environment, PlatformConfig } from "../config";
import type { CoverageSubject } from "./coverage";
import { administratorArns, assumedRoles, declaredRoleBoundaries, type GitHubRoleKind, stackRole, type SynthesizedStackJson } from "./roles";

/** The operation that deletes a resource of each type the stacks may protect with `prevent_destroy`. */
export const DELETE_OPERATIONS: Readonly<Record<string, string>> = {
  aws_route53_zone: "Route 53.DeleteHostedZone",
  aws_db_instance: "RDS.DeleteDBInstance",
  aws_s3_bucket: "S3.DeleteBucket",
  aws_kms_key: "KMS.ScheduleKeyDeletion",
  aws_dynamodb_table: "DynamoDB.DeleteTable",
};

/**
 * What a stack's calls are judged against: its deploy or plan role as synthesized, the shared account's peering
 * roles its Terraform assumes (the accepter for deploys, the reader for plans), and what the stack tells of its
 * own roles and instance profiles.
 */
export function coverageSubject(config: PlatformConfig, stack: Environment, json: SynthesizedStackJson, kind: GitHubRoleKind): CoverageSubject {
  const account = config.accounts[stack].accountId;
  const roleNames = new Map(Object.entries(json.resource?.aws_iam_role ?? {}).map(([address, role]) => [address, role.name as string]));
  const profileRoles = new Map<string, string>();
  for (const profile of Object.values(json.resource?.aws_iam_instance_profile ?? {})) {
    const role = /^\$\{aws_iam_role\.([^.]+)\.name\}$/.exec(String(profile.role))?.[1];
    const name = role ? roleNames.get(role) : String(profile.role);
    if (typeof profile.name === "string" && name) profileRoles.set(profile.name, name);
  }
  return {
    role: stackRole(json, kind, account),
    assumedRoles: stack === "shared" ? new Map() : assumedRoles(config),
    administratorArns: administratorArns(json, account, config.prefix),
    protectedDeletions: new Set(
      Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
        Object.values(byName).some((body) => (body.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy === true) && DELETE_OPERATIONS[type] ? [DELETE_OPERATIONS[type]] : [],
      ),
    ),
    declaredBoundaries: declaredRoleBoundaries(json, account, config.prefix),
    declaredProfileRoles: profileRoles,
  };
}
