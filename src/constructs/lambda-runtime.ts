import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { type LambdaExecutionInput, lambdaExecutionPolicy, serviceTrustPolicy } from "../policies";
import { POSTGRES_PORT } from "./database";
import { PrivateBucket } from "./private-bucket";

export interface LambdaRuntimeProps {
  /** Zappa's `{project}-{stage}`: the function's name, and the prefix of this construct's names. */
  readonly name: string;
  /** The execution role's name; the shared account lets exactly this role read the database secret. */
  readonly roleName: string;
  /** The bucket Zappa uploads packages to. Default `{name}-zappa`. */
  readonly deploymentBucketName?: string;
  readonly accountId: string;
  readonly region: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** The shared database subnets, the only place the function may reach on 5432. */
  readonly databaseCidrs: string[];
  /** Prefix list of the VPC's S3 gateway endpoint, for HTTPS to S3. */
  readonly s3PrefixListId: string;
  readonly logRetentionDays: number;
  /** The account's permissions boundary, which the execution role carries. */
  readonly permissionsBoundaryArn: string;
  /** What the application may use besides its network and logs. */
  readonly access: Omit<LambdaExecutionInput, "accountId" | "region" | "functionName">;
}

/**
 * Everything Zappa's Lambda function runs with, which Terraform owns: its execution role (least
 * privilege), its security group (out only to the database and to HTTPS inside the VPC and S3), its log
 * group with retention, and the private bucket Zappa uploads packages to.
 */
export class LambdaRuntime extends Construct {
  readonly role: IamRole;
  readonly securityGroup: SecurityGroup;
  readonly deploymentBucket: PrivateBucket;

  constructor(scope: Construct, id: string, props: LambdaRuntimeProps) {
    super(scope, id);
    this.deploymentBucket = new PrivateBucket(this, "deployments", {
      bucketName: props.deploymentBucketName ?? `${props.name}-zappa`,
      versioned: true,
      noncurrentVersionDays: 30,
    });

    new CloudwatchLogGroup(this, "logs", { name: `/aws/lambda/${props.name}`, retentionInDays: props.logRetentionDays });
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: `Execution role of the ${props.name} Lambda function (Zappa)`,
      assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com", props.accountId)),
      permissionsBoundary: props.permissionsBoundaryArn,
      tags: { Name: props.roleName },
    });
    new IamRolePolicy(this, "policy", {
      role: this.role.name,
      name: "application",
      policy: JSON.stringify(
        lambdaExecutionPolicy({ ...props.access, accountId: props.accountId, region: props.region, functionName: props.name }),
      ),
    });

    this.securityGroup = new SecurityGroup(this, "security_group", {
      name: `${props.name}-lambda`,
      description: `Lambda functions of ${props.name}`,
      vpcId: props.vpcId,
      ingress: [],
      egress: [
        {
          description: "PostgreSQL in the shared database subnets",
          protocol: "tcp",
          fromPort: POSTGRES_PORT,
          toPort: POSTGRES_PORT,
          cidrBlocks: props.databaseCidrs,
        },
        { description: "HTTPS to the interface endpoints", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [props.vpcCidr] },
        { description: "HTTPS to S3 through the gateway endpoint", protocol: "tcp", fromPort: 443, toPort: 443, prefixListIds: [props.s3PrefixListId] },
      ],
      tags: { Name: `${props.name}-lambda` },
    });
  }
}
