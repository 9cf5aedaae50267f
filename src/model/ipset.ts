/**
 * IP addresses, CIDRs and exact IP sets (with excepts). IPv4 ranges use numbers, IPv6 ranges
 * bigints; both are sorted, disjoint, inclusive interval lists.
 */

/** An IP family. */
export type IpFamily = 4 | 6;

/** A parsed address. */
export type IpAddr = { family: 4; value: number } | { family: 6; value: bigint };

const V4_MAX = 0xffffffff;
const V6_MAX = (1n << 128n) - 1n;

/** Parses a dotted IPv4 address to its number, or undefined. */
export function parseIpv4(s: string): number | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v;
}

/** Parses an IPv6 address (with `::` and an optional embedded IPv4 tail) to a bigint, or undefined. */
export function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length < 2) return undefined;
  let str = s;
  const lastColon = str.lastIndexOf(":");
  if (str.includes(".", lastColon)) {
    // an embedded IPv4 tail (`::ffff:10.0.0.1`) becomes two hex groups
    const v4 = parseIpv4(str.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    str = `${str.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = str.split("::");
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === "") return [];
    const out: number[] = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !rest) return undefined;
  let groups = head;
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  }
  if (groups.length !== 8) return undefined;
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

/** Parses an IPv4 or IPv6 address. */
export function parseIp(s: string): IpAddr | undefined {
  if (s.includes(":")) {
    const v = parseIpv6(s);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIpv4(s);
  return v === undefined ? undefined : { family: 4, value: v };
}

/** Formats an IPv4 number as dotted quad. */
export function formatIpv4(v: number): string {
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
}

/** Formats an IPv6 bigint in the RFC 5952 short form. */
export function formatIpv6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** A parsed CIDR: family, first and last address. */
export type Cidr =
  | { family: 4; from: number; to: number; prefix: number }
  | { family: 6; from: bigint; to: bigint; prefix: number };

/**
 * Parses `a.b.c.d/n` or `x::/n` (a bare address is a /32 or /128). Host bits set below the
 * prefix are cleared, as Kubernetes and the kernel do.
 */
export function parseCidr(s: string): Cidr | undefined {
  const [addr, len, extra] = s.trim().split("/");
  if (extra !== undefined || !addr) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return undefined;
  const prefix = len === undefined ? bits : Number(len);
  if (prefix > bits) return undefined;
  if (ip.family === 4) {
    const size = 2 ** (32 - prefix);
    const from = Math.floor(ip.value / size) * size;
    return { family: 4, from, to: from + size - 1, prefix };
  }
  const host = (1n << BigInt(128 - prefix)) - 1n;
  const from = ip.value & ~host & V6_MAX;
  return { family: 6, from, to: from | host, prefix };
}

type Range<T> = [T, T];

function normalize<T extends number | bigint>(ranges: Range<T>[], one: T): Range<T>[] {
  const sorted = ranges.filter((r) => r[0] <= r[1]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Range<T>[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    // adjacent ranges merge: last.to + 1 >= r.from
    if (last && (r[0] as bigint | number) <= (((last[1] as number) + (one as number)) as unknown as T)) {
      if (r[1] > last[1]) last[1] = r[1];
    } else out.push([r[0], r[1]]);
  }
  return out;
}

function subtractRanges<T extends number | bigint>(a: Range<T>[], b: Range<T>[], one: T): Range<T>[] {
  const out: Range<T>[] = [];
  for (const r of a) {
    let pieces: Range<T>[] = [[r[0], r[1]]];
    for (const s of b) {
      const next: Range<T>[] = [];
      for (const p of pieces) {
        if (s[1] < p[0] || s[0] > p[1]) {
          next.push(p);
          continue;
        }
        if (s[0] > p[0]) next.push([p[0], ((s[0] as number) - (one as number)) as unknown as T]);
        if (s[1] < p[1]) next.push([((s[1] as number) + (one as number)) as unknown as T, p[1]]);
      }
      pieces = next;
    }
    out.push(...pieces);
  }
  return normalize(out, one);
}

function intersectRanges<T extends number | bigint>(a: Range<T>[], b: Range<T>[]): Range<T>[] {
  const out: Range<T>[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = a[i][0] > b[j][0] ? a[i][0] : b[j][0];
    const to = a[i][1] < b[j][1] ? a[i][1] : b[j][1];
    if (from <= to) out.push([from, to]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

/** An immutable set of IPv4 and IPv6 addresses. */
export class IpSet {
  readonly v4: readonly Range<number>[];
  readonly v6: readonly Range<bigint>[];

  private constructor(v4: Range<number>[], v6: Range<bigint>[]) {
    this.v4 = v4;
    this.v6 = v6;
  }

  /** The empty set. */
  static readonly EMPTY = new IpSet([], []);
  /** Every IPv4 and IPv6 address. */
  static readonly ALL = new IpSet([[0, V4_MAX]], [[0n, V6_MAX]]);
  /** Every IPv4 address. */
  static readonly ALL_V4 = new IpSet([[0, V4_MAX]], []);

  /** A set from CIDRs. */
  static fromCidrs(cidrs: readonly Cidr[]): IpSet {
    const v4: Range<number>[] = [];
    const v6: Range<bigint>[] = [];
    for (const c of cidrs) {
      if (c.family === 4) v4.push([c.from, c.to]);
      else v6.push([c.from, c.to]);
    }
    return new IpSet(normalize(v4, 1), normalize(v6, 1n));
  }

  /** A set of IPv4 ranges. */
  static fromV4Ranges(ranges: readonly [number, number][]): IpSet {
    return new IpSet(
      normalize(
        ranges.map((r) => [r[0], r[1]]),
        1,
      ),
      [],
    );
  }

  /** A set of one address. */
  static single(ip: IpAddr): IpSet {
    return ip.family === 4 ? new IpSet([[ip.value, ip.value]], []) : new IpSet([], [[ip.value, ip.value]]);
  }

  /** True when the set holds the address. */
  has(ip: IpAddr): boolean {
    if (ip.family === 4) {
      for (const r of this.v4) if (ip.value >= r[0] && ip.value <= r[1]) return true;
      return false;
    }
    for (const r of this.v6) if (ip.value >= r[0] && ip.value <= r[1]) return true;
    return false;
  }

  /** True when empty. */
  isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  /** Union. */
  union(o: IpSet): IpSet {
    return new IpSet(normalize([...this.v4, ...o.v4], 1), normalize([...this.v6, ...o.v6], 1n));
  }

  /** Difference. */
  subtract(o: IpSet): IpSet {
    return new IpSet(subtractRanges([...this.v4], [...o.v4], 1), subtractRanges([...this.v6], [...o.v6], 1n));
  }

  /** Intersection. */
  intersect(o: IpSet): IpSet {
    return new IpSet(intersectRanges([...this.v4], [...o.v4]), intersectRanges([...this.v6], [...o.v6]));
  }

  /** Structural equality. */
  equals(o: IpSet): boolean {
    return (
      this.v4.length === o.v4.length &&
      this.v6.length === o.v6.length &&
      this.v4.every((r, i) => r[0] === o.v4[i][0] && r[1] === o.v4[i][1]) &&
      this.v6.every((r, i) => r[0] === o.v6[i][0] && r[1] === o.v6[i][1])
    );
  }

  /** The smallest list of CIDRs covering exactly this set. */
  toCidrs(): string[] {
    const out: string[] = [];
    for (const [from, to] of this.v4) {
      let cur = from;
      while (cur <= to) {
        let size = 1;
        let prefix = 32;
        while (prefix > 0) {
          const next = size * 2;
          if (cur % next !== 0 || cur + next - 1 > to) break;
          size = next;
          prefix--;
        }
        out.push(`${formatIpv4(cur)}/${prefix}`);
        cur += size;
      }
    }
    for (const [from, to] of this.v6) {
      let cur = from;
      while (cur <= to) {
        let size = 1n;
        let prefix = 128;
        while (prefix > 0) {
          const next = size * 2n;
          if (cur % next !== 0n || cur + next - 1n > to) break;
          size = next;
          prefix--;
        }
        out.push(`${formatIpv6(cur)}/${prefix}`);
        cur += size;
      }
    }
    return out;
  }
}
