/**
 * Content hashes computed ahead, on a worker thread: `microseg ingest` starts hashing its input
 * files (XXH3-128, in order) before it loads the inventory and opens the store, so the hash runs on
 * a core the single-threaded start-up leaves idle instead of competing with DuckDB's scan later.
 * The values are the ones ./read.ts `hashFile(file, "xxh128")` gives.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { XXH128_PREFIX } from "./read.js";

/**
 * The worker's program (plain CommonJS, evaluated by `new Worker(…, { eval: true })` so that it
 * runs the same from the compiled CLI and from TypeScript tests): hashes each file in turn with one
 * reused 4 MiB buffer and posts `{ file, hash }` or `{ file, error }`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { openSync, readSync, closeSync } = require("node:fs");
const { createXXHash128 } = require(workerData.hashWasm);
(async () => {
  const buf = Buffer.allocUnsafe(4 << 20);
  const h = await createXXHash128();
  for (const file of workerData.files) {
    try {
      h.init();
      const fd = openSync(file, "r");
      try {
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, null);
          if (n === 0) break;
          h.update(buf.subarray(0, n));
        }
      } finally {
        closeSync(fd);
      }
      parentPort.postMessage({ file, hash: h.digest("hex") });
    } catch (e) {
      parentPort.postMessage({ file, error: String((e && e.message) || e) });
    }
  }
})();
`;

interface Pending {
  promise: Promise<string>;
  resolve: (hash: string) => void;
  reject: (e: Error) => void;
}

/** XXH3-128 hashes of files, computed in order on one worker thread. */
export class HashPrefetch {
  private readonly pending = new Map<string, Pending>();
  private readonly worker: Worker;

  /** Starts hashing `files` (duplicates are hashed once). */
  constructor(files: readonly string[]) {
    const unique = [...new Set(files)];
    for (const file of unique) {
      let resolve!: (hash: string) => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<string>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined); // a file nobody asks for must not be an unhandled rejection
      this.pending.set(file, { promise, resolve, reject });
    }
    const hashWasm = createRequire(import.meta.url).resolve("hash-wasm");
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { files: unique, hashWasm } });
    this.worker.unref(); // never keeps the process alive (a run that fails early just exits)
    this.worker.on("message", (m: { file: string; hash?: string; error?: string }) => {
      const p = this.pending.get(m.file);
      if (!p) return;
      if (m.hash !== undefined) p.resolve(XXH128_PREFIX + m.hash);
      else p.reject(new Error(`${m.file}: ${m.error}`));
    });
    const failAll = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
    };
    this.worker.on("error", failAll);
    this.worker.on("exit", () => failAll(new Error("the hashing worker stopped")));
  }

  /** The hash of `file`, if it was given to the constructor (a settled promise is not re-settled). */
  get(file: string): Promise<string> | undefined {
    return this.pending.get(file)?.promise;
  }

  /** Stops the worker (pending hashes reject). */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
