import { names } from "../naming/names";
import { type ApplicationAccount, deployRoleArn, planRoleArn, principalsStatement, rolesStatement } from "./cross-account";
import { policy, type PolicyDocument, type PolicyStatement } from "./document";
import { denyInsecureTransport } from "./s3";

export interface StateBucketPolicyInput {
  readonly prefix: string;
  /** The account that owns the bucket. */
  readonly accountId: string;
  /** Accounts whose deploy and plan roles read `shared/terraform.tfstate`: prod and dev, for the shared account's bucket only. */
  readonly sharedStateReaders?: readonly ApplicationAccount[];
  /** People's principals (`administrators` in the configuration) who also read `shared/terraform.tfstate`. Default none. */
  readonly administratorArns?: readonly string[];
}

/**
 * Bucket policy of an account's Terraform state bucket: no access without TLS, and on the shared
 * account's bucket, read access to the shared stack's state for the prod and dev deploy and plan roles (the
 * same object and listing their state policies ask for; both sides must allow it) and for the configured
 * administrators.
 */
export function stateBucketPolicy(input: StateBucketPolicyInput): PolicyDocument {
  const bucket = `arn:aws:s3:::${names.stateBucket(input.prefix, input.accountId)}`;
  const statements: PolicyStatement[] = [denyInsecureTransport(bucket)];
  const readers = input.sharedStateReaders ?? [];
  if (readers.length === 0) return policy(...statements);
  const roles = [...readers.map(deployRoleArn), ...readers.map(planRoleArn)];
  const sharedState = `${bucket}/${names.stateKey("shared")}`;
  statements.push(
    rolesStatement("SharedStateBucketList", roles, ["s3:ListBucket"], bucket),
    rolesStatement("SharedStateRead", roles, ["s3:GetObject"], sharedState),
  );
  const administrators = input.administratorArns ?? [];
  if (administrators.length > 0) {
    statements.push(
      principalsStatement("AdministratorsStateBucketList", administrators, ["s3:ListBucket"], bucket),
      principalsStatement("AdministratorsSharedStateRead", administrators, ["s3:GetObject"], sharedState),
    );
  }
  return policy(...statements);
}
