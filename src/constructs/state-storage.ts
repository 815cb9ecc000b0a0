import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { names } from "../naming/names";
import type { ApplicationAccount } from "../policies/cross-account";
import { stateBucketPolicy } from "../policies/state-bucket";

export interface StateStorageProps {
  /** Name prefix of the bucket and table. */
  readonly prefix: string;
  /** The account the bucket and table belong to. */
  readonly accountId: string;
  /** prod and dev, whose deploy roles read `shared/terraform.tfstate`: give them for the shared account only. Default none. */
  readonly sharedStateReaders?: readonly ApplicationAccount[];
  /** People's principals who also read `shared/terraform.tfstate` (the shared account's bucket only). Default none. */
  readonly administratorArns?: readonly string[];
  /** Provider acting in that account. */
  readonly provider?: TerraformProvider;
}

/**
 * Where an account's Terraform state lives: a versioned, encrypted, private, TLS-only S3 bucket and a
 * pay-per-request DynamoDB lock table, neither of which Terraform may destroy.
 */
export class StateStorage extends Construct {
  readonly bucket: S3Bucket;
  readonly lockTable: DynamodbTable;

  constructor(scope: Construct, id: string, props: StateStorageProps) {
    super(scope, id);
    const { provider } = props;
    this.bucket = new S3Bucket(this, "bucket", {
      provider,
      bucket: names.stateBucket(props.prefix, props.accountId),
      lifecycle: { preventDestroy: true },
    });
    new S3BucketVersioningA(this, "versioning", { provider, bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      provider,
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public_access_block", {
      provider,
      bucket: this.bucket.id,
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    new S3BucketPolicy(this, "policy", {
      provider,
      bucket: this.bucket.id,
      policy: JSON.stringify(
        stateBucketPolicy({
          prefix: props.prefix,
          accountId: props.accountId,
          sharedStateReaders: props.sharedStateReaders,
          administratorArns: props.administratorArns,
        }),
      ),
      dependsOn: [publicAccessBlock], // S3 rejects policy and block changes on one bucket at the same time
    });
    this.lockTable = new DynamodbTable(this, "lock_table", {
      provider,
      name: names.lockTable(props.prefix),
      billingMode: "PAY_PER_REQUEST",
      hashKey: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
    });
  }
}
