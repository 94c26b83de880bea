// The reference model's Revision 2 statistics on their own (no module needed): SPEC section 5's
// integer formulas checked against hand-computed values, the InvalidPolicy cases of section 2,
// and the run/baseline/statistic life cycle through apply() (resets, gating, roles, views).
//
// Hand computations (× 10^6 units; ⌈a/b⌉ = ceiling):
//   Sequential  T' = max(T + e·10^6 − s·n, −F), then clamped to i64.
//   Comparative q = ⌈10^6·n_c/(n_c+n_b)⌉, x = ⌈k·q/10^6⌉, c = ⌈x(6·10^6+x)/(6·10^6+4x)⌉,
//               S' = max(S + e_c·L − (e_c+e_b)·c, −F), then clamped to i64.

import { describe, expect, it } from "vitest";
import {
  apply,
  comparativeCost,
  comparativeStep,
  DEFAULTS,
  I64_MAX,
  I64_MIN,
  initialState,
  sequentialStep,
  U64_MAX,
  validPolicy,
  type ModelState,
} from "../../src/model/index.ts";
import { ADMIN, OPERATOR, REPORTER } from "../helpers/accounts.ts";

const U = U64_MAX;
const SEQ = { seqSlopePpm: 14435, seqFloorPpm: 8219462n };
const COMP = { compExcessPpm: 1_000_000, compLnRatioPpm: 693147, compFloorPpm: 5780744n };

describe("Sequential: T := max(T + e·10^6 − s·n, −F), clamped to i64", () => {
  it.each([
    // [what, T, successes, errors, slope, floor, expected]
    ["one success", 0n, 1n, 0n, 14435, 8219462n, -14435n],
    ["one error: 10^6 − 14435", 0n, 0n, 1n, 14435, 8219462n, 985565n],
    ["100 successes: −100·14435", 0n, 100n, 0n, 14435, 8219462n, -1443500n],
    ["the floor is reached: −8,000,000 − 1,443,500 < −F", -8000000n, 100n, 0n, 14435, 8219462n, -8219462n],
    ["9 successes + 1 error from 4·10^6: 4,000,000 + 1,000,000 − 10·14435", 4000000n, 9n, 1n, 14435, 8219462n, 4855650n],
    ["floor 0 (a CUSUM): 5 − 14435 → 0", 5n, 1n, 0n, 14435, 0n, 0n],
    ["2^64−1 successes, F = 2^64−1: −F is below i64, clamped", 0n, U, 0n, 14435, U, I64_MIN],
    ["2^64−1 successes, F = 2^63: −2^63 is exactly i64's minimum", 0n, U, 0n, 14435, 1n << 63n, I64_MIN],
    ["2^64−1 errors: far above i64, clamped", 0n, 0n, U, 14435, 8219462n, I64_MAX],
    // n exact (2^65 − 2), not saturated: (2^64−1)(10^6 − 2·600,000) < 0 → floor 0. A saturated n would give +(2^64−1)·400,000 → I64_MAX.
    ["n = successes + errors exactly (2^65 − 2), not saturated", 0n, U, U, 600000, 0n, 0n],
    ["at i64's maximum an error stays clamped", I64_MAX, 0n, 1n, 14435, 0n, I64_MAX],
    ["an empty report (n = 0) moves nothing but the floor", 0n, 0n, 0n, 14435, 0n, 0n],
  ] as const)("%s", (_what, t, succ, err, slope, floor, want) => {
    expect(sequentialStep(t, succ + err, err, { seqSlopePpm: slope, seqFloorPpm: floor })).toBe(want);
  });
});

describe("Comparative: q, x, c and S", () => {
  it.each([
    // [what, n_c, n_b, k, q, x, c]
    ["equal cohorts, r = 2: ⌈500000·6500000/8000000⌉ = 406250 (ln 1.5 = 405465)", 100n, 100n, 1_000_000, 500000n, 500000n, 406250n],
    ["a third: q = ⌈10^6/3⌉ = 333334, c = ⌈2,111,115,555,556/7,333,336⌉ = 287880 (ln(4/3) = 287682)", 1n, 2n, 1_000_000, 333334n, 333334n, 287880n],
    ["1 % canary: q = 10000, c = ⌈6.01·10^10/6,040,000⌉ = 9951 (ln 1.01 = 9950)", 10n, 990n, 1_000_000, 10000n, 10000n, 9951n],
    ["a tiny share still costs: q = ⌈10^6/2^64⌉ = 1, x = ⌈9·10^6/10^6⌉ = 9, c = 9", 1n, U, 9_000_000, 1n, 9n, 9n],
    ["all canary but one: q = ⌈10^6·(2^64−1)/2^64⌉ = 10^6, c = ⌈10^6·7·10^6/10^7⌉", U, 1n, 1_000_000, 1000000n, 1000000n, 700000n],
    ["k = 1: x = ⌈q/10^6⌉ = 1, c = ⌈6000001/6000004⌉ = 1", 2n, 3n, 1, 400000n, 1n, 1n],
    ["k = 9·10^6 on equal cohorts: x = 4.5·10^6, c = ⌈4.725·10^13/2.4·10^7⌉ = 1968750", 5n, 5n, 9_000_000, 500000n, 4500000n, 1968750n],
  ] as const)("%s", (_what, nc, nb, k, q, x, c) => {
    expect(comparativeCost(nc, nb, k)).toEqual({ q, x, c });
  });

  it.each([
    // [what, S, cs, ce, bs, be, policy, expected]
    ["one canary error, equal cohorts: 693147 − 406250", 0n, 99n, 1n, 100n, 0n, COMP, 286897n],
    ["one canary error, a third of traffic: 693147 − 287880", 0n, 0n, 1n, 2n, 0n, COMP, 405267n],
    ["one canary error at 1 %: 693147 − 9951", 0n, 9n, 1n, 990n, 0n, COMP, 683196n],
    ["a shared outage, 3 + 3 errors on equal cohorts: 3·693147 − 6·406250", 0n, 97n, 3n, 97n, 3n, COMP, -358059n],
    ["the floor: −5,700,000 − 358,059 < −F", -5700000n, 97n, 3n, 97n, 3n, COMP, -5780744n],
    ["n_c = 0: unchanged", 123n, 0n, 0n, 50n, 7n, COMP, 123n],
    ["n_b = 0: unchanged", -77n, 40n, 9n, 0n, 0n, COMP, -77n],
    ["no errors at all: unchanged", 1000n, 40n, 0n, 60n, 0n, COMP, 1000n],
    ["r = 10, a tiny share: 2302585 − 9", 0n, 0n, 1n, U, 0n, { compExcessPpm: 9_000_000, compLnRatioPpm: 2302585, compFloorPpm: 0n }, 2302576n],
    ["2^64−1 errors on each side: far below, floored at −F", 0n, 0n, U, 0n, U, COMP, -5780744n],
    ["…with F = 2^64−1: clamped to i64's minimum", 0n, 0n, U, 0n, U, { ...COMP, compFloorPpm: U }, I64_MIN],
    ["2^64−1 canary errors, r = 10, equal cohorts: (2^64−1)·333835 → i64's maximum", 0n, 0n, U, U, 0n, { compExcessPpm: 9_000_000, compLnRatioPpm: 2302585, compFloorPpm: 0n }, I64_MAX],
    ["k = L = 1: 1·1 − 1·1 = 0", 0n, 1n, 1n, 3n, 0n, { compExcessPpm: 1, compLnRatioPpm: 1, compFloorPpm: 0n }, 0n],
  ] as const)("%s", (_what, s, cs, ce, bs, be, p, want) => {
    expect(comparativeStep(s, cs, ce, bs, be, p)).toBe(want);
  });

  it("c ≥ 10^6·ln(1 + x/10^6) for every x (the integer form never overstates the evidence)", () => {
    for (let k = 1; k <= 9_000_000; k = Math.ceil(k * 1.37)) {
      for (const [nc, nb] of [[1n, 1n], [1n, 1000n], [999n, 1n], [3n, 7n]] as const) {
        const { x, c } = comparativeCost(nc, nb, k);
        expect(Number(c)).toBeGreaterThanOrEqual(1e6 * Math.log1p(Number(x) / 1e6) - 1e-6);
      }
    }
  });
});

describe("policy validation (SPEC section 2, Revision 2 cases)", () => {
  const base = { ...DEFAULTS, steps: [] };
  it.each([
    ["the defaults (Sequential)", {}, true],
    ["Threshold", { analysis: 0 }, true],
    ["Comparative with its defaults", { analysis: 2 }, true],
    ["analysis 3", { analysis: 3 }, false],
    ["analysis 255", { analysis: 255 }, false],
    ["Sequential, slope 0", { seqSlopePpm: 0 }, false],
    ["Sequential, threshold 0", { seqInterceptPpm: 0n }, false],
    ["Threshold with slope 0 and threshold 0 (seq* unused)", { analysis: 0, seqSlopePpm: 0, seqInterceptPpm: 0n }, true],
    ["Comparative with slope 0 (seq* unused)", { analysis: 2, seqSlopePpm: 0, seqInterceptPpm: 0n }, true],
    ["Comparative, k = 0", { analysis: 2, compExcessPpm: 0, compLnRatioPpm: 0 }, false],
    ["Comparative, k = 9,000,001", { analysis: 2, compExcessPpm: 9_000_001 }, false],
    ["Comparative, k = 9,000,000, L = k", { analysis: 2, compExcessPpm: 9_000_000, compLnRatioPpm: 9_000_000 }, true],
    ["Comparative, k = 1, L = 1", { analysis: 2, compExcessPpm: 1, compLnRatioPpm: 1 }, true],
    ["Comparative, L = 0", { analysis: 2, compLnRatioPpm: 0 }, false],
    ["Comparative, L = k + 1", { analysis: 2, compExcessPpm: 500, compLnRatioPpm: 501 }, false],
    ["Comparative, threshold 0", { analysis: 2, compThresholdPpm: 0n }, false],
    ["Sequential with comp* out of range (comp* unused)", { compExcessPpm: 0, compLnRatioPpm: 7, compThresholdPpm: 0n }, true],
    ["floors: any (0 and 2^64−1)", { seqFloorPpm: 0n, compFloorPpm: U }, true],
  ] as const)("%s → %s", (_what, patch, ok) => {
    expect(validPolicy({ ...base, ...patch })).toBe(ok);
  });
});

// ------------------------------------------------------------------ through apply()

const height = { height: 10 };
function setup(policy: Record<string, unknown> = {}): ModelState {
  let s = initialState();
  const go = (method: string, args: Record<string, unknown>, who: Uint8Array) => {
    const o = apply(s, { method, args, sender: who, witnesses: [who] }, height);
    expect(o.code, method).toBe(0);
    s = o.state;
  };
  go("init", { admin: ADMIN }, ADMIN);
  go("grantRole", { role: 1, account: OPERATOR }, ADMIN);
  go("grantRole", { role: 3, account: REPORTER }, ADMIN);
  go("createFeature", { name: "f", description: "", policy: { ...DEFAULTS, steps: [], ...policy } }, OPERATOR);
  return s;
}
function call(s: ModelState, method: string, args: Record<string, unknown>, who: Uint8Array = REPORTER) {
  return apply(s, { method, args: { name: "f", ...args }, sender: who, witnesses: [who] }, height);
}
const view = (s: ModelState) => call(s, "getFeature", {}).result as Record<string, unknown>;
const run = (s: ModelState) => {
  const v = view(s);
  return [v.runSuccesses, v.runErrors, v.baseSuccesses, v.baseErrors, v.statistic];
};
const cohorts = (cs: bigint, ce: bigint, bs: bigint, be: bigint) => ({ canarySuccesses: cs, canaryErrors: ce, baseSuccesses: bs, baseErrors: be });

describe("run counters, baseline counters and the statistic through apply()", () => {
  it("recordCohorts is a Reporter's, FeatureDisabled on a Disabled feature (nothing counted)", () => {
    const s = setup();
    expect(call(s, "recordCohorts", cohorts(1n, 0n, 1n, 0n), OPERATOR).code).toBe(4);
    const o = call(s, "recordCohorts", cohorts(1n, 0n, 1n, 0n));
    expect(o.code).toBe(12);
    expect(run(o.state)).toEqual([0n, 0n, 0n, 0n, 0n]);
  });

  it("Sequential: recordCohorts counts its canary part as recordBatch (T moves), its baseline part only in the baseline counters", () => {
    let s = setup({ minSamples: 1000 });
    s = call(s, "startCanary", { bps: 100 }, OPERATOR).state;
    s = call(s, "recordCohorts", cohorts(9n, 1n, 500n, 30n)).state;
    expect(run(s)).toEqual([9n, 1n, 500n, 30n, 1_000_000n - 10n * 14435n]);
    const m = call(s, "getMetrics", {}).result as Record<string, bigint>;
    expect([m.totalOperations, m.successfulOps, m.failedOps]).toEqual([10n, 9n, 1n]);
    expect(view(s).windowSuccesses).toBe(9n);
  });

  it("Threshold: the statistic stays 0; the counters count", () => {
    let s = setup({ analysis: 0, maxErrorRateBps: 10000 });
    s = call(s, "startCanary", { bps: 100 }, OPERATOR).state;
    s = call(s, "recordCohorts", cohorts(3n, 2n, 5n, 5n)).state;
    s = call(s, "recordBatch", { successes: 1n, errors: 1n }).state;
    expect(run(s)).toEqual([4n, 3n, 5n, 5n, 0n]);
  });

  it("Comparative: recordSuccess/Error/Batch count but move S by nothing; recordCohorts moves S", () => {
    let s = setup({ analysis: 2, minSamples: 1000 });
    s = call(s, "startCanary", { bps: 100 }, OPERATOR).state;
    s = call(s, "recordError", {}).state;
    s = call(s, "recordBatch", { successes: 5n, errors: 5n }).state;
    expect(run(s)).toEqual([5n, 6n, 0n, 0n, 0n]);
    s = call(s, "recordCohorts", cohorts(99n, 1n, 100n, 0n)).state;
    expect(run(s)).toEqual([104n, 7n, 100n, 0n, 286897n]);
  });

  it("gating: S ≥ A fires only once run samples ≥ max(minSamples, 1); then ErrorRate", () => {
    // A = 1 (tiny), minSamples = 12: one canary error on 2 + 10 samples.
    let s = setup({ analysis: 2, compThresholdPpm: 1n, minSamples: 12 });
    s = call(s, "startCanary", { bps: 100 }, OPERATOR).state;
    s = call(s, "recordCohorts", cohorts(0n, 1n, 1n, 0n)).state; // run samples 1 < 12, S > 0
    expect(view(s).status).toBe(1);
    expect((view(s).statistic as bigint) > 0n).toBe(true);
    // recordBatch moves S by nothing under Comparative but adds run samples: 1 + 11 = 12 → fires.
    const o = call(s, "recordBatch", { successes: 11n, errors: 0n });
    expect(o.events.map((e) => e.name)).toEqual(["StatusChanged"]);
    expect(view(o.state).status).toBe(4);
    expect(view(o.state).rollbackReason).toBe(1);
  });

  it("minSamples 0 gates like 1: the first report may fire", () => {
    let s = setup({ seqInterceptPpm: 900_000n, minSamples: 0 });
    s = call(s, "startCanary", { bps: 100 }, OPERATOR).state;
    const o = call(s, "recordError", {});
    expect(view(o.state).rollbackReason).toBe(1);
  });

  it("a threshold above i64's maximum never fires (T is clamped to i64)", () => {
    let s = setup({ seqInterceptPpm: U, minSamples: 1 });
    s = call(s, "startCanary", { bps: 100 }, OPERATOR).state;
    s = call(s, "recordBatch", { successes: 0n, errors: U }).state;
    expect(view(s).statistic).toBe(I64_MAX);
    expect(view(s).status).toBe(1);
  });

  it("resets: steps keep T; updatePolicy resets it only for analysis or a seq*/comp* field; startCanary and enable reset everything", () => {
    let s = setup({ incrementBlocks: 1, minSamples: 1, minSuccessCount: 0n });
    s = call(s, "startCanary", { bps: 100 }, OPERATOR).state;
    s = call(s, "recordCohorts", cohorts(50n, 1n, 7n, 1n)).state;
    const t = 1_000_000n - 51n * 14435n;
    expect(run(s)).toEqual([50n, 1n, 7n, 1n, t]);
    s = call(s, "startRollout", { targetBps: 10000 }, OPERATOR).state;
    s = call(s, "recordSuccess", {}).state;
    s = apply(s, { method: "onPersist", args: {}, sender: ADMIN, witnesses: [] }, { height: 11 }).state; // a step
    expect(view(s).rolloutBps).toBe(1100);
    expect(run(s)).toEqual([51n, 1n, 7n, 1n, t - 14435n]);
    const pol = (patch: Record<string, unknown>) => ({ policy: { ...(view(s).policy as object), ...patch } });
    s = call(s, "updatePolicy", pol({ minSamples: 2, maxErrorRateBps: 5 }), OPERATOR).state;
    expect(run(s)).toEqual([51n, 1n, 7n, 1n, t - 14435n]);
    for (const patch of [{ compThresholdPpm: 5n }, { seqFloorPpm: 1n }, { analysis: 0 }]) {
      let u = call(s, "recordError", {}).state;
      expect(view(u).statistic).not.toBe(0n);
      const o = call(u, "updatePolicy", pol(patch), OPERATOR);
      expect(o.code).toBe(0);
      u = o.state;
      expect(run(u)).toEqual([51n, 2n, 7n, 1n, 0n]);
    }
    const e = call(s, "enable", {}, OPERATOR).state;
    expect(run(e)).toEqual([0n, 0n, 0n, 0n, 0n]);
    const r = call(s, "rollback", { reason: 0 }, OPERATOR).state;
    expect(run(r)).toEqual([51n, 1n, 7n, 1n, t - 14435n]); // a rollback keeps the run for inspection
    expect(run(call(r, "startCanary", { bps: 5 }, OPERATOR).state)).toEqual([0n, 0n, 0n, 0n, 0n]);
  });

  it("u64 saturation: run and baseline counters stop at 2^64 − 1", () => {
    let s = setup({ analysis: 2, minSamples: 1 });
    s = call(s, "startCanary", { bps: 100 }, OPERATOR).state;
    for (let i = 0; i < 2; i++) s = call(s, "recordCohorts", cohorts(U, 0n, U, U)).state;
    expect(run(s)).toEqual([U, 0n, U, U, -5780744n]);
  });

  it("in Enabled (A14): the run counts and T moves; nothing fires", () => {
    let s = setup({ seqInterceptPpm: 1n, minSamples: 1 });
    s = call(s, "enable", {}, OPERATOR).state;
    s = call(s, "recordCohorts", cohorts(0n, 3n, 1n, 1n)).state;
    expect(run(s)).toEqual([0n, 3n, 1n, 1n, 3_000_000n - 3n * 14435n]);
    expect(view(s).status).toBe(3);
  });
});

// ------------------------------------------------------------------ what the property tests' sequences reach

import fc from "fast-check";
import { runModel } from "./_harness.ts";
import { defaultRegressionScenario, statScenarioArb } from "./_stats.ts";

describe("the statistics property tests' generator reaches every case it claims (measured on the model)", () => {
  it("over 120 sampled sequences: n_c = 0, n_b = 0, no errors, u64 extremes (sums above 2^64 − 1), saturation, floors, clamps, thresholds crossed, steps", () => {
    const seen: Record<string, number> = {};
    const hit = (k: string) => void (seen[k] = (seen[k] ?? 0) + 1);
    for (const sc of fc.sample(statScenarioArb(), { seed: 2026, numRuns: 120 })) {
      for (const st of runModel(sc)) {
        const c = st.cmd;
        if (c.t === "call" && c.method === "recordBatch" && st.code === 0) {
          const a = c.args as Record<string, bigint>;
          if (a.successes! + a.errors! > U) hit("n above 2^64 − 1");
        }
        if (c.t === "call" && c.method === "recordCohorts" && st.code === 0) {
          const a = c.args as Record<string, bigint>;
          const nc = a.canarySuccesses! + a.canaryErrors!;
          const nb = a.baseSuccesses! + a.baseErrors!;
          if (nc === 0n) hit("n_c = 0");
          if (nb === 0n) hit("n_b = 0");
          if (a.canaryErrors! + a.baseErrors! === 0n) hit("no errors");
          if (a.canaryErrors! > 0n && a.canaryErrors === a.baseErrors) hit("shared errors");
          if ([a.canarySuccesses, a.canaryErrors, a.baseSuccesses, a.baseErrors].includes(U)) hit("a 2^64 − 1 count");
          if (nc > U) hit("n_c above 2^64 − 1");
        }
        for (const f of Object.values(st.state.features)) {
          const p = f.policy;
          const t = f.run.statistic;
          if (f.run.successes === U || f.run.errors === U) hit("run counter saturated");
          if (f.run.baseSuccesses === U || f.run.baseErrors === U) hit("baseline counter saturated");
          if (t === I64_MIN) hit("clamped at i64 min");
          if (t === I64_MAX) hit("clamped at i64 max");
          if (p.analysis === 1 && p.seqFloorPpm > 0n && t === -p.seqFloorPpm) hit("Sequential floor");
          if (p.analysis === 2 && p.compFloorPpm > 0n && t === -p.compFloorPpm) hit("Comparative floor");
          if (f.status === 2 && f.rolloutBps > 500) hit("stepped");
        }
        for (const e of st.events)
          if (e.name === "StatusChanged" && e.data.reason === 1) hit(`ErrorRate rollback (${st.state.features[e.data.name as string]!.policy.analysis === 1 ? "Sequential" : "Comparative"})`);
      }
    }
    if (process.env.STAT_COVERAGE) console.log(seen);
    for (const k of [
      "n_c = 0", "n_b = 0", "no errors", "shared errors", "a 2^64 − 1 count", "n above 2^64 − 1", "n_c above 2^64 − 1", "run counter saturated", "baseline counter saturated",
      "clamped at i64 min", "clamped at i64 max", "Sequential floor", "Comparative floor", "stepped",
      "ErrorRate rollback (Sequential)", "ErrorRate rollback (Comparative)",
    ])
      expect(seen[k] ?? 0, `${k} (seen: ${JSON.stringify(seen)})`).toBeGreaterThan(0);
  }, 60_000);

  it("the fixed default-policy run: the Sequential floor is reached while healthy; both features roll back (ErrorRate) only after the regression begins", () => {
    let blocks = 0;
    const firstRollback: Record<string, number> = {};
    let floor = false;
    for (const st of runModel(defaultRegressionScenario())) {
      if (st.cmd.t === "gap") blocks++;
      if (blocks < 20 && st.state.features.a?.run.statistic === -8219462n) floor = true;
      for (const e of st.events) if (e.name === "StatusChanged" && e.data.to === 4) firstRollback[e.data.name as string] ??= blocks;
      for (const e of st.events) if (e.name === "StatusChanged" && e.data.to === 4) expect(e.data.reason).toBe(1);
    }
    expect(floor).toBe(true);
    expect(firstRollback.a).toBeGreaterThanOrEqual(20);
    expect(firstRollback.b).toBeGreaterThanOrEqual(20);
  });
});
