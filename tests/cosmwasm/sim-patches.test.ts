// cw-simulate's shortcomings (tests/cosmwasm/_sim.ts, docs/COSMWASM.md "cw-simulate
// patches"): each shown as it is unpatched, and the setup's patch shown to fix it.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { applySimPatches, bech32Of, bytewiseCompare, originalCompare, Sim, unpatchedContractMethods } from "./_sim.ts";
import { CW_WASM } from "./_diff.ts";

const require = createRequire(import.meta.url);
const vmjs = require("@oraichain/cosmwasm-vm-js") as {
  BinaryKVIterStorage: new (dict?: unknown) => {
    set(k: Uint8Array, v: Uint8Array): void;
    get(k: Uint8Array): Uint8Array | null;
    scan(start: Uint8Array | null, end: Uint8Array | null, order: number): Uint8Array;
    next(id: Uint8Array): { key: Uint8Array; value: Uint8Array } | null;
    dict: { size: number };
  };
  compare: (a: Uint8Array, b: Uint8Array) => number;
};
interface SortedMapLike {
  size: number;
  set(k: Uint8Array, v: Uint8Array): SortedMapLike;
}
const Immutable = require("@oraichain/immutable") as { SortedMap: (cmp: (a: Uint8Array, b: Uint8Array) => number) => SortedMapLike };

const b = (...xs: number[]) => Uint8Array.from(xs);
const hex = (k: Uint8Array) => Buffer.from(k).toString("hex");

/** Keys shaped like STORAGE.md's: prefix byte, name, 0x00 terminator, and proper prefixes of each other. */
const KEYS = [
  b(0xd0),
  b(0xd0, 0x61),
  b(0xd0, 0x61, 0x00),
  b(0xd0, 0x61, 0x00, 0x00),
  b(0xd0, 0x61, 0x00, 0x01),
  b(0xd0, 0x61, 0x62, 0x00),
  b(0xd0, 0x61, 0x62),
  b(0xd0, 0x62, 0x00),
  b(0xd2, 0x61, 0x00, 0x00, 0x00, 0x00, 0x00),
  b(0xd2, 0x61, 0x00, 0x00, 0x00, 0x00, 0x01),
  b(0xd2, 0x61, 0x62, 0x00, 0x00, 0x00, 0x00, 0x00),
  b(0xd4),
  b(0xd4, 0x00),
  b(0xd7, 0x00, 0x00, 0x00, 0x08, 0x61, 0x00),
];

/** Every key of a scan from start (inclusive) to end (exclusive), through scan/next as db_scan/db_next call them. */
function scanAll(store: InstanceType<typeof vmjs.BinaryKVIterStorage>, start: Uint8Array | null, end: Uint8Array | null): string[] {
  const id = store.scan(start, end, 1);
  const out: string[] = [];
  for (let r = store.next(id); r !== null; r = store.next(id)) out.push(hex(r.key));
  return out;
}

describe("cw-simulate key order (P1)", () => {
  it("unpatched: a key and the same key plus one byte compare equal, so K and K ‖ 00 are one SortedMap key", () => {
    expect(originalCompare(b(0xd0, 0x61), b(0xd0, 0x61, 0x00))).toBe(0);
    expect(originalCompare(b(0xd0, 0x61), b(0xd0, 0x61, 0x62))).toBe(0);
    const m = Immutable.SortedMap(originalCompare).set(b(0xd0, 0x61), b(1)).set(b(0xd0, 0x61, 0x00), b(2));
    expect(m.size).toBe(1); // the second write replaced the first key
  });

  it("patched: db_scan/db_next return keys with trailing 0x00 and proper prefixes in plain bytewise order", () => {
    applySimPatches();
    expect(vmjs.compare).toBe(bytewiseCompare);
    const store = new vmjs.BinaryKVIterStorage();
    // Written in a scrambled order.
    for (const [i, k] of [...KEYS].reverse().entries()) store.set(k, b(i));
    expect(store.dict.size).toBe(KEYS.length);
    const sorted = [...KEYS].sort((x, y) => Buffer.compare(x, y)).map(hex);
    expect(scanAll(store, null, null)).toEqual(sorted);
    // "The smallest key above K": start at K ‖ 00 (inclusive) never returns K itself.
    for (const k of KEYS) {
      const after = scanAll(store, Uint8Array.from([...k, 0x00]), null);
      expect(after).toEqual(sorted.filter((s) => Buffer.compare(Buffer.from(s, "hex"), Buffer.from(k)) > 0));
    }
    // A prefix range [D0 61 00, D0 61 01) holds exactly the keys that start with D0 61 00.
    expect(scanAll(store, b(0xd0, 0x61, 0x00), b(0xd0, 0x61, 0x01))).toEqual(["d06100", "d0610000", "d0610001"]);
    // Descending is the exact reverse.
    const id = store.scan(null, null, 2);
    const desc: string[] = [];
    for (let r = store.next(id); r !== null; r = store.next(id)) desc.push(hex(r.key));
    expect(desc).toEqual([...sorted].reverse());
  });

  it("patched compare is plain bytewise order on random keys (0x00-heavy, prefix-heavy)", () => {
    applySimPatches();
    const key = fc.uint8Array({ minLength: 0, maxLength: 6 }).map((a) => a.map((x) => [0x00, 0x01, 0x61, 0xd0, 0xff][x % 5]!));
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 1, maxLength: 30, selector: hex }), (keys) => {
        const store = new vmjs.BinaryKVIterStorage();
        for (const k of keys) store.set(k, b(1));
        const nonEmpty = keys.filter((k) => k.length > 0);
        const got = scanAll(store, null, null).filter((k) => k.length > 0);
        expect(got).toEqual(nonEmpty.sort((x, y) => Buffer.compare(x, y)).map(hex));
        expect(store.dict.size).toBe(keys.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe("cw-simulate store-time checks (not patched: the static checker's job)", () => {
  it("storeCode accepts bytes that are not a CosmWasm module at all", () => {
    const sim = Sim.store(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    expect(sim.codeId).toBe(1);
    const garbage = Sim.store(Uint8Array.from([1, 2, 3]));
    expect(garbage.codeId).toBe(1);
  });
});

describe("bytewiseCompare", () => {
  it("orders a proper prefix first and agrees with Buffer.compare", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5 }), fc.uint8Array({ maxLength: 5 }), (x, y) => {
        expect(bytewiseCompare(x, y)).toBe(Buffer.compare(x, y));
      }),
      { numRuns: 300 },
    );
  });
});

describe("cw-simulate keeps a failed call's writes in the VM (P2)", () => {
  it.skipIf(!existsSync(CW_WASM))("unpatched: a call that traps after writing leaks its writes into the next call; patched: it does not", async () => {
    const admin = bech32Of(new Uint8Array(20).fill(0xa1));
    const run = async (patchedCalls: boolean, fixedExtra?: number) => {
      const sim = await Sim.create(new Uint8Array(readFileSync(CW_WASM)), admin, {}, { metering: true });
      const contract = sim.app.wasm.getContract(sim.address) as unknown as Record<string, (...a: unknown[]) => { err: boolean; val: unknown }> & { getStorage(): { size: number } };
      const env = (sim.app as unknown as { env: { data: { gas_state: { gas_limit: number } } } }).env;
      const call = (msg: unknown) => (patchedCalls ? contract.execute!(admin, [], msg, []) : unpatchedContractMethods.execute!.call(contract, admin, [], msg, []));
      const keysBefore = contract.getStorage().size;
      // Run out of gas part-way through a createFeature (after some writes): raise the limit
      // step by step until the failed call left something in the VM's storage.
      let leaked = false;
      let at = 0;
      let failed = false;
      for (let extra = fixedExtra ?? 2_000; extra < 200_000 && !leaked; extra += 2_000) {
        at = extra;
        env.data.gas_state.gas_limit = sim.gasUsed + extra;
        const r = call({ create_feature: { name: "b", description: "" } });
        env.data.gas_state.gas_limit = 1e15;
        failed = r.err;
        if (!r.err) break; // enough gas: it went through
        const vmDict = (contract as unknown as { _vm: { backend: { storage: { dict: { size: number } } } } })._vm.backend.storage.dict;
        leaked = vmDict.size !== keysBefore;
        if (fixedExtra !== undefined) break;
      }
      // The next call: a harmless query-free execute that fails cleanly, then a look at the store.
      call({ grant_role: { role: "reporter", account: admin } });
      return { leaked, at, failed, keysAfter: contract.getStorage().size, keysBefore };
    };
    const unpatched = await run(false);
    expect(unpatched.leaked).toBe(true); // the trapped call wrote into the VM's storage…
    expect(unpatched.keysAfter).toBeGreaterThan(unpatched.keysBefore); // …and the next call committed it
    const patched = await run(true, unpatched.at);
    expect(patched.failed).toBe(true); // the same call ran out of gas at the same point
    expect(patched.leaked).toBe(false);
    // Patched, the same sequence leaves only what the grant itself wrote (admin already holds
    // every role through Admin: nothing), so no key of the failed createFeature.
    expect(patched.keysAfter).toBe(patched.keysBefore);
  });
});

describe("cw-simulate and non-ASCII messages (P3)", () => {
  it.skipIf(!existsSync(CW_WASM))("unpatched: a message with a non-ASCII description traps before the contract runs; patched: it is created", async () => {
    const admin = bech32Of(new Uint8Array(20).fill(0xa1));
    const sim = await Sim.create(new Uint8Array(readFileSync(CW_WASM)), admin, {});
    sim.height = 1;
    const msg = { create_feature: { name: "b", description: "Übergang ✓" } };
    const proto = createRequire(import.meta.url)("@oraichain/cosmwasm-vm-js").VMInstance.prototype as { allocate_str: unknown };
    const patched = proto.allocate_str;
    proto.allocate_str = unpatchedContractMethods.allocate_str;
    let unpatchedResult;
    try {
      unpatchedResult = sim.execute(admin, msg);
    } finally {
      proto.allocate_str = patched;
    }
    expect(unpatchedResult.ok).toBe(false);
    if (!unpatchedResult.ok) expect(unpatchedResult.error).toMatch(/offset is out of bounds|RangeError|out of bounds/i);
    expect(sim.execute(admin, msg).ok).toBe(true);
    expect(sim.query({ feature: { name: "b" } })).toMatchObject({ ok: true, value: { description: "Übergang ✓" } });
  });
});
