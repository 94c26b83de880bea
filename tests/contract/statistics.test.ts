// Revision 2's statistics (SPEC section 5) through the module, table-driven: known report
// sequences with the statistic after every report worked out by hand (Sequential T, Comparative
// S), the skips (n_c = 0, n_b = 0, no errors), u64 extremes, the floor and the i64 clamps,
// the resets, the gating on run samples, and recordCohorts under each analysis. A named test
// per rule. The randomized module-vs-model comparison is tests/model (r2m).

import { describe, expect, it } from "vitest";
import { Analysis, RollbackReason, Status, type PolicyInput } from "../../src/client/index.ts";
import { OPERATOR, REPORTER } from "../helpers/contract.ts";
import {
  LAX,
  U32_MAX,
  U64_MAX,
  canary,
  chainAt,
  closeBlock,
  cohorts,
  feature,
  lastHistory,
  ok,
  rollingOut,
  runOf,
  statusChanges,
  walkTo,
} from "./_health_helpers.ts";
import type { Fixture } from "../helpers/contract.ts";

const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);
const ER = RollbackReason.ErrorRate;

type Report =
  | "success"
  | "error"
  | { batch: [bigint | number, bigint | number] }
  | { cohorts: [bigint | number, bigint | number, bigint | number, bigint | number] }
  | { latency: number };

const batch = (s: bigint | number, e: bigint | number): Report => ({ batch: [s, e] });
const co = (cs: bigint | number, ce: bigint | number, bs: bigint | number, be: bigint | number): Report => ({ cohorts: [cs, ce, bs, be] });

function send(fx: Fixture, name: string, r: Report) {
  if (r === "success") return fx.client.recordSuccess(REPORTER, name);
  if (r === "error") return fx.client.recordError(REPORTER, name);
  if ("batch" in r) return fx.client.recordBatch(REPORTER, name, r.batch[0], r.batch[1]);
  if ("latency" in r) return fx.client.recordLatency(REPORTER, name, r.latency);
  return cohorts(fx, name, ...r.cohorts);
}

/** One report and what follows it: the statistic, and whether it rolled back (ErrorRate). */
type Step = [Report, bigint, "fires"?];

interface Sequence {
  title: string;
  policy: PolicyInput;
  steps: Step[];
}

/** Runs the steps on a Canary (or RollingOut) feature under `policy` (other rules lax). */
function run(seq: Sequence, mode: "Canary" | "RollingOut"): void {
  const fx = chainAt(10);
  const policy = { ...LAX, minSamples: 0, ...seq.policy };
  if (mode === "Canary") canary(fx, "f", policy);
  else rollingOut(fx, "f", { ...policy, minSuccessCount: 0 });
  const status = mode === "Canary" ? Status.Canary : Status.RollingOut;
  seq.steps.forEach(([r, t, fires], i) => {
    const res = ok(send(fx, "f", r));
    const f = feature(fx.client, "f");
    expect(f.statistic, `statistic after report ${i + 1}`).toBe(t);
    if (fires) {
      expect(f, `report ${i + 1} rolls back`).toMatchObject({ status: Status.RolledBack, rollbackReason: ER, rolloutBps: 0 });
      expect(statusChanges(res.rawEvents)).toEqual([{ name: "f", from: status, to: Status.RolledBack, rolloutBps: 0, reason: ER }]);
      expect(lastHistory(fx.client, "f")).toMatchObject({ from: status, to: Status.RolledBack, reason: ER });
      expect(i, "a rollback ends the sequence").toBe(seq.steps.length - 1);
    } else {
      expect(f.status, `report ${i + 1} keeps the feature ${mode}`).toBe(status);
      expect(res.events).toEqual([]);
    }
  });
}

function table(title: string, sequences: Sequence[]): void {
  describe(title, () => {
    for (const mode of ["Canary", "RollingOut"] as const) {
      describe(`in ${mode}`, () => {
        it.each(sequences)("$title", (seq) => run(seq, mode));
      });
    }
  });
}

// ------------------------------------------------------------------ Sequential

// s = 1 % (10000 ppm), h = 2 (2000000 ppm), F = 3 (3000000 ppm): an error adds 990000, a success
// takes 10000.
const SEQ: PolicyInput = { analysis: Analysis.Sequential, seqSlopePpm: 10000, seqInterceptPpm: 2_000_000n, seqFloorPpm: 3_000_000n };
// SPEC's defaults: s = 14435, h = 4109731, F = 8219462.
const SEQ_DEFAULT: PolicyInput = { analysis: Analysis.Sequential };

table("Sequential: T := max(T + e × 10^6 − seqSlopePpm × n, −seqFloorPpm), exact then clamped to i64; ErrorRate when run samples ≥ max(minSamples, 1) and T ≥ seqInterceptPpm", [
  {
    title: "s 1 %, h 2, F 3: success −10000, error +990000, a batch at exactly 1 % moves nothing, the floor holds, the 6th error from the floor fires",
    policy: SEQ,
    steps: [
      ["success", -10_000n],
      ["error", 980_000n],
      [batch(990, 10), 980_000n],
      [batch(300, 0), -2_020_000n],
      [batch(200, 0), -3_000_000n], // −4020000 floored
      [batch(1_000_000, 0), -3_000_000n], // stays on the floor
      ["error", -2_010_000n],
      [batch(0, 4), 1_950_000n],
      ["error", 2_940_000n, "fires"],
    ],
  },
  {
    title: "equality fires: T = h exactly (2 + 1 % × 1000 = 12 errors in 1000 samples)",
    policy: SEQ,
    steps: [[batch(988, 12), 2_000_000n, "fires"]],
  },
  {
    title: "one below: 11 errors in 1000 samples then a success (T = 1000000 then 990000)",
    policy: SEQ,
    steps: [[batch(989, 11), 1_000_000n], ["success", 990_000n]],
  },
  {
    title: "SPEC defaults: 4 errors alone are healthy (T = 3942260), the 5th fires (4927825 ≥ 4109731)",
    policy: SEQ_DEFAULT,
    steps: [[batch(0, 4), 3_942_260n], ["error", 4_927_825n, "fires"]],
  },
  {
    title: "floor 0: successes bank no credit at all, T stays 0; 3 errors in a row from 0 fire (s 1 %)",
    policy: { ...SEQ, seqFloorPpm: 0n },
    steps: [[batch(1_000_000, 0), 0n], ["success", 0n], ["error", 990_000n], ["error", 1_980_000n], ["error", 2_970_000n, "fires"]],
  },
  {
    title: "n is exact, not saturated: 2^64 − 1 successes and 2^64 − 1 errors at slope 50 % move T by exactly 0",
    policy: { ...SEQ, seqSlopePpm: 500_000 },
    steps: [[batch(U64_MAX, U64_MAX), 0n], ["error", 500_000n]],
  },
  {
    title: "u64 extremes: 2^64 − 1 errors at slope 1 clamp T at 2^63 − 1 (threshold 2^63 − 1 fires)",
    policy: { ...SEQ, seqSlopePpm: 1, seqInterceptPpm: I64_MAX },
    steps: [[batch(0, U64_MAX), I64_MAX, "fires"]],
  },
  {
    title: "a threshold above 2^63 − 1 is never reached: T clamped at 2^63 − 1 stays healthy",
    policy: { ...SEQ, seqSlopePpm: 1, seqInterceptPpm: 1n << 63n },
    steps: [[batch(0, U64_MAX), I64_MAX], [batch(0, U64_MAX), I64_MAX], ["success", I64_MAX - 1n]],
  },
  {
    title: "u64 extremes: 2^64 − 1 successes at slope 100 % with floor 2^64 − 1 clamp T at −2^63",
    policy: { ...SEQ, seqSlopePpm: 1_000_000, seqFloorPpm: U64_MAX },
    steps: [[batch(U64_MAX, 0), I64_MIN], [batch(U64_MAX, U64_MAX), I64_MIN], ["error", I64_MIN]],
  },
  {
    title: "floor 2^63 exactly: T floors at −2^63 (the i64 minimum, no clamp needed)",
    policy: { ...SEQ, seqSlopePpm: 1_000_000, seqFloorPpm: 1n << 63n },
    steps: [[batch(U64_MAX, 0), I64_MIN], [batch(0, 1), I64_MIN]],
  },
  {
    title: "a latency report moves nothing",
    policy: SEQ,
    steps: [["error", 990_000n], [{ latency: 7 }, 990_000n]],
  },
  {
    title: "recordCohorts on a Sequential feature: T moves by the canary part only",
    policy: SEQ,
    steps: [[co(990, 10, 0, 500), 0n], [co(0, 1, 1000, 0), 990_000n], [co(0, 0, 0, U64_MAX), 990_000n], [co(97, 3, 5, 5), 2_990_000n, "fires"]],
  },
]);

// ------------------------------------------------------------------ Comparative

// SPEC's defaults: k = 1000000 (r = 2), L = 693147, A = 2890372, F = 5780744.
const COMP: PolicyInput = { analysis: Analysis.Comparative };

// Equal cohorts: q = 500000, x = 500000, c = ⌈500000 × 6500000 / 8000000⌉ = 406250.
// One canary in 100: q = 10000, x = 10000, c = ⌈10000 × 6010000 / 6040000⌉ = 9951 (ln 1.01 = 9950.33).
// One in 3: q = 333334, x = 333334, c = 287880. k = 9000000 (r = 10), n_c 3 of 4: q = 750000,
// x = 6750000, c = 2607955.
table("Comparative: S := max(S + e_c·L − (e_c + e_b)·c, −compFloorPpm), exact then clamped to i64; ErrorRate when run samples ≥ max(minSamples, 1) and S ≥ compThresholdPpm", [
  {
    title: "equal cohorts (c = 406250): equal errors move S down, a canary at 5× its baseline moves it up, the 4th such report fires",
    policy: COMP,
    steps: [
      [co(95, 5, 95, 5), -596_765n], // 5 × 693147 − 10 × 406250
      [co(98, 2, 98, 2), -835_471n], // − 238706
      [co(90, 10, 98, 2), 1_220_999n], // + 6931470 − 4875000
      [co(90, 10, 98, 2), 3_277_469n, "fires"],
    ],
  },
  {
    title: "a shared outage (both cohorts at 3 %, equal traffic) moves S down: −358059 per report, to the floor",
    policy: COMP,
    steps: [
      [co(97, 3, 97, 3), -358_059n],
      [co(97, 3, 97, 3), -716_118n],
      [co(9_700, 300, 9_700, 300), -5_780_744n], // −36522018 floored at −F
      [co(97, 3, 97, 3), -5_780_744n],
    ],
  },
  {
    title: "S stays when n_c = 0, n_b = 0 or e_c + e_b = 0",
    policy: COMP,
    steps: [
      [co(0, 0, 50, 5), 0n], // n_c = 0
      [co(10, 5, 0, 0), 0n], // n_b = 0
      [co(100, 0, 100, 0), 0n], // no errors
      [co(0, 0, 0, 0), 0n],
      [co(0, 1, 99, 0), 683_196n], // 693147 − 9951: q = 10000, c = 9951
      [co(0, 0, U64_MAX, U64_MAX), 683_196n],
      [co(U64_MAX, 0, U64_MAX, 0), 683_196n],
    ],
  },
  {
    title: "recordSuccess, recordError and recordBatch move S by nothing",
    policy: COMP,
    steps: [["error", 0n], [batch(0, 1000), 0n], ["success", 0n], [co(0, 1, 2, 0), 405_267n]], // 693147 − 287880
  },
  {
    title: "r = 10 (k = 9000000, L = 2302585): n_c 3 of 4, c = 2607955",
    policy: { ...COMP, compExcessPpm: 9_000_000, compLnRatioPpm: 2_302_585, compThresholdPpm: 2_000_000n },
    steps: [[co(2, 1, 1, 0), -305_370n], [co(2, 1, 0, 1), -3_218_695n], [co(0, 3, 1, 0), -4_134_805n]],
  },
  {
    title: "u64 extremes: all four counts 2^64 − 1 (n_c = n_b = 2^65 − 2, q = 500000) floor S at −F",
    policy: COMP,
    steps: [[co(U64_MAX, U64_MAX, U64_MAX, U64_MAX), -5_780_744n]],
  },
  {
    title: "u64 extremes: floor 2^64 − 1 lets S fall to the i64 clamp −2^63",
    policy: { ...COMP, compFloorPpm: U64_MAX },
    steps: [[co(U64_MAX, U64_MAX, U64_MAX, U64_MAX), I64_MIN], [co(0, 1, 1, 0), I64_MIN + 286_897n]], // 693147 − 406250
  },
  {
    title: "u64 extremes: 2^64 − 1 canary errors against as many baseline successes clamp S at 2^63 − 1 and fire",
    policy: COMP,
    steps: [[co(0, U64_MAX, U64_MAX, 0), I64_MAX, "fires"]],
  },
  {
    title: "n_c + n_b past 2^64, unequal (q = 666667, c = 512821): the 128-bit division",
    policy: COMP,
    steps: [[co(U64_MAX - 5n, 5, 1n << 63n, 1), 388_809n]], // 5 × 693147 − 6 × 512821
  },
  {
    title: "a canary of 2^65 − 2 samples against 1 baseline sample: q = 10^6, x = 10^6, c = 700000 > L: S falls to the floor",
    policy: COMP,
    steps: [[co(U64_MAX, U64_MAX, 0, 1), -5_780_744n]],
  },
  {
    title: "a tiny canary (1 in 10^6 + 1): q = 1, x = 1, c = 1",
    policy: { ...COMP, compThresholdPpm: 693_146n },
    steps: [[co(0, 1, 1_000_000, 0), 693_146n, "fires"]],
  },
]);

// ------------------------------------------------------------------ named rules

describe("Statistics: the named rules", () => {
  it("seed defect 12 (the floor): after 100,000 healthy samples under the default policy, 13 consecutive errors fire (without the floor it would take 1,469)", () => {
    const fx = chainAt(10);
    canary(fx, "f", { ...LAX, ...SEQ_DEFAULT });
    ok(fx.client.recordBatch(REPORTER, "f", 100_000, 0));
    expect(feature(fx.client, "f").statistic).toBe(-8_219_462n);
    ok(fx.client.recordBatch(REPORTER, "f", 0, 12));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.Canary, statistic: 3_607_318n });
    ok(fx.client.recordError(REPORTER, "f"));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: ER, statistic: 4_592_883n });
    // The same run with the floor out of reach (2^64 − 1): 1,468 errors are not enough.
    canary(fx, "g", { ...LAX, ...SEQ_DEFAULT, seqFloorPpm: U64_MAX });
    ok(fx.client.recordBatch(REPORTER, "g", 100_000, 0));
    expect(feature(fx.client, "g").statistic).toBe(-1_443_500_000n);
    ok(fx.client.recordBatch(REPORTER, "g", 0, 1468));
    expect(feature(fx.client, "g")).toMatchObject({ status: Status.Canary, statistic: 3_309_420n });
    ok(fx.client.recordError(REPORTER, "g"));
    expect(feature(fx.client, "g")).toMatchObject({ status: Status.RolledBack, rollbackReason: ER, statistic: 4_294_985n });
  });

  it("gating: T ≥ h does not fire before max(minSamples, 1) run samples; the report that reaches them fires, even a success", () => {
    const fx = chainAt(10);
    canary(fx, "f", { ...LAX, ...SEQ, minSamples: 100 });
    ok(fx.client.recordBatch(REPORTER, "f", 0, 50));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.Canary, statistic: 49_500_000n, runErrors: 50n });
    ok(fx.client.recordBatch(REPORTER, "f", 49, 0));
    expect(feature(fx.client, "f").status).toBe(Status.Canary);
    ok(fx.client.recordSuccess(REPORTER, "f"));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: ER, runSuccesses: 50n, statistic: 49_000_000n });
  });

  it("gating counts run samples across steps (the window reset by a step does not hold the rule back)", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...LAX, ...SEQ, minSamples: 30, minSuccessCount: 0, incrementBlocks: 5 });
    ok(fx.client.recordBatch(REPORTER, "f", 0, 20)); // T = 19800000, 20 run samples: < 30
    walkTo(fx, H + 5);
    expect(feature(fx.client, "f").status).toBe(Status.RollingOut);
    ok(fx.client.updatePolicy(OPERATOR, "f", { ...LAX, ...SEQ, minSamples: 20, minSuccessCount: 0, incrementBlocks: 5 }));
    // The due step at H + 5: 20 run samples ≥ 20 and T ≥ h: ErrorRate at the step (actor none).
    closeBlock(fx, H + 6);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: ER, statistic: 19_800_000n });
    expect(lastHistory(fx.client, "f")).toMatchObject({ block: H + 5, reason: ER, actor: null });
  });

  it("gating (Comparative): run samples are the canary's only; the baseline's do not count", () => {
    const fx = chainAt(10);
    canary(fx, "f", { ...LAX, ...COMP, minSamples: 200 });
    ok(cohorts(fx, "f", 90, 10, 1000, 0)); // q = 90910, x = 90910, S ≫ A; 100 run samples
    const f = feature(fx.client, "f");
    expect(f.status).toBe(Status.Canary);
    expect(f.statistic > 2_890_372n).toBe(true);
    ok(cohorts(fx, "f", 99, 0, 0, 0)); // 199: still below; S unchanged (n_b = 0)
    expect(feature(fx.client, "f").status).toBe(Status.Canary);
    ok(fx.client.recordSuccess(REPORTER, "f")); // 200 run samples: fires on a success report
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: ER });
  });

  it("steps do not reset T or S; the window is reset", () => {
    for (const policy of [SEQ, COMP]) {
      const fx = chainAt(10);
      const H = rollingOut(fx, "f", { ...LAX, ...policy, minSamples: 1, minSuccessCount: 0, incrementBlocks: 5 });
      ok(cohorts(fx, "f", 98, 2, 98, 1));
      const t = feature(fx.client, "f").statistic;
      expect(t).not.toBe(0n);
      walkTo(fx, H + 5);
      closeBlock(fx, H + 6);
      expect(feature(fx.client, "f")).toMatchObject({ rolloutBps: 1500, windowSuccesses: 0n, statistic: t });
    }
  });

  it("resets: startCanary and enable set the statistic to 0; rollback, disable, pause and resume keep it", () => {
    const fx = chainAt(10);
    canary(fx, "f", { ...LAX, ...SEQ });
    ok(fx.client.recordError(REPORTER, "f"));
    ok(fx.client.pause(OPERATOR, "f"));
    ok(fx.client.resume(OPERATOR, "f"));
    expect(feature(fx.client, "f").statistic).toBe(990_000n);
    ok(fx.client.startCanary(OPERATOR, "f", 900));
    expect(feature(fx.client, "f").statistic).toBe(0n);
    ok(fx.client.recordError(REPORTER, "f"));
    ok(fx.client.rollback(OPERATOR, "f", "Manual"));
    expect(feature(fx.client, "f").statistic).toBe(990_000n);
    ok(fx.client.enable(OPERATOR, "f"));
    expect(feature(fx.client, "f").statistic).toBe(0n);
    ok(fx.client.recordError(REPORTER, "f"));
    ok(fx.client.disable(OPERATOR, "f"));
    expect(feature(fx.client, "f").statistic).toBe(990_000n);
    ok(fx.client.startCanary(OPERATOR, "f", 100));
    expect(runOf(fx.client, "f")).toEqual({ runSuccesses: 0n, runErrors: 0n, baseSuccesses: 0n, baseErrors: 0n, statistic: 0n });
  });

  it("resets: updatePolicy that changes analysis or any seq*/comp* field sets the statistic to 0; other fields keep it", () => {
    const base = { ...LAX, ...SEQ };
    const changes: [string, PolicyInput, boolean][] = [
      ["maxErrorRateBps", { maxErrorRateBps: 5 }, false],
      ["minSamples", { minSamples: 7 }, false],
      ["incrementBlocks", { incrementBlocks: 77 }, false],
      ["maxInvariantFailures", { maxInvariantFailures: 3 }, false],
      ["the same policy (no change at all)", {}, false],
      ["analysis (to Comparative)", { analysis: Analysis.Comparative }, true],
      ["analysis (to Threshold)", { analysis: Analysis.Threshold }, true],
      ["seqSlopePpm", { seqSlopePpm: 10001 }, true],
      ["seqInterceptPpm", { seqInterceptPpm: 2_000_001n }, true],
      ["seqFloorPpm", { seqFloorPpm: 3_000_001n }, true],
      ["compExcessPpm (not Sequential's own)", { compExcessPpm: 999_999 }, true],
      ["compLnRatioPpm", { compLnRatioPpm: 1 }, true],
      ["compThresholdPpm", { compThresholdPpm: 1n }, true],
      ["compFloorPpm", { compFloorPpm: 0n }, true],
    ];
    for (const [what, change, resets] of changes) {
      const fx = chainAt(10);
      canary(fx, "f", base);
      ok(fx.client.recordError(REPORTER, "f"));
      ok(fx.client.updatePolicy(OPERATOR, "f", { ...base, ...change }));
      expect(feature(fx.client, "f").statistic, what).toBe(resets ? 0n : 990_000n);
      expect(feature(fx.client, "f").runErrors, `${what}: the run counters stay`).toBe(1n);
    }
  });

  it("an updatePolicy that resets S: the next reports start from 0 (Comparative)", () => {
    const fx = chainAt(10);
    canary(fx, "f", { ...LAX, ...COMP });
    ok(cohorts(fx, "f", 90, 10, 98, 2));
    expect(feature(fx.client, "f").statistic).toBe(2_056_470n);
    ok(fx.client.updatePolicy(OPERATOR, "f", { ...LAX, ...COMP, compThresholdPpm: 3_000_000n }));
    expect(feature(fx.client, "f").statistic).toBe(0n);
    ok(cohorts(fx, "f", 90, 10, 98, 2));
    expect(feature(fx.client, "f").statistic).toBe(2_056_470n);
  });

  it("Threshold: the statistic stays 0 whatever is reported (recordCohorts' baseline in the baseline counters only)", () => {
    const fx = chainAt(10);
    canary(fx, "f", { ...LAX });
    for (const r of ["error", batch(5, 50), co(3, 30, 10, 1), co(0, U64_MAX, U64_MAX, 0)] as Report[]) ok(send(fx, "f", r));
    expect(runOf(fx.client, "f")).toMatchObject({ statistic: 0n, baseSuccesses: U64_MAX, baseErrors: 1n });
  });

  it("Enabled: T and S still move (the run goes on), no automatic rollback fires (DESIGN.md)", () => {
    for (const [policy, report, t] of [
      [SEQ, batch(0, 10), 9_900_000n],
      [COMP, co(0, 20, 100, 0), 10_779_600n], // q = 166667: 20 × (693147 − 154167)
    ] as const) {
      const fx = chainAt(10);
      ok(fx.client.createFeature(OPERATOR, "f", "", { ...LAX, ...policy, minSamples: 0 }));
      ok(fx.client.enable(OPERATOR, "f"));
      ok(send(fx, "f", report));
      const f = feature(fx.client, "f");
      expect(f.status).toBe(Status.Enabled);
      expect(f.statistic).toBe(t);
    }
  });

  it("at a due step the statistic rule is checked (Comparative), with the due step's wait rule unchanged otherwise", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...LAX, ...COMP, minSamples: U32_MAX, minSuccessCount: 0, incrementBlocks: 5 });
    ok(cohorts(fx, "f", 90, 10, 98, 2));
    ok(cohorts(fx, "f", 90, 10, 98, 2)); // S = 4112940 ≥ A, but 200 run samples < minSamples
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, statistic: 4_112_940n });
    walkTo(fx, H + 5);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 500 }); // waits: too few window samples
    ok(fx.client.updatePolicy(OPERATOR, "f", { ...LAX, ...COMP, minSamples: 200, minSuccessCount: 0, incrementBlocks: 5 }));
    expect(feature(fx.client, "f").status, "updatePolicy does not re-evaluate health").toBe(Status.RollingOut);
    closeBlock(fx, H + 6);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: ER });
    expect(lastHistory(fx.client, "f")).toMatchObject({ block: H + 5, from: Status.RollingOut, reason: ER, actor: null });
  });

  it("a paused feature's rule stays armed: a report that brings T to h rolls it back", () => {
    const fx = chainAt(10);
    canary(fx, "f", { ...LAX, ...SEQ, minSamples: 0 });
    ok(fx.client.pause(OPERATOR, "f"));
    ok(fx.client.recordBatch(REPORTER, "f", 0, 3));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: ER, statistic: 2_970_000n });
  });
});
