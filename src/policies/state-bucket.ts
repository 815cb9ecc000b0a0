import { names } from "../naming/names";
import { type ApplicationAccount, deployRolesStatement } from "./cross-account";
import { policy, type PolicyDocument, type PolicyStatement } from "./document";
import { denyInsecureTransport } from "./s3";

export interface StateBucketPolicyInput {
  readonly prefix: string;
  /** The account that owns the bucket. */
  readonly accountId: string;
  /** Accounts whose deploy roles read `shared/terraform.tfstate`: prod and dev, for the shared account's bucket only. */
  readonly sharedStateReaders?: readonly ApplicationAccount[];
}

/**
 * Bucket policy of an account's Terraform state bucket: no access without TLS, and on the shared
 * account's bucket, read access to the shared stack's state for the prod and dev deploy roles (the
 * same object and listing their `terraform-state` policy asks for; both sides must allow it).
 */
export function stateBucketPolicy(input: StateBucketPolicyInput): PolicyDocument {
  const bucket = `arn:aws:s3:::${names.stateBucket(input.prefix, input.accountId)}`;
  const statements: PolicyStatement[] = [denyInsecureTransport(bucket)];
  const readers = input.sharedStateReaders ?? [];
  if (readers.length > 0) {
    statements.push(
      deployRolesStatement("SharedStateBucketList", readers, ["s3:ListBucket"], bucket),
      deployRolesStatement("SharedStateRead", readers, ["s3:GetObject"], `${bucket}/${names.stateKey("shared")}`),
    );
  }
  return policy(...statements);
}
