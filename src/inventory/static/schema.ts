/**
 * The static inventory: a small YAML file for what no cluster API describes (VMs, cloud
 * instances, named networks). One document:
 *
 * ```yaml
 * staticInventory: v1            # marks the document (required)
 * workloads:
 *   - name: billing-db            # required, DNS-1123-ish
 *     namespace: payments         # or zone: (the id is namespace/name; zone alone is also the namespace)
 *     kind: vm                    # vm | cloud-instance
 *     labels: { app: billing-db }
 *     addresses:
 *       - 10.0.1.5                # bound for all time
 *       - ip: 10.0.1.6            # bound for an interval (RFC 3339; either end may be left out)
 *         from: 2024-03-01T00:00:00Z
 *         to: 2024-03-08T00:00:00Z
 * networks:                       # unresolved addresses inside these CIDRs become `external:<name>`
 *   - name: corp-vpn
 *     cidrs: [10.200.0.0/16]
 * ```
 */
import { z } from "zod";
import { STATIC_INVENTORY_VERSION, STATIC_NAME, type StaticInventoryDoc } from "./doc.js";

export { isStaticInventoryDoc, STATIC_INVENTORY_VERSION, type StaticInventoryDoc } from "./doc.js";

const time = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const ms = v instanceof Date ? v.getTime() : Date.parse(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: "custom", message: `expected an RFC 3339 time, found "${String(v)}"` });
    return z.NEVER;
  }
  return ms;
});

const address = z.union([
  z.string(),
  z.object({ ip: z.string(), from: time.optional(), to: time.optional() }).strict(),
]);

/** One static workload. */
export const staticWorkloadSchema = z
  .object({
    name: z.string().regex(STATIC_NAME, "a lower-case DNS-1123 name"),
    namespace: z.string().optional(),
    zone: z.string().optional(),
    kind: z.enum(["vm", "cloud-instance"]).default("vm"),
    labels: z.record(z.string(), z.string()).default({}),
    addresses: z.array(address).default([]),
  })
  .strict();

/** One named network. */
export const staticNetworkSchema = z
  .object({
    name: z.string().regex(STATIC_NAME, "a lower-case DNS-1123 name"),
    cidrs: z.array(z.string()).min(1),
  })
  .strict();

/** The whole document. */
export const staticInventorySchema = z
  .object({
    staticInventory: z.literal(STATIC_INVENTORY_VERSION),
    workloads: z.array(staticWorkloadSchema).default([]),
    networks: z.array(staticNetworkSchema).default([]),
  })
  .strict();

/** The schema's output is ./doc.ts's StaticInventoryDoc (checked here both ways at compile time). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.infer<typeof staticInventorySchema>, StaticInventoryDoc> = true;
void sameShape;
