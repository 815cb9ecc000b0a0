import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, ENVIRONMENTS, loadConfig } from "../../src/config";
import { exampleConfig, synthPlatform } from "../support/synth";

type Resources = Record<string, Record<string, { tags?: Record<string, string> }>>;

describe("every taggable resource carries its own Terraform address", () => {
  const stacks = synthPlatform(exampleConfig());

  it.each(ENVIRONMENTS)("in %s: the tag names exactly the resource it is on", (env) => {
    const resources = stacks[env].resource as Resources;
    const tagged = Object.entries(resources).flatMap(([type, byName]) =>
      Object.entries(byName)
        .filter(([, body]) => body.tags?.TerraformAddress !== undefined)
        .map(([name, body]) => [`${type}.${name}`, body.tags!.TerraformAddress]),
    );
    expect(tagged.length).toBeGreaterThan(20);
    for (const [address, tag] of tagged) expect(tag, address).toBe(address);
    // Resources whose AWS objects take tags carry it, next to the tags they set themselves.
    expect(resources.aws_vpc.network_vpc.tags).toEqual({ Name: `coalition-${env}-vpc`, TerraformAddress: "aws_vpc.network_vpc" });
    for (const type of ["aws_kms_key", "aws_security_group", "aws_subnet", "aws_iam_role"]) {
      for (const [name, body] of Object.entries(resources[type] ?? {})) expect(body.tags?.TerraformAddress, `${type}.${name}`).toBe(`${type}.${name}`);
    }
    // Those that take no tags get none.
    for (const type of ["aws_route", "aws_iam_role_policy", "aws_route_table_association"]) {
      for (const [name, body] of Object.entries(resources[type] ?? {})) expect(body.tags, `${type}.${name}`).toBeUndefined();
    }
  });

  it("except a peering accepter, which tags the connection its requester owns and tags already", () => {
    for (const env of ["prod", "dev"] as const) {
      const accepters = Object.values((stacks[env].resource as Resources).aws_vpc_peering_connection_accepter);
      expect(accepters.length).toBe(1);
      for (const accepter of accepters) expect(accepter.tags?.TerraformAddress).toBeUndefined();
    }
  });

  it("and the configuration cannot set that tag itself", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "coalition-tags-")), "platform.yaml");
    writeFileSync(file, "tags:\n  TerraformAddress: aws_vpc.other\n");
    expect(() => loadConfig({ COALITION_CONFIG: file })).toThrow(ConfigError);
    expect(() => loadConfig({ COALITION_CONFIG: file })).toThrow("tags.TerraformAddress: is set by the stacks and cannot be configured");
  });
});
