// The report rendered by a real browser: scripts/render-report.ts opens it in headless
// Chromium, checks the DOM after its script ran and looks for the rollout line in a
// screenshot. Skipped, saying so, where /usr/bin/chromium is missing
// (`apt-get install -y chromium`; .ci/run installs it).
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp.ts";
import { replay } from "../../src/replay/replay.ts";
import { renderReport } from "../../src/replay/report.ts";
import { loadScenario } from "../../src/replay/scenario.ts";
import { DEFAULT_CHROMIUM, checkReport } from "../../scripts/render-report.ts";
import { releaseWasm, scenarioPath } from "./helpers.ts";

const haveChromium = existsSync(DEFAULT_CHROMIUM);
if (!haveChromium) {
  console.warn(`render.test.ts: skipped: no Chromium at ${DEFAULT_CHROMIUM} (apt-get install -y chromium to run it)`);
}

describe.skipIf(!haveChromium)(`the report in headless Chromium (${DEFAULT_CHROMIUM})`, () => {
  const dir = tempDir("report");

  it("draws every feature's chart", () => {
    const r = replay(loadScenario(scenarioPath("threshold-vs-sequential.yaml")), { wasm: releaseWasm(), series: true });
    const file = path.join(dir, "report.html");
    writeFileSync(file, renderReport(r));
    const check = checkReport(file);
    expect(check.problems).toEqual([]);
    expect(check).toMatchObject({ ok: true, charts: 4, ready: 4 });
    expect(check.linePixels).toBeGreaterThan(100);
  }, 180_000);

  it("notices a page whose charts were not drawn", () => {
    const file = path.join(dir, "blank.html");
    writeFileSync(file, "<!doctype html><html><body><p>nothing here</p></body></html>");
    const check = checkReport(file);
    expect(check.ok).toBe(false);
    expect(check.problems).toContain("the page has no chart (svg.chart)");
    expect(check.problems.some((p) => /no rollout line/.test(p))).toBe(true);
  }, 180_000);
});
