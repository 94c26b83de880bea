// Our side of the benchmark: the same workloads as the seed's `seedrun bench`, run through
// our host (Chain: views on the view overlay, transactions in a savepoint on the block overlay), plus
// what only we have (onPersist at scale, replay, instance handling, memory).
//
// Arguments are encoded once up front, so the timings are host + contract, not the client.

import { Chain } from "../host/chain.ts";
import { Overlay } from "../host/overlay.ts";
import { ContractRuntime } from "../host/runtime.ts";
import { MemoryStore } from "../host/store.ts";
import type { CallContext } from "../host/types.ts";
import { Analysis, CanaryClient, expectOk } from "../client/index.ts";
import { encodeArgs } from "../client/schema.ts";
import { CountingStore } from "./countingStore.ts";
import { nsPerOp } from "./stats.ts";

const EMPTY = new Uint8Array(0);
const acct = (b: number): Uint8Array => new Uint8Array(20).fill(b);
export const ADMIN = acct(0xa1);
export const OPERATOR = acct(0x0b);
export const REPORTER = acct(0x7e);
const ZERO = new Uint8Array(20);

/** Deterministic pseudo-random accounts (xorshift32), like the seed's 2^16 users. */
export function users(n: number, seed: number): Uint8Array[] {
  let x = seed >>> 0 || 1;
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const u = new Uint8Array(20);
    for (let j = 0; j < 20; j++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      u[j] = x & 0xff;
    }
    out.push(u);
  }
  return out;
}

function chainWithRoles(wasm: Uint8Array): { chain: Chain; client: CanaryClient } {
  const chain = new Chain(wasm);
  const client = new CanaryClient(chain, { height: () => chain.currentHeight, throwOnError: true });
  chain.beginBlock(1);
  client.init(ADMIN, ADMIN);
  client.grantRole(ADMIN, "Operator", OPERATOR);
  client.grantRole(ADMIN, "Reporter", REPORTER);
  chain.endBlock();
  return { chain, client };
}

/**
 * The seed's bench state: 100 features at a 5 % canary, feature_043 with 10^7 successes
 * (errors never reach 1 %), and "rollout" RollingOut with a step that is never due.
 */
export class SeedLikeBench {
  readonly chain: Chain;
  readonly client: CanaryClient;
  height = 2;
  private readonly isEnabledArgs: Uint8Array[];
  private readonly successArgs = encodeArgs("recordSuccess", { name: "feature_042" });
  private readonly errorArgs = encodeArgs("recordError", { name: "feature_043" });
  private readonly stepArgs = encodeArgs("processRollout", { name: "rollout" });
  private readonly listArgs = encodeArgs("listFeatures", { startAfter: "", limit: 100, activeOnly: true });
  private created = 0;
  private createChain: Chain | null = null;
  private createHeight = 2;
  // recordBatch and recordCohorts (Revision 2), side by side on a chain of their own: one
  // period of a canary at 5 % with 1 % errors in both cohorts (100 exposed, 1900 unexposed).
  private readonly batchArgs = encodeArgs("recordBatch", { name: "seq", successes: 99, errors: 1 });
  private readonly cohortsArgs = encodeArgs("recordCohorts", { name: "cmp", canarySuccesses: 99, canaryErrors: 1, baseSuccesses: 1881, baseErrors: 19 });
  private reports: { chain: Chain; height: number } | null = null;

  constructor(private readonly wasm: Uint8Array) {
    ({ chain: this.chain, client: this.client } = chainWithRoles(wasm));
    const { chain, client } = this;
    chain.beginBlock(this.height++);
    for (let i = 0; i < 100; i++) {
      const name = `feature_${String(i).padStart(3, "0")}`;
      client.createFeature(OPERATOR, name, "a feature under canary");
      client.startCanary(OPERATOR, name, 500);
    }
    // feature_043 takes the recordError row's errors: under the Sequential default 13 errors in
    // a row after any number of successes roll it back (as they should: the floor, DESIGN.md),
    // so it keeps the seed's own rule, a threshold that 10^7 successes keep far away.
    client.updatePolicy(OPERATOR, "feature_043", { analysis: Analysis.Threshold });
    client.recordBatch(REPORTER, "feature_043", 10_000_000n, 0n);
    client.createFeature(OPERATOR, "rollout", "", { incrementBlocks: 4_000_000_000 });
    client.startCanary(OPERATOR, "rollout", 500);
    client.recordBatch(REPORTER, "rollout", 200n, 0n);
    client.startRollout(OPERATOR, "rollout", 10000);
    chain.endBlock();
    this.isEnabledArgs = users(1 << 16, 1).map((u) => encodeArgs("isEnabled", { name: "feature_042", account: u }));
  }

  private ctx(sender: Uint8Array): CallContext {
    return { height: this.chain.currentHeight!, sender, witnesses: [sender] };
  }

  /** Runs `body` inside a fresh block (closed afterwards, outside the timing). */
  private inBlock<T>(body: () => T): T {
    this.chain.beginBlock(this.height++);
    try {
      return body();
    } finally {
      this.chain.endBlock();
    }
  }

  isEnabled(n: number): number {
    const { chain, isEnabledArgs: a } = this;
    return nsPerOp(n, (i) => chain.view("isEnabled", a[i & 0xffff]!));
  }

  /** isEnabled straight on the runtime (no Chain, no overlay): the contract + import cost. */
  isEnabledRuntime(n: number): number {
    const { chain, isEnabledArgs: a } = this;
    const rt = chain.runtime;
    const ctx: CallContext = { height: this.height, sender: ZERO, witnesses: [] };
    const store = chain.store;
    return nsPerOp(n, (i) => rt.invoke("isEnabled", a[i & 0xffff]!, ctx, store));
  }

  private transactions(n: number, method: string, args: Uint8Array, sender: Uint8Array): number {
    return this.inBlock(() => {
      const ctx = this.ctx(sender);
      const chain = this.chain;
      return nsPerOp(n, () => {
        const r = chain.transact(method, args, ctx);
        if (!r.ok) throw new Error(`${method} failed: code ${r.code} ${r.trap ?? ""}`);
      });
    });
  }

  recordSuccess(n: number): number {
    return this.transactions(n, "recordSuccess", this.successArgs, REPORTER);
  }

  recordError(n: number): number {
    return this.transactions(n, "recordError", this.errorArgs, REPORTER);
  }

  /** processRollout on a RollingOut feature whose step is not due (the seed's common case). */
  step(n: number): number {
    return this.transactions(n, "processRollout", this.stepArgs, REPORTER);
  }

  /**
   * createFeature on a chain of its own (made at the first call), as the seed creates its
   * features last: thousands of new features must not slow the other rows' later rounds
   * (measured: recordSuccess 1.1 µs → 1.7 µs on a store grown by 25,000 features).
   */
  createFeature(n: number): number {
    const args: Uint8Array[] = [];
    for (let i = 0; i < n; i++) args.push(encodeArgs("createFeature", { name: `x${String(this.created++).padStart(7, "0")}`, description: "d", policy: null }));
    const chain = (this.createChain ??= chainWithRoles(this.wasm).chain);
    chain.beginBlock(this.createHeight++);
    try {
      const ctx: CallContext = { height: chain.currentHeight!, sender: OPERATOR, witnesses: [OPERATOR] };
      return nsPerOp(n, (i) => {
        const r = chain.transact("createFeature", args[i]!, ctx);
        if (!r.ok) throw new Error(`createFeature failed: code ${r.code}`);
      });
    } finally {
      chain.endBlock();
    }
  }

  /**
   * The chain of the recordBatch/recordCohorts rows (made at the first call): "seq" under the
   * default policy (Sequential: T moves on every report), "cmp" under Comparative (S moves on
   * every report: q, x, c and the 128-bit update), both Canary at 5 %. Their statistics sink
   * to the floor and stay there: healthy, so every call is the full report path.
   */
  private reportsChain(): { chain: Chain; height: number } {
    if (!this.reports) {
      const { chain, client } = chainWithRoles(this.wasm);
      chain.beginBlock(2);
      client.createFeature(OPERATOR, "seq", "the default policy");
      client.createFeature(OPERATOR, "cmp", "comparative", { analysis: Analysis.Comparative });
      client.startCanary(OPERATOR, "seq", 500);
      client.startCanary(OPERATOR, "cmp", 500);
      chain.endBlock();
      this.reports = { chain, height: 3 };
    }
    return this.reports;
  }

  private reportRow(n: number, method: string, args: Uint8Array): number {
    const r = this.reportsChain();
    const chain = r.chain;
    chain.beginBlock(r.height++);
    try {
      const ctx: CallContext = { height: chain.currentHeight!, sender: REPORTER, witnesses: [REPORTER] };
      return nsPerOp(n, () => {
        const res = chain.transact(method, args, ctx);
        if (!res.ok) throw new Error(`${method} failed: code ${res.code} ${res.trap ?? ""}`);
      });
    } finally {
      chain.endBlock();
    }
  }

  /** recordBatch(99 successes, 1 error) on a Sequential (default) Canary feature. */
  recordBatch(n: number): number {
    return this.reportRow(n, "recordBatch", this.batchArgs);
  }

  /** recordCohorts(99, 1, 1881, 19) on a Comparative Canary feature. */
  recordCohorts(n: number): number {
    return this.reportRow(n, "recordCohorts", this.cohortsArgs);
  }

  /** Every active feature (101: the seed lists 101 canaries), in pages of 100. */
  listActive(n: number): number {
    const chain = this.chain;
    const second = encodeArgs("listFeatures", { startAfter: "rollout", limit: 100, activeOnly: true });
    return nsPerOp(n, () => {
      chain.view("listFeatures", this.listArgs);
      chain.view("listFeatures", second);
    });
  }

  /** Host storage calls per invocation, counted on a wrapper around a throwaway overlay. */
  storageOps(): Record<string, { reads: number; writes: number; nexts: number; ours: number }> {
    const rt = this.chain.runtime;
    const h = this.height;
    const run = (method: string, args: (i: number) => Uint8Array, sender: Uint8Array, n: number, chain = this.chain) => {
      const ov = new Overlay(chain.store);
      const cs = new CountingStore(ov);
      const ctx: CallContext = { height: h, sender, witnesses: [sender] };
      for (let i = 0; i < n; i++) {
        const r = rt.invoke(method, args(i), ctx, cs);
        if (!r.ok) throw new Error(`${method} failed: code ${r.code} ${r.trap ?? ""}`);
      }
      const c = cs.counts;
      const reads = c.reads / n;
      const writes = (c.writes + c.deletes) / n;
      return { reads, writes, nexts: c.nexts / n, ours: reads + writes };
    };
    const a = this.isEnabledArgs;
    return {
      isEnabled: run("isEnabled", (i) => a[i & 0xffff]!, ZERO, 1 << 16),
      recordSuccess: run("recordSuccess", () => this.successArgs, REPORTER, 100),
      recordError: run("recordError", () => this.errorArgs, REPORTER, 100),
      step: run("processRollout", () => this.stepArgs, REPORTER, 100),
      createFeature: run("createFeature", (i) => encodeArgs("createFeature", { name: `count${i}`, description: "d", policy: null }), OPERATOR, 100),
      recordBatch: run("recordBatch", () => this.batchArgs, REPORTER, 100, this.reportsChain().chain),
      recordCohorts: run("recordCohorts", () => this.cohortsArgs, REPORTER, 100, this.reportsChain().chain),
    };
  }
}

/**
 * onPersist with `total` features, all RollingOut, `due` of them due at the measured height
 * (the others' steps are far away): its cost should follow the due ones only.
 */
export class OnPersistBench {
  readonly chain: Chain;
  private readonly dueHeight: number;

  constructor(wasm: Uint8Array, total: number, due: number) {
    const { chain, client } = chainWithRoles(wasm);
    this.chain = chain;
    let h = 2;
    const perBlock = 1000;
    for (let start = 0; start < total; start += perBlock) {
      chain.beginBlock(h++);
      for (let i = start; i < Math.min(total, start + perBlock); i++) {
        const name = `f${String(i).padStart(6, "0")}`;
        client.createFeature(OPERATOR, name, "", { incrementBlocks: i < due ? 100 : 1_000_000 });
        client.startCanary(OPERATOR, name, 100);
        client.recordBatch(REPORTER, name, 100n, 0n);
        client.startRollout(OPERATOR, name, 10000);
        client.recordBatch(REPORTER, name, 100n, 0n); // the window has its samples: a due step advances
      }
      chain.endBlock();
    }
    // The due ones started their rollout in the first block (height 2): due 100 blocks later.
    if (h > 2 + 100) throw new Error("OnPersistBench: too many features for the due height");
    this.dueHeight = 2 + 100;
  }

  /** ns per onPersist at the due height, each on a throwaway overlay; checks the steps ran. */
  measure(n: number): number {
    const rt = this.chain.runtime;
    const ctx: CallContext = { height: this.dueHeight, sender: ZERO, witnesses: [] };
    const ov = new Overlay(this.chain.store);
    // One checked run: the due features must have advanced.
    const first = rt.invoke("onPersist", EMPTY, ctx, ov);
    if (!first.ok || first.events.length === 0) throw new Error(`onPersist did no step (code ${first.code})`);
    ov.discard();
    return nsPerOp(n, () => {
      rt.invoke("onPersist", EMPTY, ctx, ov);
      ov.discard();
    });
  }
}

/**
 * The contract alone: isEnabled and recordSuccess (each followed by `_reset`, as the runtime
 * does) on one instance whose imports do the least a host can — the two records it reads
 * come from constants, writes and outputs are dropped, nothing is checked or copied. What
 * is left is the module's own work, to set against the seed's whole call (issue 5).
 */
export function moduleAlone(wasm: Uint8Array, n: number, stateFrom: Uint8Array = wasm): { isEnabledNs: number; recordSuccessNs: number } {
  const b = new SeedLikeBench(stateFrom);
  const committed = b.chain.store;
  const feature = committed.get(Uint8Array.from([0xd0, ...new TextEncoder().encode("feature_042"), 0]))!;
  const roles = committed.get(Uint8Array.from([0xd5, ...REPORTER]))!;
  let args: Uint8Array = EMPTY;
  let mem = new Uint8Array(0);
  const m = (): Uint8Array => (mem.length ? mem : (mem = new Uint8Array(memory.buffer)));
  const host = {
    input_len: () => args.length,
    input_read: (dst: number) => m().set(args, dst),
    output_write: () => {},
    // The feature key is 13 bytes (D0 ‖ "feature_042" ‖ 00), a roles key 21.
    storage_read: (_k: number, keyLen: number, dst: number, cap: number) => {
      const v = keyLen === 13 ? feature : keyLen === 21 ? roles : undefined;
      if (v === undefined) return -1;
      m().set(v.length <= cap ? v : v.subarray(0, cap), dst);
      return v.length;
    },
    storage_write: () => {},
    storage_delete: () => {},
    storage_next: () => -1,
    block_height: () => b.height,
    caller: (dst: number) => m().set(REPORTER, dst),
    check_witness: () => 1,
    emit: () => {},
    log: () => {},
    gas: () => {}, // a metered module's instruction gas, dropped
  };
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>), { host, env: { abort: () => { throw new Error("abort"); } } });
  const ex = inst.exports as Record<string, () => number>;
  const memory = inst.exports.memory as WebAssembly.Memory;
  ex._initialize?.();
  const reset = ex._reset as unknown as () => void;
  const time = (method: string, a: Uint8Array): number => {
    const f = ex[method]!;
    args = a;
    const call = (): void => {
      if (f() !== 0) throw new Error(`${method} failed on the bare module`);
      reset();
    };
    for (let i = 0; i < 20_000; i++) call();
    return nsPerOp(n, call);
  };
  return {
    isEnabledNs: time("isEnabled", encodeArgs("isEnabled", { name: "feature_042", account: users(1, 7)[0]! })),
    recordSuccessNs: time("recordSuccess", encodeArgs("recordSuccess", { name: "feature_042" })),
  };
}

/** The cheapest call (getGlobal: one read) straight on the runtime, reused and fresh instances. */
export function invocationOverhead(wasm: Uint8Array, n: number): { reusedNs: number; freshNs: number } {
  const store = new MemoryStore();
  const setup = new Chain(wasm, store);
  new CanaryClient(setup, { height: () => setup.currentHeight, throwOnError: true }).init({ sender: ADMIN, height: 1 }, ADMIN);
  setup.endBlock();
  const ctx: CallContext = { height: 2, sender: ZERO, witnesses: [] };
  const reused = new ContractRuntime(wasm);
  const fresh = new ContractRuntime(wasm, { reuse: false });
  for (let i = 0; i < 1000; i++) expectOkRaw(reused.invoke("getGlobal", EMPTY, ctx, store));
  const reusedNs = nsPerOp(n, () => reused.invoke("getGlobal", EMPTY, ctx, store));
  const freshNs = nsPerOp(Math.max(10, n >> 6), () => fresh.invoke("getGlobal", EMPTY, ctx, store));
  return { reusedNs, freshNs };
}

function expectOkRaw(r: { ok: boolean; code: number; trap?: string }): void {
  if (!r.ok) throw new Error(`call failed: ${r.code} ${r.trap ?? ""}`);
}

/**
 * Resident memory across `n` invocations on one Chain: half isEnabled views, half
 * recordSuccess transactions, 1000 transactions a block. MiB of RSS growth from after a
 * warm-up to the end (after a GC when node runs with --expose-gc).
 */
export function rssGrowth(wasm: Uint8Array, n: number): { invocations: number; startMiB: number; endMiB: number; growthMiB: number } {
  const b = new SeedLikeBench(wasm);
  const gc = (globalThis as { gc?: () => void }).gc;
  const rss = () => {
    gc?.();
    return process.memoryUsage.rss() / (1 << 20);
  };
  b.isEnabled(20_000);
  b.recordSuccess(20_000);
  const start = rss();
  let done = 0;
  while (done < n) {
    const k = Math.min(1000, (n - done) >> 1 || 1);
    b.isEnabled(k);
    b.recordSuccess(k);
    done += 2 * k;
  }
  const end = rss();
  return { invocations: done, startMiB: start, endMiB: end, growthMiB: end - start };
}

export { expectOk };
