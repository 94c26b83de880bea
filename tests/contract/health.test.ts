// Health rules of SPEC section 5, each at its exact boundary (one below, at, one above), in
// Canary and in RollingOut, checked after a report and at a due step.
//
// "At a due step": the reports are made under rules that cannot fire (LAX, and minSamples
// 2^32 − 1 so that the error-rate rule of the case's analysis waits for samples), then the
// policy is tightened with updatePolicy (DESIGN.md: health is not re-evaluated until the next
// report or due step), and the step that falls due in onPersist gives the verdict. The
// analysis and its seq* fields stay as the case has them throughout: an updatePolicy that
// changed them would restart the Sequential statistic (SPEC section 5).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Analysis, RollbackReason, Status, sequentialConstants, type PolicyInput } from "../../src/client/index.ts";
import { Chain } from "../../src/host/index.ts";
import { CanaryClient } from "../../src/client/index.ts";
import { GUARDIAN, OPERATOR, OUTSIDER, REPORTER, releaseWasm, type Fixture } from "../helpers/contract.ts";
import {
  LAX,
  U32_MAX,
  U64_MAX,
  canary,
  chainAt,
  closeBlock,
  feature,
  hex,
  history,
  lastHistory,
  ok,
  rollingOut,
  statusChanges,
  walkTo,
} from "./_health_helpers.ts";

// ------------------------------------------------------------------ reports

type Report =
  | { batch: [bigint | number, bigint | number] }
  | { latency: bigint | number }
  | { invariant: boolean }
  | "success"
  | "error";

function send(fx: Fixture, name: string, r: Report) {
  const c = fx.client;
  if (r === "success") return c.recordSuccess(REPORTER, name);
  if (r === "error") return c.recordError(REPORTER, name);
  if ("batch" in r) return c.recordBatch(REPORTER, name, r.batch[0], r.batch[1]);
  if ("latency" in r) return c.recordLatency(REPORTER, name, r.latency);
  return c.recordInvariant(REPORTER, name, r.invariant);
}

const batch = (s: bigint | number, e: bigint | number): Report => ({ batch: [s, e] });
const lat = (v: bigint | number): Report => ({ latency: v });
const inv = (okay: boolean): Report => ({ invariant: okay });

interface Case {
  title: string;
  policy: PolicyInput;
  /** Reports that must leave the feature healthy. */
  before?: Report[];
  /** The report at the boundary. */
  last: Report;
  /** The rollback reason the last report gives, or null for none. */
  fires: RollbackReason | null;
  /**
   * false: not run at a due step (a Sequential case with 2^32 − 1 run samples or more, which
   * no minSamples can hold back while the reports are made).
   */
  dueStep?: boolean;
}

/** Window samples after all of a case's reports (saturating, as the contract counts). */
function windowSamples(c: Case): bigint {
  let n = 0n;
  for (const r of [...(c.before ?? []), c.last]) {
    if (typeof r === "object" && "batch" in r) n += BigInt(r.batch[0]) + BigInt(r.batch[1]);
    else if (r === "success" || r === "error") n += 1n;
  }
  return n > U64_MAX ? U64_MAX : n;
}

const MODES = [
  { mode: "Canary", status: Status.Canary },
  { mode: "RollingOut", status: Status.RollingOut },
] as const;

/** Runs a case after reports: the feature in `status`, the case's policy, reports one by one. */
function afterReports(c: Case, status: Status): void {
  const fx = chainAt(10);
  const policy = { minSuccessCount: 0, ...c.policy };
  if (status === Status.Canary) canary(fx, "f", policy);
  else rollingOut(fx, "f", policy);
  const bps = feature(fx.client, "f").rolloutBps;
  const seqBefore = history(fx.client, "f").length;
  for (const r of c.before ?? []) {
    const res = ok(send(fx, "f", r));
    expect(res.events, "a report that changes no status emits nothing").toEqual([]);
    expect(feature(fx.client, "f").status, "still healthy before the boundary report").toBe(status);
  }
  const res = ok(send(fx, "f", c.last));
  const f = feature(fx.client, "f");
  if (c.fires === null) {
    expect(f.status).toBe(status);
    expect(f.rolloutBps).toBe(bps);
    expect(f.rollbackReason).toBeNull();
    expect(res.events).toEqual([]);
    expect(history(fx.client, "f").length).toBe(seqBefore);
  } else {
    expect(f.status).toBe(Status.RolledBack);
    expect(f.rollbackReason).toBe(c.fires);
    expect(f.rolloutBps).toBe(0);
    expect(statusChanges(res.rawEvents)).toEqual([{ name: "f", from: status, to: Status.RolledBack, rolloutBps: 0, reason: c.fires }]);
    const h = history(fx.client, "f");
    expect(h.length).toBe(seqBefore + 1);
    expect(h[h.length - 1]).toEqual({
      seq: seqBefore,
      block: 10,
      from: status,
      to: Status.RolledBack,
      rolloutBps: 0,
      reason: c.fires,
      actor: hex(REPORTER),
    });
  }
}

/**
 * Runs a case at a due step: RollingOut from height 10 with incrementBlocks 10 under LAX rules,
 * the reports, then updatePolicy to the case's rules; onPersist of block 20 gives the verdict.
 */
function atDueStep(c: Case): void {
  const fx = chainAt(10);
  const analysis = c.policy.analysis ?? Analysis.Threshold;
  const H = rollingOut(fx, "f", { ...c.policy, ...LAX, analysis, minSamples: U32_MAX, incrementBlocks: 10 });
  for (const r of [...(c.before ?? []), c.last]) ok(send(fx, "f", r));
  expect(feature(fx.client, "f").status).toBe(Status.RollingOut);
  ok(fx.client.updatePolicy(OPERATOR, "f", { minSuccessCount: 0, ...c.policy, analysis, incrementBlocks: 10 }));
  expect(feature(fx.client, "f").status, "updatePolicy does not re-evaluate health").toBe(Status.RollingOut);
  walkTo(fx, H + 10); // onPersist ran for blocks 10..19: not due
  expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 500 });
  const seqBefore = history(fx.client, "f").length;
  const br = closeBlock(fx, H + 11); // onPersist of block 20: due
  expect(br.onPersist.ok).toBe(true);
  const f = feature(fx.client, "f");
  if (c.fires === null) {
    expect(f.status).toBe(Status.RollingOut);
    const enough = windowSamples(c) >= BigInt(c.policy.minSamples ?? 100);
    expect(f.rolloutBps, enough ? "healthy with enough samples: advanced" : "healthy, too few samples: waits").toBe(enough ? 1500 : 500);
    expect(statusChanges(br.events)).toEqual([]);
  } else {
    expect(f).toMatchObject({ status: Status.RolledBack, rolloutBps: 0, rollbackReason: c.fires });
    expect(statusChanges(br.events)).toEqual([{ name: "f", from: Status.RollingOut, to: Status.RolledBack, rolloutBps: 0, reason: c.fires }]);
    const h = history(fx.client, "f");
    expect(h.length).toBe(seqBefore + 1);
    expect(h[h.length - 1]).toEqual({
      seq: seqBefore,
      block: H + 10,
      from: Status.RollingOut,
      to: Status.RolledBack,
      rolloutBps: 0,
      reason: c.fires,
      actor: null,
    });
  }
}

function suite(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const { mode, status } of MODES) {
      describe(`in ${mode}, after a report`, () => {
        it.each(cases)("$title", (c) => afterReports(c, status));
      });
    }
    describe("in RollingOut, at a due step (onPersist, actor none)", () => {
      it.each(cases.filter((c) => c.dueStep !== false))("$title", (c) => atDueStep(c));
    });
  });
}

// ------------------------------------------------------------------ the rules, as tables

const ER = RollbackReason.ErrorRate;

suite("Threshold: samples ≥ max(minSamples, 1) and errors × 10000 > maxErrorRateBps × samples → ErrorRate", [
  { title: "100 bps, 1000 samples, 9 errors: healthy (one below)", policy: { maxErrorRateBps: 100 }, last: batch(991, 9), fires: null },
  { title: "100 bps, 1000 samples, 10 errors: healthy (exactly 1 % is not above)", policy: { maxErrorRateBps: 100 }, last: batch(990, 10), fires: null },
  { title: "100 bps, 1000 samples, 11 errors: ErrorRate (one above)", policy: { maxErrorRateBps: 100 }, last: batch(989, 11), fires: ER },
  { title: "100 bps, 10/1000 then one error (11/1001): ErrorRate", policy: { maxErrorRateBps: 100 }, before: [batch(990, 10)], last: "error", fires: ER },
  { title: "100 bps, 10/1000 then one success (10/1001): healthy", policy: { maxErrorRateBps: 100 }, before: [batch(990, 10)], last: "success", fires: null },
  { title: "minSamples 1000: 999 samples, all errors: healthy (one below minSamples never fires)", policy: { minSamples: 1000 }, last: batch(0, 999), fires: null },
  { title: "minSamples 1000: 999 errors then one success (1000 samples): ErrorRate", policy: { minSamples: 1000 }, before: [batch(0, 999)], last: "success", fires: ER },
  { title: "minSamples 1000: 999 errors then one error (1000 samples): ErrorRate", policy: { minSamples: 1000 }, before: [batch(0, 999)], last: "error", fires: ER },
  { title: "minSamples 0 behaves as 1: a single error (1 sample) fires", policy: { minSamples: 0 }, last: "error", fires: ER },
  { title: "minSamples 1: a single error (1 sample) fires", policy: { minSamples: 1 }, last: "error", fires: ER },
  { title: "minSamples 0 behaves as 1: a single success is healthy", policy: { minSamples: 0 }, last: "success", fires: null },
  { title: "minSamples 0, 100 bps: 1 error in 100 samples is healthy", policy: { minSamples: 0 }, last: batch(99, 1), fires: null },
  { title: "minSamples 0, 100 bps: 1 error in 99 samples fires", policy: { minSamples: 0 }, last: batch(98, 1), fires: ER },
  { title: "0 bps: no errors in 100 samples is healthy", policy: { maxErrorRateBps: 0 }, last: batch(100, 0), fires: null },
  { title: "0 bps: one error in 100 samples fires", policy: { maxErrorRateBps: 0 }, last: batch(99, 1), fires: ER },
  { title: "10000 bps: all errors never fire", policy: { maxErrorRateBps: 10000 }, last: batch(0, 500), fires: null },
  { title: "100 bps at 10^19 samples (products past 2^64): 10^17 errors healthy", policy: {}, last: batch(10n ** 19n - 10n ** 17n, 10n ** 17n), fires: null },
  { title: "100 bps at 10^19 samples (products past 2^64): 10^17 + 1 errors fire", policy: {}, last: batch(10n ** 19n - 10n ** 17n - 1n, 10n ** 17n + 1n), fires: ER },
  { title: "5000 bps at 2 × 10^18 samples: half errors healthy, one more error fires", policy: { maxErrorRateBps: 5000, minSamples: 0 }, before: [batch(10n ** 18n, 10n ** 18n)], last: "error", fires: ER },
]);

const SPEC_SEQ = sequentialConstants(0.01, 0.02, 0.05, 0.1);
const SEQ = { analysis: 1, seqSlopePpm: SPEC_SEQ.seqSlopePpm, seqInterceptPpm: SPEC_SEQ.seqInterceptPpm } as const;
const SEQ_EXACT = { analysis: 1, seqSlopePpm: 10000, seqInterceptPpm: 2_000_000n } as const; // errors ≥ 2 + samples/100

describe("the SPEC example's Sequential constants", () => {
  it("sequentialConstants(0.01, 0.02, 0.05, 0.10) gives s = 0.014435, h = 4.110 (14435 ppm, 4109731 ppm)", () => {
    expect(SPEC_SEQ.seqSlopePpm).toBe(14435);
    expect(SPEC_SEQ.seqInterceptPpm).toBe(4109731n);
  });
});

// From T = 0, one report of n samples with e errors gives T = e × 10^6 − s × n (the floor only
// matters below 0), so a single report fires exactly when e × 10^6 ≥ h + s × n: these cases pin
// that boundary. Multi-report sequences with the floor are in statistics.test.ts.
suite("Sequential: run samples ≥ max(minSamples, 1) and T ≥ seqInterceptPpm → ErrorRate, T := max(T + e × 10^6 − seqSlopePpm × n, −seqFloorPpm)", [
  // SPEC constants: at 1000 samples the boundary is 18.544731 errors.
  { title: "SPEC constants, 1000 samples, 18 errors: healthy", policy: { ...SEQ }, last: batch(982, 18), fires: null },
  { title: "SPEC constants, 1000 samples, 19 errors: ErrorRate", policy: { ...SEQ }, last: batch(981, 19), fires: ER },
  // With 19 errors the boundary holds up to 1031 samples (18.992216) and not at 1032 (19.006651).
  { title: "SPEC constants, 19 errors in 1031 samples: ErrorRate", policy: { ...SEQ }, last: batch(1012, 19), fires: ER },
  { title: "SPEC constants, 19 errors in 1032 samples: healthy", policy: { ...SEQ }, last: batch(1013, 19), fires: null },
  { title: "SPEC constants, minSamples 0: 4 errors alone are healthy (4.167 needed)", policy: { ...SEQ, minSamples: 0 }, last: batch(0, 4), fires: null },
  { title: "SPEC constants, minSamples 0: 5 errors alone fire (4.182 needed)", policy: { ...SEQ, minSamples: 0 }, last: batch(0, 5), fires: ER },
  { title: "SPEC constants, minSamples 100: 99 errors alone never fire (one below minSamples)", policy: { ...SEQ, minSamples: 100 }, last: batch(0, 99), fires: null },
  { title: "SPEC constants, minSamples 100: 99 errors then a success (100 samples) fire", policy: { ...SEQ, minSamples: 100 }, before: [batch(0, 99)], last: "success", fires: ER },
  { title: "2 + 1 % × n, 1000 samples, 11 errors: healthy", policy: { ...SEQ_EXACT }, last: batch(989, 11), fires: null },
  { title: "2 + 1 % × n, 1000 samples, 12 errors: ErrorRate (equality fires: ≥)", policy: { ...SEQ_EXACT }, last: batch(988, 12), fires: ER },
  { title: "2 + 1 % × n, 1000 samples, 13 errors: ErrorRate", policy: { ...SEQ_EXACT }, last: batch(987, 13), fires: ER },
  { title: "2 + 1 % × n, 12 errors in 1001 samples: healthy", policy: { ...SEQ_EXACT }, last: batch(989, 12), fires: null },
  { title: "2 + 1 % × n, 11/999 then one error (12/1000): ErrorRate", policy: { ...SEQ_EXACT }, before: [batch(988, 11)], last: "error", fires: ER },
  { title: "intercept 1, minSamples 0 behaves as 1: a latency report with no samples does not fire", policy: { analysis: 1, seqSlopePpm: 1, seqInterceptPpm: 1, minSamples: 0 }, last: lat(5), fires: null },
  { title: "intercept 1, minSamples 0: one success is healthy", policy: { analysis: 1, seqSlopePpm: 1, seqInterceptPpm: 1, minSamples: 0 }, last: "success", fires: null },
  { title: "intercept 1, minSamples 0: one error fires", policy: { analysis: 1, seqSlopePpm: 1, seqInterceptPpm: 1, minSamples: 0 }, last: "error", fires: ER },
  { title: "1 % slope at 10^19 samples (products past 2^64): 10^17 errors in 10^19 samples healthy (0 ≥ 1 is false)", policy: { analysis: 1, seqSlopePpm: 10000, seqInterceptPpm: 1 }, last: batch(10n ** 19n - 10n ** 17n, 10n ** 17n), fires: null, dueStep: false },
  { title: "1 % slope at 10^19 samples (products past 2^64): 10^17 errors in 10^19 − 1 samples fire", policy: { analysis: 1, seqSlopePpm: 10000, seqInterceptPpm: 1 }, last: batch(10n ** 19n - 10n ** 17n - 1n, 10n ** 17n), fires: ER, dueStep: false },
  // T is an i64 (clamped); the threshold a u64: above 2^63 − 1 it can never be reached.
  { title: "T clamps at 2^63 − 1: 2^64 − 1 errors with threshold 2^63 − 1 ppm fire", policy: { analysis: 1, seqSlopePpm: 1, seqInterceptPpm: (1n << 63n) - 1n, minSamples: 0 }, last: batch(0, U64_MAX), fires: ER, dueStep: false },
  { title: "T clamps at 2^63 − 1: 2^64 − 1 errors twice with threshold 2^63 ppm never fire", policy: { analysis: 1, seqSlopePpm: 1, seqInterceptPpm: 1n << 63n, minSamples: 0 }, before: [batch(0, U64_MAX)], last: batch(0, U64_MAX), fires: null, dueStep: false },
]);

const IV = RollbackReason.InvariantViolation;
suite("Invariants: window invariant failures > maxInvariantFailures → InvariantViolation", [
  { title: "max 0: passing checks never fire", policy: { maxInvariantFailures: 0 }, before: [inv(true), inv(true)], last: inv(true), fires: null },
  { title: "max 0: the first failure fires", policy: { maxInvariantFailures: 0 }, before: [inv(true)], last: inv(false), fires: IV },
  { title: "max 3: 3 failures are healthy (at)", policy: { maxInvariantFailures: 3 }, before: [inv(false), inv(false)], last: inv(false), fires: null },
  { title: "max 3: 3 failures then a passing check stay healthy", policy: { maxInvariantFailures: 3 }, before: [inv(false), inv(false), inv(false)], last: inv(true), fires: null },
  { title: "max 3: the 4th failure fires (one above)", policy: { maxInvariantFailures: 3 }, before: [inv(false), inv(false), inv(false)], last: inv(false), fires: IV },
]);

const PERF = RollbackReason.Performance;
suite("Latency: maxAvgLatency (sum > max × count) and maxPeakLatency (a value > max) → Performance; 0 = off", [
  { title: "avg 100: one report of 100 is healthy (at)", policy: { maxAvgLatency: 100 }, last: lat(100), fires: null },
  { title: "avg 100: one report of 101 fires", policy: { maxAvgLatency: 100 }, last: lat(101), fires: PERF },
  { title: "avg 100: 99 then 101 (sum 200 = 100 × 2) is healthy", policy: { maxAvgLatency: 100 }, before: [lat(99)], last: lat(101), fires: null },
  { title: "avg 100: 100 then 101 (sum 201 > 200) fires", policy: { maxAvgLatency: 100 }, before: [lat(100)], last: lat(101), fires: PERF },
  { title: "avg 100: 50, 150 then 100 (sum 300 = 300) is healthy", policy: { maxAvgLatency: 100 }, before: [lat(50), lat(150)], last: lat(100), fires: null },
  { title: "avg 100: 50 then 150 (sum 200 = 100 × 2) is healthy", policy: { maxAvgLatency: 100 }, before: [lat(50)], last: lat(150), fires: null },
  { title: "avg 100: 50 then 151 (sum 201 > 200) fires", policy: { maxAvgLatency: 100 }, before: [lat(50)], last: lat(151), fires: PERF },
  { title: "peak 500: 500 is healthy (at)", policy: { maxPeakLatency: 500 }, last: lat(500), fires: null },
  { title: "peak 500: 501 fires (one above)", policy: { maxPeakLatency: 500 }, before: [lat(1), lat(2)], last: lat(501), fires: PERF },
  { title: "peak 500, avg off: many 500s stay healthy", policy: { maxPeakLatency: 500 }, before: [lat(500), lat(500)], last: lat(500), fires: null },
  { title: "avg 100, peak off: one huge value among small ones fires by the average only", policy: { maxAvgLatency: 100 }, before: [lat(1), lat(1)], last: lat(299), fires: PERF },
  { title: "avg 100, peak off: one big value the average absorbs is healthy", policy: { maxAvgLatency: 100 }, before: [lat(1), lat(1)], last: lat(298), fires: null },
  { title: "both 0 (off): 2^64 − 1 three times never fires", policy: { maxAvgLatency: 0, maxPeakLatency: 0 }, before: [lat(U64_MAX), lat(U64_MAX)], last: lat(U64_MAX), fires: null },
  { title: "peak 2^64 − 1: the largest value is not above it", policy: { maxPeakLatency: U64_MAX }, last: lat(U64_MAX), fires: null },
]);

// ------------------------------------------------------------------ progress deadline

describe("progressDeadlineBlocks: RollingOut with no advance for that many unpaused blocks → Deadline at a due step", () => {
  const policy = { incrementBlocks: 10, progressDeadlineBlocks: 15, minSuccessCount: 0 }; // minSamples 100, no data: every due step waits

  it("onPersist: waiting from the due step at +10, not yet at +14, Deadline at +15 (actor none)", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", policy);
    walkTo(fx, H + 15); // onPersist ran for blocks H..H+14
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 500 });
    const br = closeBlock(fx, H + 16);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rolloutBps: 0, rollbackReason: RollbackReason.Deadline });
    expect(statusChanges(br.events)).toEqual([{ name: "f", from: Status.RollingOut, to: Status.RolledBack, rolloutBps: 0, reason: RollbackReason.Deadline }]);
    expect(lastHistory(fx.client, "f")).toMatchObject({ block: H + 15, from: Status.RollingOut, to: Status.RolledBack, reason: RollbackReason.Deadline, actor: null });
  });

  it("processRollout: nothing one block before, Deadline at exactly +15", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", policy);
    walkTo(fx, H + 14);
    ok(fx.client.processRollout(OUTSIDER, "f"));
    expect(feature(fx.client, "f").status).toBe(Status.RollingOut);
    walkTo(fx, H + 15);
    const r = ok(fx.client.processRollout(OUTSIDER, "f"));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: RollbackReason.Deadline });
    expect(statusChanges(r.rawEvents)).toHaveLength(1);
  });

  it("the smallest valid deadline (incrementBlocks + 1): waits at +10, Deadline at +11", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...policy, progressDeadlineBlocks: 11 });
    walkTo(fx, H + 11);
    expect(feature(fx.client, "f").status).toBe(Status.RollingOut);
    closeBlock(fx, H + 12);
    expect(feature(fx.client, "f").rollbackReason).toBe(RollbackReason.Deadline);
  });

  it("counts from the last advance, not from the rollout's start", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", policy);
    ok(fx.client.recordBatch(REPORTER, "f", 100, 0));
    walkTo(fx, H + 11); // advanced in onPersist of H+10
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 1500, lastStepBlock: H + 10 });
    walkTo(fx, H + 25); // onPersist through H+24: 14 blocks since the advance
    expect(feature(fx.client, "f").status).toBe(Status.RollingOut);
    closeBlock(fx, H + 26);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: RollbackReason.Deadline });
    expect(lastHistory(fx.client, "f").block).toBe(H + 25);
  });

  it("steps that keep advancing never hit the deadline", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...policy, incrementBps: 100 });
    for (let k = 1; k <= 6; k++) {
      ok(fx.client.recordBatch(REPORTER, "f", 100, 0));
      walkTo(fx, H + 10 * k + 1);
      expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 500 + 100 * k });
    }
  });

  it("a window below minSamples fails to advance but is not a health failure before the deadline", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", policy);
    ok(fx.client.recordBatch(REPORTER, "f", 99, 0));
    walkTo(fx, H + 15);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 500 });
    closeBlock(fx, H + 16);
    expect(feature(fx.client, "f").rollbackReason).toBe(RollbackReason.Deadline);
  });

  it("0 = off: a rollout waiting for data for 1000 blocks is never rolled back", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...policy, progressDeadlineBlocks: 0 });
    walkTo(fx, H + 1000);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 500 });
  });
});

// ------------------------------------------------------------------ rule order, pause, Enabled

describe("which rule fires (DESIGN.md: error rate, invariants, average latency, peak latency, deadline)", () => {
  it("at a due step with every rule broken, the error rate gives the reason", () => {
    atDueStep({
      title: "all broken",
      policy: { maxErrorRateBps: 0, maxInvariantFailures: 0, maxAvgLatency: 1, maxPeakLatency: 1, progressDeadlineBlocks: 11 },
      before: [inv(false), lat(10)],
      last: batch(1000, 1),
      fires: ER,
    });
  });
  it("invariants before latency", () => {
    atDueStep({ title: "", policy: { maxInvariantFailures: 0, maxAvgLatency: 1, maxPeakLatency: 1 }, before: [lat(10)], last: inv(false), fires: IV });
  });
  it("window rules before the deadline", () => {
    atDueStep({ title: "", policy: { maxPeakLatency: 1, progressDeadlineBlocks: 11 }, last: lat(10), fires: PERF });
  });
});

describe("every report re-checks every window rule", () => {
  for (const { mode, status } of MODES) {
    it(`${mode}: after a tightening, a latency report fires ErrorRate and a success report fires it first of all`, () => {
      const fx = chainAt(10);
      const setup = (name: string) => {
        if (status === Status.Canary) canary(fx, name, LAX);
        else rollingOut(fx, name, LAX);
        ok(fx.client.recordBatch(REPORTER, name, 980, 20));
        ok(fx.client.recordInvariant(REPORTER, name, false));
        ok(fx.client.updatePolicy(OPERATOR, name, { minSuccessCount: 0, analysis: Analysis.Threshold, maxErrorRateBps: 100, maxInvariantFailures: 0 }));
        expect(feature(fx.client, name).status).toBe(status);
      };
      setup("a");
      ok(fx.client.recordLatency(REPORTER, "a", 1));
      expect(feature(fx.client, "a")).toMatchObject({ status: Status.RolledBack, rollbackReason: ER });
      setup("b");
      ok(fx.client.recordInvariant(REPORTER, "b", true));
      expect(feature(fx.client, "b")).toMatchObject({ status: Status.RolledBack, rollbackReason: ER });
      setup("c");
      ok(fx.client.updatePolicy(OPERATOR, "c", { minSuccessCount: 0, analysis: Analysis.Threshold, maxErrorRateBps: 10000, maxInvariantFailures: 0 }));
      ok(fx.client.recordSuccess(REPORTER, "c"));
      expect(feature(fx.client, "c")).toMatchObject({ status: Status.RolledBack, rollbackReason: IV });
    });
  }
});

describe("health rules stay armed while paused", () => {
  for (const { mode, status } of MODES) {
    it(`a paused ${mode} feature is rolled back by an unhealthy report`, () => {
      const fx = chainAt(10);
      if (status === Status.Canary) canary(fx, "f", { minSamples: 1 });
      else rollingOut(fx, "f", { minSamples: 1, minSuccessCount: 0 });
      ok(fx.client.pause(GUARDIAN, "f"));
      ok(fx.client.recordError(REPORTER, "f"));
      expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: ER, paused: false });
    });
  }
});

describe("no automatic rollback in Enabled; reports still count in getMetrics", () => {
  it("errors, invariant failures and latencies far past every rule leave an Enabled feature Enabled", () => {
    const fx = chainAt(10);
    ok(fx.client.createFeature(OPERATOR, "f", "", { maxErrorRateBps: 0, minSamples: 0, maxInvariantFailures: 0, maxAvgLatency: 1, maxPeakLatency: 1 }));
    ok(fx.client.enable(OPERATOR, "f"));
    const rs = [
      fx.client.recordError(REPORTER, "f"),
      fx.client.recordBatch(REPORTER, "f", 10, 1000),
      fx.client.recordInvariant(REPORTER, "f", false),
      fx.client.recordInvariant(REPORTER, "f", false),
      fx.client.recordLatency(REPORTER, "f", 1000),
      fx.client.recordLatency(REPORTER, "f", 3000),
      fx.client.recordSuccess(REPORTER, "f"),
    ];
    for (const r of rs) {
      ok(r);
      expect(r.events).toEqual([]);
    }
    const f = feature(fx.client, "f");
    expect(f).toMatchObject({ status: Status.Enabled, rolloutBps: 10000, rollbackReason: null });
    expect(fx.client.getMetrics("f")).toEqual({
      totalOperations: 1012n,
      successfulOps: 11n,
      failedOps: 1001n,
      averageLatency: 2000n,
      peakLatency: 3000n,
      invariantChecks: 2n,
      invariantFailures: 2n,
    });
    // A step never falls due outside RollingOut.
    walkTo(fx, 2000);
    expect(feature(fx.client, "f").status).toBe(Status.Enabled);
  });
});

describe("a rollback by a report vs at a due step", () => {
  it("by a report: StatusChanged with the reason, history with the reporter as actor, FeatureView reason", () => {
    const fx = chainAt(10);
    rollingOut(fx, "f", { minSuccessCount: 0, maxPeakLatency: 7 }, { canaryBps: 2500, target: 9000 });
    const r = ok(fx.client.recordLatency(REPORTER, "f", 8));
    expect(r.events).toEqual([{ name: "StatusChanged", data: { name: "f", from: "RollingOut", to: "RolledBack", rolloutBps: 0, reason: "Performance" } }]);
    expect(lastHistory(fx.client, "f")).toEqual({ seq: 2, block: 10, from: Status.RollingOut, to: Status.RolledBack, rolloutBps: 0, reason: RollbackReason.Performance, actor: hex(REPORTER) });
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rolloutBps: 0, rollbackReason: RollbackReason.Performance });
    expect(fx.client.isEnabled("f", new Uint8Array(20))).toBe(false);
  });

  it("at a due step via onPersist: actor none; via processRollout: the caller (DESIGN.md)", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "a", { ...LAX, incrementBlocks: 10 });
    rollingOut(fx, "b", { ...LAX, incrementBlocks: 10 });
    for (const n of ["a", "b"]) {
      ok(fx.client.recordInvariant(REPORTER, n, false));
      ok(fx.client.updatePolicy(OPERATOR, n, { minSuccessCount: 0, incrementBlocks: 10, maxInvariantFailures: 0 }));
    }
    walkTo(fx, H + 10);
    ok(fx.client.processRollout(OUTSIDER, "b"));
    expect(lastHistory(fx.client, "b")).toMatchObject({ block: H + 10, to: Status.RolledBack, reason: IV, actor: hex(OUTSIDER) });
    closeBlock(fx, H + 11);
    expect(lastHistory(fx.client, "a")).toMatchObject({ block: H + 10, to: Status.RolledBack, reason: IV, actor: null });
  });
});

// ------------------------------------------------------------------ exact arithmetic (property)

interface P {
  analysis: number;
  bps: number;
  minSamples: number;
  slope: number;
  intercept: bigint;
  floor: bigint;
}

const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

/**
 * SPEC's error-rate rules in BigInt. Threshold: the window (samples saturated at 2^64 − 1).
 * Sequential: T moved by each batch (n exact), floored at −F, clamped to i64, gated on run
 * samples (saturated). Returns [fires, T].
 */
function modelStep(p: P, t: bigint, s: bigint, e: bigint, bs: bigint, be: bigint): [boolean, bigint] {
  const sum = s + e;
  const n = sum > U64_MAX ? U64_MAX : sum;
  const needed = BigInt(Math.max(p.minSamples, 1));
  if (p.analysis === 0) return [n >= needed && e * 10000n > BigInt(p.bps) * n, 0n];
  let v = t + be * 1_000_000n - BigInt(p.slope) * (bs + be);
  if (v < -p.floor) v = -p.floor;
  if (v > I64_MAX) v = I64_MAX;
  if (v < I64_MIN) v = I64_MIN;
  return [n >= needed && v >= p.intercept, v];
}

const satAdd = (a: bigint, b: bigint) => (a + b > U64_MAX ? U64_MAX : a + b);

describe("exact 128-bit decisions and statistic (fast-check, BigInt model)", () => {
  const u64 = fc.oneof(
    { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: U64_MAX }) },
    { weight: 3, arbitrary: fc.bigInt({ min: U64_MAX - (1n << 20n), max: U64_MAX }) },
    { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: 100_000n }) },
    { weight: 1, arbitrary: fc.constantFrom(0n, 1n, U64_MAX, U64_MAX - 1n, 1n << 63n) },
  );
  const u32 = fc.oneof(fc.integer({ min: 0, max: U32_MAX }), fc.integer({ min: 0, max: 2000 }), fc.constantFrom(0, 1, U32_MAX));
  const policy = fc.record({
    analysis: fc.constantFrom(0, 1),
    bps: fc.oneof(fc.integer({ min: 0, max: 10000 }), fc.constantFrom(0, 1, 100, 9999, 10000)),
    minSamples: u32,
    slope: fc.oneof(fc.integer({ min: 1, max: U32_MAX }), fc.integer({ min: 1, max: 100_000 })),
    intercept: u64.map((x) => (x === 0n ? 1n : x)), // Sequential needs a threshold ≥ 1
    floor: fc.oneof(u64, fc.constantFrom(0n, 8_219_462n)),
  });
  /** Counters placed at the rule's boundary (±1 error) for a random sample count. */
  const nearBoundary = fc
    .tuple(policy, u64, fc.integer({ min: -1, max: 1 }))
    .map(([p, n, d]) => {
      let e: bigint;
      if (p.analysis === 0) e = (BigInt(p.bps) * n) / 10000n;
      else {
        const b = p.intercept + BigInt(p.slope) * n;
        e = (b + 999_999n) / 1_000_000n;
      }
      e += BigInt(d);
      if (e < 0n) e = 0n;
      if (e > n) e = n;
      return { p, batches: [[n - e, e]] as [bigint, bigint][] };
    });
  const randomBatches = fc.record({ p: policy, batches: fc.array(fc.tuple(u64, u64), { minLength: 1, maxLength: 3 }) });

  const check = (status: Status) => {
    const fx = chainAt(10);
    let i = 0;
    return ({ p, batches }: { p: P; batches: [bigint, bigint][] }) => {
      const name = `p${i++}`;
      const pol: PolicyInput = {
        analysis: p.analysis,
        maxErrorRateBps: p.bps,
        minSamples: p.minSamples,
        seqSlopePpm: p.slope,
        seqInterceptPpm: p.intercept,
        seqFloorPpm: p.floor,
        minSuccessCount: 0,
      };
      if (status === Status.Canary) canary(fx, name, pol);
      else rollingOut(fx, name, pol);
      let s = 0n;
      let e = 0n;
      let t = 0n;
      let fired = false;
      for (const [bs, be] of batches) {
        const r = fx.client.recordBatch(REPORTER, name, bs, be);
        if (fired) {
          expect(r.codeName).toBe("FeatureDisabled");
          continue;
        }
        ok(r);
        s = satAdd(s, bs);
        e = satAdd(e, be);
        [fired, t] = modelStep(p, t, s, e, bs, be);
        const f = feature(fx.client, name);
        expect(f.statistic, "the statistic after the report").toBe(t);
        if (fired) expect(f).toMatchObject({ status: Status.RolledBack, rollbackReason: ER });
        else expect(f).toMatchObject({ status, windowSuccesses: s, windowErrors: e, runSuccesses: s, runErrors: e });
      }
    };
  };

  for (const { mode, status } of MODES) {
    it(`${mode}: random counters (some near 2^64) decide as the BigInt rule`, () => {
      fc.assert(fc.property(randomBatches, check(status)), { seed: 0x5eed + status, numRuns: 150 });
    });
    it(`${mode}: counters at the boundary (±1 error) decide as the BigInt rule`, () => {
      fc.assert(fc.property(nearBoundary, check(status)), { seed: 0xb0d + status, numRuns: 150 });
    });
  }
});

// ------------------------------------------------------------------ saturation

describe("counters are u64 and saturate at 2^64 − 1, never wrap", () => {
  it("two success batches summing past 2^64 leave window and lifetime counters at 2^64 − 1", () => {
    const fx = chainAt(10);
    canary(fx, "f");
    ok(fx.client.recordBatch(REPORTER, "f", U64_MAX - 5n, 0));
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.Canary, windowSuccesses: U64_MAX, windowErrors: 0n });
    expect(fx.client.getMetrics("f")).toMatchObject({ totalOperations: U64_MAX, successfulOps: U64_MAX, failedOps: 0n });
  });

  it("two error batches summing past 2^64 saturate (Enabled: counted, no rollback)", () => {
    const fx = chainAt(10);
    ok(fx.client.createFeature(OPERATOR, "f", ""));
    ok(fx.client.enable(OPERATOR, "f"));
    ok(fx.client.recordBatch(REPORTER, "f", 0, U64_MAX - 1n));
    ok(fx.client.recordBatch(REPORTER, "f", 3, 2));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.Enabled, windowErrors: U64_MAX, windowSuccesses: 3n });
    expect(fx.client.getMetrics("f")).toMatchObject({ totalOperations: U64_MAX, successfulOps: 3n, failedOps: U64_MAX });
  });

  it("one batch of 2^64 − 1 successes and 2^64 − 1 errors: totalOperations saturates, the rate is still judged", () => {
    const fx = chainAt(10);
    canary(fx, "f", { maxErrorRateBps: 10000 });
    ok(fx.client.recordBatch(REPORTER, "f", U64_MAX, U64_MAX));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.Canary, windowSuccesses: U64_MAX, windowErrors: U64_MAX });
    expect(fx.client.getMetrics("f")).toMatchObject({ totalOperations: U64_MAX, successfulOps: U64_MAX, failedOps: U64_MAX });
  });

  it("the latency sum saturates: three reports of 2^64 − 1 average (2^64 − 1) / 3, not (2^64 − 3) / 3", () => {
    const fx = chainAt(10);
    canary(fx, "f");
    for (let i = 0; i < 3; i++) ok(fx.client.recordLatency(REPORTER, "f", U64_MAX));
    expect(fx.client.getMetrics("f")).toMatchObject({ averageLatency: U64_MAX / 3n, peakLatency: U64_MAX });
  });
});

// ------------------------------------------------------------------ lifetime metrics

describe("lifetime metrics: every field updated and persisted", () => {
  it("totalOperations, successfulOps, failedOps, averageLatency, peakLatency, invariantChecks, invariantFailures", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { minSuccessCount: 0, minSamples: 10, incrementBlocks: 10, maxErrorRateBps: 5000, maxInvariantFailures: 5 });
    const c = fx.client;
    ok(c.recordSuccess(REPORTER, "f"));
    ok(c.recordSuccess(REPORTER, "f"));
    ok(c.recordSuccess(REPORTER, "f"));
    ok(c.recordError(REPORTER, "f"));
    ok(c.recordBatch(REPORTER, "f", 10, 2));
    ok(c.recordLatency(REPORTER, "f", 10));
    ok(c.recordLatency(REPORTER, "f", 20));
    ok(c.recordLatency(REPORTER, "f", 31));
    ok(c.recordInvariant(REPORTER, "f", true));
    ok(c.recordInvariant(REPORTER, "f", true));
    ok(c.recordInvariant(REPORTER, "f", false));
    const expected = {
      totalOperations: 16n,
      successfulOps: 13n,
      failedOps: 3n,
      averageLatency: 20n, // 61 / 3, integer division
      peakLatency: 31n,
      invariantChecks: 3n,
      invariantFailures: 1n,
    };
    expect(c.getMetrics("f")).toEqual(expected);

    // Persisted: read back from the committed store by a fresh module instance.
    walkTo(fx, H + 1);
    const other = new CanaryClient(new Chain(releaseWasm(), fx.chain.store), { height: H + 1 });
    expect(other.getMetrics("f")).toEqual(expected);

    // A step resets the window, never the lifetime metrics.
    walkTo(fx, H + 11);
    expect(feature(c, "f")).toMatchObject({ rolloutBps: 1500, windowSuccesses: 0n, windowErrors: 0n });
    expect(c.getMetrics("f")).toEqual(expected);

    // They keep counting across steps, and survive a rollback.
    ok(c.recordLatency(REPORTER, "f", 100));
    ok(c.recordBatch(REPORTER, "f", 4, 0));
    ok(c.rollback(GUARDIAN, "f"));
    const after = { ...expected, totalOperations: 20n, successfulOps: 17n, averageLatency: 40n, peakLatency: 100n };
    expect(c.getMetrics("f")).toEqual(after);

    // Reports on a RolledBack feature count nothing.
    expect(c.recordSuccess(REPORTER, "f").codeName).toBe("FeatureDisabled");
    expect(c.recordLatency(REPORTER, "f", 1000).codeName).toBe("FeatureDisabled");
    expect(c.getMetrics("f")).toEqual(after);
    walkTo(fx, H + 12);
    expect(new CanaryClient(new Chain(releaseWasm(), fx.chain.store), { height: H + 12 }).getMetrics("f")).toEqual(after);
  });

  it("a fresh feature has all-zero metrics; an unknown one has none", () => {
    const fx = chainAt(10);
    ok(fx.client.createFeature(OPERATOR, "f", ""));
    expect(fx.client.getMetrics("f")).toEqual({
      totalOperations: 0n,
      successfulOps: 0n,
      failedOps: 0n,
      averageLatency: 0n,
      peakLatency: 0n,
      invariantChecks: 0n,
      invariantFailures: 0n,
    });
    expect(fx.client.getMetrics("nope")).toBeNull();
  });
});
