/**
 * External address peers for connectivity. The IPv4 space is cut into the atoms of the ipBlocks
 * that rules of one direction mention (the regions of their Venn diagram, every block being its
 * CIDR minus its excepts): addresses of one atom are treated alike by every such ipBlock, so one
 * representative address answers for the atom. Each atom is listed as its maximal ranges, as
 * netpol-analyzer prints them. Sources are cut by ingress rules' blocks, destinations by egress
 * rules' blocks: only those can tell the addresses apart on that side.
 */
import { ipBlockSet } from "../../eval/compile.js";
import { formatIpv4, IpSet } from "../../model/ipset.js";
import type { Direction, PolicySet } from "../../policy/ir/types.js";

/** An inclusive IPv4 range as numbers. */
export interface Ipv4Range {
  from: number;
  to: number;
}

/** The IPv4 part of every ipBlock in rules of `direction`, deduplicated. */
export function policyIpBlocks(set: PolicySet, direction: Direction): IpSet[] {
  const out: IpSet[] = [];
  for (const layer of set.layers)
    for (const policy of layer.policies)
      for (const rule of policy.rules) {
        if (rule.direction !== direction) continue;
        for (const peer of rule.peers) {
          if (peer.kind !== "ipblock") continue;
          const block = ipBlockSet(peer.cidr, peer.except).intersect(IpSet.ALL_V4);
          if (!block.isEmpty() && !out.some((b) => b.equals(block))) out.push(block);
        }
      }
  return out;
}

/** The atoms of the IPv4 space under the given blocks (the whole space when there are none). */
export function ipv4Atoms(blocks: readonly IpSet[]): IpSet[] {
  let atoms: IpSet[] = [IpSet.ALL_V4];
  for (const b of blocks) {
    const next: IpSet[] = [];
    for (const a of atoms) {
      const inside = a.intersect(b);
      const outside = a.subtract(b);
      if (!inside.isEmpty()) next.push(inside);
      if (!outside.isEmpty()) next.push(outside);
    }
    atoms = next;
  }
  return atoms;
}

/** The external peers of one side: every maximal range of every atom, in address order. */
export function externalRanges(set: PolicySet, direction: Direction): Ipv4Range[] {
  const ranges = ipv4Atoms(policyIpBlocks(set, direction)).flatMap((a) =>
    a.v4.map(([from, to]) => ({ from, to })),
  );
  return ranges.sort((x, y) => x.from - y.from);
}

/** The display form of a range: `first-last[External]` (the corpus form). */
export function externalRangeName(r: Ipv4Range): string {
  return `${formatIpv4(r.from)}-${formatIpv4(r.to)}[External]`;
}
