import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { EncryptionKey } from "./kms-key";

export const POSTGRES_PORT = 5432;

export interface DatabaseProps {
  /** RDS identifier, also the prefix of the database's other names, e.g. `coalition-shared-db`. */
  readonly identifier: string;
  /** The subnet group's name. Default: the identifier. */
  readonly subnetGroupName?: string;
  /** The key's alias, without `alias/`. Default: the identifier. */
  readonly keyAlias?: string;
  readonly accountId: string;
  readonly region: string;
  readonly vpcId: string;
  /** Database subnets in two zones, without any route to the internet. */
  readonly subnetIds: string[];
  /** PostgreSQL major version, e.g. "16"; AWS applies minor versions in the maintenance window. */
  readonly engineVersion: string;
  readonly instanceClass: string;
  readonly allocatedStorageGb: number;
  /** Storage autoscaling limit. */
  readonly maxAllocatedStorageGb: number;
  readonly backupRetentionDays: number;
  /** Deletion protection, a final snapshot and `prevent_destroy`; false only to delete on purpose. */
  readonly deletionProtection: boolean;
  readonly multiAz: boolean;
  readonly performanceInsights: boolean;
  /** Master user; RDS generates its password and keeps it in Secrets Manager. */
  readonly masterUsername: string;
  /** Address ranges that may connect on 5432: the application subnets of the peered VPCs. */
  readonly clientCidrs: readonly string[];
  readonly logRetentionDays: number;
  /** Roles in other accounts that may read secrets encrypted with the database key (via Secrets Manager only). */
  readonly secretReaderArns?: readonly string[];
  /**
   * The instance may be one an earlier deployment created with a password of its own: RDS makes its master secret
   * only when the apply switches it to a managed password, so until then `masterSecretArn` is empty. Default false.
   */
  readonly adopted?: boolean;
}

/**
 * The shared PostgreSQL on RDS: private, encrypted with its own key, TLS only, backed up, logging to
 * CloudWatch, reachable on 5432 only from the given ranges and from security groups given to `allowFrom`.
 */
export class Database extends Construct {
  readonly instance: DbInstance;
  readonly securityGroup: SecurityGroup;
  readonly key: EncryptionKey;
  private readonly adopted: boolean;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    if (props.subnetIds.length < 2) throw new Error("Database: subnetIds must cover two zones");
    if (props.clientCidrs.some((cidr) => cidr.endsWith("/0"))) throw new Error("Database: clientCidrs must not include the whole internet");
    const name = props.identifier;
    const protect = props.deletionProtection;
    this.adopted = props.adopted ?? false;

    this.key = new EncryptionKey(this, "encryption", {
      alias: props.keyAlias ?? name,
      description: `Encrypts ${name}, its snapshots and its secrets`,
      accountId: props.accountId,
      region: props.region,
      externalSecretReaderArns: props.secretReaderArns,
    });
    const subnetGroup = new DbSubnetGroup(this, "subnet_group", { name: props.subnetGroupName ?? name, subnetIds: props.subnetIds, tags: { Name: name } });
    const parameters = new DbParameterGroup(this, "parameters", {
      name: `${name}-postgres${props.engineVersion}`,
      family: `postgres${props.engineVersion}`,
      description: `TLS-only settings for ${name}`,
      parameter: [
        { name: "rds.force_ssl", value: "1" },
        { name: "password_encryption", value: "scram-sha-256" },
        { name: "log_connections", value: "1" },
      ],
      // The name carries the version, so a major upgrade can create the new group before dropping the old.
      lifecycle: { preventDestroy: protect, createBeforeDestroy: true },
      tags: { Name: name },
    });

    this.securityGroup = new SecurityGroup(this, "security_group", {
      name,
      description: `PostgreSQL clients of ${name}`,
      vpcId: props.vpcId,
      tags: { Name: name },
    });
    for (const cidr of props.clientCidrs) {
      new VpcSecurityGroupIngressRule(this, `client_${cidr.replace(/[./]/g, "_")}`, {
        securityGroupId: this.securityGroup.id,
        description: `PostgreSQL from ${cidr}`,
        ipProtocol: "tcp",
        fromPort: POSTGRES_PORT,
        toPort: POSTGRES_PORT,
        cidrIpv4: cidr,
      });
    }

    // Created first, so the exported logs get a retention instead of RDS creating them without one.
    const logGroups = ["postgresql", "upgrade"].map(
      (log) =>
        new CloudwatchLogGroup(this, `${log}_logs`, {
          name: `/aws/rds/instance/${name}/${log}`,
          retentionInDays: props.logRetentionDays,
        }),
    );

    this.instance = new DbInstance(this, "instance", {
      identifier: name,
      engine: "postgres",
      engineVersion: props.engineVersion,
      instanceClass: props.instanceClass,
      allocatedStorage: props.allocatedStorageGb,
      maxAllocatedStorage: props.maxAllocatedStorageGb,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: this.key.arn,
      username: props.masterUsername,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: this.key.arn,
      dbSubnetGroupName: subnetGroup.name,
      parameterGroupName: parameters.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      multiAz: props.multiAz,
      backupRetentionPeriod: props.backupRetentionDays,
      backupWindow: "03:00-04:00",
      maintenanceWindow: "sun:04:30-sun:05:30",
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      deletionProtection: protect,
      skipFinalSnapshot: !protect,
      finalSnapshotIdentifier: protect ? `${name}-final` : undefined,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      performanceInsightsEnabled: props.performanceInsights,
      performanceInsightsKmsKeyId: props.performanceInsights ? this.key.arn : undefined,
      performanceInsightsRetentionPeriod: props.performanceInsights ? 7 : undefined,
      dependsOn: logGroups,
      lifecycle: { preventDestroy: protect },
      tags: { Name: name },
    });
  }

  /** Lets members of another security group (the bastion) connect on 5432. */
  allowFrom(id: string, securityGroupId: string, description: string): void {
    new VpcSecurityGroupIngressRule(this, `client_${id}`, {
      securityGroupId: this.securityGroup.id,
      description,
      ipProtocol: "tcp",
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      referencedSecurityGroupId: securityGroupId,
    });
  }

  /** ARN of the master user's secret, which RDS creates and rotates. */
  get masterSecretArn(): string {
    const arn = this.instance.masterUserSecret.get(0).secretArn;
    return this.adopted ? Token.asString(Fn.try([arn, ""])) : arn;
  }
}
