/**
 * Connection sets with named ports kept as names: what one side allows towards a peer whose
 * container ports are unknown (a representative peer of exposure analysis), where a rule's named
 * port cannot be resolved to a number and stays `TCP http`. Numeric parts are a ConnSet; names are
 * `PROTOCOL/name` keys. A whole-protocol set also holds every name of that protocol.
 */
import { ConnSet, PROTOCOLS, type Protocol } from "../model/ports.js";

/** A connection set plus unresolved named ports. */
export class NamedConns {
  readonly conns: ConnSet;
  /** `PROTOCOL/name` keys, sorted. */
  readonly names: readonly string[];

  private constructor(conns: ConnSet, names: readonly string[]) {
    this.conns = conns;
    this.names = names;
  }

  /** No connection. */
  static readonly NONE = new NamedConns(ConnSet.NONE, []);
  /** Every connection and every name ("any" ports). */
  static readonly ALL = new NamedConns(ConnSet.ALL, ["*"]);

  /** A set from numbers and `PROTOCOL/name` keys. */
  static of(conns: ConnSet, names: Iterable<string> = []): NamedConns {
    return new NamedConns(conns, normalize(conns, names));
  }

  /** True when the set holds every name (it came from "any" ports). */
  private hasAllNames(): boolean {
    return this.names.includes("*");
  }

  /** True when `key` (PROTOCOL/name) is in the set. */
  hasName(key: string): boolean {
    if (this.hasAllNames()) return true;
    if (this.names.includes(key)) return true;
    return this.conns.ports(key.split("/")[0] as Protocol).isAll();
  }

  /** True when nothing is in the set (the open "every other name" marker alone counts as empty). */
  isEmpty(): boolean {
    return this.conns.isEmpty() && this.names.every((k) => k === "*");
  }

  /** Union. */
  union(o: NamedConns): NamedConns {
    return NamedConns.of(this.conns.union(o.conns), [...this.names, ...o.names]);
  }

  /** Intersection. */
  intersect(o: NamedConns): NamedConns {
    const names = new Set<string>();
    if (this.hasAllNames() && o.hasAllNames()) names.add("*");
    for (const k of this.names) if (k !== "*" && o.hasName(k)) names.add(k);
    for (const k of o.names) if (k !== "*" && this.hasName(k)) names.add(k);
    return NamedConns.of(this.conns.intersect(o.conns), names);
  }

  /** Difference (a name stays unless `o` holds it; "all names" minus finite names is kept as "all"). */
  subtract(o: NamedConns): NamedConns {
    const names = this.names.filter((k) => (k === "*" ? !o.hasAllNames() : !o.hasName(k)));
    return NamedConns.of(this.conns.subtract(o.conns), names);
  }

  /** Structural equality. */
  equals(o: NamedConns): boolean {
    const finite = (n: readonly string[]) => n.filter((k) => k !== "*").join("|");
    return this.conns.equals(o.conns) && finite(this.names) === finite(o.names);
  }

  /** True when every connection of this set is in `o`. */
  containedIn(o: NamedConns): boolean {
    return this.subtract(o).isEmpty();
  }

  /** True when protocol/port is allowed (names never match a number). */
  has(protocol: Protocol, port: number): boolean {
    return this.conns.has(protocol, port);
  }

  /**
   * The corpus text form: `All Connections`, `No Connections`, or protocols in order with ports
   * then names (`TCP 80,http`); a name present for every protocol is printed with no protocol
   * (` local-port`, AdminNetworkPolicy's protocol-less namedPort).
   */
  toString(): string {
    const finite = this.names.filter((k) => k !== "*");
    if (finite.length === 0) return this.conns.toString();
    const byProto = new Map<string, string[]>();
    for (const k of finite) {
      const [p, name] = splitKey(k);
      byProto.set(name, [...(byProto.get(name) ?? []), p]);
    }
    const anyProto = [...byProto.entries()]
      .filter(([, ps]) => PROTOCOLS.every((p) => ps.includes(p)))
      .map(([n]) => n);
    const parts: string[] = [];
    for (const p of PROTOCOLS) {
      const ports = this.conns.ports(p);
      const names = finite
        .map(splitKey)
        .filter(([q, n]) => q === p && !anyProto.includes(n))
        .map(([, n]) => n);
      const items = [...(ports.isEmpty() ? [] : [ports.toString()]), ...names];
      if (items.length > 0) parts.push(`${p} ${items.join(",")}`);
    }
    if (anyProto.length > 0) parts.push(` ${anyProto.sort().join(",")}`);
    return parts.join(",");
  }
}

function splitKey(k: string): [string, string] {
  const i = k.indexOf("/");
  return [k.slice(0, i), k.slice(i + 1)];
}

function normalize(conns: ConnSet, names: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const k of names) {
    if (k === "*") {
      out.add(k);
      continue;
    }
    // a name of a protocol whose every port is in the set adds nothing
    if (!conns.ports(splitKey(k)[0] as Protocol).isAll()) out.add(k);
  }
  return [...out].sort();
}
