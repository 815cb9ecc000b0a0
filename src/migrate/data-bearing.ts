/**
 * Resource types whose objects hold data that cannot be made again: a switch of deployments must never replace
 * or destroy one. The value says what is lost, for the messages that name one.
 */
export const DATA_BEARING_TYPES: Readonly<Record<string, string>> = {
  aws_db_instance: "a database and the parent of its snapshots",
  aws_rds_cluster: "a database cluster and the parent of its snapshots",
  aws_s3_bucket: "a bucket and its objects",
  aws_secretsmanager_secret: "a secret and its values",
  aws_secretsmanager_secret_version: "a secret's value",
  aws_kms_key: "a key, without which what it encrypted cannot be read",
  aws_ecr_repository: "a repository and its images",
  aws_route53_zone: "a hosted zone, its records and the name servers the registrar points at",
  aws_dynamodb_table: "a table and its items",
  aws_cloudwatch_log_group: "a log group and its logs",
};

/** Whether objects of this Terraform type hold data (DATA_BEARING_TYPES). */
export function isDataBearing(type: string): boolean {
  return Object.hasOwn(DATA_BEARING_TYPES, type);
}
