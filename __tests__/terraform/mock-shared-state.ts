import type { SharedOutputName } from "../../src/contract/shared-outputs";

/**
 * Values the mock Terraform tests give the shared remote state: one for every output of the
 * contract (the type makes a new output a compile error here until it gets a value).
 */
export const MOCK_SHARED_OUTPUTS: Record<SharedOutputName, string | string[]> = {
  vpc_id: "vpc-0a1b2c3d4e5f60001",
  vpc_cidr: "10.0.0.0/16",
  db_subnet_ids: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
  db_subnet_cidrs: ["10.0.5.0/24", "10.0.6.0/24"],
  db_route_table_id: "rtb-0a1b2c3d4e5f60001",
  database_endpoint: "coalition-shared-db.c0a1b2c3d4e5.us-east-1.rds.amazonaws.com:5432",
  database_address: "coalition-shared-db.c0a1b2c3d4e5.us-east-1.rds.amazonaws.com",
  database_port: "5432",
  database_master_secret_arn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!db-0a1b2c3d-AbCdEf",
  database_security_group_id: "sg-0a1b2c3d4e5f60001",
  database_key_arn: "arn:aws:kms:us-east-1:111111111111:key/0a1b2c3d-0000-0000-0000-000000000001",
  database_secret_arn_prod: "arn:aws:secretsmanager:us-east-1:111111111111:secret:coalition/prod/database-AbCdEf",
  database_secret_arn_dev: "arn:aws:secretsmanager:us-east-1:111111111111:secret:coalition/dev/database-AbCdEf",
  bastion_instance_id: "i-0a1b2c3d4e5f60001",
  bastion_public_ip: "203.0.113.10",
  alert_topic_arn: "arn:aws:sns:us-east-1:111111111111:coalition-shared-alerts",
};

/** HCL for a test file: the shared state overridden with the values above. */
export function sharedStateOverride(): string {
  const outputs = Object.entries(MOCK_SHARED_OUTPUTS)
    .map(([name, value]) => `      ${name} = ${JSON.stringify(value)}`)
    .join("\n");
  return `override_data {\n  target = data.terraform_remote_state.shared\n  values = {\n    outputs = {\n${outputs}\n    }\n  }\n}\n`;
}
