// Revision 2's run (SPEC sections 5 and 6): run counters count every success/error report and
// reset only at startCanary and enable; baseline counters count recordCohorts' baseline part,
// with the same resets; recordCohorts has recordBatch's codes and roles, and its canary part
// counts as recordBatch would. All saturating.

import { describe, expect, it } from "vitest";
import { Analysis, Status } from "../../src/client/index.ts";
import { OPERATOR, OUTSIDER, REPORTER } from "../helpers/contract.ts";
import {
  LAX,
  U64_MAX,
  canary,
  chainAt,
  closeBlock,
  cohorts,
  fails,
  feature,
  history,
  ok,
  rollingOut,
  runOf,
  walkTo,
} from "./_health_helpers.ts";

const ZERO = { runSuccesses: 0n, runErrors: 0n, baseSuccesses: 0n, baseErrors: 0n, statistic: 0n };

describe("recordCohorts: codes, roles and what it counts", () => {
  it("the canary part counts in window, run and metrics as recordBatch would; the baseline part only in the baseline counters", () => {
    const fx = chainAt(10);
    canary(fx, "c", LAX);
    canary(fx, "b", LAX);
    const r = ok(cohorts(fx, "c", 40, 2, 900, 30));
    expect(r.events, "a report that changes no status emits nothing").toEqual([]);
    ok(fx.client.recordBatch(REPORTER, "b", 40, 2));
    const c = feature(fx.client, "c");
    const b = feature(fx.client, "b");
    expect(c).toMatchObject({ windowSuccesses: 40n, windowErrors: 2n, runSuccesses: 40n, runErrors: 2n, baseSuccesses: 900n, baseErrors: 30n });
    expect(fx.client.getMetrics("c")).toEqual(fx.client.getMetrics("b"));
    expect({ ...c, name: "b", baseSuccesses: 0n, baseErrors: 0n }).toEqual(b);
  });

  it("on Disabled and on RolledBack: FeatureDisabled, nothing counted", () => {
    const fx = chainAt(10);
    ok(fx.client.createFeature(OPERATOR, "d", ""));
    canary(fx, "r", LAX);
    ok(cohorts(fx, "r", 1, 1, 1, 1));
    ok(fx.client.rollback(OPERATOR, "r", "Manual"));
    for (const n of ["d", "r"]) {
      const before = feature(fx.client, n);
      const metrics = fx.client.getMetrics(n);
      fails(cohorts(fx, n, 5, 5, 5, 5), "FeatureDisabled");
      expect(feature(fx.client, n)).toEqual(before);
      expect(fx.client.getMetrics(n)).toEqual(metrics);
    }
  });

  it("Reporter only (Unauthorized for others, nothing counted); FeatureNotFound for an unknown name", () => {
    const fx = chainAt(10);
    canary(fx, "f", LAX);
    fails(cohorts(fx, "f", 1, 1, 1, 1, OUTSIDER), "Unauthorized");
    fails(cohorts(fx, "f", 1, 1, 1, 1, OPERATOR), "Unauthorized");
    expect(runOf(fx.client, "f")).toEqual(ZERO);
    fails(cohorts(fx, "nope", 1, 1, 1, 1), "FeatureNotFound");
  });

  it("in Enabled: counted (window, run, baseline, metrics), never rolled back", () => {
    const fx = chainAt(10);
    ok(fx.client.createFeature(OPERATOR, "f", "", { analysis: Analysis.Threshold, maxErrorRateBps: 0, minSamples: 0 }));
    ok(fx.client.enable(OPERATOR, "f"));
    ok(cohorts(fx, "f", 0, 50, 10, 0));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.Enabled, runErrors: 50n, baseSuccesses: 10n, windowErrors: 50n });
  });

  it("a Threshold rule fires on recordCohorts' canary part, not on its baseline", () => {
    const fx = chainAt(10);
    canary(fx, "f", { analysis: Analysis.Threshold, maxErrorRateBps: 100, minSamples: 10 });
    ok(cohorts(fx, "f", 100, 1, 0, 1000)); // canary 1 %: at, not above; the baseline's errors do not count
    expect(feature(fx.client, "f").status).toBe(Status.Canary);
    ok(cohorts(fx, "f", 0, 1, 0, 0));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: 1 });
  });
});

describe("run counters: every success/error report; reset only at startCanary and enable; saturating", () => {
  it("recordSuccess, recordError, recordBatch and recordCohorts' canary part all count; latency and invariant reports do not", () => {
    const fx = chainAt(10);
    canary(fx, "f", LAX);
    ok(fx.client.recordSuccess(REPORTER, "f"));
    ok(fx.client.recordError(REPORTER, "f"));
    ok(fx.client.recordBatch(REPORTER, "f", 10, 3));
    ok(cohorts(fx, "f", 5, 1, 7, 2));
    ok(fx.client.recordLatency(REPORTER, "f", 5));
    ok(fx.client.recordInvariant(REPORTER, "f", false));
    expect(runOf(fx.client, "f")).toEqual({ runSuccesses: 16n, runErrors: 5n, baseSuccesses: 7n, baseErrors: 2n, statistic: 0n });
  });

  it("steps reset the window, not the run", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...LAX, incrementBlocks: 5, minSamples: 1, minSuccessCount: 3 });
    ok(cohorts(fx, "f", 4, 1, 9, 1));
    walkTo(fx, H + 5);
    closeBlock(fx, H + 6);
    const f = feature(fx.client, "f");
    expect(f).toMatchObject({ rolloutBps: 1500, windowSuccesses: 0n, windowErrors: 0n });
    expect(runOf(fx.client, "f")).toEqual({ runSuccesses: 7n, runErrors: 1n, baseSuccesses: 9n, baseErrors: 1n, statistic: 0n });
  });

  it("startCanary (again, from Canary and from RolledBack) and enable reset the run; pause, rollback, disable and updatePolicy do not", () => {
    const fx = chainAt(10);
    canary(fx, "f", LAX);
    const fill = () => ok(cohorts(fx, "f", 3, 1, 5, 2));
    const filled = { runSuccesses: 3n, runErrors: 1n, baseSuccesses: 5n, baseErrors: 2n, statistic: 0n };
    fill();
    ok(fx.client.pause(OPERATOR, "f"));
    ok(fx.client.resume(OPERATOR, "f"));
    ok(fx.client.updatePolicy(OPERATOR, "f", { ...LAX, incrementBlocks: 77 }));
    expect(runOf(fx.client, "f")).toEqual(filled);
    ok(fx.client.startCanary(OPERATOR, "f", 900)); // Canary → Canary
    expect(runOf(fx.client, "f")).toEqual(ZERO);
    fill();
    ok(fx.client.rollback(OPERATOR, "f", "Manual"));
    expect(runOf(fx.client, "f"), "a rollback keeps the run for the record").toEqual(filled);
    ok(fx.client.startCanary(OPERATOR, "f", 100)); // RolledBack → Canary
    expect(runOf(fx.client, "f")).toEqual(ZERO);
    fill();
    ok(fx.client.disable(OPERATOR, "f"));
    expect(runOf(fx.client, "f")).toEqual(filled);
    ok(fx.client.enable(OPERATOR, "f"));
    expect(runOf(fx.client, "f")).toEqual(ZERO);
    fill();
    expect(runOf(fx.client, "f")).toEqual(filled);
    expect(history(fx.client, "f").length).toBeGreaterThan(0);
  });

  it("run and baseline counters saturate at 2^64 − 1, never wrap", () => {
    const fx = chainAt(10);
    canary(fx, "f", LAX);
    ok(cohorts(fx, "f", U64_MAX - 1n, U64_MAX, U64_MAX, 3));
    ok(cohorts(fx, "f", 5, 5, 5, U64_MAX));
    ok(fx.client.recordBatch(REPORTER, "f", 1, 1));
    expect(runOf(fx.client, "f")).toEqual({ runSuccesses: U64_MAX, runErrors: U64_MAX, baseSuccesses: U64_MAX, baseErrors: U64_MAX, statistic: 0n });
  });
});
