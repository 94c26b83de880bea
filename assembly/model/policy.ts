// A feature's rollout and health policy (SPEC section 2): a view over its Borsh bytes, and its
// validation. The layout and the default bytes are generated from the ABI definition.

import { Reader, Writer } from "../codec/borsh";
import { Analysis, ANALYSIS_MAX, BPS_FULL as FULL, MAX_SALT_BYTES, MAX_STEPS } from "../shared/codes";
import {
  DEFAULT_POLICY, DEFAULT_POLICY_BYTES, POLICY_ANALYSIS as P_ANALYSIS, POLICY_FIXED_BYTES,
  POLICY_INCREMENT_BLOCKS as P_INCREMENT_BLOCKS, POLICY_INCREMENT_BPS as P_INCREMENT_BPS,
  POLICY_MAX_AVG_LATENCY as P_MAX_AVG_LATENCY, POLICY_MAX_ERROR_RATE_BPS as P_MAX_ERROR_RATE_BPS,
  POLICY_MAX_INVARIANT_FAILURES as P_MAX_INVARIANT_FAILURES, POLICY_MAX_PEAK_LATENCY as P_MAX_PEAK_LATENCY,
  POLICY_MIN_SAMPLES as P_MIN_SAMPLES, POLICY_MIN_SUCCESS_COUNT as P_MIN_SUCCESS_COUNT,
  POLICY_PROGRESS_DEADLINE_BLOCKS as P_PROGRESS_DEADLINE_BLOCKS, POLICY_SEQ_INTERCEPT_PPM as P_SEQ_INTERCEPT_PPM,
  POLICY_SEQ_SLOPE_PPM as P_SEQ_SLOPE_PPM, POLICY_APPENDED_BYTES, POLICY_SEQ_FLOOR_PPM as P_SEQ_FLOOR_PPM,
  POLICY_COMP_EXCESS_PPM as P_COMP_EXCESS_PPM, POLICY_COMP_LN_RATIO_PPM as P_COMP_LN_RATIO_PPM,
  POLICY_COMP_THRESHOLD_PPM as P_COMP_THRESHOLD_PPM, POLICY_COMP_FLOOR_PPM as P_COMP_FLOOR_PPM,
  DEFAULT_POLICY_APPENDED,
} from "../generated/layout";

export { POLICY_APPENDED_BYTES };

/** The largest Comparative compExcessPpm (r ≤ 10). */
export const MAX_COMP_EXCESS_PPM: u32 = 9000000;

export { POLICY_FIXED_BYTES };
import { isValidUtf8At } from "../codec/utf8";

export { MAX_SALT_BYTES, MAX_STEPS };
/** 100 % in basis points, as the u16 that bps fields are. */
export const BPS_FULL: u16 = <u16>FULL;

/**
 * A policy read where its Borsh bytes lie (the call's input, a stored record, or the
 * default above), which nothing writes into: the fields are loads, `write` is one copy.
 */
export class Policy {
  /**
   * The encoding: u32 step count, the steps (u16), the fixed fields, the salt string, the
   * appended fields (Revision 2: seqFloorPpm, compExcessPpm, compLnRatioPpm,
   * compThresholdPpm, compFloorPpm).
   */
  at: usize;
  len: i32;
  stepCount: i32;
  /** The first fixed field. */
  fixed: usize;
  /** The salt's UTF-8 bytes; empty = bucket by the feature name. */
  saltAt: usize;
  saltLen: i32;
  /** The first appended field (right after the salt). */
  tail: usize;

  /** Over `len` bytes at `at` that hold a whole policy encoding (its structure already checked). */
  constructor(at: usize, len: i32) {
    this.at = at;
    this.len = len;
    this.stepCount = <i32>load<u32>(at);
    this.fixed = at + 4 + (<usize>this.stepCount << 1);
    this.saltLen = <i32>load<u32>(this.fixed, POLICY_FIXED_BYTES);
    this.saltAt = this.fixed + POLICY_FIXED_BYTES + 4;
    this.tail = this.saltAt + <usize>this.saltLen;
  }

  /**
   * A first-release (v1) policy's bytes — the 14 fields, ending with the salt — upgraded: a
   * copy with the appended fields at their defaults (DEFAULT_POLICY_APPENDED).
   */
  static upgradeV1(at: usize, len: i32): Policy {
    const out = heap.alloc(<usize>len + POLICY_APPENDED_BYTES);
    memory.copy(out, at, <usize>len);
    memory.copy(out + <usize>len, DEFAULT_POLICY_APPENDED, POLICY_APPENDED_BYTES);
    return new Policy(out, len + <i32>POLICY_APPENDED_BYTES);
  }

  static defaults(): Policy {
    return new Policy(DEFAULT_POLICY, DEFAULT_POLICY_BYTES);
  }

  /** Reads the Borsh fields in SPEC order. Failures are left on the reader (BadInput). */
  static read(r: Reader): Policy {
    // Items are 2 bytes each; a count the input cannot hold is short input. A count over
    // MAX_STEPS that the input does hold is a policy problem, reported by isValid().
    const start = r.skip(0);
    const n = r.count(2);
    r.skip(n << 1);
    r.skip(<i32>POLICY_FIXED_BYTES);
    r.string(); // the salt, UTF-8 checked
    r.skip(<i32>POLICY_APPENDED_BYTES);
    const end = r.skip(0);
    // On failure the reader is done for (BadInput): stand in the defaults rather than read past the input.
    if (r.failed) return Policy.defaults();
    return new Policy(start, <i32>(end - start));
  }

  write(w: Writer): void {
    w.copy(this.at, this.len);
  }

  /** The same Borsh bytes. */
  equals(o: Policy): bool {
    return this.len == o.len && sameBytesAt(this.at, o.at, this.len);
  }

  saltEquals(o: Policy): bool {
    return this.saltLen == o.saltLen && sameBytesAt(this.saltAt, o.saltAt, this.saltLen);
  }

  step(i: i32): u16 {
    return load<u16>(this.at + 4 + (<usize>i << 1));
  }

  get incrementBps(): u16 { return load<u16>(this.fixed, P_INCREMENT_BPS); }
  get incrementBlocks(): u32 { return load<u32>(this.fixed, P_INCREMENT_BLOCKS); }
  get maxErrorRateBps(): u16 { return load<u16>(this.fixed, P_MAX_ERROR_RATE_BPS); }
  get minSamples(): u32 { return load<u32>(this.fixed, P_MIN_SAMPLES); }
  get minSuccessCount(): u64 { return load<u64>(this.fixed, P_MIN_SUCCESS_COUNT); }
  get analysis(): i32 { return load<u8>(this.fixed, P_ANALYSIS); }
  get seqSlopePpm(): u32 { return load<u32>(this.fixed, P_SEQ_SLOPE_PPM); }
  get seqInterceptPpm(): u64 { return load<u64>(this.fixed, P_SEQ_INTERCEPT_PPM); }
  get maxInvariantFailures(): u32 { return load<u32>(this.fixed, P_MAX_INVARIANT_FAILURES); }
  get maxAvgLatency(): u64 { return load<u64>(this.fixed, P_MAX_AVG_LATENCY); }
  get maxPeakLatency(): u64 { return load<u64>(this.fixed, P_MAX_PEAK_LATENCY); }
  get progressDeadlineBlocks(): u32 { return load<u32>(this.fixed, P_PROGRESS_DEADLINE_BLOCKS); }
  get seqFloorPpm(): u64 { return load<u64>(this.tail, P_SEQ_FLOOR_PPM); }
  get compExcessPpm(): u32 { return load<u32>(this.tail, P_COMP_EXCESS_PPM); }
  get compLnRatioPpm(): u32 { return load<u32>(this.tail, P_COMP_LN_RATIO_PPM); }
  get compThresholdPpm(): u64 { return load<u64>(this.tail, P_COMP_THRESHOLD_PPM); }
  get compFloorPpm(): u64 { return load<u64>(this.tail, P_COMP_FLOOR_PPM); }

  /**
   * The fields the statistic depends on (analysis, seq*, comp*) are the same in `o`: when
   * they are not, updatePolicy restarts the statistic at 0 (SPEC section 5).
   */
  sameAnalysis(o: Policy): bool {
    return this.analysis == o.analysis
      && this.seqSlopePpm == o.seqSlopePpm && this.seqInterceptPpm == o.seqInterceptPpm
      && sameBytesAt(this.tail, o.tail, <i32>POLICY_APPENDED_BYTES);
  }

  /** SPEC section 2's rules, salt changes aside (see updatePolicy). */
  isValid(): bool {
    return policyRulesHold(this.at + 4, this.stepCount, this.fixed, this.saltAt, this.saltLen, false)
      && appendedRulesHold(this.fixed, this.tail);
  }

  /**
   * The bps after `current` on the way to `target`: the next listed step above current
   * (or target when none is listed), or current + incrementBps; never above target.
   */
  nextStep(current: u16, target: u16): u16 {
    let next: u32;
    if (this.stepCount > 0) {
      next = target;
      for (let i = 0; i < this.stepCount; i++) {
        const s = this.step(i);
        if (s > current) {
          next = s;
          break;
        }
      }
    } else {
      // u16 + u16 in u32: at most 20000, no wrap.
      next = <u32>current + <u32>this.incrementBps;
    }
    return next > <u32>target ? target : <u16>next;
  }
}

/**
 * SPEC section 2's rules over a policy's first 14 fields (n steps at stepsAt, the fixed
 * fields at fixed, the salt), UTF-8 of the salt included: one place for a Policy and for a
 * stored record checked in place (record.ts). `v1`: the first release's rules (a v1
 * record's policy: analysis ≤ 1, Sequential needs a slope); else Revision 2's (analysis ≤ 2,
 * Sequential needs a slope and a threshold; the appended fields: appendedRulesHold).
 */
export function policyRulesHold(stepsAt: usize, n: i32, fixed: usize, saltAt: usize, saltLen: i32, v1: bool): bool {
  if (n > MAX_STEPS) return false;
  let prev: u16 = 0;
  for (let i = 0; i < n; i++) {
    const s = load<u16>(stepsAt + (<usize>i << 1));
    // Strictly increasing from prev ≥ 0 also makes every step ≥ 1.
    if (s <= prev || s > BPS_FULL) return false;
    prev = s;
  }
  const incrementBps = load<u16>(fixed, P_INCREMENT_BPS);
  const incrementBlocks = load<u32>(fixed, P_INCREMENT_BLOCKS);
  const analysis = load<u8>(fixed, P_ANALYSIS);
  const deadline = load<u32>(fixed, P_PROGRESS_DEADLINE_BLOCKS);
  if (incrementBps == 0 || incrementBps > BPS_FULL) return false;
  if (incrementBlocks == 0) return false;
  if (load<u16>(fixed, P_MAX_ERROR_RATE_BPS) > BPS_FULL) return false;
  if (analysis > (v1 ? <u8>Analysis.Sequential : <u8>ANALYSIS_MAX)) return false;
  if (analysis == <u8>Analysis.Sequential) {
    if (load<u32>(fixed, P_SEQ_SLOPE_PPM) == 0) return false;
    if (!v1 && load<u64>(fixed, P_SEQ_INTERCEPT_PPM) == 0) return false;
  }
  if (deadline != 0 && deadline <= incrementBlocks) return false;
  if (saltLen > MAX_SALT_BYTES) return false;
  return isValidUtf8At(saltAt, saltLen);
}

/**
 * Revision 2's rules over the appended fields at `tail` (the fixed fields at `fixed`):
 * Comparative needs compExcessPpm (k) in 1..9000000, compLnRatioPpm in 1..k and
 * compThresholdPpm ≥ 1. The floors take any value (0 = no credit banked at all).
 */
export function appendedRulesHold(fixed: usize, tail: usize): bool {
  if (load<u8>(fixed, P_ANALYSIS) != <u8>Analysis.Comparative) return true;
  const k = load<u32>(tail, P_COMP_EXCESS_PPM);
  const l = load<u32>(tail, P_COMP_LN_RATIO_PPM);
  if (k == 0 || k > MAX_COMP_EXCESS_PPM) return false;
  if (l == 0 || l > k) return false;
  return load<u64>(tail, P_COMP_THRESHOLD_PPM) != 0;
}

/** The n bytes at a and at b are equal. */
function sameBytesAt(a: usize, b: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}
