import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Fn, Op, TerraformIterator, Token } from "cdktf";
import { Construct } from "constructs";

/** Lowercase labels of letters, digits and inner hyphens, at least two of them, no trailing dot. */
const DOMAIN_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Whether `name` is a fully qualified domain name as this platform writes them (`example.org`, `api.example.org`). */
export function isDomainName(name: string): boolean {
  return DOMAIN_NAME.test(name);
}

/** What other constructs need of a domain: its hosted zone and its validated certificate. */
export interface DomainZone {
  /** The apex domain, e.g. `example.org`. */
  readonly domain: string;
  readonly zoneId: string;
  /** ARN of the certificate for the apex and `*.{domain}`; referencing it waits until ACM has validated it. */
  readonly certificateArn: string;
}

/** A record set of the zone besides those the platform writes: values with a TTL, or an alias to an AWS target. */
export interface DnsRecord {
  /** Relative to the domain: `@` for the apex, `www`, `_dmarc`. */
  readonly name: string;
  readonly type: string;
  /** Default 300 (values only). */
  readonly ttl?: number;
  readonly values?: readonly string[];
  readonly alias?: { readonly name: string; readonly zoneId: string; readonly evaluateTargetHealth: boolean };
}

/** The record's Terraform id: its name and type, so adding a record never renames the others (`@` is `apex`, `*` is `wildcard`). */
export function recordId(record: Pick<DnsRecord, "name" | "type">): string {
  const name = record.name.replace(/^@$/, "apex").replace(/\*/g, "wildcard");
  return `record_${name}_${record.type}`.toLowerCase();
}

export interface DnsProps {
  /** Prefix of every Name tag, e.g. `coalition-prod`. */
  readonly name: string;
  /** The apex domain the zone serves, e.g. `example.org`. */
  readonly domain: string;
  /**
   * ID of the hosted zone Route53 created when the domain was registered in this account. When given, that
   * zone is adopted with an import block instead of creating a second zone whose name servers nobody uses.
   */
  readonly adoptZoneId?: string;
  /** `prevent_destroy` on the zone: deleting it would change the name servers the registrar points at. Default true. */
  readonly preventDestroy?: boolean;
  /** More record sets of the zone: the site's own (apex, www), mail exchangers, verifications. Default none. */
  readonly records?: readonly DnsRecord[];
}

/**
 * The domain's public hosted zone and a DNS-validated ACM certificate for the apex and `*.{domain}`, in the
 * stack's region (regional API Gateway domains need it there). Nothing that uses `certificateArn` is created
 * before validation succeeds, so the zone must be delegated (the registrar's name servers set to `nameServers`)
 * for the first apply to finish.
 */
export class Dns extends Construct implements DomainZone {
  readonly zone: Route53Zone;
  readonly certificate: AcmCertificate;
  readonly validation: AcmCertificateValidation;
  readonly domain: string;

  constructor(scope: Construct, id: string, props: DnsProps) {
    super(scope, id);
    if (!isDomainName(props.domain)) {
      throw new Error(`Dns: domain "${props.domain}" is not a lowercase domain name such as example.org`);
    }
    if (props.adoptZoneId !== undefined && !/^Z[A-Z0-9]{1,31}$/.test(props.adoptZoneId)) {
      throw new Error(`Dns: adoptZoneId "${props.adoptZoneId}" is not a Route53 hosted zone ID such as Z0123456789ABCDEFGHIJ`);
    }
    this.domain = props.domain;

    this.zone = new Route53Zone(this, "zone", {
      name: props.domain,
      comment: `Public zone of ${props.domain} (${props.name})`,
      forceDestroy: false,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
      tags: { Name: props.domain },
    });
    if (props.adoptZoneId) this.zone.importFrom(props.adoptZoneId);
    for (const record of props.records ?? []) this.addRecord(record);

    this.certificate = new AcmCertificate(this, "certificate", {
      domainName: props.domain,
      subjectAlternativeNames: [`*.${props.domain}`],
      validationMethod: "DNS",
      keyAlgorithm: "RSA_2048",
      options: { certificateTransparencyLoggingPreference: "ENABLED" },
      // Whatever uses the certificate must switch to the new one before the old one can go.
      lifecycle: { createBeforeDestroy: true },
      tags: { Name: props.domain },
    });

    // ACM gives a name and its wildcard the same validation record, so one record validates both; the
    // precondition turns that assumption into a clear error instead of a validation that never finishes.
    const options = this.certificate.domainValidationOptions;
    const option = options.get(0);
    const recordNames = Token.asList(TerraformIterator.fromList(options).pluckProperty("resource_record_name"));
    const record = new Route53Record(this, "validation_record", {
      zoneId: this.zone.zoneId,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 60,
      lifecycle: {
        precondition: [
          {
            condition: Op.eq(Fn.lengthOf(Fn.distinct(recordNames)), 1),
            errorMessage: `ACM asked for more than one validation record for ${props.domain} and *.${props.domain}; this construct writes one.`,
          },
        ],
      },
    });
    this.validation = new AcmCertificateValidation(this, "certificate_validation", {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: [record.fqdn],
    });
  }

  get zoneId(): string {
    return this.zone.zoneId;
  }

  private addRecord(record: DnsRecord): void {
    if (!record.values === !record.alias) throw new Error(`Dns: record ${record.type} ${record.name} needs either values or an alias`);
    const name = record.name === "@" ? this.domain : `${record.name}.${this.domain}`;
    new Route53Record(this, recordId(record), {
      zoneId: this.zone.zoneId,
      name,
      type: record.type,
      ...(record.alias
        ? { alias: { name: record.alias.name, zoneId: record.alias.zoneId, evaluateTargetHealth: record.alias.evaluateTargetHealth } }
        : { ttl: record.ttl ?? 300, records: [...record.values!] }),
    });
  }

  /** The validated certificate's ARN (read from the validation, so users wait for it). */
  get certificateArn(): string {
    return this.validation.certificateArn;
  }

  /** Name servers to set at the registrar. */
  get nameServers(): string[] {
    return this.zone.nameServers;
  }
}
