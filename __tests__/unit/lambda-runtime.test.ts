import { describe, expect, it } from "vitest";
import { ContainerRepository } from "../../src/constructs/container-repository";
import { LambdaRuntime, type LambdaRuntimeProps } from "../../src/constructs/lambda-runtime";
import { resources, synthConstruct } from "../support/synth";

const props: LambdaRuntimeProps = {
  name: "coalition-prod",
  roleName: "coalition-prod-lambda",
  accountId: "222222222222",
  region: "us-east-1",
  vpcId: "vpc-prod",
  vpcCidr: "10.1.0.0/16",
  databaseCidrs: ["10.0.5.0/24", "10.0.6.0/24"],
  s3PrefixListId: "pl-63a5400a",
  logRetentionDays: 30,
  permissionsBoundaryArn: "arn:aws:iam::111111111111:policy/coalition-boundary",
  access: {
    secretArns: ["arn:aws:secretsmanager:us-east-1:222222222222:secret:coalition/prod/django-secret-key-AbCdEf"],
    secretKeyArns: ["arn:aws:kms:us-east-1:222222222222:key/secrets"],
    assetsBucketArn: "arn:aws:s3:::coalition-prod-static-assets",
    placeIndexArn: "arn:aws:geo:us-east-1:222222222222:place-index/coalition-prod-places",
  },
};

describe("LambdaRuntime", () => {
  const stack = synthConstruct((scope) => new LambdaRuntime(scope, "lambda", props));

  it("has an execution role of the agreed name that only Lambda in this account may assume", () => {
    const role = resources(stack, "aws_iam_role").lambda_role;
    expect(role.name).toBe("coalition-prod-lambda");
    expect(JSON.parse(role.assume_role_policy).Statement[0]).toMatchObject({
      Principal: { Service: "lambda.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": "222222222222" } },
    });
  });

  it("lets the function out only to the database subnets on 5432 and to HTTPS in the VPC and S3; nothing in", () => {
    const group = resources(stack, "aws_security_group").lambda_security_group;
    expect(group.ingress).toEqual([]);
    expect(group.egress.map((rule: any) => [rule.protocol, rule.from_port, rule.to_port, rule.cidr_blocks ?? [], rule.prefix_list_ids ?? []])).toEqual([
      ["tcp", 5432, 5432, ["10.0.5.0/24", "10.0.6.0/24"], []],
      ["tcp", 443, 443, ["10.1.0.0/16"], []],
      ["tcp", 443, 443, [], ["pl-63a5400a"]],
    ]);
  });

  it("keeps Zappa's packages in a private, versioned bucket", () => {
    expect(resources(stack, "aws_s3_bucket").lambda_deployments_bucket.bucket).toBe("coalition-prod-zappa");
    expect(resources(stack, "aws_s3_bucket_versioning").lambda_deployments_versioning.versioning_configuration.status).toBe("Enabled");
    expect(resources(stack, "aws_s3_bucket_public_access_block").lambda_deployments_public_access_block.restrict_public_buckets).toBe(true);
  });

  it("creates the function's log group with retention before Lambda would create one without", () => {
    expect(resources(stack, "aws_cloudwatch_log_group").lambda_logs).toMatchObject({ name: "/aws/lambda/coalition-prod", retention_in_days: 30 });
  });
});

describe("ContainerRepository", () => {
  const stack = synthConstruct((scope) => new ContainerRepository(scope, "images", { repositoryName: "coalition-prod", keepImages: 50 }));

  it("scans on push and never overwrites a tag", () => {
    expect(resources(stack, "aws_ecr_repository").images_repository).toMatchObject({
      name: "coalition-prod",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
    });
  });

  it("expires all but the newest images", () => {
    const policy = JSON.parse(resources(stack, "aws_ecr_lifecycle_policy").images_lifecycle.policy);
    expect(policy.rules).toEqual([
      expect.objectContaining({ selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 }, action: { type: "expire" } }),
    ]);
  });

  it("rejects keeping no images", () => {
    expect(() => synthConstruct((scope) => new ContainerRepository(scope, "images", { repositoryName: "r", keepImages: 0 }))).toThrow(/keepImages/);
  });
});
