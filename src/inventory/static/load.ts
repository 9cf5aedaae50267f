/**
 * Loading `--inventory` paths that mix Kubernetes manifests (incl. `kubectl get pods -o json`
 * dumps taken at different times) and static inventory YAML (VMs, cloud instances, networks):
 * one merged Inventory whose address bindings are normalised over time (./timeline.ts).
 */
import { expandPaths } from "../../io/files.js";
import { readManifestFile } from "../../io/yaml.js";
import { MicrosegError, type Problem, problem } from "../../model/problems.js";
import type { Workload } from "../../model/workload.js";
import { assertInventoryValid, loadK8sInventory } from "../k8s/load.js";
import type { AddressBinding, Inventory } from "../types.js";
import { isStaticInventoryDoc, readValidStaticDoc, type StaticInventoryDoc } from "./doc.js";
import type { NamedNetwork } from "./networks.js";
import { normaliseBindings } from "./timeline.js";

/** An inventory with the named networks of static files. */
export interface MixedInventory extends Inventory {
  networks: NamedNetwork[];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A static document → workloads, bindings, networks; problems for bad addresses. */
export function staticInventoryFrom(
  doc: StaticInventoryDoc,
  file: string,
  lineAt: (path: (string | number)[]) => number | undefined,
): { workloads: Workload[]; bindings: AddressBinding[]; networks: NamedNetwork[]; problems: Problem[] } {
  const workloads: Workload[] = [];
  const bindings: AddressBinding[] = [];
  const problems: Problem[] = [];
  doc.workloads.forEach((w, i) => {
    const namespace = w.namespace ?? w.zone ?? "default";
    const id = `${namespace}/${w.name}`;
    const line = lineAt(["workloads", i]) ?? 1;
    const ips: string[] = [];
    w.addresses.forEach((a, j) => {
      const entry = typeof a === "string" ? { ip: a } : a;
      if (!/^[0-9a-fA-F.:]+$/.test(entry.ip) || !(entry.ip.includes(".") || entry.ip.includes(":"))) {
        const at = { file, line: lineAt(["workloads", i, "addresses", j]) ?? line };
        problems.push(problem("cidr-invalid", "error", `expected an IP address, found "${entry.ip}"`, at));
        return;
      }
      const b: AddressBinding = { ip: entry.ip, workloadId: id, source: `${file}:${line}` };
      if ("from" in entry && entry.from !== undefined) b.from = entry.from;
      if ("to" in entry && entry.to !== undefined) b.to = entry.to;
      bindings.push(b);
      ips.push(entry.ip);
    });
    const wl: Workload = {
      id,
      kind: w.kind,
      namespace,
      name: w.name,
      labels: w.labels,
      source: `${file}:${line}`,
    };
    if (w.zone) wl.zone = w.zone;
    if (ips.length) wl.addresses = [...new Set(ips)].sort();
    workloads.push(wl);
  });
  return { workloads, bindings, networks: doc.networks, problems };
}

/** Reads `--inventory` paths: static files by their marker key, the rest as Kubernetes manifests. */
export async function loadMixedInventory(paths: readonly string[]): Promise<MixedInventory> {
  const files = await expandPaths(paths);
  const k8sFiles: string[] = [];
  const statics: ReturnType<typeof staticInventoryFrom>[] = [];
  for (const file of files) {
    const parsed = await readManifestFile(file);
    const staticDocs = parsed.documents.filter((d) => isStaticInventoryDoc(d.value));
    if (staticDocs.length === 0) {
      k8sFiles.push(file);
      continue;
    }
    for (const d of staticDocs) {
      const quick = readValidStaticDoc(d.value);
      if (quick) {
        statics.push(staticInventoryFrom(quick, file, (p) => d.lineAt(p)));
        continue;
      }
      // not plainly valid: the schema (zod, loaded only now) decides and says what is wrong
      const { staticInventorySchema } = await import("./schema.js");
      const r = staticInventorySchema.safeParse(d.value);
      if (!r.success) {
        const issue = r.error.issues[0];
        const at = {
          file,
          line: d.lineAt(issue.path as (string | number)[]) ?? d.line,
          path: issue.path.join("."),
        };
        throw new MicrosegError(
          problem("resource-invalid", "error", `static inventory: ${issue.message}`, at),
        );
      }
      statics.push(staticInventoryFrom(r.data, file, (p) => d.lineAt(p)));
    }
  }
  const k8s = k8sFiles.length
    ? assertInventoryValid(await loadK8sInventory(k8sFiles))
    : { workloads: [], namespaces: new Map(), resources: [], bindings: [], files: [], problems: [] };
  const problems = [...k8s.problems, ...statics.flatMap((s) => s.problems)];
  if (problems.some((p) => p.severity === "error"))
    throw new MicrosegError(problems.filter((p) => p.severity === "error"));
  const byId = new Map<string, Workload>(k8s.workloads.map((w) => [w.id, w]));
  for (const w of statics.flatMap((s) => s.workloads))
    byId.set(w.id, byId.has(w.id) ? { ...byId.get(w.id)!, ...w } : w);
  return {
    ...k8s,
    workloads: [...byId.values()].sort((a, b) => cmp(a.id, b.id)),
    bindings: normaliseBindings([...k8s.bindings, ...statics.flatMap((s) => s.bindings)]),
    files,
    problems,
    networks: statics.flatMap((s) => s.networks),
  };
}
