// `--report FILE.html`: one self-contained page (inline SVG, CSS and JS; nothing fetched).
//
// Per feature, four charts one under another, on one time axis (heights 1..until; the last
// three zoom to the feature's live span when that is under 80 % of the run, liveSpan):
//   main       rollout bps (left axis) and window error rate (right axis), a status band,
//              steps marked ▼ and rollbacks as red lines with their reason;
//   cohorts    error rate per cohort: canary (exposed calls) against baseline (unexposed
//              calls) at each interval's end over the cohort's last MIN_CALLS+ calls, and
//              the run's cumulative rates the contract counts; outages and a regression's
//              start (the scenario's traffic) marked;
//   statistic  what the policy's analysis judges against its threshold: Sequential T or
//              Comparative S (× 10^6 in the view, drawn as numbers) with h or A and the floor,
//              or under Threshold the window error rate against maxErrorRateBps; shaded
//              where too few samples for a verdict;
//   samples    window, run and baseline sample counts (log scale) and minSamples.
// Above the charts, the rollback reason with the numbers that fired it (read from the view at
// the end of the rollback's block); under them a data table (the charts' text fallback); at
// the end of the page the failed transactions. Every per-block series is reduced to a bounded number of points (one
// per pixel column for the main chart, at most COHORT_POINTS for the others), so a page for
// a million blocks is as small as one for a thousand.
//
// The SVG is drawn here, so the page reads without scripts (and prints); the inline script
// only adds a crosshair (shared by a feature's charts) and a tooltip, and marks each chart
// `data-ready="1"` and `<body data-charts="N">` once it has bound them (what
// scripts/render-report.ts checks).

import { Analysis, RollbackReason, Status, analysisName, parseErrorCode, reasonName, statusName } from "../client/index.ts";
import type { HistoryEntry, Policy } from "../client/index.ts";
import { rollbacksOf, stepsOf } from "./output.ts";
import type { FaultRecord, FeatureFinal, FeatureSeries, ReplayResult } from "./replay.ts";

const W = 960;
const H = 300;
const M = { left: 58, right: 66, top: 22, bottom: 44 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
const BAND = 8;
/** Height of the cohort, statistic and samples charts. */
const H2 = 210;
const M2 = { top: 14, bottom: 30 };
const PH2 = H2 - M2.top - M2.bottom;
/** Points per series in the cohort, statistic and samples charts (and rows of the data table). */
export const COHORT_POINTS = 280;
export const TABLE_ROWS = 40;
/** The cohort chart's rates cover at least this many calls of the cohort (or TRAIL intervals). */
export const MIN_CALLS = 400;
const TRAIL = 40;
/** Failed transactions listed one by one; more are counted by method and error. */
export const FAULT_ROWS = 200;

const STATUS_COLORS: Record<number, string> = {
  [Status.Disabled]: "#c8c8c8",
  [Status.Canary]: "#f2c14e",
  [Status.RollingOut]: "#5b8def",
  [Status.Enabled]: "#3aa657",
  [Status.RolledBack]: "#d64545",
};

/** Line colours (the STYLE below uses them): canary and baseline apart for colour-blind readers (orange / teal). */
export const COLORS = { bps: "#3a62b8", canary: "#d9480f", baseline: "#0b7285", statistic: "#6741d9" } as const;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Coordinates to 0.1 of a viewBox unit (a 960-unit-wide chart). */
const fmt = (n: number) => (Math.round(n * 10) / 10).toString();
/** Axis labels: at most two decimals. */
const lab = (n: number) => (Math.round(n * 100) / 100).toString();
const int = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (r: number, digits = 2) => `${(r * 100).toFixed(digits)} %`;

/** A round axis maximum ≥ v. */
function niceMax(v: number): number {
  const steps = [1, 2, 2.5, 5, 10];
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1e-9))));
  for (const s of steps) if (s * p >= v) return s * p;
  return 10 * p;
}

/** A round tick spacing for a range of `span` in about `n` ticks. */
function niceStep(span: number, n: number): number {
  const raw = span / n;
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
  for (const s of [1, 2, 2.5, 5, 10]) if (s * p >= raw) return s * p;
  return 10 * p;
}

const live = (st: number) => st === Status.Canary || st === Status.RollingOut || st === Status.Enabled;
/** Whether height h's values are drawn: the feature was live, or was rolled back in that block (its view then holds the numbers that fired). */
const drawn = (s: FeatureSeries, h: number) => live(s.status[h]!) || (s.status[h] === Status.RolledBack && h > 0 && live(s.status[h - 1]!));

/** A range of heights lo..hi drawn across a chart's width. */
export interface Span {
  lo: number;
  hi: number;
}

/** Heights lo..hi cut into `n` consecutive intervals of (nearly) equal length. */
export function intervals(span: Span, n: number): { from: number; to: number }[] {
  const len = span.hi - span.lo + 1;
  const k = Math.max(1, Math.min(len, n));
  const out: { from: number; to: number }[] = [];
  for (let c = 0; c < k; c++) out.push({ from: span.lo + Math.floor((c * len) / k), to: span.lo - 1 + Math.floor(((c + 1) * len) / k) });
  return out;
}

/**
 * The heights the cohort, statistic and samples charts show: from the feature's creation to
 * a little after it was last live (Canary, RollingOut, Enabled), so that a feature rolled
 * back in its first blocks is not a few pixels wide; the whole run when that span covers
 * most of it (then every chart of the page shares one axis) or the feature was never live.
 */
export function liveSpan(s: FeatureSeries, until: number): Span {
  let first = 0;
  let last = 0;
  for (let h = 1; h <= until; h++) {
    const st = s.status[h]!;
    if (st >= 0 && first === 0) first = h;
    if (live(st)) last = h;
  }
  if (first === 0 || last === 0) return { lo: 1, hi: until };
  const hi = Math.min(until, last + Math.max(10, Math.ceil((last - first + 1) / 10)));
  const lo = first;
  return hi - lo + 1 >= 0.8 * until ? { lo: 1, hi: until } : { lo, hi };
}

// ---------------------------------------------------------------- what the charts show

/** The policy in force at height h (the last one seen at or before it). */
function policyAt(s: FeatureSeries, h: number, fallback: Policy | undefined): Policy | undefined {
  let p: Policy | undefined;
  for (const e of s.policies) {
    if (e.height > h) break;
    p = e.policy;
  }
  return p ?? s.policies[0]?.policy ?? fallback;
}

/** The rule's threshold as drawn (T, S as numbers; Threshold as a rate 0..1) and its floor. */
export function ruleOf(p: Policy): { analysis: number; threshold: number; floor: number | null; gate: number } {
  const gate = Math.max(p.minSamples, 1);
  if (p.analysis === Analysis.Sequential) return { analysis: 1, threshold: Number(p.seqInterceptPpm) / 1e6, floor: -Number(p.seqFloorPpm) / 1e6, gate };
  if (p.analysis === Analysis.Comparative) return { analysis: 2, threshold: Number(p.compThresholdPpm) / 1e6, floor: -Number(p.compFloorPpm) / 1e6, gate };
  return { analysis: 0, threshold: p.maxErrorRateBps / 10000, floor: null, gate };
}

/** One interval of the cohort, statistic and samples charts. */
export interface CohortPoint {
  from: number;
  to: number;
  status: number;
  bps: number;
  /** Calls and errors of each cohort in the interval (traffic, or reports when there is none). */
  canaryCalls: number;
  canaryErrors: number;
  baseCalls: number;
  baseErrors: number;
  /** Cumulative over the run at the interval's end (the view): canary and baseline error rates. */
  runRate: number | null;
  baseRunRate: number | null;
  /** The judged value: T or S (as numbers) or the window error rate (0..1); lowest and highest in the interval, and at its end. */
  statLo: number | null;
  statHi: number | null;
  stat: number | null;
  threshold: number | null;
  floor: number | null;
  /** Fewer samples than the rule needs for a verdict at some height of the interval. */
  gated: boolean;
  windowSamples: number | null;
  runSamples: number | null;
  baseSamples: number | null;
}

export interface CohortSeries {
  /** The heights the intervals cover. */
  span: Span;
  /** Where the cohort rates come from. */
  source: "traffic" | "reports";
  /** The analysis the statistic chart draws (the last policy's). */
  analysis: number;
  points: CohortPoint[];
  /** Any baseline sample reported to the contract (recordCohorts). */
  baseReported: boolean;
}

/**
 * Reduces a feature's per-block series to `n` intervals. Cohort rates come from the synthetic
 * traffic when the feature has some (exposed vs unexposed calls: what happened), else from
 * what was reported (run and baseline counters' increments: what the contract saw).
 */
export function cohortSeries(s: FeatureSeries, range: Span | number, n: number, finalPolicy?: Policy): CohortSeries {
  const span = typeof range === "number" ? { lo: 1, hi: range } : range;
  const c = s.counters;
  const t = s.traffic;
  const last = s.policies[s.policies.length - 1]?.policy ?? finalPolicy;
  const analysis = last ? ruleOf(last).analysis : Analysis.Threshold;
  const points: CohortPoint[] = [];
  let policyIdx = -1;
  let policy: Policy | undefined = finalPolicy;
  let rule = policy ? ruleOf(policy) : undefined;
  // Previous cumulative values (traffic counts start at 0 with the run; view counters reset at startCanary).
  let pe = 0, pec = 0, pu = 0, puc = 0, prs = 0, pre = 0, pbs = 0, pbe = 0;
  const before = span.lo - 1;
  if (t && before >= 1 && !Number.isNaN(t.exposedCalls[before]!)) {
    [pec, pe, puc, pu] = [t.exposedCalls[before]!, t.exposedErrors[before]!, t.unexposedCalls[before]!, t.unexposedErrors[before]!];
  }
  if (before >= 1 && !Number.isNaN(c.runSamples[before]!)) {
    [prs, pre, pbs, pbe] = [c.runSamples[before]!, c.runErrors[before]!, c.baseSamples[before]!, c.baseErrors[before]!];
  }
  while (policyIdx + 1 < s.policies.length && s.policies[policyIdx + 1]!.height <= before) {
    policy = s.policies[++policyIdx]!.policy;
    rule = ruleOf(policy);
  }
  let baseReported = false;
  for (const iv of intervals(span, n)) {
    const p: CohortPoint = {
      ...iv, status: s.status[iv.to]!, bps: s.bps[iv.to]!, canaryCalls: 0, canaryErrors: 0, baseCalls: 0, baseErrors: 0,
      runRate: null, baseRunRate: null, statLo: null, statHi: null, stat: null, threshold: null, floor: null, gated: false,
      windowSamples: null, runSamples: null, baseSamples: null,
    };
    for (let h = iv.from; h <= iv.to; h++) {
      while (policyIdx + 1 < s.policies.length && s.policies[policyIdx + 1]!.height <= h) {
        policy = s.policies[++policyIdx]!.policy;
        rule = ruleOf(policy);
      }
      if (t) {
        const ec = t.exposedCalls[h]!;
        if (!Number.isNaN(ec)) {
          p.canaryCalls += ec - pec;
          p.canaryErrors += t.exposedErrors[h]! - pe;
          p.baseCalls += t.unexposedCalls[h]! - puc;
          p.baseErrors += t.unexposedErrors[h]! - pu;
          pec = ec;
          pe = t.exposedErrors[h]!;
          puc = t.unexposedCalls[h]!;
          pu = t.unexposedErrors[h]!;
        }
      }
      const rs = c.runSamples[h]!;
      if (!Number.isNaN(rs)) {
        const re = c.runErrors[h]!, bs = c.baseSamples[h]!, be = c.baseErrors[h]!;
        if (bs > 0) baseReported = true;
        if (!t) {
          // Increments of the view's counters; a smaller value is a new run (startCanary, enable).
          const reset = rs < prs || bs < pbs;
          p.canaryCalls += reset ? rs : rs - prs;
          p.canaryErrors += reset ? re : re - pre;
          p.baseCalls += reset ? bs : bs - pbs;
          p.baseErrors += reset ? be : be - pbe;
        }
        prs = rs; pre = re; pbs = bs; pbe = be;
      }
      if (!rule || Number.isNaN(rs) || rule.analysis !== analysis) continue;
      // The threshold wherever the feature exists; the judged value only while it is live.
      p.threshold = rule.threshold;
      p.floor = rule.floor;
      if (!drawn(s, h)) continue;
      const v = analysis === Analysis.Threshold ? s.errorRateBps[h]! / 10000 : c.statistic[h]! / 1e6;
      const samples = analysis === Analysis.Threshold ? c.windowSamples[h]! : rs;
      if (samples < rule.gate) p.gated = true;
      if (Number.isNaN(v)) continue;
      if (p.statLo === null || v < p.statLo) p.statLo = v;
      if (p.statHi === null || v > p.statHi) p.statHi = v;
    }
    const h = iv.to;
    if (drawn(s, h) && !Number.isNaN(c.runSamples[h]!)) {
      const rs = c.runSamples[h]!, bs = c.baseSamples[h]!;
      p.runSamples = rs;
      p.baseSamples = bs;
      p.windowSamples = c.windowSamples[h]!;
      p.runRate = rs > 0 ? c.runErrors[h]! / rs : null;
      p.baseRunRate = bs > 0 ? c.baseErrors[h]! / bs : null;
      const v = analysis === Analysis.Threshold ? s.errorRateBps[h]! / 10000 : c.statistic[h]! / 1e6;
      p.stat = Number.isNaN(v) ? null : v;
    }
    points.push(p);
  }
  return { span, source: t ? "traffic" : "reports", analysis, points, baseReported };
}

// ---------------------------------------------------------------- rollback reasons

/** Formats a and b with enough decimals (2..6) that unequal values read unequal. */
export function pair(a: number, b: number): [string, string] {
  for (let d = 2; d <= 6; d++) {
    const x = a.toFixed(d), y = b.toFixed(d);
    if (x !== y || a === b || d === 6) return [x, y];
  }
  return [a.toFixed(6), b.toFixed(6)];
}

const plural = (n: number, one: string, many = `${one}s`) => `${int(n)} ${n === 1 ? one : many}`;

export interface RollbackWhy {
  height: number;
  reason: string;
  /** One sentence: the reason, the rule and the numbers at that block. */
  text: string;
  /** The view at that block satisfies the rule the reason names (ErrorRate only; null: not checked). */
  fired: boolean | null;
}

/** Why each rollback happened, with the numbers of the view at its block. */
export function rollbackReasons(s: FeatureSeries | undefined, f: FeatureFinal, accounts: Record<string, string>): RollbackWhy[] {
  const alias = new Map(Object.entries(accounts).map(([a, hex]) => [hex.toLowerCase(), a]));
  const who = (e: HistoryEntry) => (e.actor ? alias.get(e.actor.toLowerCase()) ?? e.actor : "the host (onPersist)");
  return rollbacksOf(f.history).map((e) => {
    const h = e.block;
    const reason = e.reason === null ? "Manual" : reasonName(e.reason);
    const head = `${reason} at block ${int(h)}`;
    const p = (s && policyAt(s, h, f.view.policy)) ?? f.view.policy;
    const at = s && h < s.status.length && !Number.isNaN(s.counters.runSamples[h]!) ? h : -1;
    const out = (text: string, fired: boolean | null = null): RollbackWhy => ({ height: h, reason, text, fired });
    switch (e.reason) {
      case RollbackReason.ErrorRate: {
        if (!s || at < 0) return out(`${head} (no series at that height)`);
        const c = s.counters;
        const rule = ruleOf(p);
        const ws = c.windowSamples[at]!, we = c.windowErrors[at]!, rs = c.runSamples[at]!, re = c.runErrors[at]!, bs = c.baseSamples[at]!, be = c.baseErrors[at]!;
        if (rule.analysis === Analysis.Threshold) {
          const fired = ws >= rule.gate && we * 10000 > p.maxErrorRateBps * ws;
          const [r, m] = ws > 0 ? pair((we / ws) * 100, p.maxErrorRateBps / 100) : ["—", (p.maxErrorRateBps / 100).toFixed(2)];
          return out(
            `${head}: window error rate ${r} % ${fired ? ">" : "≤"} ${m} % (maxErrorRateBps ${p.maxErrorRateBps}) after ${plural(ws, "window sample")} (${plural(we, "error")})${fired ? "" : `: the rule does not hold in the view at the end of that block (the rollback came in a transaction of ${who(e)})`}`,
            fired,
          );
        }
        const v = c.statistic[at]! / 1e6;
        const sym = rule.analysis === Analysis.Sequential ? ["T", "h"] : ["S", "A"];
        const fired = rs >= rule.gate && v >= rule.threshold;
        const [a, b] = pair(v, rule.threshold);
        const base = rule.analysis === Analysis.Comparative ? ` against ${plural(bs, "baseline sample")} (${plural(be, "error")}${bs > 0 ? `, ${pct(be / bs)}` : ""})` : "";
        const rate = rs > 0 ? `, ${pct(re / rs)}` : "";
        return out(
          `${head}: ${sym[0]} = ${a} ${v >= rule.threshold ? "≥" : "<"} ${sym[1]} = ${b} after ${plural(rs, "run sample")} (${plural(re, "error")}${rate})${base}` +
            (fired ? "" : rs < rule.gate ? `: fewer run samples than minSamples ${int(rule.gate)}, so not this rule (the rollback came in a transaction of ${who(e)})` : `: the rule does not hold in the view at the end of that block (the rollback came in a transaction of ${who(e)})`),
          fired,
        );
      }
      case RollbackReason.InvariantViolation:
        return out(`${head}: window invariant failures exceeded maxInvariantFailures ${int(p.maxInvariantFailures)}`);
      case RollbackReason.Performance: {
        const limits = [p.maxAvgLatency > 0n ? `window average latency above maxAvgLatency ${int(Number(p.maxAvgLatency))}` : "", p.maxPeakLatency > 0n ? `a latency above maxPeakLatency ${int(Number(p.maxPeakLatency))}` : ""].filter(Boolean);
        return out(`${head}: ${limits.join(" or ") || "a latency limit"}`);
      }
      case RollbackReason.Deadline:
        return out(`${head}: no step for progressDeadlineBlocks ${int(p.progressDeadlineBlocks)} unpaused blocks`);
      case RollbackReason.CircuitBreaker:
      case RollbackReason.ConsensusFailure:
        return out(`${head}: incident reported by ${who(e)}`);
      default:
        return out(`${head}: rollback called by ${who(e)}`);
    }
  });
}

// ---------------------------------------------------------------- drawing helpers

type Pt = number | null;

/** A polyline through (xs[i], y(vs[i])), broken where a value is null. */
function linePath(xs: readonly number[], vs: readonly Pt[], y: (v: number) => number): string {
  let d = "";
  let open = false;
  const def = (v: Pt | undefined): v is number => v !== null && v !== undefined && !Number.isNaN(v);
  for (let i = 0; i < xs.length; i++) {
    const v = vs[i];
    if (!def(v)) {
      open = false;
      continue;
    }
    // A point inside a flat stretch (same value before and after) adds nothing to the line.
    if (open && vs[i - 1] === v && i + 1 < xs.length && vs[i + 1] === v) continue;
    d += `${open ? "L" : "M"}${fmt(xs[i]!)} ${fmt(y(v))}`;
    open = true;
  }
  return d;
}

/** Filled areas between lo and hi, one polygon per run of defined points. */
function bandPath(xs: readonly number[], lo: readonly Pt[], hi: readonly Pt[], y: (v: number) => number): string {
  let d = "";
  let run: number[] = [];
  const flush = () => {
    if (run.length > 0) {
      d += `M${run.map((i) => `${fmt(xs[i]!)} ${fmt(y(hi[i]!))}`).join("L")}L${run
        .slice()
        .reverse()
        .map((i) => `${fmt(xs[i]!)} ${fmt(y(lo[i]!))}`)
        .join("L")}Z`;
    }
    run = [];
  };
  for (let i = 0; i < xs.length; i++) {
    if (lo[i] === null || hi[i] === null) flush();
    else run.push(i);
  }
  flush();
  return d;
}

/** The x axis labels (heights) under a plot whose bottom is at `yBottom`. */
function xAxis(span: Span, x: (h: number) => number, yBottom: number): string {
  // Round heights, about six of them, and the span's ends when no tick is close to them.
  const lo = span.lo - 1;
  const len = span.hi - lo;
  const step = Math.max(1, niceStep(len, 6));
  const ticks: number[] = [];
  for (let h = Math.ceil(lo / step) * step; h <= span.hi; h += step) ticks.push(h);
  if (ticks.length === 0 || ticks[0]! - lo > step / 2) ticks.unshift(lo);
  if (span.hi - ticks[ticks.length - 1]! > step / 2) ticks.push(span.hi);
  return ticks.map((h) => `<text class="axis" x="${fmt(x(h))}" y="${yBottom + 16}" text-anchor="middle">${h}</text>`).join("");
}

function rollbackLines(history: readonly HistoryEntry[], span: Span, x: (h: number) => number, top: number, bottom: number): string {
  return rollbacksOf(history)
    .filter((h) => h.block >= span.lo && h.block <= span.hi)
    .map((h) => {
      const px = fmt(x(h.block));
      return `<line class="rollback" x1="${px}" x2="${px}" y1="${top}" y2="${bottom}"><title>rolled back at ${h.block}: ${h.reason === null ? "Manual" : reasonName(h.reason)}</title></line>`;
    })
    .join("");
}

/** The svg element of a chart: labelled by its title and description (screen readers), grouped by feature for the crosshair. */
function svgOpen(kind: string, id: string, group: string, feature: string, height: number, title: string, desc: string): string {
  return (
    `<svg class="chart" id="${id}" data-kind="${kind}" data-group="${group}" data-feature="${esc(feature)}" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-labelledby="${id}-t ${id}-d">` +
    `<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>`
  );
}

const cross = (top: number, bottom: number) => `<line class="cross" x1="0" x2="0" y1="${top}" y2="${bottom}" visibility="hidden"/>`;

/** What the script's tooltip shows for a chart: one row per column (height first), fields formatted by kind. */
interface ChartData {
  /** Charts that share a crosshair: a feature's charts on the same heights. */
  group: string;
  left: number;
  width: number;
  fields: [label: string, kind: "status" | "int" | "bps" | "bps%" | "%" | "num"][];
  cols: (number | null)[][];
}

const round = (v: number | null, d: number) => (v === null || Number.isNaN(v) ? null : Math.round(v * 10 ** d) / 10 ** d);

/** What the scenario's traffic did to a feature's paths: shared outages and a regression's start. */
export interface TrafficMarks {
  outages: { from: number; to: number; addBps: number }[];
  regression: { height: number; label: string } | null;
}

export function trafficMarks(r: ReplayResult, feature: string): TrafficMarks {
  const outages: TrafficMarks["outages"] = [];
  let regression: TrafficMarks["regression"] = null;
  const began = r.exposure.find((e) => e.feature === feature)?.regressionBegan ?? null;
  for (const t of r.scenario.traffic) {
    if (t.feature !== feature) continue;
    for (const o of t.outages ?? []) if (!outages.some((x) => x.from === o.from && x.to === o.to && x.addBps === o.addBps)) outages.push({ from: o.from, to: o.to, addBps: o.addBps });
    const g = t.regression;
    if (g && !regression) {
      const rate = `the new path at ${pct(g.exposedErrorRateBps / 10000)}`;
      if (began) regression = { height: began.height, label: `regression: ${rate} from block ${int(began.height)}${g.afterExposedCalls !== undefined ? `, after ${int(began.exposedCalls)} exposed calls` : ""}` };
      else if (g.from !== undefined) regression = { height: g.from, label: `regression: ${rate} from block ${int(g.from)}` };
    }
  }
  outages.sort((a, b) => a.from - b.from);
  return { outages, regression };
}

function marksSvg(m: TrafficMarks, span: Span, x: (h: number) => number, top: number, bottom: number): string {
  let out = "";
  for (const o of m.outages) {
    const from = Math.max(o.from, span.lo);
    const to = Math.min(o.to, span.hi);
    if (from > to) continue;
    out += `<rect class="outage" x="${fmt(x(from - 1))}" y="${top}" width="${fmt(Math.max(1, x(to) - x(from - 1)))}" height="${bottom - top}"><title>shared outage: both paths +${o.addBps} bps, heights ${o.from}..${o.to}</title></rect>`;
  }
  if (m.regression && m.regression.height >= span.lo && m.regression.height <= span.hi) {
    const px = fmt(x(m.regression.height));
    out += `<line class="regression" x1="${px}" x2="${px}" y1="${top}" y2="${bottom}"><title>${esc(m.regression.label)}</title></line>`;
  }
  return out;
}

function marksLegend(m: TrafficMarks): string {
  let out = "";
  if (m.outages.length) out += `<span><svg class="key" width="14" height="10" aria-hidden="true"><rect class="outage" x="1" y="0" width="12" height="10"/></svg>shared outage (traffic)</span>`;
  if (m.regression) out += `<span><svg class="key" width="22" height="10" aria-hidden="true"><line class="regression" x1="11" x2="11" y1="0" y2="10"/></svg>${esc(m.regression.label)}</span>`;
  return out;
}

// ---------------------------------------------------------------- the main chart (rollout)

/**
 * Per pixel column: the last height, status and bps, and the highest window error rate in it
 * while the feature was live (Canary, RollingOut, Enabled).
 */
function columns(s: FeatureSeries, until: number): { h: number; st: number; bps: number; err: number }[] {
  return intervals({ lo: 1, hi: until }, PW).map(({ from, to }) => {
    let err = NaN;
    for (let h = from; h <= to; h++) {
      // A rolled-back or disabled feature's window is frozen: not a rate any more.
      if (!drawn(s, h)) continue;
      const e = s.errorRateBps[h]!;
      if (!Number.isNaN(e) && !(e <= err)) err = e;
    }
    return { h: to, st: s.status[to]!, bps: s.bps[to]!, err };
  });
}

function mainChart(s: FeatureSeries, f: FeatureFinal | undefined, until: number, group: number): { svg: string; data: ChartData } {
  const x = (h: number) => M.left + (h / until) * PW;
  const yB = (bps: number) => M.top + PH - (bps / 10000) * PH;
  const cols = columns(s, until);
  const full = { lo: 1, hi: until };
  const threshold = f && f.view.policy.analysis === Analysis.Threshold ? f.view.policy.maxErrorRateBps : undefined;
  let maxErr = threshold !== undefined ? threshold * 1.5 : 0;
  for (const c of cols) if (!Number.isNaN(c.err) && c.err > maxErr) maxErr = c.err;
  const errTop = niceMax(Math.max(maxErr, 10));
  const yE = (e: number) => M.top + PH - (Math.min(e, errTop) / errTop) * PH;

  // Rollout bps: a step line through every height where it changes (exact, not sampled).
  let bpsPath = "";
  let prev: number | null = null;
  for (let h = 1; h <= until; h++) {
    const b = s.bps[h]!;
    if (b < 0) {
      prev = null;
      continue;
    }
    if (prev === null) bpsPath += `M${fmt(x(h - 1))} ${fmt(yB(b))}`;
    else if (b !== prev) bpsPath += `H${fmt(x(h - 1))}V${fmt(yB(b))}`;
    prev = b;
  }
  if (prev !== null) bpsPath += `H${fmt(x(until))}`;

  // Window error rate: the highest value per pixel column; gaps where the window is empty.
  const errPath = linePath(
    cols.map((c) => x(c.h)),
    cols.map((c) => (Number.isNaN(c.err) ? null : c.err)),
    yE,
  );

  // Status band under the plot.
  let band = "";
  let segStart = 1;
  for (let h = 2; h <= until + 1; h++) {
    if (h <= until && s.status[h] === s.status[segStart]) continue;
    const st = s.status[segStart]!;
    if (st >= 0) {
      band += `<rect x="${fmt(x(segStart - 1))}" y="${M.top + PH + 4}" width="${fmt(x(h - 1) - x(segStart - 1))}" height="${BAND}" fill="${STATUS_COLORS[st] ?? "#999"}"><title>${statusName(st)}: heights ${segStart}..${h - 1}</title></rect>`;
    }
    segStart = h;
  }

  const history = f?.history ?? [];
  let prevBps = 0;
  const stepFrom = new Map<number, number>();
  for (const h of history) {
    stepFrom.set(h.seq, prevBps);
    prevBps = h.rolloutBps;
  }
  const steps = stepsOf(history)
    .map((h) => {
      const px = fmt(x(h.block));
      return `<path class="step" d="M${px} ${M.top - 2}l-5 -8h10z"><title>step at ${h.block}: ${stepFrom.get(h.seq)} → ${h.rolloutBps} bps${h.to !== Status.RollingOut ? ` (${statusName(h.to)})` : ""}</title></path>`;
    })
    .join("");
  const rollbacks = rollbacksOf(history)
    .map((h) => {
      const px = fmt(x(h.block));
      const why = h.reason === null ? "Manual" : reasonName(h.reason);
      return `<line class="rollback" x1="${px}" x2="${px}" y1="${M.top}" y2="${M.top + PH}"><title>rolled back at ${h.block}: ${why}</title></line><text class="rollback-label" x="${fmt(Math.min(x(h.block) + 4, W - M.right - 90))}" y="${M.top + 14}">${why} @${h.block}</text>`;
    })
    .join("");

  // Axes and grid.
  let axes = "";
  for (let i = 0; i <= 4; i++) {
    const b = i * 2500;
    const y = fmt(yB(b));
    axes += `<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${y}" y2="${y}"/><text class="axis bps" x="${M.left - 6}" y="${y}" text-anchor="end" dy="4">${b}</text>`;
    axes += `<text class="axis err" x="${M.left + PW + 6}" y="${y}" dy="4">${lab((errTop * i) / 4)}</text>`;
  }
  axes += xAxis(full, x, M.top + PH + BAND + 4);
  axes += `<text class="axis bps" x="14" y="${M.top + PH / 2}" transform="rotate(-90 14 ${M.top + PH / 2})" text-anchor="middle">rollout bps</text>`;
  axes += `<text class="axis err" x="${W - 12}" y="${M.top + PH / 2}" transform="rotate(90 ${W - 12} ${M.top + PH / 2})" text-anchor="middle">window error rate (bps)</text>`;
  const thresholdLine =
    threshold !== undefined
      ? `<line class="threshold" x1="${M.left}" x2="${M.left + PW}" y1="${fmt(yE(threshold))}" y2="${fmt(yE(threshold))}"><title>maxErrorRateBps ${threshold}</title></line>`
      : "";

  const svg =
    svgOpen("main", `chart-${group}`, String(group), s.name, H, `${s.name}: rollout bps and window error rate per block`, `Rollout bps (left axis, 0 to 10000) and the window error rate in bps (right axis) for heights 1 to ${until}; the band under the plot is the status; triangles mark steps and red dashed lines rollbacks. The data table below lists the same values.`) +
    `<rect class="plot" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>` +
    axes +
    thresholdLine +
    band +
    `<path class="err" d="${errPath}"/>` +
    `<path class="bps" d="${bpsPath}"/>` +
    rollbacks +
    steps +
    cross(M.top, M.top + PH) +
    `</svg>`;
  return {
    svg,
    data: {
      group: String(group),
      left: M.left,
      width: PW,
      fields: [["status", "status"], ["rollout", "bps"], ["window errors", "bps%"]],
      cols: cols.map((c) => [c.h, c.st, c.bps < 0 ? null : c.bps, Number.isNaN(c.err) ? null : Math.round(c.err * 100) / 100]),
    },
  };
}

// ---------------------------------------------------------------- the cohort, statistic and samples charts

/** x of the end of height h in a chart of `span`. */
const x2 = (span: Span) => (h: number) => M.left + ((h - span.lo + 1) / (span.hi - span.lo + 1)) * PW;
const Y2 = (v01: number) => M2.top + PH2 - v01 * PH2;

function plotFrame(): string {
  return `<rect class="plot" x="${M.left}" y="${M2.top}" width="${PW}" height="${PH2}"/>`;
}

function yLabel(text: string, cls: string): string {
  const mid = M2.top + PH2 / 2;
  return `<text class="axis ${cls}" x="14" y="${mid}" transform="rotate(-90 14 ${mid})" text-anchor="middle">${esc(text)}</text>`;
}

function hline(cls: string, y: number, title: string): string {
  return `<line class="${cls}" x1="${M.left}" x2="${M.left + PW}" y1="${fmt(y)}" y2="${fmt(y)}"><title>${esc(title)}</title></line>`;
}

/**
 * Per interval with calls: the error rate over it and as many preceding intervals as needed
 * for MIN_CALLS calls (at most TRAIL intervals back): a 5 % canary makes a few calls per
 * block, and a rate of 0 or 1 error in 10 says little. Intervals without calls stay gaps.
 */
function trailingRates(errors: readonly number[], calls: readonly number[]): Pt[] {
  return calls.map((n, i) => {
    if (n <= 0) return null;
    let c = 0;
    let e = 0;
    for (let j = i; j >= 0 && j > i - TRAIL && c < MIN_CALLS; j--) {
      c += calls[j]!;
      e += errors[j]!;
    }
    return e / c;
  });
}

function cohortChart(cs: CohortSeries, s: FeatureSeries, f: FeatureFinal | undefined, group: number, key: string, marks: TrafficMarks): { svg: string; data: ChartData } {
  const x = x2(cs.span);
  const pts = cs.points;
  const xs = pts.map((p) => x(p.to));
  const canary = trailingRates(pts.map((p) => p.canaryErrors), pts.map((p) => p.canaryCalls));
  const base = trailingRates(pts.map((p) => p.baseErrors), pts.map((p) => p.baseCalls));
  const run = pts.map((p) => p.runRate);
  const baseRun = pts.map((p) => (cs.baseReported ? p.baseRunRate : null));
  const policy = f?.view.policy ?? s.policies[s.policies.length - 1]?.policy;
  // A reference rate: Threshold's limit, or the Sequential slope s (T rises while the canary fails more often than s).
  const ref = policy?.analysis === Analysis.Threshold ? { v: policy.maxErrorRateBps / 10000, label: `maxErrorRateBps ${policy.maxErrorRateBps}` } : policy?.analysis === Analysis.Sequential ? { v: policy.seqSlopePpm / 1e6, label: `Sequential slope s = ${pct(policy.seqSlopePpm / 1e6)}: T rises while the canary's error rate is above it` } : null;
  // The axis: the 98th percentile of interval rates (a few calls at a low rollout make spikes), the run's rates and the reference.
  const all = [...canary, ...base].filter((v): v is number => v !== null).sort((a, b) => a - b);
  let top = all.length ? all[Math.min(all.length - 1, Math.floor(all.length * 0.98))]! : 0;
  for (const v of [...run, ...baseRun]) if (v !== null && v > top) top = v;
  if (ref && ref.v * 1.25 > top) top = ref.v * 1.25;
  top = niceMax(Math.max(top, 0.001));
  const y = (v: number) => Y2(Math.min(v, top) / top);
  let axes = "";
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    axes += `<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/><text class="axis" x="${M.left - 6}" y="${fmt(y(v))}" text-anchor="end" dy="4">${lab(v * 100)}</text>`;
  }
  axes += xAxis(cs.span, x, M2.top + PH2) + yLabel("error rate (%)", "");
  const src = cs.source === "traffic" ? "calls of the synthetic traffic: exposed (canary) and unexposed (baseline) accounts" : "reports: increments of the run (canary) and baseline counters";
  const svg =
    svgOpen("cohorts", `cohorts-${group}`, key, s.name, H2, `${s.name}: error rate per cohort, canary against baseline`, `Error rate in percent at the end of each interval of about ${Math.ceil((cs.span.hi - cs.span.lo + 1) / pts.length)} blocks of heights ${cs.span.lo} to ${cs.span.hi}, over the cohort's last ${MIN_CALLS} or more calls, from ${src}; dashed: the run's cumulative rates as the contract counts them. Values above ${lab(top * 100)} % are drawn at the top. The data table below lists the same values.`) +
    plotFrame() +
    marksSvg(marks, cs.span, x, M2.top, M2.top + PH2) +
    axes +
    (ref ? hline("ref", y(ref.v), ref.label) : "") +
    `<path class="base" d="${linePath(xs, base, y)}"/>` +
    `<path class="canary" d="${linePath(xs, canary, y)}"/>` +
    `<path class="base run" d="${linePath(xs, baseRun, y)}"/>` +
    `<path class="canary run" d="${linePath(xs, run, y)}"/>` +
    rollbackLines(f?.history ?? [], cs.span, x, M2.top, M2.top + PH2) +
    cross(M2.top, M2.top + PH2) +
    `</svg>`;
  return {
    svg,
    data: {
      group: key,
      left: M.left,
      width: PW,
      fields: [[`canary (last ${MIN_CALLS}+ calls)`, "%"], ["baseline", "%"], ["interval calls: canary", "int"], ["baseline", "int"], ["run so far: canary", "%"], ["baseline", "%"]],
      cols: pts.map((p, i) => [p.to, round(canary[i]!, 5), round(base[i]!, 5), p.canaryCalls, p.baseCalls, round(run[i]!, 5), round(baseRun[i]!, 5)]),
    },
  };
}

function statisticChart(cs: CohortSeries, s: FeatureSeries, f: FeatureFinal | undefined, group: number, key: string, marks: TrafficMarks): { svg: string; data: ChartData } {
  const x = x2(cs.span);
  const pts = cs.points;
  const xs = pts.map((p) => x(p.to));
  const threshold = cs.analysis === Analysis.Threshold;
  const name = cs.analysis === Analysis.Sequential ? "T" : cs.analysis === Analysis.Comparative ? "S" : "window error rate";
  const hName = cs.analysis === Analysis.Sequential ? "h" : cs.analysis === Analysis.Comparative ? "A" : "maxErrorRateBps";
  let lo = 0;
  let hi = 0;
  for (const p of pts) {
    for (const v of [p.statLo, p.statHi, p.threshold, p.floor]) {
      if (v === null) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (p.threshold !== null && p.threshold * 1.2 > hi) hi = p.threshold * 1.2;
  }
  if (hi - lo <= 0) hi = lo + (threshold ? 0.01 : 1);
  const step = niceStep(hi - lo, 5);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const y = (v: number) => Y2((Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo));
  const label = (v: number) => (threshold ? lab(v * 100) : lab(v));
  let axes = "";
  for (let v = lo; v <= hi + step / 2; v += step) {
    axes += `<line class="grid${Math.abs(v) < step / 2 ? " zero" : ""}" x1="${M.left}" x2="${M.left + PW}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/><text class="axis" x="${M.left - 6}" y="${fmt(y(v))}" text-anchor="end" dy="4">${label(Math.abs(v) < step / 2 ? 0 : v)}</text>`;
  }
  axes += xAxis(cs.span, x, M2.top + PH2) + yLabel(threshold ? "window error rate (%)" : `statistic ${name}`, "stat");
  // Shade where the rule had too few samples for a verdict.
  let gated = "";
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    if (!p.gated) continue;
    const x0 = x(p.from - 1);
    gated += `<rect class="gated" x="${fmt(x0)}" y="${M2.top}" width="${fmt(Math.max(1, x(p.to) - x0))}" height="${PH2}"/>`;
  }
  if (gated) gated = `<g><title>fewer ${threshold ? "window" : "run"} samples than minSamples: no verdict</title>${gated}</g>`;
  const svg =
    svgOpen("statistic", `statistic-${group}`, key, s.name, H2, `${s.name}: ${name} against its threshold ${hName}`, threshold ? `The window error rate in percent (highest per interval, band: lowest to highest) against maxErrorRateBps (red dashed). Shaded: fewer window samples than minSamples.` : `The ${analysisName(cs.analysis)} statistic ${name} (highest per interval, band: lowest to highest) against the rollback threshold ${hName} (red dashed) and the floor (grey dashed); shaded: fewer run samples than minSamples, no verdict. The data table below lists the same values.`) +
    plotFrame() +
    gated +
    marksSvg(marks, cs.span, x, M2.top, M2.top + PH2) +
    axes +
    `<path class="stat-band" d="${bandPath(xs, pts.map((p) => p.statLo), pts.map((p) => p.statHi), y)}"/>` +
    `<path class="floor" d="${linePath(xs, pts.map((p) => p.floor), y)}"/>` +
    `<path class="threshold-line" d="${linePath(xs, pts.map((p) => p.threshold), y)}"/>` +
    `<path class="stat" d="${linePath(xs, pts.map((p) => p.statHi), y)}"/>` +
    rollbackLines(f?.history ?? [], cs.span, x, M2.top, M2.top + PH2) +
    cross(M2.top, M2.top + PH2) +
    `</svg>`;
  const k = threshold ? "%" : "num";
  return {
    svg,
    data: {
      group: key,
      left: M.left,
      width: PW,
      fields: [[`${name} (highest)`, k], [`${name} (lowest)`, k], [hName, k]],
      cols: pts.map((p) => [p.to, round(p.statHi, threshold ? 5 : 3), round(p.statLo, threshold ? 5 : 3), round(p.threshold, 6)]),
    },
  };
}

function samplesChart(cs: CohortSeries, s: FeatureSeries, f: FeatureFinal | undefined, group: number, key: string): { svg: string; data: ChartData } {
  const x = x2(cs.span);
  const pts = cs.points;
  const xs = pts.map((p) => x(p.to));
  const policy = f?.view.policy ?? s.policies[s.policies.length - 1]?.policy;
  const gate = policy ? Math.max(policy.minSamples, 1) : null;
  let max = gate ?? 1;
  for (const p of pts) for (const v of [p.windowSamples, p.runSamples, p.baseSamples]) if (v !== null && v > max) max = v;
  const decades = Math.max(2, Math.ceil(Math.log10(max + 1)));
  const y = (v: number) => Y2(Math.log10(1 + Math.max(0, v)) / decades);
  let axes = "";
  for (let d = 0; d <= decades; d++) {
    const v = d === 0 ? 0 : 10 ** d;
    const label = v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : String(v);
    axes += `<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/><text class="axis" x="${M.left - 6}" y="${fmt(y(v))}" text-anchor="end" dy="4">${label}</text>`;
  }
  axes += xAxis(cs.span, x, M2.top + PH2) + yLabel("samples (log)", "");
  const svg =
    svgOpen("samples", `samples-${group}`, key, s.name, H2, `${s.name}: sample counts`, `Samples on a logarithmic axis at the end of each interval: the current window's (grey), the run's canary samples (orange) and the baseline's (teal, from recordCohorts); the dashed line is minSamples. The data table below lists the same values.`) +
    plotFrame() +
    axes +
    (gate !== null ? hline("gate", y(gate), `minSamples ${int(gate)}`) : "") +
    `<path class="window" d="${linePath(xs, pts.map((p) => p.windowSamples), y)}"/>` +
    `<path class="base" d="${linePath(xs, pts.map((p) => (cs.baseReported ? p.baseSamples : null)), y)}"/>` +
    `<path class="canary" d="${linePath(xs, pts.map((p) => p.runSamples), y)}"/>` +
    rollbackLines(f?.history ?? [], cs.span, x, M2.top, M2.top + PH2) +
    cross(M2.top, M2.top + PH2) +
    `</svg>`;
  return {
    svg,
    data: { group: key, left: M.left, width: PW, fields: [["window", "int"], ["run", "int"], ["baseline", "int"]], cols: pts.map((p) => [p.to, p.windowSamples, p.runSamples, p.baseSamples]) },
  };
}

// ---------------------------------------------------------------- text around the charts

function legend(items: [cls: string, label: string][], extra = ""): string {
  return `<div class="legend">${items.map(([cls, label]) => `<span><svg class="key" width="22" height="10" aria-hidden="true"><line class="${cls}" x1="1" x2="21" y1="5" y2="5"/></svg>${esc(label)}</span>`).join("")}${extra}</div>`;
}

function cohortLegend(cs: CohortSeries, marks: string): string {
  const traffic = cs.source === "traffic";
  const hasBase = cs.points.some((p) => p.baseCalls > 0);
  const items: [string, string][] = [["canary", `canary (exposed${traffic ? " calls" : ", reported"})`]];
  if (hasBase) items.push(["base", `baseline (unexposed${traffic ? " calls" : ", reported"})`]);
  items.push(["canary run", "canary, run so far (contract)"]);
  if (cs.baseReported) items.push(["base run", "baseline, run so far (contract)"]);
  if (cs.analysis === Analysis.Sequential) items.push(["ref", "slope s"]);
  else if (cs.analysis === Analysis.Threshold) items.push(["ref", "maxErrorRateBps"]);
  const notes = [`solid: each cohort's last ${MIN_CALLS}+ calls`];
  if (!hasBase) notes.push("no baseline: no traffic for this feature in the scenario and no recordCohorts");
  else if (!cs.baseReported) notes.push("the baseline is the traffic's; the contract saw only the canary (recordBatch)");
  return legend(items, marks + notes.map((n) => `<span class="dim">${esc(n)}</span>`).join(""));
}

function policyText(p: Policy | undefined): string {
  if (!p) return "";
  const gate = `minSamples ${int(p.minSamples)}`;
  if (p.analysis === Analysis.Sequential) {
    return `Sequential: roll back when T ≥ h = ${(Number(p.seqInterceptPpm) / 1e6).toFixed(3)} (slope s = ${pct(p.seqSlopePpm / 1e6, 3)} per sample, floor −${(Number(p.seqFloorPpm) / 1e6).toFixed(3)}) · ${gate} run samples`;
  }
  if (p.analysis === Analysis.Comparative) {
    return `Comparative: roll back when S ≥ A = ${(Number(p.compThresholdPpm) / 1e6).toFixed(3)} (bad-to-good ratio r = ${fmt(1 + p.compExcessPpm / 1e6)}, floor −${(Number(p.compFloorPpm) / 1e6).toFixed(3)}) · ${gate} run samples`;
  }
  if (p.analysis === Analysis.Threshold) return `Threshold: roll back when the window error rate > ${pct(p.maxErrorRateBps / 10000)} (maxErrorRateBps ${p.maxErrorRateBps}) · ${gate} window samples`;
  return `analysis ${analysisName(p.analysis)}`;
}

function dataTable(cs: CohortSeries, s: FeatureSeries): string {
  // Coarser than the charts: merge chart intervals into at most TABLE_ROWS rows.
  const pts = cs.points;
  const per = Math.max(1, Math.ceil(pts.length / TABLE_ROWS));
  const threshold = cs.analysis === Analysis.Threshold;
  const name = cs.analysis === Analysis.Sequential ? "T" : cs.analysis === Analysis.Comparative ? "S" : "window rate";
  const r = (e: number, n: number) => (n > 0 ? `${pct(e / n)} <span class="dim">(${int(e)}/${int(n)})</span>` : "—");
  const num = (v: number | null) => (v === null ? "—" : threshold ? pct(v) : v.toFixed(3));
  const cnt = (v: number | null) => (v === null ? "—" : int(v));
  const cells: { from: number; to: number; text: string; empty: boolean; key: string }[] = [];
  for (let i = 0; i < pts.length; i += per) {
    const g = pts.slice(i, i + per);
    const lastP = g[g.length - 1]!;
    const sum = (k: "canaryCalls" | "canaryErrors" | "baseCalls" | "baseErrors") => g.reduce((a, p) => a + p[k], 0);
    let hi: number | null = null;
    let th: number | null = null;
    for (const p of g) {
      if (p.statHi !== null && (hi === null || p.statHi > hi)) hi = p.statHi;
      if (p.threshold !== null) th = p.threshold;
    }
    const st = lastP.status;
    const calls = sum("canaryCalls") + sum("baseCalls");
    const head = `<td>${st < 0 ? "—" : statusName(st)}</td><td class="n">${lastP.bps < 0 ? "—" : lastP.bps}</td>`;
    cells.push({
      from: g[0]!.from,
      to: lastP.to,
      key: head,
      empty: calls === 0 && hi === null && lastP.runSamples === null,
      text: `${head}<td class="n">${r(sum("canaryErrors"), sum("canaryCalls"))}</td><td class="n">${r(sum("baseErrors"), sum("baseCalls"))}</td><td class="n">${num(hi)}</td><td class="n">${num(th)}</td><td class="n">${cnt(lastP.windowSamples)}</td><td class="n">${cnt(lastP.runSamples)}</td><td class="n">${cnt(lastP.baseSamples)}</td>`,
    });
  }
  // Consecutive rows without data and in the same state (not created yet, rolled back) are one row.
  const merged: typeof cells = [];
  for (const c of cells) {
    const prev = merged[merged.length - 1];
    if (prev && prev.empty && c.empty && prev.key === c.key) prev.to = c.to;
    else merged.push({ ...c });
  }
  const rows = merged.map((c) => `<tr><td class="n">${c.from}–${c.to}</td>${c.text}</tr>`).join("");
  return (
    `<details><summary>Data table (${merged.length} rows of about ${plural(Math.ceil((cs.span.hi - cs.span.lo + 1) / cells.length), "block")})</summary>` +
    `<table class="data"><caption>${esc(s.name)}: per interval of heights, cohort error rates (errors/calls), the highest ${esc(name)} and its threshold, samples at the interval's end</caption>` +
    `<thead><tr><th scope="col">heights</th><th scope="col">status</th><th scope="col">bps</th><th scope="col">canary errors</th><th scope="col">baseline errors</th><th scope="col">${esc(name)} (highest)</th><th scope="col">threshold</th><th scope="col">window samples</th><th scope="col">run samples</th><th scope="col">baseline samples</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></details>`
  );
}

function faultsSection(faults: readonly FaultRecord[]): string {
  if (faults.length === 0) return `<h2>Failed transactions</h2><p>None: every transaction succeeded.</p>`;
  const code = (name: string): string => {
    if (name === "OutOfGas" || name.startsWith("Fault")) return "−1";
    try {
      return String(parseErrorCode(name));
    } catch {
      const m = /^code (-?\d+)$/.exec(name);
      return m ? m[1]! : "—";
    }
  };
  const source = (f: FaultRecord) => (f.index < 0 ? "host" : f.traffic ? "traffic" : "scenario");
  const rows = faults
    .slice(0, FAULT_ROWS)
    .map(
      (f) =>
        `<tr><td class="n">${f.height}</td><td class="n">${f.index < 0 ? "—" : f.index}</td><td>${esc(f.sender)}</td><td class="mono">${esc(f.method)}</td><td class="bad">${esc(f.error)}</td><td class="n">${code(f.error)}</td><td>${source(f)}</td><td>${f.expected ? "yes" : ""}</td></tr>`,
    )
    .join("");
  let more = "";
  if (faults.length > FAULT_ROWS) {
    const groups = new Map<string, { method: string; error: string; n: number; first: number; last: number }>();
    for (const f of faults.slice(FAULT_ROWS)) {
      const k = `${f.method}\0${f.error}`;
      const g = groups.get(k);
      if (g) {
        g.n++;
        g.last = f.height;
      } else groups.set(k, { method: f.method, error: f.error, n: 1, first: f.height, last: f.height });
    }
    more =
      `<p>${int(faults.length - FAULT_ROWS)} more, by method and error:</p><table><thead><tr><th scope="col">method</th><th scope="col">error</th><th scope="col">count</th><th scope="col">heights</th></tr></thead><tbody>` +
      [...groups.values()].map((g) => `<tr><td class="mono">${esc(g.method)}</td><td class="bad">${esc(g.error)}</td><td class="n">${int(g.n)}</td><td class="n">${g.first}–${g.last}</td></tr>`).join("") +
      `</tbody></table>`;
  }
  return (
    `<h2>Failed transactions</h2><p>${int(faults.length)} failed (a failed transaction changes nothing)${faults.length > FAULT_ROWS ? `; the first ${FAULT_ROWS}` : ""}:</p>` +
    `<table class="faults"><caption class="sr">Failed transactions: height, position in the block, sender, method, error and its code, where it came from, whether an expectation asked for it</caption><thead><tr><th scope="col">height</th><th scope="col">#</th><th scope="col">sender</th><th scope="col">method</th><th scope="col">error</th><th scope="col">code</th><th scope="col">from</th><th scope="col">expected</th></tr></thead><tbody>${rows}</tbody></table>` +
    more
  );
}

// ---------------------------------------------------------------- the page

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;background:#fff;max-width:1000px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 6px}h3{font-size:14px;margin:14px 0 2px;color:#444}
.meta{color:#555}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}.dim{color:#888}
table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}caption{text-align:left;color:#555;padding:4px 0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.data{font-size:12px}details{margin:6px 0 10px}summary{cursor:pointer;color:#3a62b8}
.ok{color:#2a7d3f}.bad{color:#c0392b}
.why{margin:6px 0;padding:6px 10px;border-left:4px solid #d64545;background:#fdf1f1}.why.unsure{border-left-color:#e08a2c;background:#fdf6ec}
.span{margin:10px 0 0;padding:4px 10px;background:#f1f3f5;color:#444}
.note{margin:6px 0;padding:6px 10px;border-left:4px solid #e08a2c;background:#fdf6ec}
.figure{position:relative;display:block;margin:0}
svg.chart{display:block;max-width:100%;height:auto}
.plot{fill:#fafafa;stroke:#ddd}.grid{stroke:#eee}.grid.zero{stroke:#bbb}.axis{font-size:11px;fill:#666}.axis.bps{fill:#3a62b8}.axis.err{fill:#c2701b}.axis.stat{fill:${COLORS.statistic}}
path.bps{fill:none;stroke:${COLORS.bps};stroke-width:2}path.err{fill:none;stroke:#e08a2c;stroke-width:1.2}
.threshold{stroke:#e08a2c;stroke-dasharray:5 4}.rollback{stroke:#d64545;stroke-width:2;stroke-dasharray:4 3}
.rollback-label{font-size:11px;fill:#d64545}.step{fill:#3aa657}.cross{stroke:#888}
path.canary,line.canary{fill:none;stroke:${COLORS.canary};stroke-width:1.6}path.base,line.base{fill:none;stroke:${COLORS.baseline};stroke-width:1.6}
path.run,line.run{stroke-width:2.4;stroke-dasharray:7 3}path.window,line.window{fill:none;stroke:#868e96;stroke-width:1.2}
path.stat,line.stat{fill:none;stroke:${COLORS.statistic};stroke-width:1.8}path.stat-band{fill:${COLORS.statistic};fill-opacity:.15;stroke:none}rect.stat-band{fill:${COLORS.statistic};fill-opacity:.15}
path.threshold-line,line.threshold-line{fill:none;stroke:#c92a2a;stroke-width:1.6;stroke-dasharray:6 4}path.floor,line.floor{fill:none;stroke:#868e96;stroke-width:1.2;stroke-dasharray:3 3}
line.ref{stroke:#c2701b;stroke-width:1;stroke-dasharray:2 3}line.gate{stroke:#444;stroke-width:1;stroke-dasharray:5 4}
.gated{fill:#e9ecef}rect.gated-key{fill:#e9ecef;stroke:#ccc}
rect.outage{fill:#f59f00;fill-opacity:.16}line.regression{stroke:#862e9c;stroke-width:1.6;stroke-dasharray:2 2}
.tip{position:absolute;pointer-events:none;background:#222;color:#fff;font-size:12px;padding:4px 7px;border-radius:4px;white-space:nowrap;display:none;z-index:2}
.legend{margin:8px 0 2px}.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin-right:4px}
svg.key{vertical-align:0;margin-right:4px}
`;

const SCRIPT = `
(function(){
  var data = JSON.parse(document.getElementById("series").textContent);
  var names = ${JSON.stringify(["Disabled", "Canary", "RollingOut", "Enabled", "RolledBack"])};
  var charts = document.querySelectorAll("svg.chart");
  function show(v, kind){
    if (v === null || v === undefined) return "—";
    if (kind === "status") return v < 0 ? "not created" : names[v];
    if (kind === "int") return Math.round(v).toLocaleString("en-US");
    if (kind === "bps") return Math.round(v).toLocaleString("en-US") + " bps";
    if (kind === "bps%") return (v / 100).toFixed(2) + " %";
    if (kind === "%") return (v * 100).toFixed(2) + " %";
    return v.toFixed(3);
  }
  function crosses(g){ return document.querySelectorAll('svg.chart[data-group="' + g + '"] .cross'); }
  charts.forEach(function(svg, i){
    var d = data[i], tip = svg.parentNode.querySelector(".tip");
    function at(ev){
      var r = svg.getBoundingClientRect(), sx = ${W} / r.width;
      var px = (ev.clientX - r.left) * sx;
      var c = Math.floor((px - d.left) / d.width * d.cols.length);
      return c >= 0 && c < d.cols.length ? {c: d.cols[c], px: px} : null;
    }
    function hide(){ tip.style.display = "none"; crosses(d.group).forEach(function(l){ l.setAttribute("visibility", "hidden"); }); }
    svg.addEventListener("mousemove", function(ev){
      var p = at(ev);
      if (!p) { hide(); return; }
      crosses(d.group).forEach(function(l){ l.setAttribute("x1", p.px); l.setAttribute("x2", p.px); l.setAttribute("visibility", "visible"); });
      var t = "height " + p.c[0];
      for (var k = 0; k < d.fields.length; k++) t += " · " + d.fields[k][0] + " " + show(p.c[k + 1], d.fields[k][1]);
      tip.textContent = t;
      tip.style.display = "block";
      tip.style.left = Math.max(0, Math.min(ev.offsetX + 12, svg.clientWidth - tip.offsetWidth - 4)) + "px";
      tip.style.top = (ev.offsetY + 12) + "px";
    });
    svg.addEventListener("mouseleave", hide);
    svg.setAttribute("data-ready", "1");
  });
  document.body.setAttribute("data-charts", String(charts.length));
})();
`;

function featureSection(fs: FeatureSeries, f: FeatureFinal | undefined, r: ReplayResult, group: number, datas: ChartData[]): string {
  const until = r.scenario.until;
  const policy = f?.view.policy ?? fs.policies[fs.policies.length - 1]?.policy;
  const span = liveSpan(fs, until);
  const zoomed = span.lo !== 1 || span.hi !== until;
  const cs = cohortSeries(fs, span, COHORT_POINTS, policy);
  const main = mainChart(fs, f, until, group);
  const marks = trafficMarks(r, fs.name);
  const key = zoomed ? `${group}z` : String(group);
  const coh = cohortChart(cs, fs, f, group, key, marks);
  const stat = statisticChart(cs, fs, f, group, key, marks);
  const samp = samplesChart(cs, fs, f, group, key);
  datas.push(main.data, coh.data, stat.data, samp.data);
  const whys = f ? rollbackReasons(fs, f, r.scenario.accounts) : [];
  const why = whys.map((w) => `<p class="why${w.fired === false ? " unsure" : ""}"><strong>Rolled back</strong> — ${esc(w.text)}</p>`).join("");
  const notes: string[] = [];
  if (cs.analysis === Analysis.Comparative && !cs.baseReported) notes.push("Comparative, but no baseline was reported (recordCohorts): S cannot move, only the other rules can roll back.");
  const sName = cs.analysis === Analysis.Sequential ? "T" : cs.analysis === Analysis.Comparative ? "S" : "window error rate";
  const hName = cs.analysis === Analysis.Sequential ? "threshold h" : cs.analysis === Analysis.Comparative ? "threshold A" : "maxErrorRateBps";
  const fig = (svg: string, caption: string, keys: string) => `<figure class="figure">${keys}${svg}<div class="tip" role="tooltip"></div><figcaption class="sr">${esc(caption)}</figcaption></figure>`;
  return (
    `<section aria-labelledby="f${group}"><h2 id="f${group}">${esc(fs.name)}</h2>` +
    `<div class="meta">${esc(f?.view.description ?? "")}${f?.view.description ? " · " : ""}${f ? `${statusName(f.view.status)} at ${f.view.rolloutBps} bps · ` : ""}${esc(policyText(policy))}</div>` +
    why +
    notes.map((n) => `<p class="note">${esc(n)}</p>`).join("") +
    fig(main.svg, "Rollout and window error rate", "") +
    (zoomed ? `<p class="span">The charts below show heights ${span.lo}–${span.hi}: from the feature's creation to a little after it was last live.</p>` : "") +
    `<h3>Error rate per cohort: canary against baseline</h3>` +
    fig(coh.svg, "Error rate per cohort", cohortLegend(cs, marksLegend(marks))) +
    `<h3>${cs.analysis === Analysis.Threshold ? "Window error rate against maxErrorRateBps" : `Statistic ${sName} against its ${hName}`}</h3>` +
    fig(stat.svg, "Statistic against threshold", legend([["stat", `${sName} (highest per interval)`], ["threshold-line", hName], ...(cs.analysis !== Analysis.Threshold ? [["floor", "floor"] as [string, string]] : [])], `<span><svg class="key" width="14" height="10" aria-hidden="true"><rect class="gated-key" x="1" y="0" width="12" height="10"/></svg>too few samples: no verdict</span>${marksLegend(marks)}`)) +
    `<h3>Samples</h3>` +
    fig(samp.svg, "Sample counts", legend([["window", "window"], ["canary", "run (canary)"], ["base", "baseline"], ["gate", "minSamples"]])) +
    dataTable(cs, fs) +
    `</section>`
  );
}

/** The report page for a replay run with `series: true`. */
export function renderReport(r: ReplayResult): string {
  const series = r.series ?? [];
  const s = r.summary;
  const finals = new Map(r.features.map((f) => [f.view.name, f]));
  const datas: ChartData[] = [];
  const sections = series.map((fs, i) => featureSection(fs, finals.get(fs.name), r, i, datas));
  const failed = r.expectations.filter((e) => !e.ok);

  const sectionOf = new Map(series.map((fs, i) => [fs.name, i]));
  const featureRows = r.features
    .map((f) => {
      const rb = rollbacksOf(f.history).map((h) => `${h.reason === null ? "Manual" : reasonName(h.reason)} at ${h.block}`);
      const i = sectionOf.get(f.view.name);
      return `<tr><td>${i === undefined ? esc(f.view.name) : `<a href="#f${i}">${esc(f.view.name)}</a>`}</td><td>${analysisName(f.view.policy.analysis)}</td><td>${statusName(f.view.status)}</td><td class="n">${f.view.rolloutBps}</td><td class="n">${stepsOf(f.history).length}</td><td>${rb.length ? esc(rb.join("; ")) : "—"}</td></tr>`;
    })
    .join("");
  const exposureRows = r.exposure
    .map(
      (e) =>
        `<tr><td>${esc(e.feature)}</td><td class="n">${int(e.calls)}</td><td class="n">${int(e.exposedCalls)}</td><td class="n">${int(e.exposedAccounts)}</td><td class="n">${int(e.exposedErrors)}</td><td class="n">${e.exposedCalls ? pct(e.exposedErrors / e.exposedCalls) : "—"}</td><td class="n">${int(e.unexposedCalls)}</td><td class="n">${int(e.unexposedErrors)}</td><td class="n">${e.unexposedCalls ? pct(e.unexposedErrors / e.unexposedCalls) : "—"}</td></tr>`,
    )
    .join("");
  const expectRows = r.expectations
    .map(
      (e) =>
        `<tr><td class="n">${e.height}</td><td class="${e.ok ? "ok" : "bad"}">${e.ok ? "✓" : "✗"}</td><td class="mono">${esc(e.what)}${e.ok ? "" : `<br>expected ${esc(e.expected)}<br>got ${esc(e.got)}`}</td></tr>`,
    )
    .join("");
  const statusLegend =
    `<div class="legend"><span><i class="sw" style="background:#3a62b8"></i>rollout bps</span><span><i class="sw" style="background:#e08a2c"></i>window error rate (highest per pixel)</span>` +
    `<span style="color:#3aa657">▼ step</span><span style="color:#d64545">┆ rollback</span>` +
    Object.entries(STATUS_COLORS)
      .map(([st, c]) => `<span><i class="sw" style="background:${c}"></i>${statusName(Number(st))}</span>`)
      .join("") +
    `</div>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(r.scenario.name)} — canary replay</title><style>${STYLE}</style></head>
<body>
<h1>${esc(r.scenario.name)}</h1>
<div class="meta">seed ${esc(JSON.stringify(r.scenario.seed))} · heights 1..${r.scenario.until} · ${s.txs} txs · ${s.faults} faults · expectations ${r.expectations.length - failed.length} passed, ${failed.length} failed</div>
<div class="meta mono">state root ${s.stateRoot}</div>
${r.scenario.description ? `<p>${esc(r.scenario.description)}</p>` : ""}
<h2>Features</h2>
<table><thead><tr><th scope="col">feature</th><th scope="col">analysis</th><th scope="col">status</th><th scope="col">bps</th><th scope="col">steps</th><th scope="col">rollbacks</th></tr></thead><tbody>${featureRows}</tbody></table>
${sections.length ? `<p class="meta">Per feature, one chart under another: the rollout; the error rate of the canary (exposed calls) against the baseline (unexposed calls); what the policy's rule judges against its threshold; the samples (the last three zoom to the feature's live span when that is a small part of the run). Rollbacks come with the numbers that fired them. Point at a chart for its values; a data table follows each feature's charts.</p>${statusLegend}` : "<p>No feature was created.</p>"}
${sections.join("\n")}
${r.exposure.length ? `<h2>Exposure (synthetic traffic)</h2><table><thead><tr><th scope="col">feature</th><th scope="col">calls</th><th scope="col">exposed calls</th><th scope="col">exposed accounts</th><th scope="col">exposed errors</th><th scope="col">exposed error rate</th><th scope="col">unexposed calls</th><th scope="col">unexposed errors</th><th scope="col">unexposed error rate</th></tr></thead><tbody>${exposureRows}</tbody></table>` : ""}
${faultsSection(r.faults)}
${r.expectations.length ? `<h2>Expectations</h2><table>${expectRows}</table>` : ""}
<script type="application/json" id="series">${JSON.stringify(datas).replace(/</g, "\\u003c")}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
