import { describe, expect, it } from "vitest";
import { endpointLabel, entityEndpoint } from "./endpoint.js";
import { entityMatches } from "./peers.js";
import { ip, pod } from "./test-support.js";

describe("entityMatches: world and its address families", () => {
  const v4 = ip("8.8.8.8");
  const v6 = ip("2001:db8::1");
  const a = pod("ns1", "a", { app: "a" });
  const table: [string, Parameters<typeof entityMatches>[1], boolean][] = [
    ["world-ipv4", v4, true],
    ["world-ipv4", v6, false],
    ["world-ipv4", a, false],
    ["world-ipv4", entityEndpoint("world-ipv4"), true],
    ["world-ipv4", entityEndpoint("world-ipv6"), false],
    ["world-ipv4", entityEndpoint("host"), false],
    ["world-ipv6", v6, true],
    ["world-ipv6", v4, false],
    ["world-ipv6", a, false],
    ["world-ipv6", entityEndpoint("world-ipv6"), true],
    ["world", v4, true],
    ["world", v6, true],
    ["world", a, false],
    ["world", entityEndpoint("world"), true],
    ["world", entityEndpoint("world-ipv4"), true],
    ["world", entityEndpoint("world-ipv6"), true],
    ["world", entityEndpoint("constructor"), false],
    ["cluster", v4, false],
  ];
  for (const [entity, endpoint, expected] of table)
    it(`${entity} ${expected ? "matches" : "does not match"} ${endpointLabel(endpoint)}`, () => {
      expect(entityMatches(entity, endpoint)).toBe(expected);
    });
});
