// Revision 2's statistics, model against module (issue #15, item 2): random report sequences on
// a Sequential feature ("a") and a Comparative feature ("b") — recordCohorts with n_c = 0,
// n_b = 0, no errors, shared outages, u64 extremes (2^64 − 1 counts: saturation of the run and
// baseline counters, exact products), floors reached, thresholds crossed — together with
// recordSuccess/recordError/recordBatch, rollouts whose steps must not reset the statistic,
// re-canaries and policy updates. After every report the FeatureView (statistic, run and
// baseline counters, status, rollback reason) is the same in model and module, and so is the
// block of every rollback. The lifetime metrics are compared too (the baseline counts in none). STAT_RUNS (default 300) sequences; STAT_SEED replays one.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runScenario, type Scenario } from "./_harness.ts";
import { defaultRegressionScenario, statScenarioArb } from "./_stats.ts";

const RUNS = Number(process.env.STAT_RUNS ?? 300);
const SEED = process.env.STAT_SEED === undefined ? undefined : Number(process.env.STAT_SEED);
function check(sc: Scenario): void {
  const r = runScenario(sc, { observe: "features" });
  // Every step already compared the FeatureView (statistic included); the rollback blocks too, explicitly:
  expect(r.rollbacks.contract).toEqual(r.rollbacks.model);
}

describe("statistics: model and module agree after every report (FeatureView.statistic, run and baseline counters, rollback block)", () => {
  it(`${RUNS} random report sequences, each on a Sequential and a Comparative feature with random policies`, () => {
    fc.assert(
      fc.property(statScenarioArb(), (sc) => {
        check(sc);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false },
    );
  }, 600_000);

  it("the default policies, long healthy runs then a regression: floors reached, thresholds crossed, the same rollback block", () => {
    const sc = defaultRegressionScenario();
    const r = runScenario(sc, { observe: "features" });
    expect(r.rollbacks.contract).toEqual(r.rollbacks.model);
    // The run reached the Sequential floor before the regression began.
    expect(r.statistics.a!.includes(-8219462n)).toBe(true);
  }, 120_000);
});
