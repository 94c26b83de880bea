import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Overlay } from "../../src/host/overlay.ts";
import { MemoryStore, type Store, type Write } from "../../src/host/store.ts";

const u = (...b: number[]): Uint8Array => Uint8Array.from(b);
import { hex } from "../helpers/bytes.ts";
import { ForwardingStore } from "../helpers/stores.ts";
const keysOf = (s: Store): string[] => [...s.entries()].map(([k]) => hex(k));

/** Naive bytewise comparison, independent of the implementation under test. */
function cmp(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
const startsWith = (k: Uint8Array, p: Uint8Array): boolean => k.length >= p.length && p.every((b, i) => k[i] === b);

/** A Store with only the public interface (no binary fast path): exercises the adapters. */
class PlainStore extends ForwardingStore {
  applies = 0;
  override apply(writes: Iterable<Write>) {
    this.applies++;
    super.apply(writes);
  }
}

describe("MemoryStore", () => {
  it("orders keys bytewise: a key before its extensions, 0x7f before 0x80..0xff, no length-first order", () => {
    const s = new MemoryStore();
    for (const k of [u(0xff), u(0x80), u(0x7f, 0x00), u(0x7f), u(0x00, 0xff, 0xff), u(0x01), u(0x80, 0x00), u(0xc3, 0xa9), u(0xc3)]) s.put(k, u(1));
    expect(keysOf(s)).toEqual(["00ffff", "01", "7f", "7f00", "80", "8000", "c3", "c3a9", "ff"]);
  });

  it("next returns the smallest key > after that starts with prefix (empty after = from the prefix itself)", () => {
    const s = new MemoryStore();
    for (const k of [u(1), u(1, 0), u(1, 0, 5), u(1, 0x80), u(1, 0xff), u(2), u(2, 0)]) s.put(k, u(k.length));
    const next = (p: Uint8Array, a: Uint8Array) => {
      const r = s.next(p, a);
      return r && hex(r[0]);
    };
    expect(next(u(1), u())).toBe("01"); // the key equal to the prefix is included
    expect(next(u(1), u(1))).toBe("0100");
    expect(next(u(1), u(1, 0))).toBe("010005");
    expect(next(u(1), u(1, 0, 5))).toBe("0180");
    expect(next(u(1), u(1, 0x80))).toBe("01ff");
    expect(next(u(1), u(1, 0xff))).toBeUndefined(); // 02 is next overall but lacks the prefix
    expect(next(u(1, 0), u())).toBe("0100");
    expect(next(u(1, 0), u(0))).toBe("0100"); // after below the prefix
    expect(next(u(1, 0), u(1, 0x7f))).toBeUndefined(); // after above the prefix's run
    expect(next(u(), u())).toBe("01");
    expect(next(u(), u(1, 0xff))).toBe("02");
    expect(next(u(3), u())).toBeUndefined();
    const r = s.next(u(2), u())!;
    expect(hex(r[1])).toBe("01");
  });

  it("copies values on put and on get so callers cannot alias stored bytes", () => {
    const s = new MemoryStore();
    const v = u(1, 2, 3);
    s.put(u(9), v);
    v[0] = 99;
    const got = s.get(u(9))!;
    expect([...got]).toEqual([1, 2, 3]);
    got[1] = 77;
    expect([...s.get(u(9))!]).toEqual([1, 2, 3]);
    s.next(u(), u())![1][2] = 55;
    [...s.entries()][0]![1][0] = 44;
    expect([...s.get(u(9))!]).toEqual([1, 2, 3]);
  });

  it("apply is all or nothing: a batch with an invalid write changes nothing", () => {
    const s = new MemoryStore();
    s.put(u(1), u(1));
    const bad = [{ key: u(2), value: u(2) }, { key: u(1), value: null }, { key: u(3), value: "x" as unknown as Uint8Array }];
    expect(() => s.apply(bad)).toThrow(TypeError);
    expect(keysOf(s)).toEqual(["01"]);
    s.apply(bad.slice(0, 2));
    expect(keysOf(s)).toEqual(["02"]);
    expect(s.size).toBe(1);
  });
});

describe("Overlay", () => {
  const base = () => {
    const s = new MemoryStore();
    for (const k of [u(1), u(1, 1), u(1, 2), u(1, 3), u(2)]) s.put(k, u(0xb0, ...k));
    return s;
  };

  it("reads prefer buffered puts and hide tombstoned parent keys", () => {
    const s = base();
    const o = new Overlay(s);
    o.put(u(1, 1), u(0xee));
    o.delete(u(1, 2));
    o.put(u(1, 5), u(0xef));
    expect(hex(o.get(u(1, 1))!)).toBe("ee");
    expect(o.get(u(1, 2))).toBeUndefined();
    expect(hex(o.get(u(1, 3))!)).toBe("b00103");
    expect(keysOf(o)).toEqual(["01", "0101", "0103", "0105", "02"]);
    expect(o.size).toBe(5);
    expect(hex(s.get(u(1, 2))!)).toBe("b00102"); // parent untouched until commit
  });

  it("next merges buffer and parent: skips runs of tombstones, prefers buffered values, respects the prefix", () => {
    const s = base();
    const o = new Overlay(s);
    o.delete(u(1)); // tombstone at the very start of the prefix run
    o.delete(u(1, 1));
    o.delete(u(1, 2));
    o.put(u(1, 3), u(0xaa));
    o.delete(u(2));
    o.put(u(2, 0), u(0xab));
    const walk = (p: Uint8Array): string[] => {
      const out: string[] = [];
      let after: Uint8Array = u();
      for (let r = o.next(p, after); r; r = o.next(p, after)) {
        out.push(`${hex(r[0])}=${hex(r[1])}`);
        after = r[0];
        if (out.length > 20) throw new Error("next does not progress");
      }
      return out;
    };
    expect(walk(u(1))).toEqual(["0103=aa"]);
    expect(walk(u())).toEqual(["0103=aa", "0200=ab"]);
    expect(walk(u(2))).toEqual(["0200=ab"]);
    o.delete(u(1, 3));
    expect(walk(u(1))).toEqual([]);
  });

  it("commit pushes every buffered write into the parent with one apply; discard drops them", () => {
    const p = new PlainStore();
    p.put(u(1), u(1));
    p.put(u(2), u(2));
    const o = new Overlay(p);
    o.put(u(3), u(3));
    o.delete(u(1));
    o.discard();
    expect(keysOf(o)).toEqual(["01", "02"]);
    o.put(u(3), u(3));
    o.delete(u(1));
    o.put(u(2), u(0x22));
    expect(p.applies).toBe(0);
    o.commit();
    expect(p.applies).toBe(1);
    expect(keysOf(p)).toEqual(["02", "03"]);
    expect(hex(p.get(u(2))!)).toBe("22");
    expect(o.pending).toBe(0);
  });

  it("changesParent is false when every buffered write restores the bytes already there", () => {
    const s = base();
    const o = new Overlay(s);
    o.put(u(1), u(0xb0, 1));
    o.delete(u(9)); // absent in the parent
    expect(o.changesParent()).toBe(false);
    o.put(u(1), u(0xb0, 2));
    expect(o.changesParent()).toBe(true);
    o.discard();
    o.delete(u(2));
    expect(o.changesParent()).toBe(true);
  });
});

// ---- randomized: store ← block overlay ← tx overlay against a naive model ----

type Model = Map<string, Uint8Array | null>; // hex key → value (null = tombstone in a layer)

// A small key space (40 keys over 0x00, 0x7f, 0x80, 0xff) so that layers collide often.
const keyArb = fc.uint8Array({ minLength: 0, maxLength: 3 }).map((a) => a.map((b) => [0x00, 0x7f, 0x80, 0xff][b % 4]!));
const valArb = fc.uint8Array({ minLength: 0, maxLength: 2 });
/** One arbitrary per kind of op; each randomized test draws from some of them with its own weights. */
const OP = {
  put: fc.record({ op: fc.constant("put" as const), key: keyArb, value: valArb }),
  delete: fc.record({ op: fc.constant("delete" as const), key: keyArb }),
  get: fc.record({ op: fc.constant("get" as const), key: keyArb }),
  next: fc.record({ op: fc.constant("next" as const), prefix: keyArb.map((k) => k.subarray(0, 2)), after: keyArb }),
  walk: fc.record({ op: fc.constant("walk" as const), prefix: keyArb.map((k) => k.subarray(0, 2)) }),
  check: fc.record({ op: fc.constant("check" as const) }),
  commitTx: fc.record({ op: fc.constant("commitTx" as const) }),
  discardTx: fc.record({ op: fc.constant("discardTx" as const) }),
  commitBlock: fc.record({ op: fc.constant("commitBlock" as const) }),
  discardBlock: fc.record({ op: fc.constant("discardBlock" as const) }),
  savepoint: fc.record({ op: fc.constant("savepoint" as const) }),
  release: fc.record({ op: fc.constant("release" as const) }),
  rollback: fc.record({ op: fc.constant("rollback" as const) }),
};
/** fc.oneof over the named ops, with these weights, in this order. */
const opsWeighted = <K extends keyof typeof OP>(weights: Record<K, number>) =>
  fc.oneof(...(Object.entries(weights) as [K, number][]).map(([k, weight]) => ({ weight, arbitrary: OP[k] as (typeof OP)[K] })));
const opArb = opsWeighted({ put: 5, delete: 3, next: 4, walk: 2, get: 2, commitTx: 3, discardTx: 1, commitBlock: 2, discardBlock: 1 });

function view(layers: Model[]): [Uint8Array, Uint8Array][] {
  const merged = new Map<string, Uint8Array | null>();
  for (const l of layers) for (const [k, v] of l) merged.set(k, v);
  const out: [Uint8Array, Uint8Array][] = [];
  for (const [k, v] of merged) if (v !== null) out.push([Uint8Array.from(Buffer.from(k, "hex")), v]);
  return out.sort((a, b) => cmp(a[0], b[0]));
}

function modelNext(entries: [Uint8Array, Uint8Array][], prefix: Uint8Array, after: Uint8Array): [Uint8Array, Uint8Array] | undefined {
  return entries.find(([k]) => cmp(k, after) > 0 && startsWith(k, prefix));
}

const show = (e: [Uint8Array, Uint8Array][]): string[] => e.map(([k, v]) => `${hex(k)}=${hex(v)}`);

/**
 * The naive model of a store under a block overlay under a transaction overlay: three maps,
 * merged on every read. `view("tx")` is what the transaction overlay shows, `view("block")` the
 * block overlay, `view("committed")` the store.
 */
class LayeredModel {
  committed: Model = new Map();
  block: Model = new Map();
  tx: Model = new Map();
  put(key: Uint8Array, value: Uint8Array): void {
    this.tx.set(hex(key), value.slice());
  }
  delete(key: Uint8Array): void {
    this.tx.set(hex(key), null);
  }
  view(upTo: "tx" | "block" | "committed"): [Uint8Array, Uint8Array][] {
    return view(upTo === "tx" ? [this.committed, this.block, this.tx] : upTo === "block" ? [this.committed, this.block] : [this.committed]);
  }
  get(upTo: "tx" | "block", key: Uint8Array): Uint8Array | undefined {
    return this.view(upTo).find(([k]) => cmp(k, key) === 0)?.[1];
  }
  commitTx(): void {
    for (const [k, v] of this.tx) this.block.set(k, v);
    this.tx = new Map();
  }
  discardTx(): void {
    this.tx = new Map();
  }
  /** The block into the store (its open transaction dropped). */
  commitBlock(): void {
    this.tx = new Map();
    for (const [k, v] of this.block) if (v === null) this.committed.delete(k);
    else this.committed.set(k, v);
    this.block = new Map();
  }
  discardBlock(): void {
    this.tx = new Map();
    this.block = new Map();
  }
}

type LayerOp = { op: "put"; key: Uint8Array; value: Uint8Array } | { op: "delete"; key: Uint8Array } | { op: string };

/**
 * The writes and the transaction/block ends that both randomized tests apply alike, on the
 * overlays and on the model; false for every other op (the test's own switch handles it).
 */
function applyAlike(o: LayerOp, block: Overlay, tx: Overlay, m: LayeredModel): boolean {
  if (o.op === "put" && "value" in o) {
    tx.put(o.key, o.value);
    m.put(o.key, o.value);
  } else if (o.op === "delete" && "key" in o) {
    tx.delete(o.key);
    m.delete(o.key);
  } else if (o.op === "commitTx") {
    tx.commit();
    m.commitTx();
  } else if (o.op === "discardTx") {
    tx.discard();
    m.discardTx();
  } else if (o.op === "discardBlock") {
    tx.discard();
    block.discard();
    m.discardBlock();
  } else return false;
  return true;
}

/** A block overlay over `store`, a transaction overlay over it, and the model of both. */
function layered(store: Store): { block: Overlay; tx: Overlay; m: LayeredModel } {
  const block = new Overlay(store);
  return { block, tx: new Overlay(block), m: new LayeredModel() };
}

/**
 * Ends the block in both: the open transaction dropped, the block committed (through
 * `commit`, which a test may wrap to look at the store around it), and changesParent told
 * the truth.
 */
function commitBlockAlike(block: Overlay, tx: Overlay, m: LayeredModel, around: (commit: () => void) => void = (commit) => commit()): void {
  tx.discard();
  m.discardTx();
  const before = show(m.view("committed"));
  const changes = block.changesParent();
  around(() => block.commit());
  m.commitBlock();
  expect(changes).toBe(before.join() !== show(m.view("committed")).join());
}

/** A point read of `layer` equals the model's up to that layer. */
function expectGet(layer: Overlay, m: LayeredModel, upTo: "tx" | "block", key: Uint8Array): void {
  const want = m.get(upTo, key);
  const got = layer.get(key);
  expect(got && hex(got)).toEqual(want && hex(want));
}

/** `next` of `layer` equals the model's up to that layer. */
function expectNext(layer: Overlay, m: LayeredModel, upTo: "tx" | "block", prefix: Uint8Array, after: Uint8Array): void {
  const want = modelNext(m.view(upTo), prefix, after);
  const got = layer.next(prefix, after);
  expect(got && show([got])).toEqual(want && show([want]));
}

for (const plain of [false, true]) {
  it(`randomized: Overlay over Overlay over ${plain ? "a plain Store" : "MemoryStore"} agrees with a naive sorted-array model`, () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 120, size: "max" }), (ops) => {
        const store: Store = plain ? new PlainStore() : new MemoryStore();
        const { block, tx, m } = layered(store);
        for (const o of ops) {
          if (!applyAlike(o, block, tx, m)) switch (o.op) {
            case "get":
              expectGet(tx, m, "tx", o.key);
              break;
            case "next":
              expectNext(tx, m, "tx", o.prefix, o.after);
              expectNext(block, m, "block", o.prefix, o.after);
              break;
            case "walk": {
              // Iterate the prefix with next the way a contract does (after = the last key).
              for (const [layer, layers] of [[tx, "tx"], [block, "block"]] as const) {
                const got: [Uint8Array, Uint8Array][] = [];
                let after: Uint8Array = new Uint8Array(0);
                for (let r = layer.next(o.prefix, after); r; r = layer.next(o.prefix, after)) {
                  got.push(r);
                  after = r[0];
                  if (got.length > 100) throw new Error("next does not progress");
                }
                expect(show(got)).toEqual(show(m.view(layers).filter(([k]) => k.length > 0 && startsWith(k, o.prefix))));
              }
              break;
            }
            case "commitBlock":
              commitBlockAlike(block, tx, m);
              break;
          }
          expect(show([...tx.entries()])).toEqual(show(m.view("tx")));
          expect(tx.size).toBe(m.view("tx").length);
          expect(block.size).toBe(m.view("block").length);
          expect(show([...store.entries()])).toEqual(show(m.view("committed")));
        }
      }),
      { numRuns: 200 },
    );
  });
}

// ---- the overlay's buffer: a Map, with a sorted mirror only after an ordered read ----

/** Records every batch applied to it (as hex keys, in the order given). */
class RecordingStore extends PlainStore {
  readonly batches: string[][] = [];
  override apply(writes: Iterable<Write>) {
    const batch = [...writes];
    this.batches.push(batch.map((w) => hex(w.key)));
    super.apply(batch);
  }
}

const sparseOpArb = opsWeighted({ put: 6, delete: 3, get: 2, next: 1, check: 1, commitTx: 2, discardTx: 1, commitBlock: 1, discardBlock: 1 });

it("randomized, ordered reads only now and then (the sorted mirror built at any point, or never): same as the model; every batch reaching the store is in bytewise key order", () => {
  fc.assert(
    fc.property(fc.array(sparseOpArb, { minLength: 1, maxLength: 150, size: "max" }), (ops) => {
      const store = new RecordingStore();
      const { block, tx, m } = layered(store);
      for (const o of ops) {
        if (!applyAlike(o, block, tx, m)) switch (o.op) {
          case "get":
            expectGet(tx, m, "tx", o.key);
            expectGet(block, m, "block", o.key);
            break;
          case "next":
            expectNext(tx, m, "tx", o.prefix, o.after);
            break;
          case "check":
            expect(show([...tx.entries()])).toEqual(show(m.view("tx")));
            expect(show([...block.entries()])).toEqual(show(m.view("block")));
            expect(tx.pending).toBe(m.tx.size);
            expect(block.pending).toBe(m.block.size);
            break;
          case "commitBlock":
            commitBlockAlike(block, tx, m, (commit) => {
              const n = store.batches.length;
              commit();
              expect(store.batches.length).toBe(m.block.size === 0 ? n : n + 1);
              if (m.block.size > 0) expect(store.batches.at(-1)).toEqual([...m.block.keys()].sort((a, b) => cmp(Buffer.from(a, "hex"), Buffer.from(b, "hex"))));
            });
            break;
        }
        expect(tx.size).toBe(m.view("tx").length);
      }
      expect(show([...tx.entries()])).toEqual(show(m.view("tx")));
      expect(show([...store.entries()])).toEqual(show(m.view("committed")));
    }),
    { numRuns: 300 },
  );
});

it("a value handed out by the overlay stays the bytes written: later puts of the same key replace, never overwrite", () => {
  const o = new Overlay(new MemoryStore());
  o.put(u(1), u(1, 2, 3));
  const first = o.getBin(Buffer.from([1]).toString("latin1"))!;
  o.put(u(1), u(9, 9, 9));
  expect(hex(first)).toBe("010203");
  expect(hex(o.get(u(1))!)).toBe("090909");
});

// ---- savepoints: the Chain runs each transaction on its block's overlay inside one ----

const savepointOpArb = opsWeighted({ put: 6, delete: 3, get: 2, next: 2, savepoint: 3, release: 2, rollback: 2, commitBlock: 1, discardBlock: 1 });

it("randomized savepoints: rollback restores the buffer exactly as it was at the savepoint (point reads, ordered reads, commits), release keeps every write; a long journal included", () => {
  fc.assert(
    fc.property(fc.array(savepointOpArb, { minLength: 1, maxLength: 150, size: "max" }), (ops) => {
      const store = new MemoryStore();
      const block = new Overlay(store);
      const m = new LayeredModel(); // no transaction layer here: the block overlay is written directly
      let saved: Model | null = null;
      for (const o of ops) {
        switch (o.op) {
          case "put":
            block.put(o.key, o.value);
            m.block.set(hex(o.key), o.value.slice());
            break;
          case "delete":
            block.delete(o.key);
            m.block.set(hex(o.key), null);
            break;
          case "get":
            expectGet(block, m, "block", o.key);
            break;
          case "next":
            expectNext(block, m, "block", o.prefix, o.after);
            break;
          case "savepoint":
            if (saved !== null) expect(() => block.savepoint()).toThrow(/already open/);
            else {
              block.savepoint();
              saved = new Map(m.block);
            }
            break;
          case "release":
            block.release();
            saved = null;
            break;
          case "rollback":
            block.rollback();
            if (saved !== null) m.block = saved; // with no savepoint open, nothing to undo
            saved = null;
            break;
          case "commitBlock":
            if (saved !== null) {
              expect(() => block.commit()).toThrow(/savepoint is open/);
              break;
            }
            block.commit();
            m.commitBlock();
            break;
          case "discardBlock":
            block.discard();
            m.discardBlock();
            saved = null;
            break;
        }
        expect(show([...block.entries()])).toEqual(show(m.view("block")));
        expect(block.pending).toBe(m.block.size);
      }
    }),
    { numRuns: 300 },
  );
});

it("a savepoint journal longer than its linear search (over 16 keys) still undoes every key once", () => {
  const store = new MemoryStore();
  const block = new Overlay(store);
  const k = (i: number) => Uint8Array.of(1, i);
  for (let i = 0; i < 10; i++) block.put(k(i), Uint8Array.of(0xaa));
  block.savepoint();
  for (let round = 0; round < 3; round++) for (let i = 0; i < 40; i++) block.put(k(i), Uint8Array.of(round));
  block.delete(k(3));
  block.rollback();
  expect(block.pending).toBe(10);
  for (let i = 0; i < 40; i++) expect(block.get(k(i))).toEqual(i < 10 ? Uint8Array.of(0xaa) : undefined);
});
