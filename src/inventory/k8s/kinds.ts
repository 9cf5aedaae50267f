/**
 * The Kubernetes kinds the inventory reads, which of them run pods, and which are cluster-scoped.
 */

/** Kinds that own pods (a workload's owner kinds, DESIGN "Names and identities"), plus Pod itself. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "ReplicationController",
  "Job",
  "CronJob",
  "DeploymentConfig",
  "VirtualMachine",
]);

/** Kinds read as-is for the policy parsers and analyses (kept in `Inventory.resources`). */
const POLICY_AND_NETWORK_KINDS = [
  "Namespace",
  "Service",
  "ServiceAccount",
  "Endpoints",
  "EndpointSlice",
  "NetworkPolicy",
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
  "ClusterNetworkPolicy",
  "Ingress",
  "Route",
  "Gateway",
  "HTTPRoute",
  "GRPCRoute",
  "CiliumNetworkPolicy",
  "CiliumClusterwideNetworkPolicy",
  "CiliumCIDRGroup",
  "AuthorizationPolicy",
  "PeerAuthentication",
  "RequestAuthentication",
  "Sidecar",
  "ServiceEntry",
  "VirtualService",
  "DestinationRule",
  "WorkloadEntry",
  "UserDefinedNetwork",
  "ClusterUserDefinedNetwork",
  "NetworkAttachmentDefinition",
  "MultiNetworkPolicy",
  "GlobalNetworkPolicy",
  "VirtualMachineInstance",
] as const;

/** Every kind microseg reads; other kinds are kept in `resources` but reported as not read. */
export const KNOWN_KINDS: ReadonlySet<string> = new Set([...WORKLOAD_KINDS, ...POLICY_AND_NETWORK_KINDS]);

/** Kinds that have no namespace (their objects are not put in `default`). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "Node",
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
  "ClusterNetworkPolicy",
  "CiliumClusterwideNetworkPolicy",
  "CiliumCIDRGroup",
  "ClusterUserDefinedNetwork",
  "GlobalNetworkPolicy",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "IngressClass",
  "PriorityClass",
  "SecurityContextConstraints",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "APIService",
]);

/** Owner kinds that do not make a workload (a static pod's mirror is owned by its Node). */
export const NON_WORKLOAD_OWNER_KINDS: ReadonlySet<string> = new Set(["Node"]);

/** The owner kind a reference stands for: kubevirt's launcher pods belong to the VirtualMachine. */
export function normalOwnerKind(kind: string): string {
  return kind === "VirtualMachineInstance" ? "VirtualMachine" : kind;
}
