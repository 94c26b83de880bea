// The feature record (key 0xD0 name 00): everything about one feature, its window and its
// lifetime metrics in one value, so that a health report is one read and one write.
//
//   off  size  field
//   0    1     version = 1
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
//   ..   56    window: successes, errors, latencySum, latencyCount, latencyPeak,
//              invariantChecks, invariantFailures (u64 each)
//   ..   64    metrics: totalOperations, successfulOps, failedOps, latencySum,
//              latencyCount, peakLatency, invariantChecks, invariantFailures (u64 each)
//   ..   4+n   description (Borsh String)
//   ..   ..    policy (Borsh Policy)

import { Writer } from "../codec/borsh";
import { Policy } from "./policy";
import {
  FLAG_HALTED, FLAG_PAUSED, OFF_CLOCK_MARK, OFF_DUE_AT, OFF_HISTORY_LEN, OFF_LAST_STEP_BLOCK,
  isActiveStatus, OFF_REASON, OFF_START_BLOCK, OFF_STEP_ACCUM,
  OFF_TARGET_BPS, RECORD_VERSION, RecordLayout, WINDOW_BYTES, COUNTERS_BYTES,
  M_FAILED, M_INVARIANT_CHECKS, M_INVARIANT_FAILURES, M_LATENCY_COUNT, M_LATENCY_SUM, M_PEAK_LATENCY,
  M_SUCCESSFUL, M_TOTAL, W_ERRORS, W_SUCCESSES,
} from "../storage/record";
import { Status } from "../shared/codes";

export { MAX_DESCRIPTION_BYTES, RECORD_VERSION } from "../storage/record";

/** u64 addition that stops at 2^64 − 1 instead of wrapping. */
export function satAdd(a: u64, b: u64): u64 {
  const s = a + b;
  return s < a ? u64.MAX_VALUE : s;
}

// The health counters are 120 bytes of little-endian u64s (offsets W_* and M_* in record.ts):
// the window of the current step (cleared at every step), then the lifetime metrics. They
// are used where they lie, in the record buffer, and copied as one block when encoded.

/** Window samples: successes + errors (saturating). */
export function windowSamples(c: usize): u64 {
  return satAdd(load<u64>(c + W_SUCCESSES), load<u64>(c + W_ERRORS));
}

/** The Metrics result struct of SPEC section 6 from the counters at c. */
export function writeMetricsView(c: usize, w: Writer): void {
  const count = load<u64>(c + M_LATENCY_COUNT);
  const average = count == 0 ? 0 : load<u64>(c + M_LATENCY_SUM) / count;
  w.u64(load<u64>(c + M_TOTAL)).u64(load<u64>(c + M_SUCCESSFUL)).u64(load<u64>(c + M_FAILED)).u64(average);
  w.u64(load<u64>(c + M_PEAK_LATENCY)).u64(load<u64>(c + M_INVARIANT_CHECKS)).u64(load<u64>(c + M_INVARIANT_FAILURES));
}

export class Feature {
  name: Uint8Array;
  status: i32 = Status.Disabled;
  rolloutBps: u16 = 0;
  targetBps: u16 = 0;
  paused: bool = false;
  /** The global halt as last mirrored into this record (kept only while active). */
  halted: bool = false;
  startBlock: u32 = 0;
  lastStepBlock: u32 = 0;
  stepAccum: u32 = 0;
  clockMark: u32 = 0;
  dueAt: u32 = 0;
  historyLen: u32 = 0;
  overrideCount: u32 = 0;
  hasReason: bool = false;
  reason: i32 = 0;
  createdBy: Uint8Array;
  /**
   * The 120 counter bytes: inside the record buffer this Feature was read from (which only
   * this Feature uses, so they are changed in place), or a zeroed block for a new feature.
   */
  counters: usize;
  description: Uint8Array;
  policy: Policy;

  // What the store held when this record was loaded: lets save() move the index entries.
  storedActive: bool = false;
  storedIndexed: bool = false;
  storedDueAt: u32 = 0;

  /** Every part is given, so that decoding allocates nothing it drops. */
  constructor(name: Uint8Array, createdBy: Uint8Array, description: Uint8Array, policy: Policy, counters: usize) {
    this.name = name;
    this.createdBy = createdBy;
    this.description = description;
    this.policy = policy;
    this.counters = counters;
  }

  /** A new feature's counters: all zero. */
  static zeroCounters(): usize {
    const c = heap.alloc(COUNTERS_BYTES);
    memory.fill(c, 0, COUNTERS_BYTES);
    return c;
  }

  /** Clears the window (a new step or canary starts); the metrics stay. */
  clearWindow(): void {
    memory.fill(this.counters, 0, WINDOW_BYTES);
  }

  windowSuccesses(): u64 {
    return load<u64>(this.counters + W_SUCCESSES);
  }

  /** Canary or RollingOut: exposure follows the buckets and health rules are armed. */
  isActive(): bool {
    return isActiveStatus(this.status);
  }

  /** In the due index: steps can fall due. */
  isIndexed(): bool {
    return this.status == Status.RollingOut && !this.paused;
  }

  /** The feature in `value`, whose layout scanRecord found (so nothing here can fail). */
  static fromRecord(name: Uint8Array, value: Uint8Array, l: RecordLayout): Feature {
    const p = l.base;
    const f = new Feature(name, bytesAt(value, l.createdByAt, 20), bytesAt(value, l.descriptionAt, l.descriptionLen), readPolicy(l), l.countersAt);
    f.status = l.status();
    f.rolloutBps = l.rolloutBps();
    f.targetBps = load<u16>(p, OFF_TARGET_BPS);
    const flags = l.flags();
    f.paused = (flags & FLAG_PAUSED) != 0;
    f.halted = (flags & FLAG_HALTED) != 0;
    f.startBlock = load<u32>(p, OFF_START_BLOCK);
    f.lastStepBlock = load<u32>(p, OFF_LAST_STEP_BLOCK);
    f.stepAccum = load<u32>(p, OFF_STEP_ACCUM);
    f.clockMark = load<u32>(p, OFF_CLOCK_MARK);
    f.dueAt = load<u32>(p, OFF_DUE_AT);
    f.historyLen = load<u32>(p, OFF_HISTORY_LEN);
    f.overrideCount = l.overrideCount();
    f.hasReason = load<u8>(p, OFF_REASON) == 1;
    if (f.hasReason) f.reason = load<u8>(p, OFF_REASON + 1);
    f.storedActive = f.isActive();
    f.storedIndexed = f.isIndexed();
    f.storedDueAt = f.dueAt;
    return f;
  }

  encode(): Writer {
    const w = new Writer(512);
    const flags = (this.paused ? FLAG_PAUSED : 0) | (this.halted ? FLAG_HALTED : 0);
    w.u8(RECORD_VERSION).u8(this.status).u16(this.rolloutBps).u16(this.targetBps).u8(flags);
    w.u32(this.startBlock).u32(this.lastStepBlock).u32(this.stepAccum).u32(this.clockMark);
    w.u32(this.dueAt).u32(this.historyLen).u32(this.overrideCount);
    w.optionU8(this.hasReason, this.reason);
    w.raw(this.createdBy);
    w.copy(this.counters, <i32>COUNTERS_BYTES);
    w.string(this.description);
    this.policy.write(w);
    return w;
  }

  /** The FeatureView result struct of SPEC section 6. */
  writeView(w: Writer): void {
    w.string(this.name).string(this.description);
    w.u8(this.status).u16(this.rolloutBps).u16(this.targetBps).bool(this.paused);
    w.u32(this.startBlock).u32(this.lastStepBlock);
    w.u64(load<u64>(this.counters + W_SUCCESSES)).u64(load<u64>(this.counters + W_ERRORS));
    w.optionU8(this.hasReason, this.reason);
    w.raw(this.createdBy);
    this.policy.write(w);
  }
}

/** The policy of a record with layout l (valid: scanRecord checked it), where it lies. */
export function readPolicy(l: RecordLayout): Policy {
  return new Policy(l.policyAt, <i32>(l.end - l.policyAt));
}

/** A view of the n bytes at address `at` inside `value`. */
function bytesAt(value: Uint8Array, at: usize, n: i32): Uint8Array {
  const start = <i32>(at - value.dataStart);
  return value.subarray(start, start + n);
}
