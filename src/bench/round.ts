// One round of our side of `npm run bench`, in a process of its own (scripts/bench.ts runs
// one per round, right after the seed's): a fresh heap each round, as the seed's process
// has, so that one row's garbage (thousands of created features, large listings) does not
// slow the next round's rows. Warm-up first (JIT and Wasm tier-up), then each row once, in
// the seed's order; prints one JSON line of ns per call.
//
//   tsx src/bench/round.ts '{"isEnabled":100000,...}' build/canary.wasm build/canary.metered.wasm

import { readFileSync } from "node:fs";
import { SeedLikeBench } from "./ours.ts";

export const ROWS = ["isEnabled", "recordSuccess", "recordError", "step", "createFeature", "listActive"] as const;
export type Row = (typeof ROWS)[number];
export type RoundResult = Record<Row, number> & { isEnabledRuntime: number; metered: { isEnabled: number; recordSuccess: number } };

function round(n: Record<Row, number>, wasmPath: string, meteredPath: string): RoundResult {
  const b = new SeedLikeBench(new Uint8Array(readFileSync(wasmPath)));
  // A full-size warm-up per row: JIT and Wasm tier-up, and the young generation grown to
  // the size a block of this many transactions needs (measured: the first 40,000-transaction
  // block ran 1.5× slower than the next).
  const warm = (x: SeedLikeBench) => {
    x.isEnabled(n.isEnabled);
    x.recordSuccess(n.recordSuccess);
    x.step(n.step);
  };
  warm(b);
  // The short rows too (1,000 recordError calls are over before the JIT has settled).
  b.recordError(n.recordError);
  b.createFeature(n.createFeature);
  b.listActive(n.listActive);
  const out = {} as RoundResult;
  out.isEnabled = b.isEnabled(n.isEnabled);
  out.isEnabledRuntime = b.isEnabledRuntime(n.isEnabled);
  out.recordSuccess = b.recordSuccess(n.recordSuccess);
  out.recordError = b.recordError(n.recordError);
  out.step = b.step(n.step);
  out.createFeature = b.createFeature(n.createFeature);
  out.listActive = b.listActive(n.listActive);
  // The metered module on the same workload, after ours (a second module in the process
  // makes the host's call sites see two; measured: small, but ours go first).
  const m = new SeedLikeBench(new Uint8Array(readFileSync(meteredPath)));
  warm(m);
  out.metered = { isEnabled: m.isEnabled(n.isEnabled), recordSuccess: m.recordSuccess(n.recordSuccess) };
  return out;
}

const [nJson, wasmPath, meteredPath] = process.argv.slice(2);
if (nJson && wasmPath && meteredPath) process.stdout.write(JSON.stringify(round(JSON.parse(nJson), wasmPath, meteredPath)) + "\n");
