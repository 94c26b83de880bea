// Random call sequences through the native host and the CosmWasm module (tests/cosmwasm/_diff.ts
// compares after every call), failed calls leave storage untouched, catch-up after a gap, and a
// 32-byte sender. Without build/canary-cw.wasm the CosmWasm side is the stub (_stub.ts).

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { MethodName } from "../../src/abi/methods.ts";
import { HAVE_CW, Pair, messageOf, type CwSide } from "./_diff.ts";
import { StubSim } from "./_stub.ts";
import { bech32Of, rootOf, type Sim } from "./_sim.ts";


const RUNS = Number(process.env.CW_PROPERTY_RUNS ?? 25);
// A fixed seed by default: the coverage check below ("the sequences reached the interesting
// paths") is about these sequences, and with a random seed it failed now and then (25 ok
// calls in 25 runs once, against > 25). CW_PROPERTY_SEED explores others.
const SEED = Number(process.env.CW_PROPERTY_SEED ?? 0x16c0);
const side = (): CwSide | undefined => (HAVE_CW ? undefined : new StubSim());
const hexAcct = (b: number) => "0x" + b.toString(16).padStart(2, "0").repeat(20);

const ADMIN = hexAcct(0xa1);
const OPERATOR = hexAcct(0x0b);
const GUARDIAN = hexAcct(0x6d);
const REPORTER = hexAcct(0x3e);
const STRANGER = hexAcct(0x55);
const ACCOUNTS = [ADMIN, OPERATOR, GUARDIAN, REPORTER, STRANGER];
/** Names where one is a prefix of another (the 0x00 terminator's case), and invalid ones. */
const NAMES = ["a", "ab", "a.b", "a-", "b_1"];
const BAD_NAMES = ["", "A", "a b", "x".repeat(65)];

/** Role holders as every test starts them. */
async function setUp(opts: { maxDuePerBlock?: number } = {}): Promise<Pair> {
  const pair = await Pair.open(ADMIN, { ...opts, ...(side() ? { side: side()! } : {}) });
  pair.tx(ADMIN, "grantRole", { role: 1, account: OPERATOR });
  pair.tx(ADMIN, "grantRole", { role: 2, account: GUARDIAN });
  pair.tx(ADMIN, "grantRole", { role: 3, account: REPORTER });
  pair.endBlock();
  return pair;
}

// ---------------------------------------------------------------- arbitraries

const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 20n }), fc.constantFrom(0n, 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n));
const name = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_NAMES) });
const account = fc.constantFrom(...ACCOUNTS);
const bps = fc.oneof(fc.integer({ min: 0, max: 10001 }), fc.constantFrom(1, 500, 5000, 10000));

/** A partial policy that SPEC section 2 accepts (short dwell, few samples: steps happen). */
const validPolicy = fc.record(
  {
    steps: fc.constantFrom([], [500, 2000, 5000]),
    incrementBps: fc.integer({ min: 1, max: 10000 }),
    incrementBlocks: fc.integer({ min: 1, max: 3 }),
    maxErrorRateBps: fc.integer({ min: 0, max: 10000 }),
    minSamples: fc.integer({ min: 0, max: 3 }),
    minSuccessCount: fc.bigInt({ min: 0n, max: 2n }),
    analysis: fc.integer({ min: 0, max: 2 }),
    maxInvariantFailures: fc.integer({ min: 0, max: 2 }),
    maxAvgLatency: fc.bigInt({ min: 0n, max: 50n }),
    maxPeakLatency: fc.bigInt({ min: 0n, max: 80n }),
    progressDeadlineBlocks: fc.constantFrom(0, 10, 20),
  },
  { requiredKeys: ["incrementBlocks", "minSamples", "minSuccessCount"] },
);

/** A partial policy, valid or not (SPEC section 2's rules: InvalidPolicy, never BadInput). */
const wildPolicy = fc.record(
  {
    steps: fc.oneof(fc.constant([]), fc.array(fc.integer({ min: 0, max: 10001 }), { maxLength: 4 }), fc.constant([500, 2000, 5000])),
    incrementBps: fc.integer({ min: 0, max: 10001 }),
    incrementBlocks: fc.integer({ min: 0, max: 4 }),
    maxErrorRateBps: fc.integer({ min: 0, max: 10001 }),
    minSamples: fc.integer({ min: 0, max: 5 }),
    minSuccessCount: fc.bigInt({ min: 0n, max: 3n }),
    // 3 has no name: JSON sends "analysis_3" (InvalidPolicy on both sides, SPEC section 2).
    analysis: fc.integer({ min: 0, max: 3 }),
    maxInvariantFailures: fc.integer({ min: 0, max: 2 }),
    maxAvgLatency: fc.bigInt({ min: 0n, max: 50n }),
    maxPeakLatency: fc.bigInt({ min: 0n, max: 80n }),
    progressDeadlineBlocks: fc.integer({ min: 0, max: 12 }),
    salt: fc.constantFrom("", "s", "pepper"),
    seqSlopePpm: fc.constantFrom(0, 14435, 300000),
    compExcessPpm: fc.constantFrom(0, 1000000, 9000001),
  },
  { requiredKeys: [] },
);
const policy = fc.oneof({ weight: 3, arbitrary: validPolicy }, { weight: 1, arbitrary: wildPolicy });

type Op = { kind: "tx"; sender: string; method: MethodName; args: Record<string, unknown> } | { kind: "view"; method: MethodName; args: Record<string, unknown> } | { kind: "end" } | { kind: "gap"; blocks: number };

const tx = (method: MethodName, args: fc.Arbitrary<Record<string, unknown>>, sender: fc.Arbitrary<string> = fc.constantFrom(OPERATOR, OPERATOR, GUARDIAN, REPORTER, ADMIN, STRANGER)): fc.Arbitrary<Op> =>
  fc.record({ sender, args }).map(({ sender, args }) => ({ kind: "tx" as const, sender, method, args }));
const view = (method: MethodName, args: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Op> => args.map((args) => ({ kind: "view" as const, method, args }));
const reporter = fc.constantFrom(REPORTER, REPORTER, REPORTER, STRANGER);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: tx("createFeature", fc.record({ name, description: fc.constantFrom("", "d", "Übergang ✓"), policy: fc.option(policy, { nil: null }) }), fc.constantFrom(OPERATOR, OPERATOR, STRANGER)) },
  { weight: 1, arbitrary: tx("updatePolicy", fc.record({ name, policy })) },
  { weight: 3, arbitrary: tx("startCanary", fc.record({ name, bps })) },
  { weight: 3, arbitrary: tx("startRollout", fc.record({ name, targetBps: bps })) },
  { weight: 1, arbitrary: tx("enable", fc.record({ name })) },
  { weight: 1, arbitrary: tx("disable", fc.record({ name })) },
  { weight: 1, arbitrary: tx("pause", fc.record({ name })) },
  { weight: 1, arbitrary: tx("resume", fc.record({ name })) },
  { weight: 1, arbitrary: tx("rollback", fc.record({ name, reason: fc.integer({ min: 0, max: 6 }) })) },
  { weight: 1, arbitrary: tx("setOverride", fc.record({ name, account, mode: fc.integer({ min: 0, max: 2 }) })) },
  { weight: 1, arbitrary: tx("setGlobal", fc.record({ paused: fc.boolean(), halted: fc.boolean() })) },
  { weight: 1, arbitrary: tx("grantRole", fc.record({ role: fc.integer({ min: 0, max: 3 }), account }), fc.constantFrom(ADMIN, OPERATOR)) },
  { weight: 1, arbitrary: tx("revokeRole", fc.record({ role: fc.integer({ min: 0, max: 3 }), account }), fc.constantFrom(ADMIN, OPERATOR)) },
  { weight: 3, arbitrary: tx("recordSuccess", fc.record({ name }), reporter) },
  { weight: 2, arbitrary: tx("recordError", fc.record({ name }), reporter) },
  { weight: 3, arbitrary: tx("recordBatch", fc.record({ name, successes: u64, errors: u64 }), reporter) },
  { weight: 3, arbitrary: tx("recordCohorts", fc.record({ name, canarySuccesses: u64, canaryErrors: u64, baseSuccesses: u64, baseErrors: u64 }), reporter) },
  { weight: 1, arbitrary: tx("recordLatency", fc.record({ name, value: u64 }), reporter) },
  { weight: 1, arbitrary: tx("recordInvariant", fc.record({ name, ok: fc.boolean() }), reporter) },
  { weight: 1, arbitrary: tx("reportIncident", fc.record({ name, reason: fc.constantFrom(3, 4) }), fc.constantFrom(REPORTER, GUARDIAN, STRANGER)) },
  { weight: 2, arbitrary: tx("processRollout", fc.record({ name }), account) },
  { weight: 1, arbitrary: view("isEnabled", fc.record({ name, account })) },
  { weight: 1, arbitrary: view("isEnabledMany", fc.record({ name, accounts: fc.array(account, { maxLength: 5 }) })) },
  { weight: 1, arbitrary: view("bucketOf", fc.record({ name, account })) },
  { weight: 1, arbitrary: view("hasRole", fc.record({ role: fc.integer({ min: 0, max: 3 }), account })) },
  { weight: 2, arbitrary: view("getFeature", fc.record({ name })) },
  { weight: 1, arbitrary: view("getMetrics", fc.record({ name })) },
  { weight: 1, arbitrary: view("listFeatures", fc.record({ startAfter: fc.constantFrom("", "a", "a.b", "ab", "zz"), limit: fc.integer({ min: 0, max: 101 }), activeOnly: fc.boolean() })) },
  { weight: 1, arbitrary: view("getHistory", fc.record({ name, fromSeq: fc.integer({ min: 0, max: 5 }), limit: fc.integer({ min: 0, max: 101 }) })) },
  { weight: 1, arbitrary: view("getGlobal", fc.constant({})) },
  { weight: 5, arbitrary: fc.constant({ kind: "end" as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 12 }).map((blocks) => ({ kind: "gap" as const, blocks })) },
);

function apply(pair: Pair, o: Op): void {
  if (o.kind === "tx") pair.tx(o.sender, o.method, o.args);
  else if (o.kind === "view") pair.view(o.method, o.args);
  else if (o.kind === "end") pair.endBlock();
  else {
    pair.endBlock();
    pair.skipTo(pair.height + o.blocks);
  }
}

describe(`random call sequences, native vs ${HAVE_CW ? "the CosmWasm module" : "the stub"}`, () => {
  it("reach the same outcomes, results, events and storage after every call", async () => {
    const seen = { ok: 0, failed: 0, events: 0, codes: new Set<string>() };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 45 }), async (ops) => {
        const pair = await setUp();
        // A start that the random ops can build on: two features, one of them in Canary.
        pair.tx(OPERATOR, "createFeature", { name: "a", description: "", policy: { incrementBlocks: 2, minSamples: 1, minSuccessCount: 1n } });
        pair.tx(OPERATOR, "createFeature", { name: "ab", description: "Übergang", policy: { incrementBlocks: 1, minSamples: 0, minSuccessCount: 0n, analysis: 2 } });
        pair.tx(OPERATOR, "startCanary", { name: "a", bps: 3000 });
        for (const o of ops) {
          if (o.kind === "tx") {
            const s = pair.tx(o.sender, o.method, o.args);
            if (s.ok) seen.ok++;
            else seen.failed++;
            seen.events += s.native.events.length;
            seen.codes.add(s.code);
          } else apply(pair, o);
        }
        pair.endBlock();
        for (const n of NAMES) pair.view("getHistory", { name: n, fromSeq: 0, limit: 100 });
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // The sequences did reach both sides' interesting paths.
    console.log(`seed ${SEED}: ${seen.ok} ok and ${seen.failed} failed calls, ${seen.events} events, ${seen.codes.size} codes`);
    expect(seen.ok).toBeGreaterThan(RUNS);
    expect(seen.events).toBeGreaterThan(RUNS / 2);
    expect(seen.codes.size).toBeGreaterThan(6);
  }, 120_000);

  it("the harness catches a difference (a byte changed on the CosmWasm side only)", async () => {
    if (!HAVE_CW) return;
    const pair = await setUp();
    pair.tx(OPERATOR, "createFeature", { name: "a", description: "" });
    const sim = pair.sim as Sim;
    const contract = sim.app.wasm.getContract(sim.address) as unknown as { getStorage(): { set(k: Uint8Array, v: Uint8Array): unknown }; setStorage(v: unknown): void };
    contract.setStorage(contract.getStorage().set(Uint8Array.from([0xd0, 0x61, 0x00]), Uint8Array.from([9])));
    expect(() => pair.compareStorage("after the corruption")).toThrow(/storage differs/);
  });
});

/** A feature rolling out at 10 % steps every 2 blocks, driven to RollingOut. */
function rollingOut(pair: Pair, n: string, incrementBlocks = 2): void {
  pair.tx(OPERATOR, "createFeature", { name: n, description: "", policy: { incrementBlocks, incrementBps: 1000, minSamples: 0, minSuccessCount: 0n } });
  expect(pair.tx(OPERATOR, "startCanary", { name: n, bps: 100 }).ok).toBe(true);
  expect(pair.tx(OPERATOR, "startRollout", { name: n, targetBps: 10000 }).ok).toBe(true);
}

describe("catch-up after a gap", () => {
  it("clock_end_block after a gap of several blocks, then block by block, steps at the heights onPersist does", async () => {
    const pair = await setUp();
    rollingOut(pair, "a");
    rollingOut(pair, "ab", 3);
    pair.endBlock();
    pair.endBlock();
    pair.skipTo(pair.height + 9); // a gap: no block, no hook
    for (let i = 0; i < 12; i++) pair.endBlock();
    pair.skipTo(pair.height + 5);
    pair.tx(GUARDIAN, "pause", { name: "ab" });
    for (let i = 0; i < 6; i++) pair.endBlock();
    pair.tx(GUARDIAN, "resume", { name: "ab" });
    for (let i = 0; i < 12; i++) pair.endBlock();
    const h = pair.view("getHistory", { name: "a", fromSeq: 0, limit: 100 });
    const steps = (h.native.result as { block: number }[]).map((e) => e.block);
    expect(steps.length).toBeGreaterThan(4); // it did step, after the gap too
    pair.view("getHistory", { name: "ab", fromSeq: 0, limit: 100 });
  }, 60_000);

  it("the other hook names (cadence_end_block, end_block) do what clock_end_block does", async () => {
    const pair = await setUp();
    rollingOut(pair, "a", 1);
    pair.endBlock({ cadence_end_block: {} });
    pair.endBlock({ end_block: {} });
    pair.skipTo(pair.height + 3);
    pair.endBlock({ cadence_end_block: {} });
    pair.view("getHistory", { name: "a", fromSeq: 0, limit: 100 });
  });
});

describe("a failed execute or sudo leaves storage untouched", () => {
  it("every failing message of a random sequence leaves every byte of the contract's storage as it was", async () => {
    let failures = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        const pair = await setUp();
        for (const o of ops) {
          if (o.kind !== "tx") {
            apply(pair, o);
            continue;
          }
          // All keys, cw2's included, not only SPEC's.
          const before = rootOf(pair.sim.entries());
          const s = pair.tx(o.sender, o.method, o.args);
          if (!s.ok) {
            failures++;
            expect(rootOf(pair.sim.entries())).toBe(before);
          }
        }
      }),
      { numRuns: Math.max(5, Math.floor(RUNS / 2)) },
    );
    expect(failures).toBeGreaterThan(10);
  }, 120_000);

  it("funds sent with a message are refused and change nothing (non-payable)", async () => {
    const pair = await setUp();
    pair.openBlock();
    const before = rootOf(pair.sim.entries());
    const r = pair.sim.execute(bech32Of(OPERATOR), messageOf("createFeature", { name: "a", description: "" }), [{ denom: "ustake", amount: "1" }]);
    expect(r.ok).toBe(false);
    expect(rootOf(pair.sim.entries())).toBe(before);
  });

  it("a malformed sudo fails and changes nothing", async () => {
    const pair = await setUp();
    rollingOut(pair, "a", 1);
    pair.endBlock();
    pair.skipTo(pair.height + 5);
    pair.openBlock();
    const before = rootOf(pair.sim.entries());
    for (const m of [{}, { clock_end_block: { x: 1 } }, { begin_block: {} }, { clock_end_block: {}, end_block: {} }, []]) {
      const r = pair.sim.sudo(m);
      expect(r.ok, JSON.stringify(m)).toBe(false);
      if (!r.ok) expect(r.error, JSON.stringify(m)).toMatch(/^BadInput/);
      expect(rootOf(pair.sim.entries())).toBe(before);
    }
  });
});

/** Every role-gated message, with valid arguments for a feature that exists. */
const GATED: [MethodName, Record<string, unknown>][] = [
  ["grantRole", { role: 1, account: STRANGER }],
  ["revokeRole", { role: 1, account: OPERATOR }],
  ["createFeature", { name: "b_1", description: "" }],
  ["updatePolicy", { name: "a", policy: {} }],
  ["startCanary", { name: "a", bps: 200 }],
  ["startRollout", { name: "a", targetBps: 10000 }],
  ["enable", { name: "a" }],
  ["disable", { name: "a" }],
  ["pause", { name: "a" }],
  ["resume", { name: "a" }],
  ["rollback", { name: "a", reason: 0 }],
  ["setOverride", { name: "a", account: OPERATOR, mode: 1 }],
  ["setGlobal", { paused: true, halted: true }],
  ["recordSuccess", { name: "a" }],
  ["recordError", { name: "a" }],
  ["recordBatch", { name: "a", successes: 1n, errors: 0n }],
  ["recordCohorts", { name: "a", canarySuccesses: 1n, canaryErrors: 0n, baseSuccesses: 1n, baseErrors: 0n }],
  ["recordLatency", { name: "a", value: 5n }],
  ["recordInvariant", { name: "a", ok: true }],
  ["reportIncident", { name: "a", reason: 3 }],
];

describe("a 32-byte sender (a contract) holds no role", () => {
  it("is Unauthorized for every role-gated message, and nothing changes", async () => {
    const pair = await setUp();
    pair.tx(OPERATOR, "createFeature", { name: "a", description: "", policy: { minSuccessCount: 0n } });
    pair.tx(OPERATOR, "startCanary", { name: "a", bps: 100 });
    const contract = bech32Of(new Uint8Array(32).fill(0xa1)); // its first 20 bytes are the admin's
    pair.openBlock();
    const before = rootOf(pair.sim.entries());
    for (const [m, a] of GATED) {
      const r = pair.sim.execute(contract, messageOf(m, a));
      expect(r.ok, m).toBe(false);
      if (!r.ok) expect(r.error, m).toMatch(/^Unauthorized(:|$)/);
      expect(rootOf(pair.sim.entries()), m).toBe(before);
    }
    // processRollout is anyone's: a contract may call it.
    expect(pair.sim.execute(contract, messageOf("processRollout", { name: "a" })).ok).toBe(true);
  });
});

