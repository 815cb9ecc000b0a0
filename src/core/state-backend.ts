import { S3Backend, type TerraformStack } from "cdktf";
import type { StateLocking } from "../config";

export interface StateBackendProps {
  /** The account's state bucket. */
  readonly bucket: string;
  /** The stack's state object. */
  readonly key: string;
  readonly region: string;
  /** DynamoDB lock table, used unless locking is "s3". */
  readonly lockTable: string;
  /** "dynamodb" (lock table), "s3" (lock file next to the state, Terraform >= 1.10) or "both". */
  readonly locking: StateLocking;
}

/** Keeps the stack's state encrypted in its account's S3 bucket, locked as configured. */
export function configureStateBackend(stack: TerraformStack, props: StateBackendProps): S3Backend {
  const backend = new S3Backend(stack, {
    bucket: props.bucket,
    key: props.key,
    region: props.region,
    encrypt: true,
    dynamodbTable: props.locking === "s3" ? undefined : props.lockTable,
  });
  // cdktf 0.21 has no typed field for S3-native locking; this override is its only home.
  if (props.locking !== "dynamodb") stack.addOverride("terraform.backend.s3.use_lockfile", true);
  return backend;
}
