// Fault injection in the host (issue 7).
//
// 1. Corrupted stored records: a random byte flip, truncation or extension of every record of
//    every kind (written through chain.store between blocks). Every call then gives a code
//    0..16 (never a trap), a failure writes nothing, and no wrong value is read silently:
//    "wrong" is defined against an independent decoder of docs/STORAGE.md's layout — when the
//    corrupted bytes do not decode exactly, the views that read the record answer CorruptState
//    (15); when they still decode exactly to valid values (a flip inside a number, say), the
//    views answer exactly what those bytes say.
// 2. A host-side throw inside storage_write after N writes (a Store wrapper): the runtime must
//    treat it as a FAULT and the Chain must keep none of the transaction's writes or events;
//    the same call afterwards, without the fault, gives the uninterrupted result.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Chain, ContractRuntime, MemoryStore, type CallContext, type InvokeResult, type Store } from "../../src/host/index.ts";
import { decodeResult, encodeArgs, type MethodArgs } from "../../src/client/index.ts";
import { METHODS, type MethodName } from "../../src/abi/methods.ts";
import { DEFAULTS, validPolicy, type MPolicy } from "../../src/model/index.ts";
import { releaseWasm } from "../helpers/contract.ts";
import { ForwardingStore } from "../helpers/stores.ts";
import { ACCOUNTS, blockRoot } from "./_harness.ts";
import { seededStore, STATUS_FEATURES } from "./_fixtures.ts";

const RUNS = Number(process.env.FAULT_RUNS ?? 6);
const { ADMIN, OPERATOR, GUARDIAN, REPORTER, OUTSIDER } = ACCOUNTS as Record<string, Uint8Array>;
import { hex0x as hex } from "../helpers/bytes.ts";

// ------------------------------------------------------------------ an independent decoder (STORAGE.md)

class R {
  at = 0;
  constructor(readonly b: Uint8Array) {}
  need(n: number): void {
    if (this.at + n > this.b.length) throw new Error("short");
  }
  u8(): number {
    this.need(1);
    return this.b[this.at++]!;
  }
  uint(n: number): bigint {
    this.need(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.b[this.at + i]!);
    this.at += n;
    return v;
  }
  u16 = () => Number(this.uint(2));
  u32 = () => Number(this.uint(4));
  u64 = () => this.uint(8);
  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw new Error("bool");
    return v === 1;
  }
  opt<T>(f: () => T): T | null {
    const t = this.u8();
    if (t > 1) throw new Error("option");
    return t === 1 ? f() : null;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const o = this.b.slice(this.at, this.at + n);
    this.at += n;
    return o;
  }
  str(): string {
    const n = this.u32();
    return new TextDecoder("utf-8", { fatal: true }).decode(this.bytes(n));
  }
  end(): void {
    if (this.at !== this.b.length) throw new Error("trailing");
  }
}

function exact<T>(b: Uint8Array, f: (r: R) => T, versions: readonly number[] = [1]): T | null {
  try {
    const r = new R(b);
    if (!versions.includes(r.u8())) return null;
    const v = f(r);
    r.end();
    return v;
  } catch {
    return null;
  }
}

/**
 * The first release's policy rules, for version 1 records (SPEC section 9: every version an
 * earlier release wrote still opens): analysis ≤ 1, and a Sequential threshold of 0 was valid
 * then (Revision 2 added "Sequential with … threshold 0" to InvalidPolicy).
 */
function validPolicyV1(p: MPolicy): boolean {
  return p.analysis <= 1 && validPolicy({ ...p, seqInterceptPpm: p.seqInterceptPpm === 0n ? 1n : p.seqInterceptPpm });
}

/** A version 2 feature record rewritten as the first release would have written it (run dropped, policy cut to 14 fields). */
function toV1(v2: Uint8Array): Uint8Array {
  const reasonLen = v2[35] === 1 ? 2 : 1; // rollbackReason: 00 | 01 reason, after 35 fixed bytes
  const head = 35 + reasonLen + 20 + 15 * 8;
  const v1 = new Uint8Array([...v2.slice(0, head), ...v2.slice(head + 40, v2.length - 32)]);
  v1[0] = 1;
  return v1;
}

/** The feature record, version 1 (the first release) or 2 (Revision 2: run block after the counters, appended policy fields). */
function decodeFeature(name: string, b: Uint8Array) {
  const version = b[0];
  return exact(
    b,
    (r) => {
      const status = r.u8();
      const rolloutBps = r.u16();
      const targetBps = r.u16();
      const paused = r.bool();
      const startBlock = r.u32();
      const lastStepBlock = r.u32();
      for (let i = 0; i < 5; i++) r.u32(); // stepAccum, clockMark, dueAt, historyLen, overrideCount
      const rollbackReason = r.opt(() => r.u8());
      const createdBy = hex(r.bytes(20));
      const w = Array.from({ length: 7 }, () => r.u64());
      const m = Array.from({ length: 8 }, () => r.u64());
      // Version 2: runSuccesses, runErrors, baseSuccesses, baseErrors (u64), statistic (i64); version 1: all 0 (SPEC section 9).
      const run = version === 2 ? Array.from({ length: 5 }, () => r.u64()) : [0n, 0n, 0n, 0n, 0n];
      const statistic = BigInt.asIntN(64, run[4]!);
      const description = r.str();
      const steps = Array.from({ length: r.u32() }, () => r.u16());
      const head = {
        steps,
        incrementBps: r.u16(),
        incrementBlocks: r.u32(),
        maxErrorRateBps: r.u16(),
        minSamples: r.u32(),
        minSuccessCount: r.u64(),
        analysis: r.u8(),
        seqSlopePpm: r.u32(),
        seqInterceptPpm: r.u64(),
        maxInvariantFailures: r.u32(),
        maxAvgLatency: r.u64(),
        maxPeakLatency: r.u64(),
        progressDeadlineBlocks: r.u32(),
        salt: r.str(),
      };
      const policy: MPolicy =
        version === 2
          ? { ...head, seqFloorPpm: r.u64(), compExcessPpm: r.u32(), compLnRatioPpm: r.u32(), compThresholdPpm: r.u64(), compFloorPpm: r.u64() }
          : { ...DEFAULTS, ...head }; // appended fields at their defaults
      if (status > 4 || rolloutBps > 10000 || targetBps > 10000) throw new Error("range");
      if (rollbackReason !== null && rollbackReason > 6) throw new Error("range");
      if (new TextEncoder().encode(description).length > 256) throw new Error("range");
      if (!(version === 2 ? validPolicy(policy) : validPolicyV1(policy))) throw new Error("policy");
      return {
        view: {
          name, description, status, rolloutBps, targetBps, paused, startBlock, lastStepBlock, windowSuccesses: w[0]!, windowErrors: w[1]!, rollbackReason, createdBy, policy,
          runSuccesses: run[0]!, runErrors: run[1]!, baseSuccesses: run[2]!, baseErrors: run[3]!, statistic,
        },
        metrics: {
          totalOperations: m[0]!,
          successfulOps: m[1]!,
          failedOps: m[2]!,
          averageLatency: m[4] === 0n ? 0n : m[3]! / m[4]!,
          peakLatency: m[5]!,
          invariantChecks: m[6]!,
          invariantFailures: m[7]!,
        },
      };
    },
    [1, 2],
  );
}

function decodeHistory(seq: number, b: Uint8Array) {
  return exact(b, (r) => {
    const block = r.u32();
    const from = r.u8();
    const to = r.u8();
    const rolloutBps = r.u16();
    const reason = r.opt(() => r.u8());
    const actor = r.opt(() => hex(r.bytes(20)));
    if (from > 4 || to > 4 || rolloutBps > 10000 || (reason !== null && reason > 6)) throw new Error("range");
    return { seq, block, from, to, rolloutBps, reason, actor };
  });
}

const decodeRoles = (b: Uint8Array) =>
  exact(b, (r) => {
    const m = r.u8();
    if (m < 1 || m > 15) throw new Error("range");
    return m;
  });
const decodeGlobal = (b: Uint8Array) =>
  exact(b, (r) => {
    const paused = r.bool();
    const halted = r.bool();
    r.u32();
    r.u32();
    return { paused, halted };
  });
const decodeOverride = (b: Uint8Array) =>
  exact(b, (r) => {
    const m = r.u8();
    if (m !== 1 && m !== 2) throw new Error("range");
    return m;
  });
const decodeMeta = (b: Uint8Array) => exact(b, (r) => r.u32());

/** The name inside a D0/D2/D3/D8 key (between the prefix and the 00 terminator). */
function keyName(k: Uint8Array): string {
  const end = k.indexOf(0, 1);
  return Buffer.from(k.subarray(1, end)).toString("latin1");
}

// ------------------------------------------------------------------ corruption

type Corruption = { k: "flip"; at: number; xor: number } | { k: "trunc"; at: number } | { k: "extend"; bytes: Uint8Array };
const corruptionArb: fc.Arbitrary<Corruption> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant("flip" as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("trunc" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("extend" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }) },
);
function corrupt(v: Uint8Array, c: Corruption): Uint8Array {
  if (c.k === "flip") {
    const o = v.slice();
    o[c.at % o.length]! ^= c.xor;
    return o;
  }
  if (c.k === "trunc") return v.slice(0, c.at % v.length);
  const o = new Uint8Array(v.length + c.bytes.length);
  o.set(v);
  o.set(c.bytes, v.length);
  return o;
}

// ------------------------------------------------------------------ calls

type AnyCall = { method: MethodName; args: Record<string, unknown>; sender: Uint8Array };
function battery(): AnyCall[] {
  const calls: AnyCall[] = [];
  const v = (method: MethodName, args: Record<string, unknown>) => calls.push({ method, args, sender: ADMIN! });
  v("getGlobal", {});
  v("listFeatures", { startAfter: "", limit: 100, activeOnly: false });
  v("listFeatures", { startAfter: "", limit: 100, activeOnly: true });
  for (const a of [ADMIN!, OPERATOR!, GUARDIAN!, REPORTER!, OUTSIDER!]) v("hasRole", { role: 1, account: a });
  for (const name of STATUS_FEATURES) {
    v("getFeature", { name });
    v("getMetrics", { name });
    v("getHistory", { name, fromSeq: 0, limit: 100 });
    v("isEnabled", { name, account: OUTSIDER! });
    v("isEnabledMany", { name, accounts: [OUTSIDER!, ADMIN!] });
    v("bucketOf", { name, account: ADMIN! });
  }
  const t = (method: MethodName, args: Record<string, unknown>, sender: Uint8Array) => calls.push({ method, args, sender });
  for (const name of STATUS_FEATURES) {
    t("recordBatch", { name, successes: 2n, errors: 0n }, REPORTER!);
    t("recordCohorts", { name, canarySuccesses: 2n, canaryErrors: 1n, baseSuccesses: 5n, baseErrors: 1n }, REPORTER!);
    t("recordLatency", { name, value: 5n }, REPORTER!);
    t("processRollout", { name }, OUTSIDER!);
    t("pause", { name }, GUARDIAN!);
    t("resume", { name }, GUARDIAN!);
    t("setOverride", { name, account: OUTSIDER!, mode: 2 }, OPERATOR!);
    t("updatePolicy", { name, policy: { incrementBlocks: 3, incrementBps: 2500, minSamples: 1, minSuccessCount: 1n, progressDeadlineBlocks: 50 } }, OPERATOR!);
    t("startCanary", { name, bps: 700 }, OPERATOR!);
    t("enable", { name }, OPERATOR!);
    t("disable", { name }, OPERATOR!);
  }
  t("grantRole", { role: 0, account: OUTSIDER! }, ADMIN!);
  t("revokeRole", { role: 1, account: OPERATOR! }, ADMIN!);
  t("setGlobal", { paused: true, halted: false }, GUARDIAN!);
  t("createFeature", { name: "newf", description: "", policy: null }, OPERATOR!);
  return calls;
}

function run(chain: Chain, height: number, c: AnyCall): InvokeResult {
  const bytes = encodeArgs(c.method, c.args as MethodArgs[MethodName]);
  return METHODS[c.method].view ? chain.view(c.method, bytes, { sender: c.sender }) : chain.transact(c.method, bytes, { height, sender: c.sender, witnesses: [c.sender] });
}

describe("fault injection: corrupted records", () => {
  let runtime: ContractRuntime;
  let base: { store: MemoryStore; height: number };
  let keys: Uint8Array[];
  beforeAll(() => {
    runtime = new ContractRuntime(releaseWasm());
    base = seededStore(runtime);
    keys = [...base.store.entries()].map(([k]) => k);
  });

  it("covers every record kind", () => {
    const prefixes = new Set(keys.map((k) => k[0]!));
    expect([...prefixes].sort()).toEqual([0xd0, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]);
  });

  it("every record, randomly corrupted: codes 0..16, no trap, failures write nothing, no wrong value read", () => {
    let checked = 0;
    let corruptAnswers = 0;
    fc.assert(
      fc.property(fc.array(corruptionArb, { minLength: 1, maxLength: 1 }), ([c]) => {
        for (const key of keys) {
          const store = new MemoryStore(base.store.entries());
          const chain = new Chain(runtime, store);
          const old = store.get(key)!;
          const bad = corrupt(old, c!);
          store.put(key, bad);
          const height = base.height + 1;
          chain.beginBlock(height);
          const where = `key ${hex(key)} ${JSON.stringify(c, (_, x) => (x instanceof Uint8Array ? hex(x) : x))}: ${hex(old)} → ${hex(bad)}`;

          // Precise expectations for the views that read this record.
          const expectView = (method: MethodName, args: Record<string, unknown>, want: { code: number; value?: unknown }) => {
            const r = run(chain, height, { method, args, sender: ADMIN! });
            if (r.trap !== undefined) throw new Error(`${where}: ${method} trapped: ${r.trap}`);
            checked++;
            if (r.code !== want.code) throw new Error(`${where}: ${method} ${JSON.stringify(args)} gave code ${r.code}, want ${want.code}`);
            if (want.code === 0 && "value" in want) expect(decodeResult(method, r.output), `${where}: ${method}`).toEqual(want.value);
            if (want.code === 15) corruptAnswers++;
          };
          const p = key[0]!;
          if (p === 0xd0) {
            const name = keyName(key);
            const d = decodeFeature(name, bad);
            expectView("getFeature", { name }, d ? { code: 0, value: d.view } : { code: 15 });
            expectView("getMetrics", { name }, d ? { code: 0, value: d.metrics } : { code: 15 });
          } else if (p === 0xd2) {
            const name = keyName(key);
            const seq = new DataView(key.buffer, key.byteOffset + key.length - 4).getUint32(0, false);
            const d = decodeHistory(seq, bad);
            const r = run(chain, height, { method: "getHistory", args: { name, fromSeq: seq, limit: 1 }, sender: ADMIN! });
            checked++;
            if (d === null) expect(r.code, where).toBe(15);
            else {
              expect(r.code, where).toBe(0);
              expect(decodeResult("getHistory", r.output), where).toEqual([d]);
            }
          } else if (p === 0xd5) {
            const acct = key.slice(1);
            const m = decodeRoles(bad);
            for (let role = 0; role < 4; role++)
              expectView("hasRole", { role, account: acct }, m === null ? { code: 15 } : { code: 0, value: (m & (1 << role)) !== 0 || (m & 1) !== 0 });
          } else if (p === 0xd4) {
            const g = decodeGlobal(bad);
            expectView("getGlobal", {}, g === null ? { code: 15 } : { code: 0, value: g });
          } else if (p === 0xd3) {
            const name = keyName(key);
            const acct = key.slice(key.length - 20);
            const m = decodeOverride(bad);
            // The feature "can" (Canary, not halted): ForceOn → true, ForceOff → false.
            expectView("isEnabled", { name, account: acct }, m === null ? { code: 15 } : { code: 0, value: m === 1 });
          } else if (p === 0xd6) {
            const n = decodeMeta(bad);
            // Decoded only when Admin is granted or revoked (LastAdmin rule).
            const r = run(chain, height, { method: "grantRole", args: { role: 0, account: OUTSIDER! }, sender: ADMIN! });
            checked++;
            expect(r.code, where).toBe(n === null ? 15 : 0);
            chain.abortBlock();
            chain.beginBlock(height);
          } else if (p === 0xd7 || p === 0xd8) {
            // Index values are never decoded (DESIGN): every answer is as before the corruption.
            expectView("listFeatures", { startAfter: "", limit: 100, activeOnly: true }, { code: 0 });
          }

          // Then every call: only codes, never a trap; a failure writes nothing.
          for (const call of battery()) {
            const before = blockRoot(chain);
            const r = run(chain, height, call);
            if (r.trap !== undefined || r.code < 0 || r.code > 16) throw new Error(`${where}: ${call.method} gave ${r.code} ${r.trap ?? ""}`);
            if (r.code !== 0 && blockRoot(chain) !== before) throw new Error(`${where}: ${call.method} failed with ${r.code} but wrote`);
          }
          const end = chain.endBlock();
          if (end.onPersist.trap !== undefined) throw new Error(`${where}: onPersist trapped: ${end.onPersist.trap}`);
        }
      }),
      { numRuns: RUNS },
    );
    expect(checked).toBeGreaterThan(0);
    expect(corruptAnswers).toBeGreaterThan(0);
  }, 120_000);

  it("version 1 feature records (the first release's layout) read as the independent decoder says: appended fields at their defaults, the run at 0; first-release policy rules", () => {
    let opened = 0;
    for (const key of keys.filter((k) => k[0] === 0xd0)) {
      const name = keyName(key);
      const v1 = toV1(base.store.get(key)!);
      // The policy's analysis byte and Sequential threshold, from the end: salt "" (4), deadline 4, peak 8, avg 8, invariants 4, threshold 8, slope 4, analysis 1.
      const variants: [string, Uint8Array][] = [["as written", v1]];
      const t0 = v1.slice();
      new DataView(t0.buffer).setBigUint64(t0.length - 36, 0n, true);
      t0[t0.length - 41] = 1;
      variants.push(["Sequential, threshold 0 (valid in the first release)", t0]);
      const a2 = v1.slice();
      a2[a2.length - 41] = 2;
      variants.push(["analysis 2 (not valid in the first release)", a2]);
      for (const [what, bytes] of variants) {
        const store = new MemoryStore(base.store.entries());
        store.put(key, bytes);
        const chain = new Chain(runtime, store);
        chain.beginBlock(base.height + 1);
        const d = decodeFeature(name, bytes);
        if (what !== "analysis 2 (not valid in the first release)") expect(d, `${name} ${what}`).not.toBeNull();
        else expect(d, `${name} ${what}`).toBeNull();
        const r = run(chain, base.height + 1, { method: "getFeature", args: { name }, sender: ADMIN! });
        expect(r.code, `${name} ${what}`).toBe(d ? 0 : 15);
        if (d) {
          expect(decodeResult("getFeature", r.output), `${name} ${what}`).toEqual(d.view);
          expect(d.view.statistic).toBe(0n);
          opened++;
        }
      }
    }
    expect(opened).toBe(2 * STATUS_FEATURES.length);
  });

  it("a truncated or terminator-less index key is CorruptState for the walks that read it", () => {
    for (const prefix of [0xd7, 0xd8]) {
      const key = keys.find((k) => k[0] === prefix)!;
      const store = new MemoryStore(base.store.entries());
      const v = store.get(key)!;
      store.delete(key);
      store.put(key.slice(0, key.length - 1), v); // drop the 00 terminator
      const chain = new Chain(runtime, store);
      chain.beginBlock(base.height + 1);
      if (prefix === 0xd8) expect(run(chain, base.height + 1, { method: "listFeatures", args: { startAfter: "", limit: 100, activeOnly: true }, sender: ADMIN! }).code).toBe(15);
      else {
        // The due key of "roll" is due now: onPersist walks it and must FAULT with CorruptState, writing nothing.
        const before = blockRoot(chain);
        const end = chain.endBlock();
        expect(end.onPersist.code).toBe(15);
        expect(end.onPersist.trap).toBeUndefined();
        expect(end.stateRoot === before || end.changed === false).toBe(true);
      }
    }
  });
});

// ------------------------------------------------------------------ a throw inside storage_write

/** A Store (without the binary fast path) over another, whose put throws on the Nth call. */
class FailingStore extends ForwardingStore {
  puts = 0;
  constructor(
    inner: Store,
    private readonly failAt: number,
  ) {
    super(inner);
  }
  override put(k: Uint8Array, v: Uint8Array) {
    if (++this.puts === this.failAt) throw new Error(`injected storage failure at write ${this.puts}`);
    super.put(k, v);
  }
}

/** A runtime whose every invocation writes through a FailingStore (failAt 0 = never). */
class FaultyRuntime extends ContractRuntime {
  failAt = 0;
  lastPuts = 0;
  override invoke(method: string, args: Uint8Array, ctx: CallContext, store: Store): InvokeResult {
    const f = new FailingStore(store, this.failAt);
    const r = super.invoke(method, args, ctx, f);
    this.lastPuts = f.puts;
    return r;
  }
}

describe("fault injection: a host-side throw inside storage_write", () => {
  const calls: AnyCall[] = [
    { method: "startCanary", args: { name: "dis", bps: 700 }, sender: OPERATOR! },
    { method: "startRollout", args: { name: "can", targetBps: 9000 }, sender: OPERATOR! },
    { method: "enable", args: { name: "roll" }, sender: OPERATOR! },
    { method: "rollback", args: { name: "held", reason: 0 }, sender: GUARDIAN! },
    { method: "recordBatch", args: { name: "roll", successes: 0n, errors: 50n }, sender: REPORTER! },
    { method: "recordCohorts", args: { name: "held", canarySuccesses: 3n, canaryErrors: 1n, baseSuccesses: 9n, baseErrors: 0n }, sender: REPORTER! },
    { method: "setOverride", args: { name: "ena", account: OUTSIDER!, mode: 1 }, sender: OPERATOR! },
    { method: "grantRole", args: { role: 0, account: OUTSIDER! }, sender: ADMIN! },
    { method: "createFeature", args: { name: "zz", description: "x", policy: null }, sender: OPERATOR! },
    { method: "pause", args: { name: "roll" }, sender: GUARDIAN! },
    { method: "processRollout", args: { name: "roll" }, sender: OUTSIDER! },
  ];

  for (const reuse of [true, false]) {
    it(`every write of the transaction is discarded, at every N (reuse: ${reuse})`, () => {
      const rt = new FaultyRuntime(releaseWasm(), { reuse });
      const base = seededStore(rt);
      const height = base.height + 20;
      for (const call of calls) {
        // The uninterrupted run: how many writes, and the result.
        rt.failAt = 0;
        const clean = new Chain(rt, new MemoryStore(base.store.entries()));
        clean.beginBlock(height);
        const ok = run(clean, height, call);
        expect(ok.code, `${call.method} uninterrupted`).toBe(0);
        const writes = rt.lastPuts;
        const cleanRoot = blockRoot(clean);
        expect(writes, `${call.method} writes`).toBeGreaterThan(0);
        for (let n = 1; n <= writes; n++) {
          const chain = new Chain(rt, new MemoryStore(base.store.entries()));
          chain.beginBlock(height);
          const before = blockRoot(chain);
          rt.failAt = n;
          const r = run(chain, height, call);
          expect(r.code, `${call.method} failing at write ${n}`).toBe(-1);
          expect(r.ok).toBe(false);
          expect(r.trap).toMatch(/injected storage failure/);
          expect(r.events).toEqual([]);
          expect(blockRoot(chain), `${call.method} failing at write ${n}: nothing kept`).toBe(before);
          // Without the fault the same call gives the uninterrupted result (no state left behind in the instance).
          rt.failAt = 0;
          const again = run(chain, height, call);
          expect(again.code).toBe(0);
          expect(again.events).toEqual(ok.events);
          expect(blockRoot(chain)).toBe(cleanRoot);
        }
      }
    });
  }
});
