// Health reports (SPEC section 5/6): counted in the window, the run and the lifetime metrics
// (saturating), then the health rules are checked while the feature is Canary or
// RollingOut. In Enabled they count but never roll back. The counters are added in place
// in the stored record's bytes, which are written back as they are unless a rule fires; a
// first-release (v1) record, which has no room for the run, is written whole (upgraded to v2).

import { HEALTHY, healthVerdict } from "./health";
import { comparativeStep, sequentialStep } from "./statistics";
import { rollBack } from "./lifecycle";
import { Tx } from "./tx";
import { Counters, satAdd } from "../model/counters";
import { Analysis, ErrorCode } from "../shared/codes";
import { Policy } from "../model/policy";
import { isCurrent } from "../storage/record";
import { RecordLoad, saveFeature } from "../storage/state";

/** The counters of a record that takes reports (not Disabled or RolledBack), else null. */
function liveCounters(rec: RecordLoad): Counters | null {
  return rec.isOff() ? null : rec.counters;
}

/** Saves the counted report, or rolls back when a health rule now fires (`p`: the record's policy). */
function settle(rec: RecordLoad, p: Policy, tx: Tx): i32 {
  if (rec.isActive()) {
    const verdict = healthVerdict(rec.counters, rec.run, p);
    if (verdict != HEALTHY) return rollBack(rec.feature(), verdict, tx);
  }
  // Counters only: status, pause and due clock unchanged, indexes too.
  if (isCurrent(rec)) rec.saveInPlace();
  else saveFeature(rec.feature()); // v1: the run needs the v2 layout
  return ErrorCode.Ok;
}

/**
 * Successes and errors of the feature (exposed accounts): window, run and metrics, and under
 * Sequential the statistic T (n = successes + errors, exact). In Enabled too (DESIGN.md).
 */
function countOutcomes(rec: RecordLoad, c: Counters, p: Policy, successes: u64, errors: u64): void {
  c.addWindowSuccesses(successes);
  c.addWindowErrors(errors);
  c.addMetricsSuccessful(successes);
  c.addMetricsFailed(errors);
  c.addMetricsTotal(satAdd(successes, errors));
  const run = rec.run;
  run.addOutcomes(successes, errors);
  if (p.analysis == Analysis.Sequential) sequentialStep(run, p, successes, errors);
}

/** recordSuccess, recordError and recordBatch (they move no Comparative S). */
export function recordOutcomes(rec: RecordLoad, successes: u64, errors: u64, tx: Tx): i32 {
  const c = liveCounters(rec);
  if (!c) return ErrorCode.FeatureDisabled;
  const p = rec.policy();
  countOutcomes(rec, c, p, successes, errors);
  return settle(rec, p, tx);
}

/**
 * recordCohorts: the canary part counts as recordBatch would (window, run, metrics; T under
 * Sequential); the baseline part only in the baseline counters; under Comparative the two
 * parts move S.
 */
export function recordCohorts(rec: RecordLoad, canarySuccesses: u64, canaryErrors: u64, baseSuccesses: u64, baseErrors: u64, tx: Tx): i32 {
  const c = liveCounters(rec);
  if (!c) return ErrorCode.FeatureDisabled;
  const p = rec.policy();
  countOutcomes(rec, c, p, canarySuccesses, canaryErrors);
  rec.run.addBaseline(baseSuccesses, baseErrors);
  if (p.analysis == Analysis.Comparative) comparativeStep(rec.run, p, canarySuccesses, canaryErrors, baseSuccesses, baseErrors);
  return settle(rec, p, tx);
}

export function recordLatency(rec: RecordLoad, value: u64, tx: Tx): i32 {
  const c = liveCounters(rec);
  if (!c) return ErrorCode.FeatureDisabled;
  c.addWindowLatency(value);
  c.addMetricsLatency(value);
  return settle(rec, rec.policy(), tx);
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
  return settle(rec, rec.policy(), tx);
}
