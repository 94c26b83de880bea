// The feature record checked and read where it lies (layout: feature.ts, docs/STORAGE.md).
// `scanRecord` is the one exact decoder of a stored feature: `Feature.fromRecord` builds
// its object from the layout found here, and the hot calls (isEnabled, isEnabledMany and the
// health reports) read and patch the record bytes in place with no object per field, so
// a call costs a few loads where a decode and an encode cost a few hundred.

import { Status, RollbackReason } from "../shared/codes";
import { MAX_STEPS, POLICY_FIXED_BYTES, policyRulesHold } from "../model/policy";
import { isValidUtf8At } from "../codec/utf8";

export const RECORD_VERSION: u8 = 1;
export const MAX_DESCRIPTION_BYTES = 256;

// Fixed offsets from the record's start.
export const OFF_STATUS: usize = 1;
export const OFF_ROLLOUT_BPS: usize = 2;
export const OFF_TARGET_BPS: usize = 4;
export const OFF_FLAGS: usize = 6;
export const OFF_START_BLOCK: usize = 7;
export const OFF_LAST_STEP_BLOCK: usize = 11;
export const OFF_STEP_ACCUM: usize = 15;
export const OFF_CLOCK_MARK: usize = 19;
export const OFF_DUE_AT: usize = 23;
export const OFF_HISTORY_LEN: usize = 27;
export const OFF_OVERRIDE_COUNT: usize = 31;
export const OFF_REASON: usize = 35;

/** flags bit 0: the feature's own pause. */
export const FLAG_PAUSED: u8 = 1;
/** flags bit 1: the global halt, mirrored into every Canary/RollingOut record (0 in others). */
export const FLAG_HALTED: u8 = 2;

// The counters (feature.ts: Window, then Metrics), as offsets from countersAt.
export const W_SUCCESSES: usize = 0;
export const W_ERRORS: usize = 8;
export const W_LATENCY_SUM: usize = 16;
export const W_LATENCY_COUNT: usize = 24;
export const W_LATENCY_PEAK: usize = 32;
export const W_INVARIANT_CHECKS: usize = 40;
export const W_INVARIANT_FAILURES: usize = 48;
export const WINDOW_BYTES: usize = 56;
export const M_TOTAL: usize = 56;
export const M_SUCCESSFUL: usize = 64;
export const M_FAILED: usize = 72;
export const M_LATENCY_SUM: usize = 80;
export const M_LATENCY_COUNT: usize = 88;
export const M_PEAK_LATENCY: usize = 96;
export const M_INVARIANT_CHECKS: usize = 104;
export const M_INVARIANT_FAILURES: usize = 112;
export const COUNTERS_BYTES: usize = 120;

/** Where the variable-length parts of a record lie (absolute addresses): set by scanRecord. */
export class RecordLayout {
  base: usize = 0;
  end: usize = 0;
  createdByAt: usize = 0;
  countersAt: usize = 0;
  descriptionAt: usize = 0;
  descriptionLen: i32 = 0;
  /** The policy's first byte (its steps count). */
  policyAt: usize = 0;
  saltAt: usize = 0;
  saltLen: i32 = 0;

  status(): i32 {
    return load<u8>(this.base, OFF_STATUS);
  }

  rolloutBps(): u16 {
    return load<u16>(this.base, OFF_ROLLOUT_BPS);
  }

  flags(): u8 {
    return load<u8>(this.base, OFF_FLAGS);
  }

  overrideCount(): u32 {
    return load<u32>(this.base, OFF_OVERRIDE_COUNT);
  }

  isActive(): bool {
    return isActiveStatus(this.status());
  }

  isOff(): bool {
    return isOffStatus(this.status());
  }
}

/** Canary or RollingOut: exposure follows the buckets and health rules are armed. */
export function isActiveStatus(s: i32): bool {
  return s == Status.Canary || s == Status.RollingOut;
}

/** Disabled or RolledBack: nobody sees the feature and reports are refused. */
export function isOffStatus(s: i32): bool {
  return s == Status.Disabled || s == Status.RolledBack;
}

/**
 * True, with the layout set in `l`, when the `len` bytes at `p` decode exactly as a feature
 * record; false when they do not (CorruptState): every length within the bytes, nothing left
 * over, every field this contract writes in its range, UTF-8 valid, the policy valid.
 */
export function scanRecord(p: usize, len: i32, l: RecordLayout): bool {
  const end = p + <usize>len;
  if (len < <i32>OFF_REASON + 1 || load<u8>(p) != RECORD_VERSION) return false;
  if (load<u8>(p, OFF_STATUS) > <u8>Status.RolledBack) return false;
  if (load<u16>(p, OFF_ROLLOUT_BPS) > 10000 || load<u16>(p, OFF_TARGET_BPS) > 10000) return false;
  if (load<u8>(p, OFF_FLAGS) > (FLAG_PAUSED | FLAG_HALTED)) return false;
  let at = p + OFF_REASON;
  const tag = load<u8>(at++);
  if (tag > 1) return false;
  if (tag == 1) {
    if (at == end || load<u8>(at) > <u8>RollbackReason.Deadline) return false;
    at++;
  }
  // createdBy, the counters (u64s: every value is valid) and the description's length.
  if (end - at < 20 + COUNTERS_BYTES + 4) return false;
  l.base = p;
  l.end = end;
  l.createdByAt = at;
  l.countersAt = at + 20;
  at += 20 + COUNTERS_BYTES;
  const descriptionLen = load<u32>(at);
  at += 4;
  if (descriptionLen > <u32>MAX_DESCRIPTION_BYTES || <usize>descriptionLen > end - at) return false;
  if (!isValidUtf8At(at, <i32>descriptionLen)) return false;
  l.descriptionAt = at;
  l.descriptionLen = <i32>descriptionLen;
  at += <usize>descriptionLen;

  // The policy: u32 step count, the steps, the fixed fields, the salt string.
  if (end - at < 4) return false;
  l.policyAt = at;
  const n = load<u32>(at);
  at += 4;
  if (n > <u32>MAX_STEPS || end - at < (<usize>n << 1) + POLICY_FIXED_BYTES + 4) return false;
  const stepsAt = at;
  at += <usize>n << 1;
  const saltLen = load<u32>(at, POLICY_FIXED_BYTES);
  const saltAt = at + POLICY_FIXED_BYTES + 4;
  if (<usize>saltLen != end - saltAt) return false; // the salt ends the record exactly
  if (!policyRulesHold(stepsAt, <i32>n, at, saltAt, <i32>saltLen)) return false;
  l.saltAt = saltAt;
  l.saltLen = <i32>saltLen;
  return true;
}

/** u64 addition in place that stops at 2^64 − 1 instead of wrapping. */
export function addAt(p: usize, v: u64): void {
  const a = load<u64>(p);
  const s = a + v;
  store<u64>(p, s < a ? u64.MAX_VALUE : s);
}

/** Raises the u64 at p to v when v is larger (peaks). */
export function maxAt(p: usize, v: u64): void {
  if (v > load<u64>(p)) store<u64>(p, v);
}
