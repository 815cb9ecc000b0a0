import { TerraformOutput } from "cdktf";
import { describe, expect, it } from "vitest";
import { Dns, type DnsProps } from "../../src/constructs/dns";
import { resources, synthConstruct } from "../support/synth";

const base: DnsProps = { name: "coalition-prod", domain: "example.org" };
const synth = (props: Partial<DnsProps> = {}) => synthConstruct((stack) => new Dns(stack, "dns", { ...base, ...props }));

describe("Dns", () => {
  it("creates the domain's public zone and protects it from deletion", () => {
    const zone = resources(synth(), "aws_route53_zone").dns_zone;
    expect(zone).toMatchObject({ name: "example.org", force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(zone.vpc).toBeUndefined(); // public, not private to a VPC
  });

  it("lets the zone be destroyed only when asked to", () => {
    expect(resources(synth({ preventDestroy: false }), "aws_route53_zone").dns_zone.lifecycle).toEqual({ prevent_destroy: false });
  });

  it("requests one DNS-validated certificate for the apex and its wildcard, replaced before it is destroyed", () => {
    const certificates = resources(synth(), "aws_acm_certificate");
    expect(Object.keys(certificates)).toEqual(["dns_certificate"]);
    expect(certificates.dns_certificate).toMatchObject({
      domain_name: "example.org",
      subject_alternative_names: ["*.example.org"],
      validation_method: "DNS",
      options: { certificate_transparency_logging_preference: "ENABLED" },
      lifecycle: { create_before_destroy: true },
    });
  });

  it("writes the certificate's validation record into the zone and waits for the validation on it", () => {
    const stack = synth();
    const record = resources(stack, "aws_route53_record").dns_validation_record;
    const option = "tolist(aws_acm_certificate.dns_certificate.domain_validation_options).0";
    expect(record).toMatchObject({
      zone_id: "${aws_route53_zone.dns_zone.zone_id}",
      name: `\${${option}.resource_record_name}`,
      type: `\${${option}.resource_record_type}`,
      records: [`\${${option}.resource_record_value}`],
    });
    expect(resources(stack, "aws_acm_certificate_validation").dns_certificate_validation).toEqual({
      certificate_arn: "${aws_acm_certificate.dns_certificate.arn}",
      validation_record_fqdns: ["${aws_route53_record.dns_validation_record.fqdn}"],
    });
  });

  it("fails the plan, instead of waiting forever, if ACM ever asks for two different validation records", () => {
    const [precondition] = resources(synth(), "aws_route53_record").dns_validation_record.lifecycle.precondition;
    expect(precondition.condition).toMatch(/^\$\{\(length\(distinct\(\[ for .* in .*aws_acm_certificate\.dns_certificate\.domain_validation_options.*: val\.resource_record_name\]\)\) == 1\)\}$/);
    expect(precondition.error_message).toContain("example.org");
  });

  it("hands out the certificate through its validation, so nothing uses it unvalidated", () => {
    const stack = synthConstruct((scope) => {
      const dns = new Dns(scope, "dns", base);
      new TerraformOutput(scope, "certificate", { value: dns.certificateArn });
      new TerraformOutput(scope, "name_servers", { value: dns.nameServers });
      new TerraformOutput(scope, "zone", { value: dns.zoneId });
    });
    expect(stack.output?.certificate.value).toBe("${aws_acm_certificate_validation.dns_certificate_validation.certificate_arn}");
    expect(stack.output?.name_servers.value).toBe("${aws_route53_zone.dns_zone.name_servers}");
    expect(stack.output?.zone.value).toBe("${aws_route53_zone.dns_zone.zone_id}");
  });

  it("adopts the zone Route53 created at registration with an import block instead of creating a second one", () => {
    const stack = synth({ adoptZoneId: "Z0123456789ABCDEFGHIJ" }) as { import?: unknown };
    expect(stack.import).toEqual([{ to: "aws_route53_zone.dns_zone", id: "Z0123456789ABCDEFGHIJ" }]);
    expect((synth() as { import?: unknown }).import).toBeUndefined();
  });

  it.each(["Example.org", "example", "example.org.", "*.example.org", "https://example.org", "exa_mple.org", "-x.example.org"])(
    "rejects the domain %s",
    (domain) => {
      expect(() => synth({ domain })).toThrow(`Dns: domain "${domain}" is not a lowercase domain name`);
    },
  );

  it("rejects an adopted zone id that is not one", () => {
    expect(() => synth({ adoptZoneId: "example.org" })).toThrow(/adoptZoneId "example.org" is not a Route53 hosted zone ID/);
  });
});
