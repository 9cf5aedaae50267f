/**
 * Pods of one owner with different labels. The analysis speaks of workloads, so it is exact only
 * when every pod selector of the policies treats all pods of a workload alike. A selector that
 * matches some of a workload's pods and not others (netpol-analyzer: "selectors impacted by this
 * gap") makes the workload-level answer wrong, so it is an error; label differences that no
 * selector sees are harmless.
 */
import { compileSelector, type LabelSelector, type Labels } from "../../model/labels.js";
import { type Problem, problem } from "../../model/problems.js";
import type { NamespaceMatch, PolicySet } from "../../policy/ir/types.js";

/** A workload whose pods carry more than one label set. */
export interface LabelVariants {
  /** The display name, `ns/name[Kind]`. */
  workload: string;
  namespace: string;
  /** The distinct (stable) label sets of its pods. */
  variants: readonly Labels[];
}

interface UsedSelector {
  selector: LabelSelector;
  namespaces: NamespaceMatch;
  where: string;
}

function usedSelectors(set: PolicySet): UsedSelector[] {
  const out: UsedSelector[] = [];
  for (const layer of set.layers)
    for (const p of layer.policies) {
      const name = `${p.kind} ${p.namespace ? `${p.namespace}/` : ""}${p.name}`;
      out.push({ selector: p.subject.pods, namespaces: p.subject.namespaces, where: name });
      for (const r of p.rules)
        for (const peer of r.peers)
          if (peer.kind === "pods")
            out.push({
              selector: peer.pods,
              namespaces: peer.namespaces,
              where: `${name} ${r.direction} rule`,
            });
    }
  return out;
}

function mayApply(ns: NamespaceMatch, namespace: string): boolean {
  return ns.kind !== "names" || ns.names.includes(namespace);
}

/** One error per workload whose pods a policy selector tells apart. */
export function labelGapProblems(set: PolicySet, workloads: readonly LabelVariants[]): Problem[] {
  const gaps = workloads.filter((w) => w.variants.length > 1);
  if (gaps.length === 0) return [];
  const out: Problem[] = [];
  const selectors = usedSelectors(set).map((u) => ({ ...u, match: compileSelector(u.selector) }));
  for (const w of gaps) {
    const hit = selectors.find((s) => {
      if (!mayApply(s.namespaces, w.namespace)) return false;
      const answers = new Set(w.variants.map((v) => s.match(v)));
      return answers.size > 1;
    });
    if (!hit) continue;
    const msg =
      `pods of ${w.workload} carry different labels and a selector of ${hit.where} matches some of them ` +
      "but not others; the workload cannot be analysed as one (give its pods the same labels or one owner each)";
    out.push(problem("owner-labels-differ", "error", msg));
  }
  return out;
}
