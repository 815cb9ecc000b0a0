import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Aspects, Lazy } from "cdktf";
import type { Construct } from "constructs";
import type { GitHubOidcProps } from "../constructs/github-oidc";
import type { MonitoringProps } from "../constructs/monitoring";
import type { NetworkingProps } from "../constructs/networking";
import { PermissionsBoundary } from "../constructs/permissions-boundary";
import type { AccountConfig, Environment, PlatformConfig, StackMigration } from "../config";
import { SecurityGuardrails } from "../guardrails/aspect";
import { SUPPRESSIONS, type Suppression } from "../guardrails/suppressions";
import { ReadableStack } from "../naming/addresses";
import { names } from "../naming/names";
import { AddressTags } from "./address-tag";
import { configureStateBackend } from "./state-backend";

/** Terraform 1.10 brought S3-native state locking; 1.11 and 1.12+ are what teams run. */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.10.0, < 2.0.0";

export interface AccountStackProps {
  readonly config: PlatformConfig;
  /** The environment, which is also the stack's name. */
  readonly environment: Environment;
}

/**
 * Tags every resource of an environment's stacks carries: the configured ones, Environment and ManagedBy (and,
 * on each resource, its address: AddressTags).
 */
export function platformTags(config: PlatformConfig, environment: Environment): Record<string, string> {
  return { ...config.tags, Environment: environment, ManagedBy: "terraform" };
}

/**
 * A stack deployed into one environment's account: its AWS provider (pinned to that account, with
 * the platform's default tags), its state in that account's bucket, and the Terraform version range.
 */
export class AccountStack extends ReadableStack {
  readonly config: PlatformConfig;
  readonly environment: Environment;
  readonly account: AccountConfig;
  /** Every role the stack creates carries this boundary. */
  readonly permissionsBoundaryArn: string;
  private readonly suppressions: Suppression[] = [...SUPPRESSIONS];
  private dataVpcId?: string;

  constructor(scope: Construct, props: AccountStackProps) {
    super(scope, props.environment);
    this.config = props.config;
    this.environment = props.environment;
    this.account = props.config.accounts[props.environment];

    new AwsProvider(this, "aws", {
      region: this.config.region,
      // Refuses to plan with credentials of another account, e.g. dev credentials on the prod stack.
      allowedAccountIds: [this.account.accountId],
      defaultTags: [{ tags: platformTags(this.config, this.environment) }],
    });
    configureStateBackend(this, {
      bucket: names.stateBucket(this.config.prefix, this.account.accountId),
      key: names.stateKey(this.environment),
      region: this.config.region,
      lockTable: names.lockTable(this.config.prefix),
      locking: this.config.state.locking,
    });
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
    // Names an earlier deployment gave what this stack takes over (migration.{env}.names): their data is the environment's too.
    const kept: Partial<Record<string, string>> = { ...this.config.migration?.[this.environment]?.names };
    this.permissionsBoundaryArn = new PermissionsBoundary(this, "boundary", {
      policyName: names.permissionsBoundary(this.config.prefix),
      data: {
        prefix: this.config.prefix,
        environment: this.environment,
        accountId: this.account.accountId,
        region: this.config.region,
        sharedAccountId: this.environment === "shared" ? undefined : this.config.accounts.shared.accountId,
        extraBucketPrefixes: [kept.assetsBucket, kept.deploymentBucket].flatMap((bucket) => (bucket ? [names.bucketFamily(bucket)] : [])),
        extraSecretNames: kept.djangoSecretKey ? [kept.djangoSecretKey] : [],
        vpcId: Lazy.stringValue({
          produce: () => {
            if (this.dataVpcId === undefined) throw new Error(`stack ${this.environment}: call confineDataToVpc with its VPC`);
            return this.dataVpcId;
          },
        }),
      },
    }).arn;
    Aspects.of(this).add(new AddressTags());
    Aspects.of(this).add(new SecurityGuardrails(() => this.suppressions));
    const migration = this.config.migration?.[this.environment];
    if (migration) this.declareMigration(migration);
  }

  /**
   * Takes over an earlier deployment's state (configuration `migration.{env}`): its `moved`, `removed` (never
   * destroying: Terraform forgets, AWS keeps) and `import` blocks, at the top of the stack. A block naming an
   * address this stack does not declare, or forgetting one it does, fails the synth: Terraform would destroy or
   * refuse it.
   */
  private declareMigration(migration: StackMigration): void {
    if (migration.moved.length > 0) this.addOverride("moved", migration.moved.map(({ from, to }) => ({ from, to })));
    if (migration.removed.length > 0) this.addOverride("removed", migration.removed.map((from) => ({ from, lifecycle: { destroy: false } })));
    if (migration.imports.length > 0) this.addOverride("import", migration.imports.map(({ to, id }) => ({ to, id })));
    this.node.addValidation({ validate: () => migrationProblems(this.environment, migration, this.toTerraform()) });
  }

  /** The exceptions this stack recorded with `suppress`, besides the reviewed list. */
  recordedSuppressions(): readonly Suppression[] {
    return this.suppressions.filter((s) => !SUPPRESSIONS.includes(s));
  }

  /** Records an exception to a guardrail for this stack; it is listed at every synth. */
  protected suppress(rule: string, address: string, reason: string): void {
    this.suppressions.push({ rule, address, stacks: [this.environment], reason });
  }

  /**
   * A provider acting in another environment's account through a role assumed there, as this environment: the
   * session's source identity, which that role's trust and policy key on, is this environment's name.
   */
  protected providerInAccount(alias: string, accountId: string, roleArn: string): AwsProvider {
    return new AwsProvider(this, `aws_${alias}`, {
      alias,
      region: this.config.region,
      allowedAccountIds: [accountId],
      assumeRole: [{ roleArn, sessionName: `${this.config.prefix}-${this.environment}-terraform`, sourceIdentity: this.environment }],
      defaultTags: [{ tags: platformTags(this.config, this.environment) }],
    });
  }

  /** Bounded roles read secrets and write objects only from this VPC (the permissions boundary's `aws:SourceVpc`). */
  protected confineDataToVpc(vpcId: string): void {
    this.dataVpcId = vpcId;
  }

  /** The account's network as configured; `privateTier` names what its private subnets hold. */
  protected networkingProps(privateTier: NetworkingProps["privateTier"]): NetworkingProps {
    const { network } = this.account;
    return {
      namePrefix: this.resourceName(),
      region: this.config.region,
      vpcCidr: network.vpcCidr,
      availabilityZones: network.availabilityZones,
      publicSubnetCidrs: network.publicSubnetCidrs,
      privateSubnetCidrs: network.privateSubnetCidrs,
      privateTier,
      interfaceEndpoints: network.interfaceEndpoints,
    };
  }

  /** The account's alerting, flow logs and budget as configured (the database alarms are the shared stack's). */
  protected monitoringProps(vpcId: string): MonitoringProps {
    return {
      name: this.resourceName(),
      accountId: this.account.accountId,
      region: this.config.region,
      alertEmail: this.config.monitoring.alertEmail,
      monthlyBudgetUsd: this.account.monthlyBudgetUsd,
      vpcId,
      logRetentionDays: this.config.monitoring.logRetentionDays,
      flowLogGroupName: this.config.migration?.[this.environment]?.names.flowLogGroup,
      permissionsBoundaryArn: this.permissionsBoundaryArn,
    };
  }

  /** What every account's GitHub OIDC construct is given, from the configuration. */
  protected githubOidcProps(): GitHubOidcProps {
    return {
      environment: this.environment,
      accountId: this.account.accountId,
      region: this.config.region,
      prefix: this.config.prefix,
      repo: this.config.github.repo,
      createProvider: this.account.githubOidc.provider === "create",
      adoptBootstrap: this.account.githubOidc.adoptBootstrap,
    };
  }

  /** Name for a resource of this environment: `{prefix}-{env}-{parts}`. */
  resourceName(...parts: string[]): string {
    return names.resource(this.config.prefix, this.environment, ...parts);
  }
}

/** The resource part of an instance address: `aws_x.y[0]` → `aws_x.y`. */
const resourceOf = (address: string) => address.replace(/\[[^\]]*\]$/, "");

/** What in a stack's migration blocks Terraform would act on wrongly: a target the stack lacks, a forgotten resource it declares. */
export function migrationProblems(environment: Environment, migration: StackMigration, stack: Record<string, unknown>): string[] {
  const declared = new Set(
    Object.entries((stack.resource ?? {}) as Record<string, Record<string, unknown>>).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)),
  );
  const field = `migration.${environment}`;
  return [
    ...migration.moved.flatMap(({ to }, i) => (declared.has(resourceOf(to)) ? [] : [`${field}.moved.${i}.to: ${to} is not declared in the ${environment} stack; Terraform would move the object there and destroy it`])),
    ...migration.imports.flatMap(({ to }, i) => (declared.has(resourceOf(to)) ? [] : [`${field}.imports.${i}.to: ${to} is not declared in the ${environment} stack`])),
    ...migration.removed.flatMap((from, i) => (declared.has(from) ? [`${field}.removed.${i}: ${from} is declared in the ${environment} stack, so it cannot be forgotten`] : [])),
  ];
}
