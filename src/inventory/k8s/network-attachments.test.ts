import { describe, expect, it } from "vitest";
import { resourceOf } from "../../eval/test-support.js";
import type { Problem } from "../../model/problems.js";
import { readNetworkAttachments } from "./network-attachments.js";

const podWith = (networks: string) =>
  resourceOf({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "app", annotations: { "k8s.v1.cni.cncf.io/networks": networks } },
    spec: { containers: [{ name: "c" }] },
  });

describe("readNetworkAttachments", () => {
  it("reads the comma list form (namespace and interface optional)", () => {
    expect(readNetworkAttachments([podWith("net-a, other/net-b@eth2")], [])).toEqual([
      { namespace: "app", name: "net-a", addresses: [] },
      { namespace: "other", name: "net-b", addresses: [] },
    ]);
  });

  it("reads the JSON form with ips, merging repeated NADs", () => {
    const json =
      '[{"name":"m","namespace":"default","interface":"l1","ips":["2.2.5.11/24"]},{"name":"m","namespace":"default","interface":"l2"},{"name":"b"}]';
    expect(readNetworkAttachments([podWith(json)], [])).toEqual([
      { namespace: "app", name: "b", addresses: [] },
      { namespace: "default", name: "m", addresses: ["2.2.5.11"] },
    ]);
  });

  it("warns about a malformed JSON list", () => {
    const problems: Problem[] = [];
    expect(readNetworkAttachments([podWith("[{oops")], problems)).toEqual([]);
    expect(problems.map((p) => p.severity)).toEqual(["warning"]);
  });

  it("reads a Deployment's pod template annotation", () => {
    const dep = resourceOf({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "app" },
      spec: { template: { metadata: { annotations: { "k8s.v1.cni.cncf.io/networks": "n1" } } } },
    });
    expect(readNetworkAttachments([dep], []).map((a) => `${a.namespace}/${a.name}`)).toEqual(["app/n1"]);
  });

  it("reads a VirtualMachine's multus networks and cloud-init addresses (not the default network)", () => {
    const vm = resourceOf({
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name: "vm1", namespace: "app" },
      spec: {
        template: {
          spec: {
            networks: [
              { name: "default", pod: {} },
              { name: "x", multus: { networkName: "flat" } },
              { name: "y", multus: { networkName: "prim", default: true } },
            ],
            volumes: [
              {
                name: "ci",
                cloudInitNoCloud: {
                  networkData: "ethernets:\n  eth1:\n    addresses:\n    - 10.200.0.1/24\nversion: 2\n",
                },
              },
            ],
          },
        },
      },
    });
    expect(readNetworkAttachments([vm], [])).toEqual([
      { namespace: "app", name: "flat", addresses: ["10.200.0.1"] },
    ]);
  });
});
