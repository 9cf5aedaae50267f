/**
 * Enforcement planes: layers of one plane (the CNI's, or the mesh sidecar's) run as one stage
 * machine; planes are independent, so a connection must pass every plane. Audit layers are not
 * enforced; a layer limited to some protocols has no opinion on the others.
 */
import { ConnSet, PortSet, PROTOCOLS, type Protocol } from "../model/ports.js";
import type { CompiledLayer } from "./compile.js";

/** The plane of a layer whose `plane` is not set. */
export const DEFAULT_PLANE = "network";

/** Layer indices grouped by plane, in first-appearance order; audit layers left out. */
export function planeGroups(layers: readonly CompiledLayer[]): number[][] {
  const groups = new Map<string, number[]>();
  layers.forEach((l, i) => {
    if (l.mode === "audit") return;
    const key = l.plane ?? DEFAULT_PLANE;
    const g = groups.get(key) ?? [];
    g.push(i);
    groups.set(key, g);
  });
  if (groups.size === 0) groups.set(DEFAULT_PLANE, []);
  return [...groups.values()];
}

/** Does the layer see connections of this protocol (to this destination port, when given)? */
export function layerSees(layer: CompiledLayer, protocol: Protocol, port?: number): boolean {
  if (layer.protocols && !layer.protocols.includes(protocol)) return false;
  return port === undefined || !layer.exemptPorts?.includes(port);
}

/** The connections a layer sees (every connection when it is not limited). */
export function layerScope(layer: CompiledLayer): ConnSet {
  const exempt = PortSet.of((layer.exemptPorts ?? []).map((p) => ({ from: p, to: p })));
  const ports = PortSet.ALL.subtract(exempt);
  if (!layer.protocols && exempt.isEmpty()) return ConnSet.ALL;
  const protocols = layer.protocols ?? PROTOCOLS;
  return ConnSet.of(protocols.map((p): [Protocol, PortSet] => [p, ports]));
}
