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
import { runScenario, type Cmd, type Scenario } from "./_harness.ts";
import { clean, defaultRegressionScenario, O, R, scenario, statScenarioArb } from "./_stats.ts";

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

  // A18: the statistic rule runs after every report of any kind and at every due step. T passes
  // its threshold while run samples are below minSamples; an updatePolicy lowers minSamples (no
  // reset: not a seq*/comp* field); then a latency report, or a due step, must fire ErrorRate.
  for (const [what, trigger] of [
    ["a recordLatency", [R("recordLatency", { name: "a", value: 1n })]],
    ["a recordInvariant(ok)", [R("recordInvariant", { name: "a", ok: true })]],
    ["a due step (processRollout)", [{ t: "gap", n: 3 } as Cmd, O("processRollout", { name: "a" })]],
    ["a due step (onPersist)", [{ t: "gap", n: 3 } as Cmd, { t: "gap", n: 1 } as Cmd]],
  ] as const) {
    it(`the statistic rule fires at ${what} once a lowered minSamples opens the gate (A18)`, () => {
      const pol = clean({ analysis: 1, seqInterceptPpm: 500_000n, minSamples: 100, minSuccessCount: 0n, incrementBlocks: 2 });
      const sc = scenario(pol, clean({ analysis: 2 }), [
        [O("startRollout", { name: "a", targetBps: 10000 }), R("recordError", { name: "a" }), O("updatePolicy", { name: "a", policy: { ...pol, keepStatistic: true, minSamples: 1 } }), ...trigger],
      ]);
      const r = runScenario(sc, { observe: "features" });
      expect(r.rollbacks.contract).toEqual(r.rollbacks.model);
      expect(r.rollbacks.model.a).toHaveLength(1);
    });
  }
});
