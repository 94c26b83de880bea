// Gas (docs/GAS.md): the metered module charges instruction gas through host.gas, the host
// adds fees for host calls, and a call past its limit FAULTs with OutOfGas, keeping nothing.

import binaryen from "binaryen";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { meterModule } from "../../src/gas/meter.ts";
import { Chain, ContractRuntime, MemoryStore } from "../../src/host/index.ts";
import { checkModule } from "../../src/verify/gate.ts";
import { ADMIN, METERED_WASM, OPERATOR, RELEASE_WASM, REPORTER, account, initializedChain, meteredWasm, releaseWasm } from "../helpers/contract.ts";

const ctx = { height: 1, sender: account(1), witnesses: [] as Uint8Array[] };

function wat(text: string): Uint8Array {
  const m = binaryen.parseText(text);
  try {
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

const ENDLESS = `(module
  (import "host" "storage_write" (func $w (param i32 i32 i32 i32)))
  (memory (export "memory") 1 1)
  (func (export "spin") (result i32)
    (call $w (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
    (loop $l (br $l))
    (i32.const 0))
  (func (export "ok") (result i32) (i32.const 0)))`;

describe("metering", () => {
  it("an endless loop ends in OutOfGas within its limit, keeps no write, and the host carries on", async () => {
    const { bytes } = await meterModule(wat(ENDLESS));
    const rt = new ContractRuntime(bytes);
    const store = new MemoryStore();
    const spun = rt.invoke("spin", new Uint8Array(0), { ...ctx, gasLimit: 50_000 }, store);
    expect(spun.ok).toBe(false);
    expect(spun.outOfGas).toBe(true);
    expect(spun.trap).toMatch(/^OutOfGas/);
    expect(spun.gasUsed).toBe(50_000);
    const after = rt.invoke("ok", new Uint8Array(0), { ...ctx, gasLimit: 50_000 }, store);
    expect(after.ok).toBe(true);
    expect(after.gasUsed).toBeGreaterThan(0);
  });

  it("metering is reproducible: the release module metered here equals build/canary.metered.wasm (metered in the build's process, after a compile)", async () => {
    const { bytes } = await meterModule(new Uint8Array(readFileSync(RELEASE_WASM)));
    expect(Buffer.from(bytes).equals(readFileSync(METERED_WASM))).toBe(true);
  });

  it("_initialize and _reset are not calls: they run unmetered code and never call host.gas, while a method does", async () => {
    const THUNK = `(module
      (import "host" "log" (func $log (param i32 i32)))
      (memory (export "memory") 1 1)
      (global $g (mut i32) (i32.const 0))
      (func $work (loop $l (global.set $g (i32.add (global.get $g) (i32.const 1))) (br_if $l (i32.lt_u (global.get $g) (i32.const 30000)))))
      (func $wipe (global.set $g (i32.const 0)) (loop $l (global.set $g (i32.add (global.get $g) (i32.const 1))) (br_if $l (i32.lt_u (global.get $g) (i32.const 30000)))) (global.set $g (i32.const 0)))
      (func (export "_initialize") (call $wipe))
      (func (export "_reset") (call $wipe))
      (func (export "run") (result i32) (call $work) (global.set $g (i32.const 0)) (i32.const 0)))`;
    const { bytes } = await meterModule(wat(THUNK));
    let gasCalls = 0;
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), { host: { log() {}, gas: () => void gasCalls++ } });
    const ex = inst.exports as Record<string, () => number>;
    ex._initialize!();
    ex._reset!();
    expect(gasCalls).toBe(0);
    expect(ex.run!()).toBe(0);
    expect(gasCalls).toBeGreaterThan(3); // 30,000 loop iterations flush every 10,000 units, and once at the end
  });

  it("the unmetered release module imports no host.gas and the metered one only adds it", () => {
    const release = checkModule(releaseWasm());
    expect(release.ok).toBe(true);
    const metered = meteredWasm();
    expect(checkModule(metered).problems.map((p) => p.rule)).toEqual(["import-not-allowed"]);
    expect(checkModule(metered, { allowImports: ["host.gas"] }).ok).toBe(true);
  });
});

/** A chain on the metered module with roles and one canary feature, at block 1. */
function meteredChain(reuse: boolean) {
  const { chain, client } = initializedChain({ wasm: meteredWasm(), reuse });
  expect(client.createFeature(OPERATOR, "f", "gas", { minSuccessCount: 1 }).ok).toBe(true);
  expect(client.startCanary(OPERATOR, "f", 500).ok).toBe(true);
  return { chain, client };
}

function recordSuccessArgs(): Uint8Array {
  const name = new TextEncoder().encode("f");
  const a = new Uint8Array(4 + name.length);
  new DataView(a.buffer).setUint32(0, name.length, true);
  a.set(name, 4);
  return a;
}

describe("gas accounting", () => {
  let need = 0;
  beforeAll(() => {
    const { chain } = meteredChain(true);
    const r = chain.transact("recordSuccess", recordSuccessArgs(), { height: 1, sender: REPORTER, witnesses: [REPORTER] });
    expect(r.ok).toBe(true);
    need = r.gasUsed!;
    expect(need).toBeGreaterThan(0);
  });

  it("the same call costs the same gas on every run, with a fresh or a reused instance", () => {
    for (const reuse of [true, false, true]) {
      const { chain } = meteredChain(reuse);
      const r = chain.transact("recordSuccess", recordSuccessArgs(), { height: 1, sender: REPORTER, witnesses: [REPORTER] });
      expect(r.gasUsed).toBe(need);
    }
  });

  it("a transaction with exactly its need succeeds; one unit short FAULTs with OutOfGas and keeps nothing", () => {
    const exact = meteredChain(true);
    const ok = exact.chain.transact("recordSuccess", recordSuccessArgs(), { height: 1, sender: REPORTER, witnesses: [REPORTER], gasLimit: need });
    expect(ok.ok).toBe(true);
    expect(ok.gasUsed).toBe(need);
    expect(exact.client.getMetrics("f")!.successfulOps).toBe(1n);

    const short = meteredChain(true);
    const before = short.client.getMetrics("f");
    const r = short.chain.transact("recordSuccess", recordSuccessArgs(), { height: 1, sender: REPORTER, witnesses: [REPORTER], gasLimit: need - 1 });
    expect(r.ok).toBe(false);
    expect(r.outOfGas).toBe(true);
    expect(r.events).toEqual([]);
    expect(short.client.getMetrics("f")).toEqual(before);
    // The chain goes on: the same call with enough gas works.
    const again = short.chain.transact("recordSuccess", recordSuccessArgs(), { height: 1, sender: REPORTER, witnesses: [REPORTER], gasLimit: need });
    expect(again.ok).toBe(true);
  });

  it("an unmetered module reports no gas", () => {
    const chain = new Chain(releaseWasm());
    chain.beginBlock(1);
    const r = chain.transact("init", ADMIN, { height: 1, sender: ADMIN, witnesses: [ADMIN], gasLimit: 1 });
    expect(r.ok).toBe(true);
    expect(r.gasUsed).toBeUndefined();
  });
});
