import { names } from "../naming/names";
import { allow, policy, type PolicyDocument, type PolicyStatement } from "./document";
import { ASSUME_AS_ENVIRONMENT } from "./peering-accepter";
import { type InfrastructurePolicyInput, infrastructurePolicy } from "./infrastructure";
import { stateObjectsRead, type TerraformStateInput } from "./terraform-state";

/** Verbs of the actions that only read: what `terraform plan` calls while it refreshes. */
const READ_VERB = /^(Describe|Get|List|View)/;

/**
 * Reads that return data or open a way in rather than describe infrastructure: denied to the plan role even
 * where a service's `Get*` would allow them. The state is SSE-S3 encrypted, so reading it needs no KMS key.
 */
export const PLAN_DENIED_ACTIONS = [
  "secretsmanager:GetSecretValue",
  "kms:Decrypt",
  "ssm:StartSession",
  "ssm:SendCommand",
  "ssm:ResumeSession",
  "ec2-instance-connect:SendSSHPublicKey",
  "ecr:GetAuthorizationToken",
  "ecr:GetDownloadUrlForLayer",
  "ecr:BatchGetImage",
  "lambda:GetFunction",
];

export type PlanReadPolicyInput = InfrastructurePolicyInput & Pick<TerraformStateInput, "sharedAccountId">;

/**
 * The read verbs of the services whose read actions are not Describe, Get and List (the tests check every
 * pattern against AWS's action data); API Gateway's actions are HTTP methods.
 */
const READ_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  apigateway: ["GET"],
  budgets: ["Describe*", "List*", "View*"],
  lambda: ["Get*", "List*"],
  rds: ["Describe*", "List*"],
  sns: ["Get*", "List*"],
};

/** The read actions among `actions`: a service's `*` stands for its read actions (Describe, Get and List, as a rule). */
export function readActionsOf(actions: string | readonly string[]): string[] {
  return [actions].flat().flatMap((action) => {
    const [service, name] = action.split(":");
    if (name === "*") return (READ_ACTIONS[service] ?? ["Describe*", "Get*", "List*"]).map((verb) => `${service}:${verb}`);
    return READ_VERB.test(name) ? [action] : [];
  });
}

/**
 * The plan role's permissions: the reads of the deploy role's infrastructure policy, statement by statement
 * with the same resources and conditions (so a plan refreshes everything the deploy role manages), nothing
 * that changes anything, and for prod and dev the read-only `vpc-peering-reader` role in shared instead of the
 * accepter. Data reads and sessions are denied outright: secret values, decryption, SSM sessions and commands,
 * container images, function code, and every S3 object but the state the plan reads.
 */
export function planReadPolicy(input: PlanReadPolicyInput): PolicyDocument {
  const reads: PolicyStatement[] = infrastructurePolicy(input)
    .Statement.filter((statement) => statement.Effect === "Allow")
    .flatMap((statement) => {
      const actions = readActionsOf(statement.Action);
      return actions.length === 0 ? [] : [{ ...statement, Action: actions }];
    });
  if (input.peeringAccountIds.length > 0) {
    reads.push(allow("AssumePeeringReader", ASSUME_AS_ENVIRONMENT, input.peeringAccountIds.map(names.peeringReaderRoleArn)));
  }
  return policy(
    ...reads,
    { Sid: "NoDataReadsOrSessions", Effect: "Deny", Action: PLAN_DENIED_ACTIONS, Resource: "*" },
    { Sid: "NoObjectReadsButState", Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"], NotResource: stateObjectsRead(input) },
    {
      Sid: "NoOwnParameterValues",
      Effect: "Deny",
      Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"],
      Resource: `arn:aws:ssm:*:${input.accountId}:parameter/*`,
    },
  );
}
