// The lab's readable output: one table per scenario, a progress bar.

import type { LabResult } from "./lab.ts";
import type { FeatureSummary, Spread } from "./summary.ts";

export const int = (n: number): string => Math.round(n).toLocaleString("en-US");
export const pct = (f: number): string => `${(f * 100).toFixed(1)} %`;
export const interval = ([lo, hi]: [number, number]): string => `${(lo * 100).toFixed(1)}–${(hi * 100).toFixed(1)} %`;
const sp = (s: Spread | null): string => (s ? `${int(s.median)} / ${int(s.p90)}` : "—");

function counts(c: Record<string, number>): string {
  const e = Object.entries(c).sort(([, a], [, b]) => b - a);
  return e.length === 0 ? "—" : e.map(([k, n]) => `${k} ${n}`).join(", ");
}

function table(rows: string[][], right: ReadonlySet<number>): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => "  " + r.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  ").trimEnd());
}

/** The human report of one lab. */
export function formatLab(r: LabResult, elapsedMs: number, jobs: number): string {
  const head = `${r.scenario} — ${r.runs} run${r.runs === 1 ? "" : "s"}, seeds "${String(r.seed)}/lab/0"…"${String(r.seed)}/lab/${r.runs - 1}", ${jobs} worker${jobs === 1 ? "" : "s"}, ${(elapsedMs / 1000).toFixed(1)} s`;
  const rows: string[][] = [["feature", "runs", "rolled back", "95 % interval", "reasons", "exposed before rollback (median / p90)", "rollback block (median)", "not rolled back: final status"]];
  for (const f of r.features) {
    rows.push([
      f.feature,
      int(f.runs),
      `${int(f.rolledBack)} (${pct(f.rollbackRate)})`,
      interval(f.rollbackRate95),
      counts(f.reasons),
      sp(f.exposedBeforeRollback),
      f.rollbackBlock ? int(f.rollbackBlock.median) : "—",
      counts(f.finalStatus),
    ]);
  }
  const lines = [head, "", ...table(rows, new Set([1, 2, 5, 6]))];
  const reg = r.features.filter((f): f is FeatureSummary & { regression: NonNullable<FeatureSummary["regression"]> } => f.regression !== null);
  if (reg.length > 0) {
    lines.push("", "  regressions");
    const rr: string[][] = [["feature", "begins", "exposed before it (median)", "rolled back before it", "caught after it", "detection delay: exposed calls after it (median / p90)"]];
    for (const f of reg) {
      const g = f.regression;
      rr.push([f.feature, g.from !== null ? `block ${int(g.from)}` : `after ${int(g.afterExposedCalls!)} exposed calls`, int(g.exposedBefore.median), int(g.rolledBackBefore), int(g.caught), sp(g.detectionDelay)]);
    }
    lines.push(...table(rr, new Set([1, 2, 3, 4, 5])));
  }
  lines.push("", `  exposed calls count up to and including the rollback's block; quantiles by nearest rank; interval: Wilson 95 %`);
  return lines.join("\n") + "\n";
}

/** A progress bar over runs, on stderr (a terminal only); quiet for the first 400 ms. */
export class RunsBar {
  private readonly started = performance.now();
  private lastDraw = 0;
  private shown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly label = "runs",
    private readonly width = 30,
  ) {}

  update(done: number, total: number): void {
    const now = performance.now();
    if (now - this.started < 400 || (now - this.lastDraw < 100 && done < total)) return;
    this.lastDraw = now;
    this.shown = true;
    const f = total === 0 ? 1 : done / total;
    const fill = Math.round(f * this.width);
    const s = (now - this.started) / 1000;
    const eta = done === 0 ? "" : `  ~${Math.ceil((s / done) * (total - done))} s left`;
    this.write(`\r[${"#".repeat(fill)}${"-".repeat(this.width - fill)}] ${(f * 100).toFixed(0).padStart(3)} %  ${this.label} ${done}/${total}${eta}\x1b[K`);
  }

  done(): void {
    if (this.shown) this.write("\r\x1b[2K");
  }
}
