/**
 * Kubernetes label selectors (matchLabels + matchExpressions), compiled once into predicates,
 * and the identifying-label rules of DESIGN (which labels name a workload).
 */
import { fail, type Location } from "./problems.js";

/** A label map. */
export type Labels = Readonly<Record<string, string>>;

/** A set-based requirement. */
export interface LabelRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

/** A metav1.LabelSelector. An empty selector (`{}`) selects everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelRequirement[];
}

/** A compiled selector: a predicate over labels. */
export type LabelPredicate = (labels: Labels) => boolean;

/** True when the selector has no requirement (selects everything). */
export function isEmptySelector(sel: LabelSelector | undefined | null): boolean {
  return (
    !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)
  );
}

/**
 * Compiles a selector into a predicate, checking it as the API server does (operator names,
 * values present for In/NotIn and absent for Exists/DoesNotExist). A bad selector fails with
 * its location.
 */
export function compileSelector(sel: LabelSelector | undefined | null, where?: Location): LabelPredicate {
  if (isEmptySelector(sel)) return () => true;
  const checks: LabelPredicate[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) {
    const val = String(v);
    checks.push((l) => l[k] === val);
  }
  for (const req of sel?.matchExpressions ?? []) {
    const values = (req.values ?? []).map(String);
    switch (req.operator) {
      case "In": {
        if (values.length === 0)
          fail("selector-invalid", `operator In on key "${req.key}" needs values`, where);
        const set = new Set(values);
        checks.push((l) => req.key in l && set.has(l[req.key]));
        break;
      }
      case "NotIn": {
        if (values.length === 0)
          fail("selector-invalid", `operator NotIn on key "${req.key}" needs values`, where);
        const set = new Set(values);
        checks.push((l) => !(req.key in l) || !set.has(l[req.key]));
        break;
      }
      case "Exists":
        if (values.length > 0)
          fail("selector-invalid", `operator Exists on key "${req.key}" takes no values`, where);
        checks.push((l) => req.key in l);
        break;
      case "DoesNotExist":
        if (values.length > 0)
          fail("selector-invalid", `operator DoesNotExist on key "${req.key}" takes no values`, where);
        checks.push((l) => !(req.key in l));
        break;
      default:
        fail(
          "selector-invalid",
          `unknown selector operator "${String((req as LabelRequirement).operator)}"`,
          where,
        );
    }
  }
  return (l) => {
    for (const c of checks) if (!c(l)) return false;
    return true;
  };
}

/** A stable text key for a selector (for caches and dedup). */
export function selectorKey(sel: LabelSelector | undefined | null): string {
  if (isEmptySelector(sel)) return "{}";
  const ml = Object.entries(sel?.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const me = (sel?.matchExpressions ?? [])
    .map((r) => `${r.key} ${r.operator} ${[...(r.values ?? [])].sort().join("|")}`)
    .sort();
  return JSON.stringify([ml, me]);
}

/** Labels never used to identify a workload (per-pod, per-revision or CNI-internal). */
export function isVolatileLabel(key: string): boolean {
  return (
    key === "pod-template-hash" ||
    key === "controller-revision-hash" ||
    key === "pod-template-generation" ||
    key === "statefulset.kubernetes.io/pod-name" ||
    key === "apps.kubernetes.io/pod-index" ||
    key === "batch.kubernetes.io/controller-uid" ||
    key === "controller-uid" ||
    key === "batch.kubernetes.io/job-name" ||
    key === "job-name" ||
    key.startsWith("io.cilium.") ||
    key.startsWith("io.kubernetes.pod.") ||
    key.startsWith("security.istio.io/") ||
    key.startsWith("service.istio.io/")
  );
}

/** The keys that name an app, in order of preference (DESIGN: identifying labels). */
const NAME_KEYS = ["app.kubernetes.io/name", "app", "k8s-app", "name"] as const;
/** Version-like keys, used only to tell apart workloads that share a name label. */
export const VERSION_KEYS = ["app.kubernetes.io/version", "version"] as const;

/**
 * The identifying labels of a workload: `app.kubernetes.io/name` (+ `app.kubernetes.io/instance`),
 * else `app`, `k8s-app` or `name`. Empty when the workload carries none of them.
 */
export function identifyingLabels(labels: Labels): Record<string, string> {
  if (labels["app.kubernetes.io/name"] !== undefined) {
    const out: Record<string, string> = { "app.kubernetes.io/name": labels["app.kubernetes.io/name"] };
    if (labels["app.kubernetes.io/instance"] !== undefined)
      out["app.kubernetes.io/instance"] = labels["app.kubernetes.io/instance"];
    return out;
  }
  for (const k of NAME_KEYS) if (labels[k] !== undefined) return { [k]: labels[k] };
  return {};
}

/** Labels without the volatile ones, sorted by key. */
export function stableLabels(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) if (!isVolatileLabel(k)) out[k] = labels[k];
  return out;
}

/** True when every key/value of `sub` is in `labels`. */
export function labelsInclude(labels: Labels, sub: Labels): boolean {
  for (const [k, v] of Object.entries(sub)) if (labels[k] !== v) return false;
  return true;
}
