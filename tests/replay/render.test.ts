// The report rendered by a real browser: scripts/render-report.ts opens it in headless
// Chromium, checks the DOM after its script ran (every chart bound, four per feature) and
// looks for the rollout, canary and baseline lines in a screenshot. Skipped, saying so,
// where /usr/bin/chromium is missing (`apt-get install -y chromium`; .ci/run installs it).
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Analysis } from "../../src/client/index.ts";
import { tempDir } from "../helpers/temp.ts";
import { replay } from "../../src/replay/replay.ts";
import { renderReport } from "../../src/replay/report.ts";
import { loadScenario } from "../../src/replay/scenario.ts";
import { DEFAULT_CHROMIUM, checkReport } from "../../scripts/render-report.ts";
import { releaseWasm, scenarioPath } from "./helpers.ts";
import { fabricate, fabricatedResult } from "./report-fixture.ts";

const haveChromium = existsSync(DEFAULT_CHROMIUM);
if (!haveChromium) {
  console.warn(`render.test.ts: skipped: no Chromium at ${DEFAULT_CHROMIUM} (apt-get install -y chromium to run it)`);
}

describe.skipIf(!haveChromium)(`the report in headless Chromium (${DEFAULT_CHROMIUM})`, () => {
  const dir = tempDir("report");

  it("draws every chart of a real replay: rollout, cohorts, statistic, samples", () => {
    const r = replay(loadScenario(scenarioPath("threshold-vs-sequential.yaml")), { wasm: releaseWasm(), series: true });
    const file = path.join(dir, "report.html");
    writeFileSync(file, renderReport(r));
    const check = checkReport(file);
    expect(check.problems).toEqual([]);
    const n = r.features.length;
    expect(check).toMatchObject({ ok: true, charts: 4 * n, ready: 4 * n, kinds: { main: n, cohorts: n, statistic: n, samples: n } });
    expect(check.linePixels).toBeGreaterThan(400);
    expect(check.canaryPixels).toBeGreaterThan(400);
    expect(check.baselinePixels).toBeGreaterThan(400);
  }, 180_000);

  it("draws canary against baseline from fabricated cohort series", () => {
    const comp = fabricate(1000, {
      name: "comp_bad", policy: { analysis: Analysis.Comparative, incrementBlocks: 100 }, exposedRate: 0.03, unexposedRate: 0.01, cohorts: true, traffic: true, rollbackAt: 412,
      at: { statistic: 2_950_000, runSamples: 1830, runErrors: 37, baseSamples: 35_000, baseErrors: 350, windowSamples: 900, windowErrors: 20 },
    });
    const file = path.join(dir, "fabricated.html");
    writeFileSync(file, renderReport(fabricatedResult(1000, [comp])));
    const check = checkReport(file);
    expect(check.problems).toEqual([]);
    expect(check).toMatchObject({ ok: true, charts: 4, ready: 4, kinds: { main: 1, cohorts: 1, statistic: 1, samples: 1 } });
    expect(check.canaryPixels).toBeGreaterThan(400);
    expect(check.baselinePixels).toBeGreaterThan(400);
  }, 180_000);

  it("notices a page whose charts were not drawn", () => {
    const file = path.join(dir, "blank.html");
    writeFileSync(file, "<!doctype html><html><body><p>nothing here</p></body></html>");
    const check = checkReport(file);
    expect(check.ok).toBe(false);
    expect(check.problems).toContain("the page has no chart (svg.chart)");
    expect(check.problems.some((p) => /no rollout line/.test(p))).toBe(true);
  }, 180_000);

  it("notices a page whose script did not run", () => {
    const comp = fabricate(300, { name: "f", policy: { analysis: Analysis.Sequential }, exposedRate: 0.01, unexposedRate: 0.01, cohorts: false, traffic: true });
    const file = path.join(dir, "noscript.html");
    writeFileSync(file, renderReport(fabricatedResult(300, [comp])).replace(/<script>[\s\S]*?<\/script>/, ""));
    const check = checkReport(file);
    expect(check.ok).toBe(false);
    expect(check.problems).toContain("the page's script did not run (no data-charts on <body>)");
    expect(check.problems).toContain("4 of 4 charts were not marked ready by the script");
  }, 180_000);
});
