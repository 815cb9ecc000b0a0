import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { names } from "../naming/names";
import {
  PEERING_ACCEPTER_DESCRIPTION,
  PEERING_READER_DESCRIPTION,
  type PeeringAccepterInput,
  peeringAccepterPolicy,
  peeringAccepterTrustPolicy,
  peeringReaderPolicy,
  peeringReaderTrustPolicy,
} from "../policies/peering-accepter";

export interface PeeringRoleProps extends PeeringAccepterInput {
  /** Provider acting in the shared account. */
  readonly provider?: TerraformProvider;
  /** The read-only `vpc-peering-reader` (for the plan roles) instead of `vpc-peering-accepter` (for the deploy roles). Default false. */
  readonly readOnly?: boolean;
}

/**
 * A role in the shared account for the peering of prod and dev: `vpc-peering-accepter`, which their deploy roles
 * assume to accept the peering and route back, or (readOnly) `vpc-peering-reader`, which their plan roles assume
 * to read that side for a pull-request plan.
 */
export class PeeringRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: PeeringRoleProps) {
    super(scope, id);
    const { provider, readOnly, ...input } = props;
    const [name, policyName] = readOnly ? [names.peeringReaderRole, names.peeringReaderPolicy] : [names.peeringAccepterRole, names.peeringAccepterPolicy];
    this.role = new IamRole(this, "role", {
      provider,
      name,
      description: readOnly ? PEERING_READER_DESCRIPTION : PEERING_ACCEPTER_DESCRIPTION,
      maxSessionDuration: 3600,
      assumeRolePolicy: JSON.stringify(readOnly ? peeringReaderTrustPolicy(input) : peeringAccepterTrustPolicy(input)),
      tags: { Name: name },
    });
    new IamRolePolicy(this, "policy", {
      provider,
      role: this.role.name,
      name: policyName,
      policy: JSON.stringify(readOnly ? peeringReaderPolicy(input) : peeringAccepterPolicy(input)),
    });
  }
}
