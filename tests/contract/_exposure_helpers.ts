// Helpers of the exposure, scaling and isolation contract tests: an independent TypeScript
// murmur3_x86_32 (the reference the contract's buckets are checked against), a seeded PRNG,
// raw isEnabledMany calls in chunks of 1024, a Store that counts the host's storage calls, and
// a seeded random call-sequence generator shared by isolation.test.ts and its child script.

import { Chain } from "../../src/host/index.ts";
import { MemoryStore } from "../../src/host/store.ts";
import { CountingStore as BenchCountingStore, type StorageCounts } from "../../src/bench/countingStore.ts";
import { murmur3_32 } from "../../src/model/murmur.ts";

export type { StorageCounts };
import type { InvokeResult, RawEvent } from "../../src/host/types.ts";
import { encodeArgs } from "../../src/client/index.ts";
import { METHOD_NAMES, METHODS, type MethodName } from "../../src/abi/methods.ts";

// ------------------------------------------------------------------ murmur3 (reference)

import { ADMIN, GUARDIAN, OPERATOR, OUTSIDER, REPORTER } from "../helpers/accounts.ts";
import { concat, fromHex, hex, utf8 } from "../helpers/bytes.ts";

export { concat, utf8 };
export const hexBytes = fromHex;

/** MurmurHash3 x86 32-bit: the reference model's (src/model/murmur.ts), independent of assembly/exposure.ts. */
export const murmur3 = murmur3_32;

/** SPEC section 4: (murmur3(salt ‖ account) × 10000) >> 32. h × 10000 < 2^46: exact in a double. */
export function bucketFromHash(h: number): number {
  return Math.floor((h * 10000) / 4294967296);
}

export function refBucket(salt: Uint8Array, account: Uint8Array): number {
  return bucketFromHash(murmur3(concat(salt, account)));
}

// ------------------------------------------------------------------ seeded PRNG

/** sfc32, seeded through splitmix32: deterministic, fast, good enough for sampling accounts. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const mix = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** Uniform integer in [0, n) for n ≤ 2^32 (bias below 2^-20 for the small n used here). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  bool(pTrue = 0.5): boolean {
    return this.u32() / 4294967296 < pTrue;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    this.fill(out);
    return out;
  }
  fill(out: Uint8Array): void {
    let i = 0;
    for (; i + 4 <= out.length; i += 4) {
      const v = this.u32();
      out[i] = v;
      out[i + 1] = v >>> 8;
      out[i + 2] = v >>> 16;
      out[i + 3] = v >>> 24;
    }
    if (i < out.length) {
      const v = this.u32();
      for (let j = 0; i < out.length; i++, j++) out[i] = v >>> (8 * j);
    }
  }
}

/** n random accounts, packed 20 bytes each. */
export function randomAccounts(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n * 20);
  new Prng(seed).fill(out);
  return out;
}

// ------------------------------------------------------------------ raw isEnabledMany

export const MANY_CHUNK = 1024;

/** Borsh args of isEnabledMany(name, accounts) with accounts given packed (20 bytes each). */
export function isEnabledManyArgs(name: string, packed: Uint8Array): Uint8Array {
  const nameBytes = utf8(name);
  const count = packed.length / 20;
  const out = new Uint8Array(4 + nameBytes.length + 4 + packed.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, nameBytes.length, true);
  out.set(nameBytes, 4);
  dv.setUint32(4 + nameBytes.length, count, true);
  out.set(packed, 8 + nameBytes.length);
  return out;
}

/**
 * Exposure of every packed account (one byte per account, 0/1) through isEnabledMany views in
 * chunks of 1024, decoded by hand (u32 count + one bool byte each).
 */
export function exposureOf(chain: Chain, name: string, packed: Uint8Array): Uint8Array {
  const n = packed.length / 20;
  const out = new Uint8Array(n);
  for (let start = 0; start < n; start += MANY_CHUNK) {
    const end = Math.min(n, start + MANY_CHUNK);
    const r = chain.view("isEnabledMany", isEnabledManyArgs(name, packed.subarray(start * 20, end * 20)));
    if (!r.ok) throw new Error(`isEnabledMany failed: code ${r.code} ${r.trap ?? ""}`);
    const o = r.output;
    const count = o[0]! | (o[1]! << 8) | (o[2]! << 16) | (o[3]! << 24);
    if (count !== end - start || o.length !== 4 + count) throw new Error(`isEnabledMany: malformed output (${o.length} bytes for ${end - start})`);
    for (let i = 0; i < count; i++) {
      const b = o[4 + i]!;
      if (b > 1) throw new Error(`isEnabledMany: bool byte ${b}`);
      out[start + i] = b;
    }
  }
  return out;
}

// ------------------------------------------------------------------ counting store

/** A MemoryStore holding `entries`, behind the benchmark's counting wrapper (src/bench/countingStore.ts). */
export class CountingStore extends BenchCountingStore {
  constructor(entries?: Iterable<readonly [Uint8Array, Uint8Array]>) {
    super(new MemoryStore(entries));
  }
}

// ------------------------------------------------------------------ random call sequences

export const ACCOUNTS = {
  admin: ADMIN,
  operator: OPERATOR,
  guardian: GUARDIAN,
  reporter: REPORTER,
  outsider: OUTSIDER,
};

export interface RandomTx {
  method: string;
  args: Uint8Array;
  sender: Uint8Array;
  witnesses: Uint8Array[];
  /** Run as a read-only view instead of a transaction. */
  view: boolean;
}

export interface RandomBlock {
  height: number;
  txs: RandomTx[];
}

const NAMES = ["alpha", "beta", "a", "ab", "vita_recovery_v2", "x.y-z_9"];
const BAD_NAMES = ["Bad-Name", "", "a".repeat(65)];

/** Who may call a method (SPEC section 6), used to pick a proper signer most of the time. */
function signerFor(m: string): (keyof typeof ACCOUNTS)[] {
  switch (m) {
    case "init":
    case "grantRole":
    case "revokeRole":
      return ["admin"];
    case "pause":
    case "resume":
    case "rollback":
      return ["operator", "guardian"];
    case "setGlobal":
      return ["guardian"];
    case "recordSuccess":
    case "recordError":
    case "recordBatch":
    case "recordCohorts":
    case "recordLatency":
    case "recordInvariant":
      return ["reporter"];
    case "reportIncident":
      return ["reporter", "guardian"];
    case "processRollout":
      return ["outsider", "operator"];
    default:
      return ["operator", "admin"];
  }
}

/**
 * A seeded random call sequence: `blocks` blocks with 0..maxTxs calls each, every method of
 * SPEC section 6, mostly well-formed arguments with random values from the proper signer (so
 * many calls succeed and features move through their lifecycle) and some invalid ones (random
 * bytes, truncated or extended args, out-of-range values, bad names, unknown methods, unsigned
 * or unauthorized senders). Block 1 starts with init and role grants.
 */
export function randomSequence(seed: number, blocks: number, maxTxs = 8): RandomBlock[] {
  const rng = new Prng(seed);
  const all = Object.values(ACCOUNTS);
  const randomAccount = (): Uint8Array => (rng.bool(0.7) ? rng.pick(all) : rng.bool(0.5) ? rng.bytes(20) : new Uint8Array(20).fill(rng.int(256)));
  const name = (): string => (rng.bool(0.93) ? rng.pick(NAMES) : rng.pick(BAD_NAMES));
  /** Mostly valid, sometimes out of range. */
  const valid = <T>(good: readonly T[], bad: readonly T[], pBad = 0.08): T => (rng.bool(pBad) ? rng.pick(bad) : rng.pick(good));
  const bps = (): number => valid([1, 5, 100, 500, 1000, 2500, 5000, 9000, 9999, 10000, 1 + rng.int(10000)], [0, 10001, 65535]);
  const u64 = (): bigint => rng.pick([0n, 1n, 5n, 50n, 100n, 1000n, 2n ** 64n - 1n, BigInt(rng.int(200))]);
  const policy = () => ({
    steps: rng.bool(0.7) ? [] : valid([[500, 2000, 6000], [100, 9000]], [[rng.int(10001), rng.int(10001)], [0], [5, 5]], 0.3),
    incrementBps: valid([500, 1000, 2500, 10000], [0, 10001]),
    incrementBlocks: valid([1, 1, 2, 3, 5, 8640], [0]),
    maxErrorRateBps: valid([100, 1000, 5000, 10000], [10001]),
    minSamples: rng.pick([0, 1, 5, 100]),
    minSuccessCount: rng.pick([0n, 0n, 1n, 5n, 100n]),
    analysis: valid([0, 0, 1, 2], [3]),
    seqSlopePpm: rng.pick([0, 14435, 100000]),
    seqInterceptPpm: rng.pick([0n, 4110000n]),
    maxInvariantFailures: rng.pick([0, 1, 3]),
    maxAvgLatency: rng.pick([0n, 100n, 1000n]),
    maxPeakLatency: rng.pick([0n, 500n, 5000n]),
    progressDeadlineBlocks: rng.pick([0, 0, 0, 4, 10, 100]),
    salt: valid(["", "", "salt-1"], ["x".repeat(65)]),
    seqFloorPpm: rng.pick([0n, 8219462n, 2n ** 64n - 1n]),
    compExcessPpm: valid([1, 1000000, 9000000], [0, 9000001]),
    compLnRatioPpm: valid([1, 693147], [0, 9000001]),
    compThresholdPpm: valid([1n, 2890372n], [0n]),
    compFloorPpm: rng.pick([0n, 5780744n]),
  });
  const argsFor = (m: MethodName): unknown => {
    switch (m) {
      case "init":
        return { admin: randomAccount() };
      case "grantRole":
      case "hasRole":
        return { role: valid([0, 1, 2, 3], [4, 255]), account: randomAccount() };
      case "revokeRole": // mostly accounts outside the fixed cast, so the cast keeps its roles
        return { role: valid([0, 1, 2, 3], [4, 255]), account: rng.bool(0.8) ? rng.bytes(20) : rng.pick(all) };
      case "createFeature":
        return { name: name(), description: rng.bool(0.95) ? "d" : "é".repeat(129), policy: rng.bool(0.2) ? null : policy() };
      case "updatePolicy":
        return { name: name(), policy: policy() };
      case "startCanary":
        return { name: name(), bps: bps() };
      case "startRollout":
        return { name: name(), targetBps: bps() };
      case "rollback":
        return { name: name(), reason: valid([0, 1, 2, 3, 4, 5, 6], [7, 200]) };
      case "reportIncident":
        return { name: name(), reason: valid([3, 4], [0, 1, 5, 7]) };
      case "setOverride":
        return { name: name(), account: randomAccount(), mode: valid([0, 1, 2], [3]) };
      case "setGlobal":
        return { paused: rng.bool(0.15), halted: rng.bool(0.15) };
      case "recordBatch":
        return { name: name(), successes: u64(), errors: u64() };
      case "recordCohorts":
        return { name: name(), canarySuccesses: u64(), canaryErrors: u64(), baseSuccesses: u64(), baseErrors: u64() };
      case "recordLatency":
        return { name: name(), value: u64() };
      case "recordInvariant":
        return { name: name(), ok: rng.bool(0.7) };
      case "isEnabled":
      case "bucketOf":
        return { name: name(), account: randomAccount() };
      case "isEnabledMany": {
        const n = rng.pick([0, 1, 3, 40, 1024, 1025]);
        return { name: name(), accounts: Array.from({ length: n }, randomAccount) };
      }
      case "listFeatures":
        return { startAfter: rng.pick(["", "a", "alpha", "zzz"]), limit: rng.pick([0, 1, 3, 100, 101]), activeOnly: rng.bool(0.5) };
      case "getHistory":
        return { name: name(), fromSeq: rng.pick([0, 1, 2, 0xffffffff]), limit: rng.pick([0, 1, 100, 101]) };
      case "getGlobal":
      case "onPersist":
        return {};
      default:
        // enable, disable, pause, resume, recordSuccess, recordError, processRollout, getFeature, getMetrics
        return { name: name() };
    }
  };
  const live = METHOD_NAMES.filter((m) => m !== "init");
  // Well-formed calls are weighted towards the lifecycle so features actually move.
  const hot: MethodName[] = ["createFeature", "startCanary", "startRollout", "recordSuccess", "recordBatch", "recordCohorts", "recordError", "processRollout", "setOverride", "isEnabled", "pause", "resume"];
  const out: RandomBlock[] = [];
  let height = 1;
  for (let b = 0; b < blocks; b++) {
    const txs: RandomTx[] = [];
    const tx = (method: string, args: Uint8Array, sender: Uint8Array, witnesses: Uint8Array[] = [sender]): void => {
      const m = method as MethodName;
      txs.push({ method, args, sender, witnesses, view: Object.prototype.hasOwnProperty.call(METHODS, m) && METHODS[m].view && rng.bool(0.5) });
    };
    if (b === 0) {
      tx("init", encodeArgs("init", { admin: ACCOUNTS.admin }), ACCOUNTS.admin);
      for (const [role, who] of [[1, ACCOUNTS.operator], [2, ACCOUNTS.guardian], [3, ACCOUNTS.reporter]] as const) {
        tx("grantRole", encodeArgs("grantRole", { role, account: who }), ACCOUNTS.admin);
      }
    }
    if (b > 0 && rng.bool(0.2)) {
      // A coherent burst, so features really reach RollingOut and step: a permissive policy,
      // a canary, enough successes, a rollout (to 100 % or to a held canary below it).
      const f = rng.pick(NAMES);
      const fast = { ...policy(), steps: [], incrementBps: rng.pick([1000, 2500, 5000]), incrementBlocks: rng.pick([1, 2, 3]), minSamples: rng.pick([0, 1, 5]), minSuccessCount: rng.pick([0n, 1n, 5n]), maxErrorRateBps: 5000, analysis: 0, progressDeadlineBlocks: 0, salt: "" };
      const op = ACCOUNTS.operator;
      if (rng.bool(0.5)) tx("createFeature", encodeArgs("createFeature", { name: f, description: "burst", policy: fast }), op);
      else tx("updatePolicy", encodeArgs("updatePolicy", { name: f, policy: fast }), op);
      tx("startCanary", encodeArgs("startCanary", { name: f, bps: rng.pick([100, 500, 1000]) }), op);
      tx("recordBatch", encodeArgs("recordBatch", { name: f, successes: BigInt(5 + rng.int(20)), errors: BigInt(rng.int(2)) }), ACCOUNTS.reporter);
      tx("startRollout", encodeArgs("startRollout", { name: f, targetBps: rng.pick([10000, 10000, 6000]) }), op);
    }
    const n = rng.int(maxTxs + 1);
    for (let i = 0; i < n; i++) {
      const m: MethodName = rng.bool(0.5) ? rng.pick(hot) : rng.pick(rng.bool(0.05) ? METHOD_NAMES : live);
      let args = encodeArgs(m, argsFor(m) as never);
      const mutate = rng.int(30);
      if (mutate === 0) args = rng.bytes(rng.int(40)); // garbage
      else if (mutate === 1 && args.length > 0) args = args.subarray(0, rng.int(args.length)); // short
      else if (mutate === 2) args = concat(args, rng.bytes(1 + rng.int(3))); // trailing bytes
      const sender = rng.bool(0.85) ? ACCOUNTS[rng.pick(signerFor(m))] : randomAccount();
      const witnesses = rng.bool(0.9) ? [sender] : rng.bool(0.5) ? [] : [randomAccount()];
      tx(rng.bool(0.01) ? "noSuchMethod" : m, args, sender, witnesses);
    }
    out.push({ height, txs });
    height += rng.bool(0.8) ? 1 : 1 + rng.int(20);
  }
  return out;
}

export interface CallRecord {
  method: string;
  code: number;
  ok: boolean;
  output: string;
  events: string[];
  trap: boolean;
}

export interface BlockRecord {
  height: number;
  calls: CallRecord[];
  onPersist: CallRecord;
  stateRoot: string;
}

const eventKey = (e: RawEvent): string => `${e.name}:${hex(e.data)}`;

function record(method: string, r: InvokeResult): CallRecord {
  return { method, code: r.code, ok: r.ok, output: hex(r.output), events: r.events.map(eventKey), trap: r.trap !== undefined };
}

/** Runs a sequence on `chain`: every call's code, output and events, and the root after every block. */
export function runSequence(chain: Chain, blocks: readonly RandomBlock[]): BlockRecord[] {
  const out: BlockRecord[] = [];
  for (const block of blocks) {
    chain.beginBlock(block.height);
    const calls: CallRecord[] = [];
    for (const t of block.txs) {
      const r = t.view
        ? chain.view(t.method, t.args, { sender: t.sender, witnesses: t.witnesses })
        : chain.transact(t.method, t.args, { height: block.height, sender: t.sender, witnesses: t.witnesses });
      calls.push(record(t.method, r));
    }
    const end = chain.endBlock();
    out.push({ height: block.height, calls, onPersist: record("onPersist", end.onPersist), stateRoot: end.stateRoot });
  }
  return out;
}
