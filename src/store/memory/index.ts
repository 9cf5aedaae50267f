/**
 * The in-memory Store: tests and small inputs. Same contract as the real stores (test/store/contract.ts):
 * a file's parts are buffered by its writer and become visible together on commit.
 */
import type { MapWorkload } from "../../model/map.js";
import { fail } from "../../model/problems.js";
import { mergeWorkloadRecords } from "../merge.js";
import {
  compareRawFlows,
  sumDns,
  sumEdges,
  sumHttp,
  validateDns,
  validateEdge,
  validateHttp,
  validateRawFlow,
} from "../rows.js";
import type {
  FileBatch,
  FileWriter,
  HourlyDns,
  HourlyEdge,
  HourlyHttp,
  IngestedFile,
  RawFlow,
  Store,
  StoredDns,
  StoredEdge,
  StoredHttp,
  TimeRange,
} from "../types.js";
import { writeBatch } from "../write-batch.js";

/** Everything one committed file contributed. */
interface Committed {
  file: IngestedFile;
  edges: HourlyEdge[];
  workloads: MapWorkload[];
  flows: RawFlow[];
  http: HourlyHttp[];
  dns: HourlyDns[];
}

/** A Store kept in memory (lost on close). */
export class MemoryStore implements Store {
  readonly kind = "memory" as const;
  private readonly committed: Committed[] = [];
  private writing = false;

  /** True when a file with this content hash was committed. */
  async hasFile(hash: string): Promise<boolean> {
    return this.committed.some((c) => c.file.hash === hash);
  }

  /** Writes one whole file atomically. */
  async ingestFile(batch: FileBatch): Promise<void> {
    await writeBatch(this, batch);
  }

  /** Starts a file; parts are buffered until commit. */
  async beginFile(): Promise<FileWriter> {
    if (this.writing) fail("usage", "store: another file is being written");
    this.writing = true;
    const parts: Omit<Committed, "file"> = { edges: [], workloads: [], flows: [], http: [], dns: [] };
    let open = true;
    const end = () => {
      if (open) this.writing = false;
      open = false;
    };
    const check = () => {
      if (!open) fail("usage", "store: this file writer is closed");
    };
    return {
      addEdges: async (edges) => {
        check();
        for (const e of edges) validateEdge(e);
        parts.edges.push(...edges.map((e) => ({ ...e })));
      },
      addWorkloads: async (workloads) => {
        check();
        parts.workloads.push(...workloads.map((w) => structuredClone(w)));
      },
      addFlows: async (flows) => {
        check();
        for (const f of flows) validateRawFlow(f);
        parts.flows.push(...flows.map((f) => ({ ...f })));
      },
      addHttp: async (rows) => {
        check();
        for (const h of rows) validateHttp(h);
        parts.http.push(...rows.map((h) => ({ ...h })));
      },
      addDns: async (rows) => {
        check();
        for (const d of rows) validateDns(d);
        parts.dns.push(...rows.map((d) => ({ ...d })));
      },
      commit: async (file) => {
        check();
        try {
          if (await this.hasFile(file.hash)) fail("usage", `store: file ${file.path} was already ingested`);
          this.committed.push({ file: { ...file }, ...parts });
        } finally {
          end();
        }
      },
      abort: async () => end(),
    };
  }

  /** Edges summed over the range. */
  async queryEdges(range?: TimeRange): Promise<StoredEdge[]> {
    return sumEdges(
      this.committed.flatMap((c) => c.edges),
      range,
    );
  }

  /** HTTP rows summed over the range. */
  async queryHttp(range?: TimeRange): Promise<StoredHttp[]> {
    return sumHttp(
      this.committed.flatMap((c) => c.http),
      range,
    );
  }

  /** DNS rows summed over the range. */
  async queryDns(range?: TimeRange): Promise<StoredDns[]> {
    return sumDns(
      this.committed.flatMap((c) => c.dns),
      range,
    );
  }

  /** Workload records merged in ingest order. */
  async workloads(): Promise<MapWorkload[]> {
    return mergeWorkloadRecords(this.committed.flatMap((c) => c.workloads));
  }

  /** The files, sorted by path then ingest time. */
  async files(): Promise<IngestedFile[]> {
    return this.committed
      .map((c) => ({ ...c.file }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.ingestedAt - b.ingestedAt));
  }

  /** Raw flows in the range (by flow time, exact). */
  async rawFlows(range: TimeRange = {}): Promise<RawFlow[]> {
    return this.committed
      .flatMap((c) => c.flows)
      .filter(
        (f) =>
          (range.since === undefined || f.time >= range.since) &&
          (range.until === undefined || f.time < range.until),
      )
      .sort(compareRawFlows);
  }

  /** Nothing to release. */
  async close(): Promise<void> {}
}
