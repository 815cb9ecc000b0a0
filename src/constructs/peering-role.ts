import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { names } from "../naming/names";
import {
  PEERING_ACCEPTER_DESCRIPTION,
  type PeeringAccepterInput,
  peeringAccepterPolicy,
  peeringAccepterTrustPolicy,
} from "../policies/peering-accepter";

export interface PeeringAccepterRoleProps extends PeeringAccepterInput {
  /** Provider acting in the shared account. */
  readonly provider?: TerraformProvider;
}

/** The shared account's `vpc-peering-accepter` role, which the prod and dev deploy roles assume to accept their peering. */
export class PeeringAccepterRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: PeeringAccepterRoleProps) {
    super(scope, id);
    const { provider, ...input } = props;
    this.role = new IamRole(this, "role", {
      provider,
      name: names.peeringAccepterRole,
      description: PEERING_ACCEPTER_DESCRIPTION,
      maxSessionDuration: 3600,
      assumeRolePolicy: JSON.stringify(peeringAccepterTrustPolicy(input)),
      tags: { Name: names.peeringAccepterRole },
    });
    new IamRolePolicy(this, "policy", {
      provider,
      role: this.role.name,
      name: names.peeringAccepterPolicy,
      policy: JSON.stringify(peeringAccepterPolicy(input)),
    });
  }
}
