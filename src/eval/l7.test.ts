import { afterEach, describe, expect, it } from "vitest";
import { MicrosegError } from "../model/problems.js";
import type { HttpMatch, PolicySet, Rule } from "../policy/ir/types.js";
import type { IpEndpoint } from "./endpoint.js";
import { createEvaluator } from "./evaluate.js";
import { compileHttpMatch } from "./l7.js";
import { ip, pod } from "./test-support.js";

const client = pod("ns1", "client", { app: "client" });
const server = pod("ns1", "server", { app: "server" });

function rule(direction: Rule["direction"], extra: Partial<Rule>): Rule {
  return {
    direction,
    action: "allow",
    peers: [{ kind: "any" }],
    ports: "any",
    origin: { policyKind: "Test", policyName: "p", ruleIndex: 0, direction },
    ...extra,
  };
}

function ciliumSet(rules: Rule[], app: string, directions: Rule["direction"][]): PolicySet {
  return {
    target: "test",
    layers: [
      {
        stage: "cilium",
        combining: "deny-overrides",
        policies: [
          {
            kind: "Test",
            name: "p",
            subject: { namespaces: { kind: "all" }, pods: { matchLabels: { app } } },
            directions,
            rules,
            origin: {},
          },
        ],
      },
    ],
  };
}

const realRegExp = globalThis.RegExp;

/** Counts `new RegExp(…)` calls while `body` runs (regex literals do not go through it). */
function countRegExps(body: () => void): number {
  let count = 0;
  class Counting extends realRegExp {
    constructor(...args: ConstructorParameters<typeof RegExp>) {
      super(...args);
      count++;
    }
  }
  globalThis.RegExp = Counting as RegExpConstructor;
  try {
    body();
  } finally {
    globalThis.RegExp = realRegExp;
  }
  return count;
}

afterEach(() => {
  globalThis.RegExp = realRegExp;
});

describe("L7 and FQDN patterns are compiled once, with the policy set", () => {
  it("evaluating HTTP requests against Cilium regexes builds no RegExp", () => {
    const http: HttpMatch[] = [
      { method: "GET|HEAD", methodKind: "regex", path: "/api/v[0-9]+/.*", pathKind: "regex" },
    ];
    const ev = createEvaluator(ciliumSet([rule("ingress", { http })], "server", ["ingress"]));
    const ask = (method: string, path: string) =>
      ev.evaluate({ src: client, dst: server, protocol: "TCP", port: 80, http: { method, path } }).allowed;
    const built = countRegExps(() => {
      for (let i = 0; i < 50; i++) {
        expect(ask("GET", "/api/v1/users")).toBe(true);
        expect(ask("POST", "/api/v1/users")).toBe(false);
        expect(ask("HEAD", "/api/vx/users")).toBe(false);
      }
    });
    expect(built).toBe(0);
  });

  it("evaluating toFQDNs patterns builds no RegExp", () => {
    const peers: Rule["peers"] = [{ kind: "fqdn", patterns: ["*.example.com"] }];
    const ev = createEvaluator(ciliumSet([rule("egress", { peers })], "client", ["egress"]));
    const dst = (name: string): IpEndpoint => ({ ...ip("203.0.113.7"), names: [name] });
    const built = countRegExps(() => {
      for (let i = 0; i < 50; i++) {
        expect(
          ev.evaluate({ src: client, dst: dst("api.example.com."), protocol: "TCP", port: 443 }).allowed,
        ).toBe(true);
        expect(
          ev.evaluate({ src: client, dst: dst("example.org"), protocol: "TCP", port: 443 }).allowed,
        ).toBe(false);
      }
    });
    expect(built).toBe(0);
  });

  it("an invalid regex in the IR fails when the set is compiled, not silently per request", () => {
    const http: HttpMatch[] = [{ path: "(", pathKind: "regex" }];
    expect(() => createEvaluator(ciliumSet([rule("ingress", { http })], "server", ["ingress"]))).toThrow(
      MicrosegError,
    );
  });
});

describe("compileHttpMatch", () => {
  const table: [HttpMatch, { method: string; path: string; host?: string }, boolean][] = [
    [{ path: "/a.*", pathKind: "regex" }, { method: "GET", path: "/abc" }, true],
    [{ path: "/a", pathKind: "regex" }, { method: "GET", path: "/abc" }, false],
    [{ path: "/api", pathKind: "prefix" }, { method: "GET", path: "/api/x" }, true],
    [{ host: "Example.COM" }, { method: "GET", path: "/", host: "example.com" }, true],
    [{ host: "example.com" }, { method: "GET", path: "/" }, false],
    [
      { host: ".*\\.example\\.com", hostKind: "regex" },
      { method: "GET", path: "/", host: "API.example.com" },
      true,
    ],
    [
      { method: "GET", except: [{ path: "/admin", pathKind: "prefix" }] },
      { method: "GET", path: "/admin/x" },
      false,
    ],
  ];
  for (const [m, req, expected] of table)
    it(`${JSON.stringify(m)} ${expected ? "matches" : "does not match"} ${JSON.stringify(req)}`, () => {
      expect(compileHttpMatch(m)(req)).toBe(expected);
    });
});
