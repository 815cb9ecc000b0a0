import type { PolicyStatement } from "./document";

/** Refuses every request to the bucket that does not use TLS. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: { AWS: "*" },
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** Lets one CloudFront distribution (through Origin Access Control) read the bucket's objects. */
export function cloudFrontReadStatement(bucketArn: string, distributionArn: string): PolicyStatement {
  return {
    Sid: "CloudFrontReads",
    Effect: "Allow",
    Principal: { Service: "cloudfront.amazonaws.com" },
    Action: "s3:GetObject",
    Resource: `${bucketArn}/*`,
    Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
  };
}
