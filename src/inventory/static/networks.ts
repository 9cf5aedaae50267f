/**
 * Named networks (static inventory `networks:`): an unresolved address inside one of their CIDRs
 * becomes the peer `external:<name>` instead of `cidr:<ip>/32`. The most specific CIDR wins; equal
 * prefixes break ties by name.
 */
import { type Cidr, parseCidr, parseIp } from "../../model/ipset.js";

/** One named network. */
export interface NamedNetwork {
  name: string;
  cidrs: string[];
}

/** Finds the network of an address. */
export class NetworkNamer {
  private readonly entries: { name: string; cidr: Cidr }[];

  constructor(networks: readonly NamedNetwork[]) {
    this.entries = networks
      .flatMap((n) => n.cidrs.map((c) => ({ name: n.name, cidr: parseCidr(c)! })))
      .filter((e) => e.cidr)
      .sort((a, b) => b.cidr.prefix - a.cidr.prefix || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** True when no network is configured. */
  get empty(): boolean {
    return this.entries.length === 0;
  }

  /** The network name holding `ip`, or undefined. */
  nameOf(ip: string): string | undefined {
    if (this.entries.length === 0) return undefined;
    const a = parseIp(ip);
    if (!a) return undefined;
    for (const { name, cidr } of this.entries) {
      if (cidr.family !== a.family) continue;
      if (a.family === 4 && cidr.family === 4 && a.value >= cidr.from && a.value <= cidr.to) return name;
      if (a.family === 6 && cidr.family === 6 && a.value >= cidr.from && a.value <= cidr.to) return name;
    }
    return undefined;
  }
}

/** The peer id of a named network. */
export function networkId(name: string): string {
  return `external:${name}`;
}
