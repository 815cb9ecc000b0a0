import { describe, expect, test } from "vitest";
import { CostInputError, estimateStack, instanceCount, resourceMonthlyUsd, switchSavingMonthlyUsd, type SynthesizedStack } from "../../src/cost/estimate";
import { formatUsd } from "../../src/cost/format";
import { PRICE_TABLES, PriceError } from "../../src/cost/prices";
import { exampleConfig, synthPlatform } from "../support/synth";

// us-east-1 unit prices as documented in src/cost/prices.ts, written out here so the expectations do not come
// from the code under test.
const HOURS = 730;
const INTERFACE_ENDPOINT = 0.01 * HOURS; // per zone
const DB_T4G_MICRO = 0.016 * HOURS;
const RDS_GB = 0.115;
const T4G_NANO = 0.0042 * HOURS;
const GP3_GB = 0.08;
const PUBLIC_IPV4 = 0.005 * HOURS;
const KMS_KEY = 1;
const SECRET = 0.4;
const ZONE = 0.5;
const WEB_ACL = 5;
const WAF_RULE = 1;
const ALARM = 0.1;
const ECR_REPOSITORY = 2 * 0.1; // 2 GB estimated

const stacks = synthPlatform(exampleConfig());
const total = (stack: SynthesizedStack, variables: Record<string, string> = {}) => estimateStack(stack, variables).totalMonthlyUsd;
const byType = (stack: SynthesizedStack, variables: Record<string, string> = {}) =>
  Object.fromEntries(estimateStack(stack, variables).types.filter((t) => t.monthlyUsd > 0).map((t) => [t.type, t.monthlyUsd]));

describe("a synthesized stack of the example configuration", () => {
  test("shared: the database, the bastion with its public address, keys, secrets and alarms", () => {
    const database = DB_T4G_MICRO + 20 * RDS_GB;
    const bastion = T4G_NANO + 8 * GP3_GB + PUBLIC_IPV4;
    expect(byType(stacks.shared)).toEqual({
      aws_db_instance: expect.closeTo(database, 9),
      aws_instance: expect.closeTo(bastion, 9),
      aws_kms_key: expect.closeTo(2 * KMS_KEY, 9),
      aws_secretsmanager_secret: expect.closeTo(2 * SECRET, 9),
      aws_cloudwatch_metric_alarm: expect.closeTo(4 * ALARM, 9),
    });
    expect(total(stacks.shared)).toBeCloseTo(database + bastion + 2 * KMS_KEY + 2 * SECRET + 4 * ALARM, 9);
    expect(formatUsd(total(stacks.shared))).toBe("24.54"); // 13.98 + 7.356 + 2 + 0.80 + 0.40
  });

  test("prod: four interface endpoints in one zone, the WAF with its four rules, keys, the zone, a secret, ECR", () => {
    const expected = 4 * INTERFACE_ENDPOINT + (WEB_ACL + 4 * WAF_RULE) + 3 * KMS_KEY + ZONE + SECRET + ECR_REPOSITORY;
    expect(total(stacks.prod)).toBeCloseTo(expected, 9);
    expect(formatUsd(total(stacks.prod))).toBe("42.30");
  });

  test("dev: its endpoints are on by default; enable_vpc_endpoints=false saves exactly their monthly price", () => {
    const withEndpoints = total(stacks.dev, { enable_vpc_endpoints: "true" });
    const without = total(stacks.dev, { enable_vpc_endpoints: "false" });
    expect(total(stacks.dev)).toBe(withEndpoints);
    expect(withEndpoints).toBeCloseTo(3 * INTERFACE_ENDPOINT + 2 * KMS_KEY + SECRET + ECR_REPOSITORY, 9);
    expect(withEndpoints - without).toBeCloseTo(3 * INTERFACE_ENDPOINT, 9);
    expect(formatUsd(withEndpoints - without)).toBe("21.90");
    const counts = Object.fromEntries(estimateStack(stacks.dev, { enable_vpc_endpoints: "false" }).types.map((t) => [t.type, t.count]));
    expect(counts.aws_vpc_endpoint).toBe(1); // the S3 gateway endpoint stays
    expect(counts.aws_security_group).toBe(1);
  });

  test("a multi-AZ database costs twice its instance and storage", () => {
    const shared = synthPlatform(exampleConfig((tree) => (tree.database.multiAz = true))).shared;
    expect(byType(shared).aws_db_instance).toBeCloseTo(2 * (DB_T4G_MICRO + 20 * RDS_GB), 9);
  });

  test("lists usage-based and free types with their reasons, at zero", () => {
    const types = estimateStack(stacks.prod).types;
    const cloudfront = types.find((t) => t.type === "aws_cloudfront_distribution");
    expect(cloudfront).toMatchObject({ count: 1, monthlyUsd: 0, pricing: { basis: "usage-based" } });
    expect(types.find((t) => t.type === "aws_vpc")).toMatchObject({ monthlyUsd: 0, pricing: { basis: "free" } });
  });

  test("refuses a variable the stack does not declare, and a bool that is not true or false", () => {
    expect(() => estimateStack(stacks.dev, { enable_endpoints: "false" })).toThrow(/no variable enable_endpoints \(it has enable_vpc_endpoints, shared_role_name\)/);
    expect(() => estimateStack(stacks.dev, { enable_vpc_endpoints: "no" })).toThrow(/bool: give true or false/);
    expect(() => estimateStack(stacks.shared, { enable_vpc_endpoints: "false" })).toThrow(/it has none/);
  });
});

describe("count", () => {
  const variables = new Map<string, unknown>([["on", true], ["off", false], ["name", "x"]]);
  test.each([
    [{}, 1],
    [{ count: 3 }, 3],
    [{ count: "${var.on ? 1 : 0}" }, 1],
    [{ count: "${var.off ? 1 : 0}" }, 0],
    [{ count: "${var.off ? 1 : 2}" }, 2],
  ])("%j makes %i instances", (body, expected) => {
    expect(instanceCount("aws_kms_key.k", body, variables)).toBe(expected);
  });

  test.each([
    [{ count: "${length(var.list)}" }, /evaluates only/],
    [{ count: "${var.name ? 1 : 0}" }, /needs variable name as true or false, not "x"/],
    [{ count: "${var.missing ? 1 : 0}" }, /give --var missing=true\|false/],
    [{ for_each: "${toset(var.list)}" }, /for_each/],
  ])("%j cannot be evaluated", (body, message) => {
    expect(() => instanceCount("aws_kms_key.k", body, variables)).toThrow(CostInputError);
    expect(() => instanceCount("aws_kms_key.k", body, variables)).toThrow(message);
  });
});

describe("one resource", () => {
  const prices = PRICE_TABLES["us-east-1"];
  test("an interface endpoint in two zones costs two zone-months; a gateway endpoint nothing", () => {
    expect(resourceMonthlyUsd("aws_vpc_endpoint", { vpc_endpoint_type: "Interface", subnet_ids: ["a", "b"] }, prices)).toBeCloseTo(2 * INTERFACE_ENDPOINT, 9);
    expect(resourceMonthlyUsd("aws_vpc_endpoint", { vpc_endpoint_type: "Gateway" }, prices)).toBe(0);
  });

  test("a high-resolution alarm costs 0.30, a standard one 0.10", () => {
    expect(resourceMonthlyUsd("aws_cloudwatch_metric_alarm", { period: 10 }, prices)).toBeCloseTo(0.3, 9);
    expect(resourceMonthlyUsd("aws_cloudwatch_metric_alarm", { period: 300 }, prices)).toBeCloseTo(0.1, 9);
  });

  test("an unknown type, instance class or region fails naming what to add", () => {
    expect(() => resourceMonthlyUsd("aws_nat_gateway", {}, prices)).toThrow(/aws_nat_gateway is not in the price table/);
    expect(() => resourceMonthlyUsd("aws_instance", { instance_type: "x9.huge" }, prices)).toThrow(PriceError);
    const elsewhere = { ...stacks.dev, provider: { aws: [{ region: "eu-west-1" }] } };
    expect(() => estimateStack(elsewhere)).toThrow(/no price table for region eu-west-1/);
  });
});

describe("formatUsd", () => {
  test.each([
    [24.536, "24.54"],
    [-21.9, "-21.90"],
    [-0.001, "0.00"],
    [0.005, "0.01"],
  ])("%f is %s", (amount, text) => expect(formatUsd(amount)).toBe(text));
});

describe("switchSavingMonthlyUsd", () => {
  test("dev's enable_vpc_endpoints saves its three interface endpoints; a stack without the switch saves nothing", () => {
    expect(switchSavingMonthlyUsd(stacks.dev, "enable_vpc_endpoints")).toBeCloseTo(3 * INTERFACE_ENDPOINT, 9);
    expect(() => switchSavingMonthlyUsd(stacks.prod, "enable_vpc_endpoints")).toThrow(/no variable enable_vpc_endpoints/);
  });
});
