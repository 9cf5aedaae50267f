/**
 * Address → workload lookups over time: the inventory's bindings (pod IPs with validity
 * intervals) and the bindings learned from flows that name their pod.
 */
import type { AddressBinding } from "../inventory/types.js";

/** The inventory bindings valid at `time` for `ip`; a unique workload id or undefined. */
export function inventoryAddressAt(
  bindings: ReadonlyMap<string, readonly AddressBinding[]>,
  ip: string,
  time: number | undefined,
): string | undefined {
  const list = bindings.get(ip);
  if (!list) return undefined;
  const valid = list.filter(
    (b) =>
      time === undefined || ((b.from === undefined || b.from <= time) && (b.to === undefined || time < b.to)),
  );
  const ids = new Set(valid.map((b) => b.workloadId));
  return ids.size === 1 ? [...ids][0] : undefined;
}

/** Groups inventory bindings by address. */
export function indexBindings(bindings: readonly AddressBinding[]): Map<string, AddressBinding[]> {
  const out = new Map<string, AddressBinding[]>();
  for (const b of bindings) {
    const list = out.get(b.ip) ?? [];
    list.push(b);
    out.set(b.ip, list);
  }
  return out;
}

/** When one workload was seen on an address: first and last flow time (undefined when flows had no time). */
interface Sighting {
  workloadId: string;
  from?: number;
  to?: number;
}

/**
 * Bindings learned from flows. A binding holds from the first sighting of the workload on the
 * address until another workload is seen there. An address seen with two workloads over
 * overlapping times is shared (host-network pods, a node address that proxies SNAT to) and
 * resolves to nothing.
 */
export class LearnedAddressBook {
  private readonly byIp = new Map<string, Map<string, Sighting>>();

  /** Records that `workloadId` used `ip` at `time`. */
  add(ip: string, workloadId: string, time: number | undefined): void {
    const m = this.byIp.get(ip) ?? new Map<string, Sighting>();
    this.byIp.set(ip, m);
    const s = m.get(workloadId);
    if (!s) {
      m.set(workloadId, time === undefined ? { workloadId } : { workloadId, from: time, to: time });
      return;
    }
    if (time === undefined) return;
    s.from = s.from === undefined ? time : Math.min(s.from, time);
    s.to = s.to === undefined ? time : Math.max(s.to, time);
  }

  /** The workload on `ip` at `time`, or undefined when unknown or ambiguous. */
  lookup(ip: string, time: number | undefined): string | undefined {
    const m = this.byIp.get(ip);
    if (!m) return undefined;
    const list = [...m.values()];
    if (list.length === 1) return list[0].workloadId;
    if (time === undefined || list.some((s) => s.from === undefined)) return undefined;
    list.sort((a, b) => a.from! - b.from! || (a.workloadId < b.workloadId ? -1 : 1));
    for (let i = 1; i < list.length; i++) if (list[i].from! <= list[i - 1].to!) return undefined;
    let current = list[0];
    for (const s of list) if (s.from! <= time) current = s;
    return current.workloadId;
  }
}
