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

/** A grant to the plan roles of other accounts, written as `deployRolesStatement` writes its grant. */
export function planRolesStatement(Sid: string, accounts: readonly ApplicationAccount[], Action: string | string[], Resource?: string): PolicyStatement {
  return rolesStatement(Sid, accounts.map(planRoleArn), Action, Resource);
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
  return rolesStatement(Sid, accounts.map(deployRoleArn), Action, Resource);
}

/**
 * A resource-policy grant to roles (usually of other accounts), written as their accounts narrowed by
 * `aws:PrincipalArn`, for the reasons above. `Condition` adds to that narrowing.
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
