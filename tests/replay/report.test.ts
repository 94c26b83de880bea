// The HTML report: self-contained (nothing fetched), one chart per feature with its rollout
// line, steps and rollbacks marked. Rendering in a real browser: tests/replay/render.test.ts.
import { describe, expect, it } from "vitest";
import { replay } from "../../src/replay/replay.ts";
import { stepsOf } from "../../src/replay/output.ts";
import { renderReport } from "../../src/replay/report.ts";
import { loadScenario } from "../../src/replay/scenario.ts";
import { releaseWasm, scenarioPath } from "./helpers.ts";

function report(file: string) {
  const r = replay(loadScenario(scenarioPath(file)), { wasm: releaseWasm(), series: true });
  return { r, html: renderReport(r) };
}

describe("the HTML report", () => {
  const { r, html } = report("threshold-vs-sequential.yaml");

  it("is self-contained: no http(s) URL, no external script, style, image or font", () => {
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/<(script|img|iframe)[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*\shref=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toMatch(/^<!doctype html>/);
  });

  it("has one chart per feature, each with a non-empty rollout line", () => {
    const names = r.features.map((f) => f.view.name).sort();
    expect(names).toHaveLength(4);
    for (const name of names) {
      expect(html).toMatch(new RegExp(`<svg class="chart" id="chart-\\d+" data-feature="${name}"`));
    }
    expect((html.match(/<svg class="chart"/g) ?? []).length).toBe(4);
    expect(html).not.toContain('<path class="bps" d=""');
    expect((html.match(/<path class="err" d="M/g) ?? []).length).toBe(4);
  });

  it("marks every step and every rollback with its reason and height", () => {
    const steps = r.features.reduce((n, f) => n + stepsOf(f.history).length, 0);
    expect(steps).toBe(18); // healthy_sequential 10, healthy_threshold 8
    expect((html.match(/<path class="step"/g) ?? []).length).toBe(steps);
    expect(html).toContain("<title>step at 300: 500 → 1500 bps</title>");
    expect(html).toContain("<title>step at 1200: 9500 → 10000 bps (Enabled)</title>");
    expect((html.match(/<line class="rollback"/g) ?? []).length).toBe(3);
    expect(html).toContain("ErrorRate @1001");
    // The threshold rule's line on the Threshold features' charts.
    expect((html.match(/<line class="threshold"/g) ?? []).length).toBe(2);
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
  });
});
