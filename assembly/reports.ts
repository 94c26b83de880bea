// Health reports (SPEC section 5/6): counted in the window and the lifetime metrics
// (saturating), then the window rules are checked while the feature is Canary or
// RollingOut. In Enabled they count but never roll back.

import { Feature, satAdd } from "./feature";
import { HEALTHY, windowVerdict } from "./health";
import { rollBack, Tx } from "./lifecycle";
import { ErrorCode, Status } from "./shared/codes";
import { saveFeature } from "./state";

function requireLive(f: Feature): i32 {
  return f.status == Status.Disabled || f.status == Status.RolledBack ? ErrorCode.FeatureDisabled : ErrorCode.Ok;
}

/** Saves the counted report, or rolls back when a window rule now fires. */
function settle(f: Feature, tx: Tx): i32 {
  if (f.isActive()) {
    const verdict = windowVerdict(f.window, f.policy);
    if (verdict != HEALTHY) return rollBack(f, verdict, tx);
  }
  saveFeature(f);
  return ErrorCode.Ok;
}

/** recordSuccess, recordError and recordBatch. */
export function recordOutcomes(f: Feature, successes: u64, errors: u64, tx: Tx): i32 {
  const live = requireLive(f);
  if (live != ErrorCode.Ok) return live;
  const w = f.window;
  const m = f.metrics;
  w.successes = satAdd(w.successes, successes);
  w.errors = satAdd(w.errors, errors);
  m.successfulOps = satAdd(m.successfulOps, successes);
  m.failedOps = satAdd(m.failedOps, errors);
  m.totalOperations = satAdd(m.totalOperations, satAdd(successes, errors));
  return settle(f, tx);
}

export function recordLatency(f: Feature, value: u64, tx: Tx): i32 {
  const live = requireLive(f);
  if (live != ErrorCode.Ok) return live;
  const w = f.window;
  const m = f.metrics;
  w.latencySum = satAdd(w.latencySum, value);
  w.latencyCount = satAdd(w.latencyCount, 1);
  if (value > w.latencyPeak) w.latencyPeak = value;
  m.latencySum = satAdd(m.latencySum, value);
  m.latencyCount = satAdd(m.latencyCount, 1);
  if (value > m.peakLatency) m.peakLatency = value;
  return settle(f, tx);
}

export function recordInvariant(f: Feature, ok: bool, tx: Tx): i32 {
  const live = requireLive(f);
  if (live != ErrorCode.Ok) return live;
  const w = f.window;
  const m = f.metrics;
  w.invariantChecks = satAdd(w.invariantChecks, 1);
  m.invariantChecks = satAdd(m.invariantChecks, 1);
  if (!ok) {
    w.invariantFailures = satAdd(w.invariantFailures, 1);
    m.invariantFailures = satAdd(m.invariantFailures, 1);
  }
  return settle(f, tx);
}
