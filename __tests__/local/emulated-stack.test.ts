import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS, type Environment, parseConfig, type PlatformConfig } from "../../src/config";
import { applyLocalMode, emulatedStack, LOCAL_MODE_METADATA } from "../../src/local/emulated-stack";
import { ROUND_TRIP_QUIRKS } from "../../src/local/quirks";
import { UNSUPPORTED_TYPES } from "../../src/local/unsupported";
import { definePlatform } from "../../stacks/platform";
import { addresses, exampleConfig, synthPlatform, type StackJson } from "../support/synth";

const ENDPOINT = "http://127.0.0.1:4999";

function inLocalMode(config: PlatformConfig, local: Record<string, unknown> = {}): PlatformConfig {
  return parseConfig({ ...config, local: { endpoint: ENDPOINT, ...local } });
}

/** A synthesized stack, with the locals local mode may add. */
type LocalStackJson = StackJson & { locals?: Record<string, any> };

const real: Record<Environment, LocalStackJson> = synthPlatform(exampleConfig());
const local: Record<Environment, LocalStackJson> = synthPlatform(inLocalMode(exampleConfig()));
const everything = synthPlatform(inLocalMode(exampleConfig(), { excludeUnsupported: false }));

/** Every `type.name` a stack's expressions or dependencies mention. */
function mentions(stack: unknown, address: string): boolean {
  const rest = { ...(stack as Record<string, unknown>), "//": undefined };
  return new RegExp(`(?<![\\w.])${address.replace(/\./g, "\\.")}(?![\\w])`).test(JSON.stringify(rest));
}

/** What local mode recorded in a stack's `//` metadata (which Testing.synth leaves out). */
function metadataOf(config: PlatformConfig, env: Environment): unknown {
  const { shared, applications, stacks } = definePlatform(Testing.app(), config);
  applyLocalMode(stacks);
  const stack = { shared, prod: applications[0], dev: applications[1] }[env];
  return (stack.toTerraform() as Record<string, Record<string, unknown>>)["//"][LOCAL_MODE_METADATA];
}

const typesOf = (stack: StackJson) => Object.keys(stack.resource);
const unsupportedIn = (stack: StackJson) => typesOf(stack).filter((type) => type in UNSUPPORTED_TYPES);

describe("a stack outside local mode", () => {
  it("is what it was: no endpoints, no stand-ins, nothing left out", () => {
    const withUnusedSwitch = synthPlatform(parseConfig({ ...exampleConfig(), local: { excludeUnsupported: false } }));
    for (const env of ENVIRONMENTS) {
      expect(withUnusedSwitch[env]).toEqual(real[env]);
      for (const provider of real[env].provider.aws) expect(provider.endpoints).toBeUndefined();
      expect(real[env].terraform.backend.s3.endpoints).toBeUndefined();
      expect(real[env].locals).toBeUndefined();
    }
  });

  it("holds the types local mode leaves out (so the exclusion is tested on them)", () => {
    expect(unsupportedIn(real.shared)).toEqual(["aws_budgets_budget", "aws_ce_anomaly_monitor", "aws_ce_anomaly_subscription"]);
    expect(unsupportedIn(real.prod)).toContain("aws_location_place_index");
    expect(unsupportedIn(real.prod)).toContain("aws_sesv2_email_identity");
  });
});

describe.each(ENVIRONMENTS)("the %s stack in local mode", (env) => {
  const stack = local[env];

  it("points every AWS provider, the aliased one included, at the emulator with path-style S3", () => {
    const providers = stack.provider.aws;
    expect(providers.length).toBe(env === "shared" ? 1 : 2);
    for (const provider of providers) {
      const [endpoints] = provider.endpoints;
      expect(endpoints.sts).toBe(ENDPOINT);
      expect(endpoints.iam).toBe(ENDPOINT);
      expect(endpoints.ec2).toBe(ENDPOINT);
      expect(new Set(Object.values(endpoints))).toEqual(new Set([ENDPOINT]));
      expect(provider.s3_use_path_style).toBe(true);
      expect(provider.max_retries).toBeLessThanOrEqual(5);
      // Credentials of its own account's profile, whatever AWS_PROFILE the caller has (cdktf runs every stack with one environment).
      expect(provider.profile).toBe(env);
      // Still pinned to the account it belongs to.
      expect(provider.allowed_account_ids).toEqual(real[env].provider.aws.find((p) => p.alias === provider.alias)!.allowed_account_ids);
    }
  });

  it("gives the provider an endpoint for the service of every type it manages or reads", () => {
    const [endpoints] = stack.provider.aws[0].endpoints;
    const services: Record<string, string> = { aws_vpc: "ec2", aws_db_instance: "rds", aws_kms_key: "kms", aws_s3_bucket: "s3", aws_route53_zone: "route53", aws_cloudfront_distribution: "cloudfront", aws_ssm_parameter: "ssm" };
    for (const [type, service] of Object.entries(services)) {
      if (stack.resource[type] || stack.data?.[type]) expect(endpoints[service], type).toBe(ENDPOINT);
    }
    // Nothing for the services of what it left out.
    if (env === "shared") expect(endpoints.budgets).toBeUndefined();
  });

  it("keeps its real state backend (bucket, key, table) and reaches it on the emulator", () => {
    expect(stack.terraform.backend.s3).toEqual({
      ...real[env].terraform.backend.s3,
      endpoints: { s3: ENDPOINT, dynamodb: ENDPOINT, iam: ENDPOINT, sts: ENDPOINT },
      use_path_style: true,
      profile: env,
    });
  });

  it("reads shared's state on the emulator (prod and dev)", () => {
    const remote = stack.data?.terraform_remote_state?.shared;
    if (env === "shared") return expect(remote).toBeUndefined();
    expect(remote!.config).toMatchObject({ ...real[env].data!.terraform_remote_state.shared.config, use_path_style: true, endpoints: { s3: ENDPOINT }, profile: env });
  });

  it("leaves out exactly the unsupported types, and nothing reads them any more", () => {
    const left = unsupportedIn(real[env]);
    expect(typesOf(stack).sort()).toEqual(typesOf(real[env]).filter((type) => !left.includes(type)).sort());
    const gone = addresses(real[env]).filter((address) => left.includes(address.split(".")[0]));
    for (const address of gone) expect(mentions(stack, address), address).toBe(false);
    // Everything else is still there under its address.
    expect(addresses(stack).sort()).toEqual(addresses(real[env]).filter((address) => !gone.includes(address)).sort());
    expect(metadataOf(inLocalMode(exampleConfig()), env)).toEqual({ endpoint: ENDPOINT, excludedTypes: left.sort(), excludedResources: gone.sort() });
  });

  it("ignores exactly the attributes moto does not read back, keeping what the stack ignored already", () => {
    for (const [type, byName] of Object.entries(stack.resource)) {
      for (const [name, body] of Object.entries(byName)) {
        const before = real[env].resource[type][name].lifecycle?.ignore_changes ?? [];
        const expected = type in ROUND_TRIP_QUIRKS ? [...new Set([...before, ...ROUND_TRIP_QUIRKS[type].ignore])] : before;
        expect(body.lifecycle?.ignore_changes ?? [], `${type}.${name}`).toEqual(expected);
      }
    }
  });

  it("protects nothing from destruction, so that local:down can remove it all", () => {
    expect(JSON.stringify(stack)).not.toContain("prevent_destroy");
  });
});

describe("stand-ins for what was left out", () => {
  it("give the Lambda policy the place index's ARN and the output its name", () => {
    const standIn = local.prod.locals!.excluded_aws_location_place_index_places_index;
    const index = real.prod.resource.aws_location_place_index.places_index;
    expect(standIn).toMatchObject({ index_name: index.index_name, index_arn: `arn:aws:geo:us-east-1:222222222222:place-index/${index.index_name}` });
    expect(local.prod.resource.aws_iam_role_policy.lambda_policy.policy).toContain("${local.excluded_aws_location_place_index_places_index.index_arn}");
    expect(local.prod.output!.place_index_name.value).toBe("${local.excluded_aws_location_place_index_places_index.index_name}");
  });

  it("give the DKIM records three tokens of the left-out identity, and the identity the left-out configuration set's name", () => {
    const identity = local.prod.locals!.excluded_aws_sesv2_email_identity_email_identity;
    expect(identity.dkim_signing_attributes[0].tokens).toHaveLength(3);
    expect(identity.configuration_set_name).toBe("${local.excluded_aws_sesv2_configuration_set_email_configuration_set.configuration_set_name}");
    expect(local.prod.locals!.excluded_aws_sesv2_configuration_set_email_configuration_set.configuration_set_name).toBe("coalition-prod-email");
    expect(local.prod.resource.aws_route53_record.email_dkim_0.name).toContain("local.excluded_aws_sesv2_email_identity_email_identity.dkim_signing_attributes[0].tokens");
  });

  it("exist only for what something still reads", () => {
    expect(local.shared.locals).toBeUndefined();
    expect(Object.keys(local.dev.locals!)).toEqual(["excluded_aws_location_place_index_places_index"]);
  });
});

describe("local.excludeUnsupported: false", () => {
  it("keeps every type, still pointed at the emulator", () => {
    for (const env of ENVIRONMENTS) {
      expect(typesOf(everything[env]).sort()).toEqual(typesOf(real[env]).sort());
      expect(everything[env].provider.aws[0].endpoints[0].sts).toBe(ENDPOINT);
      expect(metadataOf(inLocalMode(exampleConfig(), { excludeUnsupported: false }), env)).toMatchObject({ excludedTypes: [] });
    }
    expect(everything.shared.provider.aws[0].endpoints[0].budgets).toBe(ENDPOINT);
  });
});

describe("emulatedStack on its own", () => {
  const target = { endpoint: ENDPOINT, excludeUnsupported: true, region: "eu-west-1", accountId: "123456789012", profile: "prod" };
  const base = () => ({
    provider: { aws: [{ region: "eu-west-1" }] },
    terraform: { backend: { s3: { bucket: "b", key: "k", region: "eu-west-1" } } },
    resource: {
      aws_location_place_index: { places: { index_name: "idx", data_source: "Esri", depends_on: ["aws_kms_key.key"] } },
      aws_sesv2_configuration_set: { set: { configuration_set_name: "set" } },
      aws_sesv2_email_identity: { identity: { email_identity: "example.org", configuration_set_name: "${aws_sesv2_configuration_set.set.configuration_set_name}" } },
      aws_kms_key: { key: { description: "k" } },
      aws_sns_topic: {
        topic: {
          name: "${aws_location_place_index.places.index_name}-${aws_sesv2_email_identity.identity.arn}",
          depends_on: ["aws_location_place_index.places", "aws_kms_key.key"],
        },
      },
    },
    import: [{ to: "aws_location_place_index.places", id: "idx" }, { to: "aws_kms_key.key", id: "k" }],
  });

  it("makes stand-ins for a chain of left-out resources, rewrites the reads, and prunes dependencies and imports", () => {
    const input = base();
    const result = emulatedStack(input, target) as any;
    expect(Object.keys(result.resource).sort()).toEqual(["aws_kms_key", "aws_sns_topic"]);
    expect(result.resource.aws_sns_topic.topic.name).toBe(
      "${local.excluded_aws_location_place_index_places.index_name}-${local.excluded_aws_sesv2_email_identity_identity.arn}",
    );
    expect(result.resource.aws_sns_topic.topic.depends_on).toEqual(["aws_kms_key.key"]);
    expect(result.import).toEqual([{ to: "aws_kms_key.key", id: "k" }]);
    expect(result.locals.excluded_aws_location_place_index_places).toEqual({
      index_name: "idx",
      data_source: "Esri",
      index_arn: "arn:aws:geo:eu-west-1:123456789012:place-index/idx",
    });
    // The identity reads the configuration set: its stand-in is needed although only a stand-in reads it.
    expect(result.locals.excluded_aws_sesv2_email_identity_identity.configuration_set_name).toBe(
      "${local.excluded_aws_sesv2_configuration_set_set.configuration_set_name}",
    );
    expect(result.locals.excluded_aws_sesv2_configuration_set_set.arn).toBe("arn:aws:ses:eu-west-1:123456789012:configuration-set/set");
    expect(input).toEqual(base());
  });

  it("refuses a stand-in for a counted resource that is read", () => {
    const input = base();
    (input.resource.aws_location_place_index.places as any).count = 1;
    expect(() => emulatedStack(input, target)).toThrow(/aws_location_place_index\.places is left out but read elsewhere.*count or for_each/);
  });

  it("refuses a type it knows no endpoint for, rather than let its calls go to AWS", () => {
    const input = { ...base(), resource: { aws_quantum_computer: { q: {} } } };
    expect(() => emulatedStack(input, target)).toThrow("no emulator endpoint is known for the type aws_quantum_computer; add its service to src/local/services.ts");
  });

  it("refuses a stack without an S3 state backend", () => {
    expect(() => emulatedStack({ ...base(), terraform: {} }, target)).toThrow("no S3 state backend");
  });
});
