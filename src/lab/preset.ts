// `canary lab --preset`: the built-in matrix. One scenario per row under scenarios/lab/, each
// with three features — the old default (Threshold), the default policy (Sequential) and
// Comparative (r = 2, report: cohorts) — replayed as one lab; README.md shows the table.

import path from "node:path";
import type { LabResult } from "./lab.ts";
import { int, interval, pct } from "./format.ts";
import type { FeatureSummary } from "./summary.ts";

/** What a row measures: false rollbacks of a healthy feature, or how fast a regression is caught. */
export type RowKind = "healthy" | "regression" | "late";

export interface PresetRow {
  id: string;
  /** The row's label in the table. */
  title: string;
  kind: RowKind;
  /** The target of the issue, as the table prints it. */
  target: string;
}

/** The three variants of every row: the feature names inside each preset scenario. */
export const VARIANTS = [
  { feature: "threshold", title: "Threshold (old default)" },
  { feature: "sequential", title: "Sequential (default)" },
  { feature: "comparative", title: "Comparative (r = 2)" },
] as const;

export const PRESET_ROWS: readonly PresetRow[] = [
  { id: "healthy-half-p0", title: "healthy, 0.5 % errors (p0/2)", kind: "healthy", target: "false rollbacks ≤ 1 %" },
  { id: "healthy-at-p0", title: "healthy, 1 % errors (p0)", kind: "healthy", target: "false rollbacks ≤ 5 %" },
  { id: "shared-outage", title: "shared outage, both paths +3 % for 100 blocks", kind: "healthy", target: "false rollbacks ≤ 5 % (Comparative)" },
  { id: "regression-2x", title: "regression 2× (2 %) from the start", kind: "regression", target: "caught" },
  { id: "regression-5x", title: "regression 5× (5 %) from the start", kind: "regression", target: "caught, median ≤ 200 exposed calls" },
  { id: "late-5x", title: "5× jump after ~100,000 healthy exposed calls", kind: "late", target: "caught ≤ 1,000 exposed calls after the jump" },
];

/** The scenario file of a row, under `root`/scenarios/lab/. */
export const presetFile = (root: string, row: PresetRow): string => path.join(root, "scenarios", "lab", `${row.id}.yaml`);

/** One cell: what the row's kind asks of a variant. */
function cell(kind: RowKind, f: FeatureSummary | undefined): string {
  if (!f) return "—";
  const rate = `${pct(f.rollbackRate)} (${interval(f.rollbackRate95)})`;
  if (kind === "healthy") return `${rate} rolled back`;
  if (kind === "regression") {
    const e = f.exposedBeforeRollback;
    return `${pct(f.rollbackRate)} caught; exposed median ${e ? int(e.median) : "—"}, p90 ${e ? int(e.p90) : "—"}`;
  }
  const g = f.regression;
  if (!g) return `${pct(f.rollbackRate)} rolled back (no regression found)`;
  const d = g.detectionDelay;
  const n = f.runs;
  return `${pct(g.caught / n)} caught; after the jump median ${d ? int(d.median) : "—"}, p90 ${d ? int(d.p90) : "—"}; ${pct(g.rolledBackBefore / n)} rolled back before it`;
}

export interface PresetResult {
  row: PresetRow;
  lab: LabResult;
}

/** The matrix as a Markdown table (exactly what README.md shows). */
export function presetMarkdown(results: readonly PresetResult[]): string {
  const runs = results[0]?.lab.runs ?? 0;
  const lines = [
    `| scenario (${int(runs)} run${runs === 1 ? "" : "s"} each) | target | ${VARIANTS.map((v) => v.title).join(" | ")} |`,
    `|---|---|${VARIANTS.map(() => "---").join("|")}|`,
  ];
  for (const { row, lab } of results) {
    const cells = VARIANTS.map((v) => cell(row.kind, lab.features.find((f) => f.feature === v.feature)));
    lines.push(`| ${row.title} | ${row.target} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n") + "\n";
}

/** The matrix for a terminal: one block per row. */
export function presetText(results: readonly PresetResult[], elapsedMs: number, jobs: number): string {
  const runs = results[0]?.lab.runs ?? 0;
  const out = [`policy lab preset — ${int(runs)} runs per scenario, ${jobs} worker${jobs === 1 ? "" : "s"}, ${(elapsedMs / 1000).toFixed(1)} s`, ""];
  const w = Math.max(...VARIANTS.map((v) => v.title.length));
  for (const { row, lab } of results) {
    out.push(`${row.title}  (target: ${row.target}; scenarios/lab/${row.id}.yaml)`);
    for (const v of VARIANTS) out.push(`  ${v.title.padEnd(w)}  ${cell(row.kind, lab.features.find((f) => f.feature === v.feature))}`);
    out.push("");
  }
  out.push("rates with their 95 % Wilson interval; exposed calls up to and including the rollback's block; quantiles by nearest rank");
  return out.join("\n") + "\n";
}
