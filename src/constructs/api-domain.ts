import { ApiGatewayBasePathMapping } from "@cdktf/provider-aws/lib/api-gateway-base-path-mapping";
import { ApiGatewayDomainName } from "@cdktf/provider-aws/lib/api-gateway-domain-name";
import { DataAwsApiGatewayRestApi } from "@cdktf/provider-aws/lib/data-aws-api-gateway-rest-api";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Fn, type IResolvable, propertyAccess, Token } from "cdktf";
import { Construct } from "constructs";
import type { DomainZone } from "./dns";

export interface ApiDomainProps {
  /**
   * Terraform expression (e.g. the `enable_api_custom_domain` variable) that is true once Zappa has created
   * the REST API. While false, none of this construct's resources or data sources is evaluated.
   */
  readonly enabled: IResolvable;
  /** The REST API Zappa created, found by its name `{project}-{stage}`, e.g. `coalition-prod`. */
  readonly restApiName: string;
  /** The Zappa stage the domain serves, e.g. `prod`. */
  readonly stageName: string;
  readonly region: string;
  /** The domain's zone and its validated certificate for the apex and `*.{domain}`. */
  readonly zone: DomainZone;
  /** One DNS label under the domain (so the wildcard certificate covers it). Default `api`. */
  readonly subdomain?: string;
}

/**
 * The API's own name, `api.{domain}`: a regional API Gateway custom domain with the wildcard certificate and
 * TLS 1.2, mapped at its root to Zappa's REST API stage, and an alias record pointing at it. Zappa creates the
 * API on its first deploy, so everything here exists only while `enabled` is true.
 */
export class ApiDomain extends Construct {
  /** The switch this construct was given, for whatever else depends on the API existing (the WAF association). */
  readonly enabled: IResolvable;
  /** The custom domain, e.g. `api.example.org` (a plain string, also while disabled). */
  readonly domainName: string;
  readonly restApi: DataAwsApiGatewayRestApi;
  readonly customDomain: ApiGatewayDomainName;
  private readonly region: string;
  private readonly stageName: string;

  constructor(scope: Construct, id: string, props: ApiDomainProps) {
    super(scope, id);
    const subdomain = props.subdomain ?? "api";
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(subdomain)) {
      throw new Error(`ApiDomain: subdomain "${subdomain}" must be one lowercase DNS label, which the wildcard certificate covers`);
    }
    if (!/^[a-zA-Z0-9_-]{1,128}$/.test(props.stageName)) {
      throw new Error(`ApiDomain: stageName "${props.stageName}" is not an API Gateway stage name (letters, digits, hyphens, underscores)`);
    }
    this.enabled = props.enabled;
    this.domainName = `${subdomain}.${props.zone.domain}`;
    this.region = props.region;
    this.stageName = props.stageName;
    const count = Token.asNumber(Fn.conditional(props.enabled, 1, 0));
    const first = (resource: { fqn: string }, attribute: string) => Token.asString(propertyAccess(resource.fqn, [0, attribute]));

    this.restApi = new DataAwsApiGatewayRestApi(this, "rest_api", { count, name: props.restApiName });
    this.customDomain = new ApiGatewayDomainName(this, "domain", {
      count,
      domainName: this.domainName,
      regionalCertificateArn: props.zone.certificateArn,
      endpointConfiguration: { types: ["REGIONAL"] },
      securityPolicy: "TLS_1_2",
      tags: { Name: this.domainName },
    });
    new ApiGatewayBasePathMapping(this, "mapping", {
      count,
      apiId: first(this.restApi, "id"),
      stageName: props.stageName,
      domainName: first(this.customDomain, "domain_name"),
    });
    new Route53Record(this, "alias", {
      count,
      zoneId: props.zone.zoneId,
      name: this.domainName,
      type: "A",
      alias: {
        name: first(this.customDomain, "regional_domain_name"),
        zoneId: first(this.customDomain, "regional_zone_id"),
        evaluateTargetHealth: false,
      },
    });
  }

  /** ID of Zappa's REST API. Only meaningful where `enabled` is true (e.g. in a resource counted by it). */
  get restApiId(): string {
    return Token.asString(propertyAccess(this.restApi.fqn, [0, "id"]));
  }

  /** ARN of Zappa's API stage, what a WAF web ACL is associated with. Only meaningful where `enabled` is true. */
  get stageArn(): string {
    return `arn:aws:apigateway:${this.region}::/restapis/${this.restApiId}/stages/${this.stageName}`;
  }
}
