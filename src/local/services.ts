/**
 * Which key of the AWS provider's `endpoints` block serves each resource and data source type the stacks use,
 * by type-name prefix (the longest matching prefix wins). Local mode points exactly these services at the
 * emulator; a type missing here fails the synth, so no call of a new type can slip through to AWS.
 */
const SERVICE_BY_PREFIX: Readonly<Record<string, string | null>> = {
  aws_acm_: "acm",
  aws_api_gateway_: "apigateway",
  aws_apigatewayv2_: "apigatewayv2",
  aws_budgets_: "budgets",
  aws_caller_identity: "sts",
  aws_ce_: "ce",
  aws_cloudfront_: "cloudfront",
  aws_cloudwatch_log_: "logs",
  aws_cloudwatch_metric_alarm: "cloudwatch",
  aws_db_: "rds",
  aws_default_security_group: "ec2",
  aws_dynamodb_: "dynamodb",
  aws_ecr_: "ecr",
  aws_flow_log: "ec2",
  aws_iam_: "iam",
  aws_instance: "ec2",
  aws_internet_gateway: "ec2",
  aws_kms_: "kms",
  aws_lambda_: "lambda",
  aws_location_: "location",
  aws_region: null,
  aws_partition: null,
  aws_route53_: "route53",
  aws_route: "ec2",
  aws_s3_: "s3",
  aws_secretsmanager_: "secretsmanager",
  aws_security_group: "ec2",
  aws_ses_: "ses",
  aws_sesv2_: "sesv2",
  aws_sns_: "sns",
  aws_ssm_: "ssm",
  aws_subnet: "ec2",
  aws_vpc: "ec2",
  aws_wafv2_: "wafv2",
};

/** Services every AWS provider calls whatever the stack holds: the caller's identity and account. */
export const ALWAYS_CALLED_SERVICES = ["iam", "sts"] as const;

/** The `endpoints` key serving `type`, null for types that call no API; throws for a type nobody has mapped. */
export function serviceOf(type: string): string | null {
  const prefix = Object.keys(SERVICE_BY_PREFIX)
    .filter((candidate) => type.startsWith(candidate))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) {
    throw new Error(`local mode: no emulator endpoint is known for the type ${type}; add its service to src/local/services.ts`);
  }
  return SERVICE_BY_PREFIX[prefix];
}
