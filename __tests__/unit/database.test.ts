import { describe, expect, it } from "vitest";
import { Database, type DatabaseProps } from "../../src/constructs/database";
import { DatabaseCredentials } from "../../src/constructs/database-credentials";
import { resources, synthConstruct } from "../support/synth";

const base: DatabaseProps = {
  identifier: "coalition-shared-db",
  accountId: "111111111111",
  region: "us-east-1",
  vpcId: "vpc-shared",
  subnetIds: ["subnet-a", "subnet-b"],
  engineVersion: "16",
  instanceClass: "db.t4g.micro",
  allocatedStorageGb: 20,
  maxAllocatedStorageGb: 100,
  backupRetentionDays: 14,
  deletionProtection: true,
  multiAz: false,
  performanceInsights: false,
  masterUsername: "dbadmin",
  clientCidrs: ["10.1.3.0/24", "10.2.3.0/24"],
  logRetentionDays: 30,
  secretReaderArns: ["arn:aws:iam::222222222222:role/coalition-prod-lambda"],
};

const synth = (props: Partial<DatabaseProps> = {}, extra?: (db: Database) => void) =>
  synthConstruct((stack) => {
    const db = new Database(stack, "database", { ...base, ...props });
    extra?.(db);
  });

describe("Database", () => {
  const stack = synth();
  const instance = resources(stack, "aws_db_instance").database_instance;

  it("runs the configured PostgreSQL major version, private, in the database subnets", () => {
    expect(instance).toMatchObject({
      identifier: "coalition-shared-db",
      engine: "postgres",
      engine_version: "16",
      instance_class: "db.t4g.micro",
      publicly_accessible: false,
      db_subnet_group_name: "${aws_db_subnet_group.database_subnet_group.name}",
      vpc_security_group_ids: ["${aws_security_group.database_security_group.id}"],
    });
    expect(resources(stack, "aws_db_subnet_group").database_subnet_group.subnet_ids).toEqual(["subnet-a", "subnet-b"]);
  });

  it("encrypts storage, the master secret and Performance Insights with its own rotating key", () => {
    expect(instance).toMatchObject({
      storage_encrypted: true,
      kms_key_id: "${aws_kms_key.database_encryption_key.arn}",
      master_user_secret_kms_key_id: "${aws_kms_key.database_encryption_key.arn}",
    });
    expect(resources(stack, "aws_kms_key").database_encryption_key.enable_key_rotation).toBe(true);
    const withInsights = resources(synth({ performanceInsights: true }), "aws_db_instance").database_instance;
    expect(withInsights).toMatchObject({ performance_insights_enabled: true, performance_insights_kms_key_id: "${aws_kms_key.database_encryption_key.arn}" });
    expect(instance.performance_insights_enabled).toBe(false);
  });

  it("lets RDS generate and keep the master password; none is in the configuration", () => {
    expect(instance).toMatchObject({ username: "dbadmin", manage_master_user_password: true });
    expect(instance.password).toBeUndefined();
  });

  it("forces TLS in a parameter group of the matching family", () => {
    const parameters = resources(stack, "aws_db_parameter_group").database_parameters;
    expect(parameters.family).toBe("postgres16");
    expect(parameters.parameter).toContainEqual({ name: "rds.force_ssl", value: "1" });
    expect(resources(synth({ engineVersion: "17" }), "aws_db_parameter_group").database_parameters.family).toBe("postgres17");
  });

  it("keeps 14 days of backups, exports its logs to log groups with retention", () => {
    expect(instance.backup_retention_period).toBe(14);
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    const logs = resources(stack, "aws_cloudwatch_log_group");
    expect(logs.database_postgresql_logs).toMatchObject({ name: "/aws/rds/instance/coalition-shared-db/postgresql", retention_in_days: 30 });
    expect(instance.depends_on).toEqual(["aws_cloudwatch_log_group.database_postgresql_logs", "aws_cloudwatch_log_group.database_upgrade_logs"]);
  });

  it("is protected from deletion by default: deletion protection, final snapshot, prevent_destroy", () => {
    expect(instance).toMatchObject({ deletion_protection: true, skip_final_snapshot: false, final_snapshot_identifier: "coalition-shared-db-final" });
    expect(instance.lifecycle.prevent_destroy).toBe(true);
    expect(resources(stack, "aws_db_parameter_group").database_parameters.lifecycle.prevent_destroy).toBe(true);
  });

  it("drops every protection only when switched off explicitly", () => {
    const unprotected = synth({ deletionProtection: false });
    const db = resources(unprotected, "aws_db_instance").database_instance;
    expect(db).toMatchObject({ deletion_protection: false, skip_final_snapshot: true });
    expect(db.lifecycle.prevent_destroy).toBe(false);
  });

  it("accepts PostgreSQL only from the client ranges and security groups it is given", () => {
    const rules = resources(synth({}, (db) => db.allowFrom("bastion", "sg-bastion", "PostgreSQL from the bastion")), "aws_vpc_security_group_ingress_rule");
    expect(Object.values(rules).map((r) => [r.cidr_ipv4 ?? r.referenced_security_group_id, r.from_port, r.to_port, r.ip_protocol])).toEqual([
      ["10.1.3.0/24", 5432, 5432, "tcp"],
      ["10.2.3.0/24", 5432, 5432, "tcp"],
      ["sg-bastion", 5432, 5432, "tcp"],
    ]);
    const group = resources(stack, "aws_security_group").database_security_group;
    expect(group.ingress).toBeUndefined();
    expect(JSON.stringify(rules)).not.toContain("0.0.0.0/0");
  });

  it("rejects the whole internet as a client range", () => {
    expect(() => synth({ clientCidrs: ["0.0.0.0/0"] })).toThrow(/clientCidrs must not include the whole internet/);
  });

  it("lets the other accounts' Lambda roles decrypt only through Secrets Manager", () => {
    const policy = JSON.parse(resources(stack, "aws_kms_key").database_encryption_key.policy);
    expect(policy.Statement.find((s: any) => s.Sid === "ExternalSecretReaders")).toEqual({
      Sid: "ExternalSecretReaders",
      Effect: "Allow",
      Principal: { AWS: ["arn:aws:iam::222222222222:root"] },
      Action: ["kms:Decrypt", "kms:DescribeKey"],
      Resource: "*",
      Condition: {
        StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" },
        ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::222222222222:role/coalition-prod-lambda"] },
      },
    });
  });
});

describe("DatabaseCredentials", () => {
  const stack = synthConstruct(
    (scope) =>
      new DatabaseCredentials(scope, "app_database_credentials", {
        environments: [
          { env: "prod", secretName: "coalition/prod/database", readerRoleArn: "arn:aws:iam::222222222222:role/coalition-prod-lambda" },
          { env: "dev", secretName: "coalition/dev/database", readerRoleArn: "arn:aws:iam::333333333333:role/coalition-dev-lambda" },
        ],
        kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/db",
      }),
  );

  it("creates one empty, key-encrypted secret per environment: no password in Terraform", () => {
    const secrets = resources(stack, "aws_secretsmanager_secret");
    expect(secrets.app_database_credentials_prod).toMatchObject({ name: "coalition/prod/database", kms_key_id: "arn:aws:kms:us-east-1:111111111111:key/db" });
    expect(resources(stack, "aws_secretsmanager_secret_version")).toEqual({});
  });

  it("lets each environment's Lambda role read only its own secret", () => {
    const policies = resources(stack, "aws_secretsmanager_secret_policy");
    const prod = JSON.parse(policies.app_database_credentials_prod_policy.policy).Statement[0];
    expect(policies.app_database_credentials_prod_policy.secret_arn).toBe("${aws_secretsmanager_secret.app_database_credentials_prod.arn}");
    expect(prod.Condition.ArnEquals["aws:PrincipalArn"]).toEqual(["arn:aws:iam::222222222222:role/coalition-prod-lambda"]);
    expect(prod.Action).toEqual(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]);
    expect(JSON.parse(policies.app_database_credentials_dev_policy.policy).Statement[0].Principal.AWS).toEqual(["arn:aws:iam::333333333333:root"]);
  });
});
