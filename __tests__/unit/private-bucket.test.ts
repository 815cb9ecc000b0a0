import { describe, expect, it } from "vitest";
import { PrivateBucket } from "../../src/constructs/private-bucket";
import { StaticAssets } from "../../src/constructs/static-assets";
import { resources, synthConstruct, type StackJson } from "../support/synth";

const policyOf = (stack: StackJson, name: string) => JSON.parse(resources(stack, "aws_s3_bucket_policy")[name].policy);

describe("PrivateBucket", () => {
  const stack = synthConstruct((scope) => new PrivateBucket(scope, "files", { bucketName: "coalition-dev-files" }));

  it("blocks every kind of public access and disables ACLs", () => {
    expect(resources(stack, "aws_s3_bucket_public_access_block").files_public_access_block).toMatchObject({
      bucket: "${aws_s3_bucket.files_bucket.id}",
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resources(stack, "aws_s3_bucket_ownership_controls").files_ownership.rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
  });

  it("encrypts at rest and refuses requests without TLS", () => {
    expect(resources(stack, "aws_s3_bucket_server_side_encryption_configuration").files_encryption.rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: "AES256",
    });
    expect(policyOf(stack, "files_policy").Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: ["${aws_s3_bucket.files_bucket.arn}", "${aws_s3_bucket.files_bucket.arn}/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    expect(resources(stack, "aws_s3_bucket_policy").files_policy.depends_on).toEqual(["aws_s3_bucket_public_access_block.files_public_access_block"]);
  });

  it("is unversioned unless asked, and then expires old versions", () => {
    expect(resources(stack, "aws_s3_bucket_versioning")).toEqual({});
    const versioned = synthConstruct((scope) => new PrivateBucket(scope, "files", { bucketName: "b", versioned: true, noncurrentVersionDays: 45 }));
    expect(resources(versioned, "aws_s3_bucket_versioning").files_versioning.versioning_configuration).toEqual({ status: "Enabled" });
    expect(resources(versioned, "aws_s3_bucket_lifecycle_configuration").files_lifecycle.rule[0].noncurrent_version_expiration).toEqual([
      { noncurrent_days: 45 },
    ]);
  });

  it("allows browser reads only from the listed origins", () => {
    expect(resources(stack, "aws_s3_bucket_cors_configuration")).toEqual({});
    const withCors = synthConstruct((scope) => new PrivateBucket(scope, "files", { bucketName: "b", corsOrigins: ["https://example.org"] }));
    expect(resources(withCors, "aws_s3_bucket_cors_configuration").files_cors.cors_rule).toEqual([
      { allowed_methods: ["GET", "HEAD"], allowed_origins: ["https://example.org"], allowed_headers: ["*"], max_age_seconds: 3600 },
    ]);
  });
});

describe("StaticAssets", () => {
  it("is the private bucket alone without a CDN", () => {
    const stack = synthConstruct((scope) => new StaticAssets(scope, "static", { bucketName: "coalition-dev-static-assets" }));
    expect(Object.keys(resources(stack, "aws_s3_bucket"))).toEqual(["static_assets_bucket"]);
    expect(resources(stack, "aws_cloudfront_distribution")).toEqual({});
    expect(policyOf(stack, "static_assets_policy").Statement.map((s: any) => s.Sid)).toEqual(["DenyInsecureTransport"]);
  });

  describe("with CloudFront", () => {
    const stack = synthConstruct((scope) => new StaticAssets(scope, "static", { bucketName: "coalition-prod-static-assets", cdn: true }));
    const distribution = resources(stack, "aws_cloudfront_distribution").static_distribution;

    it("serves over HTTPS only, from the bucket through Origin Access Control", () => {
      expect(distribution.default_cache_behavior.viewer_protocol_policy).toBe("https-only");
      expect(distribution.origin).toEqual([
        expect.objectContaining({
          domain_name: "${aws_s3_bucket.static_assets_bucket.bucket_regional_domain_name}",
          origin_access_control_id: "${aws_cloudfront_origin_access_control.static_origin_access.id}",
        }),
      ]);
      expect(distribution.origin[0].s3_origin_config).toBeUndefined(); // no legacy origin access identity
      expect(resources(stack, "aws_cloudfront_origin_access_control").static_origin_access).toMatchObject({
        origin_access_control_origin_type: "s3",
        signing_behavior: "always",
        signing_protocol: "sigv4",
      });
    });

    it("lets only this distribution read the objects, and the bucket stays private", () => {
      const read = policyOf(stack, "static_assets_policy").Statement.find((s: any) => s.Sid === "CloudFrontReads");
      expect(read).toEqual({
        Sid: "CloudFrontReads",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: "${aws_s3_bucket.static_assets_bucket.arn}/*",
        Condition: { StringEquals: { "AWS:SourceArn": "${aws_cloudfront_distribution.static_distribution.arn}" } },
      });
      expect(resources(stack, "aws_s3_bucket_public_access_block").static_assets_public_access_block.block_public_policy).toBe(true);
      expect(JSON.stringify(resources(stack, "aws_s3_bucket_policy"))).not.toMatch(/"Principal":\s*"\*"|"AWS":\s*"\*"[^}]*"Allow"/);
    });
  });
});
