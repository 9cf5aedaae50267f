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
  | "istio-peer-authn"
  | "istio-custom"
  | "istio-deny"
  | "istio-allow"
  | "istio-audit"
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
  /**
   * A reserved entity. Cilium entities (docs "Entities Based"): `world` (every address outside the
   * cluster, and the world entity endpoints), `world-ipv4` / `world-ipv6` (its IPv4 / IPv6
   * addresses), `cluster` (every pod plus host, remote-node,
   * kube-apiserver, health, init, ingress), `host`, `remote-node`, `kube-apiserver`, `health`,
   * `init`, `ingress`, `unmanaged`, and `all` (everything). Any other name matches only the
   * entity endpoint of that name.
   */
  | { kind: "entity"; entity: string }
  /**
   * DNS names (Cilium `toFQDNs`: exact names, or patterns where `*` matches any run of DNS-name
   * characters inside one label and `*` alone matches every name). Matches an address endpoint
   * whose known names match; an address with no known names matches nothing.
   */
  | { kind: "fqdn"; patterns: string[] }
  /**
   * Istio `source.principals`: mesh identities `cluster.local/ns/<ns>/sa/<sa>` as Istio string
   * patterns (exact, `prefix*`, `*suffix`, or `*` = any identity). A principal exists only on
   * mTLS traffic: pods (assumed in the mesh) match by their service account (`default` when
   * unset); addresses and entities never match.
   */
  | { kind: "principals"; patterns: string[] }
  /**
   * Istio `source.namespaces`: the namespace of the peer's mTLS identity, as Istio string
   * patterns. Like principals, an mTLS-only field: addresses and entities never match.
   */
  | { kind: "namespaces"; patterns: string[] }
  /** Matches when every listed peer matches (Istio: fields of one `source`, and `when`, AND). */
  | { kind: "all-of"; peers: Peer[] }
  /**
   * Matches when no listed peer matches (Istio `notPrincipals`/`notNamespaces`/`notIpBlocks`;
   * so `none-of principals` matches plain-text peers, as Istio compares them to an empty value).
   */
  | { kind: "none-of"; peers: Peer[] }
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

/** How a string field of an L7 match compares: a full-match regex (Cilium) or Istio string match. */
export type StringMatchKind = "regex" | "exact" | "prefix" | "suffix";

/**
 * An HTTP match (L7). Fields AND; absent fields match anything.
 * - Cilium `rules.http`: `method` and `path` are extended POSIX regexes that must match the whole
 *   value (Envoy full match); kinds `regex`.
 * - Istio `to.operation`: exact strings, or one `*` as prefix (`/api*` → prefix `/api`) or suffix
 *   (`*.html` → suffix `.html`); `*` alone is written as an absent field.
 * `methodKind`/`pathKind`/`hostKind` default to `exact`.
 */
export interface HttpMatch {
  method?: string;
  methodKind?: StringMatchKind;
  /** A regular expression (Cilium) or Istio path pattern, see `pathKind`. */
  path?: string;
  pathKind?: StringMatchKind;
  /** The request's Host/authority (Istio `hosts`; Cilium `host` regex). Compared case-insensitively. */
  host?: string;
  hostKind?: StringMatchKind;
  /** Requests matching any of these are excluded (Istio `notMethods`, `notPaths`, `notHosts`). */
  except?: HttpMatch[];
}

/** A Cilium `rules.dns` entry: which names the DNS proxy lets the endpoint look up. */
export interface DnsMatch {
  /** An exact name (trailing dot optional). */
  matchName?: string;
  /** A pattern where `*` matches any run of name characters (`*` alone: every name). */
  matchPattern?: string;
}

/**
 * A condition the evaluator cannot decide from a connection (Istio `when` keys other than
 * source.ip, remote.ip, source.namespace, source.principal and destination.port, which the
 * parser turns into peers and ports). Kept so that nothing is silently dropped; the evaluator
 * treats a rule with conditions like an L7-restricted rule (see docs/semantics.md).
 */
export interface RuleCondition {
  key: string;
  values?: string[];
  notValues?: string[];
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
  /** Cilium DNS proxy rules (L7 DNS): the names the subject may query through this rule. */
  dns?: DnsMatch[];
  /** Conditions the evaluator cannot decide (Istio `when` keys it does not model). */
  conditions?: RuleCondition[];
  name?: string;
  origin: RuleOrigin;
  /** For generated rules: the evidence behind them. */
  evidence?: RuleEvidence;
  /** For generated rules: what the reader should know (widened selectors, node addresses …), written as comments. */
  comments?: string[];
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
   * The directions the policy applies in (NetworkPolicy policyTypes; Cilium: the directions it
   * has rules for or enables default deny in). A first-match policy lists the directions it has
   * rules for.
   */
  directions: Direction[];
  /**
   * The directions (among `directions`) for which selecting the subject enables default deny;
   * absent = every direction of `directions`. A policy that applies in a direction without
   * enforcing it adds its allow and deny rules there, but leaves traffic no rule matches to the
   * other policies (Cilium `enableDefaultDeny: {ingress: false}`).
   */
  enforces?: Direction[];
  rules: Rule[];
  origin: PolicyOrigin;
  annotations?: Record<string, string>;
  /** For generated policies: what the reader should know about the subject selector, written as comments. */
  comments?: string[];
  /**
   * Istio PeerAuthentication mode this policy stands for (kind `PeerAuthentication`): STRICT
   * rejects plain-text traffic, expressed as a deny rule for non-mesh peers in the same policy.
   */
  mtls?: "STRICT" | "PERMISSIVE" | "DISABLE" | "UNSET";
}

/** A layer (stage) of the set. */
export interface Layer {
  stage: StageKind;
  combining: Combining;
  policies: Policy[];
  /**
   * The enforcement plane (absent = `network`). Layers of one plane run as one stage machine;
   * different planes are independent enforcement points (the CNI and the Istio sidecar), so a
   * connection must be allowed by every plane.
   */
  plane?: string;
  /** The protocols the layer sees; others pass it with no opinion (Istio sees TCP only). Absent = all. */
  protocols?: Protocol[];
  /**
   * Destination ports the layer never sees (they pass it with no opinion): the Istio sidecar does
   * not intercept inbound connections to its own ports 15020, 15021 and 15090 (istio-iptables
   * returns them before the redirect to Envoy), so no AuthorizationPolicy or mTLS mode applies.
   */
  exemptPorts?: number[];
  /** `audit`: the layer only marks traffic (Istio AUDIT); the evaluator skips it. Absent = enforce. */
  mode?: "enforce" | "audit";
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
