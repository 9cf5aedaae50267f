/**
 * Istio security objects as written (security.istio.io/v1 and v1beta1): AuthorizationPolicy and
 * PeerAuthentication, the subset of fields microseg reads and writes.
 */

/** AuthorizationPolicy actions. */
export type IstioAction = "ALLOW" | "DENY" | "AUDIT" | "CUSTOM";

/** `selector` of an Istio object: matchLabels only. */
export interface WorkloadSelector {
  matchLabels?: Record<string, string>;
}

/** `rules[].from[].source`. */
export interface IstioSource {
  principals?: string[];
  notPrincipals?: string[];
  requestPrincipals?: string[];
  notRequestPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
  ipBlocks?: string[];
  notIpBlocks?: string[];
  remoteIpBlocks?: string[];
  notRemoteIpBlocks?: string[];
}

/** `rules[].to[].operation`. */
export interface IstioOperation {
  hosts?: string[];
  notHosts?: string[];
  ports?: string[];
  notPorts?: string[];
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
}

/** `rules[].when[]`. */
export interface IstioCondition {
  key: string;
  values?: string[];
  notValues?: string[];
}

/** One rule: from, to and when AND; each list ORs its entries. */
export interface IstioRule {
  from?: { source: IstioSource }[];
  to?: { operation: IstioOperation }[];
  when?: IstioCondition[];
}

/** AuthorizationPolicy spec. */
export interface AuthorizationPolicySpec {
  selector?: WorkloadSelector;
  action?: IstioAction;
  provider?: { name: string };
  rules?: IstioRule[];
}

/** PeerAuthentication mTLS modes. */
export type MtlsMode = "STRICT" | "PERMISSIVE" | "DISABLE" | "UNSET";

/** PeerAuthentication spec. */
export interface PeerAuthenticationSpec {
  selector?: WorkloadSelector;
  mtls?: { mode?: MtlsMode };
  portLevelMtls?: Record<string, { mode?: MtlsMode }>;
}

/** The API version microseg writes. */
export const ISTIO_SECURITY_API = "security.istio.io/v1";

/** Istio's default root namespace: policies there apply mesh-wide. */
export const DEFAULT_ROOT_NAMESPACE = "istio-system";
