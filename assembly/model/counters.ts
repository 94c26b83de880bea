// The health counters (SPEC section 5): the window of the current step (cleared at every
// step), then the lifetime metrics. 120 bytes of little-endian u64s, stored in the feature
// record as they are (storage/record.ts) and used where they lie: a Counters is a view of
// those bytes, not an object (its reference is their address), so a report adds in place.
//
// The layout (offsets, the window's extent) is generated from the ABI definition's COUNTERS.
// Every addition saturates at 2^64 − 1; peaks only rise.

import {
  COUNTERS_BYTES, COUNTERS_FAILED_OPS as M_FAILED, COUNTERS_INVARIANT_CHECKS as M_INVARIANT_CHECKS,
  COUNTERS_INVARIANT_FAILURES as M_INVARIANT_FAILURES, COUNTERS_LATENCY_COUNT as M_LATENCY_COUNT,
  COUNTERS_LATENCY_SUM as M_LATENCY_SUM, COUNTERS_PEAK_LATENCY as M_PEAK_LATENCY,
  COUNTERS_SUCCESSFUL_OPS as M_SUCCESSFUL, COUNTERS_TOTAL_OPERATIONS as M_TOTAL,
  COUNTERS_WINDOW_ERRORS as W_ERRORS, COUNTERS_WINDOW_INVARIANT_CHECKS as W_INVARIANT_CHECKS,
  COUNTERS_WINDOW_INVARIANT_FAILURES as W_INVARIANT_FAILURES, COUNTERS_WINDOW_LATENCY_COUNT as W_LATENCY_COUNT,
  COUNTERS_WINDOW_LATENCY_PEAK as W_LATENCY_PEAK, COUNTERS_WINDOW_LATENCY_SUM as W_LATENCY_SUM,
  COUNTERS_WINDOW_SUCCESSES as W_SUCCESSES, WINDOW_COUNTERS_BYTES as WINDOW_BYTES,
} from "../generated/layout";

export { COUNTERS_BYTES };

/** u64 addition that stops at 2^64 − 1 instead of wrapping. */
export function satAdd(a: u64, b: u64): u64 {
  const s = a + b;
  return s < a ? u64.MAX_VALUE : s;
}

/** Saturating u64 addition in place. */
function addAt(p: usize, v: u64): void {
  store<u64>(p, satAdd(load<u64>(p), v));
}

/** Raises the u64 at p to v when v is larger (peaks). */
function maxAt(p: usize, v: u64): void {
  if (v > load<u64>(p)) store<u64>(p, v);
}

@final @unmanaged
export class Counters {
  /** The counters in the 120 bytes at p. */
  // @ts-ignore: decorator
  @inline static at(p: usize): Counters {
    return changetype<Counters>(p);
  }

  /** A new feature's counters: 120 zero bytes on the heap. */
  static zeroed(): Counters {
    const c = heap.alloc(COUNTERS_BYTES);
    memory.fill(c, 0, COUNTERS_BYTES);
    return changetype<Counters>(c);
  }

  /** The first byte (the block is copied as one when a record is encoded). */
  // @ts-ignore: decorator
  @inline get address(): usize {
    return changetype<usize>(this);
  }

  /** Clears the window (a new step or canary starts); the metrics stay. */
  clearWindow(): void {
    memory.fill(this.address, 0, WINDOW_BYTES);
  }

  // ---- the window ----

  // @ts-ignore: decorator
  @inline get windowSuccesses(): u64 { return load<u64>(this.address, W_SUCCESSES); }
  // @ts-ignore: decorator
  @inline get windowErrors(): u64 { return load<u64>(this.address, W_ERRORS); }
  // @ts-ignore: decorator
  @inline get windowLatencySum(): u64 { return load<u64>(this.address, W_LATENCY_SUM); }
  // @ts-ignore: decorator
  @inline get windowLatencyCount(): u64 { return load<u64>(this.address, W_LATENCY_COUNT); }
  // @ts-ignore: decorator
  @inline get windowLatencyPeak(): u64 { return load<u64>(this.address, W_LATENCY_PEAK); }
  // @ts-ignore: decorator
  @inline get windowInvariantFailures(): u64 { return load<u64>(this.address, W_INVARIANT_FAILURES); }

  /** Window samples: successes + errors (saturating). */
  windowSamples(): u64 {
    return satAdd(this.windowSuccesses, this.windowErrors);
  }

  // @ts-ignore: decorator
  @inline addWindowSuccesses(n: u64): void { addAt(this.address + W_SUCCESSES, n); }
  // @ts-ignore: decorator
  @inline addWindowErrors(n: u64): void { addAt(this.address + W_ERRORS, n); }
  // @ts-ignore: decorator
  @inline addWindowLatency(value: u64): void {
    addAt(this.address + W_LATENCY_SUM, value);
    addAt(this.address + W_LATENCY_COUNT, 1);
    maxAt(this.address + W_LATENCY_PEAK, value);
  }
  // @ts-ignore: decorator
  @inline addWindowInvariantChecks(n: u64): void { addAt(this.address + W_INVARIANT_CHECKS, n); }
  // @ts-ignore: decorator
  @inline addWindowInvariantFailures(n: u64): void { addAt(this.address + W_INVARIANT_FAILURES, n); }

  // ---- the lifetime metrics ----

  // @ts-ignore: decorator
  @inline get metricsTotal(): u64 { return load<u64>(this.address, M_TOTAL); }
  // @ts-ignore: decorator
  @inline get metricsSuccessful(): u64 { return load<u64>(this.address, M_SUCCESSFUL); }
  // @ts-ignore: decorator
  @inline get metricsFailed(): u64 { return load<u64>(this.address, M_FAILED); }
  // @ts-ignore: decorator
  @inline get metricsLatencySum(): u64 { return load<u64>(this.address, M_LATENCY_SUM); }
  // @ts-ignore: decorator
  @inline get metricsLatencyCount(): u64 { return load<u64>(this.address, M_LATENCY_COUNT); }
  // @ts-ignore: decorator
  @inline get metricsPeakLatency(): u64 { return load<u64>(this.address, M_PEAK_LATENCY); }
  // @ts-ignore: decorator
  @inline get metricsInvariantChecks(): u64 { return load<u64>(this.address, M_INVARIANT_CHECKS); }
  // @ts-ignore: decorator
  @inline get metricsInvariantFailures(): u64 { return load<u64>(this.address, M_INVARIANT_FAILURES); }

  // @ts-ignore: decorator
  @inline addMetricsTotal(n: u64): void { addAt(this.address + M_TOTAL, n); }
  // @ts-ignore: decorator
  @inline addMetricsSuccessful(n: u64): void { addAt(this.address + M_SUCCESSFUL, n); }
  // @ts-ignore: decorator
  @inline addMetricsFailed(n: u64): void { addAt(this.address + M_FAILED, n); }
  // @ts-ignore: decorator
  @inline addMetricsLatency(value: u64): void {
    addAt(this.address + M_LATENCY_SUM, value);
    addAt(this.address + M_LATENCY_COUNT, 1);
    maxAt(this.address + M_PEAK_LATENCY, value);
  }
  // @ts-ignore: decorator
  @inline addMetricsInvariantChecks(n: u64): void { addAt(this.address + M_INVARIANT_CHECKS, n); }
  // @ts-ignore: decorator
  @inline addMetricsInvariantFailures(n: u64): void { addAt(this.address + M_INVARIANT_FAILURES, n); }
}
