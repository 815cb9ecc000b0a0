import type { ApplicationConfig, Environment } from "../config";

/**
 * The HCL implementation's resources (its modules' addresses, as its state holds them) and what this project does
 * with each when it takes that state over. The rules are data; src/migrate/plan.ts applies them.
 */

/** A physical name read from the state and kept (configuration `migration.{env}.names.{slot}`). */
export interface KeptName {
  readonly slot: string;
  /** The state attribute holding the name. */
  readonly attribute: string;
  /** A prefix the state writes that the configuration leaves out (`alias/` of a KMS alias). */
  readonly strip?: string;
}

/** What happens to one instance of the earlier deployment's state. */
export type Disposition =
  /** Moved to this address of the stack (the instance key is added when the stack's resource is counted). */
  | { readonly kind: "move"; readonly to: string; readonly keep?: KeptName; readonly replacedBy?: string }
  /** Forgotten by Terraform (`removed`, `destroy = false`): the object stays in AWS as it is. */
  | { readonly kind: "forget"; readonly reason: string }
  /** Of another type here: forgotten at its address and imported, by the same object's id, at this one. */
  | { readonly kind: "import"; readonly to: string; readonly idAttribute: string; readonly reason: string }
  /** A record of the old hosted zone: forgotten, and carried into the prod zone's records unless the stack writes it. */
  | { readonly kind: "record"; readonly writtenHere?: (prod: ApplicationConfig) => boolean };

export interface HclRule {
  /**
   * The resource address, module path included; `*` stands for any resource name, and an instance key (`[0]`,
   * `["ses"]`) limits the rule to that instance.
   */
  readonly match: string;
  /** The environments whose state holds it; all three when absent. */
  readonly envs?: readonly Environment[];
  readonly then: Disposition;
  /** What changes for the people running the platform, said once in the report when the rule applies. */
  readonly note?: string;
}

const move = (to: string, extra: { keep?: KeptName; replacedBy?: string } = {}): Disposition => ({ kind: "move", to, ...extra });
const forget = (reason: string): Disposition => ({ kind: "forget", reason });
const keep = (slot: string, attribute: string, strip?: string): KeptName => ({ slot, attribute, strip });

const APPS: readonly Environment[] = ["prod", "dev"];

/** Notes on what differs from the earlier deployment's design, each said once. */
export const NOTES = {
  zone:
    "The domain's hosted zone moves from the shared account to prod: the prod stack creates a zone of its own holding the carried records (applications.prod.dnsRecords) and its own. Once prod is applied, set the registrar's name servers to the prod stack's output name_servers; the old zone keeps answering until then, and stays until you delete it.",
  zappa:
    "Zappa's function keeps running with the old execution role, security group, place index and secrets until its next deploy: deploy it with this stack's outputs (lambda_role_name, lambda_security_group_id, place_index_name, database_url_secret_arn, django_secret_key_arn, zappa_bucket), then delete the old ones.",
  publicBucket:
    "Public asset buckets end: this project's asset bucket is private and read through CloudFront (Origin Access Control); the public second bucket is forgotten with its objects, and its CloudFront distribution keeps serving until you delete them.",
  devPublicBucket:
    "dev's asset bucket, publicly readable before, becomes private: the application reads it with its role, browsers no longer can.",
  waf:
    "The web ACL, attached to nothing before, is replaced by one associated with the API's stage (once enable_api_custom_domain is true).",
  apiDomain:
    "The state holds the API's custom domain: plan and apply with -var enable_api_custom_domain=true, or Terraform destroys it.",
  databaseSecret:
    "The application's database login moves to the shared account ({prefix}/{env}/database, written by npm run db:provision); the old database URL secret keeps its value until you delete it.",
  deployPolicies:
    "The deploy role keeps its old inline policies next to this project's (it runs the apply, so they are not removed under it): delete them with aws iam delete-role-policy once the first apply has succeeded.",
  sesIdentity:
    "The SES domain identity is taken over by the SES v2 resource (an import of the same identity): its DKIM tokens, and so its DKIM records, stay the same.",
} as const;

const ZONE_RECORD: Disposition = { kind: "record" };

/** Everything the HCL implementation's three environments hold, module by module (first match wins). */
export const HCL_RULES: readonly HclRule[] = [
  // networking
  { match: "module.networking.aws_vpc.main", then: move("aws_vpc.network_vpc") },
  { match: "module.networking.aws_subnet.public_a", then: move("aws_subnet.network_public_a") },
  { match: "module.networking.aws_subnet.public_b", then: move("aws_subnet.network_public_b") },
  { match: "module.networking.aws_subnet.private_a", then: move("aws_subnet.network_app_a") },
  { match: "module.networking.aws_subnet.private_b", then: move("aws_subnet.network_app_b") },
  { match: "module.networking.aws_subnet.private_db_a", then: move("aws_subnet.network_db_a") },
  { match: "module.networking.aws_subnet.private_db_b", then: move("aws_subnet.network_db_b") },
  { match: "module.networking.aws_internet_gateway.igw", then: move("aws_internet_gateway.network_internet_gateway") },
  { match: "module.networking.aws_route_table.public", then: move("aws_route_table.network_public_route_table") },
  { match: "module.networking.aws_route.public_internet_gateway_new", then: move("aws_route.network_public_internet_route") },
  { match: "module.networking.aws_route_table.private_app", then: move("aws_route_table.network_app_route_table") },
  { match: "module.networking.aws_route_table.private_db", then: move("aws_route_table.network_db_route_table") },
  { match: "module.networking.aws_route_table_association.public_a", then: move("aws_route_table_association.network_public_a_route_table") },
  { match: "module.networking.aws_route_table_association.public_b", then: move("aws_route_table_association.network_public_b_route_table") },
  { match: "module.networking.aws_route_table_association.private_app_a", then: move("aws_route_table_association.network_app_a_route_table") },
  { match: "module.networking.aws_route_table_association.private_app_b", then: move("aws_route_table_association.network_app_b_route_table") },
  { match: "module.networking.aws_route_table_association.private_db_a", then: move("aws_route_table_association.network_db_a_route_table") },
  { match: "module.networking.aws_route_table_association.private_db_b", then: move("aws_route_table_association.network_db_b_route_table") },
  { match: "module.networking.aws_vpc_endpoint.s3", then: move("aws_vpc_endpoint.network_s3_endpoint") },
  { match: 'module.networking.aws_vpc_endpoint.interface["secretsmanager"]', then: move("aws_vpc_endpoint.network_secretsmanager_endpoint") },
  { match: 'module.networking.aws_vpc_endpoint.interface["geo_places"]', then: move("aws_vpc_endpoint.network_geo_places_endpoint") },
  { match: 'module.networking.aws_vpc_endpoint.interface["logs"]', then: move("aws_vpc_endpoint.network_logs_endpoint") },
  { match: 'module.networking.aws_vpc_endpoint.interface["ses"]', then: move("aws_vpc_endpoint.network_email_endpoint") },
  {
    match: "module.networking.aws_security_group.vpc_endpoints",
    then: forget("the interface endpoints' old security group: the apply moves the endpoints to this stack's group; delete the old one afterwards"),
  },

  // vpc_peering (prod, dev; the accepter side lives in the shared account)
  { match: "module.vpc_peering.aws_vpc_peering_connection.this", envs: APPS, then: move("aws_vpc_peering_connection.peering_connection") },
  { match: "module.vpc_peering.aws_vpc_peering_connection_accepter.this", envs: APPS, then: move("aws_vpc_peering_connection_accepter.peering_accepter") },
  { match: "module.vpc_peering.aws_route.requester_to_accepter", envs: APPS, then: move("aws_route.peering_requester_route") },
  { match: "module.vpc_peering.aws_route.accepter_to_requester", envs: APPS, then: move("aws_route.peering_accepter_route") },

  // security
  {
    match: "module.security.aws_security_group.*",
    then: forget("an old security group, still attached to the database's or the bastion's network interfaces until the apply moves them to this stack's groups; delete it afterwards"),
  },
  { match: "module.security.aws_security_group_rule.*", then: forget("a rule of an old security group") },
  {
    match: "module.security.aws_wafv2_web_acl.main",
    envs: ["prod"],
    then: move("aws_wafv2_web_acl.waf_web_acl"),
    note: NOTES.waf,
  },

  // database (shared)
  { match: "module.database.aws_kms_key.rds", envs: ["shared"], then: move("aws_kms_key.database_encryption_key") },
  { match: "module.database.aws_kms_alias.rds", envs: ["shared"], then: move("aws_kms_alias.database_encryption_alias", { keep: keep("databaseKeyAlias", "name", "alias/") }) },
  { match: "module.database.aws_db_subnet_group.main", envs: ["shared"], then: move("aws_db_subnet_group.database_subnet_group", { keep: keep("databaseSubnetGroup", "name") }) },
  { match: "module.database.aws_db_instance.postgres", envs: ["shared"], then: move("aws_db_instance.database_instance", { keep: keep("databaseIdentifier", "identifier") }) },
  {
    match: "module.database.aws_secretsmanager_secret.db_master",
    envs: ["shared"],
    then: forget("RDS keeps the master password in a secret of its own here (manage_master_user_password); this secret keeps its value until you delete it"),
  },
  { match: "module.database.aws_secretsmanager_secret_version.db_master_initial", envs: ["shared"], then: forget("the value of the old master secret") },
  {
    match: "module.database.aws_db_parameter_group.*",
    envs: ["shared"],
    then: forget("the instance switches to this stack's parameter group; delete the old group once the instance has rebooted with the new one"),
  },
  { match: "module.database.null_resource.db_setup", envs: ["shared"], then: forget("a setup script run, nothing in AWS") },

  // bastion (shared)
  {
    match: "module.bastion.aws_instance.bastion",
    envs: ["shared"],
    then: move("aws_instance.bastion_instance", { replacedBy: "user_data (this stack's bastion installs its PostgreSQL client at boot, and a changed script makes a new instance)" }),
  },
  { match: "module.bastion.aws_eip.bastion", envs: ["shared"], then: forget("the bastion's Elastic IP: this stack's bastion is reached through Session Manager; release the address once nothing allows it in") },
  { match: "module.bastion.aws_eip_association.bastion", envs: ["shared"], then: forget("the Elastic IP's association with the old bastion") },
  { match: "module.bastion.aws_key_pair.bastion", envs: ["shared"], then: forget("the old bastion's key pair (bastion.publicKey gives this stack's bastion one)") },

  // monitoring
  { match: "module.monitoring.aws_cloudwatch_log_group.vpc_flow_log_group", then: move("aws_cloudwatch_log_group.monitoring_flow_logs", { keep: keep("flowLogGroup", "name") }) },
  { match: "module.monitoring.aws_iam_role.vpc_flow_log_role", then: move("aws_iam_role.monitoring_flow_logs_role") },
  { match: "module.monitoring.aws_iam_role_policy.vpc_flow_log_policy", then: move("aws_iam_role_policy.monitoring_flow_logs_policy") },
  {
    match: "module.monitoring.aws_flow_log.vpc_flow_logs",
    then: move("aws_flow_log.monitoring_flow_log", { replacedBy: "iam_role_arn (the flow logs role is replaced)" }),
  },
  { match: "module.monitoring.aws_budgets_budget.monthly", then: move("aws_budgets_budget.monitoring_budget") },
  { match: "module.monitoring.random_id.*", then: forget("a random suffix, nothing in AWS") },
  { match: "module.monitoring.aws_s3_bucket.alb_logs", then: forget("the load balancer log bucket: no load balancer exists; the bucket keeps its objects until you delete it") },
  { match: "module.monitoring.aws_s3_bucket_*.alb_logs", then: forget("a setting of the load balancer log bucket") },
  { match: "module.monitoring.aws_sns_topic.*", then: forget("an old alert topic: this stack's alerts go to one encrypted topic of its own; confirm its email subscription, then delete the old topic") },
  { match: "module.monitoring.aws_sns_topic_policy.*", then: forget("the policy of an old alert topic") },
  { match: "module.monitoring.aws_sns_topic_subscription.*", then: forget("a subscription to an old alert topic") },
  {
    match: "module.monitoring.awscc_ce_anomaly_*.*",
    then: forget("a cost anomaly monitor of the Cloud Control provider, which this project does not use: this stack creates its own; delete the old one (Cost Explorer limits their number)"),
  },
  { match: "module.monitoring.aws_cloudwatch_log_metric_filter.*", envs: ["prod"], then: forget("the email failure metric filter on the Lambda function's logs") },
  { match: "module.monitoring.aws_cloudwatch_metric_alarm.*", envs: ["prod"], then: forget("the email failure alarm") },

  // github_oidc (the CloudFormation bootstrap's provider and role, imported into the earlier state)
  { match: "module.github_oidc.aws_iam_openid_connect_provider.github", then: move("aws_iam_openid_connect_provider.github_oidc_provider") },
  { match: "module.github_oidc.aws_iam_role.github_actions", then: move("aws_iam_role.github_oidc_role") },
  { match: "module.github_oidc.aws_iam_role_policy.*", then: forget("an inline policy of the deploy role, which runs the apply"), note: NOTES.deployPolicies },
  { match: "module.github_oidc.aws_iam_role_policy_attachment.*", then: forget("a managed policy attached to the deploy role") },

  // aws_location (prod, dev)
  { match: "module.aws_location.aws_location_place_index.geocoding", envs: APPS, then: forget("the place index Zappa's function reads by name until its next deploy; delete it afterwards"), note: NOTES.zappa },
  { match: "module.aws_location.aws_iam_policy.location_access", envs: APPS, then: forget("the old execution role's access to the place index") },

  // zappa (prod, dev)
  { match: "module.zappa.aws_s3_bucket.zappa_deployments", envs: APPS, then: move("aws_s3_bucket.lambda_deployments_bucket", { keep: keep("deploymentBucket", "bucket") }) },
  { match: "module.zappa.aws_s3_bucket_versioning.*", envs: APPS, then: move("aws_s3_bucket_versioning.lambda_deployments_versioning") },
  { match: "module.zappa.aws_s3_bucket_server_side_encryption_configuration.*", envs: APPS, then: move("aws_s3_bucket_server_side_encryption_configuration.lambda_deployments_encryption") },
  { match: "module.zappa.aws_s3_bucket_public_access_block.*", envs: APPS, then: move("aws_s3_bucket_public_access_block.lambda_deployments_public_access_block") },
  { match: "module.zappa.aws_s3_bucket_lifecycle_configuration.*", envs: APPS, then: move("aws_s3_bucket_lifecycle_configuration.lambda_deployments_lifecycle") },
  { match: "module.zappa.aws_security_group.lambda", envs: APPS, then: forget("the security group Zappa's function is attached to until its next deploy; delete it afterwards"), note: NOTES.zappa },
  { match: "module.zappa.aws_iam_role.zappa_deployment", envs: APPS, then: forget("the execution role Zappa's function runs as until its next deploy; delete it afterwards"), note: NOTES.zappa },
  { match: "module.zappa.aws_iam_policy.*", envs: APPS, then: forget("a policy of the old execution role") },
  { match: "module.zappa.aws_iam_role_policy_attachment.*", envs: APPS, then: forget("a policy attachment of the old execution role") },
  { match: "aws_iam_role_policy_attachment.zappa_*", envs: APPS, then: forget("a policy attachment of the old execution role") },

  // secrets (prod, dev)
  { match: "module.secrets.aws_kms_key.secrets", envs: APPS, then: move("aws_kms_key.secrets_encryption_key") },
  { match: "module.secrets.aws_kms_alias.secrets", envs: APPS, then: move("aws_kms_alias.secrets_encryption_alias", { keep: keep("secretsKeyAlias", "name", "alias/") }) },
  { match: "module.secrets.aws_secretsmanager_secret.secret_key", envs: APPS, then: move("aws_secretsmanager_secret.secrets_django_secret_key", { keep: keep("djangoSecretKey", "name") }) },
  { match: "module.secrets.aws_secretsmanager_secret.db_url", envs: APPS, then: forget("the database URL secret, read by Zappa's function until its next deploy"), note: NOTES.databaseSecret },
  { match: "module.secrets.aws_secretsmanager_secret.site_password*", envs: APPS, then: forget("the site password secret, which this project does not manage; it keeps its value") },
  { match: "module.secrets.aws_secretsmanager_secret_version.*", envs: APPS, then: forget("a secret's value, which this project leaves to you: the current value stays") },

  // ses (prod)
  {
    match: "module.ses.aws_ses_domain_identity.main",
    envs: ["prod"],
    then: { kind: "import", to: "aws_sesv2_email_identity.email_identity", idAttribute: "domain", reason: "the domain identity, taken over by SES v2" },
    note: NOTES.sesIdentity,
  },
  { match: "module.ses.aws_ses_domain_dkim.main", envs: ["prod"], then: forget("Easy DKIM of the identity, which the SES v2 identity holds") },
  { match: "module.ses.aws_ses_configuration_set.main", envs: ["prod"], then: forget("the old configuration set: this stack's is an SES v2 one of its own; delete the old one once no sender names it") },
  { match: "module.ses.aws_ses_event_destination.*", envs: ["prod"], then: forget("the old configuration set's event destination") },
  { match: "module.ses.aws_sns_topic*.*", envs: ["prod"], then: forget("the old email notification topic and its policy and subscription") },
  { match: "module.ses.aws_iam_policy.ses_send", envs: ["prod"], then: forget("the old execution role's sending policy") },
  { match: "module.ses.aws_iam_role_policy_attachment.ses_send", envs: ["prod"], then: forget("the sending policy's attachment to the old execution role") },
  { match: "aws_ses_domain_identity_verification.main", envs: ["prod"], then: move("aws_ses_domain_identity_verification.email_verification") },

  // storage (prod: static assets and CDN)
  { match: "module.storage.random_id.*", envs: ["prod"], then: forget("a random suffix, nothing in AWS") },
  { match: "module.storage.aws_s3_bucket.static_assets", envs: ["prod"], then: move("aws_s3_bucket.static_assets_bucket", { keep: keep("assetsBucket", "bucket") }) },
  { match: "module.storage.aws_s3_bucket_public_access_block.static_assets", envs: ["prod"], then: move("aws_s3_bucket_public_access_block.static_assets_public_access_block") },
  { match: "module.storage.aws_s3_bucket_ownership_controls.static_assets", envs: ["prod"], then: move("aws_s3_bucket_ownership_controls.static_assets_ownership") },
  { match: "module.storage.aws_s3_bucket_cors_configuration.static_assets", envs: ["prod"], then: move("aws_s3_bucket_cors_configuration.static_assets_cors") },
  { match: "module.storage.aws_s3_bucket_versioning.static_assets", envs: ["prod"], then: move("aws_s3_bucket_versioning.static_assets_versioning") },
  { match: "module.storage.aws_s3_bucket_server_side_encryption_configuration.static_assets", envs: ["prod"], then: move("aws_s3_bucket_server_side_encryption_configuration.static_assets_encryption") },
  { match: "module.storage.aws_s3_bucket_lifecycle_configuration.static_assets", envs: ["prod"], then: move("aws_s3_bucket_lifecycle_configuration.static_assets_lifecycle") },
  { match: "module.storage.aws_s3_bucket_policy.static_assets_cloudfront", envs: ["prod"], then: move("aws_s3_bucket_policy.static_assets_policy") },
  { match: "module.storage.aws_s3_bucket_policy.static_assets_public", envs: ["prod"], then: move("aws_s3_bucket_policy.static_assets_policy") },
  { match: "module.storage.aws_s3_bucket_acl.static_assets", envs: ["prod"], then: forget("a public-read ACL, which this stack's bucket disables (bucket owner enforced)") },
  { match: "module.storage.aws_cloudfront_distribution.static_assets", envs: ["prod"], then: move("aws_cloudfront_distribution.static_distribution") },
  { match: "module.storage.aws_cloudfront_origin_access_identity.*", envs: ["prod"], then: forget("the legacy origin access identity: the distribution reads the bucket through Origin Access Control here; delete the identity afterwards") },
  { match: "module.storage.aws_iam_policy.static_assets_upload", envs: ["prod"], then: forget("the old execution role's upload policy") },

  // serverless_storage: prod's second, public asset bucket; dev's only one
  { match: "module.serverless_storage.random_id.*", then: forget("a random suffix, nothing in AWS") },
  { match: "module.serverless_storage.aws_s3_bucket.assets", envs: ["prod"], then: forget("the second, public asset bucket: this stack serves one private bucket; the objects stay"), note: NOTES.publicBucket },
  { match: "module.serverless_storage.*.*", envs: ["prod"], then: forget("part of the second, public asset bucket and its CDN") },
  { match: "module.serverless_storage.aws_s3_bucket.assets", envs: ["dev"], then: move("aws_s3_bucket.static_assets_bucket", { keep: keep("assetsBucket", "bucket") }), note: NOTES.devPublicBucket },
  { match: "module.serverless_storage.aws_s3_bucket_public_access_block.assets", envs: ["dev"], then: move("aws_s3_bucket_public_access_block.static_assets_public_access_block") },
  { match: "module.serverless_storage.aws_s3_bucket_cors_configuration.assets", envs: ["dev"], then: move("aws_s3_bucket_cors_configuration.static_assets_cors") },
  { match: "module.serverless_storage.aws_s3_bucket_versioning.assets", envs: ["dev"], then: move("aws_s3_bucket_versioning.static_assets_versioning") },
  { match: "module.serverless_storage.aws_s3_bucket_lifecycle_configuration.assets", envs: ["dev"], then: move("aws_s3_bucket_lifecycle_configuration.static_assets_lifecycle") },
  { match: "module.serverless_storage.aws_s3_bucket_policy.assets", envs: ["dev"], then: move("aws_s3_bucket_policy.static_assets_policy") },
  { match: "module.serverless_storage.aws_iam_policy.lambda_s3_access", envs: ["dev"], then: forget("the old execution role's access to the asset bucket") },

  // lambda_ecr (prod, dev)
  { match: "module.lambda_ecr.aws_ecr_repository.lambda", envs: APPS, then: move("aws_ecr_repository.images_repository", { keep: keep("imageRepository", "name") }) },
  { match: "module.lambda_ecr.aws_ecr_lifecycle_policy.lambda", envs: APPS, then: move("aws_ecr_lifecycle_policy.images_lifecycle") },
  { match: "module.lambda_ecr.aws_ecr_repository.geolambda", envs: APPS, then: forget("the GDAL base image repository, which this project does not manage; its images stay") },

  // the edge: certificate and the API's custom domain (prod); dev's test-api domain
  { match: "aws_acm_certificate.main", envs: ["prod"], then: move("aws_acm_certificate.dns_certificate") },
  { match: "aws_acm_certificate_validation.main", envs: ["prod"], then: move("aws_acm_certificate_validation.dns_certificate_validation") },
  { match: "aws_api_gateway_domain_name.api", envs: ["prod"], then: move("aws_api_gateway_domain_name.api_domain"), note: NOTES.apiDomain },
  { match: "aws_api_gateway_base_path_mapping.api", envs: ["prod"], then: move("aws_api_gateway_base_path_mapping.api_mapping") },
  { match: "aws_acm_certificate.api", envs: ["dev"], then: forget("dev's certificate for its API domain under the prod domain, which this project does not declare; its validation record is carried") },
  { match: "aws_acm_certificate_validation.api", envs: ["dev"], then: forget("the wait for dev's API certificate") },
  { match: "aws_api_gateway_domain_name.api", envs: ["dev"], then: forget("dev's API domain under the prod domain, which this project does not declare; its alias record is carried") },
  { match: "aws_api_gateway_base_path_mapping.api", envs: ["dev"], then: forget("the mapping of dev's API domain") },

  // the hosted zone (shared) and every record written into it (shared, prod, dev)
  { match: "aws_route53_zone.main", envs: ["shared"], then: forget("the old hosted zone: the zone lives in prod here"), note: NOTES.zone },
  { match: "aws_route53_record.ses_dkim", envs: ["prod"], then: { kind: "record", writtenHere: (prod) => prod.email } },
  { match: "aws_route53_record.ses_spf", envs: ["prod"], then: { kind: "record", writtenHere: (prod) => prod.email } },
  { match: "aws_route53_record.ses_dmarc", envs: ["prod"], then: { kind: "record", writtenHere: (prod) => prod.email } },
  { match: "aws_route53_record.cert_validation", envs: ["prod"], then: { kind: "record", writtenHere: (prod) => prod.domain !== undefined } },
  { match: "aws_route53_record.api", envs: ["prod"], then: { kind: "record", writtenHere: (prod) => prod.domain !== undefined } },
  { match: "module.*.aws_route53_record.*", then: ZONE_RECORD },
  { match: "aws_route53_record.*", then: ZONE_RECORD },
];

const escape = (text: string) => text.replace(/[.[\]"()+?^${}|\\]/g, "\\$&");

/** Whether `rule` matches an instance (its resource address and key) of `environment`'s state. */
export function ruleMatches(rule: HclRule, environment: Environment, resource: string, key: string | number | undefined): boolean {
  if (rule.envs && !rule.envs.includes(environment)) return false;
  const [, pattern, wantedKey] = /^(.*?)(?:\[(.+)\])?$/.exec(rule.match)!;
  const resourcePattern = new RegExp(`^${pattern.split("*").map(escape).join("[A-Za-z0-9_-]*")}$`);
  if (!resourcePattern.test(resource)) return false;
  return wantedKey === undefined || wantedKey === JSON.stringify(key);
}

/** The first rule matching the instance, if any. */
export function ruleFor(environment: Environment, resource: string, key: string | number | undefined): HclRule | undefined {
  return HCL_RULES.find((rule) => ruleMatches(rule, environment, resource, key));
}
