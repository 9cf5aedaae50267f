import { describe, expect, it } from "vitest";
import { MicrosegError } from "../../model/problems.js";
import { displayName } from "../../model/workload.js";
import { assertInventoryValid, loadK8sInventory, loadK8sInventoryFromText } from "./load.js";

const DEPLOY_WITH_PODS = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: payments}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      serviceAccountName: web-sa
      initContainers:
      - name: wait
        image: busybox
      containers:
      - name: main
        image: web:1
        ports:
        - {name: http, containerPort: 8080}
        - {containerPort: 9090, protocol: UDP}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d4f8
  namespace: shop
  ownerReferences: [{kind: Deployment, name: web, controller: true}]
spec:
  template:
    metadata: {labels: {app: web, tier: front, pod-template-hash: 5d4f8}}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d4f8-abcde
  namespace: shop
  labels: {app: web, tier: front, pod-template-hash: 5d4f8}
  creationTimestamp: "2024-01-01T00:00:00Z"
  deletionTimestamp: "2024-01-02T00:00:00Z"
  ownerReferences: [{kind: ReplicaSet, name: web-5d4f8, controller: true}]
spec:
  containers: [{name: main, image: web:1}]
status:
  podIP: 10.0.0.5
  podIPs: [{ip: 10.0.0.5}, {ip: "fd00::5"}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {port: 9090, protocol: UDP}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: shop}
spec:
  selector: {app: other}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: elsewhere}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;

describe("loadK8sInventoryFromText", () => {
  it("names a workload by its top-most owner and reads its template", () => {
    const inv = loadK8sInventoryFromText([{ file: "shop.yaml", text: DEPLOY_WITH_PODS }]);
    expect(inv.workloads.map((w) => displayName(w))).toEqual(["shop/web[Deployment]"]);
    const w = inv.workloads[0];
    expect(w).toMatchObject({
      id: "shop/web",
      kind: "pod-owner",
      namespace: "shop",
      name: "web",
      serviceAccount: "web-sa",
      labels: { app: "web", tier: "front" },
      namespaceLabels: { team: "payments", "kubernetes.io/metadata.name": "shop" },
      images: ["busybox", "web:1"],
      ports: [
        { name: "http", port: 8080, protocol: "TCP" },
        { port: 9090, protocol: "UDP" },
      ],
      addresses: ["10.0.0.5", "fd00::5"],
      source: "shop.yaml:8",
    });
    expect(w.services).toEqual([
      {
        name: "web",
        namespace: "shop",
        type: "ClusterIP",
        ports: [
          { name: "http", port: 80, targetPort: 8080, protocol: "TCP" },
          { port: 9090, targetPort: 9090, protocol: "UDP" },
        ],
      },
    ]);
    expect(inv.bindings).toEqual([
      {
        ip: "10.0.0.5",
        workloadId: "shop/web",
        from: Date.parse("2024-01-01T00:00:00Z"),
        to: Date.parse("2024-01-02T00:00:00Z"),
        source: "shop.yaml:37",
      },
      expect.objectContaining({ ip: "fd00::5", workloadId: "shop/web" }),
    ]);
    expect([...inv.namespaces.keys()]).toEqual(["elsewhere", "shop"]);
    expect(inv.namespaces.get("elsewhere")).toEqual({ "kubernetes.io/metadata.name": "elsewhere" });
    expect(inv.resources.map((r) => r.kind)).toEqual([
      "Namespace",
      "Deployment",
      "ReplicaSet",
      "Pod",
      "Service",
      "Service",
      "Service",
    ]);
    expect(inv.problems).toEqual([]);
    expect(inv.workloadResources?.get("shop/web")?.map((r) => r.metadata.name)).toEqual([
      "web",
      "web-5d4f8",
      "web-5d4f8-abcde",
    ]);
  });

  it("keeps pods of an absent owner under that owner; a bare pod is a [Pod]; CronJob → Job → Pod", () => {
    const text = `
kind: Pod
apiVersion: v1
metadata:
  name: cart-74f56fd4b-8fjzp
  labels: {app: cart, pod-template-hash: 74f56fd4b}
  ownerReferences: [{kind: ReplicaSet, name: cart-74f56fd4b}]
spec: {containers: [{name: c, image: cart}]}
---
kind: Pod
apiVersion: v1
metadata: {name: debug, labels: {run: debug}}
---
kind: CronJob
apiVersion: batch/v1
metadata: {name: report, namespace: jobs}
spec:
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: report}}
        spec: {serviceAccount: reporter, containers: [{name: r, image: rep}]}
---
kind: Job
apiVersion: batch/v1
metadata:
  name: report-2790
  namespace: jobs
  ownerReferences: [{kind: CronJob, name: report, controller: true}]
---
kind: Pod
apiVersion: v1
metadata:
  name: report-2790-x1
  namespace: jobs
  labels: {app: report, job-name: report-2790, controller-uid: abc}
  ownerReferences: [{kind: Job, name: report-2790, controller: true}]
---
kind: Pod
apiVersion: v1
metadata:
  name: mirror
  namespace: kube-system
  ownerReferences: [{kind: Node, name: node-1}]
`;
    const inv = loadK8sInventoryFromText([{ file: "m.yaml", text }]);
    expect(
      inv.workloads.map((w) => `${displayName(w)} ${JSON.stringify(w.labels)} ${w.serviceAccount}`),
    ).toEqual([
      'default/cart-74f56fd4b[ReplicaSet] {"app":"cart"} default',
      'default/debug[Pod] {"run":"debug"} default',
      'jobs/report[CronJob] {"app":"report"} reporter',
      "kube-system/mirror[Pod] {} default",
    ]);
  });

  it("reports unknown kinds (info), bad resources (error, with line) and label gaps (warning)", () => {
    const text = `
kind: ConfigMap
apiVersion: v1
metadata: {name: cfg}
---
apiVersion: v1
metadata: {name: nokind}
---
kind: Pod
apiVersion: v1
metadata: {labels: {a: b}}
---
[1, 2]
---
kind: Pod
apiVersion: v1
metadata:
  name: d-1
  labels: {app: d, v: "1"}
  ownerReferences: [{kind: DaemonSet, name: d}]
---
kind: Pod
apiVersion: v1
metadata:
  name: d-2
  labels: {app: d, v: "2"}
  ownerReferences: [{kind: DaemonSet, name: d}]
spec:
  containers:
  - name: c
    ports:
    - containerPort: "http"
`;
    const inv = loadK8sInventoryFromText([{ file: "bad.yaml", text }]);
    const summary = inv.problems.map((p) => `${p.severity} ${p.code} ${p.location?.line}`);
    expect(summary).toEqual([
      "error resource-invalid 6",
      "error resource-invalid 11",
      "warning resource-invalid 13",
      "info resource-unknown-kind 2",
      "error resource-invalid 15", // pod d-1 has no spec.containers
      "error resource-invalid 32",
      "warning owner-labels-differ 22",
    ]);
    expect(inv.resources.map((r) => r.kind)).toEqual(["ConfigMap", "Pod", "Pod"]);
    expect(inv.workloads.map((w) => `${displayName(w)} ${w.labels.v}`)).toEqual(["default/d[DaemonSet] 1"]);
    expect(() => assertInventoryValid(inv)).toThrow(MicrosegError);
    try {
      assertInventoryValid(inv);
    } catch (e) {
      expect((e as MicrosegError).problems).toHaveLength(4);
      expect((e as MicrosegError).message).toContain(
        "bad.yaml:6: error[resource-invalid]: resource without kind",
      );
    }
  });
});

describe("loadK8sInventory", () => {
  it("fails on a missing path with file-unreadable", async () => {
    await expect(loadK8sInventory(["/nonexistent/manifests"])).rejects.toThrow(
      /file-unreadable.*does not exist/,
    );
  });
});
