import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { synthPlatform } from "../support/synth";

/** IAM User Guide, "IAM and AWS STS quotas": a role's inline policies together, and its trust policy (default quota). */
const ROLE_INLINE_QUOTA = 10_240;
const TRUST_QUOTA = 2_048;

const figure = (size: number, quota: number) => `${size.toLocaleString("en-US")} / ${quota.toLocaleString("en-US")}\\s+${((size / quota) * 100).toFixed(1)}%`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

describe("npm run audit", () => {
  let result: SpawnSyncReturns<string>;
  let rows: string[];
  beforeAll(() => {
    result = spawnSync("npm", ["run", "--silent", "audit"], { encoding: "utf8" });
    rows = result.stdout.trim().split("\n");
  }, 60_000);

  it("prints every rule result of every stack and exits 0 when nothing fails", () => {
    expect(result.status).toBe(0);
    expect(rows[0]).toMatch(/^STACK\s+RULE\s+RESOURCE\s+STATUS\s+DETAIL$/);
    for (const stack of ["shared", "prod", "dev"]) {
      expect(rows.some((row) => row.startsWith(`${stack} `) && /\bPASS\b/.test(row))).toBe(true);
      expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^${stack}\\s+IAM_NO_WILDCARD_RESOURCE_MUTATION\\s+aws_iam_policy\\.boundary_policy\\s+SUPPRESSED`)));
      expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^${stack}\\s+IAM_INLINE_POLICY_SIZE\\s+aws_iam_role\\.github_oidc_role\\s+PASS$`)));
    }
    expect(rows.at(-1)).toMatch(/^\d+ passed, 0 failed, 3 suppressed$/);
  });

  it("checks the roles of the bootstrap's CloudFormation templates against the same quotas", () => {
    for (const [file, role] of [
      ["github-oidc-role.cfn.yml", "GitHubActionsRole"],
      ["github-oidc-role.cfn.yml", "GitHubActionsPlanRole"],
      ["peering-accepter-role.cfn.yml", "PeeringAccepterRole"],
      ["peering-accepter-role.cfn.yml", "PeeringReaderRole"],
    ]) {
      for (const rule of ["IAM_INLINE_POLICY_SIZE", "IAM_TRUST_POLICY_SIZE", "IAM_NAME_LENGTH"]) {
        expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^bootstrap/${escape(file)}\\s+${rule}\\s+${role}\\s+PASS$`)));
      }
      expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^bootstrap/${escape(file)}\\s+${role}\\s+≤[\\d,]+ / 10,240\\s+[\\d.]+%\\s+≤[\\d,]+ / 2,048`)));
    }
  });

  it("prints each role's inline and trust policy sizes against IAM's quotas, the deploy roles' as synthesized", () => {
    const stacks = synthPlatform();
    for (const [name, stack] of Object.entries(stacks)) {
      for (const role of ["github_oidc_role", "github_oidc_plan_role"]) {
        // Computed here from the synthesized JSON: every inline policy of the role, white space taken out.
        const inline = Object.values(stack.resource.aws_iam_role_policy)
          .filter((p) => p.role === `\${aws_iam_role.${role}.name}`)
          .reduce((sum, p) => sum + p.policy.replace(/\s/g, "").length, 0);
        const trust = stack.resource.aws_iam_role[role].assume_role_policy.replace(/\s/g, "").length;
        expect(inline).toBeGreaterThan(0);
        const row = new RegExp(`^${name}\\s+aws_iam_role\\.${role}\\s+${figure(inline, ROLE_INLINE_QUOTA)}\\s+${figure(trust, TRUST_QUOTA)}$`);
        expect(rows, `${name} ${role}: ${inline} and ${trust}`).toContainEqual(expect.stringMatching(row));
      }
    }
    // Prod's deploy role, the largest, with its share of the quota.
    expect(rows).toContainEqual(expect.stringMatching(/^prod\s+aws_iam_role\.github_oidc_role\s+[\d,]+ \/ 10,240\s+\d{2}\.\d%/));
    // A role whose policies hold references: an upper bound.
    expect(rows).toContainEqual(expect.stringMatching(/^prod\s+aws_iam_role\.lambda_role\s+≤[\d,]+ \/ 10,240/));
  });

  it("exits non-zero, naming the field, on a bad configuration", () => {
    const bad = spawnSync("npm", ["run", "--silent", "audit"], { encoding: "utf8", env: { ...process.env, COALITION_REGION: "nowhere" } });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("region (from COALITION_REGION)");
  }, 60_000);
});
