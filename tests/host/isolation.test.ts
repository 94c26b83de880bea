import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ContractRuntime } from "../../src/host/runtime.ts";
import { MemoryStore } from "../../src/host/store.ts";
import type { CallContext, InvokeResult } from "../../src/host/types.ts";
import { hex, wat } from "./wat.ts";

// A module with state outside storage: a mutable global counter (set to 100 by _initialize)
// and a scratch memory cell at 64. Its `_reset` is one of:
//   good:       counter := 100 and cell := 0 (the state right after _initialize)
//   badGlobal:  cell := 0 only (the counter leaks from one call to the next)
//   badMemory:  counter := 100 only (the memory cell leaks)
//   none:       no `_reset` export at all
const RESETS = {
  good: `(func (export "_reset") (global.set $counter (i32.const 100)) (i32.store (i32.const 64) (i32.const 0)))`,
  badGlobal: `(func (export "_reset") (i32.store (i32.const 64) (i32.const 0)))`,
  badMemory: `(func (export "_reset") (global.set $counter (i32.const 100)))`,
  none: ``,
};

const moduleWith = (reset: string): Uint8Array =>
  wat(`(module
  (import "host" "input_read" (func $input_read (param i32)))
  (import "host" "output_write" (func $output_write (param i32 i32)))
  (import "host" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "host" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (memory (export "memory") 1 1)
  (global $counter (mut i32) (i32.const 0))
  (data (i32.const 0) "ctr")
  (func (export "_initialize") (global.set $counter (i32.const 100)))
  ${reset}
  (func $out (param i32) (i32.store (i32.const 128) (local.get 0)) (call $output_write (i32.const 128) (i32.const 4)))
  ;; counter += 1, output it
  (func (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (call $out (global.get $counter)) (i32.const 0))
  ;; output the cell, then overwrite its low byte with the 1-byte input
  (func (export "scratch") (result i32)
    (call $out (i32.load (i32.const 64)))
    (call $input_read (i32.const 64)) (i32.const 0))
  ;; storage counter += 1, output it: state that must survive
  (func (export "persist") (result i32)
    (i32.store (i32.const 16) (i32.const 0))
    (drop (call $storage_read (i32.const 0) (i32.const 3) (i32.const 16) (i32.const 4)))
    (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 1)))
    (call $storage_write (i32.const 0) (i32.const 3) (i32.const 16) (i32.const 4))
    (call $out (i32.load (i32.const 16))) (i32.const 0))
  ;; dirty everything, then trap
  (func (export "boom") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1000)))
    (i32.store (i32.const 64) (i32.const 0xdead)) (unreachable))
  ;; dirty everything, then return an error code (no trap)
  (func (export "fail") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 10)))
    (i32.store (i32.const 64) (i32.const 0xbeef)) (i32.const 3))
)`);

type Call = { method: "bump" | "scratch" | "persist" | "boom" | "fail"; arg: number };
const callArb: fc.Arbitrary<Call> = fc.record({
  method: fc.constantFrom("bump", "scratch", "persist", "boom", "fail"),
  arg: fc.integer({ min: 1, max: 255 }),
});
const ctx: CallContext = { height: 1, sender: new Uint8Array(20), witnesses: [] };

function run(rt: ContractRuntime, calls: Call[]): string[] {
  rt.dropInstance(); // every sequence starts from a new instance
  const store = new MemoryStore();
  return calls.map((c) => {
    const r: InvokeResult = rt.invoke(c.method, c.method === "scratch" ? Uint8Array.of(c.arg) : new Uint8Array(0), ctx, store);
    return `${c.method} code=${r.code} ok=${r.ok} out=${hex(r.output)} trap=${r.trap ?? ""} events=${r.events.length}`;
  });
}

function runtimes(kind: keyof typeof RESETS) {
  const bytes = moduleWith(RESETS[kind]);
  return { fresh: new ContractRuntime(bytes, { reuse: false }), reused: new ContractRuntime(bytes, { reuse: true }) };
}

const sameResults = (kind: keyof typeof RESETS) => {
  const { fresh, reused } = runtimes(kind);
  return fc.property(fc.array(callArb, { minLength: 1, maxLength: 150, size: "max" }), (calls) => {
    expect(run(reused, calls)).toEqual(run(fresh, calls));
  });
};

describe("isolation: nothing but storage survives between invocations", () => {
  it("with a correct _reset, a reused instance gives the same results as fresh instances on long random call sequences", () => {
    fc.assert(sameResults("good"), { numRuns: 50 });
  }, 60_000);

  it("the reuse mode really reuses: one instance for a whole sequence, a new one only after a trap", () => {
    const { fresh, reused } = runtimes("good");
    const calls: Call[] = [
      ...Array.from({ length: 20 }, (_, i): Call => ({ method: (["bump", "scratch", "persist", "fail"] as const)[i % 4], arg: i + 1 })),
      { method: "boom", arg: 1 },
      { method: "bump", arg: 1 },
    ];
    const before = reused.instances;
    const a = run(reused, calls);
    expect(reused.instances - before).toBe(2);
    const f0 = fresh.instances;
    expect(a).toEqual(run(fresh, calls));
    expect(fresh.instances - f0).toBe(calls.length);
    expect(a.at(-1)).toBe("bump code=0 ok=true out=65000000 trap= events=0"); // 101: the trapped instance was dropped
  });

  for (const kind of ["badGlobal", "badMemory"] as const) {
    it(`the check is real: a _reset that leaves ${kind === "badGlobal" ? "the global counter" : "the memory cell"} dirty makes reuse differ from fresh`, () => {
      const { fresh, reused } = runtimes(kind);
      const calls: Call[] = kind === "badGlobal"
        ? [{ method: "bump", arg: 1 }, { method: "bump", arg: 1 }]
        : [{ method: "scratch", arg: 7 }, { method: "scratch", arg: 9 }];
      expect(run(reused, calls)).not.toEqual(run(fresh, calls));
      expect(() => fc.assert(sameResults(kind), { numRuns: 50 })).toThrow();
    }, 60_000);
  }

  it("a module without _reset gets a fresh instance per call in reuse mode, with the same results", () => {
    const { fresh, reused } = runtimes("none");
    const calls: Call[] = [{ method: "bump", arg: 1 }, { method: "bump", arg: 1 }, { method: "scratch", arg: 5 }, { method: "scratch", arg: 6 }];
    const before = reused.instances;
    const r = run(reused, calls);
    expect(r).toEqual(run(fresh, calls));
    expect(reused.instances - before).toBe(calls.length);
    expect(r[1]).toBe("bump code=0 ok=true out=65000000 trap= events=0");
  });

  it("storage does survive: the persist counter counts across calls in both modes", () => {
    const { fresh, reused } = runtimes("good");
    const calls: Call[] = Array.from({ length: 3 }, () => ({ method: "persist", arg: 1 }));
    for (const rt of [fresh, reused]) expect(run(rt, calls).map((s) => s.split(" ")[3])).toEqual(["out=01000000", "out=02000000", "out=03000000"]);
  });
});
