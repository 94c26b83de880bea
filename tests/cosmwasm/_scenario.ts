// A shipped scenario through both sides (tests/cosmwasm/_diff.ts): the replay's loader and
// traffic generator (src/replay) give both the same transactions, in the replay's order per
// height: the scenario's txs, then per active traffic stream isEnabledMany (a query) and the
// reporter's recordBatch or recordCohorts (+ recordLatency), stopping a stream's reports at a
// StatusChanged; then the block ends (onPersist / sudo clock_end_block).

import { loadScenario } from "../../src/replay/scenario.ts";
import { makeTraffic } from "../../src/replay/traffic.ts";
import type { MethodName } from "../../src/abi/methods.ts";
import { Pair, type CwSide } from "./_diff.ts";

export interface ScenarioRun {
  blocks: number;
  calls: number;
  faults: number;
  stateRoot: string;
}

/** Runs `file` on both sides (heights 1..min(until, cap)); throws Mismatch at the first difference. */
export async function runScenarioBoth(file: string, side?: CwSide, cap = Infinity): Promise<ScenarioRun> {
  const sc = loadScenario(file);
  const pair = await Pair.open(sc.admin, { storageEveryCall: false, ...(side ? { side } : {}) });
  const { streams } = makeTraffic(sc.seed, sc.traffic);
  const byHeight = new Map(sc.blocks.map((b) => [b.height, b]));
  const until = Math.min(sc.until, cap);
  let calls = 0;
  let faults = 0;
  for (let h = 1; h <= until; h++) {
    if (pair.height !== h) throw new Error(`harness: at ${pair.height}, want ${h}`);
    const block = byHeight.get(h);
    if (block) {
      for (const tx of block.txs) {
        calls++;
        if (!pair.call(tx.sender, tx.method, tx.args).ok) faults++;
      }
    }
    for (const stream of streams) {
      if (!stream.active(h)) continue;
      stream.draw();
      const args = stream.args;
      const nameLen = new DataView(args.buffer, args.byteOffset).getUint32(0, true);
      const at = 8 + nameLen;
      const n = stream.spec.callsPerBlock;
      // The CosmWasm side answers the same query on a sample of blocks (every 8th, and the
      // stream's first); the reports that follow come from the native answer, so a wrong
      // exposure on CosmWasm in another block would still show as different state.
      let out: Uint8Array | null;
      if (h % 8 === 0 || h === stream.spec.from) {
        const accounts: string[] = [];
        for (let i = 0; i < n; i++) accounts.push("0x" + Buffer.from(args.subarray(at + 20 * i, at + 20 * i + 20)).toString("hex"));
        const v = pair.view("isEnabledMany", { name: stream.spec.feature, accounts }).native;
        out = v.ok ? v.output : null;
      } else {
        const v = pair.rawView("isEnabledMany", args);
        out = v.ok ? v.output : null;
      }
      calls++;
      const o = stream.tally(out !== null && out.length === 4 + n ? out : null, 4, h);
      if (o.exposedCalls === 0) continue;
      const { feature, latency, reporter, report } = stream.spec;
      const reports: [MethodName, Record<string, unknown>][] = [
        report === "cohorts"
          ? ["recordCohorts", { name: feature, canarySuccesses: o.exposedSuccesses, canaryErrors: o.exposedErrors, baseSuccesses: o.unexposedSuccesses, baseErrors: o.unexposedErrors }]
          : ["recordBatch", { name: feature, successes: o.exposedSuccesses, errors: o.exposedErrors }],
      ];
      if (latency) reports.push(["recordLatency", { name: feature, value: latency.exposed }]);
      for (const [method, a] of reports) {
        calls++;
        const r = pair.tx(reporter, method, a);
        if (!r.ok) faults++;
        if (r.ok && r.native.rawEvents.some((ev) => ev.name === "StatusChanged")) break;
      }
    }
    pair.endBlock();
  }
  // The final views, on both sides: every feature and its whole history.
  const all = pair.view("listFeatures", { startAfter: "", limit: 100, activeOnly: false });
  for (const f of (all.native.result ?? []) as { name: string }[]) {
    pair.view("getFeature", { name: f.name });
    pair.view("getMetrics", { name: f.name });
    for (let from = 0; ; from += 100) {
      const hv = pair.view("getHistory", { name: f.name, fromSeq: from, limit: 100 });
      if (((hv.native.result ?? []) as unknown[]).length < 100) break;
    }
  }
  pair.view("listFeatures", { startAfter: "", limit: 100, activeOnly: true });
  pair.view("getGlobal", {});
  return { blocks: until, calls, faults, stateRoot: pair.chain.stateRoot() };
}
