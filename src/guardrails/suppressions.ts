/** A reviewed exception to a guardrail: one rule, one resource, and why. */
export interface Suppression {
  readonly rule: string;
  /** Terraform address, e.g. `aws_iam_policy.boundary_policy`. */
  readonly address: string;
  /** Stacks it applies to; all when omitted. */
  readonly stacks?: readonly string[];
  readonly reason: string;
}

/** Every exception, reviewed like code. Each is listed at synth and by `npm run audit`. */
export const SUPPRESSIONS: readonly Suppression[] = [
  {
    rule: "IAM_NO_WILDCARD_RESOURCE_MUTATION",
    address: "aws_iam_policy.boundary_policy",
    reason: "A permissions boundary is a ceiling that grants nothing; each role's own policy scopes the resources.",
  },
  {
    rule: "IAM_ROLE_BOUNDARY",
    address: "aws_iam_role.peering_accepter_role",
    stacks: ["bootstrap"],
    reason: "An administrator creates it with the accounts, before any boundary exists; only the prod and dev deploy roles may assume it, to accept their peering.",
  },
  {
    rule: "IAM_ROLE_BOUNDARY",
    address: "aws_iam_role.peering_reader_role",
    stacks: ["bootstrap"],
    reason: "An administrator creates it with the accounts, before any boundary exists; only the prod and dev plan roles may assume it, and it can only describe the peering side.",
  },
];
