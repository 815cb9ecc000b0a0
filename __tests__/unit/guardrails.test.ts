import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Aspects, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { PrivateBucket } from "../../src/constructs/private-bucket";
import { SecurityGuardrails } from "../../src/guardrails/aspect";
import { evaluate, type Result } from "../../src/guardrails/engine";
import type { SynthesizedStack } from "../../src/guardrails/rules";
import { SUPPRESSIONS } from "../../src/guardrails/suppressions";
import { ReadableStack } from "../../src/naming/addresses";
import { formatReport, type RoleSizes } from "../../src/tools/audit";
import { definePlatform } from "../../stacks/platform";
import { exampleConfig } from "../support/synth";

/** The guardrail results for what `build` puts in a stack named `name`. */
function audit(build: (stack: ReadableStack) => void, name = "prod"): Result[] {
  const stack = new ReadableStack(Testing.app(), name);
  new AwsProvider(stack, "aws", { region: "us-east-1", allowedAccountIds: ["111111111111"] });
  build(stack);
  return evaluate(name, stack.toTerraform() as SynthesizedStack, []);
}
const failures = (results: Result[]) => results.filter((r) => r.status === "fail").map((r) => `${r.rule} ${r.address}`);
const policy = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "S", Effect: "Allow", ...statement }] });

describe("guardrail rules", () => {
  it("catch a bucket without public access block, encryption or TLS-only policy, and pass a PrivateBucket", () => {
    expect(failures(audit((s) => new S3Bucket(s, "raw", { bucket: "raw" })))).toEqual([
      "S3_PUBLIC_ACCESS_BLOCK aws_s3_bucket.raw",
      "S3_ENCRYPTION aws_s3_bucket.raw",
      "S3_TLS_ONLY aws_s3_bucket.raw",
    ]);
    expect(failures(audit((s) => new PrivateBucket(s, "files", { bucketName: "files" })))).toEqual([]);
  });

  it("catch an unencrypted, public database, and a shared one without deletion protection", () => {
    const database = (protect: boolean) => (s: ReadableStack) =>
      new DbInstance(s, "db", { instanceClass: "db.t4g.micro", engine: "postgres", publiclyAccessible: true, deletionProtection: protect });
    expect(failures(audit(database(false), "shared"))).toEqual([
      "RDS_ENCRYPTED aws_db_instance.db",
      "RDS_PRIVATE aws_db_instance.db",
      "RDS_DELETION_PROTECTION aws_db_instance.db",
    ]);
    expect(failures(audit(database(false), "prod"))).not.toContain("RDS_DELETION_PROTECTION aws_db_instance.db");
  });

  it("catch ingress from anywhere, inline or as a rule, except web ports on internet-facing groups", () => {
    const results = audit((s) => {
      new SecurityGroup(s, "open", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] });
      const web = new SecurityGroup(s, "web", { tags: { InternetFacing: "true" } });
      new VpcSecurityGroupIngressRule(s, "https", { securityGroupId: web.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" });
      new VpcSecurityGroupIngressRule(s, "ssh_v6", { securityGroupId: web.id, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv6: "::/0" });
    });
    expect(failures(results)).toEqual(["SG_NO_WORLD_INGRESS aws_security_group.open", "SG_NO_WORLD_INGRESS aws_vpc_security_group_ingress_rule.ssh_v6"]);
  });

  it("catch a key without rotation, a log group without retention, plain-HTTP or OAC-less CloudFront", () => {
    const results = audit((s) => {
      new KmsKey(s, "key", {});
      new CloudwatchLogGroup(s, "logs", { name: "x" });
      new CloudfrontDistribution(s, "cdn", {
        enabled: true,
        origin: [{ originId: "o", domainName: "b.s3.amazonaws.com", s3OriginConfig: { originAccessIdentity: "oai" } }],
        defaultCacheBehavior: { targetOriginId: "o", viewerProtocolPolicy: "allow-all", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] },
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: { cloudfrontDefaultCertificate: true },
      });
    });
    expect(failures(results)).toEqual(["KMS_ROTATION aws_kms_key.key", "CLOUDFRONT_HTTPS_OAC aws_cloudfront_distribution.cdn", "LOG_RETENTION aws_cloudwatch_log_group.logs"]);
  });

  it('catch "Action": "*" and changes at "Resource": "*" outside global services and unscopable actions', () => {
    const results = audit((s) => {
      const role = new IamRole(s, "role", { assumeRolePolicy: "{}" });
      new IamRolePolicy(s, "admin", { role: role.name, policy: policy({ Action: "*", Resource: "arn:aws:s3:::x" }) });
      new IamRolePolicy(s, "wide", { role: role.name, policy: policy({ Action: ["rds:DeleteDBInstance", "ec2:Describe*"], Resource: "*" }) });
      new IamRolePolicy(s, "fine", {
        role: role.name,
        policy: policy({ Action: ["s3:PutObject", "route53:ChangeResourceRecordSets", "kms:CreateKey", "ec2:DescribeVpcs", "apigateway:POST"], Resource: "*" }),
      });
    });
    expect(failures(results).filter((f) => !f.startsWith("IAM_ROLE_BOUNDARY"))).toEqual([
      "IAM_NO_WILDCARD_ACTION aws_iam_role_policy.admin",
      "IAM_NO_WILDCARD_RESOURCE_MUTATION aws_iam_role_policy.wide",
    ]);
    expect(results.find((r) => r.address === "aws_iam_role_policy.wide" && r.status === "fail")?.detail).toContain("rds:DeleteDBInstance");
  });

  it("catch a role without the permissions boundary, but not the deploy role", () => {
    const results = audit((s) => {
      new IamRole(s, "unbounded", { assumeRolePolicy: "{}" });
      new IamRole(s, "github_oidc_role", { assumeRolePolicy: "{}" });
    });
    expect(failures(results)).toEqual(["IAM_ROLE_BOUNDARY aws_iam_role.unbounded"]);
  });

  describe("require each role's boundary to be its own account's", () => {
    /** A stack in account 111111111111 (the default provider) that can also act in 222222222222 (`aws.other`). */
    const bounded = (...boundaries: (string | ((s: ReadableStack) => string))[]) =>
      audit((s) => {
        new AwsProvider(s, "other", { alias: "other", region: "us-east-1", allowedAccountIds: ["222222222222"] });
        new IamPolicy(s, "boundary_policy", { name: "coalition-boundary", policy: policy({ Action: "s3:GetObject", Resource: "*" }) });
        boundaries.forEach((boundary, i) =>
          new IamRole(s, `role_${i}`, { assumeRolePolicy: "{}", permissionsBoundary: typeof boundary === "string" ? boundary : boundary(s) }),
        );
      });
    const failing = (results: Result[]) => failures(results).filter((f) => f.startsWith("IAM_ROLE_BOUNDARY"));

    it("accept the stack's boundary policy, by reference or by its ARN in the account", () => {
      expect(failing(bounded("${aws_iam_policy.boundary_policy.arn}", "arn:aws:iam::111111111111:policy/coalition-boundary"))).toEqual([]);
    });

    it.each([
      ["an AWS managed policy", "arn:aws:iam::aws:policy/AdministratorAccess"],
      ["another account's boundary", "arn:aws:iam::222222222222:policy/coalition-boundary"],
      ["another policy of the account named like a boundary", "arn:aws:iam::111111111111:policy/other-boundary"],
      ["another policy of the stack", "${aws_iam_policy.wide.arn}"],
    ])("reject %s", (_, boundary) => {
      expect(failing(bounded(boundary))).toEqual(["IAM_ROLE_BOUNDARY aws_iam_role.role_0"]);
    });

    it("reject a role in another account than the boundary's, even bounded by it", () => {
      const results = audit((s) => {
        const other = new AwsProvider(s, "other", { alias: "other", region: "us-east-1", allowedAccountIds: ["222222222222"] });
        new IamPolicy(s, "boundary_policy", { name: "coalition-boundary", policy: policy({ Action: "s3:GetObject", Resource: "*" }) });
        new IamRole(s, "elsewhere", { provider: other, assumeRolePolicy: "{}", permissionsBoundary: "${aws_iam_policy.boundary_policy.arn}" });
      });
      expect(failing(results)).toEqual(["IAM_ROLE_BOUNDARY aws_iam_role.elsewhere"]);
    });
  });

  it("apply a suppression only to its rule, resource and stacks, keeping its reason", () => {
    const stack = new ReadableStack(Testing.app(), "prod");
    new KmsKey(stack, "key", {});
    const json = stack.toTerraform() as SynthesizedStack;
    const suppression = { rule: "KMS_ROTATION", address: "aws_kms_key.key", stacks: ["prod"], reason: "imported legacy key" };
    expect(evaluate("prod", json, [suppression]).find((r) => r.rule === "KMS_ROTATION")).toMatchObject({ status: "suppressed", detail: "imported legacy key" });
    expect(evaluate("dev", json, [suppression]).find((r) => r.rule === "KMS_ROTATION")?.status).toBe("fail");
    expect(evaluate("prod", json, [{ ...suppression, rule: "LOG_RETENTION" }]).find((r) => r.rule === "KMS_ROTATION")?.status).toBe("fail");
  });
});

/**
 * AWS's limits as its documentation states them, written here rather than read from the code under test:
 * IAM User Guide, "IAM and AWS STS quotas"; S3 User Guide, "General purpose bucket naming rules"; EC2 API
 * Reference, CreateSecurityGroup and IpRange / UserIdGroupPair.
 */
const AWS_LIMITS = { roleInline: 10_240, managed: 6_144, trust: 2_048, trustAdjustable: 4_096, roleName: 64, policyName: 128, bucketName: 63, sgDescription: 255 };
/** What Terraform appends to a name_prefix or bucket_prefix (terraform-plugin-sdk, id.UniqueIDSuffixLength). */
const TERRAFORM_SUFFIX = 26;
/** docs/guardrails.md: an interpolation whose value is unknown at synth counts as this many characters. */
const INTERPOLATION = 256;

/** A policy document of exactly `size` characters once its white space is left out, pretty-printed with `indent`. */
function policyOfSize(size: number, indent?: number, resource = "arn:aws:s3:::", counted = resource): string {
  const document = (r: string) => ({ Version: "2012-10-17", Statement: [{ Sid: "S", Effect: "Allow", Action: "s3:GetObject", Resource: r }] });
  const padding = size - JSON.stringify(document(counted)).length;
  return JSON.stringify(document(`${resource}${"a".repeat(padding)}`), null, indent);
}

const verdictOf = (results: Result[], rule: string, address: string) => results.find((r) => r.rule === rule && r.address === address);

describe("AWS quota rules", () => {
  describe("IAM_INLINE_POLICY_SIZE", () => {
    /** A role named app with a pretty-printed policy by reference and another by the role's name, `extra` characters over the quota. */
    const role = (extra: number) =>
      audit((s) => {
        const r = new IamRole(s, "role", { name: "app", assumeRolePolicy: "{}" });
        new IamRolePolicy(s, "first", { role: r.name, name: "first", policy: policyOfSize(4_000, 2) });
        new IamRolePolicy(s, "second", { role: "app", name: "second", policy: policyOfSize(AWS_LIMITS.roleInline - 4_000 + extra) });
      });

    it("counts a role's inline policies together without their white space: 10,240 characters pass, 10,241 fail", () => {
      expect(verdictOf(role(0), "IAM_INLINE_POLICY_SIZE", "aws_iam_role.role")?.status).toBe("pass");
      expect(verdictOf(role(1), "IAM_INLINE_POLICY_SIZE", "aws_iam_role.role")).toMatchObject({
        status: "fail",
        detail: "inline policies (first, second) come to 10,241 characters, over IAM's quota of 10,240 for a role's inline policies together (white space not counted)",
      });
    });

    it("counts the role's inline_policy blocks with its aws_iam_role_policy resources", () => {
      const results = (extra: number) =>
        audit((s) => {
          const r = new IamRole(s, "role", { assumeRolePolicy: "{}", inlinePolicy: [{ name: "block", policy: policyOfSize(6_000) }] });
          new IamRolePolicy(s, "separate", { role: r.id, name: "separate", policy: policyOfSize(AWS_LIMITS.roleInline - 6_000 + extra) });
        });
      expect(verdictOf(results(0), "IAM_INLINE_POLICY_SIZE", "aws_iam_role.role")?.status).toBe("pass");
      expect(verdictOf(results(1), "IAM_INLINE_POLICY_SIZE", "aws_iam_role.role")?.detail).toContain("(block, separate) come to 10,241 characters");
    });

    it("checks on its own an inline policy of a role the stack does not declare", () => {
      const results = (size: number) => audit((s) => new IamRolePolicy(s, "elsewhere", { role: "someone-elses", policy: policyOfSize(size) }));
      expect(verdictOf(results(AWS_LIMITS.roleInline), "IAM_INLINE_POLICY_SIZE", "aws_iam_role_policy.elsewhere")?.status).toBe("pass");
      expect(verdictOf(results(AWS_LIMITS.roleInline + 1), "IAM_INLINE_POLICY_SIZE", "aws_iam_role_policy.elsewhere")?.detail).toContain("10,241 characters");
    });

    it(`counts an interpolation as ${INTERPOLATION} characters, and fails a policy that is no JSON document at synth`, () => {
      const withReference = (size: number) =>
        audit((s) => {
          const r = new IamRole(s, "role", { assumeRolePolicy: "{}" });
          const bucket = new S3Bucket(s, "b", { bucket: "b-bucket" });
          // The reference's own text does not count, its value does: INTERPOLATION characters.
          new IamRolePolicy(s, "p", { role: r.name, policy: policyOfSize(size - INTERPOLATION, undefined, `${bucket.arn}/`, "/") });
        });
      expect(verdictOf(withReference(AWS_LIMITS.roleInline), "IAM_INLINE_POLICY_SIZE", "aws_iam_role.role")?.status).toBe("pass");
      expect(verdictOf(withReference(AWS_LIMITS.roleInline + 1), "IAM_INLINE_POLICY_SIZE", "aws_iam_role.role")?.detail).toContain(
        "come to at most 10,241 characters (an interpolation at its longest), over IAM's quota of 10,240",
      );
      const opaque = audit((s) => {
        const r = new IamRole(s, "role", { assumeRolePolicy: "{}" });
        new IamRolePolicy(s, "p", { role: r.name, name: "opaque", policy: "${data.aws_iam_policy_document.d.json}" });
      });
      expect(verdictOf(opaque, "IAM_INLINE_POLICY_SIZE", "aws_iam_role.role")).toMatchObject({ status: "fail", detail: expect.stringContaining("opaque") });
      expect(verdictOf(opaque, "IAM_INLINE_POLICY_SIZE", "aws_iam_role.role")?.detail).toContain("is not a JSON document at synth");
    });
  });

  it("hold a managed policy to 6,144 characters without white space", () => {
    const results = (size: number) => audit((s) => new IamPolicy(s, "managed", { name: "managed", policy: policyOfSize(size, 4) }));
    expect(verdictOf(results(AWS_LIMITS.managed), "IAM_MANAGED_POLICY_SIZE", "aws_iam_policy.managed")?.status).toBe("pass");
    expect(verdictOf(results(AWS_LIMITS.managed + 1), "IAM_MANAGED_POLICY_SIZE", "aws_iam_policy.managed")).toMatchObject({
      status: "fail",
      detail: "policy is 6,145 characters, over IAM's quota of 6,144 for a managed policy (white space not counted)",
    });
  });

  it("hold a trust policy to IAM's default 2,048 characters, naming the 4,096 it can be raised to", () => {
    const results = (size: number) => audit((s) => new IamRole(s, "role", { assumeRolePolicy: policyOfSize(size, 2) }));
    expect(verdictOf(results(AWS_LIMITS.trust), "IAM_TRUST_POLICY_SIZE", "aws_iam_role.role")?.status).toBe("pass");
    const over = verdictOf(results(AWS_LIMITS.trust + 1), "IAM_TRUST_POLICY_SIZE", "aws_iam_role.role");
    expect(over?.status).toBe("fail");
    expect(over?.detail).toContain("assume_role_policy is 2,049 characters, over IAM's default quota of 2,048 for a role trust policy");
    expect(over?.detail).toContain("4,096");
  });

  it("hold role names to 64 characters and policy names to 128, a name_prefix with Terraform's 26-character suffix", () => {
    const results = (extra: number) =>
      audit((s) => {
        new IamRole(s, "named", { name: "r".repeat(AWS_LIMITS.roleName + extra), assumeRolePolicy: "{}" });
        new IamRole(s, "prefixed", { namePrefix: "r".repeat(AWS_LIMITS.roleName - TERRAFORM_SUFFIX + extra), assumeRolePolicy: "{}" });
        new IamRole(s, "blocks", { assumeRolePolicy: "{}", inlinePolicy: [{ name: "b".repeat(AWS_LIMITS.policyName + extra), policy: policy({ Action: "s3:GetObject", Resource: "*" }) }] });
        new IamPolicy(s, "managed", { name: "m".repeat(AWS_LIMITS.policyName + extra), policy: policy({ Action: "s3:GetObject", Resource: "*" }) });
        new IamPolicy(s, "managed_prefixed", { namePrefix: "m".repeat(AWS_LIMITS.policyName - TERRAFORM_SUFFIX + extra), policy: policy({ Action: "s3:GetObject", Resource: "*" }) });
        new IamRolePolicy(s, "inline", { role: "elsewhere", name: "i".repeat(AWS_LIMITS.policyName + extra), policy: policy({ Action: "s3:GetObject", Resource: "*" }) });
      });
    const named = (r: Result[]) => r.filter((x) => x.rule === "IAM_NAME_LENGTH").map((x) => [x.address, x.status]);
    expect(named(results(0))).toEqual(
      ["aws_iam_role.named", "aws_iam_role.prefixed", "aws_iam_role.blocks", "aws_iam_policy.managed", "aws_iam_policy.managed_prefixed", "aws_iam_role_policy.inline"].map((a) => [a, "pass"]),
    );
    const over = results(1).filter((x) => x.rule === "IAM_NAME_LENGTH");
    expect(over.map((x) => x.status)).toEqual(Array(6).fill("fail"));
    expect(over.map((x) => x.detail)).toEqual([
      "name is 65 characters, over IAM's 64",
      `name is 65 characters (name_prefix "${"r".repeat(39)}" and Terraform's 26-character suffix), over IAM's 64`,
      `inline_policy "${"b".repeat(129)}" is 129 characters, over IAM's 128`,
      "name is 129 characters, over IAM's 128",
      expect.stringContaining("name is 129 characters (name_prefix"),
      "name is 129 characters, over IAM's 128",
    ]);
  });

  describe("S3_BUCKET_NAME", () => {
    const bucket = (name: string, prefix = false) => verdictOf(audit((s) => new S3Bucket(s, "b", prefix ? { bucketPrefix: name } : { bucket: name })), "S3_BUCKET_NAME", "aws_s3_bucket.b");

    it.each([
      ["63 characters", "a".repeat(AWS_LIMITS.bucketName)],
      ["3 characters", "abc"],
      ["dots and hyphens inside", "my.bucket-1"],
      ["an account id reference, at 12 characters", `coalition-\${data.aws_caller_identity.current.account_id}-${"a".repeat(40)}`],
      ["periods around a reference", "assets.${data.aws_region.current.name}.example"],
    ])("accept %s", (_, name) => expect(bucket(name)?.status).toBe("pass"));

    it("accepts a 37-character bucket_prefix (with Terraform's suffix, 63)", () => {
      expect(bucket("a".repeat(AWS_LIMITS.bucketName - TERRAFORM_SUFFIX), true)?.status).toBe("pass");
    });

    it.each([
      ["64 characters", "a".repeat(AWS_LIMITS.bucketName + 1), "is 64 characters, over S3's 63"],
      ["2 characters", "ab", "is 2 characters, under S3's 3"],
      ["an upper-case letter", "My-bucket", 'has "M"'],
      ["an underscore", "my_bucket", 'has "_"'],
      ["a leading hyphen", "-bucket", "must begin and end with a letter or digit"],
      ["a trailing hyphen", "bucket-", "must begin and end with a letter or digit"],
      ["two adjacent periods", "my..bucket", "two adjacent periods"],
      ["an IP address", "192.168.5.4", "formatted as an IP address"],
      ["the prefix xn--", "xn--bucket", 'starts with "xn--"'],
      ["the prefix sthree-", "sthree-bucket", 'starts with "sthree-"'],
      ["the prefix amzn-s3-demo-", "amzn-s3-demo-bucket", 'starts with "amzn-s3-demo-"'],
      ["the suffix -s3alias", "bucket-s3alias", 'ends with "-s3alias"'],
      ["the suffix --ol-s3", "bucket--ol-s3", 'ends with "--ol-s3"'],
      ["the suffix .mrap", "bucket.mrap", 'ends with ".mrap"'],
      ["the suffix --x-s3", "bucket--x-s3", 'ends with "--x-s3"'],
      ["an account id reference making 64 characters", `coalition-\${data.aws_caller_identity.current.account_id}-${"a".repeat(41)}`, "up to 64 characters"],
      ["a reference of unknown length", "${var.name}-assets", `up to ${INTERPOLATION + 7} characters`],
    ])("reject %s", (_, name, reason) => {
      expect(bucket(name)).toMatchObject({ status: "fail", detail: expect.stringContaining(reason) });
    });

    it("rejects a 38-character bucket_prefix, 64 with Terraform's suffix", () => {
      expect(bucket("a".repeat(AWS_LIMITS.bucketName - TERRAFORM_SUFFIX + 1), true)?.detail).toContain("is 64 characters with Terraform's 26-character suffix, over S3's 63");
    });
  });

  describe("SG_DESCRIPTION", () => {
    it("holds group and rule descriptions to 255 characters", () => {
      const results = (length: number) =>
        audit((s) => {
          const group = new SecurityGroup(s, "group", { description: "d".repeat(length) });
          new VpcSecurityGroupEgressRule(s, "out", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/16", description: "e".repeat(length) });
        });
      expect(results(AWS_LIMITS.sgDescription).filter((r) => r.rule === "SG_DESCRIPTION").map((r) => r.status)).toEqual(["pass", "pass"]);
      expect(results(AWS_LIMITS.sgDescription + 1).filter((r) => r.rule === "SG_DESCRIPTION").map((r) => r.detail)).toEqual([
        expect.stringContaining("is 256 characters, over EC2's 255"),
        expect.stringContaining("is 256 characters, over EC2's 255"),
      ]);
    });

    it("accepts EC2's characters, & only where the rule references CIDR ranges alone", () => {
      const results = audit((s) => {
        const group = new SecurityGroup(s, "group", {
          description: "Web & API: (a-z) [0-9] #1, @me +=;{}!$* ._-/",
          ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/16"], description: "PostgreSQL & friends" }],
        });
        new VpcSecurityGroupIngressRule(s, "from_cidr", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.1.0.0/16", description: "HTTPS & more" });
      });
      expect(results.filter((r) => r.rule === "SG_DESCRIPTION").map((r) => r.status)).toEqual(["pass", "pass"]);
    });

    it.each([
      ["an accent in a group's description", { group: "Café" }, 'description "Café" has "é"'],
      ["an apostrophe in a group's description", { group: "it's" }, 'has "\'"'],
      ["& in an inline rule referencing a group", { inline: "Web & API" }, 'ingress[0] description "Web & API" has "&"'],
      ["& in a rule referencing a group", { rule: "Web & API" }, 'description "Web & API" has "&"'],
      ["a newline in a rule", { rule: "line\nbreak" }, 'has "\\n"'],
    ])("rejects %s", (_, descriptions: { group?: string; inline?: string; rule?: string }, reason) => {
      const results = audit((s) => {
        const other = new SecurityGroup(s, "other", {});
        const group = new SecurityGroup(s, "group", {
          description: descriptions.group ?? "fine",
          ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [other.id], description: descriptions.inline ?? "fine" }],
        });
        new VpcSecurityGroupIngressRule(s, "rule", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, referencedSecurityGroupId: other.id, description: descriptions.rule ?? "fine" });
      });
      expect(failures(results).filter((f) => f.startsWith("SG_DESCRIPTION"))).toHaveLength(1);
      expect(results.find((r) => r.rule === "SG_DESCRIPTION" && r.status === "fail")?.detail).toContain(reason);
    });
  });
});

describe("the guardrails at synth", () => {
  it("fail the synth naming the rule and the resource", () => {
    const stack = new ReadableStack(Testing.app(), "prod");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    new KmsKey(stack, "key", {});
    Aspects.of(stack).add(new SecurityGuardrails(() => SUPPRESSIONS));
    expect(() => Testing.synth(stack, true)).toThrow(/guardrail KMS_ROTATION aws_kms_key\.key: enable_key_rotation must be true/);
  });

  it("pass every stack of the platform, with only reviewed suppressions", () => {
    const app = Testing.app();
    const { shared, applications } = definePlatform(app, exampleConfig());
    for (const stack of [shared, ...applications]) {
      expect(() => Testing.synth(stack, true)).not.toThrow();
      const results = evaluate(stack.node.id, stack.toTerraform() as SynthesizedStack, [...SUPPRESSIONS, ...stack.recordedSuppressions()]);
      expect(failures(results)).toEqual([]);
      expect(results.filter((r) => r.status === "suppressed").map((r) => r.address)).toEqual(["aws_iam_policy.boundary_policy"]);
      expect(results.filter((r) => r.status === "pass").length).toBeGreaterThan(10);
      for (const rule of ["IAM_INLINE_POLICY_SIZE", "IAM_TRUST_POLICY_SIZE", "IAM_NAME_LENGTH"]) {
        expect(verdictOf(results, rule, "aws_iam_role.github_oidc_role")?.status, `${stack.node.id} ${rule}`).toBe("pass");
      }
      expect(verdictOf(results, "IAM_MANAGED_POLICY_SIZE", "aws_iam_policy.boundary_policy")?.status).toBe("pass");
      const quotaRules = ["IAM_INLINE_POLICY_SIZE", "IAM_MANAGED_POLICY_SIZE", "IAM_TRUST_POLICY_SIZE", "IAM_NAME_LENGTH", "S3_BUCKET_NAME", "SG_DESCRIPTION"];
      expect(new Set(results.filter((r) => quotaRules.includes(r.rule)).map((r) => r.rule))).toEqual(
        new Set(stack.node.id === "shared" ? quotaRules.filter((r) => r !== "S3_BUCKET_NAME") : quotaRules),
      );
    }
  });

  it("record the configured choice to drop the database's deletion protection as a listed suppression", () => {
    const { shared } = definePlatform(Testing.app(), exampleConfig((t) => (t.database.deletionProtection = false)));
    const results = evaluate("shared", shared.toTerraform() as SynthesizedStack, [...SUPPRESSIONS, ...shared.recordedSuppressions()]);
    expect(results.find((r) => r.rule === "RDS_DELETION_PROTECTION")).toMatchObject({
      status: "suppressed",
      detail: "database.deletionProtection is false in the configuration",
    });
  });
});

describe("the audit report", () => {
  it("lists every result and counts failures", () => {
    const results: Result[] = [
      { stack: "prod", rule: "KMS_ROTATION", address: "aws_kms_key.a", status: "pass" },
      { stack: "prod", rule: "KMS_ROTATION", address: "aws_kms_key.b", status: "fail", detail: "enable_key_rotation must be true" },
      { stack: "dev", rule: "LOG_RETENTION", address: "aws_cloudwatch_log_group.c", status: "suppressed", detail: "why" },
    ];
    const { text, failed } = formatReport(results);
    expect(failed).toBe(1);
    expect(text).toMatch(/^prod\s+KMS_ROTATION\s+aws_kms_key\.b\s+FAIL\s+enable_key_rotation must be true$/m);
    expect(text).toMatch(/^dev\s+LOG_RETENTION\s+aws_cloudwatch_log_group\.c\s+SUPPRESSED\s+why$/m);
    expect(text.trim().split("\n").pop()).toBe("1 passed, 1 failed, 1 suppressed");
  });

  it("lists each role's policy sizes against IAM's quotas, an upper bound marked, before the counts", () => {
    const roles: RoleSizes[] = [
      { stack: "prod", role: "aws_iam_role.deploy", inline: { size: 8_987, interpolations: 0 }, trust: { size: 485, interpolations: 0 } },
      { stack: "prod", role: "aws_iam_role.lambda", inline: { size: 3_543, interpolations: 7 }, trust: { size: 223, interpolations: 0 } },
      { stack: "prod", role: "aws_iam_role.opaque", trust: { size: 100, interpolations: 0 } },
      { stack: "bootstrap/x.cfn.yml", role: "Role", inline: { size: 9_294, interpolations: 1 }, trust: { size: 880, interpolations: 1 }, worstCase: "Environment=prod" },
    ];
    const lines = formatReport([{ stack: "prod", rule: "KMS_ROTATION", address: "aws_kms_key.a", status: "pass" }], roles).text.split("\n");
    expect(lines).toContainEqual(expect.stringMatching(/^prod\s+aws_iam_role\.deploy\s+8,987 \/ 10,240\s+87\.8%\s+485 \/ 2,048\s+23\.7%$/));
    expect(lines).toContainEqual(expect.stringMatching(/^prod\s+aws_iam_role\.lambda\s+≤3,543 \/ 10,240\s+34\.6%\s+223 \/ 2,048\s+10\.9%$/));
    expect(lines).toContainEqual(expect.stringMatching(/^prod\s+aws_iam_role\.opaque\s+unknown at synth\s+100 \/ 2,048\s+4\.9%$/));
    expect(lines).toContainEqual(expect.stringMatching(/^bootstrap\/x\.cfn\.yml\s+Role\s+≤9,294 \/ 10,240\s+90\.8%\s+≤880 \/ 2,048\s+43\.0%\s+Environment=prod$/));
    expect(lines.at(-1)).toBe("1 passed, 0 failed, 0 suppressed");
  });
});
