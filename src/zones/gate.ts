/**
 * The zone gate for policy synthesis: an edge that crosses a boundary the zone matrix forbids is
 * not turned into an allow rule; synthesis reports it as a violation to review.
 */
import type { Edge } from "../model/map.js";
import type { Zoning } from "./classify.js";

/** A gate: true to allow the edge, or the reason it is refused. */
export type EdgeGate = (edge: Edge) => true | string;

/** The gate of a zoning: edges the matrix forbids are refused with the zones and the reason. */
export function zoneEdgeGate(zoning: Zoning): EdgeGate {
  return (edge) => {
    const answer = zoning.checkFlow(edge.src, edge.dst);
    if (answer.allowed) return true;
    return `${edge.src} (${zoning.zoneOf(edge.src)}) → ${edge.dst} (${zoning.zoneOf(edge.dst)}): ${answer.reason}`;
  };
}
