import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Construct } from "constructs";
import { EncryptionKey } from "./kms-key";

export interface AppSecretsProps {
  /** Prefix of the key alias, e.g. `coalition-prod`. */
  readonly name: string;
  /** Name of the Django secret key's secret, e.g. `coalition/prod/django-secret-key`. */
  readonly djangoSecretKeyName: string;
  /** The key's alias, without `alias/`. Default `{name}-secrets`. */
  readonly keyAlias?: string;
  readonly accountId: string;
  readonly region: string;
}

/**
 * The environment's own secrets, under its own key. The Django secret key is created empty: its value is
 * set outside Terraform (`aws secretsmanager put-secret-value`), so it is never in state and Terraform
 * never changes it.
 */
export class AppSecrets extends Construct {
  readonly key: EncryptionKey;
  readonly djangoSecretKey: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: AppSecretsProps) {
    super(scope, id);
    this.key = new EncryptionKey(this, "encryption", {
      alias: props.keyAlias ?? `${props.name}-secrets`,
      description: `Encrypts the ${props.name} application secrets`,
      accountId: props.accountId,
      region: props.region,
    });
    const name = props.djangoSecretKeyName;
    this.djangoSecretKey = new SecretsmanagerSecret(this, "django_secret_key", {
      name,
      description: "Django SECRET_KEY (value set outside Terraform)",
      kmsKeyId: this.key.arn,
      recoveryWindowInDays: 30,
      tags: { Name: name },
    });
  }
}
