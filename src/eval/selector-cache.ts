/**
 * A selector cache: selectors are compiled once per distinct selector, and each compiled selector
 * remembers its answer per distinct label set (workloads of one app share their labels).
 */
import {
  compileSelector,
  type LabelPredicate,
  type LabelSelector,
  type Labels,
  selectorKey,
} from "../model/labels.js";

/** Compiled selectors with memoized answers per label set. */
export class SelectorCache {
  private readonly predicates = new Map<string, LabelPredicate>();
  private readonly keys = new WeakMap<Labels, string>();

  /** A stable key for a label set. */
  static labelsKey(labels: Labels): string {
    return Object.keys(labels)
      .sort()
      .map((k) => `${k}=${labels[k]}`)
      .join(",");
  }

  private key(labels: Labels): string {
    let k = this.keys.get(labels);
    if (k === undefined) {
      k = SelectorCache.labelsKey(labels);
      this.keys.set(labels, k);
    }
    return k;
  }

  /** The predicate of a selector, answering from its memo for label sets it has seen. */
  predicate(sel: LabelSelector): LabelPredicate {
    const sk = selectorKey(sel);
    let pred = this.predicates.get(sk);
    if (!pred) {
      const compiled = compileSelector(sel);
      const memo = new Map<string, boolean>();
      pred = (labels) => {
        const lk = this.key(labels);
        let hit = memo.get(lk);
        if (hit === undefined) {
          hit = compiled(labels);
          memo.set(lk, hit);
        }
        return hit;
      };
      this.predicates.set(sk, pred);
    }
    return pred;
  }
}
