/**
 * What inventory sources produce: resources with their locations, workloads, namespaces and the
 * address bindings that identity resolution uses.
 */
import type { Location, Problem } from "../model/problems.js";
import type { Workload } from "../model/workload.js";

/** A Kubernetes object as read from a file, with where it starts. */
export interface K8sResource {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean; apiVersion?: string }[];
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
  /** The whole object as parsed. */
  raw: Record<string, unknown>;
  location: Location;
  /**
   * The 1-based line of a path inside `raw` (e.g. `["spec", "ingress", 0]`), for problems that
   * point inside the object. Present for resources read from files.
   */
  lineAt?: (path: readonly (string | number)[]) => number | undefined;
}

/** An address bound to a workload for an interval (times in epoch ms; open ends undefined). */
export interface AddressBinding {
  ip: string;
  workloadId: string;
  from?: number;
  to?: number;
  /** Where the binding was learned (`file:line`, `hubble`). */
  source: string;
}

/** Everything inventory sources yield. */
export interface Inventory {
  /** Workloads by id, sorted by id. */
  workloads: Workload[];
  /** Namespace name → labels (with `kubernetes.io/metadata.name`). */
  namespaces: Map<string, Record<string, string>>;
  /** All resources read, in input order (policies are taken from here by the policy parsers). */
  resources: K8sResource[];
  /** Address → workload bindings (pod IPs). */
  bindings: AddressBinding[];
  /** The files read. */
  files: string[];
  problems: Problem[];
  /**
   * The objects behind each workload, by workload id: its owner and intermediate controllers (input
   * order), then its pods (by name). Static discovery reads container env from here.
   */
  workloadResources?: Map<string, K8sResource[]>;
}
