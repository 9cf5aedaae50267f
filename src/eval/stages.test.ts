import { describe, expect, it } from "vitest";
import type { Protocol } from "../model/ports.js";
import type { Combining, Direction, Policy, PolicySet, Rule, RuleAction } from "../policy/ir/types.js";
import { createEvaluator } from "./evaluate.js";
import { pod } from "./test-support.js";

const src = pod("x", "client", { app: "client" });
const dst = pod("y", "server", { app: "server" });

function rule(
  action: RuleAction,
  port: number | "any",
  index: number,
  direction: Direction = "ingress",
): Rule {
  return {
    direction,
    action,
    peers: [{ kind: "any" }],
    ports: port === "any" ? "any" : [{ protocol: "TCP", port }],
    origin: { policyKind: "Test", policyName: `r${index}`, ruleIndex: index, direction },
  };
}

function policy(name: string, rules: Rule[], priority = 0): Policy {
  return {
    kind: "Test",
    name,
    priority,
    subject: { namespaces: { kind: "all" }, pods: { matchLabels: { app: "server" } } },
    directions: ["ingress"],
    rules,
    origin: {},
  };
}

function set(...layers: [Combining, Policy[]][]): PolicySet {
  return {
    target: "test",
    layers: layers.map(([combining, policies]) => ({ stage: "k8s-np", combining, policies })),
  };
}

/** Checks evaluate() and allowedConns() against the expected verdicts on TCP 80, 443 and 8080. */
function expectVerdicts(s: PolicySet, expected: Record<number, boolean>) {
  const ev = createEvaluator(s);
  const conns = ev.allowedConns(src, dst);
  for (const [port, want] of Object.entries(expected)) {
    const conn = { src, dst, protocol: "TCP" as Protocol, port: Number(port) };
    expect(ev.evaluate(conn).allowed, `evaluate ${port}`).toBe(want);
    expect(conns.has("TCP", Number(port)), `allowedConns ${port}`).toBe(want);
  }
}

describe("combining rules", () => {
  it("first-match: priority order, first rule decides; pass defers to the next layer", () => {
    const anp = [
      policy("late", [rule("allow", "any", 9)], 20),
      policy("early", [rule("deny", 80, 0), rule("pass", 443, 1), rule("allow", 443, 2)], 10),
    ];
    const np = [policy("np", [rule("allow", 8080, 3)])];
    // 80 denied by "early"; 443 passed to np which selects and allows only 8080; 8080 allowed by "late".
    expectVerdicts(set(["first-match", anp], ["union-when-selected", np]), {
      80: false,
      443: false,
      8080: true,
    });
    const v = createEvaluator(set(["first-match", anp])).evaluate({ src, dst, protocol: "TCP", port: 80 });
    expect(v.ingress).toMatchObject({ allowed: false, rules: [{ policyName: "r0" }] });
  });

  it("first-match with no matching rule has no opinion (default allow)", () => {
    expectVerdicts(set(["first-match", [policy("p", [rule("deny", 80, 0)])]]), { 80: false, 443: true });
  });

  it("union-when-selected: default deny once selected, union of allows", () => {
    const np = [policy("a", [rule("allow", 80, 0)]), policy("b", [rule("allow", 443, 1)])];
    expectVerdicts(set(["union-when-selected", np]), { 80: true, 443: true, 8080: false });
  });

  it("deny-overrides: any matching deny beats allows", () => {
    const ps = [policy("a", [rule("allow", "any", 0)]), policy("b", [rule("deny", 443, 1)])];
    expectVerdicts(set(["deny-overrides", ps]), { 80: true, 443: false });
  });

  it("union: allowed only where some rule allows; no opinion when nothing selects", () => {
    expectVerdicts(set(["union", [policy("a", [rule("allow", 80, 0)])]]), { 80: true, 443: false });
    expectVerdicts(set(["union", []]), { 80: true });
  });

  it("a pass in the last layer falls through to the default allow", () => {
    expectVerdicts(set(["first-match", [policy("p", [rule("pass", 80, 0)])]]), { 80: true });
  });
});
