// A write buffer over a parent Store: reads see the buffered writes first, then the parent;
// `commit` pushes the buffer into the parent with one `apply`, `discard` drops it. The host
// keeps one per transaction (over the block) and one per block (over the store).

import { binaryTree } from "./btree.ts";
import {
  asBinary,
  fromBinary,
  toBinary,
  toBinaryBatch,
  treeNext,
  type BinaryStore,
  type Store,
  type Write,
} from "./store.ts";

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Overlay implements BinaryStore {
  readonly binaryKeys = true as const;
  /** Buffered writes: a value is a put, null is a tombstone (a delete that hides the parent's key). */
  private readonly writes = binaryTree<Uint8Array | null>();
  private readonly base: BinaryStore;

  constructor(readonly parent: Store) {
    this.base = asBinary(parent);
  }

  /** Number of buffered writes (puts and tombstones). */
  get pending(): number {
    return this.writes.size;
  }

  /** Number of keys as seen through the overlay. */
  get size(): number {
    let n = this.base.size;
    const base = this.base;
    this.writes.forEachPair((k, v) => {
      const inBase = base.getBin(k) !== undefined;
      if (v === null) {
        if (inBase) n--;
      } else if (!inBase) n++;
    });
    return n;
  }

  /** Pushes every buffered write into the parent with one `apply`, then empties the buffer. */
  commit(): void {
    if (this.writes.size === 0) return;
    const batch = this.writes.toArray();
    this.base.applyBin(batch);
    this.writes.clear();
  }

  /** Drops every buffered write. */
  discard(): void {
    this.writes.clear();
  }

  /** True when committing would change at least one byte of the parent's state. */
  changesParent(): boolean {
    const base = this.base;
    const r = this.writes.forEachPair((k, v) => {
      const old = base.getBin(k);
      if (v === null ? old !== undefined : old === undefined || !sameBytes(old, v)) return { break: true };
    });
    return r === true;
  }

  // ---- public interface (copies) ----

  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.getBin(toBinary(key));
    return v === undefined ? undefined : v.slice();
  }

  next(prefix: Uint8Array, after: Uint8Array): [Uint8Array, Uint8Array] | undefined {
    const r = this.nextBin(toBinary(prefix), toBinary(after));
    return r === undefined ? undefined : [fromBinary(r[0]), r[1].slice()];
  }

  put(key: Uint8Array, value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) throw new TypeError("value must be a Uint8Array");
    this.writes.set(toBinary(key), value.slice());
  }

  delete(key: Uint8Array): void {
    this.writes.set(toBinary(key), null);
  }

  apply(writes: Iterable<Write>): void {
    this.applyBin(toBinaryBatch(writes));
  }

  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const [k, v] of this.entriesBin()) yield [fromBinary(k), v.slice()];
  }

  // ---- binary fast path ----

  getBin(key: string): Uint8Array | undefined {
    // Fast path: nothing buffered (every view, most reads of a block's first transaction).
    if (this.writes.size === 0) return this.base.getBin(key);
    const w = this.writes.get(key);
    if (w !== undefined) return w === null ? undefined : w;
    return this.base.getBin(key);
  }

  /**
   * Merge of the buffer and the parent: the buffer's entry wins on equal keys, a tombstone
   * hides the parent's key and is itself skipped.
   */
  nextBin(prefix: string, after: string): [string, Uint8Array] | undefined {
    const writes = this.writes;
    if (writes.size === 0) return this.base.nextBin(prefix, after);
    let a = after;
    let p = this.base.nextBin(prefix, a);
    for (;;) {
      const o = treeNext(writes, prefix, a);
      if (o === undefined) return p;
      // o is the first buffered key past a: a parent key below it is not buffered.
      if (p !== undefined && p[0] < o[0]) return p;
      const v = o[1];
      if (v !== null) return [o[0], v];
      // Tombstone: skip its key (hiding the parent's entry with that key) and go on after it.
      a = o[0];
      if (p !== undefined && p[0] <= a) p = this.base.nextBin(prefix, a);
    }
  }

  putBin(key: string, value: Uint8Array): void {
    this.writes.set(key, value);
  }

  deleteBin(key: string): void {
    this.writes.set(key, null);
  }

  applyBin(writes: Iterable<readonly [string, Uint8Array | null]>): void {
    const batch = Array.isArray(writes) ? (writes as readonly (readonly [string, Uint8Array | null])[]) : [...writes];
    const tree = this.writes;
    for (let i = 0; i < batch.length; i++) {
      const [k, v] = batch[i]!;
      tree.set(k, v);
    }
  }

  *entriesBin(): IterableIterator<[string, Uint8Array]> {
    const a = this.base.entriesBin();
    const b = this.writes.entries();
    let x = a.next();
    let y = b.next();
    while (!x.done || !y.done) {
      if (y.done || (!x.done && x.value[0] < y.value[0])) {
        yield x.value;
        x = a.next();
      } else {
        const [k, v] = y.value;
        if (!x.done && x.value[0] === k) x = a.next();
        if (v !== null) yield [k, v];
        y = b.next();
      }
    }
  }
}
