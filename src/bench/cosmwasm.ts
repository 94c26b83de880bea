// The CosmWasm module in the bench (issue #16): its size and the wasm gas per call under
// cw-simulate's metering (approximate: cw-simulate meters its own way, not wasmd's) for
// isEnabled, recordSuccess, recordCohorts and the end-block sudo with 10 due features.
// Gas is deterministic for a given module (the medians only guard against a first-call
// difference); `measureCosmWasm` is also what docs/COSMWASM.md's gas table was taken from.

import { syncCosmWasmClient } from "../client/cosmwasm.ts";
import { SimConnection } from "../client/cosmwasm-sim.ts";
import { median } from "./stats.ts";

export interface CosmWasmBench {
  /** Bytes of the module. */
  bytes: number;
  /** Median gas per call (cw-simulate's metering, chain gas units, approximate). */
  gas: {
    isEnabled: number;
    recordSuccess: number;
    recordCohorts: number;
    /** The sudo clock_end_block with 10 features due (each steps; instantiated with max_due_per_block 10). */
    onPersist10: number;
  };
}

const ADMIN = "0x00000000000000000000000000000000000000c1";
const USER = "0x00000000000000000000000000000000000000a1";

export async function measureCosmWasm(wasm: Uint8Array, calls = 20): Promise<CosmWasmBench> {
  const conn = await SimConnection.open(wasm);
  let height = 1;
  const client = syncCosmWasmClient(conn, { height: () => height, throwOnError: true });
  const gasOf = (f: () => unknown): number => {
    f();
    return conn.lastGas;
  };
  // max_due_per_block 10: the one sudo processes all 10 due features (the default processes
  // fewer per block to stay under x/clock's 100,000 gas: docs/COSMWASM.md).
  const init = conn.instantiate(conn.human(ADMIN), { admin: conn.human(ADMIN), max_due_per_block: 10 });
  if (!init.ok) throw new Error(`bench: instantiate: ${init.error}`);
  for (const role of ["Operator", "Reporter"]) client.grantRole(ADMIN, role, ADMIN);
  const names = Array.from({ length: 10 }, (_, i) => `bench_${i}`);
  const policy = { incrementBlocks: 1, incrementBps: 1, minSuccessCount: 0, minSamples: 0, analysis: "Threshold", maxErrorRateBps: 10000 };
  for (const n of names) {
    client.createFeature(ADMIN, n, "", policy);
    client.startCanary(ADMIN, n, 1);
  }
  const isEnabled: number[] = [];
  const recordSuccess: number[] = [];
  const recordCohorts: number[] = [];
  for (let i = 0; i < calls; i++) {
    isEnabled.push(gasOf(() => client.isEnabled(names[0]!, USER)));
    recordSuccess.push(gasOf(() => client.recordSuccess(ADMIN, names[0]!)));
    recordCohorts.push(gasOf(() => client.recordCohorts(ADMIN, names[1]!, 10, 0, 90, 1)));
  }
  for (const n of names) client.startRollout(ADMIN, n, 10000);
  const onPersist: number[] = [];
  // The first step falls due one block after the next (the pause-aware step clock).
  height++;
  client.onPersist(height);
  for (let i = 0; i < calls; i++) {
    height++;
    const r = client.onPersist(height);
    if (!r.ok) throw new Error(`bench: the end-block sudo failed: ${r.codeName} ${r.trap ?? r.logs.join(" ")}`);
    const steps = r.events.filter((e) => e.name === "RolloutAdvanced").length;
    if (steps !== 10) throw new Error(`bench: expected 10 due features to step at height ${height}, ${steps} did`);
    onPersist.push(conn.lastGas);
  }
  return {
    bytes: wasm.length,
    gas: { isEnabled: median(isEnabled), recordSuccess: median(recordSuccess), recordCohorts: median(recordCohorts), onPersist10: median(onPersist) },
  };
}

/** The bench's printed section. */
export function formatCosmWasm(b: CosmWasmBench): string {
  const kib = (b.bytes / 1024).toFixed(1);
  return [
    "",
    "CosmWasm module (build/canary-cw.wasm) under cw-simulate — gas approximate (cw-simulate's metering)",
    `  size                         ${b.bytes} bytes (${kib} KiB; release target ≤ 40 KiB)`,
    `  isEnabled (query)            ${b.gas.isEnabled} gas`,
    `  recordSuccess (execute)      ${b.gas.recordSuccess} gas`,
    `  recordCohorts (execute)      ${b.gas.recordCohorts} gas`,
    `  onPersist, 10 due (sudo)     ${b.gas.onPersist10} gas`,
    "",
  ].join("\n");
}
