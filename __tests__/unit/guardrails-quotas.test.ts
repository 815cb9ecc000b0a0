import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/guardrails/engine";
import { roleQuotas } from "../../src/guardrails/quota-rules";
import {
  bucketNameProblem,
  describeMeasure,
  figure,
  interpolationLength,
  parseTemplate,
  policySize,
  securityGroupDescriptionProblem,
  stringLength,
  total,
} from "../../src/guardrails/quotas";
import type { SynthesizedStack } from "../../src/guardrails/rules";

/**
 * The AWS quota guardrails on strings and hand-written stacks. The limits are AWS's, as its documentation states
 * them: IAM User Guide, "IAM and AWS STS quotas" (10,240 characters for a role's inline policies, 6,144 for a managed
 * policy, 2,048 for a trust policy (adjustable to 4,096), white space not counted; role names 64, policy names 128);
 * S3 User Guide, "General purpose bucket naming rules"; EC2 API Reference, CreateSecurityGroup and the rules'
 * Description. Terraform appends 26 characters to a name_prefix.
 */

/** A JSON document of exactly `size` characters, none of them white space. */
function documentOf(size: number): string {
  const frame = JSON.stringify({ V: "" }).length;
  return JSON.stringify({ V: "a".repeat(size - frame) });
}

describe("Terraform strings", () => {
  it("separate literal text from interpolations and directives", () => {
    expect(parseTemplate("arn:${data.aws_partition.p.partition}:s3:::${ var.bucket }/*")).toEqual({
      literal: "arn::s3:::/*",
      interpolations: ["data.aws_partition.p.partition", "var.bucket"],
    });
    expect(parseTemplate("%{ if var.on }yes%{ endif }")).toEqual({ literal: "yes", interpolations: ["if var.on", "endif"] });
    expect(parseTemplate("plain")).toEqual({ literal: "plain", interpolations: [] });
  });

  it("read $${ and %%{ as literal text", () => {
    expect(parseTemplate("a$${b}c%%{d}")).toEqual({ literal: "a${b}c%{d}", interpolations: [] });
  });

  it("skip braces inside quoted strings and nested braces", () => {
    expect(parseTemplate('${lookup(var.m, "}", "x")}!')).toEqual({ literal: "!", interpolations: ['lookup(var.m, "}", "x")'] });
    expect(parseTemplate('${lookup(var.m, "\\"}", "x")}!')).toEqual({ literal: "!", interpolations: ['lookup(var.m, "\\"}", "x")'] });
    expect(parseTemplate("${ {a = 1}.a }b")).toEqual({ literal: "b", interpolations: ["{a = 1}.a"] });
  });

  it("refuse an unterminated interpolation", () => {
    expect(() => parseTemplate("x${var.a")).toThrow('unterminated interpolation in "x${var.a"');
    expect(() => parseTemplate('${"}')).toThrow("unterminated interpolation");
  });

  it("count an interpolation at its longest: account ids 12, regions 15 (us-isof-south-1), partitions 10 (aws-us-gov), else 256", () => {
    expect(interpolationLength("data.aws_caller_identity.current.account_id")).toBe(12);
    expect(interpolationLength("data.aws_region.current.name")).toBe(15);
    expect(interpolationLength("data.aws_region.current.id")).toBe(15);
    expect(interpolationLength("data.aws_region.current.region")).toBe(15);
    expect(interpolationLength("data.aws_partition.current.partition")).toBe(10);
    expect(interpolationLength("data.aws_caller_identity.current.arn")).toBe(256);
    expect(interpolationLength("xdata.aws_region.current.name")).toBe(256);
    expect(interpolationLength("data.aws_region.current.names")).toBe(256);
    expect(interpolationLength("aws_iam_role.r.arn")).toBe(256);
    expect(stringLength("arn:${data.aws_partition.p.partition}:iam::${data.aws_caller_identity.c.account_id}:root")).toEqual({ size: "arn::iam:::root".length + 10 + 12, interpolations: 2 });
    expect(stringLength("abc")).toEqual({ size: 3, interpolations: 0 });
  });
});

describe("policy sizes", () => {
  it("count a document without its white space", () => {
    expect(policySize('{ "Version": "2012-10-17",\n  "Statement": [] }')).toEqual({ size: '{"Version":"2012-10-17","Statement":[]}'.length, interpolations: 0 });
    expect(policySize({ Version: "2012-10-17", Statement: [] })).toEqual({ size: 39, interpolations: 0 });
    expect(policySize(undefined)).toEqual({ size: 4, interpolations: 0 });
  });

  it("count each interpolation at its longest", () => {
    expect(policySize('{"Resource":"arn:aws:iam::${data.aws_caller_identity.c.account_id}:role/${aws_iam_role.r.name}"}')).toEqual({
      size: '{"Resource":"arn:aws:iam:::role/"}'.length + 12 + 256,
      interpolations: 2,
    });
  });

  it("have none for a document that is JSON only once Terraform resolves it", () => {
    expect(policySize("${data.aws_iam_policy_document.doc.json}")).toEqual({
      error: "is not a JSON document at synth (${data.aws_iam_policy_document.doc.json}), so its size cannot be checked: build it with a policy builder",
    });
    const long = `\${jsonencode({ Statement = [{ Action = "s3:GetObject", Resource = "arn:aws:s3:::bucket/*" }] })}`;
    expect(policySize(long)).toEqual({ error: `is not a JSON document at synth (${long.slice(0, 57)}...), so its size cannot be checked: build it with a policy builder` });
  });

  it("add up and describe measures, saying when they are an upper bound", () => {
    expect(total([{ size: 10, interpolations: 0 }, { size: 5, interpolations: 2 }, { size: 1, interpolations: 1 }])).toEqual({ size: 16, interpolations: 3 });
    expect(total([])).toEqual({ size: 0, interpolations: 0 });
    expect(describeMeasure({ size: 10_240, interpolations: 0 })).toBe("10,240 characters");
    expect(describeMeasure({ size: 2_049, interpolations: 1 })).toBe("at most 2,049 characters (an interpolation at its longest)");
    expect(describeMeasure({ size: 300, interpolations: 3 })).toBe("at most 300 characters (3 interpolations at their longest)");
  });

  it("group a whole number's thousands as the en-US locale does", () => {
    const numbers = [0, 7, 99, 100, 999, 1_000, 2_048, 10_240, 65_535, 100_000, 999_999, 1_000_000, 12_345_678, 2 ** 31, -4_096];
    for (const n of numbers) expect(figure(n), String(n)).toBe(n.toLocaleString("en-US"));
  });
});

describe("S3 bucket names", () => {
  it("accept 3 to 63 lower-case letters, digits, dots and hyphens", () => {
    for (const name of ["abc", "a".repeat(63), "coalition-prod-assets", "logs.example.org", "1bucket9"]) expect(bucketNameProblem(name, false), name).toBeUndefined();
  });

  it("hold the length to 63, a prefix with Terraform's suffix, interpolations at their longest", () => {
    expect(bucketNameProblem("a".repeat(64), false)).toBe("is 64 characters, over S3's 63");
    expect(bucketNameProblem("a".repeat(37), true)).toBeUndefined();
    expect(bucketNameProblem("a".repeat(38), true)).toBe("is 64 characters with Terraform's 26-character suffix, over S3's 63");
    expect(bucketNameProblem("logs-${var.name}", false)).toBe("is up to 261 characters (its interpolations at their longest), over S3's 63");
    expect(bucketNameProblem("logs-${var.name}-", true)).toBe("is up to 288 characters with Terraform's 26-character suffix (its interpolations at their longest), over S3's 63");
    expect(bucketNameProblem("logs-${data.aws_caller_identity.c.account_id}", false)).toBeUndefined();
  });

  it("need at least 3 characters, unless more may follow", () => {
    expect(bucketNameProblem("ab", false)).toBe("is 2 characters, under S3's 3");
    expect(bucketNameProblem("ab", true)).toBeUndefined();
    expect(bucketNameProblem("a${data.aws_region.r.name}", false)).toBeUndefined();
  });

  it("refuse other characters, naming each once", () => {
    expect(bucketNameProblem("My_Bucket_", false)).toBe('has "M", "_", "B": S3 allows only lower-case letters, digits, "." and "-"');
  });

  it("begin and end with a letter or digit", () => {
    expect(bucketNameProblem("-bucket", false)).toBe("must begin and end with a letter or digit");
    expect(bucketNameProblem("bucket.", false)).toBe("must begin and end with a letter or digit");
    expect(bucketNameProblem("bucket-", true)).toBeUndefined();
    expect(bucketNameProblem("${data.aws_caller_identity.c.account_id}-logs", false)).toBeUndefined();
    expect(bucketNameProblem("logs-${data.aws_caller_identity.c.account_id}", false)).toBeUndefined();
  });

  it("refuse adjacent periods, an IP address, and the reserved prefixes and suffixes", () => {
    expect(bucketNameProblem("a..b", false)).toBe("has two adjacent periods");
    expect(bucketNameProblem("a.${data.aws_region.r.name}.b", false)).toBeUndefined();
    expect(bucketNameProblem("192.168.5.4", false)).toBe("is formatted as an IP address");
    expect(bucketNameProblem("192.168.5.4a", false)).toBeUndefined();
    for (const prefix of ["xn--", "sthree-", "amzn-s3-demo-"]) expect(bucketNameProblem(`${prefix}bucket`, false)).toBe(`starts with "${prefix}", which S3 reserves`);
    for (const suffix of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) {
      expect(bucketNameProblem(`bucket${suffix}`, false)).toBe(`ends with "${suffix}", which S3 reserves`);
      expect(bucketNameProblem(`bucket${suffix}`, true)).toBeUndefined();
    }
  });
});

describe("security group descriptions", () => {
  it("take 255 characters of letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*", () => {
    expect(securityGroupDescriptionProblem("HTTPS from the load balancer (443) & more: a-b_c.d/e#f,g@h[i]+j=k;l{m}!n$o*", false)).toBeUndefined();
    expect(securityGroupDescriptionProblem("x".repeat(255), false)).toBeUndefined();
    expect(securityGroupDescriptionProblem("x".repeat(256), false)).toBe("is 256 characters, over EC2's 255");
    expect(securityGroupDescriptionProblem("to ${var.name}", false)).toBe("is at most 259 characters (an interpolation at its longest), over EC2's 255");
    expect(securityGroupDescriptionProblem("café's rule", false)).toBe(`has "é", "'": EC2 allows only letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*`);
  });

  it("take no & where the rule references a security group or a prefix list", () => {
    expect(securityGroupDescriptionProblem("app & bastion", true)).toBe(
      'has "&": EC2 allows only letters, digits, spaces and ._-:/()#,@[]+=;{}!$* (no & where the rule references a security group or prefix list)',
    );
    expect(securityGroupDescriptionProblem("app and bastion", true)).toBeUndefined();
  });
});

describe("the quota rules", () => {
  const PROVIDERS = { aws: [{ region: "us-east-1" }] };
  function check(rule: string, resource: SynthesizedStack["resource"]): Record<string, string> {
    const results = evaluate("prod", { resource, provider: PROVIDERS }, []).filter((r) => r.rule === rule);
    return Object.fromEntries(results.map((r) => [r.address, r.status === "pass" ? "pass" : `${r.status}: ${r.detail}`]));
  }
  const INLINE_QUOTA = "IAM's quota of 10,240 for a role's inline policies together (white space not counted)";

  it("hold a role's inline policies together to 10,240 characters, wherever they are declared", () => {
    expect(
      check("IAM_INLINE_POLICY_SIZE", {
        aws_iam_role: {
          fits: { name: "fits", assume_role_policy: "{}", inline_policy: [{ name: "own", policy: documentOf(240) }] },
          over: { name: "over", assume_role_policy: "{}", inline_policy: { name: "own", policy: documentOf(241) } },
          unknown: { name: "unknown", assume_role_policy: "{}", inline_policy: [{ name: "late", policy: "${data.aws_iam_policy_document.d.json}" }, {}] },
          bare: { assume_role_policy: "{}" },
        },
        aws_iam_role_policy: {
          fits_a: { name: "a", role: "${aws_iam_role.fits.name}", policy: documentOf(5_000) },
          fits_b: { name: "b", role: "fits", policy: documentOf(5_000) },
          over_a: { name_prefix: "pre", role: "${aws_iam_role.over.id}", policy: documentOf(10_000) },
          elsewhere: { role: "someone-elses", policy: documentOf(10_241) },
          elsewhere_late: { role: "someone-elses", policy: "${jsonencode({})}" },
          elsewhere_fits: { role: "someone-elses", policy: documentOf(10_240) },
        },
      }),
    ).toEqual({
      "aws_iam_role.fits": "pass",
      "aws_iam_role.over": `fail: inline policies (own, pre…) come to 10,241 characters, over ${INLINE_QUOTA}`,
      "aws_iam_role.unknown":
        "fail: inline policy late (aws_iam_role.unknown inline_policy) is not a JSON document at synth (${data.aws_iam_policy_document.d.json}), so its size cannot be checked: build it with a policy builder",
      "aws_iam_role.bare": "pass",
      "aws_iam_role_policy.elsewhere": `fail: policy is 10,241 characters, over ${INLINE_QUOTA}`,
      "aws_iam_role_policy.elsewhere_late": "fail: policy is not a JSON document at synth (${jsonencode({})}), so its size cannot be checked: build it with a policy builder",
      "aws_iam_role_policy.elsewhere_fits": "pass",
    });
  });

  it("tell a role's policies from those of a role of the same name in another account", () => {
    const quotas = roleQuotas({
      resource: {
        aws_iam_role: { here: { name: "app", assume_role_policy: documentOf(100) }, prefixed: { name_prefix: "app-", assume_role_policy: "{}" }, anonymous: { assume_role_policy: "{}" } },
        aws_iam_role_policy: {
          mine: { name: "mine", role: "app", policy: documentOf(10) },
          theirs: { name: "theirs", role: "app", provider: "aws.other", policy: documentOf(20) },
          generated: { role: "${aws_iam_role.prefixed.name}", policy: documentOf(30) },
        },
      },
    });
    expect(quotas).toEqual([
      {
        address: "aws_iam_role.here",
        name: "app",
        policies: [{ source: "aws_iam_role_policy.mine", name: "mine", size: { size: 10, interpolations: 0 } }],
        inline: { size: 10, interpolations: 0 },
        trust: { size: 100, interpolations: 0 },
      },
      {
        address: "aws_iam_role.prefixed",
        name: "app-…",
        policies: [{ source: "aws_iam_role_policy.generated", name: "(generated)", size: { size: 30, interpolations: 0 } }],
        inline: { size: 30, interpolations: 0 },
        trust: { size: 2, interpolations: 0 },
      },
      { address: "aws_iam_role.anonymous", name: undefined, policies: [], inline: { size: 0, interpolations: 0 }, trust: { size: 2, interpolations: 0 } },
    ]);
  });

  it("hold a managed policy to 6,144 characters", () => {
    expect(
      check("IAM_MANAGED_POLICY_SIZE", {
        aws_iam_policy: { fits: { policy: documentOf(6_144) }, over: { policy: documentOf(6_145) }, late: { policy: "${data.aws_iam_policy_document.d.json}" } },
      }),
    ).toEqual({
      "aws_iam_policy.fits": "pass",
      "aws_iam_policy.over": "fail: policy is 6,145 characters, over IAM's quota of 6,144 for a managed policy (white space not counted)",
      "aws_iam_policy.late":
        "fail: policy is not a JSON document at synth (${data.aws_iam_policy_document.d.json}), so its size cannot be checked: build it with a policy builder",
    });
  });

  it("hold a trust policy to IAM's default 2,048 characters", () => {
    expect(
      check("IAM_TRUST_POLICY_SIZE", {
        aws_iam_role: { fits: { assume_role_policy: documentOf(2_048) }, over: { assume_role_policy: documentOf(2_049) }, late: { assume_role_policy: "${data.x.y.json}" } },
      }),
    ).toEqual({
      "aws_iam_role.fits": "pass",
      "aws_iam_role.over":
        "fail: assume_role_policy is 2,049 characters, over IAM's default quota of 2,048 for a role trust policy (white space not counted; Service Quotas can raise an account's to 4,096: then suppress this finding for that account's stack)",
      "aws_iam_role.late": "fail: assume_role_policy is not a JSON document at synth (${data.x.y.json}), so its size cannot be checked: build it with a policy builder",
    });
  });

  it("hold role names to 64 characters and policy names to 128, a name_prefix with Terraform's 26-character suffix", () => {
    expect(
      check("IAM_NAME_LENGTH", {
        aws_iam_role: {
          fits: { name: "r".repeat(64), assume_role_policy: "{}", inline_policy: [{ name: "p".repeat(128) }, null] },
          long: { name: "r".repeat(65), assume_role_policy: "{}" },
          prefix_fits: { name_prefix: "r".repeat(38), assume_role_policy: "{}" },
          prefix_long: { name_prefix: "r".repeat(39), assume_role_policy: "{}", inline_policy: [{ name: "p".repeat(129) }] },
          generated: { assume_role_policy: "{}" },
        },
        aws_iam_policy: { fits: { name_prefix: "p".repeat(102) }, long: { name: "p".repeat(129) } },
        aws_iam_role_policy: { long: { name_prefix: "p".repeat(103), role: "x" } },
      }),
    ).toEqual({
      "aws_iam_role.fits": "pass",
      "aws_iam_role.long": "fail: name is 65 characters, over IAM's 64",
      "aws_iam_role.prefix_fits": "pass",
      "aws_iam_role.prefix_long": `fail: name is 65 characters (name_prefix "${"r".repeat(39)}" and Terraform's 26-character suffix), over IAM's 64; inline_policy "${"p".repeat(129)}" is 129 characters, over IAM's 128`,
      "aws_iam_role.generated": "pass",
      "aws_iam_policy.fits": "pass",
      "aws_iam_policy.long": "fail: name is 129 characters, over IAM's 128",
      "aws_iam_role_policy.long": `fail: name is 129 characters (name_prefix "${"p".repeat(103)}" and Terraform's 26-character suffix), over IAM's 128`,
    });
  });

  it("keep bucket names and prefixes to S3's rules", () => {
    expect(check("S3_BUCKET_NAME", { aws_s3_bucket: { good: { bucket: "coalition-logs" }, bad: { bucket: "Logs" }, prefix: { bucket_prefix: "a".repeat(38) }, generated: {} } })).toEqual({
      "aws_s3_bucket.good": "pass",
      "aws_s3_bucket.bad": 'fail: bucket "Logs" has "L": S3 allows only lower-case letters, digits, "." and "-"',
      "aws_s3_bucket.prefix": `fail: bucket_prefix "${"a".repeat(38)}" is 64 characters with Terraform's 26-character suffix, over S3's 63`,
      "aws_s3_bucket.generated": "pass",
    });
  });

  it("keep group and rule descriptions to EC2's characters, stricter where a rule references a group or prefix list", () => {
    const group = "${aws_security_group.app.id}";
    expect(
      check("SG_DESCRIPTION", {
        aws_security_group: {
          app: {
            description: "App & friends",
            ingress: [
              { description: "from office & home", cidr_blocks: ["203.0.113.0/24"] },
              { description: "from bastion & app", security_groups: [group] },
              { description: "self & more", self: true },
              { description: "none & all", security_groups: [], self: false, prefix_list_ids: [] },
            ],
            egress: { description: "to endpoints & more", prefix_list_ids: ["pl-1"] },
          },
          plain: { description: "Managed by Terraform" },
          accented: { description: "café" },
        },
        aws_security_group_rule: { legacy: { description: "from app & bastion", source_security_group_id: group } },
        aws_vpc_security_group_ingress_rule: {
          referenced: { description: "a & b", referenced_security_group_id: group },
          cidr: { description: "a & b", cidr_ipv4: "10.0.0.0/16" },
          unset: { description: "a & b", referenced_security_group_id: "" },
          nulled: { description: "a & b", prefix_list_id: null },
        },
        aws_vpc_security_group_egress_rule: { prefix: { description: "a & b", prefix_list_id: "pl-1" } },
      }),
    ).toEqual({
      "aws_security_group.app":
        'fail: ingress[1] description "from bastion & app" has "&": EC2 allows only letters, digits, spaces and ._-:/()#,@[]+=;{}!$* (no & where the rule references a security group or prefix list); ' +
        'ingress[2] description "self & more" has "&": EC2 allows only letters, digits, spaces and ._-:/()#,@[]+=;{}!$* (no & where the rule references a security group or prefix list); ' +
        'egress[0] description "to endpoints & more" has "&": EC2 allows only letters, digits, spaces and ._-:/()#,@[]+=;{}!$* (no & where the rule references a security group or prefix list)',
      "aws_security_group.plain": "pass",
      "aws_security_group.accented": 'fail: description "café" has "é": EC2 allows only letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*',
      "aws_security_group_rule.legacy":
        'fail: description "from app & bastion" has "&": EC2 allows only letters, digits, spaces and ._-:/()#,@[]+=;{}!$* (no & where the rule references a security group or prefix list)',
      "aws_vpc_security_group_ingress_rule.referenced":
        'fail: description "a & b" has "&": EC2 allows only letters, digits, spaces and ._-:/()#,@[]+=;{}!$* (no & where the rule references a security group or prefix list)',
      "aws_vpc_security_group_ingress_rule.cidr": "pass",
      "aws_vpc_security_group_ingress_rule.unset": "pass",
      "aws_vpc_security_group_ingress_rule.nulled": "pass",
      "aws_vpc_security_group_egress_rule.prefix":
        'fail: description "a & b" has "&": EC2 allows only letters, digits, spaces and ._-:/()#,@[]+=;{}!$* (no & where the rule references a security group or prefix list)',
    });
  });
});
