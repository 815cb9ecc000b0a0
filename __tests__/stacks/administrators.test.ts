import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import type { PolicyDocument } from "../../src/policies";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { decideResourcePolicy } from "../support/iam";
import { exampleTree } from "../support/config";
import { exampleConfig } from "../support/synth";

const ADMIN = "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0a1b2c3d";
const OPERATOR = "arn:aws:iam::222222222222:user/ops";
const NOT_LISTED = "arn:aws:iam::111111111111:role/ReadOnlyAuditor";

describe("administrators in the configuration", () => {
  it.each([
    ["arn:aws:iam::*:role/Admin", "administrators.0: must not contain a wildcard (* or ?): name each principal"],
    ["arn:aws:iam::111111111111:role/Admin*", "administrators.0: must not contain a wildcard (* or ?): name each principal"],
    ["arn:aws-cn:iam::111111111111:role/Admin", "administrators.0: must be in the aws partition (arn:aws:...), the platform's"],
    ["arn:aws-us-gov:iam::111111111111:role/Admin", "administrators.0: must be in the aws partition (arn:aws:...), the platform's"],
    ["111111111111", "administrators.0: must be the ARN of an IAM role, user or account root"],
    ["arn:aws:iam::1111:role/Admin", "administrators.0: must be the ARN of an IAM role, user or account root"],
    ["arn:aws:sts::111111111111:assumed-role/Admin/alice", "administrators.0: must be the ARN of an IAM role, user or account root"],
    ["arn:aws:iam::111111111111:group/admins", "administrators.0: must be the ARN of an IAM role, user or account root"],
  ])("refuses %s", (arn, message) => {
    expect(() => parseConfig({ ...exampleTree(), administrators: [arn] })).toThrow(ConfigError);
    expect(() => parseConfig({ ...exampleTree(), administrators: [arn] })).toThrow(message);
  });

  it("accepts roles (with paths), users and an account root spelled out, and defaults to none", () => {
    const arns = [ADMIN, OPERATOR, "arn:aws:iam::333333333333:root"];
    expect(parseConfig({ ...exampleTree(), administrators: arns }).administrators).toEqual(arns);
    expect(exampleConfig().administrators).toEqual([]);
  });

  it("stops main.ts with the field named, writing nothing", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "coalition-admins-"));
    const file = path.join(dir, "config.yaml");
    writeFileSync(file, "administrators:\n  - arn:aws:iam::111111111111:role/*\n");
    const outdir = path.join(dir, "cdktf.out");
    const result = spawnSync(process.execPath, ["scripts/app.cjs", "main"], { encoding: "utf8", env: { ...process.env, COALITION_CONFIG: file, CDKTF_OUTDIR: outdir } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("administrators.0: must not contain a wildcard (* or ?): name each principal");
    expect(existsSync(outdir)).toBe(false);
  });
});

describe("the bootstrap lets the configured administrators in, and nobody else", () => {
  const config = exampleConfig((tree) => (tree.administrators = [ADMIN, OPERATOR]));
  const stack = JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), { config, manageGitHub: false })));
  const shared = config.accounts.shared.accountId;
  const accepterTrust = JSON.parse(stack.resource.aws_iam_role.peering_accepter_role.assume_role_policy) as PolicyDocument;
  const readerTrust = JSON.parse(stack.resource.aws_iam_role.peering_reader_role.assume_role_policy) as PolicyDocument;
  const bucketPolicy = JSON.parse(stack.resource.aws_s3_bucket_policy.shared_state_policy.policy) as PolicyDocument;
  // As the stacks' aws.shared provider assumes them: as an environment (prod for anyone not of dev).
  const assume = (trust: PolicyDocument, principal: string, role: string) =>
    decideResourcePolicy(trust, {
      principal,
      action: "sts:AssumeRole",
      resource: `arn:aws:iam::${shared}:role/${role}`,
      resourceAccount: shared,
      context: { "sts:SourceIdentity": /github-actions-dev/.test(principal) ? "dev" : "prod" },
    });
  const read = (principal: string, action = "s3:GetObject", key = "shared/terraform.tfstate") =>
    decideResourcePolicy(bucketPolicy, { principal, action, resource: `arn:aws:s3:::coalition-terraform-state-${shared}/${key}`, resourceAccount: shared });

  it("lets them assume vpc-peering-accepter, as the prod and dev deploy roles may", () => {
    for (const principal of [ADMIN, OPERATOR, "arn:aws:iam::222222222222:role/github-actions-prod", "arn:aws:iam::333333333333:role/github-actions-dev"]) {
      expect(assume(accepterTrust, principal, "vpc-peering-accepter"), principal).toBe("Allowed");
    }
  });

  it("lets nobody else assume it: not a principal left out, not the plan roles", () => {
    for (const principal of [NOT_LISTED, "arn:aws:iam::222222222222:role/github-actions-prod-plan", "arn:aws:iam::999999999999:role/AWSReservedSSO_AdministratorAccess_0a1b2c3d"]) {
      expect(assume(accepterTrust, principal, "vpc-peering-accepter"), principal).not.toBe("Allowed");
    }
  });

  it("lets only the prod and dev plan roles assume vpc-peering-reader", () => {
    for (const principal of ["arn:aws:iam::222222222222:role/github-actions-prod-plan", "arn:aws:iam::333333333333:role/github-actions-dev-plan"]) {
      expect(assume(readerTrust, principal, "vpc-peering-reader"), principal).toBe("Allowed");
    }
    for (const principal of [ADMIN, "arn:aws:iam::222222222222:role/github-actions-prod", NOT_LISTED]) {
      expect(assume(readerTrust, principal, "vpc-peering-reader"), principal).not.toBe("Allowed");
    }
  });

  it("lets them, and the prod and dev deploy and plan roles, read shared's state; grants other accounts nothing more", () => {
    for (const principal of [ADMIN, OPERATOR, "arn:aws:iam::222222222222:role/github-actions-prod", "arn:aws:iam::333333333333:role/github-actions-dev-plan"]) {
      expect(read(principal), principal).toBe("Allowed");
    }
    // An administrator of the shared account itself writes through its own permissions; the bucket grants no writes.
    for (const principal of [OPERATOR, "arn:aws:iam::222222222222:role/github-actions-prod", "arn:aws:iam::333333333333:role/github-actions-dev-plan"]) {
      expect(read(principal, "s3:PutObject"), principal).not.toBe("Allowed");
    }
    expect(read(OPERATOR, "s3:GetObject", "prod/terraform.tfstate")).not.toBe("Allowed");
    expect(read(NOT_LISTED.replace("111111111111", "444444444444"))).not.toBe("Allowed");
  });
});
