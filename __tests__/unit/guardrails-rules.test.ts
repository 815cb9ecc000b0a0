import { describe, expect, it } from "vitest";
import { ALL_RULES, describeResult, evaluate, type Result } from "../../src/guardrails/engine";
import type { SynthesizedStack } from "../../src/guardrails/rules";

/**
 * The security guardrails on synthesized stacks written by hand, in Terraform's JSON as cdktf writes it: each rule's
 * edges, and its message. guardrails.test.ts checks the same rules on stacks built with the constructs.
 */
type Resources = NonNullable<SynthesizedStack["resource"]>;

/** One account, 111111111111, as the default provider; 222222222222 as `aws.other`. */
const PROVIDERS = { aws: [{ region: "us-east-1", allowed_account_ids: ["111111111111"] }, { alias: "other", region: "us-east-1", allowed_account_ids: ["222222222222"] }] };

function check(rule: string, resource: Resources, stack = "prod"): Record<string, string> {
  const results = evaluate(stack, { resource, provider: PROVIDERS }, []).filter((r) => r.rule === rule);
  return Object.fromEntries(results.map((r) => [r.address, r.status === "pass" ? "pass" : `${r.status}: ${r.detail}`]));
}

const policy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ref = (address: string) => `\${${address}.id}`;

describe("S3 buckets", () => {
  const buckets = { aws_s3_bucket: { a: { bucket: "a" }, a_copy: { bucket: "a-copy" } } };

  it("need a public access block with all four settings true, on themselves", () => {
    const block = (bucket: string, settings: Record<string, boolean>) => ({
      bucket: ref(bucket),
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
      ...settings,
    });
    const message = "fail: needs an aws_s3_bucket_public_access_block with all four settings true";
    expect(check("S3_PUBLIC_ACCESS_BLOCK", { ...buckets, aws_s3_bucket_public_access_block: { a: block("aws_s3_bucket.a", {}) } })).toEqual({
      "aws_s3_bucket.a": "pass",
      // A block on aws_s3_bucket.a is not one on aws_s3_bucket.a_copy, whose address starts the same.
      "aws_s3_bucket.a_copy": message,
    });
    for (const setting of ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]) {
      expect(check("S3_PUBLIC_ACCESS_BLOCK", { ...buckets, aws_s3_bucket_public_access_block: { a: block("aws_s3_bucket.a", { [setting]: false }) } })["aws_s3_bucket.a"], setting).toBe(message);
    }
    expect(check("S3_PUBLIC_ACCESS_BLOCK", { ...buckets, aws_s3_bucket_public_access_block: { a: { ...block("aws_s3_bucket.a", {}), bucket: "a" } } })["aws_s3_bucket.a"]).toBe(message);
  });

  it("need default encryption at rest", () => {
    const encryption = (rule: unknown) => ({ aws_s3_bucket_server_side_encryption_configuration: { a: { bucket: ref("aws_s3_bucket.a"), rule } } });
    const message = "fail: needs an aws_s3_bucket_server_side_encryption_configuration";
    expect(check("S3_ENCRYPTION", { ...buckets, ...encryption([{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" } }]) })).toEqual({
      "aws_s3_bucket.a": "pass",
      "aws_s3_bucket.a_copy": message,
    });
    expect(check("S3_ENCRYPTION", { ...buckets, ...encryption({ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }) })["aws_s3_bucket.a"]).toBe("pass");
    expect(check("S3_ENCRYPTION", { ...buckets, ...encryption([{ bucket_key_enabled: true }]) })["aws_s3_bucket.a"]).toBe(message);
    expect(check("S3_ENCRYPTION", { ...buckets, ...encryption([null]) })["aws_s3_bucket.a"]).toBe(message);
  });

  it("need a bucket policy that denies requests without TLS", () => {
    const bucketPolicy = (document: unknown) => ({ aws_s3_bucket_policy: { a: { bucket: ref("aws_s3_bucket.a"), policy: document } } });
    const tlsOnly = { Sid: "TLS", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } };
    const message = "fail: needs a bucket policy denying requests where aws:SecureTransport is false";
    expect(check("S3_TLS_ONLY", { ...buckets, ...bucketPolicy(policy(tlsOnly)) })).toEqual({ "aws_s3_bucket.a": "pass", "aws_s3_bucket.a_copy": message });
    // A document as an object, and a single statement rather than a list, read the same.
    expect(check("S3_TLS_ONLY", { ...buckets, ...bucketPolicy({ Statement: tlsOnly }) })["aws_s3_bucket.a"]).toBe("pass");
    expect(check("S3_TLS_ONLY", { ...buckets, ...bucketPolicy(policy({ ...tlsOnly, Effect: "Allow" })) })["aws_s3_bucket.a"]).toBe(message);
    expect(check("S3_TLS_ONLY", { ...buckets, ...bucketPolicy(policy({ ...tlsOnly, Condition: { Bool: { "aws:SecureTransport": "true" } } })) })["aws_s3_bucket.a"]).toBe(message);
    expect(check("S3_TLS_ONLY", { ...buckets, ...bucketPolicy("${data.aws_iam_policy_document.a.json}") })["aws_s3_bucket.a"]).toBe(message);
    expect(check("S3_TLS_ONLY", { ...buckets, ...bucketPolicy(JSON.stringify({ Version: "2012-10-17" })) })["aws_s3_bucket.a"]).toBe(message);
  });
});

describe("RDS instances", () => {
  it("encrypt their storage and are never public", () => {
    const instances = { aws_db_instance: { good: { storage_encrypted: true, publicly_accessible: false }, bad: { storage_encrypted: false, publicly_accessible: true }, unset: {} } };
    expect(check("RDS_ENCRYPTED", instances)).toEqual({
      "aws_db_instance.good": "pass",
      "aws_db_instance.bad": "fail: storage_encrypted must be true",
      "aws_db_instance.unset": "fail: storage_encrypted must be true",
    });
    expect(check("RDS_PRIVATE", instances)).toEqual({
      "aws_db_instance.good": "pass",
      "aws_db_instance.bad": "fail: publicly_accessible must be false",
      "aws_db_instance.unset": "fail: publicly_accessible must be false",
    });
  });

  it("have deletion protection in shared, and only there is it required", () => {
    const instances = { aws_db_instance: { kept: { deletion_protection: true }, loose: { deletion_protection: false } } };
    expect(check("RDS_DELETION_PROTECTION", instances, "shared")).toEqual({
      "aws_db_instance.kept": "pass",
      "aws_db_instance.loose": "fail: deletion_protection must be true in shared",
    });
    expect(check("RDS_DELETION_PROTECTION", instances, "dev")).toEqual({});
  });
});

describe("security groups", () => {
  const message = "fail: ingress open to the whole internet";

  it("let nothing in from the whole internet, inline, over IPv4 or IPv6", () => {
    const group = (ingress: unknown, tags?: object) => ({ ingress, ...(tags && { tags }) });
    expect(
      check("SG_NO_WORLD_INGRESS", {
        aws_security_group: {
          ssh: group([{ from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] }]),
          ssh6: group([{ from_port: 22, to_port: 22, ipv6_cidr_blocks: ["::/0"] }]),
          office: group([{ from_port: 22, to_port: 22, cidr_blocks: ["203.0.113.0/24"], ipv6_cidr_blocks: ["2001:db8::/32"] }]),
          none: {},
          web: group([{ from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"] }, { from_port: 80, to_port: 80, ipv6_cidr_blocks: ["::/0"] }], { InternetFacing: "true" }),
          web_untagged: group([{ from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"] }]),
          web_other_tag: group([{ from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"] }], { InternetFacing: "false" }),
          web_range: group([{ from_port: 80, to_port: 443, cidr_blocks: ["0.0.0.0/0"] }], { InternetFacing: "true" }),
          web_ssh: group([{ from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] }], { InternetFacing: "true" }),
          single_rule: group({ from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] }),
        },
      }),
    ).toEqual({
      "aws_security_group.ssh": message,
      "aws_security_group.ssh6": message,
      "aws_security_group.office": "pass",
      "aws_security_group.none": "pass",
      "aws_security_group.web": "pass",
      "aws_security_group.web_untagged": message,
      "aws_security_group.web_other_tag": message,
      "aws_security_group.web_range": message,
      "aws_security_group.web_ssh": message,
      "aws_security_group.single_rule": message,
    });
  });

  it("let nothing in from the whole internet through separate rules, but the web ports of an internet-facing group", () => {
    const rule = (group: string, port: number, cidr: Record<string, string>) => ({ security_group_id: `\${aws_security_group.${group}.id}`, from_port: port, to_port: port, ...cidr });
    expect(
      check("SG_NO_WORLD_INGRESS", {
        aws_security_group: { web: { tags: { InternetFacing: "true" } }, app: {} },
        aws_vpc_security_group_ingress_rule: {
          https: rule("web", 443, { cidr_ipv4: "0.0.0.0/0" }),
          http6: rule("web", 80, { cidr_ipv6: "::/0" }),
          ssh: rule("web", 22, { cidr_ipv4: "0.0.0.0/0" }),
          app_https: rule("app", 443, { cidr_ipv4: "0.0.0.0/0" }),
          app_private: rule("app", 5432, { cidr_ipv4: "10.0.0.0/16" }),
          elsewhere: { security_group_id: "sg-0123", from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0" },
        },
      }),
    ).toEqual({
      "aws_security_group.web": "pass",
      "aws_security_group.app": "pass",
      "aws_vpc_security_group_ingress_rule.https": "pass",
      "aws_vpc_security_group_ingress_rule.http6": "pass",
      "aws_vpc_security_group_ingress_rule.ssh": message,
      "aws_vpc_security_group_ingress_rule.app_https": message,
      "aws_vpc_security_group_ingress_rule.app_private": "pass",
      "aws_vpc_security_group_ingress_rule.elsewhere": message,
    });
  });
});

describe("KMS keys and log groups", () => {
  it("rotate keys", () => {
    expect(check("KMS_ROTATION", { aws_kms_key: { on: { enable_key_rotation: true }, off: { enable_key_rotation: false }, unset: {} } })).toEqual({
      "aws_kms_key.on": "pass",
      "aws_kms_key.off": "fail: enable_key_rotation must be true",
      "aws_kms_key.unset": "fail: enable_key_rotation must be true",
    });
  });

  it("expire log events", () => {
    expect(check("LOG_RETENTION", { aws_cloudwatch_log_group: { days: { retention_in_days: 30 }, text: { retention_in_days: "1" }, never: { retention_in_days: 0 }, unset: {} } })).toEqual({
      "aws_cloudwatch_log_group.days": "pass",
      "aws_cloudwatch_log_group.text": "pass",
      "aws_cloudwatch_log_group.never": "fail: retention_in_days must be set",
      "aws_cloudwatch_log_group.unset": "fail: retention_in_days must be set",
    });
  });
});

describe("CloudFront distributions", () => {
  const distribution = (behaviors: string[], origins: object[]) => ({
    default_cache_behavior: { viewer_protocol_policy: behaviors[0] },
    ordered_cache_behavior: behaviors.slice(1).map((viewer_protocol_policy) => ({ viewer_protocol_policy })),
    origin: origins,
  });
  const oac = { origin_access_control_id: "${aws_cloudfront_origin_access_control.a.id}" };

  it("serve HTTPS only and read their origins through Origin Access Control", () => {
    expect(
      check("CLOUDFRONT_HTTPS_OAC", {
        aws_cloudfront_distribution: {
          good: distribution(["redirect-to-https", "https-only"], [oac]),
          plain: distribution(["https-only", "allow-all"], [oac]),
          plain_default: distribution(["allow-all"], [oac]),
          identity: distribution(["https-only"], [{ ...oac, s3_origin_config: { origin_access_identity: "x" } }]),
          no_oac: distribution(["https-only"], [oac, { domain_name: "other" }]),
          single: { default_cache_behavior: { viewer_protocol_policy: "https-only" }, origin: oac },
          bare: {},
        },
      }),
    ).toEqual({
      "aws_cloudfront_distribution.good": "pass",
      "aws_cloudfront_distribution.plain": "fail: a cache behavior allows plain HTTP",
      "aws_cloudfront_distribution.plain_default": "fail: a cache behavior allows plain HTTP",
      "aws_cloudfront_distribution.identity": "fail: an origin does not use Origin Access Control",
      "aws_cloudfront_distribution.no_oac": "fail: an origin does not use Origin Access Control",
      "aws_cloudfront_distribution.single": "pass",
      "aws_cloudfront_distribution.bare": "pass",
    });
  });
});

describe("identity policies", () => {
  const allow = (Action: unknown, Resource: unknown = "arn:aws:s3:::bucket") => ({ Sid: "S", Effect: "Allow", Action, Resource });

  it('never allow "Action": "*", on a role, a managed policy or a user', () => {
    const message = 'fail: allows "Action": "*"';
    expect(
      check("IAM_NO_WILDCARD_ACTION", {
        aws_iam_role_policy: { star: { policy: policy(allow("*")) }, service: { policy: policy(allow(["s3:*", "ec2:Describe*"])) } },
        aws_iam_policy: { star_star: { policy: policy(allow(["s3:GetObject", "*:*"])) }, deny: { policy: policy({ ...allow("*"), Effect: "Deny" }) } },
        aws_iam_user_policy: { star: { policy: policy(allow("*")) } },
      }),
    ).toEqual({
      "aws_iam_role_policy.star": message,
      "aws_iam_role_policy.service": "pass",
      "aws_iam_policy.star_star": message,
      "aws_iam_policy.deny": "pass",
      "aws_iam_user_policy.star": message,
    });
  });

  it('allow changes at "Resource": "*" only for reads, global services, Cloud Control and actions AWS cannot scope', () => {
    const reads = ["Get", "List", "Describe", "View", "Search", "Head", "Check", "Simulate", "BatchGet", "Lookup", "Query", "Scan", "Select"].map((verb) => `dynamodb:${verb}Thing`);
    const globals = ["s3:PutBucketPolicy", "route53:ChangeResourceRecordSets", "apigateway:POST", "ce:CreateAnomalyMonitor"];
    const cloudControl = ["Create", "Get", "Update", "Delete", "List"].flatMap((verb) => [`cloudformation:${verb}Resource`, `cloudformation:${verb}Resources`, `cloudformation:${verb}ResourceRequestStatus`]);
    const unscopable = ["kms:CreateKey", "acm:RequestCertificate", "cloudfront:CreateDistribution", "ecr:GetAuthorizationToken"];
    expect(
      check("IAM_NO_WILDCARD_RESOURCE_MUTATION", {
        aws_iam_role_policy: {
          allowed: { policy: policy(allow([...reads, ...globals, ...cloudControl, ...unscopable], "*")) },
          changes: { policy: policy(allow(["rds:DeleteDBInstance", "ec2:DescribeVpcs", "cloudformation:CreateStack", "cloudformation:CreateResourceX", "lambda:Update"], ["arn:aws:s3:::a", "*"])) },
          scoped: { policy: policy(allow("rds:DeleteDBInstance", "arn:aws:rds:us-east-1:111111111111:db:x")) },
          denied: { policy: policy({ ...allow("rds:DeleteDBInstance", "*"), Effect: "Deny" }) },
          // Read verbs count only at the start of the action's name, after the service.
          not_a_read: { policy: policy(allow(["ec2:RevokeGetAccess", "sqs:*"], "*")) },
        },
      }),
    ).toEqual({
      "aws_iam_role_policy.allowed": "pass",
      "aws_iam_role_policy.changes": 'fail: allows changes at "Resource": "*": rds:DeleteDBInstance, cloudformation:CreateStack, cloudformation:CreateResourceX, lambda:Update',
      "aws_iam_role_policy.scoped": "pass",
      "aws_iam_role_policy.denied": "pass",
      "aws_iam_role_policy.not_a_read": 'fail: allows changes at "Resource": "*": ec2:RevokeGetAccess, sqs:*',
    });
  });
});

describe("roles and the permissions boundary", () => {
  const boundary = { aws_iam_policy: { boundary_policy: { name: "coalition-boundary", policy: policy(allow("s3:GetObject")) } } };
  function allow(Action: string) {
    return { Sid: "S", Effect: "Allow", Action, Resource: "*" };
  }
  const role = (permissions_boundary?: string, provider?: string) => ({ assume_role_policy: "{}", ...(permissions_boundary && { permissions_boundary }), ...(provider && { provider }) });

  it("bound every role by its own account's boundary, by reference or by ARN, but the deploy and plan roles", () => {
    const noBoundary = "fail: has no permissions boundary of its account in this stack (aws_iam_policy.boundary_policy, with the same provider)";
    const wrong = "fail: needs permissions_boundary set to its account's boundary, ${aws_iam_policy.boundary_policy.arn} (arn:aws:iam::111111111111:policy/coalition-boundary)";
    expect(
      check("IAM_ROLE_BOUNDARY", {
        ...boundary,
        aws_iam_role: {
          by_reference: role("${aws_iam_policy.boundary_policy.arn}"),
          by_arn: role("arn:aws:iam::111111111111:policy/coalition-boundary"),
          other_account: role("arn:aws:iam::222222222222:policy/coalition-boundary"),
          managed: role("arn:aws:iam::aws:policy/AdministratorAccess"),
          unbounded: role(),
          in_other_account: role("${aws_iam_policy.boundary_policy.arn}", "aws.other"),
          github_oidc_role: role(),
          github_oidc_plan_role: role(),
        },
      }),
    ).toEqual({
      "aws_iam_role.by_reference": "pass",
      "aws_iam_role.by_arn": "pass",
      "aws_iam_role.other_account": wrong,
      "aws_iam_role.managed": wrong,
      "aws_iam_role.unbounded": wrong,
      "aws_iam_role.in_other_account": noBoundary,
    });
  });

  it("find no boundary in a stack without one", () => {
    expect(check("IAM_ROLE_BOUNDARY", { aws_iam_role: { lone: role("${aws_iam_policy.boundary_policy.arn}") } })).toEqual({
      "aws_iam_role.lone": "fail: has no permissions boundary of its account in this stack (aws_iam_policy.boundary_policy, with the same provider)",
    });
  });

  it("take the boundary of an aliased provider's account for that provider's roles", () => {
    const inOther = { ...boundary.aws_iam_policy.boundary_policy, provider: "aws.other" };
    expect(
      check("IAM_ROLE_BOUNDARY", {
        aws_iam_policy: { boundary_policy: inOther },
        aws_iam_role: { there: role("arn:aws:iam::222222222222:policy/coalition-boundary", "aws.other"), here: role("${aws_iam_policy.boundary_policy.arn}") },
      }),
    ).toEqual({
      "aws_iam_role.there": "pass",
      "aws_iam_role.here": "fail: has no permissions boundary of its account in this stack (aws_iam_policy.boundary_policy, with the same provider)",
    });
  });

  it("take only the reference when the provider names no account", () => {
    const results = evaluate(
      "prod",
      {
        resource: { ...boundary, aws_iam_role: { by_arn: role("arn:aws:iam::111111111111:policy/coalition-boundary"), by_reference: role("${aws_iam_policy.boundary_policy.arn}") } },
        provider: { aws: [{ region: "us-east-1" }] },
      },
      [],
    ).filter((r) => r.rule === "IAM_ROLE_BOUNDARY");
    expect(results.map((r) => [r.address, r.status])).toEqual([
      ["aws_iam_role.by_arn", "fail"],
      ["aws_iam_role.by_reference", "pass"],
    ]);
    expect(results[0].detail).toMatch(/^needs permissions_boundary set to its account's boundary, \$\{aws_iam_policy\.boundary_policy\.arn\} /);
  });
});

describe("the engine", () => {
  const stack: SynthesizedStack = { resource: { aws_kms_key: { key: {} } }, provider: PROVIDERS };
  const suppression = { rule: "KMS_ROTATION", address: "aws_kms_key.key", reason: "imported legacy key" };
  const rotation = (results: Result[]) => results.find((r) => r.rule === "KMS_ROTATION");

  it("runs the security rules, then the quota rules", () => {
    expect(ALL_RULES.map((rule) => rule.id).slice(0, 12)).toEqual([
      "S3_PUBLIC_ACCESS_BLOCK",
      "S3_ENCRYPTION",
      "S3_TLS_ONLY",
      "RDS_ENCRYPTED",
      "RDS_PRIVATE",
      "RDS_DELETION_PROTECTION",
      "SG_NO_WORLD_INGRESS",
      "KMS_ROTATION",
      "CLOUDFRONT_HTTPS_OAC",
      "IAM_NO_WILDCARD_ACTION",
      "IAM_NO_WILDCARD_RESOURCE_MUTATION",
      "LOG_RETENTION",
    ]);
    expect(ALL_RULES.every((rule) => rule.description.length > 0)).toBe(true);
  });

  it("reports a failure with the rule's message, and a pass without detail", () => {
    expect(rotation(evaluate("dev", stack, []))).toEqual({ stack: "dev", rule: "KMS_ROTATION", address: "aws_kms_key.key", status: "fail", detail: "enable_key_rotation must be true" });
    expect(rotation(evaluate("dev", { resource: { aws_kms_key: { key: { enable_key_rotation: true } } } }, [suppression]))).toEqual({
      stack: "dev",
      rule: "KMS_ROTATION",
      address: "aws_kms_key.key",
      status: "pass",
    });
  });

  it("suppresses only the finding of the suppression's rule, address and stacks, with its reason", () => {
    const suppressed = { stack: "dev", rule: "KMS_ROTATION", address: "aws_kms_key.key", status: "suppressed", detail: "imported legacy key" };
    expect(rotation(evaluate("dev", stack, [suppression]))).toEqual(suppressed);
    expect(rotation(evaluate("dev", stack, [{ ...suppression, stacks: ["dev", "prod"] }]))).toEqual(suppressed);
    expect(rotation(evaluate("shared", stack, [{ ...suppression, stacks: ["dev"] }]))?.status).toBe("fail");
    expect(rotation(evaluate("dev", stack, [{ ...suppression, rule: "LOG_RETENTION" }]))?.status).toBe("fail");
    expect(rotation(evaluate("dev", stack, [{ ...suppression, address: "aws_kms_key.other" }]))?.status).toBe("fail");
  });

  it("describes a result by rule, address and detail", () => {
    expect(describeResult({ stack: "dev", rule: "KMS_ROTATION", address: "aws_kms_key.key", status: "fail", detail: "enable_key_rotation must be true" })).toBe(
      "KMS_ROTATION aws_kms_key.key: enable_key_rotation must be true",
    );
    expect(describeResult({ stack: "dev", rule: "KMS_ROTATION", address: "aws_kms_key.key", status: "pass" })).toBe("KMS_ROTATION aws_kms_key.key");
  });

  it("reads a stack with no resources as nothing to check", () => {
    expect(evaluate("dev", {}, [])).toEqual([]);
  });
});
