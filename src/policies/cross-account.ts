import type { ApplicationEnvironment } from "../config";
import { names } from "../naming/names";
import type { ConditionBlock, PolicyStatement } from "./document";

/** An application account (prod or dev), whose deploy role reaches into the shared account. */
export interface ApplicationAccount {
  readonly environment: ApplicationEnvironment;
  readonly accountId: string;
}

/** ARN of an application account's `github-actions-{env}` role. */
export function deployRoleArn(account: ApplicationAccount): string {
  return names.roleArn(account.accountId, names.githubActionsRole(account.environment));
}

/** ARN of an application account's read-only `github-actions-{env}-plan` role. */
export function planRoleArn(account: ApplicationAccount): string {
  return names.roleArn(account.accountId, names.githubActionsPlanRole(account.environment));
}

/**
 * A resource-policy grant to roles (usually of other accounts), written as their accounts narrowed by
 * `aws:PrincipalArn`: naming the roles themselves as principals would fail while a role does not exist yet (IAM
 * and S3 check principals when a policy is written) and stop matching once a role is recreated. `Condition` adds
 * to that narrowing.
 */
export function rolesStatement(
  Sid: string,
  roleArns: readonly string[],
  Action: string | string[],
  Resource?: string,
  Condition: ConditionBlock = {},
): PolicyStatement {
  const accounts = [...new Set(roleArns.map((arn) => arn.split(":")[4]))];
  return {
    Sid,
    Effect: "Allow",
    Principal: { AWS: accounts.map(names.accountRoot) },
    Action,
    ...(Resource === undefined ? {} : { Resource }),
    Condition: { ...Condition, ArnEquals: { "aws:PrincipalArn": [...roleArns] } },
  };
}

/**
 * A resource-policy grant to people's principals (the configured administrators), named directly: they exist
 * before any policy names them, and a list a template parameter can fill stays one list.
 */
export function principalsStatement(Sid: string, principalArns: readonly string[], Action: string | string[], Resource?: string): PolicyStatement {
  return { Sid, Effect: "Allow", Principal: { AWS: [...principalArns] }, Action, ...(Resource === undefined ? {} : { Resource }) };
}
