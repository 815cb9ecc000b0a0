/**
 * The price table behind `npm run cost`: on-demand list prices in USD, per region, from the AWS public price
 * pages (aws.amazon.com/<service>/pricing: VPC/PrivateLink, RDS for PostgreSQL, EC2 on-demand and EBS, KMS,
 * Secrets Manager, Route 53, WAF, CloudWatch, ECR), written on 2026-12-02.
 *
 * They are list prices to be refreshed: look each unit price below up again on its service's pricing page
 * (on-demand, the region's column), update the numbers and the `retrieved` date, and add any instance class or
 * type the configuration starts using. To price another region, add its entry to PRICE_TABLES; the
 * classification of resource types (RESOURCE_PRICING) is the same everywhere.
 */

/** The hours AWS bills in a month. */
export const HOURS_PER_MONTH = 730;

/** One region's unit prices, USD. */
export interface RegionPrices {
  /** Where the prices come from. */
  readonly source: string;
  /** When they were read (YYYY-MM-DD). */
  readonly retrieved: string;
  /** Interface VPC endpoint, per endpoint per zone (subnet), per hour. */
  readonly interfaceEndpointHour: number;
  /** RDS for PostgreSQL single-AZ instance, per hour, by instance class; multi-AZ (one standby) is twice this. */
  readonly rdsPostgresInstanceHour: Readonly<Record<string, number>>;
  /** RDS storage, per GB-month of allocated storage, by storage type (single-AZ; multi-AZ is twice this). */
  readonly rdsStorageGbMonth: Readonly<Record<string, number>>;
  /** EC2 Linux on-demand instance, per hour, by instance type. */
  readonly ec2InstanceHour: Readonly<Record<string, number>>;
  /** EBS volume, per GB-month, by volume type. */
  readonly ebsGbMonth: Readonly<Record<string, number>>;
  /** A public IPv4 address (an instance's or an Elastic IP), per hour. */
  readonly publicIpv4Hour: number;
  /** A customer managed KMS key, per month. */
  readonly kmsKeyMonth: number;
  /** A Secrets Manager secret, per month. */
  readonly secretMonth: number;
  /** A Route 53 hosted zone (of the first 25), per month. */
  readonly hostedZoneMonth: number;
  /** A WAF web ACL, per month. */
  readonly wafWebAclMonth: number;
  /** A rule of a WAF web ACL (a managed rule group counts as one), per month. */
  readonly wafRuleMonth: number;
  /** A standard-resolution CloudWatch metric alarm, per month. */
  readonly standardAlarmMonth: number;
  /** A high-resolution (period under 60 s) CloudWatch metric alarm, per month. */
  readonly highResolutionAlarmMonth: number;
  /** ECR storage, per GB-month. */
  readonly ecrStorageGbMonth: number;
}

/** Estimates for quantities a Terraform configuration does not state. */
export const ASSUMPTIONS = {
  /** Images an ECR repository is assumed to hold, in GB (its lifecycle policy bounds the count, not the size). */
  ecrStoredGb: 2,
  /** Root volume of an instance whose configuration gives no size, GB (the Amazon Linux 2023 AMI's). */
  defaultRootVolumeGb: 8,
  /** Volume type of a root volume whose configuration gives none. */
  defaultRootVolumeType: "gp3",
  /** Storage type of an RDS instance whose configuration gives none (the provider's default for new instances). */
  defaultRdsStorageType: "gp2",
  /**
   * Elements of a list a plan does not know yet (the subnets of an interface endpoint created with its subnets):
   * one, as the platform puts its interface endpoints in one zone.
   */
  unknownListLength: 1,
} as const;

/** Unit prices by region. */
export const PRICE_TABLES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": {
    source: "AWS public price pages, on-demand, USD, US East (N. Virginia)",
    retrieved: "2026-12-02",
    interfaceEndpointHour: 0.01,
    rdsPostgresInstanceHour: {
      "db.t4g.micro": 0.016,
      "db.t4g.small": 0.032,
      "db.t4g.medium": 0.065,
      "db.t4g.large": 0.129,
      "db.t3.micro": 0.018,
      "db.t3.small": 0.036,
      "db.t3.medium": 0.072,
      "db.t3.large": 0.145,
      "db.m6g.large": 0.159,
      "db.m7g.large": 0.168,
      "db.r6g.large": 0.225,
      "db.r7g.large": 0.239,
    },
    rdsStorageGbMonth: { gp2: 0.115, gp3: 0.115 },
    ec2InstanceHour: {
      "t4g.nano": 0.0042,
      "t4g.micro": 0.0084,
      "t4g.small": 0.0168,
      "t4g.medium": 0.0336,
      "t3.nano": 0.0052,
      "t3.micro": 0.0104,
      "t3.small": 0.0208,
      "t3.medium": 0.0416,
    },
    ebsGbMonth: { gp3: 0.08, gp2: 0.1 },
    publicIpv4Hour: 0.005,
    kmsKeyMonth: 1,
    secretMonth: 0.4,
    hostedZoneMonth: 0.5,
    wafWebAclMonth: 5,
    wafRuleMonth: 1,
    standardAlarmMonth: 0.1,
    highResolutionAlarmMonth: 0.3,
    ecrStorageGbMonth: 0.1,
  },
};

/** How a resource type is costed: by its fixed monthly part, or not at all, with the reason. */
export type ResourcePricing =
  | { readonly basis: "priced"; readonly unit: string }
  | { readonly basis: "usage-based" | "free"; readonly reason: string };

const priced = (unit: string): ResourcePricing => ({ basis: "priced", unit });
const usage = (reason: string): ResourcePricing => ({ basis: "usage-based", reason });
const free = (reason: string): ResourcePricing => ({ basis: "free", reason });

/** Every resource type the stacks may declare, with how it is costed. A type missing here fails the tests. */
export const RESOURCE_PRICING: Readonly<Record<string, ResourcePricing>> = {
  aws_vpc_endpoint: priced("Interface: per zone (subnet)-hour; Gateway (S3): free"),
  aws_db_instance: priced(
    "instance class-hours + allocated storage GB-month, both doubled for multi-AZ; backup up to the storage size is free, beyond it estimated 0; the master password secret RDS creates is not included",
  ),
  aws_instance: priced("instance type-hours + root volume GB-month + public IPv4 hours when it has one"),
  aws_eip: priced("public IPv4 hours"),
  aws_kms_key: priced("per key-month (each of the first two yearly rotations later adds as much)"),
  aws_secretsmanager_secret: priced("per secret-month (API calls usage-based)"),
  aws_route53_zone: priced("per hosted zone-month (queries usage-based)"),
  aws_wafv2_web_acl: priced("per web ACL-month + per rule-month (requests usage-based)"),
  aws_cloudwatch_metric_alarm: priced("per alarm-month, standard or high resolution"),
  aws_ecr_repository: priced("estimated stored GB-month (see ASSUMPTIONS.ecrStoredGb)"),

  aws_acm_certificate: free("public ACM certificates cost nothing"),
  aws_acm_certificate_validation: free("a Terraform wait, no AWS object"),
  aws_api_gateway_base_path_mapping: free("a mapping; API requests are billed on the API Zappa deploys"),
  aws_api_gateway_domain_name: free("custom domain names cost nothing; requests are billed on the API"),
  aws_budgets_budget: free("budgets without actions cost nothing"),
  aws_ce_anomaly_monitor: free("Cost Anomaly Detection costs nothing"),
  aws_ce_anomaly_subscription: free("Cost Anomaly Detection costs nothing"),
  aws_cloudfront_distribution: usage("requests and data transfer out (beyond the always-free tier)"),
  aws_cloudfront_origin_access_control: free("configuration only"),
  aws_cloudwatch_log_group: usage("GB ingested and GB-month stored"),
  aws_db_parameter_group: free("configuration only"),
  aws_db_subnet_group: free("configuration only"),
  aws_default_security_group: free("security groups cost nothing"),
  aws_dynamodb_table: usage("on-demand requests and GB-month stored (the state lock table)"),
  aws_ecr_lifecycle_policy: free("configuration only"),
  aws_flow_log: usage("vended log GB delivered to CloudWatch Logs"),
  aws_iam_instance_profile: free("IAM costs nothing"),
  aws_iam_openid_connect_provider: free("IAM costs nothing"),
  aws_iam_policy: free("IAM costs nothing"),
  aws_iam_role: free("IAM costs nothing"),
  aws_iam_role_policy: free("IAM costs nothing"),
  aws_iam_role_policy_attachment: free("IAM costs nothing"),
  aws_internet_gateway: free("no charge; data transfer is usage-based"),
  aws_key_pair: free("EC2 key pairs cost nothing"),
  aws_kms_alias: free("aliases cost nothing"),
  aws_location_place_index: usage("Amazon Location bills place index requests, not the index"),
  aws_route: free("routing costs nothing"),
  aws_route53_record: free("records cost nothing; queries are usage-based (alias queries to AWS free)"),
  aws_route_table: free("routing costs nothing"),
  aws_route_table_association: free("routing costs nothing"),
  aws_s3_bucket: usage("GB-month stored and requests"),
  aws_s3_bucket_cors_configuration: free("configuration only"),
  aws_s3_bucket_lifecycle_configuration: free("configuration only (transitions are per request)"),
  aws_s3_bucket_ownership_controls: free("configuration only"),
  aws_s3_bucket_policy: free("configuration only"),
  aws_s3_bucket_public_access_block: free("configuration only"),
  aws_s3_bucket_server_side_encryption_configuration: free("configuration only (KMS requests usage-based)"),
  aws_s3_bucket_versioning: free("configuration only (old versions are billed as storage)"),
  aws_secretsmanager_secret_policy: free("configuration only"),
  aws_security_group: free("security groups cost nothing"),
  aws_ses_domain_identity_verification: free("a Terraform wait, no AWS object"),
  aws_sesv2_configuration_set: free("configuration only"),
  aws_sesv2_configuration_set_event_destination: usage("events published to SNS are billed per notification"),
  aws_sesv2_email_identity: usage("SES bills messages sent, not identities"),
  aws_sesv2_email_identity_mail_from_attributes: free("configuration only"),
  aws_sesv2_email_identity_policy: free("configuration only"),
  aws_sns_topic: usage("publishes and deliveries (beyond the free tier)"),
  aws_sns_topic_policy: free("configuration only"),
  aws_sns_topic_subscription: usage("deliveries (email: first 1,000 a month free)"),
  aws_subnet: free("subnets cost nothing"),
  aws_vpc: free("VPCs cost nothing"),
  aws_vpc_peering_connection: free("no hourly charge; cross-zone data transfer is usage-based"),
  aws_vpc_peering_connection_accepter: free("no hourly charge"),
  aws_vpc_peering_connection_options: free("configuration only"),
  aws_vpc_security_group_egress_rule: free("security group rules cost nothing"),
  aws_vpc_security_group_ingress_rule: free("security group rules cost nothing"),
  aws_wafv2_web_acl_association: free("an association; the web ACL carries the charge"),
};

/** The unit prices of a region, or an error naming the regions the table has. */
export function regionPrices(region: string): RegionPrices {
  const prices = PRICE_TABLES[region];
  if (!prices) {
    throw new PriceError(`no price table for region ${region}; src/cost/prices.ts has ${Object.keys(PRICE_TABLES).join(", ")}`);
  }
  return prices;
}

/** A resource the table cannot price: an unknown type, region, instance class or storage type. */
export class PriceError extends Error {}
