import { describe, expect, it } from "vitest";
import type { ConnectivityPair } from "../analysis/connectivity/connectivity.js";
import { ConnSet, PortSet } from "../model/ports.js";
import { renderConnlistCsv, renderConnlistJson, renderConnlistMd, renderConnlistTxt } from "./connlist.js";
import { renderConnlistDot } from "./connlist-dot.js";

const conns = ConnSet.of([
  [
    "TCP",
    PortSet.of([
      { from: 80, to: 80 },
      { from: 8080, to: 8090 },
    ]),
  ],
  ["UDP", PortSet.single(53)],
]);
const pairs: ConnectivityPair[] = [
  { src: "0.0.0.0-9.255.255.255[External]", dst: "a/x[Deployment]", conns },
  { src: "a/x[Deployment]", dst: "b/y[Pod]", conns: ConnSet.ALL },
];

describe("connlist renderers", () => {
  it("txt: lines with conns, or pairs under a header with a focus connection", () => {
    expect(renderConnlistTxt(pairs)).toBe(
      "0.0.0.0-9.255.255.255[External] => a/x[Deployment] : TCP 80,8080-8090,UDP 53\n" +
        "a/x[Deployment] => b/y[Pod] : All Connections\n",
    );
    expect(renderConnlistTxt(pairs, { focusConn: "TCP 80" })).toBe(
      "Permitted connections on TCP 80:\n0.0.0.0-9.255.255.255[External] => a/x[Deployment]\na/x[Deployment] => b/y[Pod]\n",
    );
  });

  it("json drops conn with a focus connection", () => {
    expect(JSON.parse(renderConnlistJson(pairs, { focusConn: "TCP 80" }))[1]).toEqual({
      src: "a/x[Deployment]",
      dst: "b/y[Pod]",
    });
  });

  it("csv quotes fields with commas; md is a table", () => {
    expect(renderConnlistCsv(pairs).split("\n")).toEqual([
      "src,dst,conn",
      '0.0.0.0-9.255.255.255[External],a/x[Deployment],"TCP 80,8080-8090,UDP 53"',
      "a/x[Deployment],b/y[Pod],All Connections",
      "",
    ]);
    expect(renderConnlistMd(pairs).split("\n").slice(0, 3)).toEqual([
      "| src | dst | conn |",
      "|-----|-----|------|",
      "| 0.0.0.0-9.255.255.255[External] | a/x[Deployment] | TCP 80,8080-8090,UDP 53 |",
    ]);
  });

  it("dot groups workloads by namespace and keeps workloads without edges", () => {
    const dot = renderConnlistDot(pairs, [
      { id: "a/x[Deployment]", namespace: "a", label: "x[Deployment]" },
      { id: "a/lonely[Pod]", namespace: "a", label: "lonely[Pod]" },
      { id: "b/y[Pod]", namespace: "b", label: "y[Pod]" },
    ]);
    expect(dot).toContain('\tsubgraph "cluster_a" {\n\t\t"a/lonely[Pod]" [label="lonely[Pod]"');
    expect(dot).toContain(
      '"0.0.0.0-9.255.255.255[External]" [label="0.0.0.0-9.255.255.255[External]" color="red2"',
    );
    expect(dot).toContain('"a/x[Deployment]" -> "b/y[Pod]" [label="All Connections"');
  });
});
