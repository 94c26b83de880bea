// The numbers behind docs/REPLAY-NOTES.md's "Threshold vs Sequential vs Comparative" and
// "A shared outage" tables: those scenarios replayed over many seeds. Slow (one to two
// seconds per seed), so it runs only with SWEEP=1 (SWEEP_SEEDS=N for another count):
//
//   SWEEP=1 npx vitest run tests/replay/sweep.test.ts
import { describe, expect, it } from "vitest";
import { Status } from "../../src/client/index.ts";
import { replay } from "../../src/replay/replay.ts";
import { loadScenario } from "../../src/replay/scenario.ts";
import { releaseWasm, scenarioPath } from "./helpers.ts";

const enabled = process.env.SWEEP === "1";
const seeds = Number(process.env.SWEEP_SEEDS ?? 100);

const median = (xs: readonly number[]) => {
  if (xs.length === 0) return "—";
  const sorted = [...xs].sort((a, b) => a - b);
  return String(sorted[Math.floor(sorted.length / 2)]!);
};

describe.skipIf(!enabled)("the comparison scenarios over many seeds (SWEEP=1)", () => {
  it.each([
    ["threshold-vs-sequential.yaml", 6],
    ["comparative-shared-outage.yaml", 3],
  ])(`replays %s with seeds 1..${seeds}`, (file, features) => {
    const base = loadScenario(scenarioPath(file));
    const wasm = releaseWasm();
    const stats = new Map<string, { rolledBack: number; enabled: number; exposed: number[]; heights: number[] }>();
    for (let seed = 1; seed <= seeds; seed++) {
      const r = replay({ ...base, seed, blocks: base.blocks.map((b) => ({ ...b, expect: [] })) }, { wasm });
      for (const f of r.features) {
        const s = stats.get(f.view.name) ?? { rolledBack: 0, enabled: 0, exposed: [], heights: [] };
        if (f.view.status === Status.RolledBack) {
          s.rolledBack++;
          s.heights.push(f.history.find((h) => h.to === Status.RolledBack)!.block);
        }
        if (f.view.status === Status.Enabled) s.enabled++;
        s.exposed.push(r.exposure.find((e) => e.feature === f.view.name)!.exposedCalls);
        stats.set(f.view.name, s);
      }
    }
    const lines = [`${file}, seeds 1..${seeds}`, "feature                 rolled back  enabled  exposed calls: median     mean  rollback height: median  (all when few)"];
    for (const [name, s] of [...stats].sort()) {
      const mean = Math.round(s.exposed.reduce((a, b) => a + b, 0) / s.exposed.length);
      const few = s.heights.length > 0 && s.heights.length <= 10 ? `  (${s.heights.join(", ")})` : "";
      lines.push(`${name.padEnd(24)}${String(s.rolledBack).padStart(11)}  ${String(s.enabled).padStart(7)}  ${median(s.exposed).padStart(21)}  ${String(mean).padStart(7)}  ${median(s.heights).padStart(23)}${few}`);
    }
    console.log(lines.join("\n"));
    expect(stats.size).toBe(features);
  }, 3_600_000);
});
