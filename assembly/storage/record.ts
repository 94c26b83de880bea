// The feature record (key 0xD0 name 00): everything about one feature, its window, its run
// and its lifetime metrics in one value, so that a health report is one read and one write.
//
// Version 2 (written since Revision 2; version 1 is the same without `run` and with the
// first release's 14-field policy, which ends the record with its salt):
//
//   off  size  field
//   0    1     version = 2
//   1    1     status
//   2    2     rolloutBps
//   4    2     targetBps
//   6    1     flags           bit 0 paused; bit 1 halted (the global halt, mirrored into
//                               Canary/RollingOut records; 0 in the others)
//   7    4     startBlock
//   11   4     lastStepBlock
//   15   4     stepAccum       unpaused clock ticks since the last step, up to clockMark
//   19   4     clockMark       clock value when stepAccum was last brought up to date
//   23   4     dueAt           clock value of the next due step (its 0xD7 index key)
//   27   4     historyLen      next history sequence number
//   31   4     overrideCount   overrides stored for this feature
//   35   1|2   rollbackReason  Option<u8>
//   ..   20    createdBy
//   ..   120   counters        the window, then the lifetime metrics (model/counters.ts)
//   ..   40    run             run and baseline counters, the statistic (model/run.ts)   [v2]
//   ..   4+n   description (Borsh String)
//   ..   ..    policy (Borsh Policy; v1: the 14 first fields, v2: 19)
//
// A stored record is opened by the reader of its version (openRecord: readV1, readV2), which
// checks it exactly and notes where its parts lie in a FeatureRecord. The hot calls
// (isEnabled, isEnabledMany, the health reports) then read and patch the bytes in place
// through the FeatureRecord's accessors, with no object per field; readFeature builds a
// Feature for the calls that change more. A record is written back either patched in place
// (a v2 record: counters, run, halt flag) or whole by encodeFeature, always in
// FEATURE_VERSION: that is the upgrade. A v1 record is upgraded in memory when opened: its
// run is a zeroed block of its own, its policy a copy with the appended fields at their
// defaults (readPolicy). It may be patched in place only where its own bytes change (the
// halt mirror); a report on it, which moves the run, is saved whole (reports.ts), so it
// becomes v2 then. Either way its bytes stay decodable.

import { Writer } from "../codec/borsh";
import { isValidUtf8At } from "../codec/utf8";
import { COUNTERS_BYTES, Counters } from "../model/counters";
import { Feature, isActiveStatus, isOffStatus, MAX_DESCRIPTION_BYTES } from "../model/feature";
import { appendedRulesHold, MAX_STEPS, POLICY_APPENDED_BYTES, POLICY_FIXED_BYTES, Policy, policyRulesHold } from "../model/policy";
import { Run, RUN_BYTES } from "../model/run";
import { ACCOUNT_BYTES, BPS_FULL, ROLLBACK_REASON_MAX, STATUS_MAX } from "../shared/codes";
import {
  FEATURE_V1_CLOCK_MARK, FEATURE_V1_COUNTERS, FEATURE_V1_DESCRIPTION, FEATURE_V1_DUE_AT, FEATURE_V1_FLAGS,
  FEATURE_V1_HISTORY_LEN, FEATURE_V1_LAST_STEP_BLOCK, FEATURE_V1_OVERRIDE_COUNT, FEATURE_V1_ROLLBACK_REASON,
  FEATURE_V1_ROLLOUT_BPS, FEATURE_V1_START_BLOCK, FEATURE_V1_STATUS, FEATURE_V1_STEP_ACCUM, FEATURE_V1_TARGET_BPS,
  FEATURE_V2_COUNTERS, FEATURE_V2_DESCRIPTION, FEATURE_V2_RUN, FEATURE_VERSION,
} from "../generated/layout";

/** The version encodeFeature writes (generated from the ABI definition's record versions). */
export { FEATURE_VERSION };

// The fixed fields, as offsets from the record's start (generated; the same in v1 and v2).
const OFF_STATUS = FEATURE_V1_STATUS;
const OFF_ROLLOUT_BPS = FEATURE_V1_ROLLOUT_BPS;
const OFF_TARGET_BPS = FEATURE_V1_TARGET_BPS;
const OFF_FLAGS = FEATURE_V1_FLAGS;
const OFF_START_BLOCK = FEATURE_V1_START_BLOCK;
const OFF_LAST_STEP_BLOCK = FEATURE_V1_LAST_STEP_BLOCK;
const OFF_STEP_ACCUM = FEATURE_V1_STEP_ACCUM;
const OFF_CLOCK_MARK = FEATURE_V1_CLOCK_MARK;
const OFF_DUE_AT = FEATURE_V1_DUE_AT;
const OFF_HISTORY_LEN = FEATURE_V1_HISTORY_LEN;
const OFF_OVERRIDE_COUNT = FEATURE_V1_OVERRIDE_COUNT;
const OFF_REASON = FEATURE_V1_ROLLBACK_REASON;

/** flags bit 0: the feature's own pause. */
const FLAG_PAUSED: u8 = 1;
/** flags bit 1: the global halt, mirrored into every Canary/RollingOut record (0 in others). */
const FLAG_HALTED: u8 = 2;

/**
 * A stored feature record, opened where it lies: its fields by name, read (and, for the
 * halt mirror, written) in place. The parts after the variable-length reason are found by
 * the version's reader.
 */
export class FeatureRecord {
  /** The stored version (1 or 2). */
  version: u8 = 0;
  base: usize = 0;
  end: usize = 0;
  createdByAt: usize = 0;
  counters: Counters = changetype<Counters>(0);
  /** In the record (v2), or a zeroed block of its own (v1: its run starts at 0). */
  run: Run = changetype<Run>(0);
  /** A v1 record's policy, upgraded (made by readPolicy once). */
  upgraded: Policy | null = null;
  descriptionAt: usize = 0;
  descriptionLen: i32 = 0;
  /** The policy's first byte (its steps count). */
  policyAt: usize = 0;
  saltAt: usize = 0;
  saltLen: i32 = 0;

  // @ts-ignore: decorator
  @inline get status(): i32 { return load<u8>(this.base, OFF_STATUS); }
  // @ts-ignore: decorator
  @inline get rolloutBps(): u16 { return load<u16>(this.base, OFF_ROLLOUT_BPS); }
  // @ts-ignore: decorator
  @inline get targetBps(): u16 { return load<u16>(this.base, OFF_TARGET_BPS); }
  // @ts-ignore: decorator
  @inline get paused(): bool { return (load<u8>(this.base, OFF_FLAGS) & FLAG_PAUSED) != 0; }
  // @ts-ignore: decorator
  @inline get halted(): bool { return (load<u8>(this.base, OFF_FLAGS) & FLAG_HALTED) != 0; }
  // @ts-ignore: decorator
  @inline get startBlock(): u32 { return load<u32>(this.base, OFF_START_BLOCK); }
  // @ts-ignore: decorator
  @inline get lastStepBlock(): u32 { return load<u32>(this.base, OFF_LAST_STEP_BLOCK); }
  // @ts-ignore: decorator
  @inline get stepAccum(): u32 { return load<u32>(this.base, OFF_STEP_ACCUM); }
  // @ts-ignore: decorator
  @inline get clockMark(): u32 { return load<u32>(this.base, OFF_CLOCK_MARK); }
  // @ts-ignore: decorator
  @inline get dueAt(): u32 { return load<u32>(this.base, OFF_DUE_AT); }
  // @ts-ignore: decorator
  @inline get historyLen(): u32 { return load<u32>(this.base, OFF_HISTORY_LEN); }
  // @ts-ignore: decorator
  @inline get overrideCount(): u32 { return load<u32>(this.base, OFF_OVERRIDE_COUNT); }
  // @ts-ignore: decorator
  @inline get hasReason(): bool { return load<u8>(this.base, OFF_REASON) == 1; }
  /** The rollback reason (meaningful when hasReason). */
  // @ts-ignore: decorator
  @inline get reason(): i32 { return load<u8>(this.base, OFF_REASON + 1); }

  /** The policy's dwell per step, in clock ticks. */
  get dwell(): u32 {
    return readPolicy(this).incrementBlocks;
  }

  /** Sets or clears the halt mirror in place; false when it already was so. */
  setHalted(halted: bool): bool {
    const flags = load<u8>(this.base, OFF_FLAGS);
    const next = halted ? flags | FLAG_HALTED : flags & ~FLAG_HALTED;
    if (next == flags) return false;
    store<u8>(this.base, next, OFF_FLAGS);
    return true;
  }

  isActive(): bool {
    return isActiveStatus(this.status);
  }

  isOff(): bool {
    return isOffStatus(this.status);
  }
}

/**
 * True, with the parts' places set in `r`, when the `len` bytes at `p` are a feature record
 * of a version this contract ever wrote and decode exactly under that version's reader;
 * false (CorruptState) otherwise, an unknown (newer) version included.
 */
// @ts-ignore: decorator
@inline export function openRecord(p: usize, len: i32, r: FeatureRecord): bool {
  if (len < 1) return false;
  const version = load<u8>(p);
  if (version == 2) return readV2(p, len, r);
  if (version == 1) return readV1(p, len, r);
  return false;
}

/**
 * The parts both versions share, checked exactly: the fixed fields in their ranges, the
 * reason, createdBy, the counters (and the run, `descriptionOff` − 140 bytes of u64s and an
 * i64: every value is valid) and the description (UTF-8). Sets r's places up to the
 * description; returns the policy's first byte, or 0 when the bytes do not decode.
 */
function readHead(p: usize, len: i32, r: FeatureRecord, countersOff: usize, descriptionOff: usize): usize {
  const end = p + <usize>len;
  if (len < <i32>OFF_REASON + 1) return 0;
  if (load<u8>(p, OFF_STATUS) > <u8>STATUS_MAX) return 0;
  if (load<u16>(p, OFF_ROLLOUT_BPS) > <u16>BPS_FULL || load<u16>(p, OFF_TARGET_BPS) > <u16>BPS_FULL) return 0;
  if (load<u8>(p, OFF_FLAGS) > (FLAG_PAUSED | FLAG_HALTED)) return 0;
  let at = p + OFF_REASON;
  const tag = load<u8>(at++);
  if (tag > 1) return 0;
  if (tag == 1) {
    if (at == end || load<u8>(at) > <u8>ROLLBACK_REASON_MAX) return 0;
    at++;
  }
  if (end - at < descriptionOff + 4) return 0;
  r.base = p;
  r.end = end;
  r.createdByAt = at;
  r.counters = Counters.at(at + countersOff);
  const descriptionAt = at + descriptionOff;
  at = descriptionAt;
  const descriptionLen = load<u32>(at);
  at += 4;
  if (descriptionLen > <u32>MAX_DESCRIPTION_BYTES || <usize>descriptionLen > end - at) return 0;
  if (!isValidUtf8At(at, <i32>descriptionLen)) return 0;
  r.descriptionAt = at;
  r.descriptionLen = <i32>descriptionLen;
  at += <usize>descriptionLen;
  return at;
}

/**
 * The policy at `at`, checked exactly: u32 step count, the steps, the fixed fields, the salt
 * string, then `appended` bytes (0 for v1, whose salt ends the record; POLICY_APPENDED_BYTES
 * for v2) ending the record exactly; the version's rules hold.
 */
function readPolicyAt(at: usize, r: FeatureRecord, v1: bool): bool {
  const end = r.end;
  if (end - at < 4) return false;
  r.policyAt = at;
  const n = load<u32>(at);
  at += 4;
  if (n > <u32>MAX_STEPS || end - at < (<usize>n << 1) + POLICY_FIXED_BYTES + 4) return false;
  const stepsAt = at;
  at += <usize>n << 1;
  const fixed = at;
  const saltLen = load<u32>(at, POLICY_FIXED_BYTES);
  const saltAt = at + POLICY_FIXED_BYTES + 4;
  const appended: usize = v1 ? 0 : POLICY_APPENDED_BYTES;
  if (end - saltAt < appended || <usize>saltLen != end - saltAt - appended) return false; // the policy ends the record exactly
  if (!policyRulesHold(stepsAt, <i32>n, fixed, saltAt, <i32>saltLen, v1)) return false;
  if (!v1 && !appendedRulesHold(fixed, saltAt + <usize>saltLen)) return false;
  r.saltAt = saltAt;
  r.saltLen = <i32>saltLen;
  return true;
}

/**
 * Version 1 (the first release), checked exactly with the first release's policy rules; its
 * run is a fresh zeroed block (counters and statistic 0), its policy upgraded on demand.
 */
function readV1(p: usize, len: i32, r: FeatureRecord): bool {
  const at = readHead(p, len, r, FEATURE_V1_COUNTERS, FEATURE_V1_DESCRIPTION);
  if (at == 0 || !readPolicyAt(at, r, true)) return false;
  r.version = 1;
  r.run = Run.zeroed();
  r.upgraded = null;
  return true;
}

/** Version 2 (written today), checked exactly: the run lies in the record. */
function readV2(p: usize, len: i32, r: FeatureRecord): bool {
  const at = readHead(p, len, r, FEATURE_V2_COUNTERS, FEATURE_V2_DESCRIPTION);
  if (at == 0 || !readPolicyAt(at, r, false)) return false;
  r.version = 2;
  r.run = Run.at(r.createdByAt + FEATURE_V2_RUN);
  r.upgraded = null;
  return true;
}

/** The policy of an opened record (valid: its reader checked it), where it lies. */
export function readPolicy(r: FeatureRecord): Policy {
  if (r.version == FEATURE_VERSION) return new Policy(r.policyAt, <i32>(r.end - r.policyAt));
  let u = r.upgraded;
  if (!u) {
    u = Policy.upgradeV1(r.policyAt, <i32>(r.end - r.policyAt));
    r.upgraded = u;
  }
  return u;
}

/** A record in FEATURE_VERSION's layout: reports may patch it in place. */
// @ts-ignore: decorator
@inline export function isCurrent(r: FeatureRecord): bool {
  return r.version == FEATURE_VERSION;
}

/** The feature in `value`, opened as `r` (so nothing here can fail). */
export function readFeature(name: Uint8Array, value: Uint8Array, r: FeatureRecord): Feature {
  const f = new Feature(name, bytesAt(value, r.createdByAt, ACCOUNT_BYTES), bytesAt(value, r.descriptionAt, r.descriptionLen), readPolicy(r), r.counters, r.run);
  f.status = r.status;
  f.rolloutBps = r.rolloutBps;
  f.targetBps = r.targetBps;
  f.paused = r.paused;
  f.halted = r.halted;
  f.startBlock = r.startBlock;
  f.lastStepBlock = r.lastStepBlock;
  f.stepAccum = r.stepAccum;
  f.clockMark = r.clockMark;
  f.dueAt = r.dueAt;
  f.historyLen = r.historyLen;
  f.overrideCount = r.overrideCount;
  f.hasReason = r.hasReason;
  if (f.hasReason) f.reason = r.reason;
  f.storedActive = f.isActive();
  f.storedIndexed = f.isIndexed();
  f.storedDueAt = f.dueAt;
  return f;
}

/** The record of `f` in FEATURE_VERSION's layout. */
export function encodeFeature(f: Feature): Writer {
  const w = new Writer(512);
  const flags = (f.paused ? FLAG_PAUSED : 0) | (f.halted ? FLAG_HALTED : 0);
  w.u8(FEATURE_VERSION).u8(f.status).u16(f.rolloutBps).u16(f.targetBps).u8(flags);
  w.u32(f.startBlock).u32(f.lastStepBlock).u32(f.stepAccum).u32(f.clockMark);
  w.u32(f.dueAt).u32(f.historyLen).u32(f.overrideCount);
  w.optionU8(f.hasReason, f.reason);
  w.raw(f.createdBy);
  w.copy(f.counters.address, <i32>COUNTERS_BYTES);
  w.copy(f.run.address, <i32>RUN_BYTES);
  w.string(f.description);
  f.policy.write(w);
  return w;
}

/** A view of the n bytes at address `at` inside `value`. */
function bytesAt(value: Uint8Array, at: usize, n: i32): Uint8Array {
  const start = <i32>(at - value.dataStart);
  return value.subarray(start, start + n);
}
