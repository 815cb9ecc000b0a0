import { TerraformOutput, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import type { ApplicationConfig, ApplicationEnvironment, PlatformConfig } from "../src/config";
import { SharedState } from "../src/contract/shared-outputs";
import { AppSecrets } from "../src/constructs/app-secrets";
import { ApiDomain } from "../src/constructs/api-domain";
import { ContainerRepository } from "../src/constructs/container-repository";
import { Dns } from "../src/constructs/dns";
import { Email } from "../src/constructs/email";
import { GitHubOidc } from "../src/constructs/github-oidc";
import { LambdaRuntime } from "../src/constructs/lambda-runtime";
import { Monitoring } from "../src/constructs/monitoring";
import { Networking } from "../src/constructs/networking";
import { PlaceIndex } from "../src/constructs/place-index";
import { StaticAssets } from "../src/constructs/static-assets";
import { VpcPeering } from "../src/constructs/vpc-peering";
import { Waf } from "../src/constructs/waf";
import { AccountStack } from "../src/core/account-stack";
import { names } from "../src/naming/names";

/**
 * An application account (prod or dev): its VPC peered to the shared VPC that holds the database, and
 * everything around the Lambda function Zappa deploys — execution role and security group, secrets,
 * image repository, static assets, place index; with a domain (prod), its zone and certificate, the
 * API's custom domain, WAF and SES — plus monitoring and the deploy role.
 */
export class ApplicationStack extends AccountStack {
  readonly network: Networking;
  readonly peering: VpcPeering;
  readonly lambda: LambdaRuntime;
  readonly githubOidc: GitHubOidc;

  constructor(scope: Construct, config: PlatformConfig, environment: ApplicationEnvironment) {
    super(scope, { config, environment });
    const { network, accountId } = this.account;
    const app = config.applications[environment];
    const sharedAccountId = config.accounts.shared.accountId;
    const name = this.resourceName();
    // Names an earlier deployment gave what this stack takes over (migration.{env}.names), kept so nothing is replaced.
    const kept = config.migration?.[environment]?.names ?? {};

    const shared = new SharedState(this, "shared", {
      bucket: names.stateBucket(config.prefix, sharedAccountId),
      key: names.stateKey("shared"),
      region: config.region,
    });

    const endpointsSwitch = network.switchableEndpoints
      ? new TerraformVariable(this, "enable_vpc_endpoints", {
          type: "bool",
          default: true,
          nullable: false,
          description: "Keep the interface VPC endpoints; false removes them to save their hourly cost (Lambda then cannot reach those services)",
        })
      : undefined;

    this.network = new Networking(this, "network", {
      ...this.networkingProps("app"),
      interfaceEndpointsEnabled: endpointsSwitch?.booleanValue,
    });
    this.confineDataToVpc(this.network.vpc.id);

    // Deploys accept the peering through the accepter; pull-request plans read it through the read-only reader.
    const sharedRole = new TerraformVariable(this, names.sharedRoleVariable, {
      type: "string",
      default: names.peeringAccepterRole,
      nullable: false,
      description: `Role the aws.shared provider assumes in the shared account: ${names.peeringAccepterRole} to deploy, ${names.peeringReaderRole} for a read-only plan`,
      validation: [
        {
          condition: `\${contains(${JSON.stringify([names.peeringAccepterRole, names.peeringReaderRole])}, var.${names.sharedRoleVariable})}`,
          errorMessage: `${names.sharedRoleVariable} must be ${names.peeringAccepterRole} or ${names.peeringReaderRole}.`,
        },
      ],
    });
    this.peering = new VpcPeering(this, "peering", {
      name: this.resourceName("to-shared"),
      requester: { vpcId: this.network.vpc.id, vpcCidr: network.vpcCidr, routeTableId: this.network.privateRouteTable.id },
      accepter: {
        accountId: sharedAccountId,
        region: config.region,
        vpcId: shared.string("vpc_id"),
        vpcCidr: shared.string("vpc_cidr"),
        routeTableId: shared.string("db_route_table_id"),
      },
      accepterProvider: this.providerInAccount("shared", sharedAccountId, names.roleArn(sharedAccountId, sharedRole.stringValue)),
    });

    const secrets = new AppSecrets(this, "secrets", {
      name,
      djangoSecretKeyName: kept.djangoSecretKey ?? names.djangoSecretKey(config.prefix, environment),
      keyAlias: kept.secretsKeyAlias,
      accountId,
      region: config.region,
    });
    const images = new ContainerRepository(this, "images", { repositoryName: kept.imageRepository ?? name, keepImages: app.ecrKeepImages });
    const assets = new StaticAssets(this, "static", {
      bucketName: kept.assetsBucket ?? this.resourceName("static-assets"),
      versioned: app.versionedAssets,
      corsOrigins: app.corsOrigins,
      cdn: app.cdn,
    });
    const places = new PlaceIndex(this, "places", { indexName: this.resourceName("places") });
    const edge = this.edge(app, name);
    // The database login and URL live in the shared account, written by db:provision; never in state.
    const databaseSecretArn = shared.string(environment === "prod" ? "database_secret_arn_prod" : "database_secret_arn_dev");

    this.lambda = new LambdaRuntime(this, "lambda", {
      name,
      roleName: names.lambdaRole(config.prefix, environment),
      deploymentBucketName: kept.deploymentBucket,
      accountId,
      region: config.region,
      vpcId: this.network.vpc.id,
      vpcCidr: network.vpcCidr,
      databaseCidrs: shared.list("db_subnet_cidrs"),
      s3PrefixListId: this.network.s3Endpoint.prefixListId,
      logRetentionDays: config.monitoring.logRetentionDays,
      permissionsBoundaryArn: this.permissionsBoundaryArn,
      access: {
        secretArns: [secrets.djangoSecretKey.arn, databaseSecretArn],
        secretKeyArns: [secrets.key.arn, shared.string("database_key_arn")],
        assetsBucketArn: assets.bucket.arn,
        placeIndexArn: places.index.indexArn,
        email: edge.email && {
          identityArn: edge.email.identityArn,
          configurationSetArn: edge.email.configurationSetArn,
          domain: edge.email.domain,
        },
      },
    });

    const monitoring = new Monitoring(this, "monitoring", this.monitoringProps(this.network.vpc.id));

    this.githubOidc = new GitHubOidc(this, "github_oidc", {
      ...this.githubOidcProps(),
      peeringAccountIds: [sharedAccountId],
      sharedStateAccountId: sharedAccountId,
      // Kept bucket names lie outside `{prefix}-{env}-*`; the deploy role may change them too.
      extraS3Prefixes: [kept.assetsBucket, kept.deploymentBucket].flatMap((bucket) => (bucket ? [names.bucketFamily(bucket)] : [])),
    });

    // What the Lambda deploy workflow (Zappa settings) reads with `terraform output`.
    const outputs: Record<string, [string | string[], string]> = {
      lambda_role_name: [this.lambda.role.name, "Zappa role_name"],
      lambda_role_arn: [this.lambda.role.arn, "Execution role of the Lambda function"],
      zappa_bucket: [this.lambda.deploymentBucket.name, "Zappa s3_bucket"],
      lambda_subnet_ids: [this.network.privateSubnets.map((subnet) => subnet.id), "Zappa vpc_config.SubnetIds"],
      lambda_security_group_id: [this.lambda.securityGroup.id, "Zappa vpc_config.SecurityGroupIds"],
      database_url_secret_arn: [databaseSecretArn, "Secret (shared account) with the database login and DATABASE_URL"],
      django_secret_key_arn: [secrets.djangoSecretKey.arn, "Secret with Django's SECRET_KEY"],
      ecr_repository_url: [images.repository.repositoryUrl, "Repository of the Lambda image"],
      static_assets_bucket: [assets.bucket.name, "Bucket of the static files"],
      static_assets_domain: [assets.distribution?.domainName ?? assets.bucket.bucket.bucketRegionalDomainName, "Where the static files are served from"],
      place_index_name: [places.index.indexName, "Location Service place index"],
      alert_topic_arn: [monitoring.topic.arn, "Alert topic of the account"],
      peering_connection_id: [this.peering.activeConnectionId, "VPC peering with the shared account"],
      ...(edge.dns && {
        name_servers: [edge.dns.nameServers, "Set these at the domain's registrar"],
        acm_certificate_arn: [edge.dns.certificateArn, "Validated certificate for the apex and its wildcard"],
      }),
      ...(edge.api && { api_domain_name: [edge.api.domainName, "The API's custom domain (with enable_api_custom_domain)"] }),
      ...(edge.waf && { waf_web_acl_arn: [edge.waf.webAcl.arn, "Web ACL in front of the API"] }),
      ...(edge.email && { email_notification_topic_arn: [edge.email.notificationTopic.arn, "SES bounces and complaints"] }),
    };
    for (const [id, [value, description]] of Object.entries(outputs)) new TerraformOutput(this, id, { value, description });
  }

  /** The domain's zone and certificate, the API's custom domain, WAF and SES: only with a domain. */
  private edge(app: ApplicationConfig, name: string) {
    if (!app.domain) return {};
    const { accountId } = this.account;
    // With email, the apex TXT values share the record set of the SPF the email construct writes.
    const apexTxt = (record: { name: string; type: string }) => Boolean(app.email) && record.name === "@" && record.type === "TXT";
    const dns = new Dns(this, "dns", {
      name,
      domain: app.domain,
      adoptZoneId: app.hostedZoneId,
      records: app.dnsRecords.filter((record) => !apexTxt(record)),
    });
    // Zappa creates the REST API on its first deploy; the custom domain can be switched on after that.
    const apiSwitch = new TerraformVariable(this, "enable_api_custom_domain", {
      type: "bool",
      default: false,
      nullable: false,
      description: "Map api.{domain} to Zappa's REST API; turn on once `zappa deploy` has created the API",
    });
    const api = new ApiDomain(this, "api", {
      enabled: apiSwitch.booleanValue,
      restApiName: name,
      stageName: this.environment,
      region: this.config.region,
      zone: dns,
    });
    const waf = app.waf
      ? new Waf(this, "waf", { name, apiStage: { arn: api.stageArn, enabled: api.enabled }, rateLimit: app.wafRateLimit })
      : undefined;
    const email = app.email
      ? new Email(this, "email", {
          name,
          accountId,
          region: this.config.region,
          zone: dns,
          senderRoleArn: names.lambdaRoleArn(this.config.prefix, this.environment, accountId),
          dmarcReportEmail: app.dmarcReportEmail ?? `dmarc@${app.domain}`,
          apexTxtValues: app.dnsRecords.filter(apexTxt).flatMap((record) => record.values ?? []),
        })
      : undefined;
    return { dns, api, waf, email };
  }
}
