/**
 * The stage machine's four combining rules, each in two forms: for one connection (with the
 * deciding rules, for --explain) and over connection sets (for connectivity). Both forms read the
 * same compiled rules, so they cannot drift apart.
 *
 * A stage whose policies do not select the endpoint for the direction has no opinion, whatever its
 * combining rule: `union` (security groups) then behaves like `union-when-selected`, the
 * difference being only that such parsers list both directions for every policy (an attached
 * group with no egress rules denies egress).
 */
import { ConnSet, type Protocol } from "../model/ports.js";
import type { ContainerPort } from "../model/workload.js";
import type { Direction, RuleOrigin } from "../policy/ir/types.js";
import {
  type CompiledLayer,
  type CompiledPolicy,
  type CompiledRule,
  ruleConns,
  rulePortsMatch,
  rulesFor,
} from "./compile.js";
import type { Endpoint, HttpRequest } from "./endpoint.js";

/** What one stage says about a connection. */
export type StageOutcome = "allow" | "deny" | "pass" | "no-opinion";

/** A policy named in an explanation. */
export interface PolicyRef {
  kind: string;
  name: string;
  namespace?: string;
}

/** One stage's answer for one connection. */
export interface StageResult {
  outcome: StageOutcome;
  /** The rules that decided (first-match: one; unions: every matching allow rule). */
  rules: RuleOrigin[];
  /** For a default deny: the policies that select the endpoint in this direction. */
  policies: PolicyRef[];
}

/** The question one side asks of a stage. */
export interface SideQuery {
  direction: Direction;
  /** The other end of the connection. */
  peer: Endpoint;
  /** Container ports of the connection's destination (named ports resolve against them). */
  dstPorts: readonly ContainerPort[];
  /** The policies of this layer selecting the subject for the direction, in order. */
  selecting: readonly CompiledPolicy[];
  /** The HTTP request of the connection, when known (L7 rules decide; src/eval/l7.ts). */
  http?: HttpRequest;
}

/** The reference to a policy, for explanations. */
export function policyRef(p: CompiledPolicy): PolicyRef {
  const ref: PolicyRef = { kind: p.policy.kind, name: p.policy.name };
  if (p.policy.namespace !== undefined) ref.namespace = p.policy.namespace;
  return ref;
}

function* matchingRules(q: SideQuery, protocol: Protocol, port: number): Generator<CompiledRule> {
  for (const p of q.selecting)
    for (const r of rulesFor(p, q.direction))
      if (r.peer(q.peer) && rulePortsMatch(r, protocol, port, q.dstPorts) && r.l7(q.http)) yield r;
}

const NO_OPINION: StageResult = { outcome: "no-opinion", rules: [], policies: [] };

/** Runs one stage for one connection. */
export function decideStage(
  layer: CompiledLayer,
  q: SideQuery,
  protocol: Protocol,
  port: number,
): StageResult {
  if (q.selecting.length === 0) return NO_OPINION;
  const matched = [...matchingRules(q, protocol, port)];
  switch (layer.combining) {
    case "first-match": {
      const first = matched[0];
      return first ? { outcome: first.rule.action, rules: [first.rule.origin], policies: [] } : NO_OPINION;
    }
    case "deny-overrides": {
      const denies = matched.filter((r) => r.rule.action === "deny");
      if (denies.length > 0)
        return { outcome: "deny", rules: denies.map((r) => r.rule.origin), policies: [] };
      return allowOrDefaultDeny(matched, q);
    }
    case "union-when-selected":
    case "union":
      return allowOrDefaultDeny(matched, q);
  }
}

function allowOrDefaultDeny(matched: CompiledRule[], q: SideQuery): StageResult {
  const allows = matched.filter((r) => r.rule.action === "allow");
  if (allows.length > 0) return { outcome: "allow", rules: allows.map((r) => r.rule.origin), policies: [] };
  return defaultDeny(q);
}

/** The selecting policies that enable default deny for the query's direction. */
function enforcing(q: SideQuery): CompiledPolicy[] {
  return q.selecting.filter((p) => p.enforces.has(q.direction));
}

/** No rule allowed: a deny naming the enforcing policies, or no opinion when none enforces. */
function defaultDeny(q: SideQuery): StageResult {
  const by = enforcing(q);
  return by.length > 0 ? { outcome: "deny", rules: [], policies: by.map(policyRef) } : NO_OPINION;
}

/** What a stage does with a set of still-undecided connections. */
export interface StageSets {
  allowed: ConnSet;
  /** Connections left for the next stage (undecided or passed). */
  next: ConnSet;
}

function unionOfRules(q: SideQuery, action: "allow" | "deny"): ConnSet {
  let out = ConnSet.NONE;
  // at L4 an L7-restricted deny does not close its ports (src/eval/l7.ts)
  for (const p of q.selecting)
    for (const r of rulesFor(p, q.direction))
      if (r.rule.action === action && r.l7(undefined) && r.peer(q.peer))
        out = out.union(ruleConns(r, q.dstPorts));
  return out;
}

/** Runs one stage over the set `undecided`: which connections it allows and which go on. */
export function decideStageSets(layer: CompiledLayer, q: SideQuery, undecided: ConnSet): StageSets {
  if (q.selecting.length === 0) return { allowed: ConnSet.NONE, next: undecided };
  switch (layer.combining) {
    case "first-match":
      return firstMatchSets(q, undecided);
    case "deny-overrides":
      return unionSets(q, undecided.subtract(unionOfRules(q, "deny")));
    case "union-when-selected":
    case "union":
      return unionSets(q, undecided);
  }
}

/** Allowed: what some allow rule covers; the rest is denied when a policy enforces, else left. */
function unionSets(q: SideQuery, open: ConnSet): StageSets {
  const allowed = open.intersect(unionOfRules(q, "allow"));
  return { allowed, next: enforcing(q).length > 0 ? ConnSet.NONE : open.subtract(allowed) };
}

function firstMatchSets(q: SideQuery, undecided: ConnSet): StageSets {
  let rest = undecided;
  let allowed = ConnSet.NONE;
  let passed = ConnSet.NONE;
  for (const p of q.selecting) {
    for (const r of rulesFor(p, q.direction)) {
      if (rest.isEmpty()) break;
      if (!r.l7(undefined) || !r.peer(q.peer)) continue;
      const hit = rest.intersect(ruleConns(r, q.dstPorts));
      if (hit.isEmpty()) continue;
      if (r.rule.action === "allow") allowed = allowed.union(hit);
      else if (r.rule.action === "pass") passed = passed.union(hit);
      rest = rest.subtract(hit);
    }
  }
  return { allowed, next: rest.union(passed) };
}
