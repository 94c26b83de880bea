// Health reports (SPEC section 5/6): counted in the window and the lifetime metrics
// (saturating), then the window rules are checked while the feature is Canary or
// RollingOut. In Enabled they count but never roll back. The counters are added in place
// in the stored record's bytes, which are written back as they are unless a rule fires.

import { satAdd } from "../model/feature";
import { HEALTHY, windowVerdict } from "./health";
import { rollBack, Tx } from "./lifecycle";
import {
  addAt, maxAt, M_FAILED, M_INVARIANT_CHECKS, M_INVARIANT_FAILURES, M_LATENCY_COUNT, M_LATENCY_SUM,
  M_PEAK_LATENCY, M_SUCCESSFUL, M_TOTAL, W_ERRORS, W_INVARIANT_CHECKS, W_INVARIANT_FAILURES,
  W_LATENCY_COUNT, W_LATENCY_PEAK, W_LATENCY_SUM, W_SUCCESSES,
} from "../storage/record";
import { ErrorCode } from "../shared/codes";
import { RecordLoad } from "../storage/state";

/** The counters of a record that takes reports (not Disabled or RolledBack), else 0. */
function liveCounters(rec: RecordLoad): usize {
  return rec.isOff() ? 0 : rec.countersAt;
}

/** Saves the counted report, or rolls back when a window rule now fires. */
function settle(rec: RecordLoad, tx: Tx): i32 {
  if (rec.isActive()) {
    const verdict = windowVerdict(rec.countersAt, rec.policy());
    if (verdict != HEALTHY) return rollBack(rec.feature(), verdict, tx);
  }
  rec.saveInPlace(); // counters only: status, pause and due clock unchanged, indexes too
  return ErrorCode.Ok;
}

/** recordSuccess, recordError and recordBatch. */
export function recordOutcomes(rec: RecordLoad, successes: u64, errors: u64, tx: Tx): i32 {
  const c = liveCounters(rec);
  if (!c) return ErrorCode.FeatureDisabled;
  addAt(c + W_SUCCESSES, successes);
  addAt(c + W_ERRORS, errors);
  addAt(c + M_SUCCESSFUL, successes);
  addAt(c + M_FAILED, errors);
  addAt(c + M_TOTAL, satAdd(successes, errors));
  return settle(rec, tx);
}

export function recordLatency(rec: RecordLoad, value: u64, tx: Tx): i32 {
  const c = liveCounters(rec);
  if (!c) return ErrorCode.FeatureDisabled;
  addAt(c + W_LATENCY_SUM, value);
  addAt(c + W_LATENCY_COUNT, 1);
  maxAt(c + W_LATENCY_PEAK, value);
  addAt(c + M_LATENCY_SUM, value);
  addAt(c + M_LATENCY_COUNT, 1);
  maxAt(c + M_PEAK_LATENCY, value);
  return settle(rec, tx);
}

export function recordInvariant(rec: RecordLoad, ok: bool, tx: Tx): i32 {
  const c = liveCounters(rec);
  if (!c) return ErrorCode.FeatureDisabled;
  addAt(c + W_INVARIANT_CHECKS, 1);
  addAt(c + M_INVARIANT_CHECKS, 1);
  if (!ok) {
    addAt(c + W_INVARIANT_FAILURES, 1);
    addAt(c + M_INVARIANT_FAILURES, 1);
  }
  return settle(rec, tx);
}
