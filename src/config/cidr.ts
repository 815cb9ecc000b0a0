import ipaddr from "ipaddr.js";

/** Prefix lengths a CIDR block may have; VPCs and subnets take /16 to /28. */
export interface CidrLimits {
  readonly minBits: number;
  readonly maxBits: number;
}
const VPC_LIMITS: CidrLimits = { minBits: 16, maxBits: 28 };

/** Parses an IPv4 CIDR block and says what is wrong with it, if anything. */
export function parseCidr(value: string, limits: CidrLimits = VPC_LIMITS): { problem?: string } {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(value);
  } catch {
    return { problem: `${JSON.stringify(value)} is not a CIDR block such as 10.0.0.0/16` };
  }
  const [address, bits] = parsed;
  if (address.kind() !== "ipv4") return { problem: `${value} is not an IPv4 block` };
  if (bits < limits.minBits || bits > limits.maxBits) {
    return { problem: `${value} must have a prefix length from /${limits.minBits} to /${limits.maxBits}` };
  }
  const network = ipaddr.IPv4.networkAddressFromCIDR(value).toString();
  if (network !== address.toString()) return { problem: `${value} has host bits set; did you mean ${network}/${bits}?` };
  return {};
}

/** True when `outer` contains every address of `inner`. Both must be valid IPv4 CIDR blocks. */
export function cidrContains(outer: string, inner: string): boolean {
  const [outerAddress, outerBits] = ipaddr.IPv4.parseCIDR(outer);
  const [innerAddress, innerBits] = ipaddr.IPv4.parseCIDR(inner);
  return innerBits >= outerBits && innerAddress.match(outerAddress, outerBits);
}

/** True when two valid IPv4 CIDR blocks share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}
