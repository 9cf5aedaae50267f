/**
 * The communication map: workloads and the edges between them, the document `discover` writes
 * and `generate`/`verify --map` read. JSON with `schemaVersion`; fields are added, never changed.
 */
import { z } from "zod";

export { MAP_SCHEMA_VERSION } from "./map-version.js";

const protocolSchema = z.enum(["TCP", "UDP", "SCTP"]);

const containerPortSchema = z.object({
  name: z.string().optional(),
  port: z.number().int().min(1).max(65535),
  protocol: protocolSchema,
});

const serviceRefSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  type: z.string(),
  ports: z.array(
    z.object({
      name: z.string().optional(),
      port: z.number().int(),
      targetPort: z.union([z.number().int(), z.string()]),
      protocol: protocolSchema,
      nodePort: z.number().int().optional(),
    }),
  ),
});

/** A workload in the map. */
export const mapWorkloadSchema = z.object({
  id: z.string(),
  kind: z.enum(["pod-owner", "vm", "cloud-instance", "external", "entity"]),
  ownerKind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string(),
  serviceAccount: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  namespaceLabels: z.record(z.string(), z.string()).optional(),
  spiffeId: z.string().optional(),
  zone: z.string().optional(),
  dataClasses: z.array(z.string()).optional(),
  images: z.array(z.string()).optional(),
  ports: z.array(containerPortSchema).optional(),
  services: z.array(serviceRefSchema).optional(),
  addresses: z.array(z.string()).optional(),
  source: z.string().optional(),
});

/** An edge port. */
export const edgePortSchema = z.object({
  protocol: protocolSchema,
  port: z.number().int().min(1).max(65535),
});

/** An HTTP method/path template seen on an edge. */
export const httpTemplateSchema = z.object({ method: z.string(), path: z.string() });

/** One edge: src talked to dst on these ports. */
export const edgeSchema = z.object({
  src: z.string(),
  dst: z.string(),
  ports: z.array(edgePortSchema),
  http: z.array(httpTemplateSchema).optional(),
  flows: z.number().int().min(0),
  /** How many of `flows` had the AUDIT verdict (forwarded, but a policy in audit mode would deny them). */
  audit: z.number().int().min(0).optional(),
  firstSeen: z.string().optional(),
  lastSeen: z.string().optional(),
  provenance: z.enum(["observed", "inferred"]),
  /** For inferred edges: where the evidence is (`file:line`, env var). */
  evidence: z.array(z.string()).optional(),
});

/** Flows that the source dropped, aggregated per pair and port. */
export const droppedSchema = z.object({
  src: z.string(),
  dst: z.string(),
  protocol: z.string(),
  port: z.number().int().optional(),
  flows: z.number().int(),
  reasons: z.array(z.string()).optional(),
});

/** The whole map. */
export const communicationMapSchema = z.object({
  schemaVersion: z.number().int(),
  sources: z
    .object({
      flows: z.array(z.string()),
      inventory: z.array(z.string()),
    })
    .optional(),
  workloads: z.array(mapWorkloadSchema),
  edges: z.array(edgeSchema),
  dropped: z.array(droppedSchema).optional(),
  dns: z.array(z.object({ workload: z.string(), names: z.array(z.string()) })).optional(),
  summary: z.record(z.string(), z.unknown()).optional(),
});

/** A workload in the map. */
export type MapWorkload = z.infer<typeof mapWorkloadSchema>;
/** An edge of the map. */
export type Edge = z.infer<typeof edgeSchema>;
/** A port of an edge. */
export type EdgePort = z.infer<typeof edgePortSchema>;
/** A dropped-flow aggregate. */
export type DroppedEdge = z.infer<typeof droppedSchema>;
/** The communication map document. */
export type CommunicationMap = z.infer<typeof communicationMapSchema>;
