import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import { CeAnomalyMonitor } from "@cdktf/provider-aws/lib/ce-anomaly-monitor";
import { CeAnomalySubscription } from "@cdktf/provider-aws/lib/ce-anomaly-subscription";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { flowLogsWritePolicy, serviceTrustPolicy, topicPolicy } from "../policies";
import { EncryptionKey } from "./kms-key";

/** Services that publish alerts to the topic. */
const ALERT_PUBLISHERS = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"];

export interface DatabaseAlarmsProps {
  /** RDS identifier. */
  readonly instanceIdentifier: string;
  readonly allocatedStorageGb: number;
  /** Alarm above this many connections. */
  readonly maxConnections: number;
}

export interface MonitoringProps {
  /** Prefix of every name, e.g. `coalition-shared`. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** Subscribed to the alert topic; none means no subscription. */
  readonly alertEmail?: string;
  /** Monthly cost budget of the account in USD. */
  readonly monthlyBudgetUsd: number;
  /** The VPC whose traffic is logged. */
  readonly vpcId: string;
  readonly logRetentionDays: number;
  /** The flow logs' log group. Default `/vpc/{name}/flow-logs`. */
  readonly flowLogGroupName?: string;
  /** The account's permissions boundary, which the flow logs role carries. */
  readonly permissionsBoundaryArn: string;
  /** Alarms on the database's CPU, storage, memory and connections. */
  readonly database?: DatabaseAlarmsProps;
}

/**
 * An account's alerting: an encrypted SNS topic (with an email subscription) that CloudWatch alarms,
 * the monthly budget and the cost anomaly monitor publish to, and flow logs of the VPC.
 */
export class Monitoring extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const name = props.name;
    const key = new EncryptionKey(this, "encryption", {
      alias: `${name}-alerts`,
      description: `Encrypts the ${name} alert topic`,
      accountId: props.accountId,
      region: props.region,
      servicePrincipals: ALERT_PUBLISHERS,
    });
    this.topic = new SnsTopic(this, "topic", { name: `${name}-alerts`, kmsMasterKeyId: key.arn, tags: { Name: `${name}-alerts` } });
    new SnsTopicPolicy(this, "topic_policy", {
      arn: this.topic.arn,
      policy: JSON.stringify(topicPolicy({ topicArn: this.topic.arn, accountId: props.accountId, publishers: ALERT_PUBLISHERS })),
    });
    if (props.alertEmail) {
      new SnsTopicSubscription(this, "email", { topicArn: this.topic.arn, protocol: "email", endpoint: props.alertEmail });
    }

    const flowLogs = new CloudwatchLogGroup(this, "flow_logs", {
      name: props.flowLogGroupName ?? `/vpc/${name}/flow-logs`,
      retentionInDays: props.logRetentionDays,
    });
    const flowLogsRole = new IamRole(this, "flow_logs_role", {
      name: `${name}-flow-logs`,
      assumeRolePolicy: JSON.stringify(serviceTrustPolicy("vpc-flow-logs.amazonaws.com", props.accountId)),
      permissionsBoundary: props.permissionsBoundaryArn,
      tags: { Name: `${name}-flow-logs` },
    });
    new IamRolePolicy(this, "flow_logs_policy", {
      role: flowLogsRole.name,
      name: "write-flow-logs",
      policy: JSON.stringify(flowLogsWritePolicy(flowLogs.arn)),
    });
    new FlowLog(this, "flow_log", {
      vpcId: props.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: flowLogs.arn,
      iamRoleArn: flowLogsRole.arn,
      maxAggregationInterval: 600,
      tags: { Name: `${name}-flow-logs` },
    });

    new BudgetsBudget(this, "budget", {
      name: `${name}-monthly`,
      budgetType: "COST",
      limitAmount: props.monthlyBudgetUsd.toFixed(2),
      limitUnit: "USD",
      timeUnit: "MONTHLY",
      notification: [
        { notificationType: "ACTUAL", threshold: 80 },
        { notificationType: "ACTUAL", threshold: 100 },
        { notificationType: "FORECASTED", threshold: 100 },
      ].map((n) => ({ ...n, comparisonOperator: "GREATER_THAN", thresholdType: "PERCENTAGE", subscriberSnsTopicArns: [this.topic.arn] })),
    });
    const anomalies = new CeAnomalyMonitor(this, "anomaly_monitor", {
      name: `${name}-services`,
      monitorType: "DIMENSIONAL",
      monitorDimension: "SERVICE",
    });
    new CeAnomalySubscription(this, "anomaly_subscription", {
      name: `${name}-anomalies`,
      frequency: "IMMEDIATE",
      monitorArnList: [anomalies.arn],
      subscriber: [{ type: "SNS", address: this.topic.arn }],
      thresholdExpression: {
        dimension: { key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE", matchOptions: ["GREATER_THAN_OR_EQUAL"], values: ["10"] },
      },
    });

    if (props.database) this.databaseAlarms(props.database);
  }

  private databaseAlarms(db: DatabaseAlarmsProps): void {
    const alarm = (id: string, metric: string, comparison: string, threshold: number, description: string) =>
      new CloudwatchMetricAlarm(this, id, {
        alarmName: `${db.instanceIdentifier}-${id.replace(/_/g, "-")}`,
        alarmDescription: description,
        namespace: "AWS/RDS",
        metricName: metric,
        dimensions: { DBInstanceIdentifier: db.instanceIdentifier },
        statistic: "Average",
        period: 300,
        evaluationPeriods: 3,
        comparisonOperator: comparison,
        threshold,
        treatMissingData: "missing",
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
      });
    alarm("db_cpu", "CPUUtilization", "GreaterThanThreshold", 80, "Database CPU above 80% for 15 minutes");
    alarm("db_free_storage", "FreeStorageSpace", "LessThanThreshold", db.allocatedStorageGb * 0.1 * 1024 ** 3, "Database free storage below 10% of allocated");
    alarm("db_freeable_memory", "FreeableMemory", "LessThanThreshold", 128 * 1024 ** 2, "Database freeable memory below 128 MiB");
    alarm("db_connections", "DatabaseConnections", "GreaterThanThreshold", db.maxConnections, `More than ${db.maxConnections} database connections`);
  }
}
