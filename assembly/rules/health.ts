// Health rules (SPEC section 5). Every product is exact in 128 bits: as-bignum's __multi3
// returns the low 64 bits of a u64 × u64 product and leaves the high 64 in __res128_hi (no
// u128 object per product), and a u64 + (u32 × u64) sum is below 2^97, so no comparison can wrap.

import { __multi3, __res128_hi } from "as-bignum/assembly/globals";
import { Counters } from "../model/counters";
import { Feature } from "../model/feature";
import { Policy } from "../model/policy";
import { Analysis, RollbackReason } from "../shared/codes";

/** No rule fired. */
export const HEALTHY: i32 = -1;

/** a × b > c × d, exactly. */
function productAbove(a: u64, b: u64, c: u64, d: u64): bool {
  const lo1 = __multi3(a, 0, b, 0);
  const hi1 = __res128_hi;
  const lo2 = __multi3(c, 0, d, 0);
  const hi2 = __res128_hi;
  return hi1 != hi2 ? hi1 > hi2 : lo1 > lo2;
}

/** Threshold: errors × 10000 > maxErrorRateBps × samples. */
function thresholdExceeded(errors: u64, samples: u64, maxErrorRateBps: u16): bool {
  return productAbove(errors, 10000, <u64>maxErrorRateBps, samples);
}

/** Sequential (Wald SPRT upper boundary): errors × 10^6 ≥ interceptPpm + slopePpm × samples. */
function sequentialExceeded(errors: u64, samples: u64, slopePpm: u32, interceptPpm: u64): bool {
  const lo1 = __multi3(errors, 0, 1000000, 0);
  const hi1 = __res128_hi;
  let lo2 = __multi3(<u64>slopePpm, 0, samples, 0);
  let hi2 = __res128_hi; // below 2^32: the carry cannot wrap it
  lo2 += interceptPpm;
  if (lo2 < interceptPpm) hi2 += 1;
  return hi1 != hi2 ? hi1 > hi2 : lo1 >= lo2;
}

/** Average latency: sum > maxAvg × count. */
function averageLatencyExceeded(sum: u64, count: u64, maxAvg: u64): bool {
  return productAbove(sum, 1, maxAvg, count);
}

/**
 * The window rules in a fixed order: error rate, invariants, latency, over the window of
 * `c`. HEALTHY or a RollbackReason.
 */
export function windowVerdict(c: Counters, p: Policy): i32 {
  const samples = c.windowSamples();
  const errors = c.windowErrors;
  const needed: u64 = p.minSamples > 0 ? <u64>p.minSamples : 1;
  if (samples >= needed && p.analysis != Analysis.Comparative) {
    const bad = p.analysis == Analysis.Sequential
      ? sequentialExceeded(errors, samples, p.seqSlopePpm, p.seqInterceptPpm)
      : thresholdExceeded(errors, samples, p.maxErrorRateBps);
    if (bad) return RollbackReason.ErrorRate;
  }
  if (c.windowInvariantFailures > <u64>p.maxInvariantFailures) return RollbackReason.InvariantViolation;
  if (p.maxAvgLatency > 0 && averageLatencyExceeded(c.windowLatencySum, c.windowLatencyCount, p.maxAvgLatency)) {
    return RollbackReason.Performance;
  }
  if (p.maxPeakLatency > 0 && c.windowLatencyPeak > p.maxPeakLatency) return RollbackReason.Performance;
  return HEALTHY;
}

/** The verdict at a due step: the window rules, then the progress deadline. */
export function stepVerdict(f: Feature, elapsed: u32): i32 {
  const v = windowVerdict(f.counters, f.policy);
  if (v != HEALTHY) return v;
  const deadline = f.policy.progressDeadlineBlocks;
  if (deadline > 0 && elapsed >= deadline) return RollbackReason.Deadline;
  return HEALTHY;
}
