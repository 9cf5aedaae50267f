import { describe, expect, it } from "vitest";
import { parseService } from "../../inventory/k8s/services.js";
import type { K8sResource } from "../../inventory/types.js";
import type { Problem } from "../../model/problems.js";
import type { Workload } from "../../model/workload.js";
import { readIngressBackends } from "./backends.js";
import { ingressTargets } from "./ingress.js";

function res(kind: string, apiVersion: string, name: string, spec: unknown): K8sResource {
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: "web" },
    raw: { apiVersion, kind, metadata: { name, namespace: "web" }, spec },
    location: { file: "in.yaml", line: 1 },
  };
}

const svc = res("Service", "v1", "front", {
  selector: { app: "front" },
  ports: [
    { name: "http", port: 80, targetPort: "web" },
    { name: "admin", port: 9000, targetPort: 9090 },
    { name: "dns", port: 53, targetPort: 53, protocol: "UDP" },
  ],
});

const front: Workload = {
  id: "web/front",
  kind: "pod-owner",
  ownerKind: "Deployment",
  namespace: "web",
  name: "front",
  labels: { app: "front", tier: "x" },
  ports: [
    { name: "web", port: 8080, protocol: "TCP" },
    { port: 9090, protocol: "TCP" },
  ],
};

function targets(objects: K8sResource[], workloads: Workload[] = [front]) {
  const problems: Problem[] = [];
  const backends = readIngressBackends(objects, problems);
  const services = [parseService(svc, problems)];
  return { problems, result: ingressTargets({ backends, services, workloads }) };
}

describe("ingress targets", () => {
  it("an Ingress naming a Service port by name reaches the named container port behind it", () => {
    const ing = res("Ingress", "networking.k8s.io/v1", "i", {
      rules: [{ http: { paths: [{ backend: { service: { name: "front", port: { name: "http" } } } }] } }],
    });
    const { result } = targets([ing]);
    expect(result.map((t) => [t.workload.id, t.conns.toString(), t.objects])).toEqual([
      ["web/front", "TCP 8080", ["Ingress web/i"]],
    ]);
  });

  it("a Route without a port opens every TCP target port the workload has; UDP ones are dropped", () => {
    const route = res("Route", "route.openshift.io/v1", "r", { to: { kind: "Service", name: "front" } });
    expect(targets([route]).result[0].conns.toString()).toBe("TCP 8080,9090");
  });

  it("a Route targetPort matches a Service targetPort; a port the pod does not declare opens nothing", () => {
    const route = res("Route", "route.openshift.io/v1", "r", {
      to: { name: "front" },
      port: { targetPort: 9090 },
    });
    expect(targets([route]).result[0].conns.toString()).toBe("TCP 9090");
    const bare = { ...front, ports: [] };
    expect(targets([route], [bare]).result[0].conns.isEmpty()).toBe(true);
  });

  it("a VirtualMachine (no container ports) takes any numbered port", () => {
    const route = res("Route", "route.openshift.io/v1", "r", {
      to: { name: "front" },
      port: { targetPort: 9090 },
    });
    const vm = { ...front, ownerKind: "VirtualMachine", ports: [] };
    expect(targets([route], [vm]).result[0].conns.toString()).toBe("TCP 9090");
  });

  it("a backend that is not a Service is skipped with a warning", () => {
    const route = res("Route", "route.openshift.io/v1", "r", { to: { kind: "Deployment", name: "front" } });
    const { problems, result } = targets([route]);
    expect(result).toEqual([]);
    expect(problems.map((p) => p.severity)).toEqual(["warning"]);
  });
});
