// A feature's rollout and health policy (SPEC section 2): Borsh layout, defaults, validation.

import { Reader, Writer } from "./borsh";
import { Analysis } from "./shared/codes";

export const MAX_STEPS = 32;
export const MAX_SALT_BYTES = 64;
export const BPS_FULL: u16 = 10000;

export class Policy {
  steps: Array<u16>;
  incrementBps: u16 = 1000;
  incrementBlocks: u32 = 8640;
  maxErrorRateBps: u16 = 100;
  minSamples: u32 = 100;
  minSuccessCount: u64 = 100;
  analysis: i32 = Analysis.Threshold;
  seqSlopePpm: u32 = 0;
  seqInterceptPpm: u64 = 0;
  maxInvariantFailures: u32 = 0;
  maxAvgLatency: u64 = 0;
  maxPeakLatency: u64 = 0;
  progressDeadlineBlocks: u32 = 0;
  /** UTF-8 bytes; empty = bucket by the feature name. */
  salt: Uint8Array;

  constructor(steps: Array<u16> = [], salt: Uint8Array = new Uint8Array(0)) {
    this.steps = steps;
    this.salt = salt;
  }

  /** Reads the Borsh fields in SPEC order. Failures are left on the reader (BadInput). */
  static read(r: Reader): Policy {
    // Items are 2 bytes each; a count the input cannot hold is short input. A count over
    // MAX_STEPS that the input does hold is a policy problem, reported by validate().
    const n = r.count(2);
    const steps = new Array<u16>(n);
    for (let i = 0; i < n; i++) unchecked((steps[i] = r.u16()));
    // The salt is read last, below: nothing is allocated just to be replaced.
    const p = new Policy(steps, changetype<Uint8Array>(0));
    p.incrementBps = r.u16();
    p.incrementBlocks = r.u32();
    p.maxErrorRateBps = r.u16();
    p.minSamples = r.u32();
    p.minSuccessCount = r.u64();
    p.analysis = r.u8();
    p.seqSlopePpm = r.u32();
    p.seqInterceptPpm = r.u64();
    p.maxInvariantFailures = r.u32();
    p.maxAvgLatency = r.u64();
    p.maxPeakLatency = r.u64();
    p.progressDeadlineBlocks = r.u32();
    p.salt = r.string();
    return p;
  }

  write(w: Writer): void {
    w.u32(<u32>this.steps.length);
    for (let i = 0; i < this.steps.length; i++) w.u16(unchecked(this.steps[i]));
    w.u16(this.incrementBps)
      .u32(this.incrementBlocks)
      .u16(this.maxErrorRateBps)
      .u32(this.minSamples)
      .u64(this.minSuccessCount)
      .u8(this.analysis)
      .u32(this.seqSlopePpm)
      .u64(this.seqInterceptPpm)
      .u32(this.maxInvariantFailures)
      .u64(this.maxAvgLatency)
      .u64(this.maxPeakLatency)
      .u32(this.progressDeadlineBlocks)
      .string(this.salt);
  }

  /** Field-by-field equality (the same Borsh bytes). */
  equals(o: Policy): bool {
    const a = new Writer(128);
    const b = new Writer(128);
    this.write(a);
    o.write(b);
    return bytesEqual(a.toBytes(), b.toBytes());
  }

  /** SPEC section 2's rules, salt changes aside (see updatePolicy). */
  isValid(): bool {
    return policyRulesHold(
      this.steps.dataStart, this.steps.length, this.incrementBps, this.incrementBlocks, this.maxErrorRateBps,
      this.analysis, this.seqSlopePpm, this.progressDeadlineBlocks, this.salt.length,
    );
  }

  /**
   * The bps after `current` on the way to `target`: the next listed step above current
   * (or target when none is listed), or current + incrementBps; never above target.
   */
  nextStep(current: u16, target: u16): u16 {
    let next: u32;
    if (this.steps.length > 0) {
      next = target;
      for (let i = 0; i < this.steps.length; i++) {
        const s = unchecked(this.steps[i]);
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
 * SPEC section 2's rules over the policy's fields, steps as n u16s at stepsAt: one place for
 * both a Policy object and a stored record checked in place (record.ts).
 */
export function policyRulesHold(
  stepsAt: usize, n: i32, incrementBps: u16, incrementBlocks: u32, maxErrorRateBps: u16,
  analysis: i32, seqSlopePpm: u32, progressDeadlineBlocks: u32, saltLen: i32,
): bool {
  if (n > MAX_STEPS) return false;
  let prev: u16 = 0;
  for (let i = 0; i < n; i++) {
    const s = load<u16>(stepsAt + (<usize>i << 1));
    // Strictly increasing from prev ≥ 0 also makes every step ≥ 1.
    if (s <= prev || s > BPS_FULL) return false;
    prev = s;
  }
  if (incrementBps == 0 || incrementBps > BPS_FULL) return false;
  if (incrementBlocks == 0) return false;
  if (maxErrorRateBps > BPS_FULL) return false;
  if (analysis > Analysis.Sequential) return false;
  if (analysis == Analysis.Sequential && seqSlopePpm == 0) return false;
  if (progressDeadlineBlocks != 0 && progressDeadlineBlocks <= incrementBlocks) return false;
  if (saltLen > MAX_SALT_BYTES) return false;
  return true;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (unchecked(a[i]) != unchecked(b[i])) return false;
  return true;
}
