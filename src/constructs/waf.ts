import { Wafv2WebAcl, type Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Fn, type IResolvable, Token } from "cdktf";
import { Construct } from "constructs";

/** Requests one client IP may send in five minutes before it is blocked. */
export const DEFAULT_RATE_LIMIT = 2000;

/** The API stage a web ACL protects. */
export interface ProtectedStage {
  /** ARN `arn:aws:apigateway:{region}::/restapis/{id}/stages/{stage}`. */
  readonly arn: string;
  /** Terraform expression that is true while the stage exists; the association exists only then. Default always. */
  readonly enabled?: IResolvable;
}

export interface WafProps {
  /** Prefix of every name, e.g. `coalition-prod`; the ACL is `{name}-api`. */
  readonly name: string;
  /** The API stage to protect. Required: a web ACL attached to nothing protects nothing. */
  readonly apiStage: ProtectedStage;
  /** Requests per client IP in any five minutes above which that IP is blocked (10 to 2,000,000,000). Default 2,000. */
  readonly rateLimit?: number;
  /**
   * Rules of the common rule set to count instead of block, e.g. `SizeRestrictions_BODY` if uploads larger
   * than 8 KB go through the API. Default none: every rule blocks.
   */
  readonly commonRulesToCount?: readonly string[];
}

/**
 * A regional WAF web ACL in front of the API stage: AWS's IP reputation list, common rule set and known bad
 * inputs, plus a per-IP rate limit, each with CloudWatch metrics and sampled requests. Requests no rule blocks
 * are allowed.
 */
export class Waf extends Construct {
  readonly webAcl: Wafv2WebAcl;

  constructor(scope: Construct, id: string, props: WafProps) {
    super(scope, id);
    if (!props.apiStage?.arn) throw new Error("Waf: apiStage.arn is required; a web ACL associated with nothing protects nothing");
    const rateLimit = props.rateLimit ?? DEFAULT_RATE_LIMIT;
    if (!Number.isInteger(rateLimit) || rateLimit < 10 || rateLimit > 2_000_000_000) {
      throw new Error(`Waf: rateLimit ${rateLimit} must be a whole number of requests from 10 to 2,000,000,000`);
    }
    const countOnly = props.commonRulesToCount ?? [];
    const badName = countOnly.find((rule) => !/^[A-Za-z0-9_-]{1,128}$/.test(rule));
    if (badName !== undefined) throw new Error(`Waf: commonRulesToCount has "${badName}", which is not a rule name`);
    const aclName = `${props.name}-api`;
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

    // The provider types `statement` loosely, so it is written as Terraform spells it.
    const managed = (priority: number, rule: string, group: string, rulesToCount: readonly string[] = []): Wafv2WebAclRule => ({
      name: rule,
      priority,
      overrideAction: { none: {} },
      statement: {
        managed_rule_group_statement: {
          vendor_name: "AWS",
          name: group,
          ...(rulesToCount.length > 0
            ? { rule_action_override: rulesToCount.map((name) => ({ name, action_to_use: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: visibility(`${aclName}-${rule}`),
    });
    // Cheapest first: known bad addresses, then floods, then the inspection of each request.
    const rules: Wafv2WebAclRule[] = [
      managed(10, "ip-reputation", "AWSManagedRulesAmazonIpReputationList"),
      {
        name: "rate-limit",
        priority: 20,
        action: { block: {} },
        statement: { rate_based_statement: { limit: rateLimit, aggregate_key_type: "IP", evaluation_window_sec: 300 } },
        visibilityConfig: visibility(`${aclName}-rate-limit`),
      },
      managed(30, "common", "AWSManagedRulesCommonRuleSet", countOnly),
      managed(40, "known-bad-inputs", "AWSManagedRulesKnownBadInputsRuleSet"),
    ];

    this.webAcl = new Wafv2WebAcl(this, "web_acl", {
      name: aclName,
      description: `Protects the ${props.name} API`,
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility(aclName),
      tags: { Name: aclName },
    });

    const enabled = props.apiStage.enabled;
    new Wafv2WebAclAssociation(this, "api_stage", {
      count: enabled === undefined ? undefined : Token.asNumber(Fn.conditional(enabled, 1, 0)),
      resourceArn: props.apiStage.arn,
      webAclArn: this.webAcl.arn,
    });
  }
}
