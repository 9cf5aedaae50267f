/**
 * XXH3-128 content hashing with two interchangeable implementations that give the same digest:
 * the native `xxhash-addon` (prebuilt for the common platforms; about ten times the speed) and,
 * where it does not load, `hash-wasm`'s WebAssembly build. Both hash with seed 0; the tests check
 * that they agree byte for byte (src/store/ingest/read.test.ts).
 */
import { createRequire } from "node:module";

/** An incremental XXH3-128 hash. */
export interface Xxh128 {
  update(data: Buffer): void;
  /** The digest as 32 lowercase hex digits. */
  hex(): string;
}

/** Which implementation {@link createXxh128} uses: `native` unless the addon cannot load. */
export type Xxh128Implementation = "native" | "wasm";

const require = createRequire(import.meta.url);

/** The resolved path of the native addon's entry, or undefined when it is not installed. */
export function nativeXxhashPath(): string | undefined {
  try {
    return require.resolve("xxhash-addon");
  } catch {
    return undefined;
  }
}

let nativeCtor: (new (seed: Buffer) => { update(b: Buffer): void; digest(): Buffer }) | null | undefined;

function loadNative(): typeof nativeCtor {
  if (nativeCtor !== undefined) return nativeCtor;
  try {
    const path = nativeXxhashPath();
    nativeCtor = path ? (require(path) as { XXHash128: NonNullable<typeof nativeCtor> }).XXHash128 : null;
  } catch {
    nativeCtor = null;
  }
  return nativeCtor;
}

/** The implementation {@link createXxh128} picks by default here: `native` when the addon loads. */
export function defaultXxh128Implementation(): Xxh128Implementation {
  return loadNative() ? "native" : "wasm";
}

/** A new XXH3-128 hash (native when it loads, unless `prefer` says wasm). */
export async function createXxh128(prefer: Xxh128Implementation = "native"): Promise<Xxh128> {
  const Native = prefer === "native" ? loadNative() : null;
  if (Native) {
    // the addon reads its seed from an 8-byte buffer (zeros: seed 0, as hash-wasm's default) and
    // only takes Buffers: callers pass Buffer slices
    const h = new Native(Buffer.alloc(8));
    return {
      update: (d) => {
        // the addon hashes nothing (silently) for anything but a Buffer: refuse instead
        if (!Buffer.isBuffer(d)) throw new TypeError("XXH3-128: update() takes a Buffer");
        h.update(d);
      },
      hex: () => h.digest().toString("hex"),
    };
  }
  const { createXXHash128 } = await import("hash-wasm");
  const h = await createXXHash128();
  h.init();
  return { update: (d) => h.update(d), hex: () => h.digest("hex") };
}
