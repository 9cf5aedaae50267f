/**
 * `Store.ingestFile` in terms of `beginFile`: one writer, every part, commit; abort on failure.
 */
import type { FileBatch, Store } from "./types.js";

/** Writes a whole batch through a FileWriter: all of it or none of it. */
export async function writeBatch(store: Pick<Store, "beginFile">, batch: FileBatch): Promise<void> {
  const w = await store.beginFile();
  try {
    await w.addEdges(batch.edges);
    await w.addWorkloads(batch.workloads);
    if (batch.flows?.length) await w.addFlows(batch.flows);
    if (batch.http?.length) await w.addHttp(batch.http);
    if (batch.dns?.length) await w.addDns(batch.dns);
    await w.commit(batch.file);
  } catch (e) {
    await w.abort();
    throw e;
  }
}
