/**
 * Exposure analysis: for each workload and direction, which peers beyond the known workloads it is
 * exposed to. A workload no policy selects for a direction is "not protected" (exposed to
 * everything). Otherwise its side is evaluated against the entire cluster (a pod that only empty
 * selectors match) and against each representative peer (see representatives.ts); a
 * representative is listed when its connections differ from the entire cluster's (more, or fewer
 * because of a deny rule). Named ports towards representatives stay names. Only the workload's own
 * side is evaluated: the policies of pods that are not in the input are unknown.
 */
import { type CompiledLayer, type CompiledPolicy, selectingPolicies } from "../../eval/compile.js";
import type { PodEndpoint } from "../../eval/endpoint.js";
import { createEvaluator } from "../../eval/evaluate.js";
import { allowedOf, explainSide } from "../../eval/explain.js";
import type { NamedConns } from "../../eval/explain-conns.js";
import type { Direction, Peer } from "../../policy/ir/types.js";
import { type ConnectivityInput, identityClasses } from "../connectivity/connectivity.js";
import {
  matchesEntireCluster,
  matchesRepresentative,
  type Representative,
  representativeName,
  representativePeers,
} from "./representatives.js";

/** The display name of the entire cluster. */
export const ENTIRE_CLUSTER = "entire-cluster";

/** One potential peer a workload is exposed to, with the connections. */
export interface ExposureItem {
  /** `entire-cluster` or a representative's display name. */
  peer: string;
  conns: NamedConns;
}

/** A workload's exposure in one direction. */
export interface DirectionExposure {
  /** False when no policy selects the workload for the direction (exposed to everything). */
  protected: boolean;
  /** When protected: the entire cluster (if any connection) and the representatives that differ. */
  items: ExposureItem[];
}

/** One workload's exposure. */
export interface WorkloadExposure {
  /** Display name `ns/name[Kind]`. */
  name: string;
  ingress: DirectionExposure;
  egress: DirectionExposure;
}

interface SideContext {
  layers: readonly CompiledLayer[];
  selecting: readonly CompiledPolicy[][];
  direction: Direction;
  pod: PodEndpoint;
}

function conns(ctx: SideContext, peerMatches: (p: Peer) => boolean): NamedConns {
  return allowedOf(
    explainSide({
      layers: ctx.layers,
      selecting: ctx.selecting,
      direction: ctx.direction,
      matches: (r) => r.rule.peers.some(peerMatches),
      dstPorts: ctx.direction === "ingress" ? ctx.pod.ports : undefined,
    }),
  );
}

function directionExposure(ctx: SideContext, reps: readonly Representative[]): DirectionExposure {
  if (ctx.selecting.every((s) => s.length === 0)) return { protected: false, items: [] };
  const items: ExposureItem[] = [];
  const cluster = conns(ctx, matchesEntireCluster);
  if (!cluster.isEmpty()) items.push({ peer: ENTIRE_CLUSTER, conns: cluster });
  for (const rep of reps) {
    const c = conns(ctx, (p) => matchesRepresentative(p, rep));
    if (!c.equals(cluster)) items.push({ peer: representativeName(rep), conns: c });
  }
  return { protected: true, items };
}

/** Exposure of every workload of the input, sorted by name. */
export function analyzeExposure(input: ConnectivityInput): WorkloadExposure[] {
  const ev = createEvaluator(input.policies);
  const layers = ev.compiled.layers;
  const classes = identityClasses(input);
  const reps = representativePeers(
    input.policies,
    classes.map((c) => ({ labels: c.endpoint.labels, namespaceLabels: c.endpoint.namespaceLabels })),
  );
  const out: WorkloadExposure[] = [];
  for (const c of classes) {
    const side = (direction: Direction) =>
      directionExposure(
        {
          layers,
          selecting: layers.map((l) => selectingPolicies(l, c.endpoint, direction)),
          direction,
          pod: c.endpoint,
        },
        reps,
      );
    const ingress = side("ingress");
    const egress = side("egress");
    for (const name of c.names) out.push({ name, ingress, egress });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
