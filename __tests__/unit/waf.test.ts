import { TerraformVariable } from "cdktf";
import { describe, expect, it } from "vitest";
import { ApiDomain } from "../../src/constructs/api-domain";
import { Dns } from "../../src/constructs/dns";
import { Waf, type WafProps } from "../../src/constructs/waf";
import { resources, synthConstruct } from "../support/synth";

const STAGE_ARN = "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/prod";
const synth = (props: Partial<WafProps> = {}) =>
  synthConstruct((stack) => new Waf(stack, "waf", { name: "coalition-prod", apiStage: { arn: STAGE_ARN }, ...props }));
const acl = (props: Partial<WafProps> = {}) => resources(synth(props), "aws_wafv2_web_acl").waf_web_acl;
const rule = (props: Partial<WafProps>, name: string) => acl(props).rule.find((r: any) => r.name === name);

describe("Waf", () => {
  it("creates a regional web ACL that allows what no rule blocks", () => {
    expect(acl()).toMatchObject({ name: "coalition-prod-api", scope: "REGIONAL", default_action: { allow: {} } });
  });

  it("runs AWS's IP reputation, common and known-bad-inputs rule groups with their own block actions", () => {
    const rules = acl().rule;
    const groups = rules
      .filter((r: any) => r.statement.managed_rule_group_statement)
      .map((r: any) => [r.statement.managed_rule_group_statement.vendor_name, r.statement.managed_rule_group_statement.name, r.override_action]);
    expect(groups).toEqual([
      ["AWS", "AWSManagedRulesAmazonIpReputationList", { none: {} }],
      ["AWS", "AWSManagedRulesCommonRuleSet", { none: {} }],
      ["AWS", "AWSManagedRulesKnownBadInputsRuleSet", { none: {} }],
    ]);
    for (const r of rules.filter((r: any) => r.statement.managed_rule_group_statement)) {
      expect(r.statement.managed_rule_group_statement.rule_action_override).toBeUndefined(); // nothing downgraded to count
    }
  });

  it("blocks a client IP sending more than 2,000 requests in five minutes", () => {
    expect(rule({}, "rate-limit")).toMatchObject({
      action: { block: {} },
      statement: { rate_based_statement: { limit: 2000, aggregate_key_type: "IP", evaluation_window_sec: 300 } },
    });
    expect(rule({ rateLimit: 500 }, "rate-limit").statement.rate_based_statement.limit).toBe(500);
  });

  it("gives every rule its own priority and turns CloudWatch metrics and sampling on everywhere", () => {
    const web = acl();
    expect(web.rule).toHaveLength(4);
    expect(new Set(web.rule.map((r: any) => r.priority)).size).toBe(4);
    const configs = [web.visibility_config, ...web.rule.map((r: any) => r.visibility_config)];
    for (const config of configs) expect(config).toMatchObject({ cloudwatch_metrics_enabled: true, sampled_requests_enabled: true });
    expect(new Set(configs.map((c) => c.metric_name)).size).toBe(5);
    expect(web.visibility_config.metric_name).toBe("coalition-prod-api");
  });

  it("is associated with the API stage", () => {
    expect(resources(synth(), "aws_wafv2_web_acl_association").waf_api_stage).toEqual({
      resource_arn: STAGE_ARN,
      web_acl_arn: "${aws_wafv2_web_acl.waf_web_acl.arn}",
    });
  });

  it("is associated with Zappa's stage exactly when the API custom domain switch is on", () => {
    const stack = synthConstruct((scope) => {
      const enabled = new TerraformVariable(scope, "enable_api_custom_domain", { type: "bool", default: false });
      const dns = new Dns(scope, "dns", { name: "coalition-prod", domain: "example.org" });
      const api = new ApiDomain(scope, "api", { enabled: enabled.booleanValue, restApiName: "coalition-prod", stageName: "prod", region: "us-east-1", zone: dns });
      new Waf(scope, "waf", { name: "coalition-prod", apiStage: { arn: api.stageArn, enabled: api.enabled } });
    });
    expect(resources(stack, "aws_wafv2_web_acl_association").waf_api_stage).toEqual({
      count: "${var.enable_api_custom_domain ? 1 : 0}",
      resource_arn: "arn:aws:apigateway:us-east-1::/restapis/${data.aws_api_gateway_rest_api.api_rest_api.0.id}/stages/prod",
      web_acl_arn: "${aws_wafv2_web_acl.waf_web_acl.arn}",
    });
    expect(resources(stack, "aws_wafv2_web_acl").waf_web_acl.count).toBeUndefined(); // the ACL itself always exists
  });

  it("counts instead of blocks only the common rules it is told to", () => {
    const common = rule({ commonRulesToCount: ["SizeRestrictions_BODY"] }, "common");
    expect(common.statement.managed_rule_group_statement.rule_action_override).toEqual([
      { name: "SizeRestrictions_BODY", action_to_use: { count: {} } },
    ]);
    expect(rule({ commonRulesToCount: ["SizeRestrictions_BODY"] }, "known-bad-inputs").statement.managed_rule_group_statement.rule_action_override).toBeUndefined();
  });

  it("refuses to protect nothing", () => {
    expect(() => synth({ apiStage: undefined as never })).toThrow(/Waf: apiStage.arn is required/);
    expect(() => synth({ apiStage: { arn: "" } })).toThrow(/Waf: apiStage.arn is required/);
  });

  it.each([0, 9, 2.5, 2_000_000_001])("rejects the rate limit %d", (rateLimit) => {
    expect(() => synth({ rateLimit })).toThrow(`Waf: rateLimit ${rateLimit} must be a whole number of requests from 10 to 2,000,000,000`);
  });

  it("rejects a rule name that is not one", () => {
    expect(() => synth({ commonRulesToCount: ["Size Restrictions"] })).toThrow(/commonRulesToCount has "Size Restrictions"/);
  });
});
