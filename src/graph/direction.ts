/**
 * Which flow records are requests (they make edges) and which are replies (they do not).
 */
import type { Flow } from "../model/flow.js";

/** First port of the Linux ephemeral range (net.ipv4.ip_local_port_range default 32768–60999). */
export const EPHEMERAL_PORT_MIN = 32768;

/** The end of the well-known port range (0–1023). */
export const WELL_KNOWN_PORT_END = 1024;

/**
 * The direction of a record.
 *
 * 1. The source says so (`is_reply`, or legacy `reply: true`): believe it.
 * 2. Otherwise a TCP handshake packet decides: SYN alone is a request, SYN+ACK a reply.
 * 3. Otherwise ports decide: a reply goes from the service port to the client's ephemeral port, so
 *    a record whose source port is lower than its destination port and whose destination port is
 *    in the ephemeral range (above every NodePort) is a reply; so is a record from a well-known
 *    port (below 1024) to a port of 1024 or more (clients behind NAT gateways, load balancers and
 *    Windows hosts use 1024–65535: AWS documents 1024–65535 as the ephemeral range to allow in
 *    network ACLs); everything else is a request. Flow logs without TCP flags (AWS VPC v2, GCP,
 *    Zeek OTH) rely on this rule.
 *
 * In the real captures the records without `is_reply` are overlay/stack traces: remote-node →
 * coredns:53, remote-node → health:4240, host → pod health ports (requests, rule 3 keeps them)
 * and ratings:9080 → remote-node:58634, jaeger:14250 → otelcol:39472 (replies, rule 3 drops them).
 */
export function flowDirection(flow: Flow): "request" | "reply" {
  if (flow.isReply !== undefined) return flow.isReply ? "reply" : "request";
  const flags = flow.tcpFlags ?? [];
  if (flags.includes("SYN")) return flags.includes("ACK") ? "reply" : "request";
  const sp = flow.src.port;
  const dp = flow.dst.port;
  if (sp !== undefined && dp !== undefined && sp < dp && dp >= EPHEMERAL_PORT_MIN) return "reply";
  if (sp !== undefined && dp !== undefined && sp < WELL_KNOWN_PORT_END && dp >= WELL_KNOWN_PORT_END)
    return "reply";
  return "request";
}
