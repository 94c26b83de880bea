// The lifecycle of SPEC section 5: each call checks its rule, changes the feature, writes,
// then emits. Every "otherwise" returns its named error before anything is written.

import * as events from "../generated/events";
import { Tx } from "./tx";
import { Counters } from "../model/counters";
import { Run } from "../model/run";
import { Feature, isOffStatus, isValidName, MAX_DESCRIPTION_BYTES } from "../model/feature";
import { BPS_FULL, Policy } from "../model/policy";
import { elapsedTicks } from "../model/step-clock";
import { Global, HistoryEntry } from "../storage/records";
import {
  appendHistory, featureExists, loadOverride, mirrorHalt, saveFeature, saveGlobal, saveOverride,
} from "../storage/state";
import { ErrorCode, OverrideMode, Status } from "../shared/codes";

/** A new step (or the rollout's first) begins now: an empty window, the step clock restarted. */
export function beginStep(f: Feature, tx: Tx, clock: u32): void {
  f.counters.clearWindow();
  f.stepAccum = 0;
  f.clockMark = clock;
  f.lastStepBlock = tx.height;
}

/**
 * Records a status change (or a step, when from == to == RollingOut): one history entry and
 * the record written. Callers emit right after.
 */
export function saveChange(f: Feature, from: i32, tx: Tx): HistoryEntry {
  const e = new HistoryEntry();
  e.block = tx.height;
  e.from = from;
  e.to = f.status;
  e.rolloutBps = f.rolloutBps;
  e.hasReason = f.status == Status.RolledBack && f.hasReason;
  e.reason = f.reason;
  e.actor = tx.actor;
  appendHistory(f, e);
  saveFeature(f);
  return e;
}

/** A status change: history, record, StatusChanged. */
function commitStatus(f: Feature, from: i32, tx: Tx): void {
  const e = saveChange(f, from, tx);
  events.statusChanged(f.name, from, e.to, e.rolloutBps, e.hasReason, e.reason);
}

export function createFeature(name: Uint8Array, description: Uint8Array, policy: Policy | null, tx: Tx): i32 {
  if (!isValidName(name)) return ErrorCode.InvalidName;
  if (description.length > MAX_DESCRIPTION_BYTES) return ErrorCode.LimitExceeded;
  const p = policy ? policy : Policy.defaults();
  if (!p.isValid()) return ErrorCode.InvalidPolicy;
  if (featureExists(name)) return ErrorCode.FeatureAlreadyExists;
  const creator = tx.actor;
  const f = new Feature(name, creator ? creator : new Uint8Array(20), description, p, Counters.zeroed(), Run.zeroed());
  saveFeature(f);
  events.featureCreated(name, f.createdBy);
  return ErrorCode.Ok;
}

export function updatePolicy(f: Feature, p: Policy): i32 {
  if (!p.isValid() || !p.saltEquals(f.policy)) return ErrorCode.InvalidPolicy;
  if (p.equals(f.policy)) return ErrorCode.Ok; // no change, no event
  if (!p.sameAnalysis(f.policy)) f.run.statistic = 0; // a new test starts (SPEC section 5)
  f.policy = p; // a new dwell moves the due index entry in saveFeature
  saveFeature(f);
  events.policyUpdated(f.name);
  return ErrorCode.Ok;
}

export function startCanary(f: Feature, bps: u16, tx: Tx): i32 {
  if (f.status == Status.RollingOut) return ErrorCode.RolloutInProgress;
  if (f.status == Status.Enabled) return ErrorCode.InvalidTransition;
  if (bps == 0 || bps > BPS_FULL) return ErrorCode.InvalidPercent;
  const halted = tx.global.halted(); // an active record carries the global halt (setGlobal)
  if (tx.global.corrupt) return ErrorCode.CorruptState;
  const from = f.status;
  f.status = Status.Canary;
  f.halted = halted;
  f.rolloutBps = bps;
  f.targetBps = 0;
  f.hasReason = false;
  f.reason = 0;
  f.counters.clearWindow();
  f.run.reset(); // a new run
  f.startBlock = tx.height;
  f.lastStepBlock = tx.height;
  commitStatus(f, from, tx);
  return ErrorCode.Ok;
}

export function startRollout(f: Feature, target: u16, tx: Tx): i32 {
  if (f.status == Status.RollingOut) return ErrorCode.RolloutInProgress;
  if (f.status != Status.Canary) return ErrorCode.InvalidTransition;
  if (target <= f.rolloutBps || target > BPS_FULL) return ErrorCode.InvalidPercent;
  if (f.counters.windowSuccesses < f.policy.minSuccessCount) return ErrorCode.InsufficientData;
  const clock = tx.clock();
  if (tx.global.corrupt) return ErrorCode.CorruptState;
  const from = f.status;
  f.status = Status.RollingOut;
  f.targetBps = target;
  beginStep(f, tx, clock);
  commitStatus(f, from, tx);
  return ErrorCode.Ok;
}

export function enable(f: Feature, tx: Tx): i32 {
  if (f.status == Status.Enabled) return ErrorCode.InvalidTransition;
  f.hasReason = false;
  f.reason = 0;
  f.run.reset(); // a new run
  return settle(f, Status.Enabled, BPS_FULL, tx);
}

export function disable(f: Feature, tx: Tx): i32 {
  if (f.status == Status.Disabled) return ErrorCode.InvalidTransition;
  return settle(f, Status.Disabled, 0, tx);
}

/** Rolls back an active or Enabled feature: RolledBack, 0 bps, the reason kept. */
export function rollBack(f: Feature, reason: i32, tx: Tx): i32 {
  if (!f.isActive() && f.status != Status.Enabled) return ErrorCode.InvalidTransition;
  f.hasReason = true;
  f.reason = reason;
  return settle(f, Status.RolledBack, 0, tx);
}

/** Ends whatever ran (a canary, a rollout, a pause): `to` at `bps`, committed. */
function settle(f: Feature, to: i32, bps: u16, tx: Tx): i32 {
  const from = f.status;
  f.status = to;
  f.rolloutBps = bps;
  f.paused = false;
  commitStatus(f, from, tx);
  return ErrorCode.Ok;
}

/** pause (paused = true) or resume (false); health rules stay armed either way. */
export function setPaused(f: Feature, paused: bool, tx: Tx): i32 {
  if (!f.isActive() || f.paused == paused) return ErrorCode.InvalidTransition;
  const clock = tx.clock();
  if (tx.global.corrupt) return ErrorCode.CorruptState;
  if (paused) {
    f.stepAccum = elapsedTicks(f.paused, f.stepAccum, f.clockMark, clock); // bank the dwell so far, then stop counting
  }
  f.clockMark = clock;
  f.paused = paused;
  saveFeature(f);
  events.pauseChanged(f.name, paused);
  return ErrorCode.Ok;
}

export function setOverride(f: Feature, account: Uint8Array, mode: i32): i32 {
  const current = loadOverride(f.name, f.overrideCount, account.dataStart);
  if (current < 0) return ErrorCode.CorruptState;
  if (current == mode) return ErrorCode.Ok; // no change, no event
  if (current == OverrideMode.Clear) f.overrideCount += 1; // ≤ one per account: no wrap
  else if (mode == OverrideMode.Clear) f.overrideCount -= 1; // current exists, so count ≥ 1
  saveOverride(f, account, mode);
  saveFeature(f);
  events.overrideSet(f.name, account, mode);
  return ErrorCode.Ok;
}

export function setGlobal(paused: bool, halted: bool, tx: Tx): i32 {
  const g: Global = tx.global.get();
  if (tx.global.corrupt) return ErrorCode.CorruptState;
  if (g.paused == paused && g.halted == halted) return ErrorCode.Ok;
  const haltChanged = g.halted != halted;
  g.setPaused(paused, tx.height);
  g.halted = halted;
  saveGlobal(g);
  events.globalChanged(paused, halted);
  if (haltChanged) mirrorHalt(halted);
  return ErrorCode.Ok;
}

/** reportIncident: an external signal rolls back at once (FeatureDisabled when not live). */
export function reportIncident(f: Feature, reason: i32, tx: Tx): i32 {
  if (isOffStatus(f.status)) return ErrorCode.FeatureDisabled;
  return rollBack(f, reason, tx);
}
