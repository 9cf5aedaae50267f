/**
 * Peer predicates for the kinds Cilium and Istio add to the IR: entities (Cilium's reserved
 * identities), FQDN names, mesh principals and namespaces (Istio, mTLS-only), and the AND / NOT
 * combinators Istio's `source` fields and `when` conditions need.
 */
import type { Peer } from "../policy/ir/types.js";
import type { Endpoint } from "./endpoint.js";

/** A predicate over the peer end of a connection. */
export type EndpointPredicate = (e: Endpoint) => boolean;

/** The trust domain of generated and parsed principals. */
export const TRUST_DOMAIN = "cluster.local";

/** Cilium entities that `cluster` covers besides every pod (Cilium docs, "Entities Based"). */
const CLUSTER_ENTITIES = new Set([
  "cluster",
  "host",
  "remote-node",
  "kube-apiserver",
  "health",
  "init",
  "ingress",
]);

/** The mesh identity of a pod: `cluster.local/ns/<ns>/sa/<sa>` (`default` service account when unset). */
export function podPrincipal(namespace: string, serviceAccount: string | undefined): string {
  return `${TRUST_DOMAIN}/ns/${namespace}/sa/${serviceAccount || "default"}`;
}

/**
 * Istio string match (AuthorizationPolicy reference): exact, `prefix*`, `*suffix`, or `*` for any
 * non-empty value.
 */
export function istioStringMatch(pattern: string, value: string): boolean {
  if (pattern === "*") return value !== "";
  if (pattern.endsWith("*")) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith("*")) return value.endsWith(pattern.slice(1));
  return value === pattern;
}

/**
 * Compiles a Cilium `matchPattern`/`matchName` once into a predicate over DNS names
 * (case-insensitive, trailing dot ignored; `*` matches a run of name characters, `*` alone all).
 */
export function compileFqdnPattern(pattern: string): (name: string) => boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\.$/, "");
  const p = norm(pattern);
  if (p === "*") return () => true;
  if (!p.includes("*")) return (name) => norm(name) === p;
  const re = new RegExp(`^${p.split("*").map(escapeRegex).join("[-a-z0-9_]*")}$`);
  return (name) => re.test(norm(name));
}

/** Cilium `matchPattern`/`matchName` against one DNS name (compiles per call: one-off checks only). */
export function fqdnMatch(pattern: string, name: string): boolean {
  return compileFqdnPattern(pattern)(name);
}

/** Escapes a literal for use inside a regular expression. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The world entities of one address family (Cilium labels CIDR identities by family in dual stack). */
const WORLD_FAMILIES: Readonly<Record<string, 4 | 6>> = { "world-ipv4": 4, "world-ipv6": 6 };

/**
 * Does an entity peer match the endpoint? `world` is every address outside the cluster (and the
 * world entities); `world-ipv4` / `world-ipv6` are its IPv4 / IPv6 part (Cilium: `world` selects
 * both families' world identities).
 */
export function entityMatches(entity: string, e: Endpoint): boolean {
  switch (entity) {
    case "all":
      return true;
    case "world":
      return (
        e.kind === "ip" ||
        (e.kind === "entity" && (e.entity === "world" || Object.hasOwn(WORLD_FAMILIES, e.entity)))
      );
    case "world-ipv4":
    case "world-ipv6":
      return (
        (e.kind === "ip" && e.ip.family === WORLD_FAMILIES[entity]) ||
        (e.kind === "entity" && e.entity === entity)
      );
    case "cluster":
      return e.kind === "pod" || (e.kind === "entity" && CLUSTER_ENTITIES.has(e.entity));
    default:
      return e.kind === "entity" && e.entity === entity;
  }
}

/**
 * Compiles the peer kinds that `compilePeer` delegates here; `base` compiles nested peers (so the
 * combinators reuse the core kinds). Returns undefined for kinds the core compiles itself.
 */
export function compileExtraPeer(
  p: Peer,
  base: (p: Peer) => EndpointPredicate,
): EndpointPredicate | undefined {
  switch (p.kind) {
    case "entity":
      return (e) => entityMatches(p.entity, e);
    case "fqdn": {
      const patterns = p.patterns.map(compileFqdnPattern);
      return (e) => e.kind === "ip" && (e.names ?? []).some((n) => patterns.some((m) => m(n)));
    }
    // mTLS-only fields: a pod outside the mesh (no sidecar) presents no identity
    case "principals":
      return (e) =>
        e.kind === "pod" &&
        e.mesh !== false &&
        p.patterns.some((pat) => istioStringMatch(pat, podPrincipal(e.namespace, e.serviceAccount)));
    case "namespaces":
      return (e) =>
        e.kind === "pod" && e.mesh !== false && p.patterns.some((pat) => istioStringMatch(pat, e.namespace));
    case "all-of": {
      const parts = p.peers.map(base);
      return (e) => parts.every((f) => f(e));
    }
    case "none-of": {
      const parts = p.peers.map(base);
      return (e) => !parts.some((f) => f(e));
    }
    default:
      return undefined;
  }
}
