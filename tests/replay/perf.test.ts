// Throughput of the replay: 10,000 blocks × 200 traffic calls per block (one isEnabledMany,
// one recordBatch and onPersist per block). Prints blocks/s and calls/s; asserts only that
// the run completed and did what it should — never a time.
import { describe, expect, it } from "vitest";
import { replay } from "../../src/replay/replay.ts";
import { parseScenario } from "../../src/replay/scenario.ts";
import { releaseWasm } from "./helpers.ts";

const SCENARIO = `
name: throughput
seed: 10000
accounts:
  admin: "0x00000000000000000000000000000000000000a1"
  monitor: "0x00000000000000000000000000000000000000a3"
admin: admin
until: 10000
blocks:
  - height: 1
    txs:
      - { sender: admin, method: grantRole, args: { role: Reporter, account: monitor } }
      - { sender: admin, method: createFeature, args: { name: load, description: "", policy: { incrementBlocks: 500 } } }
      - { sender: admin, method: startCanary, args: { name: load, bps: 1000 } }
  - height: 100
    txs:
      - { sender: admin, method: startRollout, args: { name: load, targetBps: 10000 } }
traffic:
  - { feature: load, from: 1, to: 10000, callsPerBlock: 200, population: 1000000,
      errorRateBps: { exposed: 1, unexposed: 1 }, reporter: monitor }
`;

describe("replay throughput", () => {
  it("replays 10,000 blocks × 200 traffic calls (prints blocks/s and calls/s)", () => {
    const s = parseScenario(SCENARIO, "throughput.yaml");
    const r = replay(s, { wasm: releaseWasm(), blocks: "changed", onLine: () => {} });
    const t = r.timing;
    console.log(
      `replay throughput: ${t.blocks} blocks, ${t.trafficCalls} traffic calls, ${r.summary.txs} txs in ${(t.ms / 1000).toFixed(2)} s` +
        ` = ${Math.round(t.blocksPerSecond)} blocks/s, ${Math.round(t.callsPerSecond)} calls/s`,
    );
    expect(t.trafficCalls).toBe(10_000 * 200);
    expect(r.summary.blocks).toBe(10_000);
    expect(r.exposure[0]!.calls).toBe(2_000_000);
    expect(r.summary.features[0]).toMatchObject({ name: "load", status: "Enabled" });
  }, 600_000);
});
