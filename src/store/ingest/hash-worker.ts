/**
 * Content hashes computed ahead, on a worker thread: `microseg ingest` starts hashing its input
 * files (XXH3-128, in order) before it loads the inventory and opens the store, so the hash runs on
 * a core the single-threaded start-up leaves idle; what is left of it runs beside DuckDB's scan,
 * so it reads in cache-sized pieces and hashes natively to take as little of the scan's CPU as it
 * can. The values are the ones ./read.ts `hashFile(file, "xxh128")` gives.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { HASH_READ_BYTES, XXH128_PREFIX } from "./read.js";
import { nativeXxhashPath, type Xxh128Implementation } from "./xxh128.js";

/**
 * The worker's program (plain CommonJS, evaluated by `new Worker(…, { eval: true })` so that it
 * runs the same from the compiled CLI and from TypeScript tests): hashes each file in turn with one
 * reused buffer of {@link HASH_READ_BYTES} and posts `{ file, hash }` or `{ file, error }`. It uses
 * the native XXH3 addon when it loads, else hash-wasm (the same digests: see ./xxh128.ts).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { openSync, readSync, closeSync } = require("node:fs");
let Native = null;
try {
  if (workerData.addon) Native = require(workerData.addon).XXHash128;
} catch {}
(async () => {
  const buf = Buffer.allocUnsafe(workerData.readBytes);
  const wasm = Native ? null : await require(workerData.hashWasm).createXXHash128();
  parentPort.postMessage({ implementation: Native ? "native" : "wasm" });
  for (const file of workerData.files) {
    try {
      let update, hex;
      if (Native) {
        const h = new Native(Buffer.alloc(8));
        update = (b) => h.update(b);
        hex = () => h.digest().toString("hex");
      } else {
        wasm.init();
        update = (b) => wasm.update(b);
        hex = () => wasm.digest("hex");
      }
      const fd = openSync(file, "r");
      try {
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, null);
          if (n === 0) break;
          update(buf.subarray(0, n));
        }
      } finally {
        closeSync(fd);
      }
      parentPort.postMessage({ file, hash: hex() });
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
  /** The XXH3 implementation the worker uses, once it has started (tests check the fast one runs). */
  implementation: Xxh128Implementation | undefined;
  private readonly worker: Worker;

  /** Starts hashing `files` (duplicates are hashed once); `native: false` forces hash-wasm (tests). */
  constructor(files: readonly string[], { native = true }: { native?: boolean } = {}) {
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
    const addon = native ? nativeXxhashPath() : undefined;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { files: unique, hashWasm, addon, readBytes: HASH_READ_BYTES },
    });
    this.worker.unref(); // never keeps the process alive (a run that fails early just exits)
    this.worker.on(
      "message",
      (m: { file: string; hash?: string; error?: string; implementation?: string }) => {
        if (m.implementation) {
          this.implementation = m.implementation as Xxh128Implementation;
          return;
        }
        const p = this.pending.get(m.file);
        if (!p) return;
        if (m.hash !== undefined) p.resolve(XXH128_PREFIX + m.hash);
        else p.reject(new Error(`${m.file}: ${m.error}`));
      },
    );
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
