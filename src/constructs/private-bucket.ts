import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketCorsConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-cors-configuration";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { denyInsecureTransport, policy, type PolicyStatement } from "../policies";

export interface PrivateBucketProps {
  readonly bucketName: string;
  /** Keep old versions of objects. Default false. */
  readonly versioned?: boolean;
  /** Days before old versions expire (versioned buckets). Default 30. */
  readonly noncurrentVersionDays?: number;
  /** Origins that may read objects from a browser (GET/HEAD). Default none. */
  readonly corsOrigins?: readonly string[];
}

/**
 * An S3 bucket that is private whatever its objects say: all four public access blocks, ACLs disabled
 * (bucket owner enforced), encrypted at rest, reachable only over TLS, incomplete uploads cleaned up.
 * Further access is granted with `addToPolicy`.
 */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName, tags: { Name: props.bucketName } });
    const bucket = this.bucket.id;
    const publicAccess = new S3BucketPublicAccessBlock(this, "public_access_block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    });
    if (props.versioned) new S3BucketVersioningA(this, "versioning", { bucket, versioningConfiguration: { status: "Enabled" } });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket,
      rule: [
        {
          id: "abort-incomplete-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
          ...(props.versioned ? { noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays ?? 30 }] } : {}),
        },
      ],
    });
    if (props.corsOrigins?.length) {
      new S3BucketCorsConfiguration(this, "cors", {
        bucket,
        corsRule: [{ allowedMethods: ["GET", "HEAD"], allowedOrigins: [...props.corsOrigins], allowedHeaders: ["*"], maxAgeSeconds: 3600 }],
      });
    }
    this.statements.push(denyInsecureTransport(this.bucket.arn));
    new S3BucketPolicy(this, "policy", {
      bucket,
      // Read at synthesis, after every addToPolicy call.
      policy: Lazy.stringValue({ produce: () => JSON.stringify(policy(...this.statements)) }),
      dependsOn: [publicAccess], // a policy written before the block could briefly be public
    });
  }

  /** Adds a statement to the bucket policy. */
  addToPolicy(statement: PolicyStatement): void {
    this.statements.push(statement);
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get name(): string {
    return this.bucket.bucket;
  }
}
