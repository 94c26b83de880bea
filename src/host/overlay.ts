// A write buffer over a parent Store: reads see the buffered writes first, then the parent;
// `commit` pushes the buffer into the parent with one `apply`, `discard` drops it. The Chain
// keeps one per block (over the store), where each transaction runs inside a savepoint (below),
// and one for views (over the block's, discarded after every view).
//
// The buffer is a Map (point reads and writes: a hash probe, most of what a transaction
// does) plus a sorted mirror of it (a B+ tree) that exists only once an ordered read
// (`nextBin`, `entriesBin`) asked for it: built then from the Map, it is kept up to date by
// every later write until the buffer is emptied, so repeated writes and scans (onPersist)
// cost a tree insert per write, never a rebuild per scan. Both always hold the same pairs.
//
// A savepoint makes a run of writes undoable as one: the Chain runs each transaction straight
// on its block's overlay inside one (no second overlay to fill and then copy into the first)
// and rolls it back when the call FAULTs. The journal keeps, for each key the first time it
// is written after the savepoint, what the buffer held for it before (or that it held nothing).

import { binaryTree, type BTree } from "./btree.ts";
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

/** Key order of [key, value] pairs with distinct keys. */
const byKey = (a: readonly [string, unknown], b: readonly [string, unknown]): number => (a[0] < b[0] ? -1 : 1);

export class Overlay implements BinaryStore {
  readonly binaryKeys = true as const;
  /** Buffered writes: a value is a put, null is a tombstone (a delete that hides the parent's key). */
  private writes = new Map<string, Uint8Array | null>();
  /** The same pairs in key order; null until an ordered read needs it (see the header). */
  private sorted: BTree<string, Uint8Array | null> | null = null;
  private readonly base: BinaryStore;
  /** The open savepoint's journal: keys in first-write order and what the buffer held before (undefined: nothing). */
  private journaling = false;
  private readonly journalKeys: string[] = [];
  private readonly journalPrev: (Uint8Array | null | undefined)[] = [];
  /** Entries in use: the arrays keep their length (no reallocation per transaction). */
  private journalLen = 0;
  /** The journal's keys as a set, once it is too long to search (large transactions, onPersist). */
  private journalSet: Set<string> | null = null;

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
    for (const [k, v] of this.writes) {
      const inBase = base.getBin(k) !== undefined;
      if (v === null) {
        if (inBase) n--;
      } else if (!inBase) n++;
    }
    return n;
  }

  /**
   * Pushes every buffered write into the parent with one `apply` (in key order, as one
   * batch), then empties the buffer.
   */
  commit(): void {
    if (this.journaling) throw new Error("Overlay.commit: a savepoint is open (release or roll it back first)");
    const writes = this.writes;
    if (writes.size === 0) return;
    const base = this.base;
    if (base instanceof Overlay) {
      // Into another overlay (a transaction into its block): the same pairs end up there as
      // with one applyBin, without building the batch.
      writes.forEach(base.setFn);
    } else {
      const batch = this.sorted !== null ? this.sorted.toArray() : [...writes].sort(byKey);
      base.applyBin(batch);
    }
    this.clear();
  }

  /** `set` bound to this overlay, in Map#forEach's (value, key) order. */
  private readonly setFn = (value: Uint8Array | null, key: string): void => this.set(key, value);

  /** Drops every buffered write (and an open savepoint). */
  discard(): void {
    this.clear();
    this.endJournal();
  }

  /** Opens a savepoint: the writes from here on can be undone together (`rollback`) or kept (`release`). */
  savepoint(): void {
    if (this.journaling) throw new Error("Overlay.savepoint: a savepoint is already open");
    this.journaling = true;
  }

  /** Keeps the writes since the savepoint and closes it. */
  release(): void {
    this.endJournal();
  }

  /** Undoes every write since the savepoint (the buffer is as it was then) and closes it. */
  rollback(): void {
    const keys = this.journalKeys;
    const prev = this.journalPrev;
    for (let i = this.journalLen - 1; i >= 0; i--) {
      const k = keys[i]!;
      const p = prev[i];
      if (p === undefined) {
        this.writes.delete(k);
        if (this.sorted !== null) this.sorted.delete(k);
      } else {
        this.writes.set(k, p);
        if (this.sorted !== null) this.sorted.set(k, p);
      }
    }
    this.endJournal();
  }

  private endJournal(): void {
    this.journaling = false;
    if (this.journalLen !== 0) {
      // Entries past journalLen are stale and never read; a large journal is let go.
      if (this.journalLen > 64) {
        this.journalKeys.length = 0;
        this.journalPrev.length = 0;
      }
      this.journalLen = 0;
      this.journalSet = null;
    }
  }

  /** Notes what the buffer holds for `key` before its first write since the savepoint. */
  private journal(key: string): void {
    const keys = this.journalKeys;
    const n = this.journalLen;
    if (this.journalSet !== null) {
      if (this.journalSet.has(key)) return;
      this.journalSet.add(key);
    } else {
      for (let i = 0; i < n; i++) if (keys[i] === key) return;
      if (n >= 16) (this.journalSet = new Set(keys.slice(0, n))).add(key);
    }
    keys[n] = key;
    this.journalPrev[n] = this.writes.get(key);
    this.journalLen = n + 1;
  }

  private clear(): void {
    // A fresh Map rather than Map#clear: clear allocates the emptied Map's new table in the
    // space of the old one, so on a long-lived overlay every transaction would leave a table
    // in old space for the full GC to find (measured: recordSuccess 2.3 → 5+ µs over 10^4
    // transactions). A new Map lives and dies young.
    if (this.writes.size !== 0) this.writes = new Map();
    this.sorted = null;
  }

  /** The buffer in key order: the sorted mirror, built from the Map on first use. */
  private ordered(): BTree<string, Uint8Array | null> {
    let t = this.sorted;
    if (t === null) {
      t = binaryTree<Uint8Array | null>();
      const pairs = [...this.writes].sort(byKey);
      for (let i = 0; i < pairs.length; i++) t.set(pairs[i]![0], pairs[i]![1]);
      this.sorted = t;
    }
    return t;
  }

  private set(key: string, value: Uint8Array | null): void {
    if (this.journaling) this.journal(key);
    this.writes.set(key, value);
    if (this.sorted !== null) this.sorted.set(key, value);
  }

  /** True when committing would change at least one byte of the parent's state. */
  changesParent(): boolean {
    const base = this.base;
    for (const [k, v] of this.writes) {
      const old = base.getBin(k);
      if (v === null ? old !== undefined : old === undefined || !sameBytes(old, v)) return true;
    }
    return false;
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
    this.set(toBinary(key), value.slice());
  }

  delete(key: Uint8Array): void {
    this.set(toBinary(key), null);
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
    if (this.writes.size === 0) return this.base.nextBin(prefix, after);
    const writes = this.ordered();
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
    this.set(key, value);
  }

  deleteBin(key: string): void {
    this.set(key, null);
  }

  applyBin(writes: Iterable<readonly [string, Uint8Array | null]>): void {
    const batch = Array.isArray(writes) ? (writes as readonly (readonly [string, Uint8Array | null])[]) : [...writes];
    for (let i = 0; i < batch.length; i++) {
      const [k, v] = batch[i]!;
      this.set(k, v);
    }
  }

  *entriesBin(): IterableIterator<[string, Uint8Array]> {
    const a = this.base.entriesBin();
    const b = this.ordered().entries();
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
