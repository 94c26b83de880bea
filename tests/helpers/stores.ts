// Stores for tests that look at the host from the storage side.

import { MemoryStore, type Store, type Write } from "../../src/host/index.ts";

/**
 * A Store with only the public interface (no binary fast path) that forwards every call to
 * `inner` (a fresh MemoryStore by default): subclasses override what they watch or break.
 */
export class ForwardingStore implements Store {
  constructor(protected readonly inner: Store = new MemoryStore()) {}
  get size(): number {
    return this.inner.size;
  }
  get(key: Uint8Array) {
    return this.inner.get(key);
  }
  next(prefix: Uint8Array, after: Uint8Array) {
    return this.inner.next(prefix, after);
  }
  put(key: Uint8Array, value: Uint8Array) {
    this.inner.put(key, value);
  }
  delete(key: Uint8Array) {
    this.inner.delete(key);
  }
  apply(writes: Iterable<Write>) {
    this.inner.apply(writes);
  }
  entries() {
    return this.inner.entries();
  }
}
