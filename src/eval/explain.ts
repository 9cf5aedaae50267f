/**
 * The explaining form of one side's stage machine: instead of the set of allowed connections, a
 * partition of every connection into parts, each allowed or denied, with the rules and policies
 * that decided it (and the AdminNetworkPolicy Pass rules it went through). The peer is given as a
 * predicate over rules, so the same code explains a real peer (`rule.peer(endpoint)`) and a
 * representative peer of exposure analysis (a structural match on the rule's selectors).
 */
import { ConnSet, PortSet, type Protocol } from "../model/ports.js";
import type { ContainerPort } from "../model/workload.js";
import type { Direction, RuleAction, StageKind } from "../policy/ir/types.js";
import { type CompiledLayer, type CompiledPolicy, type CompiledRule, rulesFor } from "./compile.js";
import { NamedConns } from "./explain-conns.js";
import { type PolicyRef, policyRef } from "./stages.js";

/** One reason in an explanation. */
export type Reason =
  /** A rule that matched: allow / deny / pass (first-match layers) or allow (NetworkPolicy). */
  | {
      kind: "rule";
      stage: StageKind;
      policy: PolicyRef;
      action: RuleAction;
      ruleIndex: number;
      ruleName?: string;
    }
  /**
   * A NetworkPolicy selecting the subject that allows none of this part: `rules` are the 0-based
   * indices of its rules (this direction) whose peers match but whose ports do not; `noRules` when
   * it has no rule in the direction.
   */
  | {
      kind: "no-match";
      stage: StageKind;
      policy: PolicyRef;
      rules: number[];
      noRules: boolean;
      /** True when the matching rules' only ports are named ports the destination does not have. */
      namedUnresolved: boolean;
    }
  /** No stage decided: the system default (allow all). */
  | { kind: "default" };

/** A part of the connection space with its verdict and reasons (in evaluation order). */
export interface ExplainedPart {
  conns: NamedConns;
  allowed: boolean;
  reasons: Reason[];
}

/** The question: one side, its selecting policies per layer, and how rules see the peer. */
export interface ExplainSideQuery {
  layers: readonly CompiledLayer[];
  /** Per layer, the policies selecting the subject for the direction, in evaluation order. */
  selecting: readonly (readonly CompiledPolicy[])[];
  direction: Direction;
  /** True when the rule's peers match the other end. */
  matches: (r: CompiledRule) => boolean;
  /** Container ports of the destination; `undefined` when unknown (named ports stay names). */
  dstPorts: readonly ContainerPort[] | undefined;
}

/** The connections a rule's ports cover, named ports resolved or (ports unknown) kept as names. */
export function ruleNamedConns(r: CompiledRule, dstPorts: readonly ContainerPort[] | undefined): NamedConns {
  if (r.rule.ports === "any") return NamedConns.ALL;
  if (r.named.length === 0) return NamedConns.of(r.conns);
  if (dstPorts === undefined)
    return NamedConns.of(
      r.conns,
      r.named.map((n) => `${n.protocol}/${n.name}`),
    );
  let out = NamedConns.of(r.conns);
  for (const n of r.named)
    for (const cp of dstPorts)
      if (cp.name === n.name && cp.protocol === n.protocol)
        out = out.union(NamedConns.of(singleConn(n.protocol, cp.port)));
  return out;
}

function singleConn(p: Protocol, port: number): ConnSet {
  return ConnSet.of([[p, PortSet.single(port)]]);
}

interface Pending {
  conns: NamedConns;
  reasons: Reason[];
}

function ruleReason(layer: CompiledLayer, p: CompiledPolicy, r: CompiledRule): Reason {
  const reason: Reason = {
    kind: "rule",
    stage: layer.stage,
    policy: policyRef(p),
    action: r.rule.action,
    ruleIndex: r.rule.origin.ruleIndex,
  };
  if (r.rule.name !== undefined) reason.ruleName = r.rule.name;
  return reason;
}

function firstMatch(
  layer: CompiledLayer,
  sel: readonly CompiledPolicy[],
  q: ExplainSideQuery,
  undecided: Pending[],
  done: ExplainedPart[],
): Pending[] {
  let rest = undecided;
  const passed: Pending[] = [];
  for (const p of sel)
    for (const r of rulesFor(p, q.direction)) {
      if (!q.matches(r)) continue;
      const covers = ruleNamedConns(r, q.dstPorts);
      const next: Pending[] = [];
      for (const u of rest) {
        const hit = u.conns.intersect(covers);
        if (hit.isEmpty()) {
          next.push(u);
          continue;
        }
        const reasons = [...u.reasons, ruleReason(layer, p, r)];
        if (r.rule.action === "pass") passed.push({ conns: hit, reasons });
        else done.push({ conns: hit, allowed: r.rule.action === "allow", reasons });
        const left = u.conns.subtract(covers);
        if (!left.isEmpty()) next.push({ conns: left, reasons: u.reasons });
      }
      rest = next;
    }
  return [...rest, ...passed];
}

function noMatchReasons(layer: CompiledLayer, sel: readonly CompiledPolicy[], q: ExplainSideQuery): Reason[] {
  return sel.map((p) => {
    const rules = rulesFor(p, q.direction);
    const matched = rules.filter((r) => q.matches(r));
    return {
      kind: "no-match" as const,
      stage: layer.stage,
      policy: policyRef(p),
      rules: matched.map((r) => r.rule.origin.ruleIndex),
      noRules: rules.length === 0,
      namedUnresolved:
        matched.length > 0 &&
        matched.every(
          (r) => r.named.length > 0 && r.conns.isEmpty() && ruleNamedConns(r, q.dstPorts).isEmpty(),
        ),
    };
  });
}

/**
 * Splits `u` by the allow rules of a union layer: parts allowed by the same rules, and the rest,
 * denied when a selecting policy enforces default deny, else returned for the next layers.
 */
function unionLayer(
  layer: CompiledLayer,
  sel: readonly CompiledPolicy[],
  q: ExplainSideQuery,
  u: Pending,
  done: ExplainedPart[],
): Pending[] {
  let parts: { conns: NamedConns; rules: Reason[] }[] = [{ conns: u.conns, rules: [] }];
  const denies: NamedConns[] = [];
  for (const p of sel) {
    // within one policy, a part is attributed to the first rule that allows it
    let claimed = NamedConns.NONE;
    for (const r of rulesFor(p, q.direction)) {
      if (!q.matches(r)) continue;
      const all = ruleNamedConns(r, q.dstPorts);
      const covers = all.subtract(claimed);
      claimed = claimed.union(all);
      if (r.rule.action === "deny") {
        denies.push(covers);
        continue;
      }
      if (r.rule.action !== "allow") continue;
      const next: typeof parts = [];
      for (const part of parts) {
        const hit = part.conns.intersect(covers);
        const left = part.conns.subtract(covers);
        if (!hit.isEmpty()) next.push({ conns: hit, rules: [...part.rules, ruleReason(layer, p, r)] });
        if (!left.isEmpty()) next.push({ conns: left, rules: part.rules });
      }
      parts = next;
    }
  }
  const denied = denies.reduce((a, b) => a.union(b), NamedConns.NONE);
  const enforced = sel.some((p) => p.enforces.has(q.direction));
  const left: Pending[] = [];
  for (const part of parts) {
    const open = part.conns.subtract(denied);
    if (part.rules.length > 0 && !open.isEmpty())
      done.push({ conns: open, allowed: true, reasons: [...u.reasons, ...part.rules] });
    const unmatched = part.rules.length === 0 && !enforced;
    const closed = part.rules.length > 0 || unmatched ? part.conns.intersect(denied) : part.conns;
    if (!closed.isEmpty())
      done.push({ conns: closed, allowed: false, reasons: [...u.reasons, ...noMatchReasons(layer, sel, q)] });
    if (unmatched && !open.isEmpty()) left.push({ conns: open, reasons: u.reasons });
  }
  return left;
}

/**
 * Explains one side: the connection space split into parts, each with its verdict and reasons.
 * Parts are disjoint and cover every connection (every name too, when ports are unknown).
 */
export function explainSide(q: ExplainSideQuery): ExplainedPart[] {
  const done: ExplainedPart[] = [];
  let undecided: Pending[] = [{ conns: NamedConns.ALL, reasons: [] }];
  q.layers.forEach((layer, i) => {
    const sel = q.selecting[i] ?? [];
    if (sel.length === 0 || undecided.length === 0) return;
    if (layer.combining === "first-match") {
      undecided = firstMatch(layer, sel, q, undecided, done);
      return;
    }
    undecided = undecided.flatMap((u) => unionLayer(layer, sel, q, u, done));
  });
  for (const u of undecided)
    done.push({ conns: u.conns, allowed: true, reasons: [...u.reasons, { kind: "default" }] });
  return done.filter((p) => !p.conns.isEmpty());
}

/** The union of the allowed parts. */
export function allowedOf(parts: readonly ExplainedPart[]): NamedConns {
  return parts.filter((p) => p.allowed).reduce((a, p) => a.union(p.conns), NamedConns.NONE);
}
