import type { ApplicationEnvironment } from "../config";
import { names } from "../naming/names";
import type { PolicyStatement } from "./document";

/** An application account (prod or dev), whose deploy role reaches into the shared account. */
export interface ApplicationAccount {
  readonly environment: ApplicationEnvironment;
  readonly accountId: string;
}

/** ARN of an application account's `github-actions-{env}` role. */
export function deployRoleArn(account: ApplicationAccount): string {
  return `arn:aws:iam::${account.accountId}:role/${names.githubActionsRole(account.environment)}`;
}

/**
 * A grant to the deploy roles of other accounts: its principal is those accounts, narrowed to the roles
 * by `aws:PrincipalArn`. Naming the roles themselves as principals would fail while a role does not exist
 * yet (IAM and S3 check principals when a policy is written) and stop matching once a role is recreated.
 */
export function deployRolesStatement(
  Sid: string,
  accounts: readonly ApplicationAccount[],
  Action: string | string[],
  Resource?: string,
): PolicyStatement {
  return {
    Sid,
    Effect: "Allow",
    Principal: { AWS: accounts.map((account) => `arn:aws:iam::${account.accountId}:root`) },
    Action,
    ...(Resource === undefined ? {} : { Resource }),
    Condition: { ArnEquals: { "aws:PrincipalArn": accounts.map(deployRoleArn) } },
  };
}
