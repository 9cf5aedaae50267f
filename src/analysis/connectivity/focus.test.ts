import { describe, expect, it } from "vitest";
import { ConnSet, PortSet } from "../../model/ports.js";
import type { ConnectivityPair } from "./connectivity.js";
import { focusPairs, parseFocusConn, unknownFocusNames } from "./focus.js";

const names = new Map([
  ["a/x[Deployment]", { namespace: "a", name: "x" }],
  ["b/y[Pod]", { namespace: "b", name: "y" }],
  ["b/z[Pod]", { namespace: "b", name: "z" }],
]);
const tcp80 = ConnSet.of([["TCP", PortSet.single(80)]]);
const pair = (src: string, dst: string, conns = ConnSet.ALL): ConnectivityPair => ({ src, dst, conns });
const pairs = [
  pair("0.0.0.0-255.255.255.255[External]", "a/x[Deployment]"),
  pair("a/x[Deployment]", "b/y[Pod]", tcp80),
  pair("b/y[Pod]", "a/x[Deployment]"),
  pair("b/y[Pod]", "b/z[Pod]"),
  pair("{ingress-controller}", "b/z[Pod]", tcp80),
];
const lines = (ps: ConnectivityPair[]) => ps.map((p) => `${p.src} => ${p.dst}`);

describe("focus options", () => {
  it("parses tcp-80 and rejects other shapes", () => {
    expect(parseFocusConn("udp-52")).toEqual({ protocol: "UDP", port: 52 });
    expect(parseFocusConn("icmp-1")).toBeUndefined();
    expect(parseFocusConn("tcp-0")).toBeUndefined();
    expect(parseFocusConn("tcp80")).toBeUndefined();
  });

  it("a focus workload (by name or ns/name) keeps pairs with it at either end", () => {
    expect(lines(focusPairs(pairs, { workloads: ["x"] }, names))).toEqual([
      "0.0.0.0-255.255.255.255[External] => a/x[Deployment]",
      "a/x[Deployment] => b/y[Pod]",
      "b/y[Pod] => a/x[Deployment]",
    ]);
    expect(focusPairs(pairs, { workloads: ["b/x"] }, names)).toEqual([]);
  });

  it("direction and peers narrow it; ingress-controller is a focus name", () => {
    expect(lines(focusPairs(pairs, { workloads: ["x"], direction: "egress" }, names))).toEqual([
      "a/x[Deployment] => b/y[Pod]",
    ]);
    expect(lines(focusPairs(pairs, { workloads: ["y"], peers: ["z"] }, names))).toEqual([
      "b/y[Pod] => b/z[Pod]",
    ]);
    expect(lines(focusPairs(pairs, { workloads: ["ingress-controller"] }, names))).toEqual([
      "{ingress-controller} => b/z[Pod]",
    ]);
  });

  it("a focus connection keeps the pairs that allow it", () => {
    expect(lines(focusPairs(pairs, { conn: { protocol: "TCP", port: 80 } }, names))).toHaveLength(5);
    expect(lines(focusPairs(pairs, { conn: { protocol: "TCP", port: 81 } }, names))).toEqual([
      "0.0.0.0-255.255.255.255[External] => a/x[Deployment]",
      "b/y[Pod] => a/x[Deployment]",
      "b/y[Pod] => b/z[Pod]",
    ]);
  });

  it("names that match nothing are reported", () => {
    expect(unknownFocusNames(["x", "nope", "ingress-controller"], names, false)).toEqual([
      "nope",
      "ingress-controller",
    ]);
  });
});
