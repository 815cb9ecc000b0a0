import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/guardrails/engine";
import { SUPPRESSIONS } from "../../src/guardrails/suppressions";
import {
  PEERING_ACCEPTER_DESCRIPTION,
  PEERING_READER_DESCRIPTION,
  peeringAccepterPolicy,
  peeringAccepterTrustPolicy,
  peeringReaderPolicy,
  peeringReaderTrustPolicy,
} from "../../src/policies/peering-accepter";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { exampleConfig, type StackJson } from "../support/synth";

// The AWS part of the CDKTF bootstrap stack that the peering of prod and dev needs: shared's two roles.
const config = exampleConfig();
const input = {
  sharedAccountId: config.accounts.shared.accountId,
  region: config.region,
  requesters: [
    { environment: "prod", accountId: config.accounts.prod.accountId },
    { environment: "dev", accountId: config.accounts.dev.accountId },
  ] as const,
};
// Validations on: the guardrails aspect fails the synth on any finding that is not suppressed.
const synth = (manageGitHub: boolean) => JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), { config, manageGitHub }), true)) as StackJson;
const stack = synth(false);

describe("the bootstrap stack's peering roles in shared", () => {
  it.each([
    ["accepter", "vpc-peering-accepter", PEERING_ACCEPTER_DESCRIPTION, peeringAccepterTrustPolicy(input), peeringAccepterPolicy(input)],
    ["reader", "vpc-peering-reader", PEERING_READER_DESCRIPTION, peeringReaderTrustPolicy(input), peeringReaderPolicy(input)],
  ])("creates the %s, %s, with the builders' trust and inline policy", (kind, name, description, trust, policy) => {
    const role = stack.resource.aws_iam_role[`peering_${kind}_role`];
    expect(role).toMatchObject({ provider: "aws.shared", name, description, max_session_duration: 3600, tags: { Name: name } });
    expect(role.permissions_boundary).toBeUndefined();
    expect(JSON.parse(role.assume_role_policy)).toEqual(trust);
    const inline = stack.resource.aws_iam_role_policy[`peering_${kind}_policy`];
    expect(inline).toMatchObject({ provider: "aws.shared", role: `\${aws_iam_role.peering_${kind}_role.name}`, name });
    expect(JSON.parse(inline.policy)).toEqual(policy);
  });

  it("lets only the prod and dev plan roles assume the reader, which can only describe", () => {
    const role = stack.resource.aws_iam_role.peering_reader_role;
    expect(JSON.parse(role.assume_role_policy).Statement.map((statement: any) => statement.Condition.ArnEquals["aws:PrincipalArn"])).toEqual([
      [`arn:aws:iam::${input.requesters[0].accountId}:role/github-actions-prod-plan`],
      [`arn:aws:iam::${input.requesters[1].accountId}:role/github-actions-dev-plan`],
    ]);
    const actions = JSON.parse(stack.resource.aws_iam_role_policy.peering_reader_policy.policy).Statement.flatMap((s: any) => [s.Action].flat());
    for (const action of actions) expect(action).toMatch(/^ec2:Describe/);
  });

  it("passes the guardrails, the two roles' missing permissions boundary being the reviewed suppressions", () => {
    const results = evaluate("bootstrap", stack, SUPPRESSIONS);
    expect(results.filter((result) => result.status === "fail")).toEqual([]);
    const boundary = results.filter((result) => result.rule === "IAM_ROLE_BOUNDARY");
    expect(boundary.map(({ address, status }) => [address, status]).sort()).toEqual([
      ["aws_iam_role.peering_accepter_role", "suppressed"],
      ["aws_iam_role.peering_reader_role", "suppressed"],
    ]);
  });

  it("declares the same roles whether or not it manages GitHub", () => {
    const withGitHub = synth(true);
    for (const type of ["aws_iam_role", "aws_iam_role_policy"]) expect(withGitHub.resource[type]).toEqual(stack.resource[type]);
  });
});
