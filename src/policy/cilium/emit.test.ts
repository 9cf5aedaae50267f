import { describe, expect, it } from "vitest";
import { toYaml } from "../../io/write.js";
import { DEFAULT_DENY_COMMENT, emitCiliumPolicies } from "./emit.js";
import { emptyCiliumPolicySet } from "./parse.js";

describe("Cilium default deny", () => {
  const set = emptyCiliumPolicySet();
  set.layers[0].policies.push({
    kind: "CiliumNetworkPolicy",
    name: "default-deny",
    namespace: "shop",
    subject: { namespaces: { kind: "names", names: ["shop"] }, pods: {} },
    directions: ["ingress", "egress"],
    rules: [],
    origin: {},
  });
  const [obj] = emitCiliumPolicies(set);

  it("is written `[{}]` per direction, each with a comment saying it allows nothing", () => {
    expect(obj.object.spec).toEqual({ endpointSelector: {}, ingress: [{}], egress: [{}] });
    expect(obj.comments).toEqual([
      { path: ["spec", "ingress", 0], text: DEFAULT_DENY_COMMENT },
      { path: ["spec", "egress", 0], text: DEFAULT_DENY_COMMENT },
    ]);
    const yaml = toYaml(obj.object, { comments: obj.comments });
    expect(yaml).toMatch(
      /ingress:\n\s+# default deny: in Cilium this empty rule selects no peer, so it allows nothing.*\n\s+- \{\}/,
    );
  });
});
