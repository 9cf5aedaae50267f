/**
 * Exact port and connection set algebra: a PortSet is a sorted list of disjoint inclusive
 * ranges over 1..65535; a ConnSet maps each L4 protocol to a PortSet.
 */

/** The L4 protocols policies speak about. */
export type Protocol = "TCP" | "UDP" | "SCTP";

/** All L4 protocols, in the sorted order outputs use. */
export const PROTOCOLS: readonly Protocol[] = ["SCTP", "TCP", "UDP"];

/** Lowest and highest port. */
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** An inclusive port range. */
export interface PortRange {
  from: number;
  to: number;
}

/** Parses a protocol name (any case); undefined when it is not TCP, UDP or SCTP. */
export function parseProtocol(s: string | undefined | null): Protocol | undefined {
  if (!s) return undefined;
  const u = s.toUpperCase();
  return u === "TCP" || u === "UDP" || u === "SCTP" ? u : undefined;
}

/** True when `n` is an integer port number 1..65535. */
export function isPortNumber(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= MIN_PORT && n <= MAX_PORT;
}

/** An immutable set of ports. */
export class PortSet {
  /** Sorted, disjoint, non-adjacent ranges. */
  readonly ranges: readonly PortRange[];

  private constructor(ranges: PortRange[]) {
    this.ranges = ranges;
  }

  /** The empty set. */
  static readonly EMPTY = new PortSet([]);
  /** Every port 1..65535. */
  static readonly ALL = new PortSet([{ from: MIN_PORT, to: MAX_PORT }]);

  /** A set from ranges in any order (overlaps merged). */
  static of(ranges: readonly PortRange[]): PortSet {
    const sorted = ranges
      .filter((r) => r.from <= r.to)
      .map((r) => ({ from: Math.max(MIN_PORT, r.from), to: Math.min(MAX_PORT, r.to) }))
      .filter((r) => r.from <= r.to)
      .sort((a, b) => a.from - b.from);
    const out: PortRange[] = [];
    for (const r of sorted) {
      const last = out[out.length - 1];
      if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
      else out.push({ ...r });
    }
    return new PortSet(out);
  }

  /** A set of one port. */
  static single(port: number): PortSet {
    return PortSet.of([{ from: port, to: port }]);
  }

  /** A set of one range. */
  static range(from: number, to: number): PortSet {
    return PortSet.of([{ from, to }]);
  }

  /** True when the set has no port. */
  isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** True when the set has every port. */
  isAll(): boolean {
    return this.ranges.length === 1 && this.ranges[0].from === MIN_PORT && this.ranges[0].to === MAX_PORT;
  }

  /** True when `port` is in the set. */
  has(port: number): boolean {
    for (const r of this.ranges) {
      if (port < r.from) return false;
      if (port <= r.to) return true;
    }
    return false;
  }

  /** Union. */
  union(other: PortSet): PortSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    return PortSet.of([...this.ranges, ...other.ranges]);
  }

  /** Intersection. */
  intersect(other: PortSet): PortSet {
    const out: PortRange[] = [];
    let i = 0;
    let j = 0;
    while (i < this.ranges.length && j < other.ranges.length) {
      const a = this.ranges[i];
      const b = other.ranges[j];
      const from = Math.max(a.from, b.from);
      const to = Math.min(a.to, b.to);
      if (from <= to) out.push({ from, to });
      if (a.to < b.to) i++;
      else j++;
    }
    return new PortSet(out);
  }

  /** Difference: ports in this set and not in `other`. */
  subtract(other: PortSet): PortSet {
    return this.intersect(other.complement());
  }

  /** Complement within 1..65535. */
  complement(): PortSet {
    const out: PortRange[] = [];
    let next = MIN_PORT;
    for (const r of this.ranges) {
      if (r.from > next) out.push({ from: next, to: r.from - 1 });
      next = r.to + 1;
    }
    if (next <= MAX_PORT) out.push({ from: next, to: MAX_PORT });
    return new PortSet(out);
  }

  /** Structural equality. */
  equals(other: PortSet): boolean {
    if (this.ranges.length !== other.ranges.length) return false;
    return this.ranges.every((r, i) => r.from === other.ranges[i].from && r.to === other.ranges[i].to);
  }

  /** `80,443,8000-8080` (the corpus form). */
  toString(): string {
    return this.ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(",");
  }
}

/** A set of connections: per protocol, a set of ports. */
export class ConnSet {
  private readonly byProto: ReadonlyMap<Protocol, PortSet>;

  private constructor(byProto: Map<Protocol, PortSet>) {
    this.byProto = byProto;
  }

  /** No connection. */
  static readonly NONE = new ConnSet(new Map());
  /** Every port of TCP, UDP and SCTP. */
  static readonly ALL = new ConnSet(new Map(PROTOCOLS.map((p) => [p, PortSet.ALL])));

  /** A set from protocol → ports entries (empty port sets dropped). */
  static of(entries: Iterable<[Protocol, PortSet]>): ConnSet {
    const m = new Map<Protocol, PortSet>();
    for (const [p, s] of entries) {
      const prev = m.get(p);
      const merged = prev ? prev.union(s) : s;
      if (!merged.isEmpty()) m.set(p, merged);
    }
    return new ConnSet(m);
  }

  /** The ports of one protocol. */
  ports(proto: Protocol): PortSet {
    return this.byProto.get(proto) ?? PortSet.EMPTY;
  }

  /** True when protocol/port is in the set. */
  has(proto: Protocol, port: number): boolean {
    return this.byProto.get(proto)?.has(port) ?? false;
  }

  /** True when the set is empty. */
  isEmpty(): boolean {
    return this.byProto.size === 0;
  }

  /** True when the set has every port of every protocol. */
  isAll(): boolean {
    return PROTOCOLS.every((p) => this.ports(p).isAll());
  }

  /** Union. */
  union(other: ConnSet): ConnSet {
    return ConnSet.of(PROTOCOLS.map((p) => [p, this.ports(p).union(other.ports(p))]));
  }

  /** Intersection. */
  intersect(other: ConnSet): ConnSet {
    return ConnSet.of(PROTOCOLS.map((p) => [p, this.ports(p).intersect(other.ports(p))]));
  }

  /** Difference. */
  subtract(other: ConnSet): ConnSet {
    return ConnSet.of(PROTOCOLS.map((p) => [p, this.ports(p).subtract(other.ports(p))]));
  }

  /** Structural equality. */
  equals(other: ConnSet): boolean {
    return PROTOCOLS.every((p) => this.ports(p).equals(other.ports(p)));
  }

  /** The protocols with at least one port, sorted. */
  protocols(): Protocol[] {
    return PROTOCOLS.filter((p) => !this.ports(p).isEmpty());
  }

  /** `All Connections`, `No Connections` or `TCP 80,443,UDP 53` (the corpus form). */
  toString(): string {
    if (this.isAll()) return "All Connections";
    if (this.isEmpty()) return "No Connections";
    return this.protocols()
      .map((p) => `${p} ${this.ports(p).toString()}`)
      .join(",");
  }
}
