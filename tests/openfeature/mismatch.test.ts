// The provider's local evaluation is bit-identical to the contract's: for every feature state
// (Disabled, Canary 5 %, RollingOut at a mid step with ForceOn and ForceOff overrides, Enabled
// with overrides, RolledBack, a custom salt, a name whose length is not a multiple of 4, and
// all of them again while the global `halted` flag is set), 10^5 random accounts per state
// evaluated by the provider (from the snapshot it followed over the event stream) and by the
// contract's isEnabledMany (1024 accounts per call, at the same block): 0 mismatches.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeResult, encodeArgs } from "../../src/client/schema.ts";
import { hexToBytes } from "../../src/client/codec.ts";
import { Status } from "../../src/client/enums.ts";
import { CanaryProvider } from "../../src/openfeature/index.ts";
import { randomAccounts, recordingLogger, sendAll, startDevnet, waitFor } from "../helpers/devnet.ts";

const ACCOUNTS = 100_000;
const PER_CALL = 1024;

let d: Awaited<ReturnType<typeof startDevnet>>;
let provider: CanaryProvider;
const log = recordingLogger();

/** The contract's isEnabled of every account, and the heights its calls answered at. */
async function contractSays(name: string, accounts: readonly string[]): Promise<{ values: boolean[]; heights: Set<number> }> {
  const values: boolean[] = [];
  const heights = new Set<number>();
  for (let i = 0; i < accounts.length; i += PER_CALL) {
    const a = await d.rpc.call("isEnabledMany", encodeArgs("isEnabledMany", { name, accounts: accounts.slice(i, i + PER_CALL) }));
    if (a.status !== "HALT") throw new Error(`isEnabledMany(${name}): ${a.error ?? a.trap}`);
    values.push(...(decodeResult("isEnabledMany", hexToBytes("0x" + a.output)) as boolean[]));
    heights.add(a.height);
  }
  return { values, heights };
}

interface Row {
  state: string;
  feature: string;
  accounts: number;
  exposed: number;
  mismatches: number;
}
const rows: Row[] = [];

async function compare(state: string, feature: string, accounts: readonly string[]): Promise<Row> {
  const { values } = await contractSays(feature, accounts);
  const snapshot = provider.snapshot!;
  let mismatches = 0;
  let exposed = 0;
  for (let i = 0; i < accounts.length; i++) {
    const local = snapshot.evaluate(feature, accounts[i]!).value;
    if (local !== values[i]) mismatches++;
    if (snapshot.exposed(feature, accounts[i]!) !== local) mismatches++;
    if (local) exposed++;
  }
  const row = { state, feature, accounts: accounts.length, exposed, mismatches };
  rows.push(row);
  return row;
}

// One feature per state, all live at once; the accounts of each are its own.
const FEATURES = {
  disabled: "off1",
  canary5: "can5",
  rolling: "roll",
  enabled: "enab",
  rolledBack: "back",
  salted: "salt",
  oddName: "odd_name_len_17xx".slice(0, 17), // 17 bytes: 1 past a multiple of 4
} as const;
const sample: Record<string, string[]> = Object.fromEntries(Object.values(FEATURES).map((f) => [f, randomAccounts(ACCOUNTS)]));
const overridden: Record<string, { on: string[]; off: string[] }> = {};

beforeAll(async () => {
  d = await startDevnet({ blockTimeMs: 20 });
  provider = new CanaryProvider({ node: d.url, logger: log, reconnect: { minMs: 20, maxMs: 200 } });
  await provider.initialize();
  const rolloutPolicy = { steps: [500, 1500, 2500, 3700, 5000, 6500, 8000, 9000], incrementBlocks: 2, minSamples: 0, minSuccessCount: 0 };
  await sendAll(d, [
    ["createFeature", { name: FEATURES.disabled, description: "", policy: null }],
    ["createFeature", { name: FEATURES.canary5, description: "", policy: null }],
    ["startCanary", { name: FEATURES.canary5, bps: 500 }],
    ["createFeature", { name: FEATURES.rolling, description: "", policy: rolloutPolicy }],
    ["startCanary", { name: FEATURES.rolling, bps: 500 }],
    ["startRollout", { name: FEATURES.rolling, targetBps: 10_000 }],
    ["createFeature", { name: FEATURES.enabled, description: "", policy: null }],
    ["enable", { name: FEATURES.enabled }],
    ["createFeature", { name: FEATURES.rolledBack, description: "", policy: null }],
    ["startCanary", { name: FEATURES.rolledBack, bps: 7000 }],
    ["rollback", { name: FEATURES.rolledBack, reason: "Manual" }],
    ["createFeature", { name: FEATURES.salted, description: "", policy: { salt: "custom-salt-7" } }],
    ["startCanary", { name: FEATURES.salted, bps: 5000 }],
    ["createFeature", { name: FEATURES.oddName, description: "", policy: null }],
    ["startCanary", { name: FEATURES.oddName, bps: 3333 }],
  ]);
  // Let the rollout step a few times (RolloutAdvanced events reach the provider), then hold it mid-way.
  await waitFor("the rollout at a mid step", async () => ((provider.snapshot?.feature(FEATURES.rolling)?.rolloutBps ?? 0) >= 2500 ? true : undefined), 20_000);
  await sendAll(d, [["pause", { name: FEATURES.rolling }]]);
  // Overrides that contradict what the bucket (or the status) would say, so that each one decides.
  const snapshot = provider.snapshot!;
  for (const f of [FEATURES.rolling, FEATURES.enabled, FEATURES.rolledBack]) {
    const accounts = sample[f]!;
    overridden[f] = { on: accounts.filter((a) => !snapshot.exposed(f, a)).slice(0, 20), off: accounts.filter((a) => snapshot.exposed(f, a)).slice(0, 20) };
    if (f === FEATURES.rolledBack) overridden[f]!.on = accounts.slice(0, 20); // ForceOn must not expose a rolled-back feature
  }
  const txs: Parameters<typeof sendAll>[1][number][] = [];
  for (const [f, o] of Object.entries(overridden)) {
    for (const a of o.on) txs.push(["setOverride", { name: f, account: a, mode: "ForceOn" }]);
    for (const a of o.off) txs.push(["setOverride", { name: f, account: a, mode: "ForceOff" }]);
  }
  const last = await sendAll(d, txs);
  await waitFor("the provider at the last override's block", () => (provider.snapshot!.height >= last ? true : undefined));
}, 60_000);

afterAll(async () => {
  await provider?.onClose();
  await d?.close();
  console.log("mismatch test (accounts, exposed, mismatches per state):\n" + rows.map((r) => `  ${r.state.padEnd(48)} ${r.feature.padEnd(18)} ${r.accounts} ${String(r.exposed).padStart(6)} ${r.mismatches}`).join("\n"));
});

describe("local evaluation = the contract's isEnabledMany over 10^5 random accounts per state", () => {
  it("the states are what the test means (statuses, a mid step, overrides in the snapshot)", () => {
    const s = provider.snapshot!;
    expect(s.feature(FEATURES.disabled)!.status).toBe(Status.Disabled);
    expect(s.feature(FEATURES.canary5)).toMatchObject({ status: Status.Canary, rolloutBps: 500 });
    const r = s.feature(FEATURES.rolling)!;
    expect(r.status).toBe(Status.RollingOut);
    expect(r.paused).toBe(true);
    expect(r.rolloutBps).toBeGreaterThanOrEqual(2500);
    expect(r.rolloutBps).toBeLessThan(10_000);
    expect(s.feature(FEATURES.enabled)!.status).toBe(Status.Enabled);
    expect(s.feature(FEATURES.rolledBack)!.status).toBe(Status.RolledBack);
    expect(s.feature(FEATURES.salted)!.policy.salt).toBe("custom-salt-7");
    expect(new TextEncoder().encode(FEATURES.oddName).length % 4).not.toBe(0);
    for (const [f, o] of Object.entries(overridden)) {
      expect(o.on.length + o.off.length).toBeGreaterThanOrEqual(20);
      for (const a of o.on) expect(s.override(f, a)).toBe(1);
      for (const a of o.off) expect(s.override(f, a)).toBe(2);
    }
    expect(s.global.halted).toBe(false);
  });

  const states: [string, string][] = [
    ["Disabled", FEATURES.disabled],
    ["Canary 5 %", FEATURES.canary5],
    ["RollingOut mid step, ForceOn/ForceOff", FEATURES.rolling],
    ["Enabled, ForceOn/ForceOff", FEATURES.enabled],
    ["RolledBack, ForceOn", FEATURES.rolledBack],
    ["Canary 50 %, salt custom-salt-7", FEATURES.salted],
    ["Canary 33.33 %, 17-byte name", FEATURES.oddName],
  ];

  for (const [state, feature] of states) {
    it(`${state}: 0 mismatches`, async () => {
      const row = await compare(state, feature, sample[feature]!);
      expect(row.mismatches).toBe(0);
    }, 30_000);
  }

  it("every state again while the global halted flag is set: 0 mismatches, live features all off", async () => {
    const h = await sendAll(d, [["setGlobal", { paused: false, halted: true }]]);
    await waitFor("the provider sees halted", () => (provider.snapshot!.height >= h ? true : undefined));
    expect(provider.snapshot!.global.halted).toBe(true);
    for (const [state, feature] of states) {
      const row = await compare(`halted: ${state}`, feature, sample[feature]!);
      expect(row.mismatches).toBe(0);
      const status = provider.snapshot!.feature(feature)!.status;
      if (status === Status.Canary || status === Status.RollingOut) expect(row.exposed).toBe(0);
    }
  }, 60_000);

  it("the exposed shares are what the rules predict (the comparison saw both values)", () => {
    const byState = new Map(rows.filter((r) => !r.state.startsWith("halted")).map((r) => [r.feature, r]));
    expect(byState.get(FEATURES.disabled)!.exposed).toBe(0);
    expect(byState.get(FEATURES.rolledBack)!.exposed).toBe(0);
    expect(byState.get(FEATURES.enabled)!.exposed).toBe(ACCOUNTS - overridden[FEATURES.enabled]!.off.length);
    // Within 4·sqrt(p(1-p)/N) of rolloutBps (SPEC section 4), overrides aside.
    for (const [f, p] of [[FEATURES.canary5, 0.05], [FEATURES.salted, 0.5], [FEATURES.oddName, 0.3333]] as const) {
      const share = byState.get(f)!.exposed / ACCOUNTS;
      expect(Math.abs(share - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / ACCOUNTS));
    }
  });
});
