// `--report FILE.html`: one self-contained page (inline SVG, CSS and JS; nothing fetched).
// Per feature, a chart of rollout bps (left axis) and window error rate (right axis) per
// block, with a status band under it, steps marked ▼ and rollbacks as red lines with their
// reason. The SVG is drawn here, so the page reads without scripts (and prints); the inline
// script only adds a crosshair and a tooltip, and marks each chart `data-ready="1"` and
// `<body data-charts="N">` once it has bound them (what scripts/render-report.ts checks).

import { reasonName, statusName, Status } from "../client/index.ts";
import { rollbacksOf, stepsOf } from "./output.ts";
import type { FeatureFinal, FeatureSeries, ReplayResult } from "./replay.ts";

const W = 960;
const H = 300;
const M = { left: 58, right: 66, top: 22, bottom: 44 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
const BAND = 8;

const STATUS_COLORS: Record<number, string> = {
  [Status.Disabled]: "#c8c8c8",
  [Status.Canary]: "#f2c14e",
  [Status.RollingOut]: "#5b8def",
  [Status.Enabled]: "#3aa657",
  [Status.RolledBack]: "#d64545",
};

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const fmt = (n: number) => (Math.round(n * 100) / 100).toString();

/** A round axis maximum ≥ v. */
function niceMax(v: number): number {
  const steps = [1, 2, 2.5, 5, 10];
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1e-9))));
  for (const s of steps) if (s * p >= v) return s * p;
  return 10 * p;
}

/**
 * Per pixel column: the last height, status and bps, and the highest window error rate in it
 * while the feature was live (Canary, RollingOut, Enabled).
 */
function columns(s: FeatureSeries, until: number): { h: number; st: number; bps: number; err: number }[] {
  const n = Math.min(until, PW);
  const out: { h: number; st: number; bps: number; err: number }[] = [];
  for (let c = 0; c < n; c++) {
    const from = Math.floor((c * until) / n) + 1;
    const to = Math.floor(((c + 1) * until) / n);
    let err = NaN;
    for (let h = from; h <= to; h++) {
      // A rolled-back or disabled feature's window is frozen: not a rate any more.
      const st = s.status[h]!;
      if (st === Status.RolledBack || st === Status.Disabled) continue;
      const e = s.errorRateBps[h]!;
      if (!Number.isNaN(e) && !(e <= err)) err = e;
    }
    out.push({ h: to, st: s.status[to]!, bps: s.bps[to]!, err });
  }
  return out;
}

function chart(s: FeatureSeries, f: FeatureFinal | undefined, until: number, index: number): { svg: string; data: unknown } {
  const x = (h: number) => M.left + (h / until) * PW;
  const yB = (bps: number) => M.top + PH - (bps / 10000) * PH;
  const cols = columns(s, until);
  const threshold = f && f.view.policy.analysis === 0 ? f.view.policy.maxErrorRateBps : undefined;
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
  let errPath = "";
  let open = false;
  for (let c = 0; c < cols.length; c++) {
    const col = cols[c]!;
    if (Number.isNaN(col.err)) {
      open = false;
      continue;
    }
    errPath += `${open ? "L" : "M"}${fmt(x(col.h))} ${fmt(yE(col.err))}`;
    open = true;
  }

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
    axes += `<text class="axis err" x="${M.left + PW + 6}" y="${y}" dy="4">${fmt((errTop * i) / 4)}</text>`;
  }
  for (let i = 0; i <= 5; i++) {
    const h = Math.round((until * i) / 5);
    axes += `<text class="axis" x="${fmt(x(h))}" y="${M.top + PH + BAND + 20}" text-anchor="middle">${h}</text>`;
  }
  axes += `<text class="axis bps" x="14" y="${M.top + PH / 2}" transform="rotate(-90 14 ${M.top + PH / 2})" text-anchor="middle">rollout bps</text>`;
  axes += `<text class="axis err" x="${W - 12}" y="${M.top + PH / 2}" transform="rotate(90 ${W - 12} ${M.top + PH / 2})" text-anchor="middle">window error rate (bps)</text>`;
  const thresholdLine =
    threshold !== undefined
      ? `<line class="threshold" x1="${M.left}" x2="${M.left + PW}" y1="${fmt(yE(threshold))}" y2="${fmt(yE(threshold))}"><title>maxErrorRateBps ${threshold}</title></line>`
      : "";

  const svg =
    `<svg class="chart" id="chart-${index}" data-feature="${esc(s.name)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(s.name)}: rollout bps and window error rate per block">` +
    `<rect class="plot" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>` +
    axes +
    thresholdLine +
    band +
    `<path class="err" d="${errPath}"/>` +
    `<path class="bps" d="${bpsPath}"/>` +
    rollbacks +
    steps +
    `<line class="cross" x1="0" x2="0" y1="${M.top}" y2="${M.top + PH}" visibility="hidden"/>` +
    `</svg>`;
  return { svg, data: { until, left: M.left, width: PW, cols: cols.map((c) => [c.h, c.st, c.bps, Number.isNaN(c.err) ? null : Math.round(c.err * 100) / 100]) } };
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 6px}
.meta{color:#555}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#2a7d3f}.bad{color:#c0392b}
.figure{position:relative;display:inline-block}
svg.chart{display:block;max-width:100%;height:auto}
.plot{fill:#fafafa;stroke:#ddd}.grid{stroke:#eee}.axis{font-size:11px;fill:#666}.axis.bps{fill:#3a62b8}.axis.err{fill:#c2701b}
path.bps{fill:none;stroke:#3a62b8;stroke-width:2}path.err{fill:none;stroke:#e08a2c;stroke-width:1.2}
.threshold{stroke:#e08a2c;stroke-dasharray:5 4}.rollback{stroke:#d64545;stroke-width:2;stroke-dasharray:4 3}
.rollback-label{font-size:11px;fill:#d64545}.step{fill:#3aa657}.cross{stroke:#888}
.tip{position:absolute;pointer-events:none;background:#222;color:#fff;font-size:12px;padding:4px 7px;border-radius:4px;white-space:nowrap;display:none}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin-right:4px}
`;

const SCRIPT = `
(function(){
  var data = JSON.parse(document.getElementById("series").textContent);
  var names = ${JSON.stringify(["Disabled", "Canary", "RollingOut", "Enabled", "RolledBack"])};
  var charts = document.querySelectorAll("svg.chart");
  charts.forEach(function(svg, i){
    var d = data[i], tip = svg.parentNode.querySelector(".tip"), cross = svg.querySelector(".cross");
    function at(ev){
      var r = svg.getBoundingClientRect(), sx = ${W} / r.width;
      var px = (ev.clientX - r.left) * sx;
      var c = Math.floor((px - d.left) / d.width * d.cols.length);
      return c >= 0 && c < d.cols.length ? {c: d.cols[c], px: px, py: (ev.clientY - r.top)} : null;
    }
    svg.addEventListener("mousemove", function(ev){
      var p = at(ev);
      if (!p) { tip.style.display = "none"; cross.setAttribute("visibility", "hidden"); return; }
      var c = p.c;
      cross.setAttribute("x1", p.px); cross.setAttribute("x2", p.px); cross.setAttribute("visibility", "visible");
      tip.textContent = "height " + c[0] + " · " + (c[1] < 0 ? "not created" : names[c[1]] + " · " + c[2] + " bps") +
        " · window errors " + (c[3] === null ? "—" : (c[3] / 100).toFixed(2) + " %");
      tip.style.display = "block";
      tip.style.left = Math.min(ev.offsetX + 12, svg.clientWidth - 260) + "px";
      tip.style.top = (ev.offsetY + 12) + "px";
    });
    svg.addEventListener("mouseleave", function(){ tip.style.display = "none"; cross.setAttribute("visibility", "hidden"); });
    svg.setAttribute("data-ready", "1");
  });
  document.body.setAttribute("data-charts", String(charts.length));
})();
`;

/** The report page for a replay run with `series: true`. */
export function renderReport(r: ReplayResult): string {
  const series = r.series ?? [];
  const s = r.summary;
  const finals = new Map(r.features.map((f) => [f.view.name, f]));
  const charts = series.map((fs, i) => chart(fs, finals.get(fs.name), r.scenario.until, i));
  const failed = r.expectations.filter((e) => !e.ok);

  const featureRows = r.features
    .map((f) => {
      const rb = rollbacksOf(f.history).map((h) => `${h.reason === null ? "Manual" : reasonName(h.reason)} at ${h.block}`);
      return `<tr><td>${esc(f.view.name)}</td><td>${statusName(f.view.status)}</td><td class="n">${f.view.rolloutBps}</td><td class="n">${stepsOf(f.history).length}</td><td>${rb.length ? esc(rb.join("; ")) : "—"}</td></tr>`;
    })
    .join("");
  const exposureRows = r.exposure
    .map(
      (e) =>
        `<tr><td>${esc(e.feature)}</td><td class="n">${e.calls}</td><td class="n">${e.exposedCalls}</td><td class="n">${e.exposedAccounts}</td><td class="n">${e.exposedErrors}</td></tr>`,
    )
    .join("");
  const expectRows = r.expectations
    .map(
      (e) =>
        `<tr><td class="n">${e.height}</td><td class="${e.ok ? "ok" : "bad"}">${e.ok ? "✓" : "✗"}</td><td class="mono">${esc(e.what)}${e.ok ? "" : `<br>expected ${esc(e.expected)}<br>got ${esc(e.got)}`}</td></tr>`,
    )
    .join("");
  const legend =
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
<table><tr><th>feature</th><th>status</th><th>bps</th><th>steps</th><th>rollbacks</th></tr>${featureRows}</table>
${charts.length ? legend : "<p>No feature was created.</p>"}
${series.map((fs, i) => `<h2>${esc(fs.name)}</h2><div class="figure">${charts[i]!.svg}<div class="tip"></div></div>`).join("\n")}
${r.exposure.length ? `<h2>Exposure (synthetic traffic)</h2><table><tr><th>feature</th><th>calls</th><th>exposed calls</th><th>exposed accounts</th><th>exposed errors</th></tr>${exposureRows}</table>` : ""}
${r.expectations.length ? `<h2>Expectations</h2><table>${expectRows}</table>` : ""}
<script type="application/json" id="series">${JSON.stringify(charts.map((c) => c.data)).replace(/</g, "\\u003c")}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
