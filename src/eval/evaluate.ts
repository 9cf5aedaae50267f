/**
 * The one evaluator: a connection is allowed when the source side lets it leave (egress, on the
 * source pod) and the destination side lets it in (ingress, on the destination pod). Each side
 * runs the stage machine over the layers in order; a side that is not a pod has no policies.
 */
import { ConnSet } from "../model/ports.js";
import type { Direction, RuleOrigin, StageKind } from "../policy/ir/types.js";
import {
  type CompiledLayer,
  type CompiledPolicy,
  type CompiledPolicySet,
  compilePolicySet,
  selectingPolicies,
} from "./compile.js";
import type { Connection, Endpoint, PodEndpoint } from "./endpoint.js";
import { layerScope, layerSees, planeGroups } from "./planes.js";
import { decideStage, decideStageSets, type PolicyRef, type SideQuery } from "./stages.js";

/** One side's answer. */
export interface SideVerdict {
  allowed: boolean;
  direction: Direction;
  /**
   * The deciding stage; `default` when no stage had an opinion (allowed), `not-a-pod` when the
   * side's endpoint is an address or entity (no policies apply: allowed).
   */
  stage: StageKind | "default" | "not-a-pod";
  /** The rules that decided. */
  rules: RuleOrigin[];
  /** For a default deny: the policies selecting the endpoint for the direction, none allowing it. */
  policies: PolicyRef[];
}

/** The answer for a connection. */
export interface Verdict {
  allowed: boolean;
  egress: SideVerdict;
  ingress: SideVerdict;
}

/** An evaluator over one compiled PolicySet. */
export interface Evaluator {
  readonly compiled: CompiledPolicySet;
  /** The verdict for one connection, with the deciding stage and rules per side. */
  evaluate(conn: Connection): Verdict;
  /** The exact set of connections allowed from `src` to `dst`. */
  allowedConns(src: Endpoint, dst: Endpoint): ConnSet;
  /** The connections one side allows (egress on `subject` towards `peer`, or ingress from it). */
  sideConns(
    subject: PodEndpoint,
    peer: Endpoint,
    direction: Direction,
    dstPorts: PodEndpoint["ports"],
  ): ConnSet;
  /** Per layer, the policies selecting `pod` for `direction`, in evaluation order (cached per identity). */
  selecting(pod: PodEndpoint, direction: Direction): readonly (readonly CompiledPolicy[])[];
}

/** A cache key for everything selectors can see of a pod (its identity class). */
export function identityKey(pod: PodEndpoint): string {
  const labels = (l: PodEndpoint["labels"]) =>
    Object.keys(l)
      .sort()
      .map((k) => `${k}=${l[k]}`)
      .join(",");
  const key = `${pod.namespace}|${labels(pod.labels)}|${labels(pod.namespaceLabels)}`;
  // Istio principals see the service account: pods that differ only in it are different identities
  const sa = pod.serviceAccount ? `${key}|sa=${pod.serviceAccount}` : key;
  return pod.mesh === false ? `${sa}|no-mesh` : sa;
}

/** Creates an evaluator: compiles the set once and caches which policies select each identity. */
export function createEvaluator(set: Parameters<typeof compilePolicySet>[0]): Evaluator {
  const compiled = compilePolicySet(set);
  const planes = planeGroups(compiled.layers);
  const cache = new Map<string, CompiledPolicy[][]>();
  const selecting = (pod: PodEndpoint, direction: Direction): CompiledPolicy[][] => {
    const key = `${direction}|${identityKey(pod)}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = compiled.layers.map((l: CompiledLayer) => selectingPolicies(l, pod, direction));
      cache.set(key, hit);
    }
    return hit;
  };

  const side = (subject: PodEndpoint, peer: Endpoint, direction: Direction, dst: Endpoint) => {
    const dstPorts = dst.kind === "pod" ? dst.ports : [];
    const sel = selecting(subject, direction);
    return compiled.layers.map((layer, i): [CompiledLayer, SideQuery] => [
      layer,
      { direction, peer, dstPorts, selecting: sel[i] },
    ]);
  };

  const decide = (conn: Connection, direction: Direction): SideVerdict => {
    const subject = direction === "egress" ? conn.src : conn.dst;
    const peer = direction === "egress" ? conn.dst : conn.src;
    if (subject.kind !== "pod")
      return { allowed: true, direction, stage: "not-a-pod", rules: [], policies: [] };
    const queries = side(subject, peer, direction, conn.dst);
    let decided: SideVerdict | undefined;
    const rules: SideVerdict["rules"] = [];
    // every plane must allow; the first plane that denies gives the verdict (src/eval/planes.ts);
    // when all allow, the verdict names every plane's allowing rules
    for (const plane of planes) {
      const v = decidePlane(plane, queries, conn, direction);
      if (!v.allowed) return v;
      rules.push(...v.rules);
      if (!decided || (decided.stage === "default" && v.stage !== "default")) decided = v;
    }
    if (!decided) return { allowed: true, direction, stage: "default", rules: [], policies: [] };
    return planes.length > 1 ? { ...decided, rules } : decided;
  };

  const decidePlane = (
    plane: readonly number[],
    queries: [CompiledLayer, SideQuery][],
    conn: Connection,
    direction: Direction,
  ): SideVerdict => {
    for (const i of plane) {
      const [layer, q] = queries[i];
      if (!layerSees(layer, conn.protocol, conn.port)) continue;
      const r = decideStage(layer, conn.http ? { ...q, http: conn.http } : q, conn.protocol, conn.port);
      if (r.outcome === "allow" || r.outcome === "deny")
        return {
          allowed: r.outcome === "allow",
          direction,
          stage: layer.stage,
          rules: r.rules,
          policies: r.policies,
        };
    }
    return { allowed: true, direction, stage: "default", rules: [], policies: [] };
  };

  const sideConns = (
    subject: PodEndpoint,
    peer: Endpoint,
    direction: Direction,
    dstPorts: PodEndpoint["ports"],
  ) => {
    const sel = selecting(subject, direction);
    let out = ConnSet.ALL;
    for (const plane of planes) {
      let undecided = ConnSet.ALL;
      let allowed = ConnSet.NONE;
      for (const i of plane) {
        if (undecided.isEmpty()) break;
        const layer = compiled.layers[i];
        const scope = layerScope(layer);
        const seen = scope.isAll() ? undecided : undecided.intersect(scope);
        const r = decideStageSets(layer, { direction, peer, dstPorts, selecting: sel[i] }, seen);
        allowed = allowed.union(r.allowed);
        undecided = scope.isAll() ? r.next : r.next.union(undecided.subtract(scope));
      }
      out = out.intersect(allowed.union(undecided));
    }
    return out;
  };

  return {
    compiled,
    evaluate(conn) {
      const egress = decide(conn, "egress");
      const ingress = decide(conn, "ingress");
      return { allowed: egress.allowed && ingress.allowed, egress, ingress };
    },
    allowedConns(src, dst) {
      const dstPorts = dst.kind === "pod" ? dst.ports : [];
      let out = ConnSet.ALL;
      if (src.kind === "pod") out = out.intersect(sideConns(src, dst, "egress", dstPorts));
      if (dst.kind === "pod" && !out.isEmpty()) out = out.intersect(sideConns(dst, src, "ingress", dstPorts));
      return out;
    },
    sideConns,
    selecting,
  };
}

/** Evaluates one connection against a PolicySet (compiles it; use createEvaluator for many). */
export function evaluateConnection(set: Parameters<typeof compilePolicySet>[0], conn: Connection): Verdict {
  return createEvaluator(set).evaluate(conn);
}
