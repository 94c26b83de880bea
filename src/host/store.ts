// Key-value storage of the contract: byte keys in bytewise order.
//
// `Store` is the interface the host programs against (the in-memory store here, a LevelDB
// store later). `MemoryStore` and `Overlay` also implement `BinaryStore`, an internal fast
// path that hands keys around as latin1 "binary strings" (one char per byte, so JS string
// order is bytewise order) and values without copying; the runtime and the overlays use it
// when the store offers it and fall back to the plain interface otherwise.

import { Buffer } from "node:buffer";
import { binaryTree, type BTree } from "./btree.ts";

/** One write of a batch: `value` null deletes the key (absent is fine). */
export interface Write {
  key: Uint8Array;
  value: Uint8Array | null;
}

export interface Store {
  /** The value of `key` (a copy), or undefined when absent. */
  get(key: Uint8Array): Uint8Array | undefined;
  /**
   * The smallest key, bytewise, that is strictly greater than `after` and starts with `prefix`,
   * with its value (copies); undefined when there is none. An empty `after` therefore means
   * "from the start of the prefix" (the key equal to a non-empty prefix included). The empty
   * key, being the least of all, is never returned: the runtime never stores it.
   */
  next(prefix: Uint8Array, after: Uint8Array): [Uint8Array, Uint8Array] | undefined;
  /** Stores a copy of `value` under `key`. */
  put(key: Uint8Array, value: Uint8Array): void;
  /** Removes `key`; absent is fine. */
  delete(key: Uint8Array): void;
  /** Applies a batch of puts and deletes, in order, all or nothing. */
  apply(writes: Iterable<Write>): void;
  /** Every pair in bytewise key order (copies). Do not write to the store while iterating. */
  entries(): IterableIterator<[Uint8Array, Uint8Array]>;
  /** Number of keys. */
  readonly size: number;
}

/**
 * Internal fast path: keys as latin1 binary strings, values NOT copied. Values handed out must
 * not be mutated or kept past the next write; values handed in become owned by the store.
 */
export interface BinaryStore extends Store {
  readonly binaryKeys: true;
  getBin(key: string): Uint8Array | undefined;
  nextBin(prefix: string, after: string): [string, Uint8Array] | undefined;
  putBin(key: string, value: Uint8Array): void;
  deleteBin(key: string): void;
  /** null deletes. Takes ownership of the values. All or nothing. */
  applyBin(writes: Iterable<readonly [string, Uint8Array | null]>): void;
  entriesBin(): IterableIterator<[string, Uint8Array]>;
}

export function isBinaryStore(store: Store): store is BinaryStore {
  return (store as Partial<BinaryStore>).binaryKeys === true;
}

/** Bytes → latin1 binary string (one char per byte, U+0000..U+00FF). */
export function toBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** latin1 binary string → a fresh Uint8Array (not a pooled Buffer). */
export function fromBinary(s: string): Uint8Array {
  const n = s.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

function checkBytes(what: string, v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
}

/**
 * `next` over a binary-keyed tree: the smallest key > after that starts with prefix. When
 * after < prefix every key >= prefix is > after, so the search starts at the prefix itself.
 * Keys with a given prefix form one contiguous run, so the first candidate decides: if it lacks
 * the prefix, no later key has it.
 */
export function treeNext<V>(tree: BTree<string, V>, prefix: string, after: string): [string, V] | undefined {
  const pair = after < prefix ? tree.getPairOrNextHigher(prefix) : tree.nextHigherPair(after);
  if (pair === undefined || !pair[0].startsWith(prefix)) return undefined;
  return pair;
}

/**
 * A value the store can keep for long: itself, or an exact copy when it is a view into a
 * larger buffer (the runtime cuts values from shared slabs; keeping such a view would keep
 * the whole slab alive).
 */
function owned(v: Uint8Array): Uint8Array {
  // Slab views of the runtime are over 64 bytes long; for ≤ 64 bytes at offset 0 `.buffer`
  // is not touched (reading it would move a small on-heap array off the heap).
  if (v.byteOffset === 0 && (v.byteLength <= 64 || v.buffer.byteLength === v.byteLength)) return v;
  return v.slice();
}

/**
 * The in-memory store: a B+ tree keyed by binary strings (for ordered `next` and `entries`),
 * with a Map over the same pairs for point lookups (a hash probe instead of a tree descent
 * with string compares: most contract reads are point reads). Both always hold the same pairs.
 */
export class MemoryStore implements BinaryStore {
  readonly binaryKeys = true as const;
  private readonly tree = binaryTree<Uint8Array>();
  private readonly map = new Map<string, Uint8Array>();

  constructor(entries?: Iterable<readonly [Uint8Array, Uint8Array]>) {
    if (entries) for (const [k, v] of entries) this.put(k, v);
  }

  get size(): number {
    return this.tree.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    checkBytes("key", key);
    const v = this.map.get(toBinary(key));
    return v === undefined ? undefined : v.slice();
  }

  next(prefix: Uint8Array, after: Uint8Array): [Uint8Array, Uint8Array] | undefined {
    checkBytes("prefix", prefix);
    checkBytes("after", after);
    const r = treeNext(this.tree, toBinary(prefix), toBinary(after));
    return r === undefined ? undefined : [fromBinary(r[0]), r[1].slice()];
  }

  put(key: Uint8Array, value: Uint8Array): void {
    checkBytes("key", key);
    checkBytes("value", value);
    this.putBin(toBinary(key), value.slice());
  }

  delete(key: Uint8Array): void {
    checkBytes("key", key);
    this.deleteBin(toBinary(key));
  }

  apply(writes: Iterable<Write>): void {
    this.applyBin(toBinaryBatch(writes));
  }

  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const [k, v] of this.tree.entries()) yield [fromBinary(k), v.slice()];
  }

  getBin(key: string): Uint8Array | undefined {
    return this.map.get(key);
  }

  nextBin(prefix: string, after: string): [string, Uint8Array] | undefined {
    return treeNext(this.tree, prefix, after);
  }

  putBin(key: string, value: Uint8Array): void {
    const v = owned(value);
    this.tree.set(key, v);
    this.map.set(key, v);
  }

  deleteBin(key: string): void {
    this.tree.delete(key);
    this.map.delete(key);
  }

  applyBin(writes: Iterable<readonly [string, Uint8Array | null]>): void {
    // Nothing below can fail half way: the batch is materialized first (a throwing iterator
    // leaves the store untouched), then applied with plain tree operations.
    const batch = Array.isArray(writes) ? (writes as readonly (readonly [string, Uint8Array | null])[]) : [...writes];
    const tree = this.tree;
    const map = this.map;
    for (let i = 0; i < batch.length; i++) {
      const [k, v] = batch[i]!;
      if (v === null) {
        tree.delete(k);
        map.delete(k);
      } else {
        const o = owned(v);
        tree.set(k, o);
        map.set(k, o);
      }
    }
  }

  entriesBin(): IterableIterator<[string, Uint8Array]> {
    return this.tree.entries();
  }
}

/** Validates and copies a public batch into binary form (before anything is applied). */
export function toBinaryBatch(writes: Iterable<Write>): [string, Uint8Array | null][] {
  const batch: [string, Uint8Array | null][] = [];
  for (const w of writes) {
    checkBytes("write key", w.key);
    if (w.value !== null) checkBytes("write value", w.value);
    batch.push([toBinary(w.key), w.value === null ? null : w.value.slice()]);
  }
  return batch;
}

/** Presents any Store through the binary fast-path interface (converting and copying). */
class BinaryAdapter implements BinaryStore {
  readonly binaryKeys = true as const;
  constructor(private readonly inner: Store) {}
  get size(): number {
    return this.inner.size;
  }
  get(key: Uint8Array): Uint8Array | undefined {
    return this.inner.get(key);
  }
  next(prefix: Uint8Array, after: Uint8Array): [Uint8Array, Uint8Array] | undefined {
    return this.inner.next(prefix, after);
  }
  put(key: Uint8Array, value: Uint8Array): void {
    this.inner.put(key, value);
  }
  delete(key: Uint8Array): void {
    this.inner.delete(key);
  }
  apply(writes: Iterable<Write>): void {
    this.inner.apply(writes);
  }
  entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.inner.entries();
  }
  getBin(key: string): Uint8Array | undefined {
    return this.inner.get(fromBinary(key));
  }
  nextBin(prefix: string, after: string): [string, Uint8Array] | undefined {
    const r = this.inner.next(fromBinary(prefix), fromBinary(after));
    return r === undefined ? undefined : [toBinary(r[0]), r[1]];
  }
  putBin(key: string, value: Uint8Array): void {
    this.inner.put(fromBinary(key), value);
  }
  deleteBin(key: string): void {
    this.inner.delete(fromBinary(key));
  }
  applyBin(writes: Iterable<readonly [string, Uint8Array | null]>): void {
    const batch: Write[] = [];
    for (const [k, v] of writes) batch.push({ key: fromBinary(k), value: v });
    this.inner.apply(batch);
  }
  *entriesBin(): IterableIterator<[string, Uint8Array]> {
    for (const [k, v] of this.inner.entries()) yield [toBinary(k), v];
  }
}

/** The store itself when it has the binary fast path, else an adapter over it. */
export function asBinary(store: Store): BinaryStore {
  return isBinaryStore(store) ? store : new BinaryAdapter(store);
}
