// A sudo with 1,000 due features (COSMWASM.md section 3): one clock_end_block processes a
// bounded batch (max_due_per_block) and stays under the end-block hook's gas limit (x/clock:
// 100,000 gas in its examples), and the rest advance in the following blocks, in due order
// (dueAt, then name: the 0xD7 index). Gas is cw-simulate's meter: approximate.
//
// The 1,000 features are set up natively (src/host Chain) and their storage copied into the
// contract: SPEC section 9's layout is the same in both builds, so the CosmWasm module reads
// what the native module wrote (the copy is itself a check of that).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Chain } from "../../src/host/chain.ts";
import { CanaryClient } from "../../src/client/index.ts";
import { CW_WASM, HAVE_CW, NATIVE_WASM } from "./_diff.ts";
import { bech32Of, rootOf, Sim } from "./_sim.ts";

const FEATURES = 1000;
const HOOK_GAS_LIMIT = 100_000;
const DWELL = 50;
const ADMIN = "0x" + "a1".repeat(20);
const OPERATOR = "0x" + "0b".repeat(20);

/** Feature i's name: not in the order of its due height. */
const nameOf = (i: number) => `f${String((i * 7919) % FEATURES).padStart(4, "0")}`;
/** The height at which feature i started rolling out (its step falls due DWELL later). */
const startOf = (i: number) => 2 + (i % 7);

function nativeStore(): [Uint8Array, Uint8Array][] {
  const chain = new Chain(readFileSync(NATIVE_WASM));
  const client = new CanaryClient(chain);
  const ok = (r: { ok: boolean; codeName: string }, what: string) => {
    if (!r.ok) throw new Error(`${what}: ${r.codeName}`);
  };
  chain.beginBlock(0);
  ok(client.call("init", { admin: ADMIN }, { sender: ADMIN, height: 0 }), "init");
  chain.endBlock();
  chain.beginBlock(1);
  ok(client.call("grantRole", { role: 1, account: OPERATOR }, { sender: ADMIN, height: 1 }), "grantRole");
  for (let i = 0; i < FEATURES; i++) {
    ok(client.call("createFeature", { name: nameOf(i), description: "", policy: { incrementBlocks: DWELL, minSamples: 0, minSuccessCount: 0n } }, { sender: OPERATOR, height: 1 }), "createFeature");
    ok(client.call("startCanary", { name: nameOf(i), bps: 100 }, { sender: OPERATOR, height: 1 }), "startCanary");
  }
  chain.endBlock();
  for (let h = 2; h <= 8; h++) {
    chain.beginBlock(h);
    for (let i = 0; i < FEATURES; i++) if (startOf(i) === h) ok(client.call("startRollout", { name: nameOf(i), targetBps: 10000 }, { sender: OPERATOR, height: h }), "startRollout");
    chain.endBlock();
  }
  const out: [Uint8Array, Uint8Array][] = [];
  const none = new Uint8Array(0);
  for (let r = chain.store.next(none, none); r !== undefined; r = chain.store.next(none, r[0])) out.push(r);
  return out;
}

interface BatchRun {
  perSudo: number[];
  gas: number[];
}

let measured: Promise<BatchRun> | null = null;

/** The 1,000-feature run (once per file): every sudo's steps and gas. */
function run(): Promise<BatchRun> {
  measured ??= runBatch();
  return measured;
}

async function runBatch(): Promise<BatchRun> {
    const entries = nativeStore();
    const sim = await Sim.create(new Uint8Array(readFileSync(CW_WASM)), bech32Of(ADMIN), { admin: bech32Of(ADMIN), ...(process.env.CW_MAX_DUE ? { max_due_per_block: Number(process.env.CW_MAX_DUE) } : {}) }, { metering: true });
    // The native store into the contract (the module's own 0xD9 config and cw2 key stay).
    const contract = sim.app.wasm.getContract(sim.address) as unknown as { getStorage(): { set(k: Uint8Array, v: Uint8Array): unknown }; setStorage(v: unknown): void };
    let dict = contract.getStorage();
    for (const [k, v] of entries) dict = dict.set(k, v) as typeof dict;
    contract.setStorage(dict);
    expect(sim.query({ list_features: { limit: 100, active_only: true } })).toMatchObject({ ok: true });

    const expected = Array.from({ length: FEATURES }, (_, i) => i)
      .sort((a, b) => startOf(a) - startOf(b) || (nameOf(a) < nameOf(b) ? -1 : 1))
      .map(nameOf);
    const advanced: string[] = [];
    const perSudo: number[] = [];
    const gas: number[] = [];
    let h = 100; // every feature is due (dueAt 52..58)
    while (advanced.length < FEATURES && h < 100 + FEATURES) {
      sim.height = h++;
      const r = sim.sudo({ clock_end_block: {} });
      if (!r.ok) throw new Error(`sudo at ${sim.height}: ${r.error}`);
      const names = r.events.filter((e) => e.type === "rollout_advanced" || e.type === "wasm-rollout_advanced").map((e) => e.attributes.find((a) => a.key === "name")!.value);
      advanced.push(...names);
      perSudo.push(names.length);
      gas.push(r.gas);
    }
    return { perSudo, gas, advanced, expected, last: sim.query({ feature: { name: expected.at(-1)! } }), lastHeight: sim.height } as BatchRun;
}

describe.skipIf(!HAVE_CW)("a sudo with 1,000 due features", () => {
  it("processes a bounded batch; the rest advance in the following blocks, in due order", async () => {
    const { perSudo, gas, advanced, expected, last, lastHeight } = (await run()) as BatchRun & { advanced: string[]; expected: string[]; last: unknown; lastHeight: number };
    const batch = perSudo[0]!;
    console.log(`1,000 due features: ${perSudo.length} sudo calls of ${batch} steps each; gas per sudo (cw-simulate, approximate): max ${Math.max(...gas)}, mean ${Math.round(gas.reduce((a, b) => a + b, 0) / gas.length)}, limit ${HOOK_GAS_LIMIT}`);
    expect(batch).toBeGreaterThan(0);
    expect(batch).toBeLessThan(FEATURES); // bounded: not everything in one block
    // Every block but the last takes a full batch; none takes more.
    expect(perSudo.slice(0, -1).every((n) => n === batch)).toBe(true);
    expect(perSudo.at(-1)!).toBeLessThanOrEqual(batch);
    // In due order: by due height, then by name (each feature once).
    expect(advanced).toEqual(expected);
    // Each feature took exactly its first step (10 % more), at the height of its sudo.
    expect(last).toMatchObject({ ok: true, value: { rollout_bps: 1100, status: "rolling_out", last_step_block: lastHeight } });
  }, 60_000);

  // With cwa stage 1's default (5) this measured about 236,000 (35,000 + 40,000 per step);
  // cwa lowered the default to 1 (707f6ee).
  it("stays under the end-block hook's gas limit (100,000, cw-simulate's meter: approximate)", async () => {
    const { gas } = await run();
    expect(Math.max(...gas)).toBeLessThan(HOOK_GAS_LIMIT);
  }, 60_000);

  it("a failed sudo in the middle of it changes nothing", async () => {
    const sim = await Sim.create(new Uint8Array(readFileSync(CW_WASM)), bech32Of(ADMIN), {}, {});
    const before = rootOf(sim.entries());
    sim.height = 10;
    expect(sim.sudo({ clock_end_block: { limit: 3 } }).ok).toBe(false);
    expect(rootOf(sim.entries())).toBe(before);
  });
});
