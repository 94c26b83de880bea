// Health reports (SPEC section 5/6): counted in the window and the lifetime metrics
// (saturating), then the window rules are checked while the feature is Canary or
// RollingOut. In Enabled they count but never roll back. The counters are added in place
// in the stored record's bytes, which are written back as they are unless a rule fires.

import { HEALTHY, windowVerdict } from "./health";
import { rollBack } from "./lifecycle";
import { Tx } from "./tx";
import { Counters, satAdd } from "../model/counters";
import { ErrorCode } from "../shared/codes";
import { RecordLoad } from "../storage/state";

/** The counters of a record that takes reports (not Disabled or RolledBack), else null. */
function liveCounters(rec: RecordLoad): Counters | null {
  return rec.isOff() ? null : rec.counters;
}

/** Saves the counted report, or rolls back when a window rule now fires. */
function settle(rec: RecordLoad, tx: Tx): i32 {
  if (rec.isActive()) {
    const verdict = windowVerdict(rec.counters, rec.policy());
    if (verdict != HEALTHY) return rollBack(rec.feature(), verdict, tx);
  }
  rec.saveInPlace(); // counters only: status, pause and due clock unchanged, indexes too
  return ErrorCode.Ok;
}

/** recordSuccess, recordError and recordBatch. */
export function recordOutcomes(rec: RecordLoad, successes: u64, errors: u64, tx: Tx): i32 {
  const c = liveCounters(rec);
  if (!c) return ErrorCode.FeatureDisabled;
  c.addWindowSuccesses(successes);
  c.addWindowErrors(errors);
  c.addMetricsSuccessful(successes);
  c.addMetricsFailed(errors);
  c.addMetricsTotal(satAdd(successes, errors));
  return settle(rec, tx);
}

export function recordLatency(rec: RecordLoad, value: u64, tx: Tx): i32 {
  const c = liveCounters(rec);
  if (!c) return ErrorCode.FeatureDisabled;
  c.addWindowLatency(value);
  c.addMetricsLatency(value);
  return settle(rec, tx);
}

export function recordInvariant(rec: RecordLoad, ok: bool, tx: Tx): i32 {
  const c = liveCounters(rec);
  if (!c) return ErrorCode.FeatureDisabled;
  c.addWindowInvariantChecks(1);
  c.addMetricsInvariantChecks(1);
  if (!ok) {
    c.addWindowInvariantFailures(1);
    c.addMetricsInvariantFailures(1);
  }
  return settle(rec, tx);
}
