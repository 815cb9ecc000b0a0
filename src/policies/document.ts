/** IAM policy JSON, as AWS reads it. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  /** Every statement has a Sid: reviewers, tests and the CloudFormation generator refer to it. */
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource?: string | string[];
  /** Everything but these (a Deny's exceptions). */
  NotResource?: string | string[];
  Principal?: Record<string, string | string[]>;
  Condition?: ConditionBlock;
}

export function policy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

export function allow(Sid: string, Action: string[], Resource: string | string[], Condition?: ConditionBlock): PolicyStatement {
  return { Sid, Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) };
}
