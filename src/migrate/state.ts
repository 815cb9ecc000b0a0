import { z } from "zod";

/** Input the command cannot work from (not a state, a state of another environment, an older format): exit 2. */
export class MigrationInputError extends Error {}

/** The state format `terraform state pull` writes since Terraform 0.12. */
export const STATE_FORMAT_VERSION = 4;

/** One resource instance of a Terraform state, with its address as `terraform state list` prints it. */
export interface StateInstance {
  /** `module.database.aws_db_instance.postgres`, `module.networking.aws_subnet.public_a[0]`, `aws_x.y["key"]`. */
  readonly address: string;
  /** The address without the instance key: what a `removed` block names. */
  readonly resource: string;
  /** `module.database`, or "" at the root. */
  readonly module: string;
  readonly type: string;
  readonly name: string;
  /** The `count` index or `for_each` key, if any. */
  readonly key?: string | number;
  /** The provider configuration, e.g. `provider["registry.terraform.io/hashicorp/aws"].shared`. */
  readonly provider: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

const stateSchema = z.object({
  version: z.number().int(),
  terraform_version: z.string(),
  resources: z.array(
    z.object({
      module: z.string().optional(),
      mode: z.enum(["managed", "data"]),
      type: z.string(),
      name: z.string(),
      provider: z.string(),
      instances: z.array(
        z.object({
          index_key: z.union([z.string(), z.number()]).optional(),
          attributes: z.record(z.unknown()).optional(),
        }),
      ),
    }),
  ),
});

/** The address of an instance: `{module.}type.name{[key]}`. */
export function instanceAddress(resource: string, key?: string | number): string {
  return key === undefined ? resource : `${resource}[${JSON.stringify(key)}]`;
}

/**
 * The managed resource instances of a state, as `terraform state pull` prints it (format version 4). `source`
 * names the input in errors. Throws a MigrationInputError naming what is wrong when the text is not such a state.
 */
export function readState(text: string, source: string): StateInstance[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MigrationInputError(`${source}: not a Terraform state (it is not JSON; write one with terraform state pull)`);
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version !== "number") throw new MigrationInputError(`${source}: not a Terraform state (it has no format version; write one with terraform state pull)`);
  if (version < STATE_FORMAT_VERSION) {
    throw new MigrationInputError(
      `${source}: state format version ${version} is older than ${STATE_FORMAT_VERSION}; pull it again with Terraform 0.12 or later, whose terraform state pull writes version ${STATE_FORMAT_VERSION}`,
    );
  }
  if (version > STATE_FORMAT_VERSION) throw new MigrationInputError(`${source}: state format version ${version} is newer than the version ${STATE_FORMAT_VERSION} this command reads`);
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new MigrationInputError(`${source}: not a Terraform state (${issue.path.join(".") || "top level"}: ${issue.message})`);
  }
  return parsed.data.resources
    .filter((resource) => resource.mode === "managed")
    .flatMap((resource) => {
      const base = `${resource.module ? `${resource.module}.` : ""}${resource.type}.${resource.name}`;
      return resource.instances.map((instance) => ({
        address: instanceAddress(base, instance.index_key),
        resource: base,
        module: resource.module ?? "",
        type: resource.type,
        name: resource.name,
        key: instance.index_key,
        provider: resource.provider,
        attributes: instance.attributes ?? {},
      }));
    });
}
