/** An attribute moto does not hand back as it was written, so that every plan would show a change. */
export interface RoundTripQuirk {
  /** Arguments Terraform ignores for this type in local mode (`lifecycle.ignore_changes`). */
  readonly ignore: readonly string[];
  /** What moto does wrong, as observed against it. */
  readonly reason: string;
}

/**
 * Perpetual differences between the stacks and what moto_server reads back, each found by a re-plan after an
 * apply. Local mode ignores exactly these arguments of these types, so that the re-plan of `local:up` still
 * proves that everything else converged. None of them is a fault of the stacks.
 */
export const ROUND_TRIP_QUIRKS: Readonly<Record<string, RoundTripQuirk>> = {
  aws_cloudfront_distribution: {
    ignore: ["origin", "default_cache_behavior[0].forwarded_values", "viewer_certificate[0].ssl_support_method"],
    reason:
      "moto does not return an origin's OriginAccessControlId, adds legacy ForwardedValues to a cache behavior that uses a cache policy, and adds SSLSupportMethod sni-only to the default certificate",
  },
  aws_db_parameter_group: {
    ignore: ["parameter"],
    reason: "moto's DescribeDBParameters leaves out each parameter's Source, by which the provider tells the parameters it set from the defaults, so it reads none back",
  },
  aws_instance: {
    ignore: ["vpc_security_group_ids"],
    reason: "moto puts a VPC instance's security groups on its network interface only, not in the instance's SecurityGroups the provider reads",
  },
  aws_vpc_security_group_ingress_rule: {
    ignore: ["description"],
    reason: "moto drops the description of a rule whose source is another security group",
  },
  aws_vpc_peering_connection_accepter: {
    ignore: ["tags"],
    reason: "moto keeps one set of tags per peering connection, so the accepter's tags and the requester's overwrite each other (AWS keeps them per account)",
  },
};
