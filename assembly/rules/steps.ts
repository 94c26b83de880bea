// Rollout steps (SPEC section 5, "Steps" and "When steps run").

import * as events from "../generated/events";
import { HEALTHY, stepVerdict } from "./health";
import { beginStep, rollBack, saveChange } from "./lifecycle";
import { Tx } from "./tx";
import { Feature } from "../model/feature";
import { BPS_FULL } from "../model/policy";
import { dueElapsed } from "../model/step-clock";
import { keyDueAt, nameFromKey, PREFIX_DUE } from "../storage/keys";
import { isInitialized, loadRecord, RecordLoad } from "../storage/state";
import { resumeScan, scanNext, startScan } from "../runtime/arena";
import { sender } from "../host/env";
import { ErrorCode, Status } from "../shared/codes";

/**
 * Processes one feature at `clock` if a step is due: rollback when unhealthy (or past its
 * deadline), wait when the window has too few samples, else advance. Nothing happens when
 * no step is due, so calling it twice in a block is harmless.
 */
function processDue(f: Feature, clock: u32, tx: Tx): void {
  const elapsed = dueElapsed(f, clock);
  if (elapsed < 0) return;
  const verdict = stepVerdict(f, <u32>elapsed);
  if (verdict != HEALTHY) {
    rollBack(f, verdict, tx);
    return;
  }
  if (f.counters.windowSamples() < <u64>f.policy.minSamples) return; // wait for data, stay due
  advance(f, clock, tx);
}

/**
 * processRollout: the named feature's step, if one is due now. The clock never runs ahead of
 * the height, so a step not due even at clock = height is not due: then nothing happens, and
 * the global record is not read nor a Feature built (the common answer, read from the record
 * as it lies; DESIGN.md).
 */
export function processRollout(rec: RecordLoad, height: u32): i32 {
  if (dueElapsed(rec, height) < 0) return ErrorCode.Ok;
  const tx = Tx.at(height, sender());
  const clock = tx.clock();
  if (tx.global.corrupt) return ErrorCode.CorruptState;
  if (!tx.global.get().paused) processDue(rec.feature(), clock, tx);
  return ErrorCode.Ok;
}

/** One step up the schedule; at target, Enabled (10000) or a held Canary (below 10000). */
function advance(f: Feature, clock: u32, tx: Tx): void {
  const fromBps = f.rolloutBps;
  const toBps = f.policy.nextStep(fromBps, f.targetBps);
  f.rolloutBps = toBps;
  beginStep(f, tx, clock);
  if (toBps >= f.targetBps) f.status = f.targetBps == BPS_FULL ? Status.Enabled : Status.Canary;
  // One history entry either way: a step, or the step that ends the rollout.
  saveChange(f, Status.RollingOut, tx);
  events.rolloutAdvanced(f.name, fromBps, toBps);
  if (f.status != Status.RollingOut) events.statusChanged(f.name, Status.RollingOut, f.status, toBps, false, 0);
}

/**
 * After every block: every feature whose due clock value has come, in index order. Cost
 * grows with the due features only: the 0xD7 index is ordered by due clock value, and the
 * scan stops at the first entry not yet due. A processed feature is either re-indexed at a
 * later value (> clock) or stays at its key (waiting), so the scan moves strictly forward.
 * Each feature is processed on a released heap, so memory does not grow with their number.
 */
/** Set by onPersist: it stopped because `limit` due entries were visited (more may be due after the scan position). */
export let batchFull: bool = false;

/**
 * `limit`, `skipCorrupt` and `resume` serve CosmWasm's end-block hook (entry/cosmwasm.ts):
 * visit at most `limit` due entries, skip a corrupt one instead of failing, and start after
 * the position where the previous block's batch stopped. The native host uses the defaults.
 */
export function onPersist(tx: Tx, limit: i32 = i32.MAX_VALUE, skipCorrupt: bool = false, resume: Uint8Array | null = null): i32 {
  batchFull = false;
  const g = tx.global.get();
  if (tx.global.missing && !isInitialized()) return ErrorCode.Ok; // before init: nothing to do
  if (tx.global.corrupt) return ErrorCode.CorruptState; // also missing after init
  if (g.paused) return ErrorCode.Ok;
  const clock = g.clock(tx.height);
  const height = tx.height;
  startScan();
  if (resume != null) resumeScan(resume);
  let visited = 0;
  while (true) {
    if (visited >= limit) {
      batchFull = true;
      break;
    }
    // Only locals and the scan position survive scanNext: tx, g and everything else are rebuilt.
    const key = scanNext(PREFIX_DUE);
    if (key == null) break;
    const name = nameFromKey(key, 4);
    visited++;
    if (name == null) {
      if (skipCorrupt) continue; // CosmWasm's end-block hook: skip it, never jail the contract
      return ErrorCode.CorruptState;
    }
    if (keyDueAt(key) > clock) break;
    const loaded = loadRecord(name);
    if (loaded.code != ErrorCode.Ok) {
      if (skipCorrupt) continue;
      return ErrorCode.CorruptState; // an index entry without its feature
    }
    processDue(loaded.feature(), clock, Tx.at(height, null));
  }
  return ErrorCode.Ok;
}
