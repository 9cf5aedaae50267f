/**
 * All-pairs connectivity over identity classes, fast enough for clusters of 10,000 workloads.
 *
 * One side of a connection (egress on the source, ingress on the destination) depends only on
 * (a) which policies select the subject, per layer, and (b) which of those policies' rules match
 * the peer, plus the destination's container ports when a rule names a port. So:
 * 1. classes are grouped per direction by their selecting policies (a "side group");
 * 2. each rule's peer is matched once against every class and external address (the "universe"),
 *    with namespace and selector results cached;
 * 3. per side group, the universe is partitioned by the subset of the group's rules that match
 *    (plus container ports where named ports matter), and the evaluator's own set-form stage
 *    machine (`sideConns`) answers once per part, on a representative;
 * 4. a pair's connections are the meet of its egress and ingress answers, interned and memoized.
 * The answers come from the same code as single-connection evaluation, so this is a grouping of
 * the work, not a second evaluator; the differential tests compare it with pairwise evaluation.
 */
import { ConnSet } from "../model/ports.js";
import type { Direction, NamespaceMatch, Peer } from "../policy/ir/types.js";
import { type CompiledRule, compileNamespaceMatch, compilePeer, ipBlockSet, rulesFor } from "./compile.js";
import type { Endpoint, IpEndpoint, PodEndpoint } from "./endpoint.js";
import type { Evaluator } from "./evaluate.js";
import { SelectorCache } from "./selector-cache.js";

/** What the matrix is computed over. */
export interface ClassMatrixInput {
  evaluator: Evaluator;
  /** One endpoint per identity class. */
  pods: readonly PodEndpoint[];
  /** External sources (one address per range that ingress rules cannot tell apart). */
  sources: readonly IpEndpoint[];
  /** External destinations (one address per range that egress rules cannot tell apart). */
  destinations: readonly IpEndpoint[];
}

/** Allowed connections between classes and external peers, as (from, to, conn id) triples. */
export interface ClassMatrix {
  /** Interned connection sets: id 0 is the empty set, id 1 every connection. */
  conns: readonly ConnSet[];
  /** Pod class → pod class cells with a non-empty set, ordered by destination then source. */
  podToPod: Int32Array;
  /** External source index → pod class cells. */
  sourceToPod: Int32Array;
  /** Pod class → external destination index cells. */
  podToDestination: Int32Array;
}

const NONE = 0;
const ALL = 1;

/** Interns connection sets and memoizes their intersections. */
class ConnTable {
  readonly list: ConnSet[] = [ConnSet.NONE, ConnSet.ALL];
  private readonly ids = new Map<string, number>([
    [ConnSet.NONE.toString(), NONE],
    [ConnSet.ALL.toString(), ALL],
  ]);
  private readonly meets = new Map<number, number>();

  intern(c: ConnSet): number {
    const key = c.toString();
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(c);
      this.ids.set(key, id);
    }
    return id;
  }

  meet(a: number, b: number): number {
    if (a === ALL) return b;
    if (b === ALL || a === b) return a;
    if (a === NONE || b === NONE) return NONE;
    const key = a < b ? a * 0x4000000 + b : b * 0x4000000 + a;
    let id = this.meets.get(key);
    if (id === undefined) {
      id = this.intern(this.list[a].intersect(this.list[b]));
      this.meets.set(key, id);
    }
    return id;
  }
}

/** A growable list of int triples. */
class Triples {
  private buf = new Int32Array(3 * 1024);
  private n = 0;

  push(a: number, b: number, c: number): void {
    if (this.n + 3 > this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = a;
    this.buf[this.n++] = b;
    this.buf[this.n++] = c;
  }

  done(): Int32Array {
    return this.buf.slice(0, this.n);
  }
}

/** The endpoints one direction's rules can meet: every class, then that side's external addresses. */
interface Universe {
  pods: readonly PodEndpoint[];
  externals: readonly IpEndpoint[];
  size: number;
}

function endpointAt(u: Universe, i: number): Endpoint {
  return i < u.pods.length ? u.pods[i] : u.externals[i - u.pods.length];
}

/** Matches rules' peers against a universe, caching namespace, selector, peer and rule results. */
class PeerMatcher {
  private readonly byPeer = new Map<string, Int32Array>();
  private readonly byRule = new Map<CompiledRule, Int32Array>();
  private readonly byNamespaceMatch = new Map<string, number[]>();
  /** Classes grouped by (namespace, namespace labels): what namespace matches see. */
  private readonly nsGroups: { ns: string; labels: PodEndpoint["labels"]; members: number[] }[] = [];

  constructor(
    private readonly u: Universe,
    private readonly selectors: SelectorCache,
  ) {
    const index = new Map<string, number>();
    u.pods.forEach((p, i) => {
      const key = `${p.namespace}|${SelectorCache.labelsKey(p.namespaceLabels)}`;
      let g = index.get(key);
      if (g === undefined) {
        g = this.nsGroups.length;
        index.set(key, g);
        this.nsGroups.push({ ns: p.namespace, labels: p.namespaceLabels, members: [] });
      }
      this.nsGroups[g].members.push(i);
    });
  }

  /** Universe indices the rule's peers match (sorted, unique). */
  rule(r: CompiledRule): Int32Array {
    let hit = this.byRule.get(r);
    if (!hit) {
      const lists = r.rule.peers.map((p) => this.peer(p));
      hit = lists.length === 1 ? lists[0] : mergeSorted(lists);
      this.byRule.set(r, hit);
    }
    return hit;
  }

  private peer(p: Peer): Int32Array {
    const key = JSON.stringify(p);
    let hit = this.byPeer.get(key);
    if (!hit) {
      hit = this.matchPeer(p);
      this.byPeer.set(key, hit);
    }
    return hit;
  }

  private matchPeer(p: Peer): Int32Array {
    const out: number[] = [];
    const nPods = this.u.pods.length;
    switch (p.kind) {
      case "any":
        for (let i = 0; i < this.u.size; i++) out.push(i);
        break;
      case "pods": {
        const pods = this.selectors.predicate(p.pods);
        for (const g of this.namespaces(p.namespaces))
          for (const i of this.nsGroups[g].members) if (pods(this.u.pods[i].labels)) out.push(i);
        out.sort((a, b) => a - b);
        break;
      }
      case "ipblock": {
        const set = ipBlockSet(p.cidr, p.except);
        this.u.externals.forEach((e, j) => {
          if (set.has(e.ip)) out.push(nPods + j);
        });
        break;
      }
      default: {
        // any other peer kind: its compiled predicate, asked of every endpoint
        const pred = compilePeer(p);
        for (let i = 0; i < this.u.size; i++) if (pred(endpointAt(this.u, i))) out.push(i);
      }
    }
    return Int32Array.from(out);
  }

  private namespaces(m: NamespaceMatch): number[] {
    const key = JSON.stringify(m);
    let hit = this.byNamespaceMatch.get(key);
    if (!hit) {
      const pred = compileNamespaceMatch(m);
      hit = [];
      this.nsGroups.forEach((g, i) => {
        if (pred(g.ns, g.labels)) hit!.push(i);
      });
      this.byNamespaceMatch.set(key, hit);
    }
    return hit;
  }
}

function mergeSorted(lists: Int32Array[]): Int32Array {
  const seen = new Set<number>();
  for (const l of lists) for (const x of l) seen.add(x);
  return Int32Array.from([...seen].sort((a, b) => a - b));
}

function portsKey(p: PodEndpoint): string {
  return p.ports
    .map((x) => `${x.name ?? ""}:${x.protocol}:${x.port}`)
    .sort()
    .join(",");
}

/** One direction's answers: per class its side group, per group the conn id towards each universe index. */
interface SideTable {
  groupOf: Int32Array;
  /** `undefined`: the group has no selecting policy (every connection allowed). */
  results: (Uint32Array | undefined)[];
}

interface SideContext {
  ev: Evaluator;
  u: Universe;
  matcher: PeerMatcher;
  table: ConnTable;
  direction: Direction;
  /** Per universe index, the id of its container-port list. */
  portsIds: Int32Array;
  portsCount: number;
  /** A buffer of universe size, reused by every group. */
  scratch: Int32Array;
}

function sideTable(ctx: SideContext): SideTable {
  const { ev, u, direction } = ctx;
  const groupOf = new Int32Array(u.pods.length);
  const results: (Uint32Array | undefined)[] = [];
  const keys = new Map<string, number>();
  u.pods.forEach((pod, i) => {
    const sel = ev.selecting(pod, direction);
    const rules = sel.flatMap((layer) => layer.flatMap((p) => rulesFor(p, direction)));
    let key = sel.map((layer) => layer.map((p) => p.order).join(",")).join("|");
    if (direction === "ingress" && rules.some((r) => r.named.length > 0)) key += `#${ctx.portsIds[i]}`;
    let g = keys.get(key);
    if (g === undefined) {
      g = results.length;
      keys.set(key, g);
      const selected = sel.some((layer) => layer.length > 0);
      results.push(selected ? groupResults(ctx, pod, rules) : undefined);
    }
    groupOf[i] = g;
  });
  return { groupOf, results };
}

/** The conn id towards every universe index, for subjects selected like `subject`. */
function groupResults(ctx: SideContext, subject: PodEndpoint, rules: readonly CompiledRule[]): Uint32Array {
  const { ev, u, matcher, table, direction } = ctx;
  // the subset of matching rules, interned incrementally in rule order (0: no rule matches);
  // rule k moves each matched index from subset s to subset s+{k}, numbered on first sight
  const sig = ctx.scratch.fill(0);
  let count = 0;
  for (const r of rules) {
    const moved = new Int32Array(count + 1);
    for (const i of matcher.rule(r)) {
      const from = sig[i];
      if (moved[from] === 0) moved[from] = ++count;
      sig[i] = moved[from];
    }
  }
  // container ports matter only where an egress rule names a port (ingress groups split on them)
  const named = direction === "egress" && rules.some((r) => r.named.length > 0);
  const ports = named ? ctx.portsIds : undefined;
  const answers = new Map<number, number>();
  // without named ports the partition key is the signature itself: a dense table (-1: not yet)
  const dense = ports ? undefined : new Int32Array(count + 1).fill(-1);
  const out = new Uint32Array(u.size);
  const stride = ctx.portsCount + 1;
  const answer = (i: number): number => {
    const peer = endpointAt(u, i);
    const dstPorts = direction === "ingress" ? subject.ports : peer.kind === "pod" ? peer.ports : [];
    return table.intern(ev.sideConns(subject, peer, direction, dstPorts));
  };
  for (let i = 0; i < u.size; i++) {
    if (dense) {
      let id = dense[sig[i]];
      if (id < 0) {
        id = answer(i);
        dense[sig[i]] = id;
      }
      out[i] = id;
      continue;
    }
    const key = sig[i] * stride + ports![i];
    let id = answers.get(key);
    if (id === undefined) {
      id = answer(i);
      answers.set(key, id);
    }
    out[i] = id;
  }
  return out;
}

/** Small ids for the container-port lists of the universe (0 for external addresses). */
function portsIds(u: Universe): { ids: Int32Array; count: number } {
  const ids = new Int32Array(u.size);
  const seen = new Map<string, number>();
  u.pods.forEach((p, i) => {
    const key = portsKey(p);
    let id = seen.get(key);
    if (id === undefined) {
      id = seen.size + 1;
      seen.set(key, id);
    }
    ids[i] = id;
  });
  return { ids, count: seen.size };
}

/** The indices below `n` whose answer is not the empty set. */
function nonEmptyBelow(row: Uint32Array, n: number): Int32Array {
  let count = 0;
  for (let i = 0; i < n; i++) if (row[i] !== NONE) count++;
  const out = new Int32Array(count);
  let j = 0;
  for (let i = 0; i < n; i++) if (row[i] !== NONE) out[j++] = i;
  return out;
}

/** The allowed connections between every pair of classes, and between classes and external peers. */
export function classMatrix(input: ClassMatrixInput): ClassMatrix {
  const { evaluator: ev, pods } = input;
  const table = new ConnTable();
  const selectors = new SelectorCache();
  const side = (direction: Direction, externals: readonly IpEndpoint[]): SideTable => {
    const u: Universe = { pods, externals, size: pods.length + externals.length };
    const ports = portsIds(u);
    return sideTable({
      ev,
      u,
      matcher: new PeerMatcher(u, selectors),
      table,
      direction,
      portsIds: ports.ids,
      portsCount: ports.count,
      scratch: new Int32Array(u.size),
    });
  };
  const egress = side("egress", input.destinations);
  const ingress = side("ingress", input.sources);
  const n = pods.length;
  // by destination: a destination whose ingress side has an opinion admits only some sources,
  // listed once per ingress group, so the loop visits allowed cells rather than all n² pairs
  const podToPod = new Triples();
  const eRows = Array.from({ length: n }, (_, a) => egress.results[egress.groupOf[a]]);
  const admitted = ingress.results.map((row) => (row ? nonEmptyBelow(row, n) : undefined));
  for (let b = 0; b < n; b++) {
    const g = ingress.groupOf[b];
    const iRow = ingress.results[g];
    if (!iRow) {
      for (let a = 0; a < n; a++) {
        const eRow = eRows[a];
        const e = eRow ? eRow[b] : ALL;
        if (e !== NONE) podToPod.push(a, b, e);
      }
      continue;
    }
    for (const a of admitted[g]!) {
      const i = iRow[a];
      const eRow = eRows[a];
      const e = eRow ? eRow[b] : ALL;
      if (e === NONE) continue;
      const id = e === ALL || e === i ? i : i === ALL ? e : table.meet(e, i);
      if (id !== NONE) podToPod.push(a, b, id);
    }
  }
  const sourceToPod = new Triples();
  input.sources.forEach((_, s) => {
    for (let b = 0; b < n; b++) {
      const iRow = ingress.results[ingress.groupOf[b]];
      const id = iRow ? iRow[n + s] : ALL;
      if (id !== NONE) sourceToPod.push(s, b, id);
    }
  });
  const podToDestination = new Triples();
  for (let a = 0; a < n; a++) {
    const eRow = egress.results[egress.groupOf[a]];
    input.destinations.forEach((_, t) => {
      const id = eRow ? eRow[n + t] : ALL;
      if (id !== NONE) podToDestination.push(a, t, id);
    });
  }
  return {
    conns: table.list,
    podToPod: podToPod.done(),
    sourceToPod: sourceToPod.done(),
    podToDestination: podToDestination.done(),
  };
}
