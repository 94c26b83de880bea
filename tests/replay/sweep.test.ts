// The numbers behind docs/REPLAY-NOTES.md's "Threshold vs Sequential" table: the
// threshold-vs-sequential scenario replayed over many seeds. Slow (about a second and a half
// per seed), so it runs only with SWEEP=1 (SWEEP_SEEDS=N for another count):
//
//   SWEEP=1 npx vitest run tests/replay/sweep.test.ts
import { describe, expect, it } from "vitest";
import { Status } from "../../src/client/index.ts";
import { replay } from "../../src/replay/replay.ts";
import { loadScenario } from "../../src/replay/scenario.ts";
import { releaseWasm, scenarioPath } from "./helpers.ts";

const enabled = process.env.SWEEP === "1";
const seeds = Number(process.env.SWEEP_SEEDS ?? 100);

describe.skipIf(!enabled)("threshold vs sequential over many seeds (SWEEP=1)", () => {
  it(`replays threshold-vs-sequential.yaml with seeds 1..${seeds}`, () => {
    const base = loadScenario(scenarioPath("threshold-vs-sequential.yaml"));
    const wasm = releaseWasm();
    const stats = new Map<string, { rolledBack: number; enabled: number; exposed: number[] }>();
    for (let seed = 1; seed <= seeds; seed++) {
      const r = replay({ ...base, seed, blocks: base.blocks.map((b) => ({ ...b, expect: [] })) }, { wasm });
      for (const f of r.features) {
        const s = stats.get(f.view.name) ?? { rolledBack: 0, enabled: 0, exposed: [] };
        if (f.view.status === Status.RolledBack) s.rolledBack++;
        if (f.view.status === Status.Enabled) s.enabled++;
        s.exposed.push(r.exposure.find((e) => e.feature === f.view.name)!.exposedCalls);
        stats.set(f.view.name, s);
      }
    }
    const lines = [`seeds 1..${seeds}`, "feature             rolled back  enabled  exposed calls: median  mean"];
    for (const [name, s] of [...stats].sort()) {
      const sorted = [...s.exposed].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      const mean = Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length);
      lines.push(`${name.padEnd(20)}${String(s.rolledBack).padStart(11)}  ${String(s.enabled).padStart(7)}  ${String(median).padStart(21)}  ${mean}`);
    }
    console.log(lines.join("\n"));
    expect(stats.size).toBe(6);
  }, 3_600_000);
});
