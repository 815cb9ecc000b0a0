import { describe, expect, it } from "vitest";
import { Bastion, type BastionProps } from "../../src/constructs/bastion";
import { Monitoring, type MonitoringProps } from "../../src/constructs/monitoring";
import { resources, synthConstruct } from "../support/synth";

const bastionProps: BastionProps = {
  name: "coalition-shared-bastion",
  vpcId: "vpc-shared",
  subnetId: "subnet-public-a",
  instanceType: "t4g.nano",
  sshCidrs: [],
  databaseCidrs: ["10.0.5.0/24", "10.0.6.0/24"],
  postgresVersion: "17",
  permissionsBoundaryArn: "arn:aws:iam::111111111111:policy/coalition-boundary",
};
const bastion = (props: Partial<BastionProps> = {}) => synthConstruct((stack) => new Bastion(stack, "bastion", { ...bastionProps, ...props }));

describe("Bastion", () => {
  const stack = bastion();
  const instance = resources(stack, "aws_instance").bastion_instance;

  it("runs the latest Amazon Linux 2023 for its architecture, without replacing itself for new images", () => {
    expect(stack.data?.aws_ssm_parameter.bastion_image.name).toBe("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
    expect(instance.ami).toBe("${data.aws_ssm_parameter.bastion_image.value}");
    expect(instance.lifecycle.ignore_changes).toEqual(["ami"]);
    const x86 = bastion({ instanceType: "t3.micro" });
    expect(x86.data?.aws_ssm_parameter.bastion_image.name).toMatch(/-x86_64$/);
  });

  it("installs the psql of the database's PostgreSQL version, or the oldest Amazon Linux packages", () => {
    expect(instance.user_data).toContain("dnf install -y postgresql17\n");
    expect(resources(bastion({ postgresVersion: "14" }), "aws_instance").bastion_instance.user_data).toContain("dnf install -y postgresql15\n");
  });

  it("requires IMDSv2 and encrypts its root volume", () => {
    expect(instance.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 });
    expect(instance.root_block_device).toMatchObject({ encrypted: true, volume_type: "gp3" });
  });

  it("is reached through Session Manager, with no inbound rule or key pair by default", () => {
    expect(resources(stack, "aws_vpc_security_group_ingress_rule")).toEqual({});
    expect(resources(stack, "aws_key_pair")).toEqual({});
    expect(instance.key_name).toBeUndefined();
    expect(resources(stack, "aws_iam_role_policy_attachment").bastion_session_manager.policy_arn).toBe(
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    );
    expect(JSON.parse(resources(stack, "aws_iam_role").bastion_role.assume_role_policy).Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
    expect(instance.iam_instance_profile).toBe("${aws_iam_instance_profile.bastion_instance_profile.name}");
  });

  it("goes out only over HTTPS and to the database subnets on 5432", () => {
    const egress = Object.values(resources(stack, "aws_vpc_security_group_egress_rule")).map((r) => [r.cidr_ipv4, r.from_port]);
    expect(egress).toEqual([["0.0.0.0/0", 443], ["10.0.5.0/24", 5432], ["10.0.6.0/24", 5432]]);
  });

  it("allows SSH only from the listed sources, with the given key", () => {
    const withSsh = bastion({ sshCidrs: ["203.0.113.10/32"], publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA ops" });
    expect(Object.values(resources(withSsh, "aws_vpc_security_group_ingress_rule"))).toEqual([
      expect.objectContaining({ cidr_ipv4: "203.0.113.10/32", from_port: 22, to_port: 22, ip_protocol: "tcp" }),
    ]);
    expect(resources(withSsh, "aws_key_pair").bastion_key_pair.public_key).toMatch(/^ssh-ed25519 /);
    expect(resources(withSsh, "aws_instance").bastion_instance.key_name).toBe("${aws_key_pair.bastion_key_pair.key_name}");
  });

  it("refuses SSH from the whole internet, or without a key", () => {
    expect(() => bastion({ sshCidrs: ["0.0.0.0/0"], publicKey: "ssh-ed25519 AAAA" })).toThrow(/whole internet/);
    expect(() => bastion({ sshCidrs: ["203.0.113.10/32"] })).toThrow(/need a publicKey/);
  });
});

const monitoringProps: MonitoringProps = {
  name: "coalition-shared",
  accountId: "111111111111",
  region: "us-east-1",
  alertEmail: "ops@example.org",
  monthlyBudgetUsd: 30,
  vpcId: "vpc-shared",
  logRetentionDays: 30,
  permissionsBoundaryArn: "arn:aws:iam::111111111111:policy/coalition-boundary",
  database: { instanceIdentifier: "coalition-shared-db", allocatedStorageGb: 20, maxConnections: 80 },
};
const monitoring = (props: Partial<MonitoringProps> = {}) =>
  synthConstruct((stack) => new Monitoring(stack, "monitoring", { ...monitoringProps, ...props }));

describe("Monitoring", () => {
  const stack = monitoring();

  it("sends alerts to an encrypted topic that CloudWatch, Budgets and Cost Anomaly Detection may publish to", () => {
    expect(resources(stack, "aws_sns_topic").monitoring_topic).toMatchObject({
      name: "coalition-shared-alerts",
      kms_master_key_id: "${aws_kms_key.monitoring_encryption_key.arn}",
    });
    const publish = JSON.parse(resources(stack, "aws_sns_topic_policy").monitoring_topic_policy.policy).Statement.find((s: any) => s.Sid === "ServicesPublish");
    expect(publish.Principal.Service.sort()).toEqual(["budgets.amazonaws.com", "cloudwatch.amazonaws.com", "costalerts.amazonaws.com"]);
    expect(publish.Condition).toEqual({ StringEquals: { "aws:SourceAccount": "111111111111" } });
    const keyUse = JSON.parse(resources(stack, "aws_kms_key").monitoring_encryption_key.policy).Statement.find((s: any) => s.Sid === "ServiceUse");
    expect(keyUse.Principal.Service.sort()).toEqual(publish.Principal.Service);
  });

  it("subscribes the alert email when one is configured", () => {
    expect(resources(stack, "aws_sns_topic_subscription").monitoring_email).toMatchObject({ protocol: "email", endpoint: "ops@example.org" });
    expect(resources(monitoring({ alertEmail: undefined }), "aws_sns_topic_subscription")).toEqual({});
  });

  it("alarms on the database's CPU, storage, memory and connections, both ways", () => {
    const alarms = resources(stack, "aws_cloudwatch_metric_alarm");
    expect(Object.values(alarms).map((a) => [a.metric_name, a.comparison_operator, a.threshold]).sort()).toEqual([
      ["CPUUtilization", "GreaterThanThreshold", 80],
      ["DatabaseConnections", "GreaterThanThreshold", 80],
      ["FreeStorageSpace", "LessThanThreshold", 2 * 1024 ** 3],
      ["FreeableMemory", "LessThanThreshold", 128 * 1024 ** 2],
    ]);
    for (const alarm of Object.values(alarms)) {
      expect(alarm).toMatchObject({ namespace: "AWS/RDS", dimensions: { DBInstanceIdentifier: "coalition-shared-db" } });
      expect(alarm.alarm_actions).toEqual(["${aws_sns_topic.monitoring_topic.arn}"]);
      expect(alarm.ok_actions).toEqual(["${aws_sns_topic.monitoring_topic.arn}"]);
    }
    expect(resources(monitoring({ database: undefined }), "aws_cloudwatch_metric_alarm")).toEqual({});
  });

  it("logs all VPC traffic to a log group with retention", () => {
    expect(resources(stack, "aws_flow_log").monitoring_flow_log).toMatchObject({
      vpc_id: "vpc-shared",
      traffic_type: "ALL",
      log_destination: "${aws_cloudwatch_log_group.monitoring_flow_logs.arn}",
    });
    expect(resources(stack, "aws_cloudwatch_log_group").monitoring_flow_logs.retention_in_days).toBe(30);
    const trust = JSON.parse(resources(stack, "aws_iam_role").monitoring_flow_logs_role.assume_role_policy).Statement[0];
    expect(trust).toMatchObject({ Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": "111111111111" } } });
  });

  it("budgets the account monthly with actual 80%, 100% and forecast 100% alerts", () => {
    const budget = resources(stack, "aws_budgets_budget").monitoring_budget;
    expect(budget).toMatchObject({ budget_type: "COST", limit_amount: "30.00", limit_unit: "USD", time_unit: "MONTHLY" });
    expect(budget.notification.map((n: any) => [n.notification_type, n.threshold, n.threshold_type])).toEqual([
      ["ACTUAL", 80, "PERCENTAGE"],
      ["ACTUAL", 100, "PERCENTAGE"],
      ["FORECASTED", 100, "PERCENTAGE"],
    ]);
    expect(budget.notification[0].subscriber_sns_topic_arns).toEqual(["${aws_sns_topic.monitoring_topic.arn}"]);
  });

  it("watches costs for anomalies per service", () => {
    expect(resources(stack, "aws_ce_anomaly_monitor").monitoring_anomaly_monitor).toMatchObject({ monitor_type: "DIMENSIONAL", monitor_dimension: "SERVICE" });
    expect(resources(stack, "aws_ce_anomaly_subscription").monitoring_anomaly_subscription).toMatchObject({
      frequency: "IMMEDIATE",
      subscriber: [{ type: "SNS", address: "${aws_sns_topic.monitoring_topic.arn}" }],
    });
  });
});
