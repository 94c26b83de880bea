// Health reports (SPEC section 5/6): counted in the window, the run and the lifetime metrics
// (saturating), then the health rules are checked while the feature is Canary or
// RollingOut. In Enabled they count but never roll back. The counters are added in place
// in the stored record's bytes, which are written back as they are unless a rule fires; a
// first-release (v1) record, which has no room for the run, is written whole (upgraded to v2).

import { HEALTHY, windowVerdict } from "./health";
import { rollBack } from "./lifecycle";
import { Tx } from "./tx";
import { Counters, satAdd } from "../model/counters";
import { ErrorCode } from "../shared/codes";
import { isCurrent } from "../storage/record";
import { RecordLoad, saveFeature } from "../storage/state";

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
  // Counters only: status, pause and due clock unchanged, indexes too.
  if (isCurrent(rec)) rec.saveInPlace();
  else saveFeature(rec.feature()); // v1: the run needs the v2 layout
  return ErrorCode.Ok;
}

/** Successes and errors of the feature (exposed accounts): window, run and metrics. */
function countOutcomes(rec: RecordLoad, c: Counters, successes: u64, errors: u64): void {
  c.addWindowSuccesses(successes);
  c.addWindowErrors(errors);
  c.addMetricsSuccessful(successes);
  c.addMetricsFailed(errors);
  c.addMetricsTotal(satAdd(successes, errors));
  rec.run.addOutcomes(successes, errors);
}

/** recordSuccess, recordError and recordBatch. */
export function recordOutcomes(rec: RecordLoad, successes: u64, errors: u64, tx: Tx): i32 {
  const c = liveCounters(rec);
  if (!c) return ErrorCode.FeatureDisabled;
  countOutcomes(rec, c, successes, errors);
  return settle(rec, tx);
}

/**
 * recordCohorts: the canary part counts as recordBatch would (window, run, metrics); the
 * baseline part only in the baseline counters.
 */
export function recordCohorts(rec: RecordLoad, canarySuccesses: u64, canaryErrors: u64, baseSuccesses: u64, baseErrors: u64, tx: Tx): i32 {
  const c = liveCounters(rec);
  if (!c) return ErrorCode.FeatureDisabled;
  countOutcomes(rec, c, canarySuccesses, canaryErrors);
  rec.run.addBaseline(baseSuccesses, baseErrors);
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
