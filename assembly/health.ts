// Health rules (SPEC section 5). Every product is exact in 128 bits: a u64 × u64 product
// is below 2^128, and a u64 + (u32 × u64) sum is below 2^97, so no comparison can wrap.

import { u128 } from "as-bignum/assembly";
import { Feature, windowSamples } from "./feature";
import { W_ERRORS, W_INVARIANT_FAILURES, W_LATENCY_COUNT, W_LATENCY_PEAK, W_LATENCY_SUM } from "./record";
import { Policy } from "./policy";
import { Analysis, RollbackReason } from "./shared/codes";

/** No rule fired. */
export const HEALTHY: i32 = -1;

// @ts-ignore: decorator
@inline function wide(v: u64): u128 {
  return u128.fromU64(v);
}

/** Threshold: errors × 10000 > maxErrorRateBps × samples. */
export function thresholdExceeded(errors: u64, samples: u64, maxErrorRateBps: u16): bool {
  return u128.gt(wide(errors) * wide(10000), wide(<u64>maxErrorRateBps) * wide(samples));
}

/** Sequential (Wald SPRT upper boundary): errors × 10^6 ≥ interceptPpm + slopePpm × samples. */
export function sequentialExceeded(errors: u64, samples: u64, slopePpm: u32, interceptPpm: u64): bool {
  const boundary = wide(interceptPpm) + wide(<u64>slopePpm) * wide(samples);
  return u128.ge(wide(errors) * wide(1000000), boundary);
}

/** Average latency: sum > maxAvg × count. */
export function averageLatencyExceeded(sum: u64, count: u64, maxAvg: u64): bool {
  return u128.gt(wide(sum), wide(maxAvg) * wide(count));
}

/**
 * The window rules in a fixed order: error rate, invariants, latency, over the counters at
 * c (record.ts). HEALTHY or a RollbackReason.
 */
export function windowVerdict(c: usize, p: Policy): i32 {
  const samples = windowSamples(c);
  const errors = load<u64>(c + W_ERRORS);
  const needed: u64 = p.minSamples > 0 ? <u64>p.minSamples : 1;
  if (samples >= needed) {
    const bad = p.analysis == Analysis.Sequential
      ? sequentialExceeded(errors, samples, p.seqSlopePpm, p.seqInterceptPpm)
      : thresholdExceeded(errors, samples, p.maxErrorRateBps);
    if (bad) return RollbackReason.ErrorRate;
  }
  if (load<u64>(c + W_INVARIANT_FAILURES) > <u64>p.maxInvariantFailures) return RollbackReason.InvariantViolation;
  if (p.maxAvgLatency > 0 && averageLatencyExceeded(load<u64>(c + W_LATENCY_SUM), load<u64>(c + W_LATENCY_COUNT), p.maxAvgLatency)) {
    return RollbackReason.Performance;
  }
  if (p.maxPeakLatency > 0 && load<u64>(c + W_LATENCY_PEAK) > p.maxPeakLatency) return RollbackReason.Performance;
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
