/**
 * Identity resolution (pure): flow endpoints → workload ids (DESIGN "Names and identities") and
 * the Workload records behind them.
 *
 * Sources of truth, in order: the flow's own identity (Hubble pod / workload names), the
 * Inventory (by id, by address binding valid at the flow's time, by namespace + labels), and what
 * the flows themselves teach: addresses of pods that flows name, and the label sets of those pods.
 *
 * Learning needs the whole input, so the resolver is used either in two passes (`learn` every
 * flow, `endLearning()`, then resolve: exact and time-bounded) or in one pass with deferred
 * resolution: aggregate by `provisionalKey` while learning, resolve each key once at the end
 * with the first time it was seen (a reused pod IP is then resolved with the binding of that time).
 */
import type { AddressBinding, Inventory } from "../inventory/types.js";
import type { Flow, FlowEndpoint, SourceIdentity } from "../model/flow.js";
import { stableLabels } from "../model/labels.js";
import { cidrId, entityId, ownerNameFromPodName, type Workload, workloadId } from "../model/workload.js";
import { indexBindings, inventoryAddressAt, LearnedAddressBook } from "./address-book.js";
import { type LabelCandidate, labelName, labelsCompatible, matchByLabels, mergeWorkloads } from "./match.js";

/** How an endpoint was resolved (summaries count these). */
export type ResolutionVia =
  | "flow"
  | "inventory"
  | "inventory-address"
  | "learned-address"
  | "labels"
  | "label-name"
  | "entity"
  | "address"
  | "unknown";

/** The resolved id of an endpoint and how it was found. */
export interface Resolution {
  id: string;
  via: ResolutionVia;
}

/** Resolutions that name no known workload (counted as unresolved endpoints). */
export const UNRESOLVED_VIA: readonly ResolutionVia[] = ["label-name", "unknown"];

/** Options for the resolver. */
export interface ResolverOptions {
  inventory?: Pick<Inventory, "workloads" | "namespaces" | "bindings">;
}

/** A workload assembled from what flows say about its pods. */
interface Draft {
  namespace: string;
  name: string;
  ownerKind?: string;
  /** Labels common to every labelled sighting. */
  labels?: Record<string, string>;
  namespaceLabels: Record<string, string>;
  serviceAccount?: string;
  addresses: Set<string>;
  /** True when made up from labels only (no pod ever named it). */
  guessed: boolean;
}

/** Entities whose addresses are nodes, never a pod's own. */
const NODE_ENTITIES = new Set(["host", "remote-node", "kube-apiserver"]);

function ns(identity: SourceIdentity): string {
  return identity.namespace || "default";
}

/** The identity when it names its pod or workload, else undefined. */
function podIdentity(identity: SourceIdentity | undefined): SourceIdentity | undefined {
  return identity && (identity.workloadName || identity.podName) ? identity : undefined;
}

/** A `/32` (IPv4) or `/128` (IPv6) address peer id. */
export function hostCidrId(ip: string): string {
  return cidrId(`${ip}/${ip.includes(":") ? 128 : 32}`);
}

/** Resolves flow endpoints to workload ids; learns from flows; builds the Workload records. */
export class IdentityResolver {
  private readonly inventory = new Map<string, Workload>();
  private readonly namespaces: ReadonlyMap<string, Record<string, string>>;
  private readonly bindings: ReadonlyMap<string, readonly AddressBinding[]>;
  private readonly learned = new LearnedAddressBook();
  private readonly drafts = new Map<string, Draft>();
  /** Addresses seen for the `host` entity (the nodes): NetworkPolicy egress to a node needs them. */
  private readonly hostAddresses = new Set<string>();
  private learning = true;

  constructor(opts: ResolverOptions = {}) {
    for (const w of opts.inventory?.workloads ?? []) this.inventory.set(w.id, w);
    this.namespaces = opts.inventory?.namespaces ?? new Map();
    this.bindings = indexBindings(opts.inventory?.bindings ?? []);
  }

  /** Learns from one flow: workloads of named pods, their labels and addresses (no-op after endLearning). */
  learn(flow: Flow): void {
    if (!this.learning) return;
    this.learnEndpoint(flow.src, flow.time);
    this.learnEndpoint(flow.dst, flow.time);
  }

  /** Ends learning: from now on `provisionalKey` is the exact resolved id. */
  endLearning(): void {
    this.learning = false;
  }

  /** Resolves one endpoint at a time (epoch ms). */
  resolve(ep: FlowEndpoint, time?: number): Resolution {
    const identity = ep.identity;
    const pod = podIdentity(identity);
    if (pod) return this.resolvePod(pod, ep.ip, time);
    const entity = identity?.entity;
    if (entity && entity !== "world") return { id: entityId(entity), via: "entity" };
    const byAddress = ep.ip ? this.resolveAddress(ep.ip, time, identity) : undefined;
    if (byAddress) return byAddress;
    if (identity?.labels && !entity) {
      const byLabels = this.resolveLabels(identity);
      if (byLabels) return byLabels;
    }
    if (entity === "world")
      return ep.ip ? { id: hostCidrId(ep.ip), via: "address" } : { id: entityId("world"), via: "entity" };
    if (!identity?.labels && !identity?.namespace && ep.ip) return { id: hostCidrId(ep.ip), via: "address" };
    return { id: entityId("unknown"), via: "unknown" };
  }

  /**
   * A key under which flows can be aggregated before resolution: equal keys resolve to the same
   * id. Endpoints that do not depend on learning (named pods, entities) get their final id.
   */
  provisionalKey(ep: FlowEndpoint, time?: number): string {
    const identity = ep.identity;
    if (!this.learning || podIdentity(identity) || (identity?.entity && identity.entity !== "world")) {
      return `id:${this.resolve(ep, time).id}`;
    }
    const inv = ep.ip ? inventoryAddressAt(this.bindings, ep.ip, time) : undefined;
    return `ep:${JSON.stringify([ep.ip ?? "", inv ?? "", identity?.namespace ?? "", identity?.entity ?? "", identity?.serviceAccount ?? "", identity?.labels ?? {}])}`;
  }

  /** The Workload record for a resolved id (entities and address peers included). */
  workload(id: string): Workload {
    if (id === "entity:host" && this.hostAddresses.size > 0)
      return { id, kind: "entity", name: "host", labels: {}, addresses: [...this.hostAddresses].sort() };
    if (id.startsWith("entity:")) return { id, kind: "entity", name: id.slice(7), labels: {} };
    if (id.startsWith("cidr:")) {
      const cidr = id.slice(5);
      return { id, kind: "external", name: cidr, labels: {}, addresses: [cidr.replace(/\/\d+$/, "")] };
    }
    const draft = this.drafts.get(id);
    const fromFlows = draft ? this.draftWorkload(id, draft) : undefined;
    const inv = this.inventory.get(id);
    if (inv && fromFlows) return mergeWorkloads(inv, fromFlows);
    if (inv) return inv;
    if (fromFlows) return fromFlows;
    const slash = id.indexOf("/");
    return { id, kind: "pod-owner", namespace: id.slice(0, slash), name: id.slice(slash + 1), labels: {} };
  }

  private podId(identity: SourceIdentity): { id: string; ownerKind?: string } {
    if (identity.workloadName) {
      return { id: workloadId(ns(identity), identity.workloadName), ownerKind: identity.workloadKind };
    }
    const owner = ownerNameFromPodName(identity.podName!);
    return { id: workloadId(ns(identity), owner.name), ownerKind: owner.ownerKind };
  }

  /** A named pod: the flow's own name, unless the inventory binds its address to another workload. */
  private resolvePod(identity: SourceIdentity, ip: string | undefined, time: number | undefined): Resolution {
    const { id } = this.podId(identity);
    if (this.inventory.has(id)) return { id, via: "inventory" };
    const bound = ip ? inventoryAddressAt(this.bindings, ip, time) : undefined;
    if (bound && this.inventory.get(bound)?.namespace === ns(identity))
      return { id: bound, via: "inventory-address" };
    return { id, via: "flow" };
  }

  /** By address: inventory binding, then learned binding; either must agree with the endpoint's labels. */
  private resolveAddress(
    ip: string,
    time: number | undefined,
    identity?: SourceIdentity,
  ): Resolution | undefined {
    const inv = inventoryAddressAt(this.bindings, ip, time);
    if (inv && this.fits(inv, identity)) return { id: inv, via: "inventory-address" };
    const learned = this.learned.lookup(ip, time);
    if (learned && this.fits(learned, identity)) return { id: learned, via: "learned-address" };
    return undefined;
  }

  /** True when the workload could be the endpoint (no labels or namespace on the endpoint, or they agree). */
  private fits(id: string, identity: SourceIdentity | undefined): boolean {
    if (!identity || identity.entity === "world") return !identity?.labels;
    return labelsCompatible(this.candidate(id), identity);
  }

  private resolveLabels(identity: SourceIdentity): Resolution | undefined {
    const namespace = ns(identity);
    const inv = matchByLabels(
      [...this.inventory.values()].filter((w) => w.namespace === namespace).map((w) => this.candidate(w.id)),
      identity,
    );
    if (inv) return { id: inv, via: "labels" };
    const learned = matchByLabels(
      [...this.drafts.entries()]
        .filter(([, d]) => !d.guessed && d.namespace === namespace)
        .map(([id]) => this.candidate(id)),
      identity,
    );
    if (learned) return { id: learned, via: "labels" };
    const name = labelName(identity.labels ?? {});
    if (!name) return undefined;
    const id = workloadId(namespace, name);
    if (!this.drafts.has(id) && !this.inventory.has(id)) this.addDraft(id, identity, undefined, true);
    return { id, via: "label-name" };
  }

  private candidate(id: string): LabelCandidate {
    const inv = this.inventory.get(id);
    if (inv) return { id, namespace: inv.namespace, labels: inv.labels, serviceAccount: inv.serviceAccount };
    const d = this.drafts.get(id);
    return { id, namespace: d?.namespace, labels: d?.labels ?? {}, serviceAccount: d?.serviceAccount };
  }

  private learnEndpoint(ep: FlowEndpoint, time: number | undefined): void {
    if (ep.ip && ep.identity?.entity === "host" && !podIdentity(ep.identity)) this.hostAddresses.add(ep.ip);
    const identity = podIdentity(ep.identity);
    if (!identity) return;
    const { id } = this.resolvePod(identity, ep.ip, time);
    this.addDraft(id, identity, ep.ip, false);
    if (ep.ip && !NODE_ENTITIES.has(identity.entity ?? "")) this.learned.add(ep.ip, id, time);
  }

  private addDraft(id: string, identity: SourceIdentity, ip: string | undefined, guessed: boolean): void {
    let d = this.drafts.get(id);
    if (!d) {
      const slash = id.indexOf("/");
      d = {
        namespace: id.slice(0, slash),
        name: id.slice(slash + 1),
        namespaceLabels: {},
        addresses: new Set(),
        guessed,
      };
      this.drafts.set(id, d);
    }
    if (d.guessed && !guessed) d.guessed = false;
    if (!d.ownerKind)
      d.ownerKind = identity.workloadName
        ? identity.workloadKind
        : identity.podName
          ? this.podId(identity).ownerKind
          : undefined;
    if (identity.labels && Object.keys(identity.labels).length > 0) {
      const labels = stableLabels(identity.labels);
      d.labels = d.labels ? intersect(d.labels, labels) : labels;
    }
    Object.assign(d.namespaceLabels, identity.namespaceLabels ?? {});
    if (identity.serviceAccount && !d.serviceAccount) d.serviceAccount = identity.serviceAccount;
    if (ip && !NODE_ENTITIES.has(identity.entity ?? "")) d.addresses.add(ip);
  }

  private draftWorkload(id: string, d: Draft): Workload {
    const w: Workload = {
      id,
      kind: "pod-owner",
      namespace: d.namespace,
      name: d.name,
      labels: d.labels ?? {},
      namespaceLabels: sorted({
        ...d.namespaceLabels,
        ...(this.namespaces.get(d.namespace) ?? {}),
        "kubernetes.io/metadata.name": d.namespace,
      }),
    };
    if (d.ownerKind) w.ownerKind = d.ownerKind;
    if (d.serviceAccount) w.serviceAccount = d.serviceAccount;
    if (d.addresses.size > 0) w.addresses = [...d.addresses].sort();
    w.source = d.guessed ? "flows (labels only)" : "flows";
    return w;
  }
}

function intersect(a: Record<string, string>, b: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) if (b[k] === v) out[k] = v;
  return out;
}

function sorted(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}
