/**
 * Zone heuristics for workloads no configured selector places: exposed to outside → public;
 * database, cache or queue images or ports → data; monitoring, logging or CI namespaces →
 * management; the cluster's own namespaces → infrastructure; the rest → application.
 */
import type { MapWorkload } from "../model/map.js";

/** A zone with the reason it was chosen. */
export interface ZoneGuess {
  zone: string;
  reason: string;
}

/** Well-known ports of databases, caches and queues, with what listens there. */
export const DATA_PORTS: ReadonlyMap<number, string> = new Map([
  [1433, "SQL Server"],
  [1521, "Oracle"],
  [2181, "ZooKeeper"],
  [3306, "MySQL"],
  [4222, "NATS"],
  [5432, "PostgreSQL"],
  [5672, "AMQP"],
  [5984, "CouchDB"],
  [6379, "Redis"],
  [8086, "InfluxDB"],
  [9042, "Cassandra"],
  [9092, "Kafka"],
  [9200, "Elasticsearch"],
  [11211, "Memcached"],
  [26257, "CockroachDB"],
  [27017, "MongoDB"],
  [28015, "RethinkDB"],
]);

/** Image name fragments of databases, caches and queues. */
const DATA_IMAGE =
  /(^|[/_-])(postgres(ql)?|mysql|mariadb|redis|valkey|keydb|memcached|mongo(db)?|cassandra|scylla|couchdb|couchbase|elasticsearch|opensearch|kafka|zookeeper|rabbitmq|nats|etcd|cockroach(db)?|influxdb|clickhouse|neo4j|minio|pulsar|activemq|mssql|oracle-db)([:@/_-]|$)/i;

/** Namespace names of monitoring, logging and CI tools. */
const MANAGEMENT_NAMESPACE =
  /^(monitoring|observability|logging|logs|prometheus|grafana|loki|tempo|jaeger|elastic-system|kube-prometheus|datadog|newrelic|ci|cicd|ci-cd|jenkins|tekton(-pipelines)?|argocd|argo|flux-system|gitlab(-runner)?|cert-manager|vault|bastion|management|mgmt|ops|tools?)$/i;

/** The cluster's own namespaces. */
const INFRASTRUCTURE_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease"]);

/** Why a workload counts as exposed to the outside (by id): Services, Ingress, observed traffic. */
export type Exposures = ReadonlyMap<string, string[]>;

/** The exposure a workload's own Services give it (LoadBalancer, NodePort). */
export function serviceExposure(w: Pick<MapWorkload, "services">): string[] {
  return (w.services ?? [])
    .filter((s) => s.type === "LoadBalancer" || s.type === "NodePort")
    .map((s) => `Service ${s.namespace}/${s.name} is ${s.type}`);
}

function dataEvidence(w: MapWorkload): string | undefined {
  const image = (w.images ?? []).find(
    (i) => !/exporter/i.test(i) && DATA_IMAGE.test(i.replace(/^.*\//, "/")),
  );
  if (image) return `image ${image} is a database, cache or queue`;
  const ports = [
    ...(w.ports ?? []).map((p) => p.port),
    ...(w.services ?? []).flatMap((s) => s.ports.map((p) => p.port)),
  ];
  const hit = [...new Set(ports)].sort((a, b) => a - b).find((p) => DATA_PORTS.has(p));
  if (hit !== undefined) return `listens on ${hit} (${DATA_PORTS.get(hit)})`;
  return undefined;
}

/** The heuristic zone of a workload (entities and addresses: outside or infrastructure). */
export function guessZone(w: MapWorkload, exposures: Exposures): ZoneGuess {
  if (w.kind === "entity") {
    if (w.id === "entity:world") return { zone: "outside", reason: "the internet" };
    if (w.id === "entity:ingress") return { zone: "public", reason: "the ingress entity faces the outside" };
    return { zone: "infrastructure", reason: `${w.id} is part of the cluster` };
  }
  if (w.kind === "external") return { zone: "outside", reason: "an address outside the cluster" };
  const ns = w.namespace ?? "default";
  if (INFRASTRUCTURE_NAMESPACES.has(ns))
    return { zone: "infrastructure", reason: `namespace ${ns} is the cluster's own` };
  const exposed = [...serviceExposure(w), ...(exposures.get(w.id) ?? [])];
  if (exposed.length) return { zone: "public", reason: `exposed: ${[...new Set(exposed)].join("; ")}` };
  const data = dataEvidence(w);
  if (data) return { zone: "data", reason: data };
  if (MANAGEMENT_NAMESPACE.test(ns))
    return { zone: "management", reason: `namespace ${ns} holds monitoring, logging or CI tools` };
  return { zone: "application", reason: "no selector or heuristic placed it elsewhere" };
}

/** The zone of a peer id that is not a map workload (`cidr:…`, `entity:…`). */
export function peerZone(id: string): ZoneGuess | undefined {
  if (id === "entity:world" || id.startsWith("cidr:") || id.startsWith("external:"))
    return { zone: "outside", reason: "an address outside the cluster" };
  if (id === "entity:ingress") return { zone: "public", reason: "the ingress entity faces the outside" };
  if (id.startsWith("entity:")) return { zone: "infrastructure", reason: `${id} is part of the cluster` };
  return undefined;
}
