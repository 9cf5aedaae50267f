/**
 * The generated Kubernetes IR + the map → an Istio IR: per workload unit an ALLOW policy whose
 * rules admit the unit's observed clients by mesh identity (`cluster.local/ns/<ns>/sa/<sa>`) on
 * their TCP ports, with the HTTP methods and paths seen (`to.operation`); a namespace-wide
 * allow-nothing as the default deny; PeerAuthentication STRICT per namespace (PERMISSIVE for units
 * with plain-text clients from outside the mesh). The audit variant writes the ALLOW rules as
 * AUDIT policies and nothing that enforces.
 */

import { podPrincipal } from "../../eval/peers.js";
import { templateToIstioPath } from "../../graph/http-template.js";
import { compileSelector, type Labels } from "../../model/labels.js";
import type { CommunicationMap, Edge, MapWorkload } from "../../model/map.js";
import type { HttpMatch, Layer, Peer, Policy, PolicySet, PortMatch, Rule } from "../ir/types.js";
import {
  type MeshState,
  namespaceLabelsOf,
  namespaceMeshState,
  outsideMeshReason,
  workloadMeshState,
} from "./mesh.js";
import { emptyIstioPolicySet, PLAINTEXT_PEER } from "./parse.js";
import { DEFAULT_ROOT_NAMESPACE } from "./types.js";

/** Options of the Istio synthesis. */
export interface IstioSynthOptions {
  /** Write AUDIT policies only (staged rollout): nothing is enforced. */
  audit?: boolean;
  /** Istio's root namespace (default `istio-system`): policies there would apply mesh-wide, so none are written there. */
  rootNamespace?: string;
}

/** The Istio IR and what the user should know. */
export interface IstioSynthResult {
  set: PolicySet;
  notes: string[];
  /** Namespaces left out (outside the mesh) and clients no principal can admit. */
  warnings: string[];
}

/** What the synthesis knows of mesh membership. */
interface MeshContext {
  /** Namespace → its labels (union over the map's workloads). */
  nsLabels: Map<string, Labels>;
  warnings: string[];
}

function meshStateOf(w: MapWorkload, mesh: MeshContext): MeshState {
  return workloadMeshState({
    labels: w.labels,
    namespaceLabels: mesh.nsLabels.get(w.namespace ?? "default"),
  });
}

/** The principals of the peer's workloads in the mesh; those outside it are returned apart (they have none). */
function principalsOf(
  peer: Extract<Peer, { kind: "pods" }>,
  workloads: MapWorkload[],
  mesh: MeshContext,
): { principals: string[]; outside: MapWorkload[] } {
  if (peer.namespaces.kind !== "names") return { principals: [], outside: [] };
  const names = new Set(peer.namespaces.names);
  const sel = compileSelector(peer.pods);
  const selected = workloads.filter(
    (w) => w.kind === "pod-owner" && names.has(w.namespace ?? "default") && sel(w.labels),
  );
  const outside = selected.filter((w) => meshStateOf(w, mesh) === "out");
  const principals = selected
    .filter((w) => !outside.includes(w))
    .map((w) => podPrincipal(w.namespace ?? "default", w.serviceAccount));
  return { principals: [...new Set(principals)].sort(), outside };
}

/** The HTTP entries of the edges behind a rule; undefined when some edge has no HTTP record. */
function ruleHttp(rule: Rule, edges: Map<string, Edge>, notes: string[]): HttpMatch[] | undefined {
  const keys = rule.evidence?.edges ?? [];
  const entries = new Map<string, HttpMatch>();
  for (const k of keys) {
    const e = edges.get(k);
    if (!e?.http?.length) return undefined;
    for (const h of e.http) {
      const { path, widened } = templateToIstioPath(h.path);
      if (widened)
        notes.push(`${k}: ${h.method} ${h.path} written as Istio path ${path} (no inner wildcard in Istio)`);
      const m: HttpMatch = { method: h.method };
      if (path !== "*") Object.assign(m, istioPathMatch(path));
      entries.set(`${h.method} ${path}`, m);
    }
  }
  if (entries.size === 0) return undefined;
  return [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, m]) => m);
}

function istioPathMatch(path: string): Pick<HttpMatch, "path" | "pathKind"> {
  if (path.endsWith("*")) return { path: path.slice(0, -1), pathKind: "prefix" };
  if (path.startsWith("*")) return { path: path.slice(1), pathKind: "suffix" };
  return { path, pathKind: "exact" };
}

/** TCP ports of a rule, named ports resolved against the subject's container ports (Istio ports are numbers). */
function tcpPorts(
  ports: Rule["ports"],
  subject: Policy,
  workloads: MapWorkload[],
): PortMatch[] | "any" | undefined {
  if (ports === "any") return "any";
  const sel = compileSelector(subject.subject.pods);
  const members = workloads.filter((w) => (w.namespace ?? "default") === subject.namespace && sel(w.labels));
  const out = new Map<string, PortMatch>();
  for (const p of ports) {
    if (p.protocol !== "TCP") continue;
    if (typeof p.port !== "string") {
      out.set(`${p.port}-${p.endPort}`, { ...p });
      continue;
    }
    for (const w of members)
      for (const cp of w.ports ?? [])
        if (cp.name === p.port && cp.protocol === "TCP")
          out.set(`${cp.port}-`, { protocol: "TCP", port: cp.port });
  }
  const list = [...out.values()].sort((a, b) => Number(a.port ?? 0) - Number(b.port ?? 0));
  return list.length ? list : undefined;
}

function meshPeers(
  rule: Rule,
  workloads: MapWorkload[],
  notes: string[],
  mesh: MeshContext,
): { peers: Peer[]; plaintext: boolean } {
  const peers: Peer[] = [];
  let plaintext = false;
  for (const p of rule.peers) {
    if (p.kind === "pods") {
      const { principals, outside } = principalsOf(p, workloads, mesh);
      for (const w of outside)
        mesh.warnings.push(
          `${rule.origin.namespace}/${rule.origin.policyName}: client ${w.id} is outside the mesh (${outsideMeshReason(mesh.nsLabels.get(w.namespace ?? "default"))}): it presents no mTLS identity, so no principal can admit it and STRICT mTLS rejects its plain-text requests`,
        );
      if (principals.length) peers.push({ kind: "principals", patterns: principals });
      else if (!outside.length)
        notes.push(
          `${rule.origin.policyName}: peer ${JSON.stringify(p.pods)} matches no workload with a known identity`,
        );
    } else if (p.kind === "ipblock") {
      peers.push(p);
      plaintext = true;
    } else if (p.kind === "any") {
      peers.push(p);
      plaintext = true;
    }
  }
  return { peers, plaintext };
}

function namespacePolicies(ns: string, strict: boolean): { allowNothing: Policy; peerAuth: Policy } {
  const subject = { namespaces: { kind: "names" as const, names: [ns] }, pods: {} };
  const origin = {
    policyKind: "PeerAuthentication",
    policyName: "default",
    namespace: ns,
    ruleIndex: 0,
    direction: "ingress" as const,
  };
  return {
    allowNothing: {
      kind: "AuthorizationPolicy",
      name: "allow-nothing",
      namespace: ns,
      subject,
      directions: ["ingress"],
      rules: [],
      origin: {},
    },
    peerAuth: {
      kind: "PeerAuthentication",
      name: "default",
      namespace: ns,
      priority: 1,
      subject,
      directions: ["ingress"],
      // STRICT denies plain text; PERMISSIVE passes it on (past less specific PeerAuthentications)
      rules: [
        {
          direction: "ingress",
          action: strict ? "deny" : "pass",
          peers: [PLAINTEXT_PEER],
          ports: "any",
          origin,
        },
      ],
      origin: {},
      mtls: strict ? "STRICT" : "PERMISSIVE",
    },
  };
}

/** Builds the Istio IR from the generated Kubernetes IR and the (L7-capped) map. */
export function synthesizeIstio(
  k8s: PolicySet,
  map: CommunicationMap,
  opts: IstioSynthOptions = {},
): IstioSynthResult {
  const notes: string[] = [];
  const mesh: MeshContext = { nsLabels: namespaceLabelsOf(map.workloads), warnings: [] };
  const unknown = new Set<string>();
  const set = emptyIstioPolicySet();
  const layer = (stage: Layer["stage"]) => set.layers.find((l) => l.stage === stage)!;
  const edges = new Map(map.edges.map((e) => [`${e.src} -> ${e.dst}`, e]));
  const np = k8s.layers.find((l) => l.stage === "k8s-np")?.policies ?? [];
  const namespaces = new Set<string>();
  const permissive: Policy[] = [];
  const root = opts.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  for (const p of np) {
    if (!p.namespace) continue;
    if (p.namespace === root) {
      notes.push(
        `${root}/${p.name}: no Istio policy written in the root namespace ${root} (it would apply mesh-wide)`,
      );
      continue;
    }
    const state = namespaceMeshState(mesh.nsLabels.get(p.namespace));
    if (state === "out") {
      mesh.warnings.push(
        `namespace ${p.namespace} is not in the mesh (${outsideMeshReason(mesh.nsLabels.get(p.namespace))}): no Istio policy written for it (its pods have no sidecar to enforce them, and STRICT mTLS would reject their plain-text traffic)`,
      );
      continue;
    }
    if (state === "unknown") unknown.add(p.namespace);
    namespaces.add(p.namespace);
    if (p.name === "default-deny" || p.name === "allow-dns-egress") continue;
    const rules: Rule[] = [];
    let plaintext = false;
    for (const r of p.rules.filter((x) => x.direction === "ingress")) {
      const ports = tcpPorts(r.ports, p, map.workloads);
      if (!ports) continue; // UDP/SCTP only: the sidecar does not see it
      const found = meshPeers(r, map.workloads, notes, mesh);
      plaintext ||= found.plaintext;
      if (!found.peers.length) continue;
      const http = ruleHttp(r, edges, notes);
      rules.push({
        direction: "ingress",
        action: "allow",
        peers: found.peers,
        ports,
        ...(http ? { http } : {}),
        origin: { ...r.origin, policyKind: "AuthorizationPolicy", ruleIndex: rules.length },
        ...(r.evidence ? { evidence: r.evidence } : {}),
      });
    }
    const policy: Policy = {
      kind: "AuthorizationPolicy",
      name: p.name,
      namespace: p.namespace,
      subject: p.subject,
      directions: ["ingress"],
      rules,
      origin: {},
      ...(p.comments ? { comments: [...p.comments] } : {}),
    };
    layer(opts.audit ? "istio-audit" : "istio-allow").policies.push(policy);
    if (plaintext) {
      notes.push(
        `${p.namespace}/${p.name}: has clients outside the mesh; its PeerAuthentication stays PERMISSIVE`,
      );
      permissive.push({
        ...namespacePolicies(p.namespace, false).peerAuth,
        name: p.name,
        subject: p.subject,
        priority: 0,
      });
    }
  }
  if (!opts.audit) {
    for (const ns of [...namespaces].sort()) {
      const { allowNothing, peerAuth } = namespacePolicies(ns, true);
      layer("istio-allow").policies.push(allowNothing);
      layer("istio-peer-authn").policies.push(peerAuth);
    }
    layer("istio-peer-authn").policies.push(...permissive);
  }
  const key = (p: Policy) => `${p.namespace ?? ""}/${p.name}`;
  for (const l of set.layers) l.policies.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (unknown.size)
    notes.push(
      `the data has no namespace labels for ${[...unknown].sort().join(", ")}: assumed in the Istio mesh (label them istio-injection=enabled or istio.io/rev, or give their Namespace objects to \`microseg discover --inventory\`)`,
    );
  return { set, notes: [...new Set(notes)].sort(), warnings: [...new Set(mesh.warnings)].sort() };
}
