/**
 * Mocked AWS providers for `terraform test`. The mock invents random strings for computed attributes
 * and empty lists for computed blocks; where another resource validates a value as an ARN, or reads a
 * block AWS always fills in, a plausible value is given instead.
 */
const MOCK_DEFAULTS: Record<string, Record<string, unknown>> = {
  aws_kms_key: { arn: "arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000000000" },
  aws_sns_topic: { arn: "arn:aws:sns:us-east-1:111111111111:mock-topic" },
  aws_iam_role: { arn: "arn:aws:iam::111111111111:role/mock-role" },
  aws_iam_policy: { arn: "arn:aws:iam::111111111111:policy/coalition-boundary" },
  aws_iam_openid_connect_provider: { arn: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" },
  aws_cloudwatch_log_group: { arn: "arn:aws:logs:us-east-1:111111111111:log-group:mock" },
  aws_secretsmanager_secret: { arn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:mock-AbCdEf" },
  aws_ce_anomaly_monitor: { arn: "arn:aws:ce::111111111111:anomalymonitor/00000000-0000-0000-0000-000000000000" },
  aws_acm_certificate: {
    // ACM gives the apex and its wildcard the same validation record.
    domain_validation_options: ["example.org", "*.example.org"].map((domain_name) => ({
      domain_name,
      resource_record_name: "_0123456789abcdef.example.org.",
      resource_record_type: "CNAME",
      resource_record_value: "_fedcba9876543210.acm-validations.aws.",
    })),
  },
  aws_sesv2_email_identity: { dkim_signing_attributes: { tokens: ["dkimtokenone", "dkimtokentwo", "dkimtokenthree"] } },
  aws_wafv2_web_acl: { arn: "arn:aws:wafv2:us-east-1:111111111111:regional/webacl/mock/00000000-0000-0000-0000-000000000000" },
  aws_db_instance: {
    master_user_secret: [{ secret_arn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!db-mock-AbCdEf", secret_status: "active" }],
  },
};

/** `mock_provider` blocks for the default AWS provider and the given aliases. */
export function mockProviders(aliases: readonly string[] = []): string {
  // JSON objects and lists are valid HCL expressions.
  const resources = Object.entries(MOCK_DEFAULTS)
    .map(([type, defaults]) => `  mock_resource "${type}" {\n    defaults = ${JSON.stringify(defaults)}\n  }\n`)
    .join("");
  return [undefined, ...aliases]
    .map((alias) => `mock_provider "aws" {\n${alias ? `  alias = "${alias}"\n` : ""}${resources}}\n`)
    .join("\n");
}
