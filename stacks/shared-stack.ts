import type { Construct } from "constructs";
import { APPLICATION_ENVIRONMENTS, type PlatformConfig } from "../src/config";
import { declareSharedOutputs } from "../src/contract/shared-outputs";
import { Bastion } from "../src/constructs/bastion";
import { Database } from "../src/constructs/database";
import { DatabaseCredentials } from "../src/constructs/database-credentials";
import { GitHubOidc } from "../src/constructs/github-oidc";
import { Monitoring } from "../src/constructs/monitoring";
import { Networking } from "../src/constructs/networking";
import { AccountStack } from "../src/core/account-stack";
import { names } from "../src/naming/names";

/**
 * The shared account: the network and the PostgreSQL database that prod and dev reach through VPC
 * peering, the bastion, monitoring and budget, and the deploy role. Publishes the shared outputs.
 */
export class SharedStack extends AccountStack {
  readonly network: Networking;
  readonly database: Database;
  readonly githubOidc: GitHubOidc;

  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, { config, environment: "shared" });
    const { network } = this.account;
    const { accountId } = this.account;
    const lambdaRoleArn = (env: (typeof APPLICATION_ENVIRONMENTS)[number]) => names.lambdaRoleArn(config.prefix, env, config.accounts[env].accountId);
    // Names an earlier deployment gave what this stack takes over (migration.shared.names), kept so nothing is replaced.
    const kept = config.migration?.shared?.names ?? {};

    this.network = new Networking(this, "network", this.networkingProps("db"));
    this.confineDataToVpc(this.network.vpc.id);

    this.database = new Database(this, "database", {
      ...config.database,
      identifier: kept.databaseIdentifier ?? this.resourceName("db"),
      adopted: config.migration?.shared !== undefined,
      subnetGroupName: kept.databaseSubnetGroup,
      keyAlias: kept.databaseKeyAlias,
      accountId,
      region: config.region,
      vpcId: this.network.vpc.id,
      subnetIds: this.network.privateSubnets.map((subnet) => subnet.id),
      clientCidrs: APPLICATION_ENVIRONMENTS.flatMap((env) => config.accounts[env].network.privateSubnetCidrs),
      logRetentionDays: config.monitoring.logRetentionDays,
      secretReaderArns: APPLICATION_ENVIRONMENTS.map(lambdaRoleArn),
    });
    if (!config.database.deletionProtection) {
      this.suppress("RDS_DELETION_PROTECTION", "aws_db_instance.database_instance", "database.deletionProtection is false in the configuration");
    }
    const credentials = new DatabaseCredentials(this, "app_database_credentials", {
      environments: APPLICATION_ENVIRONMENTS.map((env) => ({
        env,
        secretName: names.appDatabaseSecret(config.prefix, env),
        readerRoleArn: lambdaRoleArn(env),
      })),
      kmsKeyArn: this.database.key.arn,
    });

    const bastion = config.bastion.enabled
      ? new Bastion(this, "bastion", {
          name: this.resourceName("bastion"),
          vpcId: this.network.vpc.id,
          subnetId: this.firstPublicSubnetId(),
          instanceType: config.bastion.instanceType,
          sshCidrs: config.bastion.sshCidrs,
          publicKey: config.bastion.publicKey,
          databaseCidrs: network.privateSubnetCidrs,
          postgresVersion: config.database.engineVersion,
          permissionsBoundaryArn: this.permissionsBoundaryArn,
        })
      : undefined;
    if (bastion) this.database.allowFrom("bastion", bastion.securityGroup.id, "PostgreSQL from the bastion");

    const monitoring = new Monitoring(this, "monitoring", {
      ...this.monitoringProps(this.network.vpc.id),
      database: {
        instanceIdentifier: this.database.instance.identifier,
        allocatedStorageGb: config.database.allocatedStorageGb,
        maxConnections: config.monitoring.maxDatabaseConnections,
      },
    });

    this.githubOidc = new GitHubOidc(this, "github_oidc", this.githubOidcProps());

    declareSharedOutputs(this, {
      vpc_id: this.network.vpc.id,
      vpc_cidr: this.network.vpc.cidrBlock,
      db_subnet_ids: this.network.privateSubnets.map((subnet) => subnet.id),
      db_subnet_cidrs: this.network.privateSubnets.map((subnet) => subnet.cidrBlock),
      db_route_table_id: this.network.privateRouteTable.id,
      database_endpoint: this.database.instance.endpoint,
      database_address: this.database.instance.address,
      database_port: this.database.instance.port,
      database_master_secret_arn: this.database.masterSecretArn,
      database_security_group_id: this.database.securityGroup.id,
      database_key_arn: this.database.key.arn,
      database_secret_arn_prod: credentials.secrets.prod!.arn,
      database_secret_arn_dev: credentials.secrets.dev!.arn,
      bastion_instance_id: bastion?.instance.id ?? "",
      bastion_public_ip: bastion?.instance.publicIp ?? "",
      alert_topic_arn: monitoring.topic.arn,
    });
  }

  private firstPublicSubnetId(): string {
    const [subnet] = this.network.publicSubnets;
    if (!subnet) throw new Error("The bastion needs a public subnet: set accounts.shared.network.publicSubnetCidrs or bastion.enabled: false");
    return subnet.id;
  }
}
