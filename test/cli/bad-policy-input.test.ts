/**
 * Malformed Cilium and Istio policies are bad input like a malformed NetworkPolicy: every
 * command that reads policies (verify, connectivity, lint) exits 2 with one message naming the
 * file, the line and the field, and no stack trace (never exit 70, never a silent misreading).
 * The policies are written here by hand, one defect each.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpusPath } from "../helpers/corpus.js";
import { problemLines, run, scratchDirs } from "./run.js";

const scratch = scratchDirs("bad-policy");
const FLOWS = corpusPath("flows", "hubble", "hubble-otel-basic-sample-10-flows.jsonl");

const POD = `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: ns1, labels: {app: a}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 80}]}]}
`;

/** A CiliumNetworkPolicy whose spec ends with `tail` (YAML at two-space indent), the defect at line 7. */
function cilium(tail: string): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: c, namespace: ns1}
spec:
  endpointSelector:
    matchLabels: {app: a}
${tail}
`;
}

/** An AuthorizationPolicy whose spec ends with `tail`, the defect at line 7. */
function istio(tail: string): string {
  return `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ap, namespace: ns1}
spec:
  selector:
    matchLabels: {app: a}
${tail}
`;
}

/** [case, policy text, the field path the message must name]; each defect sits on line 7. */
const CASES: [string, string, string][] = [
  ["Cilium ingress not a list", cilium('  ingress: "x"'), "spec.ingress"],
  [
    "Cilium ports not a list",
    cilium("  ingress: [{toPorts: [{ports: 5}]}]"),
    "spec.ingress[0].toPorts[0].ports",
  ],
  [
    "Cilium invalid HTTP path regex",
    cilium('  ingress: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{path: "("}]}}]}]'),
    "spec.ingress[0].toPorts[0].rules.http[0].path",
  ],
  ["Cilium unknown entity", cilium("  egress: [{toEntities: [wrld]}]"), "spec.egress[0].toEntities[0]"],
  [
    "Cilium matchLabels not a map",
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: c, namespace: ns1}
spec:
  ingress: [{}]
  endpointSelector:
    matchLabels: "x"
`,
    "spec.endpointSelector.matchLabels",
  ],
  ["Istio from entry not a map", istio('  rules: [{from: "x"}]'), "spec.rules[0].from"],
  [
    "Istio methods a string",
    istio('  rules: [{to: [{operation: {methods: "GET"}}]}]'),
    "spec.rules[0].to[0].operation.methods",
  ],
  [
    "Istio port not a number",
    istio('  rules: [{to: [{operation: {ports: ["http"]}}]}]'),
    "spec.rules[0].to[0].operation.ports[0]",
  ],
  ["Istio unknown action", istio("  action: REJECT"), "spec.action"],
];

/** A scratch directory with the pod and one policy file; returns the directory and the file. */
function inputs(policy: string): { dir: string; file: string } {
  const dir = scratch();
  writeFileSync(join(dir, "pod.yaml"), POD);
  const file = join(dir, "policy.yaml");
  writeFileSync(file, policy);
  return { dir, file };
}

const COMMANDS: [string, (dir: string) => string[]][] = [
  ["connectivity", (dir) => ["connectivity", "--dir", dir]],
  ["verify", (dir) => ["verify", "--policies", dir, "--inventory", dir, "--flows", FLOWS]],
  ["lint", (dir) => ["lint", dir]],
];

describe("a malformed Cilium or Istio policy is fatal: exit 2, one located message, no stack trace", () => {
  for (const [name, policy, path] of CASES)
    for (const [command, args] of COMMANDS)
      it(`${command}: ${name}`, async () => {
        const { dir, file } = inputs(policy);
        const r = await run(args(dir));
        expect(r.code).toBe(2);
        expect(r.stderr).not.toContain("internal error");
        expect(r.stderr).not.toMatch(/\n\s+at /);
        const lines = problemLines(r.stderr);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`${file}:7`);
        expect(lines[0]).toContain(`(${path})`);
        expect(lines[0]).toContain("error[");
      });

  it("a well-formed policy of the same shapes is read (the cases differ only by their defect)", async () => {
    const good = cilium(
      '  ingress: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{path: "/api/.*"}]}}]}]\n  egress: [{toEntities: [world]}]',
    );
    const { dir } = inputs(good);
    const r = await run(["connectivity", "--dir", dir]);
    expect(r.code).toBe(0);
    expect(problemLines(r.stderr)).toEqual([]);
  });
});
