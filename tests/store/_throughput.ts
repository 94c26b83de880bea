// Throughput with LevelDB vs memory (docs/STORE.md quotes the output). Not a test: run it.
//   node --import tsx tests/store/_throughput.ts [RUNS]
//
// 1. replay(): the same scenario in memory (replay) and persisted (replayAsync + LevelStore,
//    one committed batch per block, default and sync:true), for the flagship scenario and
//    tests/replay/perf.test.ts's 10,000-block throughput scenario.
// 2. The store-level workload of tests/store/_workload.ts (state growing to ~8,000 keys).
// Each row: best of RUNS (default 3) after one warm-up; the final state roots must agree.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { MemoryStore } from "../../src/host/index.ts";
import { replay, replayAsync } from "../../src/replay/replay.ts";
import { loadScenario, parseScenario, type Scenario } from "../../src/replay/scenario.ts";
import { LevelStore } from "../../src/store/index.ts";
import { ROOT } from "../helpers/paths.ts";
import { newChain, releaseWasm, runWorkloadBlock } from "./_workload.ts";

const RUNS = Number(process.argv[2] ?? 3);
const wasm = releaseWasm();

function perfScenario(): Scenario {
  const src = readFileSync(path.join(ROOT, "tests/replay/perf.test.ts"), "utf8");
  const yaml = src.slice(src.indexOf("const SCENARIO = `") + 18, src.indexOf("`;", src.indexOf("const SCENARIO = `")));
  return parseScenario(yaml, "throughput.yaml");
}

async function withDb<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), "canary-bench-"));
  try {
    return await f(path.join(dir, "db"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Run = { ms: number; root: string };
async function best(f: () => Promise<Run>): Promise<Run> {
  await f(); // warm-up
  let b: Run | null = null;
  for (let i = 0; i < RUNS; i++) {
    const r = await f();
    if (!b || r.ms < b.ms) b = r;
  }
  return b!;
}

const row = (what: string, blocks: number, r: Run, base?: Run) =>
  console.log(
    `${what.padEnd(44)} ${(r.ms / 1000).toFixed(2).padStart(6)} s  ${Math.round(blocks / (r.ms / 1000)).toLocaleString("en-US").padStart(7)} blocks/s` +
      (base ? `  ×${(base.ms / r.ms).toFixed(2)}` : "") +
      `  root ${r.root.slice(0, 12)}`,
  );

for (const [name, sc] of [
  ["flagship (vita-recovery-rollout.yaml)", loadScenario(path.join(ROOT, "scenarios/vita-recovery-rollout.yaml"))],
  ["throughput (perf.test.ts)", perfScenario()],
] as const) {
  const blocks = sc.until + 1;
  console.log(`\n${name}: ${blocks} blocks (0..${sc.until}), ${sc.traffic.map((t) => `${t.callsPerBlock} calls/block`).join(", ")}`);
  const mem = await best(async () => {
    const t = performance.now();
    const r = replay(sc, { wasm });
    return { ms: performance.now() - t, root: r.summary.stateRoot };
  });
  row("  memory (replay)", blocks, mem);
  for (const sync of [false, true]) {
    const lvl = await best(() =>
      withDb(async (dir) => {
        const t = performance.now();
        const store = await LevelStore.open(dir, { create: true, sync });
        const r = await replayAsync(sc, { wasm, store, afterBlock: (br) => store.commitBlock(br).then(() => {}) });
        await store.close();
        return { ms: performance.now() - t, root: r.summary.stateRoot };
      }),
    );
    row(`  LevelDB${sync ? ", sync" : ""} (replayAsync, a batch per block)`, blocks, lvl, mem);
    if (lvl.root !== mem.root) throw new Error("roots differ");
  }
}

const W = 2000;
console.log(`\nstore workload (tests/store/_workload.ts): ${W + 1} blocks`);
const wmem = await best(async () => {
  const chain = newChain(new MemoryStore());
  const t = performance.now();
  let root = "";
  for (let h = 0; h <= W; h++) root = runWorkloadBlock(chain, h).stateRoot;
  return { ms: performance.now() - t, root };
});
row("  memory", W + 1, wmem);
for (const sync of [false, true]) {
  const r = await best(() =>
    withDb(async (dir) => {
      const t = performance.now();
      const store = await LevelStore.open(dir, { create: true, sync });
      const chain = newChain(store);
      for (let h = 0; h <= W; h++) await store.commitBlock(runWorkloadBlock(chain, h));
      await store.close();
      return { ms: performance.now() - t, root: store.stateRoot };
    }),
  );
  row(`  LevelDB${sync ? ", sync" : ""}`, W + 1, r, wmem);
}
