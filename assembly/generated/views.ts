// GENERATED from src/abi/definition.ts by scripts/gen-abi.ts (`npm run gen`): do not edit.
// The result structs of SPEC section 6, written field by field in wire order.

import { Writer } from "../codec/borsh";
import { Policy } from "../model/policy";

/** FeatureView. */
export function writeFeatureView(w: Writer, name: Uint8Array, description: Uint8Array, status: i32, rolloutBps: u16, targetBps: u16, paused: bool, startBlock: u32, lastStepBlock: u32, windowSuccesses: u64, windowErrors: u64, rollbackReasonSome: bool, rollbackReason: i32, createdBy: Uint8Array, policy: Policy, runSuccesses: u64, runErrors: u64, baseSuccesses: u64, baseErrors: u64, statistic: i64): void {
  w.string(name).string(description).u8(status).u16(rolloutBps).u16(targetBps).bool(paused).u32(startBlock).u32(lastStepBlock).u64(windowSuccesses).u64(windowErrors).optionU8(rollbackReasonSome, rollbackReason).raw(createdBy);
  policy.write(w);
  w.u64(runSuccesses).u64(runErrors).u64(baseSuccesses).u64(baseErrors).u64(<u64>statistic);
}

/** Metrics. */
export function writeMetrics(w: Writer, totalOperations: u64, successfulOps: u64, failedOps: u64, averageLatency: u64, peakLatency: u64, invariantChecks: u64, invariantFailures: u64): void {
  w.u64(totalOperations).u64(successfulOps).u64(failedOps).u64(averageLatency).u64(peakLatency).u64(invariantChecks).u64(invariantFailures);
}

/** HistoryEntry. */
export function writeHistoryEntry(w: Writer, seq: u32, block: u32, from: i32, to: i32, rolloutBps: u16, reasonSome: bool, reason: i32, actor: Uint8Array | null): void {
  w.u32(seq).u32(block).u8(from).u8(to).u16(rolloutBps).optionU8(reasonSome, reason);
  if (actor) w.u8(1).raw(actor); else w.u8(0);
}

/** GlobalState. */
export function writeGlobalState(w: Writer, paused: bool, halted: bool): void {
  w.bool(paused).bool(halted);
}
