/**
 * Azure NSG flow logs (v1/v2, category NetworkSecurityGroupFlowEvent) and VNet flow logs (v4,
 * category FlowLogFlowEvent). A blob (`PT1H.json`) is one JSON document `{"records":[…]}`, usually
 * not one record per line, so this is a document format, streamed record by record (each element
 * of `records` on its own); files with one document or one bare record per line (Event Hub / test
 * exports) are read the same way.
 *
 * Tuples: NSG `ts(s),src,dst,sport,dport,T|U,I|O,A|D[,B|C|E,pktsS2D,bytesS2D,pktsD2S,bytesD2S]`;
 * VNet `ts(ms),src,dst,sport,dport,IANA proto,I|O,B|C|E|D,encryption,pktsS2D,bytesS2D,pktsD2S,bytesD2S`.
 * A (allowed) and states B/C/E are forwarded; NSG D (denied) and VNet state D are dropped, with the
 * rule as the reason and policy. src/dst of a tuple are the connection's initiator and responder
 * (`isReply: false`). Every tuple is one record: a long connection appears as B, C…, E tuples.
 * The MAC address of the NIC goes to the VM's side as a hint (dst for I, src for O).
 */
import type { Flow, FlowEndpoint } from "../../model/flow.js";
import { countOf, ianaProtocolName, normaliseProtocol, portOf } from "../common.js";
import { type JsonChunk, parseChunk, parseJsonDocumentText } from "../json-doc.js";
import {
  type FlowFormat,
  type FlowParseResult,
  type FlowParser,
  isFlowSkip,
  type JsonDocumentReader,
  type LocatedParseResult,
  malformed,
} from "../types.js";

/** The format name `--format` takes. */
export const AZURE_FORMAT_NAME = "azure-flow-logs";

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** One flow tuple with what the record around it says. */
interface TupleContext {
  vnet: boolean;
  rule: string;
  mac?: string;
  /** The NSG (last segment of resourceId) or the ACL id. */
  acl?: string;
}

/** Converts one tuple string into a Flow (or a malformed record). */
export function convertAzureTuple(tuple: string, ctx: TupleContext, origin: Flow["origin"]): FlowParseResult {
  const f = tuple.split(",");
  if (f.length < 8) return malformed(`a flow tuple has at least 8 fields, found ${f.length}: "${tuple}"`);
  const ts = Number(f[0]);
  if (!Number.isFinite(ts) || f[0] === "")
    return malformed(`a flow tuple starts with a timestamp, found "${f[0]}"`);
  const protocol = ctx.vnet ? ianaProtocolName(Number(f[5])) : normaliseProtocol(f[5]);
  const src: FlowEndpoint = { ip: f[1] };
  const dst: FlowEndpoint = { ip: f[2] };
  if (protocol === "TCP" || protocol === "UDP") {
    const sp = portOf(f[3]);
    const dp = portOf(f[4]);
    if (sp !== undefined) src.port = sp;
    if (dp !== undefined) dst.port = dp;
  }
  // NSG: field 8 is the decision (A|D); VNet: field 8 is the state (B|C|E|D, D = denied)
  const denied = f[7] === "D";
  const flow: Flow = {
    time: ctx.vnet ? ts : ts * 1000,
    src,
    dst,
    protocol,
    verdict: denied ? "dropped" : "forwarded",
    rawVerdict: ctx.vnet ? f[7] : `${f[7]}${f[8] ? ` ${f[8]}` : ""}`,
    isReply: false,
    origin,
  };
  if (f[6] === "I") flow.direction = "ingress";
  else if (f[6] === "O") flow.direction = "egress";
  const policy = ctx.acl ? `${ctx.acl}/${ctx.rule}` : ctx.rule;
  if (ctx.rule) flow.policies = [policy];
  if (denied) flow.dropReason = `denied by rule ${ctx.rule || "(unnamed)"}`;
  // counters: packets and bytes source→destination, then destination→source (fields 10–13 in both)
  const bytes = (countOf(f[10]) ?? 0) + (countOf(f[12]) ?? 0);
  const packets = (countOf(f[9]) ?? 0) + (countOf(f[11]) ?? 0);
  if (bytes > 0) flow.bytes = bytes;
  if (packets > 0) flow.packets = packets;
  if (ctx.mac && flow.direction) {
    const vm = flow.direction === "ingress" ? dst : src;
    vm.identity = { hints: { "azure.mac": ctx.mac } };
  }
  return flow;
}

/** The tuples of one record with their context, in document order. */
function* recordTuples(rec: Obj): Generator<{ tuple: string; ctx: TupleContext }> {
  const props = obj(rec.properties);
  if (props) {
    const acl = typeof rec.resourceId === "string" ? rec.resourceId.split("/").pop() : undefined;
    for (const ruleFlows of arr(props.flows)) {
      const rule = String(obj(ruleFlows)?.rule ?? "");
      for (const macFlows of arr(obj(ruleFlows)?.flows)) {
        const mac = obj(macFlows)?.mac;
        for (const t of arr(obj(macFlows)?.flowTuples)) {
          const ctx: TupleContext = { vnet: false, rule, mac: typeof mac === "string" ? mac : undefined };
          if (acl) ctx.acl = acl;
          yield { tuple: String(t), ctx };
        }
      }
    }
    return;
  }
  const mac = typeof rec.macAddress === "string" ? rec.macAddress : undefined;
  for (const aclFlows of arr(obj(rec.flowRecords)?.flows)) {
    const aclId = obj(aclFlows)?.aclID;
    for (const group of arr(obj(aclFlows)?.flowGroups)) {
      const rule = String(obj(group)?.rule ?? "");
      for (const t of arr(obj(group)?.flowTuples)) {
        const ctx: TupleContext = { vnet: true, rule, mac };
        if (typeof aclId === "string" && aclId !== "unspecified") ctx.acl = aclId;
        yield { tuple: String(t), ctx };
      }
    }
  }
}

/** Whether an object is one Azure record (NSG: `properties`; VNet: `flowRecords`). */
const isRecord = (o: Obj) => o.properties !== undefined || o.flowRecords !== undefined;

/** The record a value is: an element of `records` (`key` set) or a bare record; else why not. */
function recordOf(chunk: JsonChunk): Obj | string {
  const o = obj(parseChunk(chunk));
  if (o && isRecord(o)) return o;
  return chunk.key === undefined
    ? 'expected an Azure flow-log document ({"records":[…]}) or record'
    : "expected an Azure flow-log record (an object with properties or flowRecords)";
}

/** Parses one value; each tuple is located by finding its string in the value's text. */
export function* parseAzureValue(chunk: JsonChunk, file: string): Generator<LocatedParseResult> {
  const rec = recordOf(chunk);
  if (typeof rec === "string") {
    yield { line: chunk.line, result: malformed(rec) };
    return;
  }
  const text = chunk.text;
  let cursor = 0;
  let counted = 0;
  let line = chunk.line;
  for (const { tuple, ctx } of recordTuples(rec)) {
    const at = text.indexOf(`"${tuple}"`, cursor);
    if (at >= 0) {
      cursor = at + tuple.length;
      for (let nl = text.indexOf("\n", counted); nl >= 0 && nl < at; nl = text.indexOf("\n", counted)) {
        line++;
        counted = nl + 1;
      }
    }
    const where = at >= 0 ? line : chunk.line;
    yield {
      line: where,
      result: convertAzureTuple(tuple, ctx, { format: AZURE_FORMAT_NAME, file, line: where }),
    };
  }
}

/** How Azure documents are read: each element of `records` (or each bare record) on its own. */
const azureDocument: JsonDocumentReader = { unwrap: ["records"], parseValue: parseAzureValue };

/** Parses a whole text: one document, or one document/record per line. */
export function parseAzureDocument(text: string, file: string): Generator<LocatedParseResult> {
  return parseJsonDocumentText(azureDocument, text, file);
}

/** How sure we are that a file starting with these lines is an Azure flow log. */
function azureScore(firstLines: readonly string[]): number {
  const head = firstLines.join("\n");
  if (/"(NetworkSecurityGroupFlowEvent|FlowLogFlowEvent)"/.test(head) || /"flowTuples"\s*:/.test(head))
    return 1;
  return /"records"\s*:/.test(head) && /"(flowLogVersion|macAddress|systemId)"/.test(head) ? 0.9 : 0;
}

/** The Azure NSG / VNet flow-log format. */
export const azureFlowLogsFormat: FlowFormat = {
  name: AZURE_FORMAT_NAME,
  description: "Azure NSG flow logs v1/v2 and VNet flow logs v4 (PT1H.json documents or one per line)",
  detect: azureScore,
  createParser(file): FlowParser {
    // a line holds a whole document or record: every tuple of it is one flow, so only a
    // one-tuple line fits the one-result-per-line interface; readers use jsonDocument instead
    return {
      parse(line, lineNo) {
        if (!line.trim()) return null;
        const results = [...parseAzureDocument(line, file)].map((r) => r.result);
        const flows = results.filter((r) => r !== null && !isFlowSkip(r));
        if (results.length === 1) return results[0];
        return malformed(
          `line ${lineNo} holds ${flows.length} flow tuples: read Azure flow logs as documents (FlowFormat.jsonDocument)`,
        );
      },
    };
  },
  jsonDocument: azureDocument,
};
