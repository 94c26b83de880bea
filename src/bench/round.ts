// One round of our side of `npm run bench`, in a process of its own (scripts/bench.ts runs
// one per round, right after the seed's): a fresh heap each round, as the seed's process
// has, so that one row's garbage (thousands of created features, large listings) does not
// slow the next round's rows. Warm-up first (JIT and Wasm tier-up), then each row once, in
// the seed's order; prints one JSON line of ns per call. With `metered`, the metered module
// on isEnabled and recordSuccess only, in a process of its own too (a second module in one
// process makes the host's shared call sites slower for whichever runs second).
//
//   tsx src/bench/round.ts '{"isEnabled":100000,...}' build/canary.wasm
//   tsx src/bench/round.ts '{"isEnabled":100000,...}' build/canary.metered.wasm metered

import { readFileSync } from "node:fs";
import { SeedLikeBench } from "./ours.ts";

export const ROWS = ["isEnabled", "recordSuccess", "recordError", "step", "createFeature", "listActive"] as const;
export type Row = (typeof ROWS)[number];
/** Rows the seed has no counterpart for (Revision 2's reports), measured in the same round. */
export const EXTRA_ROWS = ["recordBatch", "recordCohorts"] as const;
export type ExtraRow = (typeof EXTRA_ROWS)[number];
export type RoundResult = Record<Row, number> & Record<ExtraRow, number> & { isEnabledRuntime: number };
export type MeteredRoundResult = { isEnabled: number; recordSuccess: number };

/**
 * A full-size warm-up: JIT and Wasm tier-up, and the young generation grown to the size a
 * block of this many transactions needs (measured: the first 40,000-transaction block ran
 * 1.5× slower than the next).
 */
function warm(x: SeedLikeBench, n: Record<Row, number>): void {
  x.isEnabled(n.isEnabled);
  x.recordSuccess(n.recordSuccess);
  x.step(n.step);
}

function round(n: Record<Row, number>, wasmPath: string): RoundResult {
  const b = new SeedLikeBench(new Uint8Array(readFileSync(wasmPath)));
  warm(b, n);
  // The short rows too (1,000 recordError calls are over before the JIT has settled).
  b.recordError(n.recordError);
  b.createFeature(n.createFeature);
  b.listActive(n.listActive);
  b.recordBatch(n.recordSuccess);
  b.recordCohorts(n.recordSuccess);
  const out = {} as RoundResult;
  out.isEnabled = b.isEnabled(n.isEnabled);
  out.isEnabledRuntime = b.isEnabledRuntime(n.isEnabled);
  out.recordSuccess = b.recordSuccess(n.recordSuccess);
  out.recordError = b.recordError(n.recordError);
  out.step = b.step(n.step);
  out.createFeature = b.createFeature(n.createFeature);
  out.listActive = b.listActive(n.listActive);
  // Side by side, interleaved in halves so that neither always runs second.
  const half = Math.max(1, n.recordSuccess >> 1);
  const batch1 = b.recordBatch(half);
  const cohorts1 = b.recordCohorts(half);
  const cohorts2 = b.recordCohorts(half);
  const batch2 = b.recordBatch(half);
  out.recordBatch = (batch1 + batch2) / 2;
  out.recordCohorts = (cohorts1 + cohorts2) / 2;
  return out;
}

function meteredRound(n: Record<Row, number>, meteredPath: string): MeteredRoundResult {
  const m = new SeedLikeBench(new Uint8Array(readFileSync(meteredPath)));
  warm(m, n);
  return { isEnabled: m.isEnabled(n.isEnabled), recordSuccess: m.recordSuccess(n.recordSuccess) };
}

const [nJson, wasmPath, mode] = process.argv.slice(2);
if (nJson && wasmPath) {
  const n = JSON.parse(nJson) as Record<Row, number>;
  process.stdout.write(JSON.stringify(mode === "metered" ? meteredRound(n, wasmPath) : round(n, wasmPath)) + "\n");
}
