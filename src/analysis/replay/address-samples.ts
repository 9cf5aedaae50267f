/**
 * Evaluating an address peer that stands for many addresses (`cidr:10.0.0.0/24`, `entity:world`):
 * the policies' ipBlocks cut the peer's set into segments every ipBlock treats alike, so one
 * address per segment stands for the whole segment and the whole set is decided exactly.
 */
import type { Evaluator } from "../../eval/evaluate.js";
import { type Cidr, formatIpv4, formatIpv6, IpSet, parseCidr } from "../../model/ipset.js";
import type { Peer } from "../../policy/ir/types.js";

/** One address standing for `size` addresses of the peer's set. */
export interface AddressSample {
  ip: string;
  size: bigint;
}

/** Every CIDR (blocks and excepts) the evaluator's policies name, by family. */
export function policyCidrs(evaluator: Evaluator): Cidr[] {
  const out: Cidr[] = [];
  const visit = (p: Peer): void => {
    if (p.kind === "ipblock") {
      for (const c of [p.cidr, ...p.except]) {
        const parsed = parseCidr(c);
        if (parsed) out.push(parsed);
      }
    } else if (p.kind === "all-of" || p.kind === "none-of") p.peers.forEach(visit);
  };
  for (const layer of evaluator.compiled.layers)
    for (const policy of layer.policies)
      for (const r of [...policy.ingress, ...policy.egress]) r.rule.peers.forEach(visit);
  return out;
}

/** The address set a peer id stands for: a CIDR, or every address for `entity:world`. */
export function peerAddressSet(id: string): IpSet | undefined {
  if (id === "entity:world") return IpSet.ALL;
  if (!id.startsWith("cidr:") && !id.startsWith("external:")) return undefined;
  const c = parseCidr(id.slice(id.indexOf(":") + 1));
  return c ? IpSet.fromCidrs([c]) : undefined;
}

/** One sample per segment of `set` that the CIDRs cut it into, in address order. */
export function addressSamples(set: IpSet, cidrs: readonly Cidr[]): AddressSample[] {
  const out: AddressSample[] = [];
  const v4 = cidrs.flatMap((c) => (c.family === 4 ? [BigInt(c.from), BigInt(c.to) + 1n] : []));
  const v6 = cidrs.flatMap((c) => (c.family === 6 ? [c.from, c.to + 1n] : []));
  for (const [a, b] of set.v4)
    for (const s of segments(BigInt(a), BigInt(b), v4))
      out.push({ ip: formatIpv4(Number(s.from)), size: s.size });
  for (const [a, b] of set.v6)
    for (const s of segments(a, b, v6)) out.push({ ip: formatIpv6(s.from), size: s.size });
  return out;
}

function segments(from: bigint, to: bigint, cuts: readonly bigint[]): { from: bigint; size: bigint }[] {
  const points = [...new Set([from, ...cuts.filter((c) => c > from && c <= to)])].sort((x, y) =>
    x < y ? -1 : x > y ? 1 : 0,
  );
  return points.map((p, i) => ({ from: p, size: (i + 1 < points.length ? points[i + 1] : to + 1n) - p }));
}
