// Synthetic traffic: deterministic from the scenario's seed, never Math.random.
//
// Model (see docs/REPLAY-NOTES.md):
// - A feature has a population of distinct accounts. Account i is a keyed hash of i: the key
//   is SHA-256("onchain-canary/traffic" ‖ seed ‖ feature) (five 32-bit words k0..k4), and
//   word j of the account is fmix32(i·m_j ⊕ k_j) (murmur3's finalizer, m_j odd), written
//   little-endian. fmix32 and multiplication by an odd number are bijections of 32-bit
//   words, so word 0 alone makes accounts 0..2^32-1 distinct; the contract's own murmur3
//   bucketing sees well-mixed bytes. (SHA-256 per account cost a third of a replay.) Two
//   traffic entries of one feature share those accounts (phases of one user base); features
//   have unrelated ones.
// - Each traffic entry has its own xoshiro128** stream, seeded from SHA-256 of (seed,
//   feature, the entry's rank among that feature's entries): adding traffic for another
//   feature never changes this one's draws.
// - Per block, per call: one uniform account index in [0, population) and one uniform
//   number u in [0, 10000). The draws never depend on the contract's state (common random
//   numbers): two replays that differ only in policy see the same users and the same dice.
// - One `isEnabledMany` per entry per block decides which calls were exposed. A call fails
//   when u < errorRateBps.exposed (exposed) or u < errorRateBps.unexposed (old path).
// - Rates per block (Revision 2): a `regression` replaces errorRateBps.exposed by
//   regression.exposedErrorRateBps from height `from` on, or for every exposed call after
//   the feature's first `afterExposedCalls` exposed calls (per call, counted over the
//   feature's entries); each `outages` entry active at the height adds addBps to both
//   paths' rates (capped at 10000). Only the comparison changes: the draws are the same
//   with or without them, so an entry without these fields draws and fails exactly as
//   before, and a healthy and a regressed run see the same users and the same dice.
// - The reporter sends, per block in which at least one call was exposed, one
//   `recordBatch(feature, exposedSuccesses, exposedErrors)` (report: batch, the default) or
//   one `recordCohorts(feature, exposedSuccesses, exposedErrors, unexposedSuccesses,
//   unexposedErrors)` (report: cohorts: the same block's canary and baseline), and, when
//   `latency` is given, one `recordLatency(feature, latency.exposed)` after it. Under batch
//   the unexposed outcomes are counted for the summary, never reported to the contract.

import { createHash } from "node:crypto";
import { fmix32 } from "../model/murmur.ts";
import type { TrafficSpec } from "./scenario.ts";

const ACCOUNT = 20;

/** xoshiro128** (Blackman & Vigna), 32-bit outputs; state seeded from SHA-256. */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seedMaterial: string) {
    const h = createHash("sha256").update(seedMaterial).digest();
    this.s0 = h.readUInt32LE(0);
    this.s1 = h.readUInt32LE(4);
    this.s2 = h.readUInt32LE(8);
    this.s3 = h.readUInt32LE(12);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** The next 32-bit output, as an unsigned number. */
  next(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /**
   * Uniform in [0, n), 1 ≤ n ≤ 10^8 (multiply-shift: exact arithmetic below 2^21, above it
   * IEEE rounding of the product, which is deterministic and never reaches n).
   */
  below(n: number): number {
    return Math.floor((this.next() * n) / 4294967296);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Odd multipliers, one per account word. */
const WORD_MUL = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f, 0x165667b1] as const;

/** Accounts of one feature's population and what has been seen of them. */
export class Population {
  readonly feature: string;
  private readonly key: Uint32Array;
  private size = 0;
  /** One bit per account: exposed at least once. */
  private seen: Uint8Array = new Uint8Array(0);

  calls = 0;
  exposedCalls = 0;
  exposedErrors = 0;
  exposedAccounts = 0;
  unexposedCalls = 0;
  unexposedErrors = 0;
  /** Where the first regressed exposed call fell (null: none yet). */
  regressionBegan: { height: number; exposedCalls: number } | null = null;

  constructor(seed: number | string, feature: string) {
    this.feature = feature;
    const h = createHash("sha256").update(`onchain-canary/traffic\0${String(seed)}\0${feature}`, "utf8").digest();
    this.key = Uint32Array.from({ length: 5 }, (_, j) => h.readUInt32LE(4 * j));
  }

  /** Makes room for accounts 0..n-1. */
  grow(n: number): void {
    if (n <= this.size) return;
    const seen = new Uint8Array(Math.ceil(n / 8));
    seen.set(this.seen);
    this.seen = seen;
    this.size = n;
  }

  /** Writes account i's 20 bytes into `dst` at `at`. */
  write(i: number, dst: Uint8Array, at: number): void {
    const key = this.key;
    for (let j = 0; j < 5; j++) {
      const w = fmix32((Math.imul(i, WORD_MUL[j]!) ^ key[j]!) >>> 0);
      const o = at + 4 * j;
      dst[o] = w & 0xff;
      dst[o + 1] = (w >>> 8) & 0xff;
      dst[o + 2] = (w >>> 16) & 0xff;
      dst[o + 3] = w >>> 24;
    }
  }

  /** Account i as 20 new bytes. */
  account(i: number): Uint8Array {
    const out = new Uint8Array(ACCOUNT);
    this.write(i, out, 0);
    return out;
  }

  markExposed(i: number): void {
    const byte = i >>> 3;
    const bit = 1 << (i & 7);
    if ((this.seen[byte]! & bit) === 0) {
      this.seen[byte] = this.seen[byte]! | bit;
      this.exposedAccounts++;
    }
  }
}

/** What one block of one traffic entry produced. */
export interface BlockOutcome {
  calls: number;
  exposedCalls: number;
  exposedSuccesses: number;
  exposedErrors: number;
  unexposedCalls: number;
  unexposedSuccesses: number;
  unexposedErrors: number;
}

/** The error rates (bps) of one block: the new path before and after a regression by count, and the old path. */
export interface BlockRates {
  exposed: number;
  /** The new path's rate once `afterExposedCalls` exposed calls have been made (= exposed without such a regression). */
  regressed: number;
  /** Exposed calls of the feature after which `regressed` applies (Infinity: never within this block's logic). */
  regressAfter: number;
  unexposed: number;
}

/** One traffic entry: its random stream and its reusable `isEnabledMany` argument buffer. */
export class TrafficStream {
  readonly spec: TrafficSpec;
  readonly population: Population;
  private readonly rng: Xoshiro128;
  /** Borsh args of isEnabledMany(name, accounts): the header stays, the accounts are rewritten per block. */
  readonly args: Uint8Array;
  private readonly accountsAt: number;
  private readonly picks: Uint32Array;
  private readonly dice: Uint16Array;
  private readonly outcome: BlockOutcome = { calls: 0, exposedCalls: 0, exposedSuccesses: 0, exposedErrors: 0, unexposedCalls: 0, unexposedSuccesses: 0, unexposedErrors: 0 };
  private readonly rates: BlockRates = { exposed: 0, regressed: 0, regressAfter: Infinity, unexposed: 0 };

  constructor(spec: TrafficSpec, seed: number | string, rank: number, population: Population) {
    this.spec = spec;
    this.population = population;
    population.grow(spec.population);
    this.rng = new Xoshiro128(`onchain-canary/traffic-stream\0${String(seed)}\0${spec.feature}\0${rank}`);
    const name = Buffer.from(spec.feature, "utf8");
    const n = spec.callsPerBlock;
    this.args = new Uint8Array(4 + name.length + 4 + n * ACCOUNT);
    const view = new DataView(this.args.buffer);
    view.setUint32(0, name.length, true);
    this.args.set(name, 4);
    view.setUint32(4 + name.length, n, true);
    this.accountsAt = 8 + name.length;
    this.picks = new Uint32Array(n);
    this.dice = new Uint16Array(n);
  }

  /** Whether the entry sends calls at `height`. */
  active(height: number): boolean {
    return height >= this.spec.from && height <= this.spec.to;
  }

  /** Draws this block's calls: fills `args` with their accounts. */
  draw(): void {
    const { population: pop, rng, picks, dice, args } = this;
    const size = this.spec.population;
    for (let i = 0; i < picks.length; i++) {
      const who = rng.below(size);
      picks[i] = who;
      dice[i] = rng.below(10000);
      pop.write(who, args, this.accountsAt + i * ACCOUNT);
    }
  }

  /** The error rates at `height` (regression and outages applied). */
  ratesAt(height: number): BlockRates {
    const { errorRateBps, regression, outages } = this.spec;
    let add = 0;
    if (outages) for (const o of outages) if (height >= o.from && height <= o.to) add += o.addBps;
    const cap = (x: number) => Math.min(10000, x + add);
    const r = this.rates;
    let exposed = errorRateBps.exposed;
    r.regressAfter = Infinity;
    if (regression) {
      if (regression.from !== undefined) {
        if (height >= regression.from) exposed = regression.exposedErrorRateBps;
      } else r.regressAfter = regression.afterExposedCalls!;
    }
    r.exposed = cap(exposed);
    r.regressed = regression ? cap(regression.exposedErrorRateBps) : r.exposed;
    r.unexposed = cap(errorRateBps.unexposed);
    return r;
  }

  /**
   * Tallies the drawn calls given the exposure bytes (`exposure[at + i]` is 1 when call i
   * was exposed); `exposure` null means nobody was exposed (the view failed). `height`
   * decides the rates (regression, outages); without it, the entry's base rates.
   */
  tally(exposure: Uint8Array | null, at: number, height?: number): BlockOutcome {
    const { picks, dice, population: pop } = this;
    const rates = height === undefined ? { exposed: this.spec.errorRateBps.exposed, regressed: this.spec.errorRateBps.exposed, regressAfter: Infinity, unexposed: this.spec.errorRateBps.unexposed } : this.ratesAt(height);
    const unexposedRate = rates.unexposed;
    let exposedRate = rates.exposed;
    // Exposed calls of the feature before this block; the regression by count begins at call number regressAfter + 1.
    const before = pop.exposedCalls;
    let switchAt = rates.regressAfter - before; // this block's exposed call index from which `regressed` applies
    if (switchAt <= 0) {
      exposedRate = rates.regressed;
      switchAt = Infinity;
    }
    let exposedCalls = 0;
    let exposedErrors = 0;
    let unexposedErrors = 0;
    for (let i = 0; i < picks.length; i++) {
      if (exposure !== null && exposure[at + i] === 1) {
        if (exposedCalls === switchAt) exposedRate = rates.regressed;
        exposedCalls++;
        if (dice[i]! < exposedRate) exposedErrors++;
        pop.markExposed(picks[i]!);
      } else if (dice[i]! < unexposedRate) unexposedErrors++;
    }
    if (pop.regressionBegan === null && height !== undefined && this.spec.regression) {
      const r = this.spec.regression;
      if (r.from !== undefined ? height >= r.from && exposedCalls > 0 : before + exposedCalls > r.afterExposedCalls!) {
        pop.regressionBegan = { height, exposedCalls: r.from !== undefined ? before : r.afterExposedCalls! };
      }
    }
    const n = picks.length;
    pop.calls += n;
    pop.exposedCalls += exposedCalls;
    pop.exposedErrors += exposedErrors;
    pop.unexposedCalls += n - exposedCalls;
    pop.unexposedErrors += unexposedErrors;
    const o = this.outcome;
    o.calls = n;
    o.exposedCalls = exposedCalls;
    o.exposedErrors = exposedErrors;
    o.exposedSuccesses = exposedCalls - exposedErrors;
    o.unexposedCalls = n - exposedCalls;
    o.unexposedErrors = unexposedErrors;
    o.unexposedSuccesses = n - exposedCalls - unexposedErrors;
    return o;
  }
}

/** The streams of a scenario's traffic and the populations they share, in scenario order. */
export function makeTraffic(seed: number | string, specs: readonly TrafficSpec[]): { streams: TrafficStream[]; populations: Population[] } {
  const populations = new Map<string, Population>();
  const ranks = new Map<string, number>();
  const streams = specs.map((spec) => {
    let pop = populations.get(spec.feature);
    if (!pop) populations.set(spec.feature, (pop = new Population(seed, spec.feature)));
    const rank = ranks.get(spec.feature) ?? 0;
    ranks.set(spec.feature, rank + 1);
    return new TrafficStream(spec, seed, rank, pop);
  });
  return { streams, populations: [...populations.values()] };
}
