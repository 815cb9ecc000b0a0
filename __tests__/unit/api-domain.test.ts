import { TerraformOutput, TerraformVariable } from "cdktf";
import { describe, expect, it } from "vitest";
import { ApiDomain, type ApiDomainProps } from "../../src/constructs/api-domain";
import { Dns } from "../../src/constructs/dns";
import { resources, synthConstruct } from "../support/synth";

const SWITCH = "${var.enable_api_custom_domain ? 1 : 0}";

function synth(props: Partial<Omit<ApiDomainProps, "enabled" | "zone">> = {}) {
  let api: ApiDomain | undefined;
  const stack = synthConstruct((scope) => {
    const enabled = new TerraformVariable(scope, "enable_api_custom_domain", { type: "bool", default: false });
    const dns = new Dns(scope, "dns", { name: "coalition-prod", domain: "example.org" });
    api = new ApiDomain(scope, "api", {
      enabled: enabled.booleanValue,
      restApiName: "coalition-prod",
      stageName: "prod",
      region: "eu-west-1",
      zone: dns,
      ...props,
    });
    new TerraformOutput(scope, "stage_arn", { value: api.stageArn });
    new TerraformOutput(scope, "rest_api_id", { value: api.restApiId });
  });
  return { stack, api: api! };
}

describe("ApiDomain", () => {
  it("puts every resource and data source behind the switch, so none is evaluated while it is off", () => {
    const { stack } = synth();
    const counted = [
      stack.data?.aws_api_gateway_rest_api.api_rest_api,
      resources(stack, "aws_api_gateway_domain_name").api_domain,
      resources(stack, "aws_api_gateway_base_path_mapping").api_mapping,
      resources(stack, "aws_route53_record").api_alias,
    ];
    for (const block of counted) expect(block?.count).toBe(SWITCH);
    expect(Object.keys(stack.data ?? {})).toEqual(["aws_api_gateway_rest_api"]);
  });

  it("finds the REST API Zappa created by its name", () => {
    expect(synth().stack.data?.aws_api_gateway_rest_api.api_rest_api.name).toBe("coalition-prod");
  });

  it("serves api.{domain} as a regional TLS 1.2 domain with the validated certificate", () => {
    expect(resources(synth().stack, "aws_api_gateway_domain_name").api_domain).toMatchObject({
      domain_name: "api.example.org",
      endpoint_configuration: { types: ["REGIONAL"] },
      security_policy: "TLS_1_2",
      regional_certificate_arn: "${aws_acm_certificate_validation.dns_certificate_validation.certificate_arn}",
    });
  });

  it("maps the whole domain to Zappa's stage of the API it found", () => {
    const mapping = resources(synth().stack, "aws_api_gateway_base_path_mapping").api_mapping;
    expect(mapping).toMatchObject({
      api_id: "${data.aws_api_gateway_rest_api.api_rest_api.0.id}",
      stage_name: "prod",
      domain_name: "${aws_api_gateway_domain_name.api_domain.0.domain_name}",
    });
    expect(mapping.base_path).toBeUndefined();
  });

  it("points api.{domain} at the regional endpoint with an alias record in the zone", () => {
    expect(resources(synth().stack, "aws_route53_record").api_alias).toMatchObject({
      zone_id: "${aws_route53_zone.dns_zone.zone_id}",
      name: "api.example.org",
      type: "A",
      alias: {
        name: "${aws_api_gateway_domain_name.api_domain.0.regional_domain_name}",
        zone_id: "${aws_api_gateway_domain_name.api_domain.0.regional_zone_id}",
        evaluate_target_health: false,
      },
    });
  });

  it("gives the WAF the ARN of Zappa's stage, in the configured region", () => {
    const { stack, api } = synth();
    expect(stack.output?.stage_arn.value).toBe("arn:aws:apigateway:eu-west-1::/restapis/${data.aws_api_gateway_rest_api.api_rest_api.0.id}/stages/prod");
    expect(stack.output?.rest_api_id.value).toBe("${data.aws_api_gateway_rest_api.api_rest_api.0.id}");
    expect(api.domainName).toBe("api.example.org");
  });

  it("takes another label under the domain", () => {
    const { stack, api } = synth({ subdomain: "backend" });
    expect(api.domainName).toBe("backend.example.org");
    expect(resources(stack, "aws_route53_record").api_alias.name).toBe("backend.example.org");
  });

  it.each(["a.b", "Api", "", "-api"])("rejects the subdomain %j, which the wildcard certificate would not cover", (subdomain) => {
    expect(() => synth({ subdomain })).toThrow(/ApiDomain: subdomain .* must be one lowercase DNS label/);
  });

  it("rejects a stage name API Gateway would not accept", () => {
    expect(() => synth({ stageName: "prod/v1" })).toThrow(/ApiDomain: stageName "prod\/v1" is not an API Gateway stage name/);
  });
});
