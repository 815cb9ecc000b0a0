import { names } from "../naming/names";
import { rolesStatement } from "./cross-account";
import { policy, type PolicyDocument, type PolicyStatement } from "./document";

export interface KeyPolicyInput {
  readonly accountId: string;
  readonly region: string;
  /** AWS services (e.g. `cloudwatch.amazonaws.com`) that encrypt with the key on this account's behalf. */
  readonly servicePrincipals?: readonly string[];
  /** Roles in other accounts that may decrypt, only through Secrets Manager, secrets encrypted with the key. */
  readonly externalSecretReaderArns?: readonly string[];
}

/**
 * A customer-managed key's policy: the account administers it through IAM (as with AWS's default
 * policy), the listed services may use it for this account only, and the listed roles of other
 * accounts may decrypt with it through Secrets Manager only.
 */
export function keyPolicy(input: KeyPolicyInput): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "AccountAdministration",
      Effect: "Allow",
      Principal: { AWS: names.accountRoot(input.accountId) },
      Action: "kms:*",
      Resource: "*",
    },
  ];
  if (input.servicePrincipals?.length) {
    statements.push({
      Sid: "ServiceUse",
      Effect: "Allow",
      Principal: { Service: [...input.servicePrincipals] },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": input.accountId } },
    });
  }
  const readers = input.externalSecretReaderArns ?? [];
  if (readers.length > 0) {
    statements.push(
      rolesStatement("ExternalSecretReaders", readers, ["kms:Decrypt", "kms:DescribeKey"], "*", {
        StringEquals: { "kms:ViaService": `secretsmanager.${input.region}.amazonaws.com` },
      }),
    );
  }
  return policy(...statements);
}
