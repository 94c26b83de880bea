// How a replay is shown: `--json` lines, the human closing table, the failure messages and
// the progress bar. The HTML report is in report.ts.

import { analysisName, reasonName, statusName, Status } from "../client/index.ts";
import type { FeatureView, HistoryEntry } from "../client/index.ts";
import type { ReplayLine } from "./lines.ts";
import type { ExpectOutcome, FeatureFinal, ReplayResult } from "./replay.ts";

// ---------------------------------------------------------------- --json

/** One `--json` line (no newline). Lines hold display values only: no bigint reaches here. */
export function jsonLine(line: ReplayLine): string {
  return JSON.stringify(line);
}

/** Collects lines and hands them to `write` in chunks of about 64 KiB (one write per chunk, not per line). */
export class ChunkedWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly chunk = 1 << 16,
  ) {}

  line(text: string): void {
    this.parts.push(text, "\n");
    this.size += text.length + 1;
    if (this.size >= this.chunk) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    this.write(this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }
}

// ---------------------------------------------------------------- failures

/** What stderr says about one failed expectation: height, what, expected, got. */
export function failureMessage(e: ExpectOutcome): string {
  return `expectation failed at height ${e.height}: ${e.what}\n  expected ${e.expected}\n  got      ${e.got}\n`;
}

// ---------------------------------------------------------------- tables

/** Left-aligned columns; numbers (and "—") right-aligned. */
export function table(rows: readonly (readonly string[])[], indent = "  "): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const numeric = (c: string) => /^[-+]?[0-9][0-9,.]*( %)?$/.test(c);
  return rows
    .map((r, ri) =>
      indent +
      r
        .map((c, i) => (ri > 0 && numeric(c) ? c.padStart(widths[i]!) : i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

const int = (n: number) => n.toLocaleString("en-US");
const pct = (num: number, den: number) => (den === 0 ? "—" : `${((num / den) * 100).toFixed(2)} %`);

/** A ppm value (bigint) as a decimal with two places: 4109731n → "4.11". */
function ppmText(v: bigint): string {
  return (Number(v) / 1e6).toFixed(2);
}

/**
 * The error-rate rule a feature runs and where it stands: `Sequential` and `−8.22 / 4.11`
 * (the run's statistic against its threshold h or A), `Threshold` and its rate.
 */
export function ruleColumns(v: FeatureView): [string, string] {
  const p = v.policy;
  switch (p.analysis) {
    case 0:
      return ["Threshold", `window rate > ${(p.maxErrorRateBps / 100).toFixed(2)} %`];
    case 1:
      return ["Sequential", `${ppmText(v.statistic)} / ${ppmText(p.seqInterceptPpm)}`];
    case 2:
      return ["Comparative", `${ppmText(v.statistic)} / ${ppmText(p.compThresholdPpm)}`];
    default:
      return [analysisName(p.analysis), "—"];
  }
}

/** History entries that are step advances (the status after may be RollingOut, Enabled or a held Canary). */
export function stepsOf(history: readonly HistoryEntry[]): HistoryEntry[] {
  return history.filter((h) => h.from === Status.RollingOut && (h.to === Status.RollingOut || h.to === Status.Enabled || h.to === Status.Canary));
}

export function rollbacksOf(history: readonly HistoryEntry[]): HistoryEntry[] {
  return history.filter((h) => h.to === Status.RolledBack);
}

function heightsText(hs: readonly number[], max = 6): string {
  if (hs.length === 0) return "—";
  if (hs.length <= max) return hs.join(", ");
  return `${hs.slice(0, max - 2).join(", ")}, …, ${hs[hs.length - 1]}`;
}

function historyLine(h: HistoryEntry, prevBps: number, labels: ReadonlyMap<string, string>): string {
  const who = h.actor === null ? "onPersist" : (labels.get(h.actor) ?? h.actor);
  const reason = h.reason === null ? "" : `, ${reasonName(h.reason)}`;
  const move =
    h.from === h.to && h.from === Status.RollingOut
      ? `step ${prevBps} → ${h.rolloutBps} bps`
      : `${statusName(h.from)} → ${statusName(h.to)} at ${h.rolloutBps} bps`;
  return `h ${String(h.block).padEnd(7)} ${move}${reason}  (${who})`;
}

function featureBlock(f: FeatureFinal, labels: ReadonlyMap<string, string>, maxLines = 24): string {
  const lines: string[] = [];
  let prev = 0;
  const all = f.history.map((h) => {
    const text = historyLine(h, prev, labels);
    prev = h.rolloutBps;
    return text;
  });
  if (all.length <= maxLines) lines.push(...all);
  else lines.push(...all.slice(0, maxLines - 4), `… ${all.length - maxLines + 2} more …`, ...all.slice(-2));
  return `  ${f.view.name}\n` + (lines.length ? lines.map((l) => `    ${l}`).join("\n") : "    (no status change)");
}

/** The readable end of a replay without --json. */
export function formatHuman(r: ReplayResult): string {
  const s = r.summary;
  const sc = r.scenario;
  const labels = new Map<string, string>(Object.entries(sc.accounts).map(([alias, hex]) => [hex, alias]));
  const out: string[] = [];
  out.push(`${sc.name} — seed ${JSON.stringify(sc.seed)}, heights 1..${sc.until}`);
  out.push(`  ${int(s.blocks)} blocks, ${int(s.txs)} txs, ${int(s.faults)} fault${s.faults === 1 ? "" : "s"}, state root ${s.stateRoot}`);

  out.push("", "features");
  if (r.features.length === 0) out.push("  (none)");
  else {
    const rows = [["feature", "status", "bps", "target", "steps", "at heights", "rollbacks", "rule", "statistic / threshold"]];
    for (const f of r.features) {
      const v = f.view;
      const steps = stepsOf(f.history);
      const rollbacks = rollbacksOf(f.history).map((h) => `${reasonName(h.reason ?? 0)} at ${h.block}`);
      rows.push([
        v.name,
        statusName(v.status) + (v.paused ? " (paused)" : ""),
        String(v.rolloutBps),
        String(v.targetBps),
        String(steps.length),
        heightsText(steps.map((h) => h.block)),
        rollbacks.length ? rollbacks.join("; ") : "—",
        ...ruleColumns(v),
      ]);
    }
    out.push(table(rows));
    out.push("  statistic = the run's T (Sequential) or S (Comparative) against its threshold h or A: at or above it, ErrorRate;");
    out.push("  Threshold shows the window error rate that rolls back");
    out.push("", "history");
    for (const f of r.features) out.push(featureBlock(f, labels));
  }

  if (r.exposure.length > 0) {
    out.push("", "exposure (synthetic traffic)");
    const rows = [["feature", "calls", "exposed", "accounts", "errors", "error rate", "old path"]];
    for (const e of r.exposure) {
      rows.push([
        e.feature,
        int(e.calls),
        int(e.exposedCalls),
        int(e.exposedAccounts),
        int(e.exposedErrors),
        pct(e.exposedErrors, e.exposedCalls),
        pct(e.unexposedErrors, e.unexposedCalls),
      ]);
    }
    out.push(table(rows));
    out.push("  exposed = calls the contract exposed to the feature; accounts = distinct exposed accounts;");
    out.push("  error rate = errors among exposed calls; old path = errors among the others");
  }

  if (r.gas.length > 0) {
    out.push("", "gas per method (metered module; docs/GAS.md)");
    const rows = [["method", "calls", "mean", "min", "max", "total"]];
    for (const g of r.gas) rows.push([g.method, int(g.calls), int(g.mean), int(g.min), int(g.max), int(g.total)]);
    out.push(table(rows));
  }

  const failed = r.expectations.filter((e) => !e.ok);
  out.push("", `expectations: ${r.expectations.length - failed.length} passed, ${failed.length} failed`);
  for (const e of failed) out.push(`  ✗ h ${e.height}: ${e.what}`, `      expected ${e.expected}`, `      got      ${e.got}`);

  const txFaults = r.faults.filter((f) => !f.traffic);
  const trafficFaults = r.faults.length - txFaults.length;
  if (r.faults.length > 0) {
    out.push("", `faults: ${r.faults.length}${trafficFaults ? ` (${trafficFaults} from the traffic reporter)` : ""}`);
    for (const f of txFaults.slice(0, 20)) {
      const at = f.index < 0 ? "onPersist" : `tx ${f.index} ${f.method} by ${f.sender}`;
      out.push(`  h ${f.height} ${at}: ${f.error}${f.expected ? " (expected)" : ""}`);
    }
    if (txFaults.length > 20) out.push(`  … ${txFaults.length - 20} more`);
  }
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------- progress

/**
 * A one-line progress bar for a terminal. It appears only once the run has taken longer than
 * `after` ms (short runs print nothing), redraws at most every 100 ms, and `done()` erases it.
 */
export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;
  private shown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly width = 30,
    private readonly after = 400,
  ) {}

  update(height: number, until: number): void {
    const now = performance.now();
    if (now - this.started < this.after || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.shown = true;
    const f = until === 0 ? 1 : height / until;
    const fill = Math.round(f * this.width);
    const rate = height / ((now - this.started) / 1000);
    this.write(`\r[${"#".repeat(fill)}${"-".repeat(this.width - fill)}] ${(f * 100).toFixed(0).padStart(3)} %  height ${height}/${until}  ${Math.round(rate)} blocks/s`);
  }

  done(): void {
    if (this.shown) this.write("\r\x1b[2K");
  }
}
