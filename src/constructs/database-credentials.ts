import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { Construct } from "constructs";
import type { ApplicationEnvironment } from "../config";
import { secretReadPolicy } from "../policies";

export interface DatabaseCredentialsProps {
  /** One secret per application environment: its name and the role (in the environment's account) that reads it. */
  readonly environments: readonly { env: ApplicationEnvironment; secretName: string; readerRoleArn: string }[];
  /** The database's key; its policy must let the readers decrypt through Secrets Manager. */
  readonly kmsKeyArn: string;
}

/**
 * The secrets holding each application environment's database login, in the shared account next to
 * the database. Terraform creates them empty: `npm run db:provision` generates each password and writes
 * it, so no password is ever in Terraform state. Each environment's Lambda role may read its own secret.
 */
export class DatabaseCredentials extends Construct {
  readonly secrets: Partial<Record<ApplicationEnvironment, SecretsmanagerSecret>> = {};

  constructor(scope: Construct, id: string, props: DatabaseCredentialsProps) {
    super(scope, id);
    for (const { env, secretName, readerRoleArn } of props.environments) {
      const secret = new SecretsmanagerSecret(this, env, {
        name: secretName,
        description: `Database login of the ${env} environment (written by db:provision)`,
        kmsKeyId: props.kmsKeyArn,
        recoveryWindowInDays: 30,
        tags: { Name: secretName, DatabaseEnvironment: env },
      });
      new SecretsmanagerSecretPolicy(this, `${env}_policy`, {
        secretArn: secret.arn,
        policy: JSON.stringify(secretReadPolicy([readerRoleArn])),
      });
      this.secrets[env] = secret;
    }
  }
}
