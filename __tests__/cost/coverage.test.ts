import { describe, expect, test } from "vitest";
import { estimateStack, PRICERS } from "../../src/cost/estimate";
import { PRICE_TABLES, RESOURCE_PRICING } from "../../src/cost/prices";
import { exampleConfig, synthPlatform } from "../support/synth";

/** The example, and the example with every optional part turned on (or switched to its other form). */
const CONFIGS = {
  example: exampleConfig(),
  "everything on": exampleConfig((tree) => {
    tree.monitoring.alertEmail = "ops@example.org";
    tree.bastion.sshCidrs = ["203.0.113.10/32"];
    tree.bastion.publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmN0NzX3pSxm9rGPi1nFQaQ9Nv2XrTjWQ1Ia4vJkD6y ops";
    tree.database.multiAz = true;
    tree.database.performanceInsights = true;
    tree.applications.dev = { domain: "dev.example.org", cdn: true, email: true, waf: true, versionedAssets: true, corsOrigins: ["https://dev.example.org"] };
    tree.accounts.dev.network.interfaceEndpoints = ["secretsmanager", "logs", "geo.places", "email"];
  }),
  "other forms": exampleConfig((tree) => {
    tree.bastion.enabled = false;
    tree.applications.prod.hostedZoneId = "Z0123456789ABCDEFGHIJ";
    tree.accounts.dev.network.switchableEndpoints = false;
    for (const env of ["shared", "prod", "dev"]) tree.accounts[env].githubOidc = { provider: "existing", adoptBootstrap: true };
  }),
};

const declared = Object.entries(CONFIGS).flatMap(([name, config]) =>
  Object.entries(synthPlatform(config)).map(([stack, json]) => ({ name, stack, json })),
);

describe("the price table", () => {
  test.each(declared.map((d) => [d.name, d.stack, d] as const))("covers every resource type of %s / %s", (_name, _stack, { json }) => {
    const missing = Object.keys(json.resource).filter((type) => !(type in RESOURCE_PRICING));
    expect(missing).toEqual([]);
  });

  test("the optional configuration declares types the example does not", () => {
    const types = (name: string) => new Set(declared.filter((d) => d.name === name).flatMap((d) => Object.keys(d.json.resource)));
    const example = types("example");
    expect([...types("everything on")].filter((type) => !example.has(type)).sort()).toEqual(["aws_key_pair", "aws_sns_topic_subscription"]);
  });

  test("has a pricer for exactly the priced types", () => {
    const priced = Object.entries(RESOURCE_PRICING).filter(([, p]) => p.basis === "priced").map(([type]) => type);
    expect(Object.keys(PRICERS).sort()).toEqual(priced.sort());
  });

  test("gives a reason for every type it does not price", () => {
    for (const [type, pricing] of Object.entries(RESOURCE_PRICING)) {
      expect(pricing.basis === "priced" ? pricing.unit : pricing.reason, type).toMatch(/\w{3}/);
    }
  });

  test("records its source and date for each region, and has the example's region", () => {
    expect(Object.keys(PRICE_TABLES)).toContain(exampleConfig().region);
    for (const prices of Object.values(PRICE_TABLES)) {
      expect(prices.source).toMatch(/AWS public price pages, on-demand, USD/);
      expect(prices.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  test.each(declared.map((d) => [d.name, d.stack, d] as const))("prices every resource of %s / %s", (_name, _stack, { json }) => {
    const switches = Object.entries(json.variable ?? {}).filter(([, v]) => v.type === "bool").map(([name]) => name);
    for (const value of ["true", "false"]) {
      const estimate = estimateStack(json, Object.fromEntries(switches.map((name) => [name, value])));
      expect(estimate.totalMonthlyUsd).toBeGreaterThan(0);
    }
  });
});
