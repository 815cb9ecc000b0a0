import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { Construct } from "constructs";
import { type PermissionsBoundaryInput, permissionsBoundaryPolicy } from "../policies/boundary";

export interface PermissionsBoundaryProps {
  /** `{prefix}-boundary`: the deploy role may create roles only with exactly this boundary. */
  readonly policyName: string;
  /** Whose data bounded roles may write, read and decrypt: the environment's, in its account (and shared's). */
  readonly data: PermissionsBoundaryInput;
}

/**
 * The account's permissions boundary. Every role the stacks create carries it, and the deploy role
 * may create or change `{prefix}-*` roles only when they do, and may never change this policy — so
 * CI cannot give itself, or anything it creates, more than this. An administrator applies changes to it.
 */
export class PermissionsBoundary extends Construct {
  readonly policy: IamPolicy;

  constructor(scope: Construct, id: string, props: PermissionsBoundaryProps) {
    super(scope, id);
    this.policy = new IamPolicy(this, "policy", {
      name: props.policyName,
      description: "Ceiling on every role the Coalition Builder stacks create (change only as an administrator)",
      policy: JSON.stringify(permissionsBoundaryPolicy(props.data)),
      tags: { Name: props.policyName },
    });
  }

  get arn(): string {
    return this.policy.arn;
  }
}
