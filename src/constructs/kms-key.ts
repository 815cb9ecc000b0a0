import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { keyPolicy, type KeyPolicyInput } from "../policies";

export interface EncryptionKeyProps extends KeyPolicyInput {
  /** Alias without the `alias/` part, e.g. `coalition-shared-database`. */
  readonly alias: string;
  readonly description: string;
}

/** A customer-managed KMS key with yearly rotation, a 30-day deletion window and an alias. */
export class EncryptionKey extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    this.key = new KmsKey(this, "key", {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify(keyPolicy(props)),
      tags: { Name: props.alias },
    });
    new KmsAlias(this, "alias", { name: `alias/${props.alias}`, targetKeyId: this.key.keyId });
  }

  get arn(): string {
    return this.key.arn;
  }
}
