/**
 * The `microseg.yaml` configuration schema: trust zones and their selectors, the zone matrix of
 * allowed zone → zone flows, bastions, data classifications, the cardholder data environment
 * (CDE) with its connectors, and the flow sources that monitor the segmentation. Unknown keys are
 * errors so typos do not pass silently.
 */
import { z } from "zod";

const nameSchema = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/i, "expected a name (letters, digits, - _ .)");

/**
 * Which workloads: every field given must match (AND). `namespace` is one name or a list;
 * `labels` must all be present with these values; `names` are workload ids (`ns/name`) or bare
 * workload names.
 */
export const workloadSelectorSchema = z
  .object({
    namespace: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    labels: z.record(z.string().min(1), z.string()).optional(),
    names: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((s) => s.namespace !== undefined || s.labels !== undefined || s.names !== undefined, {
    message: "a selector needs at least one of namespace, labels, names",
  });

/** A zone: its name, what it is for, and the selectors that put workloads in it (any matches). */
export const zoneSchema = z
  .object({
    name: nameSchema,
    description: z.string().optional(),
    match: z.array(workloadSelectorSchema).min(1),
  })
  .strict();

/**
 * One line of the zone matrix: workloads of zone `from` may open connections to zones `to`.
 * `from: bastion` means the bastion workloads (whatever their zone); `*` is any zone.
 */
export const zoneFlowSchema = z
  .object({
    from: z.string().min(1),
    to: z.array(z.string().min(1)).min(1),
    description: z.string().optional(),
  })
  .strict();

/** Data classes held by the selected workloads (`pci`, `pii`, `secrets` …). */
export const dataClassRuleSchema = z
  .object({
    match: z.array(workloadSelectorSchema).min(1),
    classes: z.array(nameSchema).min(1),
  })
  .strict();

/** The cardholder data environment: its members and the workloads allowed to connect into it. */
export const cdeSchema = z
  .object({
    members: z.array(workloadSelectorSchema).min(1),
    connectors: z.array(workloadSelectorSchema).default([]),
    description: z.string().optional(),
  })
  .strict();

/** A flow source that monitors the cluster (for the "segmentation without monitoring" lint). */
export const flowSourceSchema = z
  .object({
    kind: z.string().min(1),
    path: z.string().optional(),
    description: z.string().optional(),
  })
  .strict();

/** The configuration file's schema. */
export const configSchema = z
  .object({
    /** Schema version of the file. */
    version: z.literal(1).optional(),
    /** Zones, first match wins; workloads no zone selects are classified by heuristics. */
    zones: z.array(zoneSchema).optional(),
    /** Allowed zone → zone flows; absent = the default matrix (see src/zones/matrix.ts). */
    zoneMatrix: z.array(zoneFlowSchema).optional(),
    /** Workloads allowed to reach the management zone. */
    bastions: z.array(workloadSelectorSchema).optional(),
    /** Data classifications per workload. */
    dataClasses: z.array(dataClassRuleSchema).optional(),
    /** The CDE (PCI-DSS scope). */
    cde: cdeSchema.optional(),
    /** Flow sources watching the cluster. */
    flowSources: z.array(flowSourceSchema).optional(),
  })
  .strict();

/** A validated configuration. */
export type MicrosegConfig = z.infer<typeof configSchema>;
/** A workload selector of the configuration. */
export type WorkloadSelector = z.infer<typeof workloadSelectorSchema>;
/** A zone of the configuration. */
export type ZoneConfig = z.infer<typeof zoneSchema>;
/** A line of the zone matrix. */
export type ZoneFlow = z.infer<typeof zoneFlowSchema>;
/** The CDE section. */
export type CdeConfig = z.infer<typeof cdeSchema>;
