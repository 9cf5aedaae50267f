/** microseg's public library API. */

export type * from "./inventory/types.js";
export * from "./model/flow.js";
export * from "./model/ipset.js";
export * from "./model/labels.js";
export * from "./model/map.js";
export * from "./model/ports.js";
export * from "./model/problems.js";
export * from "./model/workload.js";
export * from "./policy/ir/types.js";
