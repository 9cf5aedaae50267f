/**
 * The PolicySet IR: every policy language is parsed into it and emitted from it, and the one
 * evaluator (src/eval) only ever sees it.
 *
 * A PolicySet is an ordered list of layers (stages). Each layer has a combining rule:
 * - `first-match`: rules by policy priority then rule order; the first match decides
 *   (allow / deny final, pass → next layer). AdminNetworkPolicy, BaselineAdminNetworkPolicy,
 *   NSGs, GCP firewall rules.
 * - `union-when-selected`: when any policy selects the endpoint for the direction, allowed iff
 *   some rule allows; otherwise no opinion. NetworkPolicy.
 * - `deny-overrides`: any matching deny denies; else any allow allows; selection enables
 *   default deny. Cilium, Istio.
 * - `union`: allowed iff some rule allows (security groups).
 */
import type { LabelSelector } from "../../model/labels.js";
import type { Protocol } from "../../model/ports.js";

/** Traffic direction relative to the policy's subject. */
export type Direction = "ingress" | "egress";

/** What a rule does when it matches. */
export type RuleAction = "allow" | "deny" | "pass";

/** How a layer combines its rules. */
export type Combining = "first-match" | "union-when-selected" | "deny-overrides" | "union";

/** The stage kinds of DESIGN's pipeline table. */
export type StageKind =
  | "k8s-anp"
  | "k8s-np"
  | "k8s-banp"
  | "cilium"
  | "istio-custom"
  | "istio-deny"
  | "istio-allow"
  | "aws-sg"
  | "azure-nsg"
  | "gcp-fw"
  | "nftables";

/** Which namespaces: by name, by label selector, or all. */
export type NamespaceMatch =
  | { kind: "names"; names: string[] }
  | { kind: "selector"; selector: LabelSelector }
  | { kind: "all" };

/** Which pods a policy applies to. */
export interface SubjectSelector {
  namespaces: NamespaceMatch;
  pods: LabelSelector;
}

/** A peer of a rule. */
export type Peer =
  /** Pods in the matching namespaces whose labels match. */
  | { kind: "pods"; namespaces: NamespaceMatch; pods: LabelSelector }
  /** An address block with excepts (never matches pods, as in netpol-analyzer). */
  | { kind: "ipblock"; cidr: string; except: string[] }
  /** A reserved entity (world, host, kube-apiserver …). */
  | { kind: "entity"; entity: string }
  /** DNS names (exact or `*.` patterns). */
  | { kind: "fqdn"; patterns: string[] }
  /** Every peer: all pods of all namespaces and every address. */
  | { kind: "any" };

/** One port clause: a protocol with a port, a named port, a range, or all its ports. */
export interface PortMatch {
  protocol: Protocol;
  /** Number, or container-port name; absent = every port of the protocol. */
  port?: number | string;
  /** Inclusive end of a numeric range. */
  endPort?: number;
}

/** An HTTP match (L7). Fields AND; absent fields match anything. */
export interface HttpMatch {
  method?: string;
  /** A regular expression (Cilium) or Istio path pattern, see `pathKind`. */
  path?: string;
  pathKind?: "regex" | "exact" | "prefix" | "suffix";
}

/** Where a rule came from, for --explain. */
export interface RuleOrigin {
  policyKind: string;
  policyName: string;
  namespace?: string;
  file?: string;
  line?: number;
  /** The rule's index in its direction's list (0-based), as written. */
  ruleIndex: number;
  direction: Direction;
}

/** Why a generated rule exists: the observed flows behind it, or where it was inferred from. */
export interface RuleEvidence {
  flows?: number;
  firstSeen?: string;
  lastSeen?: string;
  /** For inferred rules: `file:line` places (env values naming a Service …). */
  inferredFrom?: string[];
  /** The map edges (src → dst) behind the rule. */
  edges?: string[];
}

/** One rule of a policy. */
export interface Rule {
  direction: Direction;
  action: RuleAction;
  /** OR of peers; `[{kind:"any"}]` for every peer. An empty list matches nothing. */
  peers: Peer[];
  /** OR of port clauses; "any" for every port of every protocol. */
  ports: PortMatch[] | "any";
  /** L7 restrictions (OR); absent = no L7 restriction. */
  http?: HttpMatch[];
  name?: string;
  origin: RuleOrigin;
  /** For generated rules: the evidence behind them. */
  evidence?: RuleEvidence;
}

/** Where a policy object came from. */
export interface PolicyOrigin {
  file?: string;
  line?: number;
}

/** One policy object. */
export interface Policy {
  /** The source kind (NetworkPolicy, AdminNetworkPolicy, CiliumNetworkPolicy …). */
  kind: string;
  name: string;
  namespace?: string;
  /** Lower number = evaluated first, in first-match layers. */
  priority?: number;
  subject: SubjectSelector;
  /**
   * The directions for which selecting the subject enables enforcement (NetworkPolicy
   * policyTypes). A first-match policy lists the directions it has rules for.
   */
  directions: Direction[];
  rules: Rule[];
  origin: PolicyOrigin;
  annotations?: Record<string, string>;
}

/** A layer (stage) of the set. */
export interface Layer {
  stage: StageKind;
  combining: Combining;
  policies: Policy[];
}

/** An ordered list of layers; what every target parses into and emits from. */
export interface PolicySet {
  /** The target the set came from or is meant for (`k8s`, `cilium` …). */
  target: string;
  layers: Layer[];
}

/** The layers a Kubernetes policy set always has, in evaluation order. */
export function emptyK8sPolicySet(): PolicySet {
  return {
    target: "k8s",
    layers: [
      { stage: "k8s-anp", combining: "first-match", policies: [] },
      { stage: "k8s-np", combining: "union-when-selected", policies: [] },
      { stage: "k8s-banp", combining: "first-match", policies: [] },
    ],
  };
}

/** The layer of a stage, if the set has it. */
export function findLayer(set: PolicySet, stage: StageKind): Layer | undefined {
  return set.layers.find((l) => l.stage === stage);
}
