// The feature record (key 0xD0 name 00): everything about one feature, its window and its
// lifetime metrics in one value, so that a health report is one read and one write.
//
//   off  size  field
//   0    1     version = 1
//   1    1     status
//   2    2     rolloutBps
//   4    2     targetBps
//   6    1     paused (bool)
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

import { Reader, Writer } from "./borsh";
import { Policy } from "./policy";
import { Status, RollbackReason } from "./shared/codes";

export const RECORD_VERSION: u8 = 1;
export const MAX_DESCRIPTION_BYTES = 256;

/** u64 addition that stops at 2^64 − 1 instead of wrapping. */
export function satAdd(a: u64, b: u64): u64 {
  const s = a + b;
  return s < a ? u64.MAX_VALUE : s;
}

/** Health counters of the current step (reset at every step). */
export class Window {
  successes: u64 = 0;
  errors: u64 = 0;
  latencySum: u64 = 0;
  latencyCount: u64 = 0;
  latencyPeak: u64 = 0;
  invariantChecks: u64 = 0;
  invariantFailures: u64 = 0;

  samples(): u64 {
    return satAdd(this.successes, this.errors);
  }

  /** From the record's 56 bytes at p (little-endian u64s). */
  read(p: usize): void {
    this.successes = load<u64>(p);
    this.errors = load<u64>(p, 8);
    this.latencySum = load<u64>(p, 16);
    this.latencyCount = load<u64>(p, 24);
    this.latencyPeak = load<u64>(p, 32);
    this.invariantChecks = load<u64>(p, 40);
    this.invariantFailures = load<u64>(p, 48);
  }

  write(w: Writer): void {
    w.u64(this.successes).u64(this.errors).u64(this.latencySum).u64(this.latencyCount);
    w.u64(this.latencyPeak).u64(this.invariantChecks).u64(this.invariantFailures);
  }
}

/** Lifetime metrics: every field of the seed's FeatureMetrics, persisted. */
export class Metrics {
  totalOperations: u64 = 0;
  successfulOps: u64 = 0;
  failedOps: u64 = 0;
  latencySum: u64 = 0;
  latencyCount: u64 = 0;
  peakLatency: u64 = 0;
  invariantChecks: u64 = 0;
  invariantFailures: u64 = 0;

  averageLatency(): u64 {
    return this.latencyCount == 0 ? 0 : this.latencySum / this.latencyCount;
  }

  /** From the record's 64 bytes at p (little-endian u64s). */
  read(p: usize): void {
    this.totalOperations = load<u64>(p);
    this.successfulOps = load<u64>(p, 8);
    this.failedOps = load<u64>(p, 16);
    this.latencySum = load<u64>(p, 24);
    this.latencyCount = load<u64>(p, 32);
    this.peakLatency = load<u64>(p, 40);
    this.invariantChecks = load<u64>(p, 48);
    this.invariantFailures = load<u64>(p, 56);
  }

  write(w: Writer): void {
    w.u64(this.totalOperations).u64(this.successfulOps).u64(this.failedOps).u64(this.latencySum);
    w.u64(this.latencyCount).u64(this.peakLatency).u64(this.invariantChecks).u64(this.invariantFailures);
  }

  /** The Metrics result struct of SPEC section 6. */
  writeView(w: Writer): void {
    w.u64(this.totalOperations).u64(this.successfulOps).u64(this.failedOps).u64(this.averageLatency());
    w.u64(this.peakLatency).u64(this.invariantChecks).u64(this.invariantFailures);
  }
}

export class Feature {
  name: Uint8Array;
  status: i32 = Status.Disabled;
  rolloutBps: u16 = 0;
  targetBps: u16 = 0;
  paused: bool = false;
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
   * The window and the metrics are decoded on first use (isEnabled and most views never
   * look at them): `countersAt` points at their 120 bytes in the record buffer (which
   * nothing writes into and which lives as long as this Feature is used), 0 for a new one.
   * u64 fields have no invalid values, so the exact decode does not depend on them.
   */
  private countersAt: usize = 0;
  private _window: Window | null = null;
  private _metrics: Metrics | null = null;
  description: Uint8Array;
  policy: Policy;

  // What the store held when this record was loaded: lets save() move the index entries.
  storedActive: bool = false;
  storedIndexed: bool = false;
  storedDueAt: u32 = 0;

  /** The byte fields and the policy are given, so that decoding allocates nothing it drops. */
  constructor(name: Uint8Array, createdBy: Uint8Array, description: Uint8Array, policy: Policy) {
    this.name = name;
    this.createdBy = createdBy;
    this.description = description;
    this.policy = policy;
  }

  get window(): Window {
    let w = this._window;
    if (!w) {
      w = new Window();
      if (this.countersAt) w.read(this.countersAt);
      this._window = w;
    }
    return w;
  }

  set window(w: Window) {
    this._window = w;
  }

  get metrics(): Metrics {
    let m = this._metrics;
    if (!m) {
      m = new Metrics();
      if (this.countersAt) m.read(this.countersAt + 56);
      this._metrics = m;
    }
    return m;
  }

  /** Canary or RollingOut: exposure follows the buckets and health rules are armed. */
  isActive(): bool {
    return this.status == Status.Canary || this.status == Status.RollingOut;
  }

  /** In the due index: steps can fall due. */
  isIndexed(): bool {
    return this.status == Status.RollingOut && !this.paused;
  }

  /** Decodes a stored value; null when it does not decode exactly (CorruptState). */
  static decode(name: Uint8Array, value: Uint8Array): Feature | null {
    const r = new Reader(value);
    if (r.u8() != RECORD_VERSION) return null;
    // createdBy, description and policy are read below; name stands in until then (no
    // throwaway allocations: this runs on every call that names a feature).
    const f = new Feature(name, name, name, changetype<Policy>(0));
    f.status = r.u8();
    f.rolloutBps = r.u16();
    f.targetBps = r.u16();
    f.paused = r.bool();
    f.startBlock = r.u32();
    f.lastStepBlock = r.u32();
    f.stepAccum = r.u32();
    f.clockMark = r.u32();
    f.dueAt = r.u32();
    f.historyLen = r.u32();
    f.overrideCount = r.u32();
    f.hasReason = r.option();
    if (f.hasReason) f.reason = r.u8();
    f.createdBy = r.account();
    f.countersAt = r.skip(120);
    f.description = r.string();
    f.policy = Policy.read(r);
    if (!r.done()) return null;
    // Fields only this contract writes: anything out of range was not written by it.
    if (f.status > Status.RolledBack || f.rolloutBps > 10000 || f.targetBps > 10000) return null;
    if (f.hasReason && f.reason > RollbackReason.Deadline) return null;
    if (f.description.length > MAX_DESCRIPTION_BYTES || !f.policy.isValid()) return null;
    f.storedActive = f.isActive();
    f.storedIndexed = f.isIndexed();
    f.storedDueAt = f.dueAt;
    return f;
  }

  encode(): Writer {
    const w = new Writer(512);
    w.u8(RECORD_VERSION).u8(this.status).u16(this.rolloutBps).u16(this.targetBps).bool(this.paused);
    w.u32(this.startBlock).u32(this.lastStepBlock).u32(this.stepAccum).u32(this.clockMark);
    w.u32(this.dueAt).u32(this.historyLen).u32(this.overrideCount);
    w.optionU8(this.hasReason, this.reason);
    w.raw(this.createdBy);
    this.window.write(w);
    this.metrics.write(w);
    w.string(this.description);
    this.policy.write(w);
    return w;
  }

  /** The FeatureView result struct of SPEC section 6. */
  writeView(w: Writer): void {
    w.string(this.name).string(this.description);
    w.u8(this.status).u16(this.rolloutBps).u16(this.targetBps).bool(this.paused);
    w.u32(this.startBlock).u32(this.lastStepBlock);
    w.u64(this.window.successes).u64(this.window.errors);
    w.optionU8(this.hasReason, this.reason);
    w.raw(this.createdBy);
    this.policy.write(w);
  }
}
