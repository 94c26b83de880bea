import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Chain, type BlockInput } from "../../src/host/chain.ts";
import { ContractRuntime } from "../../src/host/runtime.ts";
import { stateRoot } from "../../src/host/stateRoot.ts";
import { MemoryStore } from "../../src/host/store.ts";
import type { CallContext, RawEvent } from "../../src/host/types.ts";
import { HOST_IMPORTS_WAT, bytes, hex, wat } from "./wat.ts";
import { account } from "../helpers/accounts.ts";
import { tempDir } from "../helpers/temp.ts";

// A small key-value contract:
//   put(klen: u8, key, value)  writes key = value, emits "Put" with the input
//   fail(same)                 does what put does, then returns 4
//   del(key)                   deletes key
//   get(key)                   outputs the value, 5 when absent
//   signed()                   0 when the sender signed, else 4
//   onPersist()                [optionally] counter "persist" += 1; emits "Persist" with the height;
//                              returns 9 at heights divisible by `failEvery` (0 = never)
function kvModule(opts: { persistWrites?: boolean; failEvery?: number } = {}): Uint8Array {
  const { persistWrites = true, failEvery = 0 } = opts;
  return wat(`(module
  ${HOST_IMPORTS_WAT}
  (memory (export "memory") 1 1)
  (data (i32.const 0) "persist")
  (data (i32.const 16) "Put")
  (data (i32.const 32) "Persist")
  (func $put (local $n i32) (local $k i32)
    (local.set $n (call $input_len))
    (call $input_read (i32.const 1000))
    (local.set $k (i32.load8_u (i32.const 1000)))
    (call $storage_write (i32.const 1001) (local.get $k)
      (i32.add (i32.const 1001) (local.get $k)) (i32.sub (i32.sub (local.get $n) (i32.const 1)) (local.get $k)))
    (call $emit (i32.const 16) (i32.const 3) (i32.const 1000) (local.get $n)))
  (func (export "put") (result i32) (call $put) (i32.const 0))
  (func (export "fail") (result i32) (call $put) (i32.const 4))
  (func (export "del") (result i32)
    (call $input_read (i32.const 1000)) (call $storage_delete (i32.const 1000) (call $input_len)) (i32.const 0))
  (func (export "get") (result i32) (local $n i32)
    (call $input_read (i32.const 1000))
    (local.set $n (call $storage_read (i32.const 1000) (call $input_len) (i32.const 2000) (i32.const 1024)))
    (if (i32.lt_s (local.get $n) (i32.const 0)) (then (return (i32.const 5))))
    (call $output_write (i32.const 2000) (local.get $n)) (i32.const 0))
  (func (export "signed") (result i32)
    (call $caller (i32.const 3000))
    (if (result i32) (call $check_witness (i32.const 3000)) (then (i32.const 0)) (else (i32.const 4))))
  (func (export "onPersist") (result i32)
    ${persistWrites ? `(i32.store (i32.const 100) (i32.const 0))
    (drop (call $storage_read (i32.const 0) (i32.const 7) (i32.const 100) (i32.const 4)))
    (i32.store (i32.const 100) (i32.add (i32.load (i32.const 100)) (i32.const 1)))
    (call $storage_write (i32.const 0) (i32.const 7) (i32.const 100) (i32.const 4))` : ""}
    (i32.store (i32.const 104) (call $block_height))
    (call $emit (i32.const 32) (i32.const 7) (i32.const 104) (i32.const 4))
    ${failEvery > 0 ? `(if (i32.eqz (i32.rem_u (call $block_height) (i32.const ${failEvery}))) (then (return (i32.const 9))))` : ""}
    (i32.const 0))
)`);
}

const KV = kvModule();
const ALICE = account(0xa1);
const put = (k: string, v: string): Uint8Array => Uint8Array.from([k.length, ...bytes(k), ...bytes(v)]);
const tx = (method: string, args: Uint8Array) => ({ method, args, sender: ALICE });
const ctx = (height: number): CallContext => ({ height, sender: ALICE, witnesses: [ALICE] });
const ev = (e: RawEvent): string => (e.name === "Persist" ? `Persist@${new DataView(e.data.buffer, e.data.byteOffset).getUint32(0, true)}` : `${e.name}:${Buffer.from(e.data.subarray(1)).toString("latin1")}`);
const get = (c: Chain, k: string): string | undefined => {
  const r = c.view("get", bytes(k));
  return r.code === 5 ? undefined : Buffer.from(r.output).toString("latin1");
};
const counter = (c: Chain): number => {
  const r = c.view("get", bytes("persist"));
  return r.code === 5 ? 0 : new DataView(r.output.buffer).getUint32(0, true);
};

describe("Chain", () => {
  it("calls onPersist after every block, empty ones included: its event is each block's last and its counter counts the blocks", () => {
    const c = new Chain(KV);
    const heights = [1, 2, 5, 9];
    heights.forEach((h, i) => {
      const b = c.executeBlock({ height: h, txs: i % 2 === 0 ? [tx("put", put("k", `v${h}`))] : [] });
      expect(b.onPersist).toMatchObject({ code: 0, ok: true });
      expect(b.events.map(ev).at(-1)).toBe(`Persist@${h}`);
      expect(counter(c)).toBe(i + 1);
    });
    expect(c.lastHeight).toBe(9);
  });

  it("a block's events are the kept events of its transactions in order, then onPersist's; a failed transaction contributes none", () => {
    const c = new Chain(KV);
    const b = c.executeBlock({ height: 1, txs: [tx("put", put("a", "1")), tx("fail", put("b", "2")), tx("nope", new Uint8Array(0)), tx("put", put("c", "3"))] });
    expect(b.txs.map((r) => r.code)).toEqual([0, 4, -1, 0]);
    expect(b.txs[2]!.trap).toBe("no such method: nope");
    expect(b.events.map(ev)).toEqual(["Put:a1", "Put:c3", "Persist@1"]);
    expect([get(c, "a"), get(c, "b"), get(c, "c")]).toEqual(["1", undefined, "3"]);
    const b2 = c.executeBlock({ height: 2, txs: [] });
    expect(b2.events.map(ev)).toEqual(["Persist@2"]); // events do not leak from one block into the next
  });

  it("the same blocks on two fresh chains (one reusing its instance, one not) give the same state root at every height; one changed byte gives another", () => {
    const blocks: BlockInput[] = [];
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let h = 1; h <= 30; h++) {
      const txs = Array.from({ length: rnd(5) }, () => {
        const k = `k${rnd(8)}`;
        const m = ["put", "put", "fail", "del"][rnd(4)]!;
        return tx(m, m === "del" ? bytes(k) : put(k, `v${rnd(100)}`));
      });
      blocks.push({ height: h * 2, txs });
    }
    const a = new Chain(KV, new MemoryStore(), { reuse: true });
    const b = new Chain(KV, new MemoryStore(), { reuse: false });
    const rootsA = blocks.map((bl) => a.executeBlock(bl).stateRoot);
    const rootsB = blocks.map((bl) => b.executeBlock(bl).stateRoot);
    expect(rootsB).toEqual(rootsA);
    expect(new Set(rootsA).size).toBe(rootsA.length); // the onPersist counter changes every block
    expect(a.stateRoot()).toBe(stateRoot(a.store));

    const altered = structuredClone(blocks);
    altered[10]!.txs.push(tx("put", put("zz", "x")));
    const c = new Chain(KV);
    const rootsC = altered.map((bl) => c.executeBlock(bl).stateRoot);
    expect(rootsC.slice(0, 10)).toEqual(rootsA.slice(0, 10));
    expect(rootsC[10]).not.toBe(rootsA[10]);
  });

  it("heights must strictly increase; a rejected block leaves the chain usable", () => {
    const c = new Chain(KV);
    c.executeBlock({ height: 5, txs: [] });
    expect(() => c.executeBlock({ height: 5, txs: [] })).toThrow(/strictly increase/);
    expect(() => c.executeBlock({ height: 4, txs: [] })).toThrow(/strictly increase/);
    expect(() => c.beginBlock(1.5)).toThrow(/integer/);
    expect(() => c.beginBlock(2 ** 32)).toThrow(/integer/);
    expect(c.currentHeight).toBeUndefined();
    c.beginBlock(6);
    expect(() => c.beginBlock(7)).toThrow(/still open/);
    expect(c.endBlock().height).toBe(6);
    expect(() => c.endBlock()).toThrow(/no open block/);
    expect(counter(c)).toBe(2);
  });

  it("changed is true only when some byte of state differs after the block", () => {
    const c = new Chain(kvModule({ persistWrites: false }));
    const first = c.executeBlock({ height: 1, txs: [tx("put", put("a", "1"))] });
    expect(first.changed).toBe(true);
    const same = c.executeBlock({ height: 2, txs: [tx("put", put("a", "1")), tx("del", bytes("nothing"))] });
    expect(same.changed).toBe(false);
    expect(same.stateRoot).toBe(first.stateRoot);
    expect(c.executeBlock({ height: 3, txs: [] }).changed).toBe(false);
    const putDel = c.executeBlock({ height: 4, txs: [tx("put", put("b", "2")), tx("del", bytes("b"))] });
    expect(putDel.changed).toBe(false);
    const del = c.executeBlock({ height: 5, txs: [tx("del", bytes("a"))] });
    expect(del.changed).toBe(true);
    expect(del.stateRoot).toBe(stateRoot(new MemoryStore()));
  });

  it("an onPersist that returns non-zero is reported, its writes and events are discarded, the block's transactions still commit", () => {
    const c = new Chain(kvModule({ failEvery: 2 }));
    const b1 = c.executeBlock({ height: 1, txs: [] });
    const b2 = c.executeBlock({ height: 2, txs: [tx("put", put("x", "1"))] });
    expect(b1.onPersist.ok).toBe(true);
    expect(b2.onPersist).toMatchObject({ code: 9, ok: false, events: [] });
    expect(b2.events.map(ev)).toEqual(["Put:x1"]);
    expect(get(c, "x")).toBe("1");
    expect(counter(c)).toBe(1);
    c.executeBlock({ height: 3, txs: [] });
    expect(counter(c)).toBe(2);
  });

  it("a view sees the open block's kept transactions and never keeps its own writes", () => {
    const c = new Chain(KV);
    c.beginBlock(1);
    c.transact("put", put("a", "1"), ctx(1));
    expect(get(c, "a")).toBe("1");
    const v = c.view("put", put("b", "2"));
    expect(v.ok).toBe(true);
    expect(get(c, "b")).toBeUndefined();
    c.endBlock();
    expect(c.store.get(bytes("b"))).toBeUndefined();
    expect(Buffer.from(c.store.get(bytes("a"))!).toString()).toBe("1");
  });

  it("transact opens a block at ctx.height when none is open and rejects another height while one is open", () => {
    const c = new Chain(KV);
    expect(c.transact("put", put("a", "1"), ctx(3)).ok).toBe(true);
    expect(c.currentHeight).toBe(3);
    expect(() => c.transact("put", put("a", "2"), ctx(4))).toThrow(/not the open block's height 3/);
    expect(c.endBlock().txs.length).toBe(1);
  });

  it("executeBlock treats a transaction as signed by its sender unless witnesses are given", () => {
    const c = new Chain(KV);
    const b = c.executeBlock({ height: 1, txs: [tx("signed", new Uint8Array(0)), { ...tx("signed", new Uint8Array(0)), witnesses: [] }] });
    expect(b.txs.map((r) => r.code)).toEqual([0, 4]);
    expect(() => c.executeBlock({ height: 2, txs: [{ ...tx("put", put("a", "1")), sender: new Uint8Array(3) }] })).toThrow(/sender must be a 20-byte/);
    expect(c.currentHeight).toBeUndefined(); // checked before the block opened
  });

  it("abortBlock drops the open block entirely", () => {
    const c = new Chain(KV);
    c.transact("put", put("a", "1"), ctx(1));
    c.abortBlock();
    expect(get(c, "a")).toBeUndefined();
    expect(c.store.size).toBe(0);
    expect(c.executeBlock({ height: 1, txs: [] }).height).toBe(1); // the aborted height was never used
  });

  it("fromFile loads a module, and a Chain can share a ContractRuntime", () => {
    const dir = tempDir("host");
    const path = join(dir, "kv.wasm");
    writeFileSync(path, KV);
    const c = Chain.fromFile(path);
    expect(c.executeBlock({ height: 1, txs: [tx("put", put("a", "1"))] }).txs[0]!.ok).toBe(true);
    const rt = new ContractRuntime(KV);
    const d = new Chain(rt);
    expect(d.runtime).toBe(rt);
    expect(hex(d.executeBlock({ height: 1, txs: [tx("put", put("a", "1"))] }).events[0]!.data)).toBe(hex(put("a", "1")));
    expect(d.stateRoot()).toBe(c.stateRoot());
  });
});
