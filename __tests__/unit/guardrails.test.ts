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
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Aspects, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { PrivateBucket } from "../../src/constructs/private-bucket";
import { SecurityGuardrails } from "../../src/guardrails/aspect";
import { evaluate, type Result } from "../../src/guardrails/engine";
import type { SynthesizedStack } from "../../src/guardrails/rules";
import { SUPPRESSIONS } from "../../src/guardrails/suppressions";
import { ReadableStack } from "../../src/naming/addresses";
import { formatReport } from "../../src/tools/audit";
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
});
