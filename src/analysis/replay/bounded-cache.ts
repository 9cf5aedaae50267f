/**
 * A map with a fixed capacity: past it, the entry inserted (or refreshed) longest ago is dropped.
 * Replay caches verdicts per distinct request; request paths carry ids, so the cache must be
 * bounded or it grows with every id seen.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  /** @param capacity the most entries kept (at least 1). */
  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`cache capacity must be at least 1, got ${capacity}`);
  }

  /** The value for the key, refreshed as most recently used. */
  get(key: K): V | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  /** Stores a value, dropping the least recently used entry when full. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  /** How many entries are kept. */
  get size(): number {
    return this.entries.size;
  }
}
