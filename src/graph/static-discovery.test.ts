import { describe, expect, it } from "vitest";
import { corpusPath } from "../../test/helpers/corpus.js";
import { loadK8sInventory, loadK8sInventoryFromText } from "../inventory/k8s/load.js";
import { discoverStaticEdges, parseServiceAddresses } from "./static-discovery.js";

/**
 * The Online Boutique call graph, typed by hand from ../shared/corpus/apps/online-boutique/SOURCE.md
 * ("Call graph"): client → server on the server's TARGET port. shoppingassistantservice is not
 * deployed, so frontend → shoppingassistantservice is absent.
 */
const BOUTIQUE_CALL_GRAPH = [
  "default/cartservice -> default/redis-cart TCP 6379",
  "default/checkoutservice -> default/cartservice TCP 7070",
  "default/checkoutservice -> default/currencyservice TCP 7000",
  "default/checkoutservice -> default/emailservice TCP 8080",
  "default/checkoutservice -> default/paymentservice TCP 50051",
  "default/checkoutservice -> default/productcatalogservice TCP 3550",
  "default/checkoutservice -> default/shippingservice TCP 50051",
  "default/frontend -> default/adservice TCP 9555",
  "default/frontend -> default/cartservice TCP 7070",
  "default/frontend -> default/checkoutservice TCP 5050",
  "default/frontend -> default/currencyservice TCP 7000",
  "default/frontend -> default/productcatalogservice TCP 3550",
  "default/frontend -> default/recommendationservice TCP 8080",
  "default/frontend -> default/shippingservice TCP 50051",
  "default/loadgenerator -> default/frontend TCP 8080",
  "default/recommendationservice -> default/productcatalogservice TCP 3550",
  // frontend-external is a LoadBalancer Service: outside clients reach frontend's target port
  "entity:world -> default/frontend TCP 8080",
];

describe("discoverStaticEdges on online-boutique manifests", () => {
  it("yields exactly the call graph of SOURCE.md, as inferred edges with evidence", async () => {
    const inv = await loadK8sInventory([corpusPath("apps", "online-boutique", "manifests")]);
    const { edges, problems } = discoverStaticEdges(inv);
    const lines = edges.map(
      (e) => `${e.src} -> ${e.dst} ${e.ports.map((p) => `${p.protocol} ${p.port}`).join(",")}`,
    );
    expect(lines).toEqual(BOUTIQUE_CALL_GRAPH);
    for (const e of edges) {
      expect(e.provenance).toBe("inferred");
      expect(e.flows).toBe(0);
    }
    const email = edges.find((e) => e.dst === "default/emailservice")!;
    expect(email.evidence).toEqual([
      expect.stringMatching(
        /manifests\/checkoutservice\.yaml:63 server env EMAIL_SERVICE_ADDR=emailservice:5000$/,
      ),
    ]);
    const load = edges.find((e) => e.src === "default/loadgenerator")!;
    expect(load.evidence!.map((s) => s.replace(/^.*manifests\//, ""))).toEqual([
      "loadgenerator.yaml:69 frontend-check env FRONTEND_ADDR=frontend:80",
      "loadgenerator.yaml:82 main env FRONTEND_ADDR=frontend:80",
    ]);
    expect(problems).toMatchObject([
      {
        code: "env-unresolved",
        severity: "info",
        location: { line: 83 },
        message: expect.stringContaining("SHOPPING_ASSISTANT_SERVICE_ADDR=shoppingassistantservice:80"),
      },
    ]);
  });
});

describe("discoverStaticEdges on bookinfo manifests", () => {
  it("finds nothing: productpage takes its peers from defaults in code, not env", async () => {
    const inv = await loadK8sInventory([corpusPath("apps", "bookinfo", "manifests")]);
    expect(discoverStaticEdges(inv)).toEqual({ edges: [], problems: [] });
  });
});

const APP = `
apiVersion: v1
kind: Namespace
metadata: {name: data}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: app}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api
        env:
        - {name: DB_HOST, value: pg}
        - {name: CACHE_URL, value: "redis://cache.data.svc.cluster.local/0"}
        - {name: SEARCH, value: "http://search.data:9200/idx"}
        - {name: PEERS, value: "worker-0.workers.data.svc.cluster.local:7000,other.example.com:443"}
        - {name: SVC_PORT, value: "8443"}
        - {name: AUTH_ADDR, value: "auth.data.svc:$(SVC_PORT)"}
        - {name: GREETING, value: "hello:world"}
        - {name: MISSING_ADDR, value: "ghost.data:80"}
        - {name: PUBLIC_HOST, value: api}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api-db, namespace: app}
spec:
  template:
    metadata: {labels: {app: pg}}
    spec:
      containers: [{name: pg, image: postgres, ports: [{name: sql, containerPort: 5432}]}]
---
apiVersion: v1
kind: Service
metadata: {name: pg, namespace: app}
spec: {selector: {app: pg}, ports: [{port: 15432, targetPort: sql}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: app}
spec: {selector: {app: api}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: data}
spec:
  template:
    metadata: {labels: {app: cache}}
    spec: {containers: [{name: c, image: redis, ports: [{containerPort: 6379}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: cache, namespace: data}
spec: {selector: {app: cache}, ports: [{port: 6379}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: search, namespace: data}
spec:
  template:
    metadata: {labels: {app: search}}
    spec: {containers: [{name: s, image: es}]}
---
apiVersion: v1
kind: Service
metadata: {name: search, namespace: data}
spec: {selector: {app: search}, ports: [{port: 9200, targetPort: 9201}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: worker, namespace: data}
spec:
  template:
    metadata: {labels: {app: worker}}
    spec: {containers: [{name: w, image: w}]}
---
apiVersion: v1
kind: Service
metadata: {name: workers, namespace: data}
spec: {clusterIP: None, selector: {app: worker}, ports: [{port: 7000, protocol: TCP}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: auth, namespace: data}
spec:
  template:
    metadata: {labels: {app: auth}}
    spec: {containers: [{name: a, image: a}]}
---
apiVersion: v1
kind: Service
metadata: {name: auth, namespace: data}
spec: {selector: {app: auth}, ports: [{port: 8443, targetPort: 443}]}
`;

describe("discoverStaticEdges address forms", () => {
  it("resolves bare names, URLs, cluster names, pod DNS names and $(VAR) references", () => {
    const inv = loadK8sInventoryFromText([{ file: "app.yaml", text: APP }]);
    const { edges, problems } = discoverStaticEdges(inv);
    expect(
      edges.map((e) => `${e.src} -> ${e.dst} ${e.ports.map((p) => `${p.protocol} ${p.port}`).join(",")}`),
    ).toEqual([
      "app/api -> app/api-db TCP 5432",
      "app/api -> data/auth TCP 443",
      "app/api -> data/cache TCP 6379",
      "app/api -> data/search TCP 9201",
      "app/api -> data/worker TCP 7000",
    ]);
    expect(edges.find((e) => e.dst === "data/auth")!.evidence).toEqual([
      expect.stringMatching(/^app\.yaml:\d+ api env AUTH_ADDR=auth\.data\.svc:\$\(SVC_PORT\)$/),
    ]);
    expect(problems.map((p) => p.message)).toEqual([
      "app/api container api env MISSING_ADDR=ghost.data:80: no Service data/ghost in the inventory",
    ]);
  });

  it("parses host[:port] candidates out of env values", () => {
    expect(parseServiceAddresses("http://user:pw@svc.ns:8080/path?q=1")).toEqual([
      { host: "svc.ns", port: 8080, scheme: "http" },
    ]);
    expect(parseServiceAddresses("https://svc")).toEqual([{ host: "svc", port: 443, scheme: "https" }]);
    expect(parseServiceAddresses("a:1, b:2")).toEqual([
      { host: "a", port: 1 },
      { host: "b", port: 2 },
    ]);
    expect(parseServiceAddresses("10.0.0.1:80")).toEqual([]);
    expect(parseServiceAddresses("localhost:80")).toEqual([]);
    expect(parseServiceAddresses("Some_Value:x")).toEqual([]);
  });
});

describe("workloads exposed outside the cluster", () => {
  const deploy = (name: string, port: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: web}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: main
          image: x
          ports: [{name: http, containerPort: ${port}}]
`;
  const service = (name: string, type: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: web}
spec:
  type: ${type}
  selector: {app: ${name}}
  ports: [{name: web, port: 80, targetPort: http}, {name: admin, port: 81, targetPort: 9000}]
`;
  const text = [
    deploy("shop", 8080),
    service("shop", "NodePort"),
    deploy("api", 3000),
    service("api", "ClusterIP"),
    deploy("internal", 4000),
    service("internal", "ClusterIP"),
    `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: public, namespace: web}
spec:
  rules:
    - http:
        paths:
          - path: /api
            pathType: Prefix
            backend: {service: {name: api, port: {number: 80}}}
`,
  ].join("---\n");
  const inv = loadK8sInventoryFromText([{ file: "app.yaml", text }]);
  const { edges } = discoverStaticEdges(inv);
  const world = edges.filter((e) => e.src === "entity:world");

  it("a NodePort Service exposes each of its target ports; an Ingress only the backend port it names", () => {
    expect(world.map((e) => `${e.dst} ${e.ports.map((p) => p.port).join(",")}`)).toEqual([
      "web/api 3000",
      "web/shop 8080,9000",
    ]);
    expect(world.every((e) => e.provenance === "inferred" && e.flows === 0)).toBe(true);
  });

  it("names the exposing object and its place as evidence; a ClusterIP Service exposes nothing", () => {
    expect(world.find((e) => e.dst === "web/shop")?.evidence).toEqual([
      expect.stringMatching(/^Service shop type NodePort \(app\.yaml:\d+\)$/),
    ]);
    expect(world.find((e) => e.dst === "web/api")?.evidence).toEqual([
      expect.stringMatching(/^Ingress public backend api \(app\.yaml:\d+\)$/),
    ]);
    expect(world.some((e) => e.dst === "web/internal")).toBe(false);
  });
});
