// Health rules (SPEC section 5). Every product is exact in 128 bits: as-bignum's __multi3
// returns the low 64 bits of a u64 × u64 product and leaves the high 64 in __res128_hi (no
// u128 object per product), so no comparison can wrap. The statistics themselves (T, S) are
// moved by the reports (statistics.ts); here they are only compared.

import { __multi3, __res128_hi } from "as-bignum/assembly/globals";
import { Counters } from "../model/counters";
import { Feature } from "../model/feature";
import { Policy } from "../model/policy";
import { Run } from "../model/run";
import { statisticExceeded } from "./statistics";
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

/** Average latency: sum > maxAvg × count. */
function averageLatencyExceeded(sum: u64, count: u64, maxAvg: u64): bool {
  return productAbove(sum, 1, maxAvg, count);
}

/**
 * The health rules in a fixed order: error rate (Threshold over the window of `c`; Sequential
 * and Comparative: the run's statistic, gated on run samples), invariants, latency. HEALTHY
 * or a RollbackReason.
 */
export function healthVerdict(c: Counters, run: Run, p: Policy): i32 {
  const needed: u64 = p.minSamples > 0 ? <u64>p.minSamples : 1;
  const analysis = p.analysis;
  if (analysis == Analysis.Threshold) {
    const samples = c.windowSamples();
    if (samples >= needed && thresholdExceeded(c.windowErrors, samples, p.maxErrorRateBps)) return RollbackReason.ErrorRate;
  } else {
    const threshold = analysis == Analysis.Sequential ? p.seqInterceptPpm : p.compThresholdPpm;
    if (statisticExceeded(run, threshold, needed)) return RollbackReason.ErrorRate;
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
  const v = healthVerdict(f.counters, f.run, f.policy);
  if (v != HEALTHY) return v;
  const deadline = f.policy.progressDeadlineBlocks;
  if (deadline > 0 && elapsed >= deadline) return RollbackReason.Deadline;
  return HEALTHY;
}
