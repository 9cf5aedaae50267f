/**
 * One parsed document → a K8sResource with normalised metadata (namespace defaulted, labels as
 * strings), or the problem that says why it is not one.
 */
import type { YamlDocument } from "../../io/yaml.js";
import { type Location, type Problem, problem } from "../../model/problems.js";
import type { K8sResource } from "../types.js";
import { CLUSTER_SCOPED_KINDS } from "./kinds.js";

/** A resource, or the problems that kept a document from being one (possibly both). */
export interface ResourceResult {
  resource?: K8sResource;
  problems: Problem[];
}

type Obj = Record<string, unknown>;

/** True for a plain object (not null, not an array). */
export function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The location of a path inside a document (falls back to the document's line). */
export function docLocation(doc: YamlDocument, path: readonly (string | number)[] = []): Location {
  const line = path.length ? (doc.lineAt(path) ?? doc.line) : doc.line;
  const loc: Location = { file: doc.file, line };
  if (path.length) loc.path = formatDocPath(path);
  return loc;
}

/** `spec.template.spec.containers[0].ports[1]`. */
export function formatDocPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Converts one document into a K8sResource, checking kind, apiVersion and metadata.name. */
export function toK8sResource(doc: YamlDocument): ResourceResult {
  const v = doc.value;
  if (!isObject(v)) {
    const what = Array.isArray(v) ? "a JSON/YAML array" : `a ${typeof v}`;
    return notAResource(doc, `not a Kubernetes object (${what}); skipped`);
  }
  if (v.kind === undefined && v.apiVersion === undefined) {
    const keys = Object.keys(v).slice(0, 3).join(", ");
    return notAResource(doc, `not a Kubernetes object (no apiVersion or kind; keys: ${keys}); skipped`);
  }
  if (typeof v.kind !== "string" || v.kind === "") {
    return invalid(doc, [], `resource without kind (apiVersion ${String(v.apiVersion ?? "missing")})`);
  }
  const kind = v.kind;
  const meta = v.metadata;
  if (!isObject(meta) || typeof meta.name !== "string" || meta.name === "") {
    return invalid(doc, isObject(meta) ? ["metadata"] : [], `${kind} without metadata.name`);
  }
  const problems: Problem[] = [];
  const labels = stringMap(meta.labels, doc, ["metadata", "labels"], problems);
  const annotations = stringMap(meta.annotations, doc, ["metadata", "annotations"], problems);
  const resource: K8sResource = {
    apiVersion: typeof v.apiVersion === "string" ? v.apiVersion : "",
    kind,
    metadata: { name: meta.name },
    raw: v,
    location: { file: doc.file, line: doc.line },
    lineAt: doc.lineAt,
  };
  const ns = resourceNamespace(kind, meta.namespace);
  if (ns !== undefined) resource.metadata.namespace = ns;
  if (labels) resource.metadata.labels = labels;
  if (annotations) resource.metadata.annotations = annotations;
  const owners = ownerReferences(meta.ownerReferences, doc, problems);
  if (owners.length) resource.metadata.ownerReferences = owners;
  if (typeof meta.creationTimestamp === "string")
    resource.metadata.creationTimestamp = meta.creationTimestamp;
  if (typeof meta.deletionTimestamp === "string")
    resource.metadata.deletionTimestamp = meta.deletionTimestamp;
  return { resource, problems };
}

function notAResource(doc: YamlDocument, message: string): ResourceResult {
  return { problems: [problem("resource-invalid", "warning", message, docLocation(doc))] };
}

function invalid(doc: YamlDocument, path: (string | number)[], message: string): ResourceResult {
  return { problems: [problem("resource-invalid", "error", message, docLocation(doc, path))] };
}

/** The namespace of an object: its own, else `default`; none for cluster-scoped kinds. */
export function resourceNamespace(kind: string, ns: unknown): string | undefined {
  if (CLUSTER_SCOPED_KINDS.has(kind)) return undefined;
  return typeof ns === "string" && ns !== "" ? ns : "default";
}

/** A label/annotation map with every value as a string; a non-map is an error problem. */
function stringMap(
  v: unknown,
  doc: YamlDocument,
  path: (string | number)[],
  problems: Problem[],
): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    problems.push(
      problem("resource-invalid", "error", `${path.at(-1)} must be a map`, docLocation(doc, path)),
    );
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) out[k] = val === null ? "" : String(val);
  return out;
}

function ownerReferences(
  v: unknown,
  doc: YamlDocument,
  problems: Problem[],
): NonNullable<K8sResource["metadata"]["ownerReferences"]> {
  if (v === undefined || v === null) return [];
  const path = ["metadata", "ownerReferences"];
  if (!Array.isArray(v)) {
    problems.push(
      problem("resource-invalid", "error", "ownerReferences must be a list", docLocation(doc, path)),
    );
    return [];
  }
  const out: NonNullable<K8sResource["metadata"]["ownerReferences"]> = [];
  v.forEach((ref, i) => {
    const where = docLocation(doc, [...path, i]);
    if (!isObject(ref) || typeof ref.name !== "string" || ref.name === "") {
      problems.push(problem("resource-invalid", "error", "ownerReference needs a name", where));
      return;
    }
    let kind = typeof ref.kind === "string" ? ref.kind : "";
    if (kind === "") {
      // netpol-analyzer groups such pods under the owner's name, shown as [Pod]; so do we.
      const msg = `ownerReference ${ref.name} has no kind; its pods are grouped as ${ref.name}[Pod]`;
      problems.push(problem("resource-invalid", "warning", msg, where));
      kind = "Pod";
    }
    const entry: (typeof out)[number] = { kind, name: ref.name };
    if (typeof ref.controller === "boolean") entry.controller = ref.controller;
    if (typeof ref.apiVersion === "string") entry.apiVersion = ref.apiVersion;
    out.push(entry);
  });
  return out;
}
