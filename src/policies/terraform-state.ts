import type { Environment } from "../config";
import { names } from "../naming/names";
import { allow, policy, type PolicyDocument } from "./document";

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
  const bucket = `arn:aws:s3:::${names.stateBucket(input.prefix, input.accountId)}`;
  const state = `${bucket}/${names.stateKey(input.environment)}`;
  const statements = [
    allow("StateBucketList", ["s3:ListBucket"], bucket),
    allow("StateObject", ["s3:GetObject", "s3:PutObject"], state),
    allow("StateLockFile", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], `${state}.tflock`),
    allow(
      "StateLockTable",
      ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
      `arn:aws:dynamodb:${input.region}:${input.accountId}:table/${names.lockTable(input.prefix)}`,
    ),
  ];
  if (input.sharedAccountId !== undefined && input.environment !== "shared") {
    const sharedBucket = `arn:aws:s3:::${names.stateBucket(input.prefix, input.sharedAccountId)}`;
    statements.push(
      allow("SharedStateBucketList", ["s3:ListBucket"], sharedBucket),
      allow("SharedStateRead", ["s3:GetObject"], `${sharedBucket}/${names.stateKey("shared")}`),
    );
  }
  return policy(...statements);
}
