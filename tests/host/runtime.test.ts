import { beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../src/host/chain.ts";
import { ContractRuntime } from "../../src/host/runtime.ts";
import { MemoryStore } from "../../src/host/store.ts";
import type { CallContext } from "../../src/host/types.ts";
import { HOST_IMPORTS_WAT, bytes, hex, wat } from "./wat.ts";
import { account } from "../helpers/accounts.ts";

const MEM = 2 * 65536; // the hostile module's memory: 2 pages, fixed
const ALICE = account(0xa1);
const BOB = account(0xb0);
const ctx = (height = 1): CallContext => ({ height, sender: ALICE, witnesses: [ALICE] });

// Memory layout of the hostile module (data segments):
//   0 "k1"   16 "v1"   32 "Ev"   48 0xc3 0xa9 (non-ASCII)   64 "bad!"   80 "Bad"   96 "Ev x" (space)
// Every `bad_*` method first writes "bad!" = "v1" and emits "Bad", then makes one bad call,
// then returns 0: if the host let the call through, the write and the event would be kept.
const PRELUDE = `
    (call $storage_write (i32.const 64) (i32.const 4) (i32.const 16) (i32.const 2))
    (call $emit (i32.const 80) (i32.const 3) (i32.const 16) (i32.const 2))`;

/** [method, the bad call, the FAULT message it must produce] */
const BAD: [string, string, RegExp][] = [
  // out-of-range pointers, one or more per import that takes one
  ["input_read_dst", `(call $input_read (i32.const ${MEM - 2}))`, /^input_read: destination \[131070,131074\) outside memory of 131072 bytes$/],
  ["output_write_src", `(call $output_write (i32.const ${MEM - 72}) (i32.const 100))`, /^output_write: source \[131000,131100\) outside memory of 131072 bytes$/],
  ["storage_read_key", `(drop (call $storage_read (i32.const ${MEM - 1}) (i32.const 2) (i32.const 0) (i32.const 4)))`, /^storage_read: key \[131071,131073\) outside memory of 131072 bytes$/],
  ["storage_read_dst", `(drop (call $storage_read (i32.const 0) (i32.const 2) (i32.const ${MEM - 2}) (i32.const 8)))`, /^storage_read: destination \[131070,131078\) outside/],
  ["storage_write_key", `(call $storage_write (i32.const ${MEM}) (i32.const 1) (i32.const 16) (i32.const 2))`, /^storage_write: key \[131072,131073\) outside/],
  ["storage_write_val", `(call $storage_write (i32.const 0) (i32.const 2) (i32.const ${MEM - 72}) (i32.const 1000))`, /^storage_write: value \[131000,132000\) outside/],
  ["storage_delete_key", `(call $storage_delete (i32.const ${MEM - 1}) (i32.const 5))`, /^storage_delete: key \[131071,131076\) outside/],
  ["storage_next_prefix", `(drop (call $storage_next (i32.const ${MEM}) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))`, /^storage_next: prefix \[131072,131073\) outside/],
  ["storage_next_after", `(drop (call $storage_next (i32.const 0) (i32.const 0) (i32.const ${MEM - 1}) (i32.const 2) (i32.const 0) (i32.const 0)))`, /^storage_next: after \[131071,131073\) outside/],
  ["storage_next_dst", `(drop (call $storage_next (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const ${MEM - 1}) (i32.const 2)))`, /^storage_next: destination \[131071,131073\) outside/],
  ["caller_dst", `(call $caller (i32.const ${MEM - 12}))`, /^caller: destination \[131060,131080\) outside/],
  ["check_witness_account", `(drop (call $check_witness (i32.const ${MEM - 12})))`, /^check_witness: account \[131060,131080\) outside/],
  ["emit_name", `(call $emit (i32.const ${MEM - 1}) (i32.const 2) (i32.const 16) (i32.const 2))`, /^emit: name \[131071,131073\) outside/],
  ["emit_data", `(call $emit (i32.const 32) (i32.const 2) (i32.const ${MEM - 1}) (i32.const 2))`, /^emit: data \[131071,131073\) outside/],
  ["log_msg", `(call $log (i32.const ${MEM - 72}) (i32.const 100))`, /^log: message \[131000,131100\) outside/],
  // negative pointers and lengths
  ["storage_read_negative_ptr", `(drop (call $storage_read (i32.const -4) (i32.const 2) (i32.const 0) (i32.const 4)))`, /^storage_read: key \[-4,-2\) outside/],
  ["caller_negative_ptr", `(call $caller (i32.const -1))`, /^caller: destination \[-1,19\) outside/],
  ["pointer_near_2_31", `(call $storage_write (i32.const 0x7fffffff) (i32.const 2) (i32.const 16) (i32.const 2))`, /^storage_write: key \[2147483647,2147483649\) outside/],
  ["storage_write_negative_len", `(call $storage_write (i32.const 0) (i32.const 2) (i32.const 16) (i32.const -1))`, /^storage_write: negative value length -1$/],
  ["storage_write_negative_keylen", `(call $storage_write (i32.const 0) (i32.const -2) (i32.const 16) (i32.const 2))`, /^storage_write: negative key length -2$/],
  ["storage_read_negative_cap", `(drop (call $storage_read (i32.const 0) (i32.const 2) (i32.const 0) (i32.const -1)))`, /^storage_read: negative destination length -1$/],
  ["storage_next_negative_prefix", `(drop (call $storage_next (i32.const 0) (i32.const -1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))`, /^storage_next: negative prefix length -1$/],
  ["output_write_negative_len", `(call $output_write (i32.const 0) (i32.const -8))`, /^output_write: negative source length -8$/],
  ["emit_negative_len", `(call $emit (i32.const 32) (i32.const 2) (i32.const 16) (i32.const -3))`, /^emit: negative data length -3$/],
  ["log_negative_len", `(call $log (i32.const 0) (i32.const -5))`, /^log: negative message length -5$/],
  // sizes
  ["key_129", `(call $storage_write (i32.const 0) (i32.const 129) (i32.const 16) (i32.const 2))`, /^storage_write: key of 129 bytes exceeds 128$/],
  ["read_key_129", `(drop (call $storage_read (i32.const 0) (i32.const 129) (i32.const 0) (i32.const 4)))`, /^storage_read: key of 129 bytes exceeds 128$/],
  ["delete_key_129", `(call $storage_delete (i32.const 0) (i32.const 129))`, /^storage_delete: key of 129 bytes exceeds 128$/],
  ["next_prefix_129", `(drop (call $storage_next (i32.const 0) (i32.const 129) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))`, /^storage_next: prefix of 129 bytes exceeds 128$/],
  ["value_65536", `(call $storage_write (i32.const 0) (i32.const 2) (i32.const 0) (i32.const 65536))`, /^storage_write: value of 65536 bytes exceeds 65535$/],
  ["empty_key", `(call $storage_write (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 2))`, /^storage_write: empty key/],
  // event names
  ["emit_non_ascii", `(call $emit (i32.const 48) (i32.const 2) (i32.const 16) (i32.const 2))`, /^emit: event name byte 0xc3 at 0 is not visible ASCII$/],
  ["emit_space", `(call $emit (i32.const 96) (i32.const 4) (i32.const 16) (i32.const 2))`, /^emit: event name byte 0x20 at 2 is not visible ASCII$/],
  ["emit_empty_name", `(call $emit (i32.const 32) (i32.const 0) (i32.const 16) (i32.const 2))`, /^emit: event name of 0 bytes/],
  // traps
  ["trap_unreachable", `(unreachable)`, /^trap: unreachable/],
  ["trap_memory", `(drop (i32.load (i32.const ${MEM})))`, /^trap: memory access out of bounds/],
  ["trap_divide", `(drop (i32.div_u (i32.const 1) (i32.const 0)))`, /^trap: divide by zero/],
];

const HOSTILE = `(module
  ${HOST_IMPORTS_WAT}
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (memory (export "memory") 2 2)
  (data (i32.const 0) "k1")
  (data (i32.const 16) "v1")
  (data (i32.const 32) "Ev")
  (data (i32.const 48) "\\c3\\a9")
  (data (i32.const 64) "bad!")
  (data (i32.const 80) "Bad")
  (data (i32.const 96) "Ev x")
  ;; AssemblyScript strings for abort: u32 byte length at ptr-4, UTF-16LE at ptr
  (data (i32.const 200) "\\0a\\00\\00\\00b\\00o\\00o\\00m\\00!\\00")
  (data (i32.const 300) "\\08\\00\\00\\00a\\00.\\00t\\00s\\00")
  ${BAD.map(([name, call]) => `(func (export "bad_${name}") (result i32) ${PRELUDE} ${call} (i32.const 0))`).join("\n  ")}
  (func (export "ok_write") (result i32)
    (call $storage_write (i32.const 0) (i32.const 2) (i32.const 16) (i32.const 2))
    (call $emit (i32.const 32) (i32.const 2) (i32.const 16) (i32.const 2))
    (i32.const 0))
  (func (export "write_then_fail") (result i32) ${PRELUDE} (i32.const 7))
  (func (export "write_then_trap") (result i32) ${PRELUDE} (unreachable))
  (func (export "write_then_abort") (result i32) ${PRELUDE}
    (call $abort (i32.const 204) (i32.const 304) (i32.const 12) (i32.const 5)) (i32.const 0))
  (func $rec (param i32) (result i32) (call $rec (i32.add (local.get 0) (i32.const 1))))
  (func (export "recurse") (result i32) ${PRELUDE} (call $rec (i32.const 0)))
  ;; key of exactly 128 bytes and value of exactly 65535 bytes: accepted
  (func (export "max_sizes") (result i32)
    (call $storage_write (i32.const 1000) (i32.const 128) (i32.const 2000) (i32.const 65535)) (i32.const 0))
  ;; storage_read: returns the full length, copies min(len, cap) bytes; output = 8 bytes at 500
  (func (export "read_k1_cap1") (result i32)
    (i32.store (i32.const 500) (i32.const -1))
    (i32.store (i32.const 504) (call $storage_read (i32.const 0) (i32.const 2) (i32.const 500) (i32.const 1)))
    (call $output_write (i32.const 500) (i32.const 8)) (i32.const 0))
  (func (export "read_absent") (result i32) (call $storage_read (i32.const 64) (i32.const 4) (i32.const 500) (i32.const 8)))
  (func $copy (param $d i32) (param $s i32) (param $n i32)
    (block $x (loop $c (br_if $x (i32.eqz (local.get $n)))
      (i32.store8 (local.get $d) (i32.load8_u (local.get $s)))
      (local.set $d (i32.add (local.get $d) (i32.const 1)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $c))))
  ;; iterate every key with storage_next, output them concatenated (prefix = input)
  (func (export "scan") (result i32) (local $n i32) (local $plen i32) (local $alen i32) (local $out i32)
    (local.set $plen (call $input_len))
    (call $input_read (i32.const 4000))
    (local.set $out (i32.const 6000))
    (block $done (loop $l
      (local.set $n (call $storage_next (i32.const 4000) (local.get $plen) (i32.const 5000) (local.get $alen) (i32.const 5000) (i32.const 128)))
      (br_if $done (i32.lt_s (local.get $n) (i32.const 0)))
      (local.set $alen (local.get $n))
      (call $copy (local.get $out) (i32.const 5000) (local.get $n))
      (local.set $out (i32.add (local.get $out) (local.get $n)))
      (i32.store8 (local.get $out) (i32.const 0x2c))
      (local.set $out (i32.add (local.get $out) (i32.const 1)))
      (br $l)))
    (call $output_write (i32.const 6000) (i32.sub (local.get $out) (i32.const 6000)))
    (i32.const 0))
  (func (export "context") (result i32)
    (call $caller (i32.const 700))
    (i32.store (i32.const 720) (call $block_height))
    (i32.store (i32.const 724) (call $check_witness (i32.const 700)))
    (call $output_write (i32.const 700) (i32.const 28))
    (i32.const 0))
  (func (export "witness_of_input") (result i32)
    (call $input_read (i32.const 800)) (call $check_witness (i32.const 800)))
  (func (export "logs") (result i32) (call $log (i32.const 48) (i32.const 2)) (call $log (i32.const 0) (i32.const 2)) (i32.const 0))
  (func (export "returns_5") (result i32) (i32.const 5))
  (func (export "not_a_method") (param i32) (result i32) (local.get 0))
  (func (export "onPersist") (result i32) (i32.const 0))
)`;

let hostile: Uint8Array;
let runtime: ContractRuntime;
beforeAll(() => {
  hostile = wat(HOSTILE);
  runtime = new ContractRuntime(hostile);
});

describe("hostile modules: every bad import call FAULTs cleanly and keeps nothing", () => {
  for (const [name, , message] of BAD) {
    it(`bad_${name} → code -1, trap ${message.source.slice(1, 40)}…, no write or event survives, the next call works`, () => {
      const chain = new Chain(runtime);
      chain.beginBlock(1);
      const r = chain.transact(`bad_${name}`, Uint8Array.of(1, 2, 3, 4), ctx());
      expect(r.trap).toMatch(message);
      expect(r.code).toBe(-1);
      expect(r.ok).toBe(false);
      expect(r.events).toEqual([]);
      const ok = chain.transact("ok_write", new Uint8Array(0), ctx());
      expect(ok.ok).toBe(true);
      const block = chain.endBlock();
      expect(block.events.map((e) => e.name)).toEqual(["Ev"]);
      expect([...chain.store.entries()].map(([k, v]) => `${Buffer.from(k)}=${Buffer.from(v)}`)).toEqual(["k1=v1"]);
    });
  }
});

describe("runtime", () => {
  it("a write then a non-zero code: the transaction is discarded; returning 0 keeps it", () => {
    const chain = new Chain(runtime);
    chain.beginBlock(1);
    const bad = chain.transact("write_then_fail", new Uint8Array(0), ctx());
    expect(bad).toMatchObject({ code: 7, ok: false, events: [] });
    expect(bad.trap).toBeUndefined();
    expect(chain.view("read_absent", new Uint8Array(0)).code).toBe(-1);
    const good = chain.transact("ok_write", new Uint8Array(0), ctx());
    expect(good).toMatchObject({ code: 0, ok: true });
    expect(good.events.map((e) => [e.name, Buffer.from(e.data).toString()])).toEqual([["Ev", "v1"]]);
    const b = chain.endBlock();
    expect(b.changed).toBe(true);
    expect(chain.store.size).toBe(1);
    expect(Buffer.from(chain.store.get(bytes("k1"))!).toString()).toBe("v1");
  });

  it("a trap after a storage_write and an emit discards both", () => {
    const chain = new Chain(runtime);
    const r = chain.transact("write_then_trap", new Uint8Array(0), ctx());
    expect(r).toMatchObject({ code: -1, ok: false, events: [] });
    expect(r.trap).toMatch(/^trap: unreachable/);
    const b = chain.endBlock();
    expect(b.changed).toBe(false);
    expect(b.events).toEqual([]);
    expect(chain.store.size).toBe(0);
  });

  it("env.abort decodes the AssemblyScript message and file into the trap", () => {
    const chain = new Chain(runtime);
    const r = chain.transact("write_then_abort", new Uint8Array(0), ctx());
    expect(r.trap).toBe("abort: boom! at a.ts:12:5");
    chain.endBlock();
    expect(chain.store.size).toBe(0);
  });

  for (const reuse of [true, false]) {
    it(`infinite recursion is a stack-overflow FAULT and the host carries on (reuse ${reuse})`, () => {
      const rt = new ContractRuntime(hostile, { reuse });
      const store = new MemoryStore();
      const chain = new Chain(rt, store);
      const r = chain.transact("recurse", new Uint8Array(0), ctx());
      expect(r).toMatchObject({ code: -1, ok: false, events: [] });
      expect(r.trap).toMatch(/^stack overflow/);
      expect(chain.transact("ok_write", new Uint8Array(0), ctx()).ok).toBe(true);
      expect(chain.endBlock().events.map((e) => e.name)).toEqual(["Ev"]);
      expect(store.size).toBe(1);
    });
  }

  it("a key of exactly 128 bytes and a value of exactly 65535 bytes are accepted", () => {
    const store = new MemoryStore();
    const r = runtime.invoke("max_sizes", new Uint8Array(0), ctx(), store);
    expect(r.ok).toBe(true);
    const [[k, v]] = [...store.entries()] as [[Uint8Array, Uint8Array]];
    expect(k.length).toBe(128);
    expect(v.length).toBe(65535);
  });

  it("storage_read returns -1 when absent, else the full length with min(len, cap) bytes copied", () => {
    const store = new MemoryStore([[bytes("k1"), bytes("v1")]]);
    expect(runtime.invoke("read_absent", new Uint8Array(0), ctx(), store).code).toBe(-1);
    const r = runtime.invoke("read_k1_cap1", new Uint8Array(0), ctx(), store);
    // first 4 bytes: "v" then the untouched 0xff bytes; then the returned length 2
    expect(hex(r.output)).toBe("76ffffff02000000");
  });

  it("storage_next walks the keys of a prefix in bytewise order", () => {
    const store = new MemoryStore();
    for (const k of ["ab", "a", "b", "a\x80", "a\x7f", "ac", "aa\x00"]) store.put(bytes(k), bytes("x"));
    const scan = (p: string) => Buffer.from(runtime.invoke("scan", bytes(p), ctx(), store).output).toString("latin1");
    expect(scan("a")).toBe("a,aa\x00,ab,ac,a\x7f,a\x80,");
    expect(scan("")).toBe("a,aa\x00,ab,ac,a\x7f,a\x80,b,");
    expect(scan("aa")).toBe("aa\x00,");
    expect(scan("c")).toBe("");
  });

  it("caller, block_height and check_witness answer from the call context", () => {
    const store = new MemoryStore();
    const r = runtime.invoke("context", new Uint8Array(0), { height: 0xfffffffe, sender: ALICE, witnesses: [BOB, ALICE] }, store);
    expect(hex(r.output)).toBe(hex(ALICE) + "feffffff" + "01000000");
    expect(runtime.invoke("witness_of_input", BOB, { height: 1, sender: ALICE, witnesses: [ALICE] }, store).code).toBe(0);
    expect(runtime.invoke("witness_of_input", BOB, { height: 1, sender: ALICE, witnesses: [BOB] }, store).code).toBe(1);
    expect(runtime.invoke("witness_of_input", ALICE, { height: 1, sender: ALICE, witnesses: [] }, store).code).toBe(0);
  });

  it("log lines are decoded as UTF-8 and kept even when the call fails", () => {
    const r = runtime.invoke("logs", new Uint8Array(0), ctx(), new MemoryStore());
    expect(r.logs).toEqual(["é", "k1"]);
  });

  it("an unknown method or an export that is not () → i32 is code -1 'no such method', not a throw", () => {
    for (const m of ["nope", "not_a_method", "memory", "_reset"]) {
      const r = runtime.invoke(m, new Uint8Array(0), ctx(), new MemoryStore());
      expect(r).toMatchObject({ code: -1, ok: false, trap: `no such method: ${m}` });
    }
    expect(runtime.invoke("returns_5", new Uint8Array(0), ctx(), new MemoryStore())).toMatchObject({ code: 5, ok: false });
  });

  it("memory growth: imports called after memory.grow see the new buffer, not the detached one", () => {
    const rt = new ContractRuntime(
      wat(`(module ${HOST_IMPORTS_WAT}
        (memory (export "memory") 1 4)
        (func (export "grow_and_write") (result i32)
          (call $output_write (i32.const 0) (i32.const 1)) ;; the host makes its views on the 1-page buffer
          (drop (memory.grow (i32.const 2)))
          (i32.store8 (i32.const 150000) (i32.const 0x41))
          (call $storage_write (i32.const 150000) (i32.const 1) (i32.const 150000) (i32.const 1))
          (call $output_write (i32.const 150000) (i32.const 1))
          (i32.const 0)))`),
    );
    const store = new MemoryStore();
    const r = rt.invoke("grow_and_write", new Uint8Array(0), ctx(), store);
    expect(r.trap).toBeUndefined();
    expect(Buffer.from(r.output).toString()).toBe("A");
    expect(Buffer.from(store.get(bytes("A"))!).toString()).toBe("A");
  });

  it("host imports called from _initialize FAULT the instantiation", () => {
    const rt = new ContractRuntime(
      wat(`(module ${HOST_IMPORTS_WAT} (memory (export "memory") 1 1)
        (func (export "_initialize") (call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1)))
        (func (export "m") (result i32) (i32.const 0)))`),
    );
    const store = new MemoryStore();
    const r = rt.invoke("m", new Uint8Array(0), ctx(), store);
    expect(r.code).toBe(-1);
    expect(r.trap).toMatch(/^instantiate: storage_write: host imports may only be called while a method runs/);
    expect(store.size).toBe(0);
  });

  it("a module importing anything else, or a host import with another signature, is rejected at load", () => {
    expect(() => new ContractRuntime(wat(`(module (import "env" "seed" (func (result f64))) (memory (export "memory") 1 1))`))).toThrow(/env\.seed: not a host import/);
    expect(() => new ContractRuntime(wat(`(module (import "host" "storage_read" (func (param i64 i32 i32 i32) (result i32))) (memory (export "memory") 1 1))`))).toThrow(
      /host\.storage_read as \(i64, i32, i32, i32\) → \(i32\)/,
    );
    expect(() => new ContractRuntime(wat(`(module (func (export "m") (result i32) (i32.const 0)))`))).toThrow(/memory/);
  });

  it("a sender that is not 20 bytes is host misuse: invoke throws", () => {
    expect(() => runtime.invoke("ok_write", new Uint8Array(0), { height: 1, sender: new Uint8Array(19), witnesses: [] }, new MemoryStore())).toThrow(/20 bytes/);
  });
});
