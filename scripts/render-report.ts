// Renders a replay's HTML report in headless Chromium and checks that the charts were drawn.
//
//   tsx scripts/render-report.ts REPORT.html [--chromium PATH] [--screenshot OUT.png]
//
// Two checks, both on what Chromium actually produced:
// - the DOM after scripts ran (--dump-dom): <body data-charts="N"> with N = the number of
//   charts, every `svg.chart` marked data-ready="1" by the page's script; per feature the
//   four charts (main, cohorts, statistic, samples); every rollout path non-empty, and some
//   canary line drawn when the page has cohort charts;
// - a screenshot (--screenshot, 1400×2400): decoded here (PNG, no dependency), it must
//   contain pixels of the rollout line's colour and, when a canary line was drawn, of the
//   canary's — a blank or unstyled page has none.
// Exit status: 0 drawn, 1 not drawn (the problems are printed), 2 bad usage or no Chromium.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { inflateSync } from "node:zlib";
import { COLORS } from "../src/replay/report.ts";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";
/** The chart kinds of one feature (svg.chart data-kind), in page order. */
export const CHART_KINDS = ["main", "cohorts", "statistic", "samples"] as const;

/** A drawn line across a chart has well over this many pixels of its colour; its legend key and axis labels have fewer. */
const MIN_PIXELS = 400;

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [n >> 16, (n >> 8) & 0xff, n & 0xff];
}

export interface RenderCheck {
  ok: boolean;
  problems: string[];
  /** Charts in the page, and charts the script marked ready. */
  charts: number;
  ready: number;
  /** Charts per kind (data-kind). */
  kinds: Record<string, number>;
  /** Pixels of the rollout line's colour in the screenshot, and of the canary's and baseline's. */
  linePixels: number;
  canaryPixels: number;
  baselinePixels: number;
  width: number;
  height: number;
}

function chromiumArgs(extra: string[]): string[] {
  return ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=3000", ...extra];
}

function runChromium(chromium: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(chromium, chromiumArgs(args), { encoding: "utf8", timeout: 90_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A PNG's size and RGBA pixels (8-bit RGB or RGBA, non-interlaced: what Chromium writes). */
export function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error("not a PNG");
  let at = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (at < buf.length) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString("latin1", at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8]!;
      colorType = data[9]!;
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || data[12] !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour type ${colorType}, interlace ${data[12]})`);
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    at += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? cur[x - bpp]! : 0;
      const b = prev[x]!;
      const c = x >= bpp ? prev[x - bpp]! : 0;
      let v = line[x]!;
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[x] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      out.set([cur[x * bpp]!, cur[x * bpp + 1]!, cur[x * bpp + 2]!, bpp === 4 ? cur[x * bpp + 3]! : 255], (y * width + x) * 4);
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}

/** Renders `htmlFile` and checks the charts (see the top of this file). */
export function checkReport(htmlFile: string, options: { chromium?: string; screenshot?: string } = {}): RenderCheck {
  const chromium = options.chromium ?? DEFAULT_CHROMIUM;
  const url = pathToFileURL(path.resolve(htmlFile)).href;
  const problems: string[] = [];

  const dom = runChromium(chromium, ["--dump-dom", url]);
  if (dom.status !== 0) problems.push(`chromium --dump-dom exited ${dom.status}: ${dom.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  const charts = (dom.stdout.match(/<svg class="chart"/g) ?? []).length;
  const ready = (dom.stdout.match(/<svg class="chart"[^>]*data-ready="1"/g) ?? []).length;
  const declared = /<body[^>]*data-charts="(\d+)"/.exec(dom.stdout);
  if (charts === 0) problems.push("the page has no chart (svg.chart)");
  if (!declared) problems.push("the page's script did not run (no data-charts on <body>)");
  else if (Number(declared[1]) !== charts) problems.push(`the script saw ${declared[1]} charts, the page has ${charts}`);
  if (ready !== charts) problems.push(`${charts - ready} of ${charts} charts were not marked ready by the script`);
  const emptyPaths = (dom.stdout.match(/<path class="bps" d="">/g) ?? []).length;
  if (emptyPaths > 0) problems.push(`${emptyPaths} chart(s) have an empty rollout line`);
  const kinds: Record<string, number> = {};
  for (const m of dom.stdout.matchAll(/<svg class="chart"[^>]*data-kind="([a-z]+)"/g)) kinds[m[1]!] = (kinds[m[1]!] ?? 0) + 1;
  const features = kinds.main ?? 0;
  for (const k of CHART_KINDS) if ((kinds[k] ?? 0) !== features) problems.push(`${features} feature(s) but ${kinds[k] ?? 0} ${k} chart(s)`);
  const canaryDrawn = /<path class="canary" d="M/.test(dom.stdout);
  const baselineDrawn = /<path class="base" d="M/.test(dom.stdout);
  if ((kinds.cohorts ?? 0) > 0 && !canaryDrawn) problems.push("no cohort chart has a canary line");

  const dir = mkdtempSync(path.join(tmpdir(), "canary-render-"));
  const shot = options.screenshot ?? path.join(dir, "report.png");
  let linePixels = 0;
  let canaryPixels = 0;
  let baselinePixels = 0;
  let width = 0;
  let height = 0;
  try {
    const s = runChromium(chromium, [`--screenshot=${shot}`, "--window-size=1400,2400", url]);
    if (!existsSync(shot)) problems.push(`chromium --screenshot wrote nothing (exit ${s.status}): ${s.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    else {
      const img = decodePng(readFileSync(shot));
      width = img.width;
      height = img.height;
      const px = img.rgba;
      const near = (i: number, c: [number, number, number]) => Math.abs(px[i]! - c[0]) < 24 && Math.abs(px[i + 1]! - c[1]) < 24 && Math.abs(px[i + 2]! - c[2]) < 24;
      const [bps, canary, baseline] = [rgb(COLORS.bps), rgb(COLORS.canary), rgb(COLORS.baseline)];
      for (let i = 0; i < px.length; i += 4) {
        if (near(i, bps)) linePixels++;
        else if (near(i, canary)) canaryPixels++;
        else if (near(i, baseline)) baselinePixels++;
      }
      if (linePixels < MIN_PIXELS) problems.push(`the screenshot shows no rollout line (${linePixels} pixels of its colour)`);
      if (canaryDrawn && canaryPixels < MIN_PIXELS) problems.push(`the screenshot shows no canary line (${canaryPixels} pixels of its colour)`);
      if (baselineDrawn && baselinePixels < MIN_PIXELS) problems.push(`the screenshot shows no baseline line (${baselinePixels} pixels of its colour)`);
    }
  } finally {
    if (!options.screenshot) rmSync(dir, { recursive: true, force: true });
  }
  return { ok: problems.length === 0, problems, charts, ready, kinds, linePixels, canaryPixels, baselinePixels, width, height };
}

async function main(argv: string[]): Promise<number> {
  let chromium = DEFAULT_CHROMIUM;
  let screenshot: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--chromium" && argv[i + 1]) chromium = argv[++i]!;
    else if (a === "--screenshot" && argv[i + 1]) screenshot = argv[++i]!;
    else if (!a.startsWith("-")) files.push(a);
    else files.length = 99;
  }
  if (files.length !== 1) {
    process.stderr.write("usage: tsx scripts/render-report.ts REPORT.html [--chromium PATH] [--screenshot OUT.png]\n");
    return 2;
  }
  if (!existsSync(chromium)) {
    process.stderr.write(`render-report: no Chromium at ${chromium} (apt-get install -y chromium, or --chromium PATH)\n`);
    return 2;
  }
  const r = checkReport(files[0]!, screenshot ? { chromium, screenshot } : { chromium });
  process.stdout.write(
    `${r.ok ? "OK" : "FAIL"} ${files[0]}: ${r.ready}/${r.charts} charts ready (${CHART_KINDS.map((k) => `${r.kinds[k] ?? 0} ${k}`).join(", ")}), pixels of the rollout line ${r.linePixels}, canary ${r.canaryPixels}, baseline ${r.baselinePixels} in a ${r.width}×${r.height} screenshot\n`,
  );
  for (const p of r.problems) process.stdout.write(`  ${p}\n`);
  return r.ok ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  process.exitCode = await main(process.argv.slice(2));
}
