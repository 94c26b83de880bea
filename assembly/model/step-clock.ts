// The step clock of a rollout (SPEC section 5, "Steps"): how long the current step has
// dwelt, whether a step is due, and the clock value at which it falls due. Dwell is counted
// on the pause-aware clock (storage/records.ts: Global.clock) and stops while the feature
// is paused: stepAccum banks the ticks up to clockMark, and ticks after clockMark count
// only while unpaused. Every value saturates at 2^32 − 1.

import { Status } from "../shared/codes";

/** Unpaused clock ticks since the last step, at `clock`. */
export function elapsedTicks(paused: bool, stepAccum: u32, clockMark: u32, clock: u32): u32 {
  if (paused || clock < clockMark) return stepAccum;
  const e = <u64>stepAccum + <u64>(clock - clockMark);
  return e > <u64>u32.MAX_VALUE ? u32.MAX_VALUE : <u32>e;
}

/**
 * The one test of "is a step due at `clock`" (processRollout and onPersist both ask it):
 * RollingOut, not paused, and the policy's dwell reached. The elapsed ticks when due, else
 * −1. Elapsed never falls as the clock rises, so a step not due at a bound is not due below
 * it. `f` is a Feature or a stored record read in place (storage/record.ts: FeatureRecord),
 * which name these fields alike; the dwell is read only when the rest allows a step.
 */
export function dueElapsed<T>(f: T, clock: u32): i64 {
  if (f.status != Status.RollingOut || f.paused) return -1;
  const elapsed = elapsedTicks(false, f.stepAccum, f.clockMark, clock);
  return elapsed >= f.dwell ? <i64>elapsed : -1;
}

/** The clock value at which the next step falls due (the due index key; saturating). */
export function dueAtOf(stepAccum: u32, clockMark: u32, dwell: u32): u32 {
  const left: u64 = stepAccum >= dwell ? 0 : <u64>(dwell - stepAccum);
  const at = <u64>clockMark + left;
  return at > <u64>u32.MAX_VALUE ? u32.MAX_VALUE : <u32>at;
}
