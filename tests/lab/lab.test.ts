// The policy lab (src/lab, `canary lab`): seeds, statistics, determinism across worker
// counts, the refusals, and the extremes (a perfect feature never rolls back, an always
// failing one always does). Short scenarios, few runs: seconds, no timing assertions.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runLab } from "../../src/lab/lab.ts";
import { labSeed } from "../../src/lab/seeds.ts";
import { quantile, spread, wilson } from "../../src/lab/stats.ts";
import { PRESET_ROWS, presetFile } from "../../src/lab/preset.ts";
import { loadScenarioFile } from "../../src/replay/load.ts";
import { cli } from "../cli/helpers.ts";
import { ROOT, releaseWasm } from "../helpers/paths.ts";

const fixture = (name: string) => path.join(ROOT, "tests", "lab", "fixtures", name);
const shown = (name: string) => path.relative(ROOT, fixture(name));

describe("lab statistics", () => {
  it("derives run i's seed from the base seed and i only", () => {
    expect(labSeed(42, 0)).toBe("42/lab/0");
    expect(labSeed("abc", 17)).toBe("abc/lab/17");
  });

  it("gives the 95 % Wilson interval", () => {
    expect(wilson(0, 10)[0]).toBe(0);
    expect(wilson(10, 10)[1]).toBe(1);
    const [lo, hi] = wilson(5, 100);
    expect(lo).toBeCloseTo(0.02154, 4);
    expect(hi).toBeCloseTo(0.11175, 4);
    const [lo2, hi2] = wilson(0, 300);
    expect(lo2).toBe(0);
    expect(hi2).toBeCloseTo(0.01264, 4);
  });

  it("takes quantiles by nearest rank", () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(spread([5, 1, 3])).toEqual({ median: 3, p90: 5 });
    expect(spread([])).toBeNull();
  });
});

describe("lab runs", () => {
  const scenario = loadScenarioFile(fixture("tiny.yaml"));

  it("never rolls back a feature that never fails, always one that always fails", async () => {
    const r = await runLab(scenario, { wasm: releaseWasm(), runs: 6, jobs: 2 });
    const by = Object.fromEntries(r.features.map((f) => [f.feature, f]));
    expect(by.perfect!.rolledBack).toBe(0);
    expect(by.perfect!.rollbackRate).toBe(0);
    expect(by.perfect!.exposedBeforeRollback).toBeNull();
    expect(Object.values(by.perfect!.finalStatus).reduce((a, b) => a + b, 0)).toBe(6);
    expect(by.broken!.rolledBack).toBe(6);
    expect(by.broken!.rollbackRate).toBe(1);
    expect(by.broken!.reasons).toEqual({ ErrorRate: 6 });
    expect(by.broken!.exposedBeforeRollback!.median).toBeGreaterThan(0);
    expect(by.broken!.rollbackBlock!.median).toBeGreaterThanOrEqual(2);
    expect(by.broken!.regression).toBeNull();
  }, 60_000);

  it("gives identical results with 1 and 2 workers (same seeds)", async () => {
    const one = await runLab(scenario, { wasm: releaseWasm(), runs: 8, jobs: 1 });
    const two = await runLab(scenario, { wasm: releaseWasm(), runs: 8, jobs: 2 });
    expect(two).toEqual(one);
    const other = await runLab(scenario, { wasm: releaseWasm(), runs: 8, jobs: 2, seed: "another" });
    expect(other.seed).toBe("another");
    expect(other.features.map((f) => f.exposed)).not.toEqual(one.features.map((f) => f.exposed));
  }, 60_000);

  it("measures a regression's detection delay from its first block or its first regressed call", async () => {
    const r = await runLab(loadScenarioFile(fixture("regression.yaml")), { wasm: releaseWasm(), runs: 3, jobs: 1 });
    const g = r.features[0]!.regression!;
    expect(g.from).toBe(21);
    expect(g.rolledBackBefore).toBe(0);
    expect(g.caught).toBe(3);
    // Everyone is exposed (10,000 bps): 19 healthy blocks of 10 calls, then the first bad block rolls it back.
    expect(g.exposedBefore.median).toBe(190);
    expect(g.detectionDelay).toEqual({ median: 10, p90: 10 });
    expect(r.features[0]!.rollbackBlock!.median).toBe(21);
    // After 95 exposed calls: block 11 (calls 91..100) has 5 bad calls, and they roll it back.
    const c = r.features[1]!;
    expect(c.regression).toMatchObject({ from: null, afterExposedCalls: 95, rolledBackBefore: 0, caught: 3, exposedBefore: { median: 95, p90: 95 } });
    expect(c.regression!.detectionDelay).toEqual({ median: 5, p90: 5 });
    expect(c.rollbackBlock!.median).toBe(11);
  }, 60_000);
});

describe("canary lab", () => {
  it("prints a table per feature and exits 0 (expectations are ignored)", async () => {
    const r = await cli(["lab", shown("tiny.yaml"), "--runs", "3", "--jobs", "1"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/lab-tiny — 3 runs, seeds "7\/lab\/0"…"7\/lab\/2"/);
    expect(r.stdout).toMatch(/broken\s+3\s+3 \(100\.0 %\)/);
    expect(r.stdout).toMatch(/perfect\s+3\s+0 \(0\.0 %\)/);
  }, 60_000);

  it("--json writes one object with the documented fields", async () => {
    const r = await cli(["lab", shown("tiny.yaml"), "--runs", "2", "--json", "--seed", "9"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    const o = JSON.parse(r.stdout);
    expect(Object.keys(o).sort()).toEqual(["elapsedMs", "features", "runs", "scenario", "seed"]);
    expect(o.seed).toBe(9);
    expect(Object.keys(o.features[0]).sort()).toEqual(
      ["exposed", "exposedBeforeRollback", "feature", "finalStatus", "reasons", "regression", "rollbackBlock", "rollbackRate", "rollbackRate95", "rolledBack", "runs"].sort(),
    );
  }, 60_000);

  const refusals: [string, string[], RegExp][] = [
    ["N < 1", ["lab", "FILE", "--runs", "0"], /^canary lab: --runs must be an integer ≥ 1, got "0"$/],
    ["N not a number", ["lab", "FILE", "--runs", "many"], /^canary lab: --runs must be an integer ≥ 1, got "many"$/],
    ["--jobs 0", ["lab", "FILE", "--jobs", "0"], /^canary lab: --jobs must be an integer ≥ 1, got "0"$/],
    ["a scenario without traffic", ["lab", shown("no-traffic.yaml")], /^canary lab: refused: tests\/lab\/fixtures\/no-traffic\.yaml has no traffic, so there is nothing to measure/],
    ["an invalid scenario", ["lab", shown("bad-field.yaml")], /^canary lab: refused: tests\/lab\/fixtures\/bad-field\.yaml:\d+: traffic\[0\]\.callsPerBlock: expected calls per block, an integer 1\.\.1024/],
    ["a missing file", ["lab", "tests/lab/fixtures/nope.yaml"], /^canary lab: refused: tests\/lab\/fixtures\/nope\.yaml: no such file$/],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what} with one line and exit 2`, async () => {
      const r = await cli(args.map((a) => (a === "FILE" ? shown("tiny.yaml") : a)));
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    });
  }

  it("refuses FILE with --preset, and --markdown without it", async () => {
    expect((await cli(["lab", "--preset", shown("tiny.yaml")])).status).toBe(2);
    expect((await cli(["lab", shown("tiny.yaml"), "--markdown"])).status).toBe(2);
  });

  it("--preset --markdown prints the README's table: a header and one line per row", async () => {
    const r = await cli(["lab", "--preset", "--runs", "1", "--jobs", "2", "--markdown"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("| scenario (1 run each) | target | Threshold (old default) | Sequential (default) | Comparative (r = 2) |");
    expect(lines).toHaveLength(2 + PRESET_ROWS.length);
    for (const [i, row] of PRESET_ROWS.entries()) expect(lines[2 + i]!.startsWith(`| ${row.title} | ${row.target} | `)).toBe(true);
  }, 120_000);

  it("has a scenario file for every preset row, each valid with the three variants", () => {
    for (const row of PRESET_ROWS) {
      const s = loadScenarioFile(presetFile(ROOT, row));
      expect(new Set(s.traffic.map((t) => t.feature))).toEqual(new Set(["threshold", "sequential", "comparative"]));
    }
  });
});
