// LevelStore behaves as MemoryStore does (same Store semantics), across commits, discards
// and close + reopen; each block is one atomic batch.

import fc from "fast-check";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Overlay } from "../../src/host/overlay.ts";
import { MemoryStore, isBinaryStore, type Store } from "../../src/host/store.ts";
import { stateRoot } from "../../src/host/stateRoot.ts";
import { ChainStoreError, LevelStore } from "../../src/store/index.ts";
import { tempDir } from "./_helpers.ts";

const u = (...b: number[]): Uint8Array => Uint8Array.from(b);
import { hex } from "../helpers/bytes.ts";
const show = (s: Store): string[] => [...s.entries()].map(([k, v]) => `${hex(k)}=${hex(v)}`);

// A small key space (as in tests/host/store.test.ts) so writes collide often.
const keyArb = fc.uint8Array({ minLength: 1, maxLength: 3 }).map((a) => a.map((b) => [0x00, 0x7f, 0x80, 0xff][b % 4]!));
const valArb = fc.uint8Array({ minLength: 0, maxLength: 3 });
const opArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("put" as const), key: keyArb, value: valArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("delete" as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("apply" as const), writes: fc.array(fc.record({ key: keyArb, value: fc.option(valArb, { nil: null }) }), { maxLength: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("get" as const), key: keyArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("next" as const), prefix: keyArb.map((k) => k.subarray(0, 2)), after: fc.option(keyArb, { nil: undefined }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("commit" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("discard" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("reopen" as const) }) },
);

describe("LevelStore: the Store semantics of MemoryStore", () => {
  it("is a BinaryStore; orders keys bytewise; next and copies as MemoryStore", async () => {
    const s = await LevelStore.open(path.join(tempDir(), "db"), { create: true });
    try {
      expect(isBinaryStore(s)).toBe(true);
      const m = new MemoryStore();
      for (const k of [u(0xff), u(0x80), u(0x7f, 0x00), u(0x7f), u(0x00, 0xff, 0xff), u(0x01), u(0x80, 0x00), u(0xc3, 0xa9), u(0xc3)]) {
        s.put(k, u(k.length));
        m.put(k, u(k.length));
      }
      expect(show(s)).toEqual(show(m));
      expect(s.next(u(0x7f), u())!.map(hex)).toEqual(["7f", "01"]);
      expect(s.next(u(0x7f), u(0x7f))!.map(hex)).toEqual(["7f00", "02"]);
      expect(s.next(u(0x7f), u(0x7f, 0))).toBeUndefined();
      const v = u(1, 2, 3);
      s.put(u(9), v);
      v[0] = 99;
      s.get(u(9))![1] = 77;
      expect(hex(s.get(u(9))!)).toBe("010203");
      await s.commitBlock({ height: 0 });
      expect(s.stateRoot).toBe(stateRoot(s));
    } finally {
      await s.close();
    }
  });

  it("apply is all or nothing: an invalid write changes nothing and stages nothing", async () => {
    const s = await LevelStore.open(path.join(tempDir(), "db"), { create: true });
    try {
      s.put(u(1), u(1));
      await s.commitBlock({ height: 0 });
      const bad = [{ key: u(2), value: u(2) }, { key: u(1), value: null }, { key: u(3), value: "x" as unknown as Uint8Array }];
      expect(() => s.apply(bad)).toThrow(TypeError);
      expect(show(s)).toEqual(["01=01"]);
      expect(s.pending).toBe(0);
    } finally {
      await s.close();
    }
  });

  it("randomized: every op agrees with MemoryStore; after reopen the store is the last committed block", async () => {
    const base = tempDir("prop");
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 80 }), async (ops) => {
        const dir = path.join(base, `r${run++}`);
        let s = await LevelStore.open(dir, { create: true });
        const live = new MemoryStore(); // what reads must see
        let committed = new MemoryStore(); // what the disk holds
        let height = -1;
        try {
          for (const o of ops) {
            switch (o.op) {
              case "put":
                s.put(o.key, o.value);
                live.put(o.key, o.value);
                break;
              case "delete":
                s.delete(o.key);
                live.delete(o.key);
                break;
              case "apply":
                s.apply(o.writes);
                live.apply(o.writes);
                break;
              case "get": {
                const g = s.get(o.key);
                const w = live.get(o.key);
                expect(g && hex(g)).toEqual(w && hex(w));
                break;
              }
              case "next": {
                const after = o.after ?? u();
                const g = s.next(o.prefix, after);
                const w = live.next(o.prefix, after);
                expect(g && g.map(hex)).toEqual(w && w.map(hex));
                break;
              }
              case "commit": {
                height += 1;
                const b = await s.commitBlock({ height });
                committed = new MemoryStore(live.entries());
                expect(b.stateRoot).toBe(stateRoot(committed));
                expect(s.pending).toBe(0);
                break;
              }
              case "discard":
                s.discardStaged();
                for (const [k] of [...live.entries()]) live.delete(k);
                for (const [k, v] of committed.entries()) live.put(k, v);
                break;
              case "reopen":
                await s.close();
                s = await LevelStore.open(dir);
                for (const [k] of [...live.entries()]) live.delete(k);
                for (const [k, v] of committed.entries()) live.put(k, v);
                expect(s.height).toBe(height);
                break;
            }
            expect(show(s)).toEqual(show(live));
            expect(s.size).toBe(live.size);
          }
          await s.close();
          s = await LevelStore.open(dir);
          expect(show(s)).toEqual(show(committed));
          expect(s.height).toBe(height);
          expect(s.stateRoot).toBe(stateRoot(committed));
        } finally {
          await s.close();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it("randomized: block and tx overlays over a LevelStore see what they see over a MemoryStore", async () => {
    const base = tempDir("ovl");
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.record({ key: keyArb, value: fc.option(valArb, { nil: null }) }), { maxLength: 8 }), { minLength: 1, maxLength: 12 }), async (blocks) => {
        const dir = path.join(base, `r${run++}`);
        const s = await LevelStore.open(dir, { create: true });
        const m = new MemoryStore();
        try {
          for (const [h, writes] of blocks.entries()) {
            for (const store of [s, m] as Store[]) {
              const o = new Overlay(store);
              for (const w of writes) (w.value === null ? o.delete(w.key) : o.put(w.key, w.value));
              o.commit();
            }
            await s.commitBlock({ height: h });
            expect(show(s)).toEqual(show(m));
          }
        } finally {
          await s.close();
        }
        const again = await LevelStore.open(dir);
        try {
          expect(show(again)).toEqual(show(m));
          expect(again.stateRoot).toBe(stateRoot(m));
        } finally {
          await again.close();
        }
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});

describe("LevelStore: one atomic batch per block", () => {
  it("commitBlock writes the state writes, the block record and the head in exactly one db.batch", async () => {
    const s = await LevelStore.open(path.join(tempDir(), "db"), { create: true });
    const db = (s as unknown as { db: { batch: (...a: unknown[]) => Promise<void> } }).db;
    const calls: unknown[][] = [];
    const real = db.batch.bind(db);
    db.batch = (...a: unknown[]) => {
      calls.push(a);
      return real(...a);
    };
    try {
      s.apply([{ key: u(1), value: u(1) }, { key: u(2), value: u(2) }]);
      s.apply([{ key: u(2), value: null }, { key: u(3), value: u(3) }]);
      await s.commitBlock({ height: 0, events: [{ name: "E", data: u(7) }] });
      expect(calls).toHaveLength(1);
      const ops = calls[0]![0] as { type: string; key: Uint8Array }[];
      // three state keys (the last write of each), the block record, the head
      expect(ops.map((o) => `${o.type}:${Buffer.from(o.key).toString("latin1").replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}`)).toEqual([
        "put:s\\x01",
        "del:s\\x02",
        "put:s\\x03",
        "put:b\\x00\\x00\\x00\\x00",
        "put:!head",
      ]);
      await s.commitBlock({ height: 1 }); // an empty block still records its height and root
      expect(calls).toHaveLength(2);
      expect(s.height).toBe(1);
      const b = await s.block(0);
      expect(b).toEqual({ height: 0, stateRoot: stateRoot(new MemoryStore([[u(1), u(1)], [u(3), u(3)]])), changed: true, events: [{ name: "E", data: u(7) }] });
      expect((await s.block(1))!.changed).toBe(false);
      expect(await s.block(2)).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it("a failed batch writes nothing: the store refuses further use and reopens at the previous block", async () => {
    const dir = path.join(tempDir(), "db");
    const s = await LevelStore.open(dir, { create: true });
    s.put(u(1), u(1));
    await s.commitBlock({ height: 0 });
    const db = (s as unknown as { db: { batch: () => Promise<void> } }).db;
    db.batch = () => Promise.reject(new Error("disk full"));
    s.put(u(2), u(2));
    const err = await s.commitBlock({ height: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainStoreError);
    expect((err as ChainStoreError).code).toBe("IO");
    expect((err as Error).message).toMatch(/disk full/);
    expect(() => s.put(u(3), u(3))).toThrow(/reopen/);
    await s.close();
    const again = await LevelStore.open(dir);
    expect(again.height).toBe(0);
    expect(show(again)).toEqual(["01=01"]);
    await again.close();
  });

  it("a block at or below the stored height is refused (HEIGHT) and its staged writes undone", async () => {
    const dir = path.join(tempDir(), "db");
    const s = await LevelStore.open(dir, { create: true });
    try {
      s.put(u(1), u(1));
      await s.commitBlock({ height: 5 });
      s.put(u(1), u(9));
      s.put(u(2), u(2));
      for (const h of [5, 3]) {
        const err = await s.commitBlock({ height: h }).catch((e: unknown) => e);
        expect((err as ChainStoreError).code).toBe("HEIGHT");
        expect((err as Error).message).toContain(`block ${h} is at or below the stored height 5`);
      }
      expect(show(s)).toEqual(["01=01"]);
      expect(() => s.checkNextHeight(5)).toThrow(/at or below the stored height 5/);
      expect(() => s.checkNextHeight(6)).not.toThrow();
      expect(s.height).toBe(5);
    } finally {
      await s.close();
    }
  });

  it("blocks are committed one height at a time: a gap is refused (HEIGHT), so every reopened store's records are contiguous", async () => {
    const dir = path.join(tempDir(), "db");
    const s = await LevelStore.open(dir, { create: true });
    try {
      await s.commitBlock({ height: 5 });
      const err = await s.commitBlock({ height: 7 }).catch((e: unknown) => e);
      expect((err as ChainStoreError).code).toBe("HEIGHT");
      expect((err as Error).message).toContain("block 7 skips heights after the stored height 5");
      await s.commitBlock({ height: 6 });
    } finally {
      await s.close();
    }
  });

  it("a store whose first block is above 0 (the library allows it; the v1 fixture is one) reopens", async () => {
    const dir = path.join(tempDir(), "db");
    const s = await LevelStore.open(dir, { create: true });
    s.put(u(1), u(2));
    await s.commitBlock({ height: 3 });
    await s.commitBlock({ height: 4 });
    await s.close();
    for (const verifyAll of [false, true]) {
      const again = await LevelStore.open(dir, { verifyAll });
      try {
        expect(again.height).toBe(4);
        expect(show(again)).toEqual(["01=02"]);
      } finally {
        await again.close();
      }
    }
  });

  it("blocks() reads the records back in height order", async () => {
    const s = await LevelStore.open(path.join(tempDir(), "db"), { create: true });
    try {
      for (let h = 0; h < 300; h++) {
        if (h % 3 === 0) s.put(u(h & 0xff, h >> 8), u(h & 0xff));
        await s.commitBlock({ height: h, events: h % 5 === 0 ? [{ name: `Ev${h}`, data: u(h & 0xff) }] : [] });
      }
      const all = [];
      for await (const b of s.blocks()) all.push(b);
      expect(all.map((b) => b.height)).toEqual([...Array(300).keys()]);
      expect(all.filter((b) => b.changed).length).toBe(100);
      expect(all[250]!.events).toEqual([{ name: "Ev250", data: u(250) }]);
      const some = [];
      for await (const b of s.blocks(10, 12)) some.push(b.height);
      expect(some).toEqual([10, 11, 12]);
      expect(all[299]!.stateRoot).toBe(s.stateRoot);
    } finally {
      await s.close();
    }
  });
});
