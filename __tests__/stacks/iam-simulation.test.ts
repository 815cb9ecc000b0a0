import { describe, expect, it } from "vitest";
import { ENVIRONMENTS, type Environment } from "../../src/config";
import { decideIdentity, decideTrust, synthesizedRolePolicies, type Decision } from "../support/iam";
import { exampleConfig, synthPlatform } from "../support/synth";

const config = exampleConfig();
const stacks = synthPlatform(config);
const SHARED = config.accounts.shared.accountId;
const FOREIGN = "999999999999";
const REGION = "us-east-1";
const OTHER_REGION = "eu-west-1";

type Row = [action: string, resource: string, expected: Decision, context?: Record<string, string | string[]>];

/** Requests every environment's role is judged on; `a` is the role's own account. */
function commonRows(env: Environment, a: string): Row[] {
  const bucket = `arn:aws:s3:::coalition-${env}-static-assets`;
  const bounded = { "iam:PermissionsBoundary": `arn:aws:iam::${a}:policy/coalition-boundary` };
  const otherBoundary = { "iam:PermissionsBoundary": `arn:aws:iam::${a}:policy/coalition-wide-open` };
  return [
    // IAM: read anywhere, change only the project's prefix, never the deploy roles themselves.
    ["iam:GetRole", `arn:aws:iam::${a}:role/anything`, "Allowed"],
    ["iam:ListRoles", "*", "Allowed"],
    // Roles and users only under the boundary, which CI can neither change nor remove.
    ["iam:CreateRole", `arn:aws:iam::${a}:role/coalition-lambda`, "Allowed", bounded],
    ["iam:CreateRole", `arn:aws:iam::${a}:role/coalition-lambda`, "ImplicitlyDenied"],
    ["iam:CreateRole", `arn:aws:iam::${a}:role/coalition-lambda`, "ImplicitlyDenied", otherBoundary],
    ["iam:PutRolePolicy", `arn:aws:iam::${a}:role/coalition-lambda`, "Allowed", bounded],
    ["iam:PutRolePolicy", `arn:aws:iam::${a}:role/coalition-lambda`, "ImplicitlyDenied"],
    ["iam:AttachRolePolicy", `arn:aws:iam::${a}:role/coalition-lambda`, "Allowed", bounded],
    ["iam:AttachRolePolicy", `arn:aws:iam::${a}:role/coalition-lambda`, "ImplicitlyDenied"],
    ["iam:DeleteRolePermissionsBoundary", `arn:aws:iam::${a}:role/coalition-lambda`, "ExplicitlyDenied"],
    ["iam:PutRolePermissionsBoundary", `arn:aws:iam::${a}:role/coalition-lambda`, "ImplicitlyDenied", otherBoundary],
    ["iam:CreatePolicyVersion", `arn:aws:iam::${a}:policy/coalition-boundary`, "ExplicitlyDenied"],
    ["iam:DeletePolicy", `arn:aws:iam::${a}:policy/coalition-boundary`, "ExplicitlyDenied"],
    ["iam:CreatePolicy", `arn:aws:iam::${a}:policy/coalition-boundary`, "ExplicitlyDenied"],
    ["iam:DeleteRole", `arn:aws:iam::${a}:role/coalition-lambda`, "Allowed"],
    ["iam:CreateRole", `arn:aws:iam::${a}:role/other-lambda`, "ImplicitlyDenied", bounded],
    ["iam:DeleteRole", `arn:aws:iam::${a}:role/other-lambda`, "ImplicitlyDenied"],
    ["iam:CreateRole", `arn:aws:iam::${FOREIGN}:role/coalition-lambda`, "ImplicitlyDenied", bounded],
    // Each role the stacks hand to a service, to that service only; nothing else.
    ...passRoleRows(env, a),
    ["iam:PutRolePolicy", `arn:aws:iam::${a}:role/github-actions-${env}`, "ExplicitlyDenied"],
    ["iam:AttachRolePolicy", `arn:aws:iam::${a}:role/github-actions-${env}`, "ExplicitlyDenied", bounded],
    ["iam:UpdateAssumeRolePolicy", `arn:aws:iam::${a}:role/github-actions-${env}`, "ExplicitlyDenied"],
    ["iam:CreatePolicy", `arn:aws:iam::${a}:policy/coalition-app`, "Allowed"],
    ["iam:CreatePolicy", `arn:aws:iam::${a}:policy/other-app`, "ImplicitlyDenied"],
    ["iam:CreateInstanceProfile", `arn:aws:iam::${a}:instance-profile/coalition-bastion`, "Allowed"],
    ["iam:CreateUser", `arn:aws:iam::${a}:user/ses/coalition-smtp`, "Allowed", bounded],
    ["iam:CreateUser", `arn:aws:iam::${a}:user/ses/coalition-smtp`, "ImplicitlyDenied"],
    ["iam:CreateUser", `arn:aws:iam::${a}:user/coalition-admin`, "ImplicitlyDenied", bounded],
    ["iam:UpdateOpenIDConnectProviderThumbprint", `arn:aws:iam::${a}:oidc-provider/token.actions.githubusercontent.com`, "Allowed"],
    ["iam:DeleteOpenIDConnectProvider", `arn:aws:iam::${a}:oidc-provider/accounts.google.com`, "ImplicitlyDenied"],
    ["iam:CreateServiceLinkedRole", `arn:aws:iam::${a}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS`, "Allowed", { "iam:AWSServiceName": "rds.amazonaws.com" }],
    ["iam:CreateServiceLinkedRole", `arn:aws:iam::${a}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`, "ImplicitlyDenied", { "iam:AWSServiceName": "ecs.amazonaws.com" }],
    // EC2: read at *, everything else only in this account and region.
    ["ec2:DescribeRegions", "*", "Allowed"],
    ["ec2:DescribeVpcs", "*", "Allowed"],
    ["ec2:RunInstances", `arn:aws:ec2:${REGION}:${a}:instance/i-0123456789abcdef0`, "Allowed"],
    ["ec2:RunInstances", `arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0`, "Allowed"],
    ["ec2:RunInstances", `arn:aws:ec2:${REGION}:${FOREIGN}:instance/i-0123456789abcdef0`, "ImplicitlyDenied"],
    ["ec2:RunInstances", `arn:aws:ec2:${OTHER_REGION}:${a}:instance/i-0123456789abcdef0`, "ImplicitlyDenied"],
    ["ec2:CreateVpc", `arn:aws:ec2:${REGION}:${a}:vpc/vpc-0123456789abcdef0`, "Allowed"],
    // User data runs as the instance's role: only the bastion's instance (shared) may have its attributes changed.
    ...(["coalition-shared-bastion", "coalition-shared-builder", undefined] as const).map((profile): Row => [
      "ec2:ModifyInstanceAttribute",
      `arn:aws:ec2:${REGION}:${a}:instance/i-0123456789abcdef0`,
      env === "shared" && profile === "coalition-shared-bastion" ? "Allowed" : "ExplicitlyDenied",
      profile === undefined ? {} : { "ec2:InstanceProfile": `arn:aws:iam::${a}:instance-profile/${profile}` },
    ]),
    ["ec2:CreateVpcPeeringConnection", `arn:aws:ec2:${REGION}:${a}:vpc-peering-connection/pcx-0123456789abcdef0`, "Allowed"],
    ["ec2:AcceptVpcPeeringConnection", `arn:aws:ec2:${REGION}:${FOREIGN}:vpc-peering-connection/pcx-0123456789abcdef0`, "ImplicitlyDenied"],
    // Regional services: this account and region only.
    ["rds:CreateDBInstance", `arn:aws:rds:${REGION}:${a}:db:coalition-db`, "Allowed"],
    ["rds:DeleteDBInstance", `arn:aws:rds:${REGION}:${a}:db:coalition-db`, "Allowed"],
    ["rds:DeleteDBInstance", `arn:aws:rds:${REGION}:${FOREIGN}:db:coalition-db`, "ImplicitlyDenied"],
    ["rds:DeleteDBInstance", `arn:aws:rds:${OTHER_REGION}:${a}:db:coalition-db`, "ImplicitlyDenied"],
    // Lambda: Zappa's function of this environment, {prefix}-{env}, its versions and aliases; no other function.
    ["lambda:UpdateFunctionCode", `arn:aws:lambda:${REGION}:${a}:function:coalition-${env}`, "Allowed"],
    ["lambda:DeleteFunction", `arn:aws:lambda:${REGION}:${a}:function:coalition-${env}`, "Allowed"],
    ["lambda:AddPermission", `arn:aws:lambda:${REGION}:${a}:function:coalition-${env}:current`, "Allowed"],
    ["lambda:UpdateFunctionCode", `arn:aws:lambda:${REGION}:${a}:function:other-function`, "ImplicitlyDenied"],
    ["lambda:UpdateFunctionConfiguration", `arn:aws:lambda:${REGION}:${a}:function:coalition-${env}-worker`, "ImplicitlyDenied"],
    ["lambda:CreateFunction", `arn:aws:lambda:${REGION}:${a}:function:coalition-${env === "prod" ? "dev" : "prod"}`, "ImplicitlyDenied"],
    ["lambda:UpdateFunctionCode", `arn:aws:lambda:${REGION}:${FOREIGN}:function:coalition-${env}`, "ImplicitlyDenied"],
    ["lambda:ListFunctions", "*", "Allowed"],
    ["ecr:PutImage", `arn:aws:ecr:${REGION}:${a}:repository/coalition-prod`, "Allowed"],
    ["ecr:GetAuthorizationToken", "*", "Allowed"],
    ["secretsmanager:CreateSecret", `arn:aws:secretsmanager:${REGION}:${a}:secret:coalition/prod/database-url-AbCdEf`, "Allowed"],
    ["secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${FOREIGN}:secret:coalition/prod/database-url-AbCdEf`, "ImplicitlyDenied"],
    ["ssm:PutParameter", `arn:aws:ssm:${REGION}:${a}:parameter/coalition/setting`, "Allowed"],
    ["sns:CreateTopic", `arn:aws:sns:${REGION}:${a}:coalition-alerts`, "Allowed"],
    ["cloudwatch:PutMetricAlarm", `arn:aws:cloudwatch:${REGION}:${a}:alarm:coalition-db-cpu`, "Allowed"],
    ["logs:CreateLogGroup", `arn:aws:logs:${REGION}:${a}:log-group:/aws/lambda/coalition-prod`, "Allowed"],
    ["logs:CreateLogGroup", `arn:aws:logs:${OTHER_REGION}:${a}:log-group:/aws/lambda/coalition-prod`, "ImplicitlyDenied"],
    ["wafv2:CreateWebACL", `arn:aws:wafv2:${REGION}:${a}:regional/webacl/coalition-prod/0123abcd-0000-0000-0000-000000000000`, "Allowed"],
    ["wafv2:ListWebACLs", "*", "Allowed"],
    ["wafv2:AssociateWebACL", `arn:aws:apigateway:${REGION}::/restapis/a1b2c3d4e5/stages/prod`, "Allowed"],
    ["wafv2:AssociateWebACL", `arn:aws:apigateway:${OTHER_REGION}::/restapis/a1b2c3d4e5/stages/prod`, "ImplicitlyDenied"],
    ["ses:CreateEmailIdentity", `arn:aws:ses:${REGION}:${a}:identity/example.org`, "Allowed"],
    ["acm:DeleteCertificate", `arn:aws:acm:${REGION}:${a}:certificate/0123abcd-0000-0000-0000-000000000000`, "Allowed"],
    ["acm:RequestCertificate", "*", "Allowed"],
    ["kms:CreateKey", "*", "Allowed"],
    ["kms:ScheduleKeyDeletion", `arn:aws:kms:${REGION}:${a}:key/0123abcd-0000-0000-0000-000000000000`, "Allowed"],
    ["kms:ScheduleKeyDeletion", `arn:aws:kms:${REGION}:${FOREIGN}:key/0123abcd-0000-0000-0000-000000000000`, "ImplicitlyDenied"],
    ["geo:CreatePlaceIndex", `arn:aws:geo:${REGION}:${a}:place-index/coalition-prod`, "Allowed"],
    ["events:PutRule", `arn:aws:events:${REGION}:${a}:rule/coalition-prod-zappa-keep-warm`, "Allowed"],
    ["events:PutRule", `arn:aws:events:${REGION}:${FOREIGN}:rule/coalition-prod-zappa-keep-warm`, "ImplicitlyDenied"],
    // Global services with the account in their ARNs.
    ["cloudfront:CreateDistribution", "*", "Allowed"],
    ["cloudfront:UpdateDistribution", `arn:aws:cloudfront::${a}:distribution/E0123456789ABC`, "Allowed"],
    ["cloudfront:DeleteDistribution", `arn:aws:cloudfront::${FOREIGN}:distribution/E123`, "ImplicitlyDenied"],
    ["cloudfront:ListDistributions", "*", "Allowed"],
    ["budgets:ModifyBudget", `arn:aws:budgets::${a}:budget/coalition-monthly`, "Allowed"],
    ["budgets:ModifyBudget", `arn:aws:budgets::${FOREIGN}:budget/coalition-monthly`, "ImplicitlyDenied"],
    // Truly global services.
    ["route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/Z0123456789ABC", "Allowed"],
    ["route53:CreateHostedZone", "*", "Allowed"],
    ["route53:DeleteHostedZone", "arn:aws:route53:::hostedzone/Z0123456789ABC", "ImplicitlyDenied"],
    ["apigateway:POST", `arn:aws:apigateway:${REGION}::/restapis`, "Allowed"],
    ["ce:CreateAnomalyMonitor", "*", "Allowed"],
    ["cloudformation:CreateResource", "*", "Allowed"],
    ["cloudformation:CreateStack", `arn:aws:cloudformation:${REGION}:${a}:stack/coalition-prod/01234567-aaaa-bbbb-cccc-0123456789ab`, "Allowed"],
    ["cloudformation:CreateStack", `arn:aws:cloudformation:${REGION}:${a}:stack/other-stack/01234567-aaaa-bbbb-cccc-0123456789ab`, "ImplicitlyDenied"],
    // S3: read anywhere; change only this environment's buckets, never a state bucket's settings.
    ["s3:GetObject", "arn:aws:s3:::someone-elses-bucket/key", "Allowed"],
    ["s3:DeleteBucket", "arn:aws:s3:::someone-elses-bucket", "ImplicitlyDenied"],
    ["s3:PutObject", "arn:aws:s3:::someone-elses-bucket/key", "ImplicitlyDenied"],
    ["s3:CreateBucket", bucket, "Allowed"],
    ["s3:DeleteBucket", bucket, "Allowed"],
    ["s3:PutBucketPolicy", bucket, "Allowed"],
    ["s3:PutBucketPublicAccessBlock", bucket, "Allowed"],
    ["s3:PutObject", `${bucket}/css/site.css`, "Allowed"],
    ["s3:DeleteBucket", `arn:aws:s3:::coalition-${env === "prod" ? "dev" : "prod"}-static-assets`, "ImplicitlyDenied"],
    // Near misses of this environment's prefix: no hyphen after it, or another project's prefix that starts alike.
    ["s3:DeleteBucket", `arn:aws:s3:::coalition-${env}ops-x`, "ImplicitlyDenied"],
    ["s3:PutObject", `arn:aws:s3:::coalition-${env}ops-x/key`, "ImplicitlyDenied"],
    ["s3:PutBucketPolicy", `arn:aws:s3:::coalitions-${env}-static-assets`, "ImplicitlyDenied"],
    ["s3:DeleteBucket", `arn:aws:s3:::coalition-terraform-state-${a}`, "ImplicitlyDenied"],
    ["s3:PutBucketPolicy", `arn:aws:s3:::coalition-terraform-state-${a}`, "ImplicitlyDenied"],
    ["s3:DeleteObject", `arn:aws:s3:::coalition-terraform-state-${a}/${env}/terraform.tfstate`, "ImplicitlyDenied"],
    // STS: nothing but the shared accepter role (prod and dev rows add the allow).
    ["sts:AssumeRole", `arn:aws:iam::${SHARED}:role/OrganizationAccountAccessRole`, "ImplicitlyDenied"],
    ["sts:AssumeRole", `arn:aws:iam::${FOREIGN}:role/vpc-peering-accepter`, "ImplicitlyDenied"],
  ];
}

/** iam:PassRole: each role to the service it is for, and no role to any other service. */
function passRoleRows(env: Environment, a: string): Row[] {
  const role = (name: string) => `arn:aws:iam::${a}:role/${name}`;
  const to = (service: string) => ({ "iam:PassedToService": service });
  const own =
    env === "shared"
      ? [["coalition-shared-flow-logs", "vpc-flow-logs.amazonaws.com"], ["coalition-shared-bastion", "ec2.amazonaws.com"]]
      : [[`coalition-${env}-flow-logs`, "vpc-flow-logs.amazonaws.com"], [`coalition-${env}-lambda`, "lambda.amazonaws.com"]];
  return [
    ...own.map(([name, service]): Row => ["iam:PassRole", role(name), "Allowed", to(service)]),
    // To another service: the execution role to EC2, the bastion's to Lambda, the flow logs' to CloudFormation.
    ...own.map(([name]): Row => ["iam:PassRole", role(name), "ImplicitlyDenied", to(name.endsWith("lambda") ? "ec2.amazonaws.com" : "lambda.amazonaws.com")]),
    ["iam:PassRole", role(own[0][0]), "ImplicitlyDenied", to("cloudformation.amazonaws.com")],
    ["iam:PassRole", role(`coalition-${env}-lambda-admin`), "ImplicitlyDenied", to("lambda.amazonaws.com")],
    ["iam:PassRole", role("admin"), "ImplicitlyDenied", to("lambda.amazonaws.com")],
    ["iam:PassRole", role(`github-actions-${env}`), "ImplicitlyDenied", to("lambda.amazonaws.com")],
    ...(env === "shared" ? [] : [["iam:PassRole", role("coalition-shared-bastion"), "ImplicitlyDenied", to("ec2.amazonaws.com")] as Row]),
  ];
}

/** Terraform's own state access. */
function stateRows(env: Environment, a: string): Row[] {
  const own = `arn:aws:s3:::coalition-terraform-state-${a}`;
  const sharedBucket = `arn:aws:s3:::coalition-terraform-state-${SHARED}`;
  const rows: Row[] = [
    ["s3:ListBucket", own, "Allowed"],
    ["s3:PutObject", `${own}/${env}/terraform.tfstate`, "Allowed"],
    ["s3:DeleteObject", `${own}/${env}/terraform.tfstate.tflock`, "Allowed"],
    ["dynamodb:PutItem", `arn:aws:dynamodb:${REGION}:${a}:table/coalition-terraform-locks`, "Allowed"],
    ["dynamodb:DeleteTable", `arn:aws:dynamodb:${REGION}:${a}:table/coalition-terraform-locks`, "ImplicitlyDenied"],
    ["dynamodb:PutItem", `arn:aws:dynamodb:${REGION}:${a}:table/other-table`, "ImplicitlyDenied"],
  ];
  if (env === "shared") return rows;
  return [
    ...rows,
    ["s3:GetObject", `${sharedBucket}/shared/terraform.tfstate`, "Allowed"],
    ["s3:PutObject", `${sharedBucket}/shared/terraform.tfstate`, "ImplicitlyDenied"],
    ["sts:AssumeRole", `arn:aws:iam::${SHARED}:role/vpc-peering-accepter`, "Allowed"],
    ["sts:SetSourceIdentity", `arn:aws:iam::${SHARED}:role/vpc-peering-accepter`, "Allowed"],
  ];
}

describe.each(ENVIRONMENTS)("the %s deploy role's permissions, as synthesized", (env) => {
  const account = config.accounts[env].accountId;
  const { roleName, identity } = synthesizedRolePolicies(stacks[env]);
  const principal = `arn:aws:iam::${account}:role/${roleName}`;
  const rows = [...commonRows(env, account), ...stateRows(env, account)];
  if (env === "shared") rows.push(["sts:AssumeRole", `arn:aws:iam::${SHARED}:role/vpc-peering-accepter`, "ImplicitlyDenied"]);

  it.each(rows)("%s on %s → %s", async (action, resource, expected, context) => {
    expect(await decideIdentity(identity, { principal, action, resource, context })).toBe(expected);
  });
});

describe.each(ENVIRONMENTS)("a %s role created by the stacks, under the permissions boundary", (env) => {
  const account = config.accounts[env].accountId;
  // The stack's VPC, whose id Terraform writes into the boundary (`${…}` would read as an IAM policy variable here).
  const ownVpc = "vpc-0123456789abcdef0";
  const boundary = JSON.parse(stacks[env].resource.aws_iam_policy.boundary_policy.policy.replaceAll("${aws_vpc.network_vpc.id}", ownVpc));
  const administratorAccess = { Version: "2012-10-17", Statement: [{ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }] } as const;
  // A request from the stack's VPC carries its id as aws:SourceVpc.
  const decide = (action: string, resource: string, sourceVpc: string | null = ownVpc) =>
    decideIdentity([{ name: "AdministratorAccess", policy: administratorAccess as any }], {
      principal: `arn:aws:iam::${account}:role/coalition-${env}-lambda`,
      action,
      resource,
      boundary,
      context: sourceVpc === null ? {} : { "aws:SourceVpc": sourceVpc },
    });

  it("gains nothing beyond the boundary even with AdministratorAccess attached", async () => {
    expect(await decide("iam:CreateUser", `arn:aws:iam::${account}:user/intruder`)).toBe("ExplicitlyDenied");
    expect(await decide("iam:PutRolePolicy", `arn:aws:iam::${account}:role/github-actions-${env}`)).toBe("ExplicitlyDenied");
    expect(await decide("sts:AssumeRole", `arn:aws:iam::${SHARED}:role/vpc-peering-accepter`)).toBe("ExplicitlyDenied");
    expect(await decide("s3:DeleteBucket", `arn:aws:s3:::coalition-terraform-state-${account}`)).toBe("ImplicitlyDenied");
    expect(await decide("rds:DeleteDBInstance", `arn:aws:rds:${REGION}:${account}:db:coalition-shared-db`)).toBe("ImplicitlyDenied");
    expect(await decide("ec2:TerminateInstances", `arn:aws:ec2:${REGION}:${account}:instance/i-0123456789abcdef0`)).toBe("ImplicitlyDenied");
  });

  it("still does what the workloads need", async () => {
    expect(await decide("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${account}:secret:coalition/${env}/django-secret-key-AbCdEf`)).toBe("Allowed");
    expect(await decide("logs:PutLogEvents", `arn:aws:logs:${REGION}:${account}:log-group:/aws/lambda/coalition-${env}:log-stream:x`)).toBe("Allowed");
    expect(await decide("s3:PutObject", `arn:aws:s3:::coalition-${env}-static-assets/a.css`)).toBe("Allowed");
    expect(await decide("kms:Decrypt", `arn:aws:kms:${REGION}:${account}:key/0123abcd-0123-4567-89ab-0123456789ab`)).toBe("Allowed");
    if (env !== "shared") {
      // Its database login, in the shared account, encrypted with shared's key.
      expect(await decide("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${SHARED}:secret:coalition/${env}/database-AbCdEf`)).toBe("Allowed");
      expect(await decide("kms:Decrypt", `arn:aws:kms:${REGION}:${SHARED}:key/0123abcd-0123-4567-89ab-0123456789ab`)).toBe("Allowed");
    }
  });

  it("reads secrets and writes objects only from its environment's VPC, whoever uses the role", async () => {
    const secret = `arn:aws:secretsmanager:${REGION}:${account}:secret:coalition/${env}/django-secret-key-AbCdEf`;
    const object = `arn:aws:s3:::coalition-${env}-static-assets/a.css`;
    for (const sourceVpc of ["vpc-0aaaaaaaaaaaaaaaa", null]) {
      expect(await decide("secretsmanager:GetSecretValue", secret, sourceVpc)).toBe("ExplicitlyDenied");
      expect(await decide("s3:PutObject", object, sourceVpc)).toBe("ExplicitlyDenied");
      expect(await decide("s3:DeleteObject", object, sourceVpc)).toBe("ExplicitlyDenied");
    }
    // Reads that carry no data, and logs, need no VPC.
    expect(await decide("logs:PutLogEvents", `arn:aws:logs:${REGION}:${account}:log-group:/aws/lambda/coalition-${env}:log-stream:x`, null)).toBe("Allowed");
  });

  it("writes, reads and decrypts no data but its environment's, and never the Terraform state", async () => {
    const other = env === "prod" ? "dev" : "prod";
    const state = `arn:aws:s3:::coalition-terraform-state-${account}`;
    expect(await decide("s3:PutObject", `${state}/${env}/terraform.tfstate`)).toBe("ExplicitlyDenied");
    expect(await decide("s3:DeleteObject", `${state}/${env}/terraform.tfstate`)).toBe("ExplicitlyDenied");
    expect(await decide("s3:PutObject", `arn:aws:s3:::coalition-${other}-static-assets/a.css`)).toBe("ImplicitlyDenied");
    expect(await decide("s3:DeleteObject", `arn:aws:s3:::someone-elses-bucket/key`)).toBe("ImplicitlyDenied");
    expect(await decide("s3:PutObject", `arn:aws:s3:::coalition-${env}ops-x/key`)).toBe("ImplicitlyDenied");
    expect(await decide("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${account}:secret:coalition/${other}/django-secret-key-AbCdEf`)).toBe("ImplicitlyDenied");
    expect(await decide("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${SHARED}:secret:coalition/${other}/database-AbCdEf`)).toBe("ImplicitlyDenied");
    expect(await decide("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${FOREIGN}:secret:coalition/${env}/database-AbCdEf`)).toBe("ImplicitlyDenied");
    expect(await decide("kms:Decrypt", `arn:aws:kms:${REGION}:${FOREIGN}:key/0123abcd-0123-4567-89ab-0123456789ab`)).toBe("ImplicitlyDenied");
    expect(await decide("kms:Decrypt", `arn:aws:kms:${OTHER_REGION}:${account}:key/0123abcd-0123-4567-89ab-0123456789ab`)).toBe("ImplicitlyDenied");
  });
});

describe("the deploy roles' trust, as synthesized", () => {
  const repo = config.github.repo;
  const aud = "sts.amazonaws.com";
  const assume = (env: Environment, sub: string | undefined, audience = aud, providerAccount = config.accounts[env].accountId) => {
    const { trust, roleName } = synthesizedRolePolicies(stacks[env]);
    const context: Record<string, string> = { "token.actions.githubusercontent.com:aud": audience };
    if (sub !== undefined) context["token.actions.githubusercontent.com:sub"] = sub;
    return decideTrust(trust, {
      provider: `arn:aws:iam::${providerAccount}:oidc-provider/token.actions.githubusercontent.com`,
      role: `arn:aws:iam::${config.accounts[env].accountId}:role/${roleName}`,
      context,
    });
  };

  const rows: [Environment, string | undefined, Decision][] = [
    ["prod", `repo:${repo}:environment:prod`, "Allowed"],
    ["prod", `repo:${repo}:ref:refs/heads/main`, "Allowed"],
    ["prod", `repo:${repo}:pull_request`, "ImplicitlyDenied"],
    ["prod", `repo:${repo}:ref:refs/heads/development`, "ImplicitlyDenied"],
    ["prod", `repo:${repo}:environment:dev`, "ImplicitlyDenied"],
    ["prod", `repo:someone/coalition-builder:environment:prod`, "ImplicitlyDenied"],
    ["prod", `repo:${repo}-fork:environment:prod`, "ImplicitlyDenied"],
    ["prod", `repo:your-org/other-repo:ref:refs/heads/main`, "ImplicitlyDenied"],
    ["prod", undefined, "ImplicitlyDenied"],
    ["dev", `repo:${repo}:environment:dev`, "Allowed"],
    ["dev", `repo:${repo}:ref:refs/heads/development`, "Allowed"],
    ["dev", `repo:${repo}:pull_request`, "Allowed"],
    ["dev", `repo:${repo}:ref:refs/heads/main`, "ImplicitlyDenied"],
    ["dev", `repo:${repo}:environment:prod`, "ImplicitlyDenied"],
    ["shared", `repo:${repo}:environment:shared`, "Allowed"],
    ["shared", `repo:${repo}:ref:refs/heads/main`, "Allowed"],
    ["shared", `repo:${repo}:pull_request`, "ImplicitlyDenied"],
    ["shared", `repo:${repo}:environment:prod`, "ImplicitlyDenied"],
  ];

  it.each(rows)("%s role from sub %s → %s", (env, sub, expected) => {
    expect(assume(env, sub)).toBe(expected);
  });

  it.each(ENVIRONMENTS)("refuses the %s role with a wrong audience or another account's provider", (env) => {
    const sub = `repo:${repo}:environment:${env}`;
    expect(assume(env, sub)).toBe("Allowed");
    expect(assume(env, sub, "sts.amazonaws.com.example")).toBe("ImplicitlyDenied");
    expect(assume(env, sub, aud, FOREIGN)).toBe("ImplicitlyDenied");
  });
});
