/**
 * L7 learning on real records: Hubble L7 captures (bookinfo HTTP, DNS) and Istio/Envoy access logs
 * (../shared/corpus/flows/istio-envoy), plus the template conversions the Cilium and Istio
 * emitters use.
 */
import { describe, expect, it } from "vitest";
import { discoverMap } from "../../src/cli/commands/discover.js";
import { templatePath, templateToIstioPath, templateToRegex } from "../../src/graph/http-template.js";
import { capEdgeTemplates, commonPrefixTemplate, grpcMethod, learnL7 } from "../../src/graph/l7.js";
import { corpusPath } from "../helpers/corpus.js";

const quiet = () => {};

describe("L7 learning on the bookinfo Hubble captures", () => {
  it("learns methods and id-collapsed path templates per edge", async () => {
    const map = await discoverMap({ flows: [corpusPath("flows", "hubble")], log: quiet });
    const l7 = learnL7(map);
    const http = (src: string, dst: string) =>
      l7.map.edges.find((e) => e.src === src && e.dst === dst)?.http?.map((h) => `${h.method} ${h.path}`);
    expect(http("bookinfo/productpage-v1", "bookinfo/details-v1")).toEqual(["GET /details/{id}"]);
    expect(http("bookinfo/reviews-v2", "bookinfo/ratings-v1")).toEqual(["GET /ratings/{id}"]);
    expect(l7.widenings).toEqual([]);
  });

  it("widens beyond the cap and reports it", async () => {
    const map = await discoverMap({ flows: [corpusPath("flows", "hubble")], log: quiet });
    const edge = map.edges.find((e) => (e.http?.length ?? 0) > 0)!;
    const many = {
      ...edge,
      http: ["/api/products/{id}", "/api/cart", "/api/orders/{id}"].map((path) => ({ method: "GET", path })),
    };
    const capped = capEdgeTemplates(many, 2);
    expect(capped.http).toEqual([{ method: "GET", path: "/api/*" }]);
    expect(capped.widenings).toEqual([
      { src: edge.src, dst: edge.dst, method: "GET", templates: 3, prefix: "/api/*" },
    ]);
  });

  it("collects the external names each workload queried (Hubble DNS records)", async () => {
    const map = await discoverMap({ flows: [corpusPath("flows", "hubble")], log: quiet });
    const l7 = learnL7(map);
    const all = [...l7.externalNames.values()].flat();
    expect(all.some((n) => n.endsWith(".cluster.local"))).toBe(false);
    const queried = (map.dns ?? []).find((d) => d.workload === "bookinfo/productpage-v1")?.names;
    expect(queried).toContain("details.bookinfo.svc.cluster.local");
    // productpage looked up cluster services only: no FQDN candidates
    expect(l7.externalNames.has("bookinfo/productpage-v1")).toBe(false);
  });
});

describe("L7 learning on Istio/Envoy access logs", () => {
  it("learns the bookinfo HTTP calls from the sidecars' records", async () => {
    const map = await discoverMap({
      flows: [corpusPath("flows", "istio-envoy", "elastic-integrations-istio-access-text-bookinfo.log")],
      log: quiet,
    });
    const http = learnL7(map).map.edges.flatMap((e) => (e.http ?? []).map((h) => `${h.method} ${h.path}`));
    expect(http.length).toBeGreaterThan(0);
    expect(http.every((h) => /^[A-Z]+ \//.test(h))).toBe(true);
    expect(
      http.some(
        (h) =>
          h.includes("{id}") ||
          h.includes("/productpage") ||
          h.includes("/details") ||
          h.includes("/reviews"),
      ),
    ).toBe(true);
  });
});

describe("templates and gRPC", () => {
  it.each([
    ["/hipstershop.CartService/AddItem", { service: "hipstershop.CartService", method: "AddItem" }],
    ["/grpc.health.v1.Health/Check", { service: "grpc.health.v1.Health", method: "Check" }],
    ["/api/products/1", undefined],
    ["/NoPackage/Method", undefined],
  ])("grpcMethod(%s)", (path, want) => {
    expect(grpcMethod(path)).toEqual(want);
  });

  it("common prefixes stop at the first identifier", () => {
    expect(commonPrefixTemplate(["/api/a/{id}", "/api/a/b"])).toBe("/api/a/*");
    expect(commonPrefixTemplate(["/x", "/y"])).toBe("*");
    expect(commonPrefixTemplate(["/v1/{id}/a", "/v1/{id}/b"])).toBe("/v1/*");
  });

  it("Cilium regexes are anchored by full match and escaped", () => {
    expect(templateToRegex("/v1/request-landing")).toBe("/v1/request-landing");
    expect(templateToRegex("/details/{id}")).toBe("/details/[^/]+");
    expect(templateToRegex("/static/app.js")).toBe("/static/app\\.js");
    expect(templateToRegex("/api/*")).toBe("/api/.*");
    expect(new RegExp(`^(?:${templateToRegex(templatePath("/details/7"))})$`).test("/details/7")).toBe(true);
  });

  it("Istio paths have no inner wildcard: identifiers widen to a prefix", () => {
    expect(templateToIstioPath("/details/{id}")).toEqual({ path: "/details/*", widened: true });
    expect(templateToIstioPath("/productpage")).toEqual({ path: "/productpage", widened: false });
    expect(templateToIstioPath("/api/*")).toEqual({ path: "/api/*", widened: false });
  });
});
