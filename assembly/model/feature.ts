// A feature (SPEC section 2) as the rules change it: plain fields, its counters and its
// policy. How it is stored is storage/record.ts's business (readFeature, encodeFeature).

import { Counters } from "./counters";
import { Policy } from "./policy";
import { Run } from "./run";
import { MAX_DESCRIPTION_BYTES, MAX_NAME_BYTES, Status } from "../shared/codes";

export { MAX_DESCRIPTION_BYTES, MAX_NAME_BYTES };

/** 1..64 bytes of [a-z0-9_.-]. */
export function isValidName(name: Uint8Array): bool {
  const n = name.length;
  if (n < 1 || n > MAX_NAME_BYTES) return false;
  for (let i = 0; i < n; i++) {
    const c = <u32>unchecked(name[i]);
    const ok = c - 0x61 < 26 || c - 0x30 < 10 || c == 0x5f || c == 0x2e || c == 0x2d;
    if (!ok) return false;
  }
  return true;
}

/** Canary or RollingOut: exposure follows the buckets and health rules are armed. */
export function isActiveStatus(s: i32): bool {
  return s == Status.Canary || s == Status.RollingOut;
}

/** Disabled or RolledBack: nobody sees the feature and reports are refused. */
export function isOffStatus(s: i32): bool {
  return s == Status.Disabled || s == Status.RolledBack;
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
  /** Unpaused clock ticks since the last step, up to clockMark (step-clock.ts). */
  stepAccum: u32 = 0;
  /** The clock value when stepAccum was last brought up to date. */
  clockMark: u32 = 0;
  /** The clock value of the next due step (its due index key). */
  dueAt: u32 = 0;
  /** The next history sequence number. */
  historyLen: u32 = 0;
  /** Overrides stored for this feature. */
  overrideCount: u32 = 0;
  hasReason: bool = false;
  reason: i32 = 0;
  createdBy: Uint8Array;
  /**
   * Inside the record buffer this Feature was read from (which only this Feature uses, so
   * they are changed in place), or a zeroed block for a new feature.
   */
  counters: Counters;
  /** The run counters and statistic: in the record buffer (v2) or a block of their own (v1, new). */
  run: Run;
  description: Uint8Array;
  policy: Policy;

  // What the store held when this record was loaded: lets saveFeature move the index entries.
  storedActive: bool = false;
  storedIndexed: bool = false;
  storedDueAt: u32 = 0;

  /** Every part is given, so that decoding allocates nothing it drops. */
  constructor(name: Uint8Array, createdBy: Uint8Array, description: Uint8Array, policy: Policy, counters: Counters, run: Run) {
    this.name = name;
    this.createdBy = createdBy;
    this.description = description;
    this.policy = policy;
    this.counters = counters;
    this.run = run;
  }

  /** Canary or RollingOut: exposure follows the buckets and health rules are armed. */
  isActive(): bool {
    return isActiveStatus(this.status);
  }

  /** The policy's dwell per step, in clock ticks. */
  get dwell(): u32 {
    return this.policy.incrementBlocks;
  }

  /** In the due index: steps can fall due. */
  isIndexed(): bool {
    return this.status == Status.RollingOut && !this.paused;
  }
}
