// The run (SPEC section 5): everything since the last startCanary or enable — the run
// counters, the baseline counters of recordCohorts and the analysis statistic (T or S).
// 40 bytes stored in the feature record (version 2) after the counters: a Run is a view of
// those bytes (its reference is their address), so a report adds in place, like Counters.
// A version 1 record has none: its reader gives it a zeroed block (storage/record.ts).
//
// The layout is generated from the ABI definition's RUN. Additions saturate at 2^64 − 1.

import {
  RUN_BASE_ERRORS, RUN_BASE_SUCCESSES, RUN_BYTES, RUN_RUN_ERRORS, RUN_RUN_SUCCESSES, RUN_STATISTIC,
} from "../generated/layout";
import { satAdd } from "./counters";

export { RUN_BYTES };

/** Saturating u64 addition in place. */
// @ts-ignore: decorator
@inline function addAt(p: usize, v: u64): void {
  store<u64>(p, satAdd(load<u64>(p), v));
}

@final @unmanaged
export class Run {
  /** The run in the 40 bytes at p. */
  // @ts-ignore: decorator
  @inline static at(p: usize): Run {
    return changetype<Run>(p);
  }

  /** A fresh run (a new feature, or a v1 record's): 40 zero bytes on the heap. */
  static zeroed(): Run {
    const p = heap.alloc(RUN_BYTES);
    memory.fill(p, 0, RUN_BYTES);
    return changetype<Run>(p);
  }

  // @ts-ignore: decorator
  @inline get address(): usize {
    return changetype<usize>(this);
  }

  /** A new run starts (startCanary, enable): counters and statistic 0. */
  reset(): void {
    memory.fill(this.address, 0, RUN_BYTES);
  }

  // @ts-ignore: decorator
  @inline get runSuccesses(): u64 { return load<u64>(this.address, RUN_RUN_SUCCESSES); }
  // @ts-ignore: decorator
  @inline get runErrors(): u64 { return load<u64>(this.address, RUN_RUN_ERRORS); }
  // @ts-ignore: decorator
  @inline get baseSuccesses(): u64 { return load<u64>(this.address, RUN_BASE_SUCCESSES); }
  // @ts-ignore: decorator
  @inline get baseErrors(): u64 { return load<u64>(this.address, RUN_BASE_ERRORS); }
  /** T (Sequential) or S (Comparative), × 10^6; 0 under Threshold. */
  // @ts-ignore: decorator
  @inline get statistic(): i64 { return load<i64>(this.address, RUN_STATISTIC); }
  // @ts-ignore: decorator
  @inline set statistic(v: i64) { store<i64>(this.address, v, RUN_STATISTIC); }

  /** Run samples: successes + errors (saturating). */
  // @ts-ignore: decorator
  @inline runSamples(): u64 {
    return satAdd(this.runSuccesses, this.runErrors);
  }

  /** Every success/error report of the feature (the canary part of recordCohorts). */
  addOutcomes(successes: u64, errors: u64): void {
    addAt(this.address + RUN_RUN_SUCCESSES, successes);
    addAt(this.address + RUN_RUN_ERRORS, errors);
  }

  /** recordCohorts' baseline part. */
  addBaseline(successes: u64, errors: u64): void {
    addAt(this.address + RUN_BASE_SUCCESSES, successes);
    addAt(this.address + RUN_BASE_ERRORS, errors);
  }
}
