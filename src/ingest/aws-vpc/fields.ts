/**
 * AWS VPC flow-log field names (v2–v8 and the newer ones), the default v2 order, and layouts: which
 * position of a record holds which field the parser reads.
 */

/** Every field name AWS documents, in the order of the documentation (versions 2–8 and later). */
export const VPC_FIELD_NAMES: readonly string[] = [
  "version",
  "account-id",
  "interface-id",
  "srcaddr",
  "dstaddr",
  "srcport",
  "dstport",
  "protocol",
  "packets",
  "bytes",
  "start",
  "end",
  "action",
  "log-status",
  "vpc-id",
  "subnet-id",
  "instance-id",
  "tcp-flags",
  "type",
  "pkt-srcaddr",
  "pkt-dstaddr",
  "region",
  "az-id",
  "sublocation-type",
  "sublocation-id",
  "pkt-src-aws-service",
  "pkt-dst-aws-service",
  "flow-direction",
  "traffic-path",
  "ecs-cluster-arn",
  "ecs-cluster-name",
  "ecs-container-instance-arn",
  "ecs-container-instance-id",
  "ecs-container-id",
  "ecs-second-container-id",
  "ecs-service-name",
  "ecs-task-definition-arn",
  "ecs-task-arn",
  "ecs-task-id",
  "reject-reason",
  "resource-id",
  "encryption-status",
];

/** The default format: the 14 version-2 fields in order. */
export const VPC_DEFAULT_FIELDS: readonly string[] = VPC_FIELD_NAMES.slice(0, 14);

const KNOWN = new Set(VPC_FIELD_NAMES);

/** The fields the parser reads, as slot numbers (an index into the per-line offset arrays). */
export const Slot = {
  srcaddr: 0,
  dstaddr: 1,
  srcport: 2,
  dstport: 3,
  protocol: 4,
  packets: 5,
  bytes: 6,
  start: 7,
  end: 8,
  action: 9,
  logStatus: 10,
  tcpFlags: 11,
  flowDirection: 12,
  pktSrcaddr: 13,
  pktDstaddr: 14,
  instanceId: 15,
  interfaceId: 16,
  ecsClusterName: 17,
  ecsServiceName: 18,
  ecsTaskId: 19,
  pktSrcAwsService: 20,
  pktDstAwsService: 21,
  rejectReason: 22,
} as const;

/** How many slots there are. */
export const SLOT_COUNT = 23;

const SLOT_OF_FIELD: Readonly<Record<string, number>> = {
  srcaddr: Slot.srcaddr,
  dstaddr: Slot.dstaddr,
  srcport: Slot.srcport,
  dstport: Slot.dstport,
  protocol: Slot.protocol,
  packets: Slot.packets,
  bytes: Slot.bytes,
  start: Slot.start,
  end: Slot.end,
  action: Slot.action,
  "log-status": Slot.logStatus,
  "tcp-flags": Slot.tcpFlags,
  "flow-direction": Slot.flowDirection,
  "pkt-srcaddr": Slot.pktSrcaddr,
  "pkt-dstaddr": Slot.pktDstaddr,
  "instance-id": Slot.instanceId,
  "interface-id": Slot.interfaceId,
  "ecs-cluster-name": Slot.ecsClusterName,
  "ecs-service-name": Slot.ecsServiceName,
  "ecs-task-id": Slot.ecsTaskId,
  "pkt-src-aws-service": Slot.pktSrcAwsService,
  "pkt-dst-aws-service": Slot.pktDstAwsService,
  "reject-reason": Slot.rejectReason,
};

/** A record layout: the field names in order and, per position, the slot it fills (-1: not read). */
export interface VpcLayout {
  fields: readonly string[];
  slotAt: Int8Array;
  /** Where the layout came from, for messages (`the header on line 1`, `--vpc-fields`, `the default v2 format`). */
  source: string;
  /** True when the layout has this slot. */
  has: (slot: number) => boolean;
}

/** Builds a layout from field names (unknown names are kept as columns that are not read). */
export function makeLayout(fields: readonly string[], source: string): VpcLayout {
  const slotAt = new Int8Array(fields.length).fill(-1);
  const present = new Uint8Array(SLOT_COUNT);
  fields.forEach((f, i) => {
    const slot = SLOT_OF_FIELD[f];
    if (slot !== undefined) {
      slotAt[i] = slot;
      present[slot] = 1;
    }
  });
  return { fields, slotAt, source, has: (slot) => present[slot] === 1 };
}

/** `account_id` (Parquet columns) or `${account-id}` (a flow log's LogFormat) → `account-id`. */
export function normaliseFieldName(name: string): string {
  let n = name.trim();
  if (n.startsWith("${") && n.endsWith("}")) n = n.slice(2, -1);
  return n.replaceAll("_", "-").toLowerCase();
}

/**
 * Reads a header line (S3/Firehose delivery writes the field names as the first line) or a
 * `--vpc-fields` value (space- or comma-separated, underscores or `${…}` allowed). Returns the field
 * names, or undefined when the text is not a list of field names (at least two known ones and every
 * name kebab-case; unknown names are allowed for fields AWS adds later).
 */
export function parseFieldList(text: string): string[] | undefined {
  const names = text
    .split(/[\s,]+/)
    .filter((t) => t.length > 0)
    .map(normaliseFieldName);
  if (names.length < 2) return undefined;
  if (!names.every((n) => /^[a-z][a-z0-9-]*$/.test(n))) return undefined;
  const known = names.filter((n) => KNOWN.has(n)).length;
  return known >= 2 && known * 2 >= names.length ? names : undefined;
}

/** True when the name is a documented VPC flow-log field. */
export function isVpcFieldName(name: string): boolean {
  return KNOWN.has(name);
}
