// The HTML report: self-contained (nothing fetched); per feature a rollout chart, the cohorts'
// error rates, the statistic against its threshold and the sample counts on one time axis;
// the rollback reason with its numbers; failed transactions. First on fabricated series
// (numbers known in advance, tests/replay/report-fixture.ts), then on a real replay.
// Rendering in a real browser: tests/replay/render.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { Analysis, reasonName } from "../../src/client/index.ts";
import { replay, type FaultRecord } from "../../src/replay/replay.ts";
import { rollbacksOf, stepsOf } from "../../src/replay/output.ts";
import { COHORT_POINTS, FAULT_ROWS, TABLE_ROWS, cohortSeries, liveSpan, renderReport, rollbackReasons, trafficMarks } from "../../src/replay/report.ts";
import { loadScenario } from "../../src/replay/scenario.ts";
import { releaseWasm, scenarioPath } from "./helpers.ts";
import { fabricate, fabricatedResult } from "./report-fixture.ts";

const count = (html: string, re: RegExp) => (html.match(new RegExp(re.source, "g")) ?? []).length;
/** The `d` of the first path with class `cls` in the chart of `kind` of feature `name`. */
function pathOf(html: string, kind: string, name: string, cls: string): string {
  const svg = new RegExp(`<svg class="chart" id="[^"]+" data-kind="${kind}" data-group="\\d+z?" data-feature="${name}"[\\s\\S]*?</svg>`).exec(html);
  if (!svg) throw new Error(`no ${kind} chart for ${name}`);
  const p = new RegExp(`<path class="${cls}" d="([^"]*)"`).exec(svg[0]);
  if (!p) throw new Error(`no path.${cls} in the ${kind} chart of ${name}`);
  return p[1]!;
}
const points = (d: string) => count(d, /[ML]/);
function seriesData(html: string): { group: number; fields: unknown[]; cols: unknown[][] }[] {
  const m = /<script type="application\/json" id="series">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(m![1]!);
}

function selfContained(html: string): void {
  expect(html).not.toMatch(/https?:/i);
  expect(html).not.toMatch(/<(script|img|iframe)[^>]*\ssrc=/i);
  expect(html).not.toMatch(/<link[^>]*\shref=/i);
  expect(html).not.toMatch(/@import|url\(/i);
  expect(html).toMatch(/^<!doctype html>/);
}

describe("the HTML report on fabricated series", () => {
  const until = 1000;
  const comparative = fabricate(until, {
    name: "comp_bad",
    policy: { analysis: Analysis.Comparative, incrementBlocks: 100 },
    exposedRate: 0.03,
    unexposedRate: 0.01,
    cohorts: true,
    traffic: true,
    rollbackAt: 412,
    at: { statistic: 2_950_000, runSamples: 1830, runErrors: 37, baseSamples: 35_000, baseErrors: 350, windowSamples: 900, windowErrors: 20 },
  });
  const sequential = fabricate(until, {
    name: "seq_bad",
    policy: { analysis: Analysis.Sequential, incrementBlocks: 100 },
    exposedRate: 0.03,
    unexposedRate: 0.01,
    cohorts: false,
    traffic: true,
    rollbackAt: 412,
    at: { statistic: 4_210_000, runSamples: 1830, runErrors: 37, baseSamples: 0, baseErrors: 0, windowSamples: 900, windowErrors: 20 },
  }, 8);
  const threshold = fabricate(until, {
    name: "thr_healthy",
    policy: { analysis: Analysis.Threshold, maxErrorRateBps: 100, incrementBlocks: 100 },
    exposedRate: 0.005,
    unexposedRate: 0.005,
    cohorts: false,
    traffic: false,
  }, 9);
  const faults: FaultRecord[] = [
    { height: 5, index: 2, sender: "ops", method: "startRollout", error: "InsufficientData", expected: true, traffic: false },
    { height: 413, index: 0, sender: "monitor", method: "recordCohorts", error: "FeatureDisabled", expected: false, traffic: true },
  ];
  const r = fabricatedResult(until, [comparative, sequential, threshold], faults);
  const html = renderReport(r);

  it("is self-contained: no http(s) URL, no external script, style, image or font", () => selfContained(html));

  it("draws four charts per feature on one axis: rollout, cohorts, statistic, samples", () => {
    for (const name of ["comp_bad", "seq_bad", "thr_healthy"]) {
      for (const kind of ["main", "cohorts", "statistic", "samples"]) {
        expect(html).toMatch(new RegExp(`<svg class="chart" id="${kind === "main" ? "chart" : kind}-\\d" data-kind="${kind}" data-group="\\d+z?" data-feature="${name}"`));
      }
    }
    expect(count(html, /<svg class="chart"/)).toBe(12);
    expect(seriesData(html)).toHaveLength(12);
  });

  it("shows canary against baseline: both cohorts' rates, from the traffic or from the reports", () => {
    for (const name of ["comp_bad", "seq_bad"]) {
      expect(points(pathOf(html, "cohorts", name, "canary"))).toBeGreaterThan(100);
      expect(points(pathOf(html, "cohorts", name, "base"))).toBeGreaterThan(100);
    }
    // The contract's own baseline (run so far) exists only with recordCohorts.
    expect(points(pathOf(html, "cohorts", "comp_bad", "base run"))).toBeGreaterThan(10);
    expect(pathOf(html, "cohorts", "seq_bad", "base run")).toBe("");
    // No traffic and no baseline reports: the canary from the reports, no baseline at all.
    expect(points(pathOf(html, "cohorts", "thr_healthy", "canary"))).toBeGreaterThan(100);
    expect(pathOf(html, "cohorts", "thr_healthy", "base")).toBe("");
    expect(html).toContain("canary (exposed calls)");
    expect(html).toContain("canary (exposed, reported)");
  });

  it("sums the cohorts exactly: every exposed and unexposed call in one interval or another", () => {
    const cs = cohortSeries(comparative.series, until, COHORT_POINTS);
    expect(cs.source).toBe("traffic");
    expect(cs.points).toHaveLength(COHORT_POINTS);
    const t = comparative.series.traffic!;
    expect(cs.points.reduce((a, p) => a + p.canaryCalls, 0)).toBe(t.exposedCalls[until]);
    expect(cs.points.reduce((a, p) => a + p.canaryErrors, 0)).toBe(t.exposedErrors[until]);
    expect(cs.points.reduce((a, p) => a + p.baseCalls, 0)).toBe(t.unexposedCalls[until]);
    expect(cs.points.reduce((a, p) => a + p.baseErrors, 0)).toBe(t.unexposedErrors[until]);
    // From the reports: increments of the run counters, a new run (smaller value) counted from 0.
    const th = cohortSeries(threshold.series, until, 50);
    expect(th.source).toBe("reports");
    expect(th.points.reduce((a, p) => a + p.canaryCalls, 0)).toBe(threshold.series.counters.runSamples[until]);
    const c = structuredClone(threshold.series);
    for (let h = 600; h <= until; h++) c.counters.runSamples[h]! -= c.counters.runSamples[599]!;
    expect(cohortSeries(c, until, 50).points.reduce((a, p) => a + p.canaryCalls, 0)).toBe(threshold.series.counters.runSamples[until]);
  });

  it("draws the statistic against its threshold: S against A, T against h, the window rate against maxErrorRateBps", () => {
    expect(html).toContain("Statistic S against its threshold A");
    expect(html).toContain("Statistic T against its threshold h");
    expect(html).toContain("Window error rate against maxErrorRateBps");
    for (const name of ["comp_bad", "seq_bad", "thr_healthy"]) {
      expect(points(pathOf(html, "statistic", name, "stat"))).toBeGreaterThan(20);
      // A constant threshold is one horizontal segment (flat stretches keep their ends only).
      const th = pathOf(html, "statistic", name, "threshold-line");
      expect(th).toMatch(/^M[\d.]+ ([\d.]+)L[\d.]+ \1$/);
    }
    expect(pathOf(html, "statistic", "seq_bad", "floor")).toMatch(/^M[\d.]+ ([\d.]+)L[\d.]+ \1$/);
    expect(pathOf(html, "statistic", "thr_healthy", "floor")).toBe("");
    // The statistic's data: A = 2.890372 for the default Comparative policy, h = 4.109731 for Sequential.
    const data = seriesData(html);
    expect(data[2]!.cols.find((c) => c[3] !== null)![3]).toBe(2.890372);
    expect(data[6]!.cols.find((c) => c[3] !== null)![3]).toBe(4.109731);
    // Too few run samples at the start: shaded.
    expect(count(html, /<rect class="gated"/)).toBeGreaterThan(0);
  });

  it("counts samples: window, run and baseline (the baseline only where reported), with minSamples", () => {
    expect(points(pathOf(html, "samples", "comp_bad", "window"))).toBeGreaterThan(50);
    expect(points(pathOf(html, "samples", "comp_bad", "canary"))).toBeGreaterThan(50);
    expect(points(pathOf(html, "samples", "comp_bad", "base"))).toBeGreaterThan(50);
    expect(pathOf(html, "samples", "seq_bad", "base")).toBe("");
    expect(html).toContain("<title>minSamples 100</title>");
  });

  it("gives each rollback's reason with the numbers of the view at its block", () => {
    expect(html).toContain("ErrorRate at block 412: S = 2.95 ≥ A = 2.89 after 1,830 run samples (37 errors, 2.02 %) against 35,000 baseline samples (350 errors, 1.00 %)");
    expect(html).toContain("ErrorRate at block 412: T = 4.21 ≥ h = 4.11 after 1,830 run samples (37 errors, 2.02 %)");
    expect(count(html, /<p class="why">/)).toBe(2);
    expect(html).not.toContain('<p class="why unsure">');
  });

  it("says when the rule did not hold at the rollback's block, with enough decimals to tell the numbers apart", () => {
    const close = fabricate(until, {
      name: "close", policy: { analysis: Analysis.Sequential }, exposedRate: 0.01, unexposedRate: 0.01, cohorts: false, traffic: false, rollbackAt: 300,
      at: { statistic: 4_109_000, runSamples: 1000, runErrors: 20, baseSamples: 0, baseErrors: 0, windowSamples: 10, windowErrors: 0 },
    });
    const [why] = rollbackReasons(close.series, close.final, { monitor: "0x00000000000000000000000000000000000000c3" });
    expect(why!.fired).toBe(false);
    expect(why!.text).toBe("ErrorRate at block 300: T = 4.109 < h = 4.110 after 1,000 run samples (20 errors, 2.00 %): the rule does not hold in the view at the end of that block (the rollback came in a transaction of monitor)");
    const thr = fabricate(until, {
      name: "thr", policy: { analysis: Analysis.Threshold, maxErrorRateBps: 100 }, exposedRate: 0.01, unexposedRate: 0.01, cohorts: false, traffic: false, rollbackAt: 300,
      at: { statistic: 0, runSamples: 1000, runErrors: 20, baseSamples: 0, baseErrors: 0, windowSamples: 166, windowErrors: 2 },
    });
    expect(rollbackReasons(thr.series, thr.final, {})[0]!.text).toBe("ErrorRate at block 300: window error rate 1.20 % > 1.00 % (maxErrorRateBps 100) after 166 window samples (2 errors)");
  });

  it("zooms the cohort, statistic and samples charts of a feature rolled back early to its live span", () => {
    // comp_bad: created at 1, live until 411: heights 1..453 (a tenth of the span, 42 blocks, after it).
    expect(liveSpan(comparative.series, until)).toEqual({ lo: 1, hi: 453 });
    expect(html).toContain("The charts below show heights 1–453");
    expect(liveSpan(threshold.series, until)).toEqual({ lo: 1, hi: until });
    const cs = cohortSeries(comparative.series, liveSpan(comparative.series, until), COHORT_POINTS);
    expect(cs.points[0]!.from).toBe(1);
    expect(cs.points[cs.points.length - 1]!.to).toBe(453);
    // The main chart keeps the whole run; the zoomed charts share their own crosshair group.
    expect(html).toMatch(/id="chart-0" data-kind="main" data-group="0" data-feature="comp_bad"/);
    expect(html).toMatch(/id="cohorts-0" data-kind="cohorts" data-group="0z" data-feature="comp_bad"/);
    // A span that starts later counts only what happened inside it.
    const later = cohortSeries(comparative.series, { lo: 301, hi: 400 }, 10);
    const t = comparative.series.traffic!;
    expect(later.points.reduce((a, p) => a + p.canaryCalls, 0)).toBe(t.exposedCalls[400]! - t.exposedCalls[300]!);
  });

  it("notes a Comparative feature that never received a baseline", () => {
    const lonely = fabricate(300, { name: "lonely", policy: { analysis: Analysis.Comparative }, exposedRate: 0.01, unexposedRate: 0.01, cohorts: false, traffic: true });
    expect(renderReport(fabricatedResult(300, [lonely]))).toContain("no baseline was reported (recordCohorts): S cannot move");
  });

  it("lists failed transactions: height, sender, method, error and its code", () => {
    expect(html).toContain("<h2>Failed transactions</h2>");
    expect(html).toContain('<tr><td class="n">5</td><td class="n">2</td><td>ops</td><td class="mono">startRollout</td><td class="bad">InsufficientData</td><td class="n">10</td><td>scenario</td><td>yes</td></tr>');
    expect(html).toContain('<tr><td class="n">413</td><td class="n">0</td><td>monitor</td><td class="mono">recordCohorts</td><td class="bad">FeatureDisabled</td><td class="n">12</td><td>traffic</td><td></td></tr>');
    const many: FaultRecord[] = Array.from({ length: FAULT_ROWS + 50 }, (_, i) => ({ height: 10 + i, index: 0, sender: "monitor", method: "recordBatch", error: "Unauthorized", expected: false, traffic: true }));
    const page = renderReport(fabricatedResult(until, [threshold], many));
    expect(count(page, /<td class="mono">recordBatch<\/td>/)).toBe(FAULT_ROWS + 1);
    expect(page).toContain(`<p>50 more, by method and error:</p>`);
    expect(page).toContain(`<td class="n">50</td><td class="n">${10 + FAULT_ROWS}–${10 + FAULT_ROWS + 49}</td>`);
    expect(renderReport(fabricatedResult(until, [threshold]))).toContain("None: every transaction succeeded.");
  });

  it("is accessible: every chart titled and described, legends, a data table per feature", () => {
    for (const m of html.matchAll(/<svg class="chart" id="([^"]+)"[^>]*aria-labelledby="([^"]+)"[^>]*>(<title id="[^"]+">[^<]+<\/title><desc id="[^"]+">[^<]+<\/desc>)?/g)) {
      expect(m[2]).toBe(`${m[1]}-t ${m[1]}-d`);
      expect(m[3]).toBeDefined();
    }
    expect(count(html, /<div class="legend">/)).toBe(1 + 3 * 3);
    expect(count(html, /<table class="data">/)).toBe(3);
    expect(count(html, /<th scope="col">canary errors<\/th>/)).toBe(3);
    const rows = /<table class="data">[\s\S]*?<\/table>/.exec(html)![0];
    expect(count(rows, /<tr><td/)).toBeLessThanOrEqual(TABLE_ROWS);
    expect(rows).toMatch(/<td class="n">3\.00 % <span class="dim">\(\d+\/\d+\)<\/span><\/td>|<td class="n">\d\.\d\d %/);
  });

  it("stays small for a long scenario: every series reduced to a bounded number of points", () => {
    const long = 200_000;
    const a = fabricate(long, { name: "long_comp", policy: { analysis: Analysis.Comparative, incrementBlocks: 20_000 }, exposedRate: 0.01, unexposedRate: 0.01, cohorts: true, traffic: true });
    const page = renderReport(fabricatedResult(long, [a]));
    expect(page.length).toBeLessThan(400_000);
    const data = seriesData(page);
    expect(data).toHaveLength(4);
    expect(data[0]!.cols.length).toBeLessThanOrEqual(1000);
    for (const d of data.slice(1)) expect(d.cols.length).toBe(COHORT_POINTS);
    expect(points(pathOf(page, "cohorts", "long_comp", "canary"))).toBeLessThanOrEqual(COHORT_POINTS);
  });
});

describe("the HTML report of a real replay", () => {
  // threshold-vs-sequential: the same traffic judged by Threshold, Sequential and Comparative
  // (whose reporters send recordCohorts), healthy and bad.
  let r: ReturnType<typeof replay>;
  let html: string;
  beforeAll(() => {
    r = replay(loadScenario(scenarioPath("threshold-vs-sequential.yaml")), { wasm: releaseWasm(), series: true });
    html = renderReport(r);
  });

  it("is self-contained", () => {
    selfContained(html);
  });

  it("has four charts per feature, every rollout line drawn, canary against baseline for each", () => {
    const names = r.features.map((f) => f.view.name).sort();
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const name of names) {
      expect(html).toMatch(new RegExp(`<svg class="chart" id="chart-\\d+" data-kind="main" data-group="\\d+z?" data-feature="${name}"`));
      expect(points(pathOf(html, "cohorts", name, "canary"))).toBeGreaterThan(0);
      expect(points(pathOf(html, "cohorts", name, "base"))).toBeGreaterThan(0);
      expect(points(pathOf(html, "statistic", name, "stat"))).toBeGreaterThan(0);
      expect(points(pathOf(html, "samples", name, "canary"))).toBeGreaterThan(0);
    }
    expect(count(html, /<svg class="chart"/)).toBe(4 * names.length);
    expect(html).not.toContain('<path class="bps" d=""');
    expect(count(html, /<path class="err" d="M/)).toBe(names.length);
  });

  it("shows the contract's baseline exactly for the features whose reporter sends cohorts", () => {
    const cohorts = new Set(r.scenario.traffic.filter((t) => t.report === "cohorts").map((t) => t.feature));
    expect(cohorts.size).toBeGreaterThan(0);
    for (const f of r.features) {
      const name = f.view.name;
      expect(f.view.baseSuccesses + f.view.baseErrors > 0n).toBe(cohorts.has(name));
      if (cohorts.has(name)) expect(points(pathOf(html, "cohorts", name, "base run"))).toBeGreaterThan(0);
      else expect(pathOf(html, "cohorts", name, "base run")).toBe("");
    }
  });

  it("marks every step and every rollback (on each of the feature's charts) with its reason and height", () => {
    const steps = r.features.reduce((n, f) => n + stepsOf(f.history).length, 0);
    expect(steps).toBeGreaterThan(10);
    expect(count(html, /<path class="step"/)).toBe(steps);
    expect(html).toContain("<title>step at 300: 500 → 1500 bps</title>");
    expect(html).toContain("<title>step at 1200: 9500 → 10000 bps (Enabled)</title>");
    const rollbacks = r.features.flatMap((f) => rollbacksOf(f.history));
    expect(rollbacks.length).toBeGreaterThanOrEqual(2);
    expect(count(html, /<line class="rollback"/)).toBe(4 * rollbacks.length);
    for (const h of rollbacks) expect(html).toContain(`${reasonName(h.reason!)} @${h.block}`);
    // The threshold rule's line on the Threshold features' main charts.
    expect(count(html, /<line class="threshold"/)).toBe(r.features.filter((f) => f.view.policy.analysis === Analysis.Threshold).length);
  });

  it("explains each rollback with the view's numbers at its block, and the rule they show held", () => {
    const whys = r.features.flatMap((f) => rollbackReasons(r.series!.find((s) => s.name === f.view.name), f, r.scenario.accounts));
    expect(whys.length).toBeGreaterThanOrEqual(2);
    for (const w of whys) {
      expect(w.fired, w.text).toBe(true);
      expect(html).toContain(`<p class="why"><strong>Rolled back</strong> — ${w.text.replace(/</g, "&lt;").replace(/>/g, "&gt;")}</p>`);
    }
    const text = whys.map((w) => w.text).join("\n");
    expect(text).toMatch(/ErrorRate at block [\d,]+: window error rate [\d.]+ % > 1\.00 % \(maxErrorRateBps 100\) after [\d,]+ window samples \(\d+ errors?\)/);
    expect(text).toMatch(/ErrorRate at block [\d,]+: T = [\d.]+ ≥ h = 4\.11 after [\d,]+ run samples \([\d,]+ errors?, [\d.]+ %\)/);
    expect(text).toMatch(/ErrorRate at block [\d,]+: S = [\d.]+ ≥ A = 2\.89 after [\d,]+ run samples \([\d,]+ errors?, [\d.]+ %\) against [\d,]+ baseline samples/);
  });

  it("embeds its data and a script that marks the charts ready", () => {
    expect(html).toContain('<script type="application/json" id="series">');
    expect(html).toContain('setAttribute("data-ready", "1")');
  });

  it("says so when no feature was created", () => {
    const s = loadScenario(scenarioPath("vita-recovery-rollout.yaml"));
    const empty = replay({ ...s, until: 3, blocks: [], traffic: [] }, { wasm: releaseWasm(), series: true });
    const page = renderReport(empty);
    expect(page).toContain("No feature was created.");
    expect(page).not.toContain('<svg class="chart"');
    expect(page).toContain("None: every transaction succeeded.");
  });
});

describe("the report's shared-outage marks (comparative-shared-outage.yaml)", () => {
  it("shades the outage and marks the regression on the cohort and statistic charts", () => {
    const r = replay(loadScenario(scenarioPath("comparative-shared-outage.yaml")), { wasm: releaseWasm(), series: true });
    const html = renderReport(r);
    const marks = trafficMarks(r, "regressed_comparative");
    expect(marks.outages).toEqual([{ from: 400, to: 499, addBps: 300 }]);
    expect(marks.regression?.height).toBe(600);
    expect(count(html, /<rect class="outage"[^>]*><title>shared outage: both paths \+300 bps, heights 400\.\.499<\/title>/)).toBe(2 * 3);
    expect(count(html, /<line class="regression"[^>]*><title>regression: the new path at 1\.00 % from block 600<\/title>/)).toBe(2);
  });
});
