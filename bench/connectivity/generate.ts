/**
 * A seeded generator of Kubernetes clusters for the connectivity benchmark: namespaces with
 * team/env labels, workloads with app/tier/team/version labels and named container ports, and
 * policies with the selector mixes real clusters use (per-namespace default deny, tier-to-tier
 * allows on named ports, namespace selectors for monitoring and shared services, ipBlocks with
 * excepts, DNS egress), plus a few AdminNetworkPolicies and a BaselineAdminNetworkPolicy.
 *
 * Every workload is its own Deployment with one pod (no replicas collapse into one workload), the
 * hardest case for the analysis. The same seed always yields the same cluster.
 */
import type { Labels } from "../../src/model/labels.js";
import type { ContainerPort, Workload } from "../../src/model/workload.js";
import { prng } from "../prng.js";

/** The size of a generated cluster. */
export interface ClusterSize {
  pods: number;
  namespaces: number;
  /** NetworkPolicies + AdminNetworkPolicies + the BaselineAdminNetworkPolicy. */
  policies: number;
}

/** A generated cluster: workloads, namespace labels, and raw policy objects as a user writes them. */
export interface GeneratedCluster {
  size: ClusterSize;
  workloads: Workload[];
  namespaces: Map<string, Labels>;
  /** NetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy objects (API shape). */
  policies: Record<string, unknown>[];
}

interface AppKind {
  app: string;
  tier: "web" | "api" | "data" | "ops";
  ports: ContainerPort[];
}

const METRICS: ContainerPort = { name: "metrics", port: 9090, protocol: "TCP" };
const HTTP: ContainerPort = { name: "http", port: 8080, protocol: "TCP" };
const GRPC: ContainerPort = { name: "grpc", port: 9000, protocol: "TCP" };

const APPS: AppKind[] = [
  { app: "frontend", tier: "web", ports: [HTTP, METRICS] },
  { app: "gateway", tier: "web", ports: [{ name: "https", port: 8443, protocol: "TCP" }, METRICS] },
  { app: "api", tier: "api", ports: [HTTP, GRPC, METRICS] },
  { app: "auth", tier: "api", ports: [GRPC, METRICS] },
  { app: "orders", tier: "api", ports: [HTTP, GRPC] },
  { app: "catalog", tier: "api", ports: [HTTP] },
  { app: "search", tier: "api", ports: [HTTP, METRICS] },
  { app: "postgres", tier: "data", ports: [{ name: "pg", port: 5432, protocol: "TCP" }, METRICS] },
  { app: "redis", tier: "data", ports: [{ name: "redis", port: 6379, protocol: "TCP" }] },
  { app: "kafka", tier: "data", ports: [{ name: "kafka", port: 9092, protocol: "TCP" }] },
  { app: "worker", tier: "ops", ports: [METRICS] },
  { app: "dns-cache", tier: "ops", ports: [{ name: "dns", port: 53, protocol: "UDP" }, METRICS] },
];

const ENVS = ["prod", "staging", "dev"];
const TEAMS = 25;

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}

function namespaceName(i: number): string {
  return `ns-${String(i).padStart(4, "0")}`;
}

function makeNamespaces(rnd: () => number, n: number): Map<string, Labels> {
  const out = new Map<string, Labels>();
  for (let i = 0; i < n; i++) {
    const name = namespaceName(i);
    const labels: Record<string, string> = {
      "kubernetes.io/metadata.name": name,
      team: `team-${i % TEAMS}`,
      env: pick(rnd, ENVS),
    };
    if (rnd() < 0.15) labels.monitoring = "enabled";
    out.set(name, labels);
  }
  return out;
}

function makeWorkloads(rnd: () => number, size: ClusterSize, namespaces: Map<string, Labels>): Workload[] {
  const names = [...namespaces.keys()];
  const out: Workload[] = [];
  for (let i = 0; i < size.pods; i++) {
    const ns = names[i % names.length];
    const kind = pick(rnd, APPS);
    const labels: Record<string, string> = {
      app: kind.app,
      tier: kind.tier,
      team: namespaces.get(ns)!.team,
      version: pick(rnd, ["v1", "v1", "v2", "v3"]),
    };
    if (rnd() < 0.1) labels.canary = "true";
    const name = `${kind.app}-${i}`;
    out.push({
      id: `${ns}/${name}`,
      kind: "pod-owner",
      ownerKind: "Deployment",
      namespace: ns,
      name,
      labels,
      namespaceLabels: namespaces.get(ns)!,
      ports: kind.ports.map((p) => ({ ...p })),
    });
  }
  return out;
}

const sel = (matchLabels: Record<string, string>) => ({ matchLabels });

/** The NetworkPolicy templates, each a function of the namespace and the PRNG. */
const NP_TEMPLATES: ((ns: string, labels: Labels, rnd: () => number) => Record<string, unknown>)[] = [
  // default deny ingress
  () => ({ podSelector: {}, policyTypes: ["Ingress"] }),
  // default deny both ways, DNS allowed out to the kube-system DNS pods
  () => ({
    podSelector: {},
    policyTypes: ["Ingress", "Egress"],
    egress: [
      {
        to: [
          {
            namespaceSelector: sel({ "kubernetes.io/metadata.name": "ns-0000" }),
            podSelector: sel({ app: "dns-cache" }),
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ],
  }),
  // web tier → api tier on the named port
  () => ({
    podSelector: sel({ tier: "api" }),
    ingress: [{ from: [{ podSelector: sel({ tier: "web" }) }], ports: [{ port: "http" }, { port: "grpc" }] }],
  }),
  // api tier → data tier, versions by expression
  (_ns, _l, rnd) => ({
    podSelector: sel({ tier: "data" }),
    ingress: [
      {
        from: [
          {
            podSelector: {
              matchLabels: { tier: "api" },
              matchExpressions: [
                { key: "version", operator: "In", values: rnd() < 0.5 ? ["v1", "v2"] : ["v1"] },
              ],
            },
          },
        ],
        ports: [{ port: 5432 }, { port: 6379 }, { port: "kafka" }],
      },
    ],
  }),
  // monitoring namespaces scrape metrics
  () => ({
    podSelector: { matchExpressions: [{ key: "canary", operator: "DoesNotExist" }] },
    ingress: [
      { from: [{ namespaceSelector: sel({ monitoring: "enabled" }) }], ports: [{ port: "metrics" }] },
    ],
  }),
  // same team's namespaces reach the web tier; the office network too
  (_ns, labels) => ({
    podSelector: sel({ tier: "web" }),
    ingress: [
      {
        from: [
          { namespaceSelector: sel({ team: labels.team }) },
          { ipBlock: { cidr: "10.0.0.0/8", except: ["10.128.0.0/9"] } },
        ],
        ports: [{ port: 8080 }, { port: 8443 }],
      },
    ],
  }),
  // egress to the internet on 443 except private ranges, and to this team's api pods
  (_ns, labels) => ({
    podSelector: sel({ tier: "api" }),
    policyTypes: ["Egress"],
    egress: [
      {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }],
        ports: [{ port: 443 }],
      },
      {
        to: [{ namespaceSelector: sel({ team: labels.team }), podSelector: sel({ tier: "api" }) }],
        ports: [{ port: 8000, endPort: 9100 }],
      },
    ],
  }),
  // a per-app allow from a named app in a given env
  (_ns, _l, rnd) => ({
    podSelector: sel({ app: pick(rnd, APPS).app }),
    ingress: [
      {
        from: [
          {
            namespaceSelector: sel({ env: pick(rnd, ENVS) }),
            podSelector: sel({ app: pick(rnd, APPS).app }),
          },
        ],
      },
    ],
  }),
];

function makeNetworkPolicies(rnd: () => number, count: number, namespaces: Map<string, Labels>) {
  const names = [...namespaces.keys()];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const ns = names[i % names.length];
    // the first policy of most namespaces is a default deny; then a mix of the others
    const t =
      i < names.length
        ? rnd() < 0.8
          ? Math.floor(rnd() * 2)
          : 2 + Math.floor(rnd() * 6)
        : 2 + Math.floor(rnd() * 6);
    out.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `np-${i}`, namespace: ns },
      spec: NP_TEMPLATES[t](ns, namespaces.get(ns)!, rnd),
    });
  }
  return out;
}

function makeAdminPolicies(count: number): Record<string, unknown>[] {
  const anp = (name: string, priority: number, spec: Record<string, unknown>) => ({
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "AdminNetworkPolicy",
    metadata: { name },
    spec: { priority, ...spec },
  });
  const templates = [
    (i: number) =>
      anp(`deny-dev-to-prod-${i}`, 10 + i, {
        subject: { namespaces: sel({ env: "prod", team: `team-${i % TEAMS}` }) },
        ingress: [{ action: "Deny", from: [{ namespaces: sel({ env: "dev" }) }] }],
      }),
    (i: number) =>
      anp(`allow-monitoring-${i}`, 20 + i, {
        subject: {
          namespaces: { matchExpressions: [{ key: "team", operator: "In", values: [`team-${i % TEAMS}`] }] },
        },
        ingress: [
          {
            action: "Allow",
            from: [{ namespaces: sel({ monitoring: "enabled" }) }],
            ports: [{ namedPort: "metrics" }],
          },
        ],
      }),
    (i: number) =>
      anp(`pass-team-${i}`, 30 + i, {
        subject: { pods: { namespaceSelector: sel({ team: `team-${i % TEAMS}` }), podSelector: {} } },
        ingress: [{ action: "Pass", from: [{ namespaces: sel({ team: `team-${i % TEAMS}` }) }] }],
        egress: [
          { action: "Deny", to: [{ networks: ["169.254.169.254/32"] }] },
          {
            action: "Pass",
            to: [{ pods: { namespaceSelector: {}, podSelector: sel({ tier: "data" }) } }],
            ports: [{ portRange: { start: 5000, end: 7000 } }],
          },
        ],
      }),
  ];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) out.push(templates[i % templates.length](i));
  out.push({
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "BaselineAdminNetworkPolicy",
    metadata: { name: "default" },
    spec: {
      subject: { namespaces: sel({ env: "prod" }) },
      ingress: [
        {
          action: "Deny",
          from: [{ namespaces: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] } }],
        },
      ],
    },
  });
  return out;
}

/** Generates a cluster of the given size from a seed. */
export function generateCluster(size: ClusterSize, seed = 1): GeneratedCluster {
  const rnd = prng(seed);
  const namespaces = makeNamespaces(rnd, size.namespaces);
  const workloads = makeWorkloads(rnd, size, namespaces);
  const admins = Math.max(2, Math.round(size.policies / 200));
  const policies = [
    ...makeNetworkPolicies(rnd, size.policies - admins - 1, namespaces),
    ...makeAdminPolicies(admins),
  ];
  return { size, workloads, namespaces, policies };
}
