import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { Construct } from "constructs";
import { cloudFrontReadStatement } from "../policies";
import { PrivateBucket } from "./private-bucket";

/** AWS managed CloudFront policies (fixed ids). */
const MANAGED = {
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  corsS3Origin: "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
  securityHeaders: "67f7725c-6f97-4210-82d7-5512b31e9d03",
};

export interface StaticAssetsProps {
  readonly bucketName: string;
  /** Keep old versions (for rollbacks). Default false. */
  readonly versioned?: boolean;
  /** Site origins allowed to fetch assets from a browser. */
  readonly corsOrigins?: readonly string[];
  /** Serve the bucket through CloudFront. Default false (the bucket alone). */
  readonly cdn?: boolean;
}

/**
 * The site's static files: a private bucket, optionally served by CloudFront over HTTPS only, reading
 * the bucket through Origin Access Control (no public bucket, no legacy origin access identity).
 */
export class StaticAssets extends Construct {
  readonly bucket: PrivateBucket;
  readonly distribution?: CloudfrontDistribution;

  constructor(scope: Construct, id: string, props: StaticAssetsProps) {
    super(scope, id);
    this.bucket = new PrivateBucket(this, "assets", {
      bucketName: props.bucketName,
      versioned: props.versioned,
      corsOrigins: props.corsOrigins,
    });
    if (!props.cdn) return;

    const accessControl = new CloudfrontOriginAccessControl(this, "origin_access", {
      name: props.bucketName,
      description: `CloudFront reads ${props.bucketName}`,
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });
    const originId = "assets";
    this.distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: `Static assets from ${props.bucketName}`,
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      priceClass: "PriceClass_100",
      origin: [{ originId, domainName: this.bucket.bucket.bucketRegionalDomainName, originAccessControlId: accessControl.id }],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: "https-only",
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD", "OPTIONS"],
        compress: true,
        cachePolicyId: MANAGED.cachingOptimized,
        originRequestPolicyId: MANAGED.corsS3Origin,
        responseHeadersPolicyId: MANAGED.securityHeaders,
      },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: { cloudfrontDefaultCertificate: true },
      tags: { Name: props.bucketName },
    });
    this.bucket.addToPolicy(cloudFrontReadStatement(this.bucket.arn, this.distribution.arn));
  }
}
