// The run statistics of SPEC section 5 (Revision 2): Sequential's T and Comparative's S, one
// i64 × 10^6 field of the run (model/run.ts). Integer arithmetic only, exact: every sum and
// product is taken in a signed 128-bit accumulator (two module globals, no object per report),
// then floored at −F and clamped to i64, as SPEC writes it.
//
// Bounds (why 128 bits suffice, with room): |T|, |S| < 2^63; e × 10^6 < 2^84; slope × n
// < 2^32 × 2^65 = 2^97 (n = successes + errors, exact, up to 2^65 − 2); e_c × L < 2^88;
// (e_c + e_b) × c < 2^65 × 2^24 = 2^89. A sum of these stays far inside ±2^127.
// Comparative's q divides a numerator below 2^85 by n_c + n_b < 2^66: a restoring division
// over the quotient's 21 bits (q ≤ 10^6 < 2^20), bounded, in place of as-bignum's u128
// division (wrong for divisors ≥ 2^127: never needed here, but not relied on either).

import { __multi3, __res128_hi } from "as-bignum/assembly/globals";
import { Run } from "../model/run";
import { Policy } from "../model/policy";

const PPM: u64 = 1000000;

// The accumulator: a two's-complement 128-bit integer, hi:lo. Scratch: always set before it
// is read (accSet), zeroed by _reset so that globals match a fresh instance.
let accLo: u64 = 0;
let accHi: i64 = 0;

/** _reset: the accumulator back to its initial value. */
export function resetStatisticsScratch(): void {
  accLo = 0;
  accHi = 0;
}

// @ts-ignore: decorator
@inline function accSet(v: i64): void {
  accLo = <u64>v;
  accHi = v < 0 ? -1 : 0;
}

// @ts-ignore: decorator
@inline function accAdd(lo: u64, hi: u64): void {
  const s = accLo + lo;
  const carry: u64 = s < accLo ? 1 : 0;
  accLo = s;
  accHi = <i64>(<u64>accHi + hi + carry);
}

// @ts-ignore: decorator
@inline function accSub(lo: u64, hi: u64): void {
  const borrow: u64 = accLo < lo ? 1 : 0;
  accLo = accLo - lo;
  accHi = <i64>(<u64>accHi - hi - borrow);
}

/** acc += a × b (u64 × u64, exact). */
function accAddProduct(a: u64, b: u64): void {
  const lo = __multi3(a, 0, b, 0);
  accAdd(lo, __res128_hi);
}

/** acc −= a × b (u64 × u64, exact). */
function accSubProduct(a: u64, b: u64): void {
  const lo = __multi3(a, 0, b, 0);
  accSub(lo, __res128_hi);
}

/** max(acc, −floor), then clamped to [i64.MIN, i64.MAX]. */
function accFlooredI64(floor: u64): i64 {
  // −floor in 128 bits: floor ≤ 2^64 − 1, so −floor ≥ −2^64 + 1.
  const fLo: u64 = 0 - floor;
  const fHi: i64 = floor == 0 ? 0 : -1;
  if (accHi < fHi || (accHi == fHi && accLo < fLo)) {
    accLo = fLo;
    accHi = fHi;
  }
  if (accHi > 0 || (accHi == 0 && accLo > <u64>i64.MAX_VALUE)) return i64.MAX_VALUE;
  if (accHi < -1 || (accHi == -1 && accLo < <u64>i64.MIN_VALUE)) return i64.MIN_VALUE;
  return <i64>accLo;
}

/**
 * Sequential: a report of `successes` and `errors` (n = successes + errors, exact) sets
 * T := max(T + errors × 10^6 − seqSlopePpm × n, −seqFloorPpm), exact, then clamped to i64.
 */
export function sequentialStep(run: Run, p: Policy, successes: u64, errors: u64): void {
  const slope = <u64>p.seqSlopePpm;
  accSet(run.statistic);
  accAddProduct(errors, PPM);
  accSubProduct(successes, slope);
  accSubProduct(errors, slope);
  run.statistic = accFlooredI64(p.seqFloorPpm);
}

/**
 * ⌈10^6 × n_c / (n_c + n_b)⌉ for n_c = cs + ce ≥ 1 and n_b = bs + be ≥ 1 (each sum exact, up
 * to 2^65 − 2): in 1..10^6.
 */
export function canaryShare(cs: u64, ce: u64, bs: u64, be: u64): u64 {
  // n_c and N = n_c + n_b as 128-bit (hi ≤ 1 and ≤ 3).
  const ncLo = cs + ce;
  const ncHi: u64 = ncLo < cs ? 1 : 0;
  const nbLo = bs + be;
  const nbHi: u64 = nbLo < bs ? 1 : 0;
  const dLo = ncLo + nbLo;
  const dHi: u64 = ncHi + nbHi + (dLo < ncLo ? 1 : 0);
  if (ncHi == 0 && dHi == 0 && ncLo <= u64.MAX_VALUE / PPM) {
    // The common case: everything in 64 bits.
    const a = ncLo * PPM;
    const q = a / dLo;
    return a % dLo != 0 ? q + 1 : q;
  }
  // A = 10^6 × n_c (< 2^85), then restoring division by D = N (< 2^67), quotient < 2^20.
  let rLo = __multi3(ncLo, 0, PPM, 0);
  let rHi = __res128_hi + ncHi * PPM;
  let q: u64 = 0;
  for (let i: i32 = 20; i >= 0; i--) {
    // D << i, in 128 bits (D < 2^67, i ≤ 20: below 2^87).
    const sLo = dLo << <u64>i;
    const sHi = i == 0 ? dHi : (dHi << <u64>i) | (dLo >> <u64>(64 - i));
    if (rHi > sHi || (rHi == sHi && rLo >= sLo)) {
      const borrow: u64 = rLo < sLo ? 1 : 0;
      rLo -= sLo;
      rHi = rHi - sHi - borrow;
      q |= (<u64>1) << <u64>i;
    }
  }
  return rLo != 0 || rHi != 0 ? q + 1 : q;
}

/**
 * The per-error cost c = ⌈x(6·10^6 + x)/(6·10^6 + 4x)⌉ with x = ⌈k·q/10^6⌉ (k ≤ 9·10^6,
 * q ≤ 10^6: every product below 2^48).
 */
export function comparativeCost(k: u32, q: u64): u64 {
  const x = (<u64>k * q + (PPM - 1)) / PPM;
  const num = x * (6 * PPM + x);
  const den = 6 * PPM + 4 * x;
  return (num + den - 1) / den;
}

/**
 * Comparative: a recordCohorts report moves S := max(S + e_c·L − (e_c + e_b)·c, −compFloorPpm)
 * (exact, then clamped to i64); S stays when n_c = 0, n_b = 0 or e_c + e_b = 0.
 */
export function comparativeStep(run: Run, p: Policy, cs: u64, ce: u64, bs: u64, be: u64): void {
  if ((cs | ce) == 0 || (bs | be) == 0 || (ce | be) == 0) return;
  const c = comparativeCost(p.compExcessPpm, canaryShare(cs, ce, bs, be));
  accSet(run.statistic);
  accAddProduct(ce, <u64>p.compLnRatioPpm);
  accSubProduct(ce, c);
  accSubProduct(be, c);
  run.statistic = accFlooredI64(p.compFloorPpm);
}

/**
 * The run rule (Sequential and Comparative): run samples ≥ max(minSamples, 1) and the statistic
 * ≥ its threshold (a u64, compared exactly with the i64: above 2^63 − 1 it never fires).
 */
export function statisticExceeded(run: Run, threshold: u64, needed: u64): bool {
  if (run.runSamples() < needed) return false;
  const t = run.statistic;
  return t >= 0 && <u64>t >= threshold;
}
