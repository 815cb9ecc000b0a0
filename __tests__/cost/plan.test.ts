import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it, test } from "vitest";
import { monthlyCostLine } from "../../src/ci/plan-comment";
import { CostInputError, planCost } from "../../src/cost/estimate";
import { formatPlanCostLine } from "../../src/cost/format";

// us-east-1 unit prices as documented in src/cost/prices.ts.
const HOURS = 730;
const INTERFACE_ENDPOINT = 0.01 * HOURS;
const RDS_GB = 0.115;
const DB_T4G_MICRO = 0.016 * HOURS + 20 * RDS_GB; // 20 GB
const DB_T4G_SMALL = 0.032 * HOURS + 20 * RDS_GB;
const KMS_KEY = 1;
const SECRET = 0.4;
const GP3_GB = 0.08;
const PUBLIC_IPV4 = 0.005 * HOURS;

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(__dirname, "plans", name), "utf8"));
const plan = (resource_changes: unknown[]) => ({ format_version: "1.2", terraform_version: "1.11.4", planned_values: {}, resource_changes });
const change = (address: string, actions: string[], before: unknown, after: unknown, after_unknown: unknown = {}) => ({
  address,
  mode: "managed",
  type: address.split(".")[0],
  provider_name: "registry.terraform.io/hashicorp/aws",
  change: { actions, before, after, after_unknown },
});

describe("the monthly delta of a plan", () => {
  test("create, delete and an update of the instance class; kept resources count in the total only", () => {
    const cost = planCost(fixture("changes.json"), "eu-west-1");
    expect(cost.region).toBe("us-east-1"); // the plan's own provider region wins
    expect(cost.changes.map((c) => [c.action, c.address])).toEqual([
      ["create", "aws_vpc_endpoint.network_logs_endpoint[0]"],
      ["delete", "aws_kms_key.monitoring_encryption_key"],
      ["update", "aws_db_instance.database_instance"],
    ]);
    const [create, remove, update] = cost.changes;
    expect(create.deltaMonthlyUsd).toBeCloseTo(INTERFACE_ENDPOINT, 9);
    expect(remove.deltaMonthlyUsd).toBeCloseTo(-KMS_KEY, 9);
    expect(update.beforeMonthlyUsd).toBeCloseTo(DB_T4G_MICRO, 9);
    expect(update.afterMonthlyUsd).toBeCloseTo(DB_T4G_SMALL, 9);
    expect(cost.deltaMonthlyUsd).toBeCloseTo(INTERFACE_ENDPOINT - KMS_KEY + (DB_T4G_SMALL - DB_T4G_MICRO), 9);
    expect(cost.totalMonthlyUsd).toBeCloseTo(INTERFACE_ENDPOINT + DB_T4G_SMALL + SECRET, 9);
  });

  test("a replacement prices the old object and the new one; other providers' resources cost nothing", () => {
    const cost = planCost(fixture("replace.json"), "us-east-1");
    const before = 0.0042 * HOURS + 8 * GP3_GB + PUBLIC_IPV4; // t4g.nano, 8 GB, public address
    const after = 0.0084 * HOURS + 16 * GP3_GB; // t4g.micro, 16 GB, none
    expect(cost.changes[0]).toMatchObject({ action: "replace", beforeMonthlyUsd: expect.closeTo(before, 9), afterMonthlyUsd: expect.closeTo(after, 9) });
    expect(cost.changes[1]).toMatchObject({ action: "create", address: "terraform_data.marker", deltaMonthlyUsd: 0 });
    expect(cost.deltaMonthlyUsd).toBeCloseTo(after - before, 9);
  });

  test("create-before-destroy replacements, forgets and data reads", () => {
    const cost = planCost(
      plan([
        change("aws_kms_key.a", ["create", "delete"], {}, {}),
        change("aws_kms_key.b", ["forget"], {}, null),
        { ...change("aws_kms_key.c", ["read"], null, {}), mode: "data" },
      ]),
      "us-east-1",
    );
    expect(cost.changes).toEqual([{ address: "aws_kms_key.a", type: "aws_kms_key", action: "replace", beforeMonthlyUsd: KMS_KEY, afterMonthlyUsd: KMS_KEY, deltaMonthlyUsd: 0 }]);
    expect(cost.totalMonthlyUsd).toBe(KMS_KEY);
  });

  test("an interface endpoint whose subnets are not known yet counts one zone, or as many as the plan lists", () => {
    const endpoint = (subnets: unknown, unknown: unknown) =>
      planCost(plan([change("aws_vpc_endpoint.e", ["create"], null, { vpc_endpoint_type: "Interface", subnet_ids: subnets }, { subnet_ids: unknown })]), "us-east-1")
        .deltaMonthlyUsd;
    expect(endpoint(null, true)).toBeCloseTo(INTERFACE_ENDPOINT, 9);
    expect(endpoint(undefined, [true, true])).toBeCloseTo(2 * INTERFACE_ENDPOINT, 9);
  });

  test("an empty plan changes nothing", () => {
    expect(planCost(plan([]), "us-east-1")).toEqual({ region: "us-east-1", changes: [], deltaMonthlyUsd: 0, totalMonthlyUsd: 0 });
  });

  test.each([
    [[1, 2], /not a Terraform plan/],
    [{ format_version: "0.2", planned_values: {} }, /format 1.x/],
    [{ format_version: "1.2", planned_values: {}, resource_changes: {} }, /resource_changes is not a list/],
    [plan([{ address: "aws_kms_key.a" }]), /resource_changes.0 lacks/],
    [plan([change("aws_kms_key.a", ["read"], null, {})]), /actions \[read\]/],
  ])("refuses %j", (json, message) => {
    expect(() => planCost(json, "us-east-1")).toThrow(CostInputError);
    expect(() => planCost(json, "us-east-1")).toThrow(message);
  });
});

describe("formatPlanCostLine", () => {
  const line = (delta: number, total: number) => formatPlanCostLine({ region: "us-east-1", changes: [], deltaMonthlyUsd: delta, totalMonthlyUsd: total });
  test("signs the delta and gives the new total", () => {
    expect(line(7.3, 33.355)).toBe("Monthly cost: +7.30 USD, 33.36 USD in total after this plan (fixed monthly part, us-east-1 list prices)");
    expect(line(-21.9, 2.6)).toMatch(/^Monthly cost: -21.90 USD, 2.60 USD in total/);
    expect(line(0, 0)).toMatch(/^Monthly cost: 0.00 USD, 0.00 USD/);
  });
});

describe("the monthly cost in a plan comment", () => {
  const plan = (file: string) => JSON.parse(readFileSync(path.join(__dirname, "plans", file), "utf8"));

  it("shows the delta with its sign and the stack's total after the plan, in the plan's region", () => {
    // +7.30 (an interface endpoint) - 1.00 (a KMS key) + 11.68 (db.t4g.micro to db.t4g.small); after: 7.30 + 25.66 + 0.40.
    expect(monthlyCostLine(plan("changes.json"))).toBe("Monthly cost: +17.98 USD, 33.36 USD in total after this plan (fixed monthly part, us-east-1 list prices)");
  });

  it("says why when it cannot price the plan, and never fails the comment", () => {
    expect(monthlyCostLine(plan("unknown-class.json"))).toMatch(/^Monthly cost: not estimated \(.+\)$/);
    expect(monthlyCostLine({ format_version: "1.2", resource_changes: [] })).toBe("Monthly cost: not estimated (the plan names no AWS region)");
  });
});
