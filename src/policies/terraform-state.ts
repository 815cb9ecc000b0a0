import type { Environment } from "../config";
import { names } from "../naming/names";
import { allow, policy, type PolicyDocument, type PolicyStatement } from "./document";

export interface TerraformStateInput {
  readonly environment: Environment;
  readonly accountId: string;
  readonly region: string;
  readonly prefix: string;
  /** The shared account, whose `shared/terraform.tfstate` prod and dev read; omit for shared itself. */
  readonly sharedAccountId?: string;
}

/**
 * What Terraform needs for the environment's own state: its object and S3 lock file in the account's
 * bucket, and its lock item in the table. prod and dev may also read the shared stack's state.
 */
export function terraformStatePolicy(input: TerraformStateInput): PolicyDocument {
  const { bucket, state } = stateArns(input.prefix, input.accountId, input.environment);
  return policy(
    allow("StateBucketList", ["s3:ListBucket"], bucket),
    allow("StateObject", ["s3:GetObject", "s3:PutObject"], state),
    allow("StateLockFile", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], `${state}.tflock`),
    allow(
      "StateLockTable",
      ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
      lockTableArn(input),
    ),
    ...sharedStateRead(input),
  );
}

/**
 * What a plan without the lock (`terraform plan -lock=false`, as pull requests run it) needs of the state: read
 * the environment's own state object, and for prod and dev the shared stack's; and the state's digest in the lock
 * table (item `{bucket}/{key}-md5`, which the S3 backend checks the state against), that item only. Nothing is
 * written, not even a lock.
 */
export function terraformStateReadPolicy(input: TerraformStateInput): PolicyDocument {
  const { bucket, state } = stateArns(input.prefix, input.accountId, input.environment);
  const digest = `${names.stateBucket(input.prefix, input.accountId)}/${names.stateKey(input.environment)}-md5`;
  return policy(
    allow("StateBucketList", ["s3:ListBucket"], bucket),
    allow("StateObjectRead", ["s3:GetObject"], state),
    allow("StateDigestRead", ["dynamodb:GetItem"], lockTableArn(input), { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [digest] } }),
    ...sharedStateRead(input),
  );
}

function lockTableArn(input: TerraformStateInput): string {
  return `arn:aws:dynamodb:${input.region}:${input.accountId}:table/${names.lockTable(input.prefix)}`;
}

/** The state objects a role of the environment reads: its own, and for prod and dev the shared stack's. */
export function stateObjectsRead(input: TerraformStateInput): string[] {
  const own = stateArns(input.prefix, input.accountId, input.environment).state;
  if (input.sharedAccountId === undefined || input.environment === "shared") return [own];
  return [own, stateArns(input.prefix, input.sharedAccountId, "shared").state];
}

function stateArns(prefix: string, accountId: string, environment: Environment): { bucket: string; state: string } {
  const bucket = `arn:aws:s3:::${names.stateBucket(prefix, accountId)}`;
  return { bucket, state: `${bucket}/${names.stateKey(environment)}` };
}

function sharedStateRead(input: TerraformStateInput): PolicyStatement[] {
  if (input.sharedAccountId === undefined || input.environment === "shared") return [];
  const { bucket, state } = stateArns(input.prefix, input.sharedAccountId, "shared");
  return [allow("SharedStateBucketList", ["s3:ListBucket"], bucket), allow("SharedStateRead", ["s3:GetObject"], state)];
}
