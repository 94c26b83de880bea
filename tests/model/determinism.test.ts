// Determinism (issue 7): one random sequence gives one state root — on a fresh host, on a
// reused module (reuse: true) and fresh instances (reuse: false), and in two separate
// processes. The sequences come from the model-test generator, so every method, role and
// block gap is in play (and the model still checks every step while they run).

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { pickScenario as pick, runScenario } from "./_harness.ts";
import { tsxArgs } from "../helpers/process.ts";

const CHILD = fileURLToPath(new URL("./_determinism_child.ts", import.meta.url));
const SEEDS = [1, 7, 42];

async function child(seed: number, mode: "reuse" | "fresh"): Promise<{ roots: string[]; finalRoot: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, tsxArgs(CHILD, [String(seed), mode]), { encoding: "utf8", timeout: 90_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

describe("determinism: one sequence, one state root", () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: fresh host twice, reuse vs fresh instances, two child processes`, async () => {
      const sc = pick(seed);
      const children = Promise.all([child(seed, "reuse"), child(seed, "fresh")]);
      const a = runScenario(sc!, { reuse: true, observe: false });
      const b = runScenario(sc!, { reuse: true, observe: false });
      const c = runScenario(sc!, { reuse: false, observe: false });
      expect(b.roots).toEqual(a.roots);
      expect(c.roots).toEqual(a.roots);
      const [p1, p2] = await children;
      expect(p1.roots).toEqual(a.roots);
      expect(p2.roots).toEqual(a.roots);
      expect(p1.finalRoot).toBe(a.finalRoot);
      // A sequence that changes nothing would prove little.
      expect(new Set(a.roots).size).toBeGreaterThan(1);
    }, 120_000);
  }
});
