/**
 * The address book over time: bindings from every source (manifests with timestamps, pod dumps
 * taken at different times, static YAML) normalised so that at any instant an address has at most
 * one owner. Reuse: when a binding starts while an earlier one of another workload is still open
 * (the older dump never saw its pod die), the newer binding wins from its start on. Two bindings
 * of different workloads that start at the same instant are ambiguous: the address has no owner
 * there. Pure.
 */
import type { AddressBinding } from "../types.js";

const NEG = Number.NEGATIVE_INFINITY;
const POS = Number.POSITIVE_INFINITY;

interface Span {
  from: number;
  to: number;
  workloadId: string;
  source: string;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The owner of one elementary segment: the bindings valid there with the latest start. */
function ownerAt(spans: readonly Span[], from: number, to: number): Span | undefined {
  const valid = spans.filter((s) => s.from <= from && to <= s.to);
  if (valid.length === 0) return undefined;
  const latest = Math.max(...valid.map((s) => s.from));
  const winners = valid.filter((s) => s.from === latest);
  const ids = new Set(winners.map((s) => s.workloadId));
  if (ids.size !== 1) return undefined;
  return { ...winners[0], source: [...new Set(winners.map((s) => s.source))].sort().join(", ") };
}

function normaliseAddress(ip: string, list: readonly AddressBinding[]): AddressBinding[] {
  const spans: Span[] = list.map((b) => ({
    from: b.from ?? NEG,
    to: b.to ?? POS,
    workloadId: b.workloadId,
    source: b.source,
  }));
  const cuts = [...new Set(spans.flatMap((s) => [s.from, s.to]))].sort((a, b) => a - b);
  const out: AddressBinding[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const owner = ownerAt(spans, cuts[i], cuts[i + 1]);
    if (!owner) continue;
    const last = out[out.length - 1];
    if (last && last.workloadId === owner.workloadId && (last.to ?? POS) === cuts[i]) {
      if (cuts[i + 1] === POS) delete last.to;
      else last.to = cuts[i + 1];
      continue;
    }
    const b: AddressBinding = { ip, workloadId: owner.workloadId, source: owner.source };
    if (cuts[i] !== NEG) b.from = cuts[i];
    if (cuts[i + 1] !== POS) b.to = cuts[i + 1];
    out.push(b);
  }
  return out;
}

/** Non-overlapping bindings (per address, sorted by address then time). */
export function normaliseBindings(bindings: readonly AddressBinding[]): AddressBinding[] {
  const byIp = new Map<string, AddressBinding[]>();
  for (const b of bindings) {
    const l = byIp.get(b.ip) ?? [];
    l.push(b);
    byIp.set(b.ip, l);
  }
  return [...byIp.keys()].sort(cmp).flatMap((ip) => normaliseAddress(ip, byIp.get(ip)!));
}
