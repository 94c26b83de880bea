// Read-only methods (SPEC section 6). Views never write; each fills a Writer with its result.

import { Writer } from "../codec/borsh";
import { writeFeatureView, writeGlobalState, writeHistoryEntry, writeMetrics } from "../generated/views";
import { storageNext } from "../host/env";
import { Buckets, decideExposure } from "./exposure";
import { Counters } from "../model/counters";
import { Feature } from "../model/feature";
import { FeatureRecord } from "../storage/record";
import { activeKey, featureKey, nameFromKey, PREFIX_ACTIVE, PREFIX_FEATURE, single } from "../storage/keys";
import { ACCOUNT_BYTES, ErrorCode, MAX_NAME_BYTES, MAX_PAGE } from "../shared/codes";
import { isInitialized, LazyGlobal, loadHistory, loadOverride, loadRecord, RecordLoad } from "../storage/state";


/** Like loadRecord, but NotInitialized (not FeatureNotFound) before init. */
export function loadRecordForCall(name: Uint8Array): RecordLoad {
  const loaded = loadRecord(name);
  if (loaded.code == ErrorCode.FeatureNotFound && !isInitialized()) loaded.code = ErrorCode.NotInitialized;
  return loaded;
}

/**
 * isEnabled (one account, a bare bool out) and isEnabledMany (`many`: a Vec of bools), for
 * the n 20-byte accounts at `accounts`. Read in place from the one record: its halt flag is
 * the mirror of the global one, so no other record is read unless the feature has overrides.
 */
export function exposures(name: Uint8Array, accounts: usize, n: i32, many: bool, out: Writer): i32 {
  const loaded = loadRecordForCall(name);
  if (loaded.code != ErrorCode.Ok && loaded.code != ErrorCode.FeatureNotFound) return loaded.code;
  if (many) out.u32(<u32>n);
  if (loaded.code != ErrorCode.Ok) {
    for (let i = 0; i < n; i++) out.bool(false);
    return ErrorCode.Ok;
  }
  const status = loaded.status;
  const rolloutBps = loaded.rolloutBps;
  const halted = loaded.halted;
  const overrides = loaded.overrideCount;
  const buckets = bucketsOf(name, loaded);
  for (let i = 0; i < n; i++) {
    const account = accounts + <usize>(i * ACCOUNT_BYTES);
    const mode = loadOverride(name, overrides, account);
    if (mode < 0) return ErrorCode.CorruptState;
    out.bool(decideExposure(status, rolloutBps, halted, buckets, account, mode));
  }
  return ErrorCode.Ok;
}

/** Buckets salted with policy.salt, or with the name when that is empty. */
function bucketsOf(name: Uint8Array, rec: FeatureRecord): Buckets {
  return rec.saltLen > 0 ? new Buckets(rec.saltAt, rec.saltLen) : new Buckets(name.dataStart, name.length);
}

/** The bucket of the 20-byte account at `account`. */
export function bucketOf(name: Uint8Array, account: usize, out: Writer): i32 {
  const loaded = loadRecordForCall(name);
  if (loaded.code != ErrorCode.Ok) return loaded.code;
  out.u16(bucketsOf(name, loaded).of(account));
  return ErrorCode.Ok;
}

/** getFeature (metrics false) and getMetrics (true): None for an unknown feature. */
export function getFeature(name: Uint8Array, metrics: bool, out: Writer): i32 {
  const loaded = loadRecordForCall(name);
  if (loaded.code == ErrorCode.FeatureNotFound) {
    out.u8(0);
    return ErrorCode.Ok;
  }
  if (loaded.code != ErrorCode.Ok) return loaded.code;
  out.u8(1);
  if (metrics) metricsView(loaded.counters, out);
  else featureView(loaded.feature(), out);
  return ErrorCode.Ok;
}

/**
 * Features in ascending bytewise name order after `startAfter` (empty = from the first). With
 * activeOnly, walks the 0xD8 index of Canary/RollingOut features, so the cost grows with
 * what is returned, not with all features.
 */
export function listFeatures(startAfter: Uint8Array, limit: u16, activeOnly: bool, out: Writer): i32 {
  if (!isInitialized()) return ErrorCode.NotInitialized;
  if (limit == 0 || limit > <u16>MAX_PAGE || startAfter.length > MAX_NAME_BYTES) return ErrorCode.LimitExceeded;
  const prefix = single(activeOnly ? PREFIX_ACTIVE : PREFIX_FEATURE);
  let after = startAfter.length == 0 ? new Uint8Array(0) : activeOnly ? activeKey(startAfter) : featureKey(startAfter);
  const items = new Writer(1024);
  let n: u32 = 0;
  while (n < <u32>limit) {
    const key = storageNext(prefix, after);
    if (key == null) break;
    const name = nameFromKey(key, 0);
    if (name == null) return ErrorCode.CorruptState;
    const loaded = loadRecord(name);
    // An index entry whose feature is missing or unreadable is corrupt state.
    if (loaded.code != ErrorCode.Ok) return ErrorCode.CorruptState;
    featureView(loaded.feature(), items);
    n++;
    after = key;
  }
  out.u32(n);
  out.raw(items.toBytes());
  return ErrorCode.Ok;
}

/** Entries fromSeq, fromSeq + 1, … (at most limit), in sequence order. */
export function getHistory(name: Uint8Array, fromSeq: u32, limit: u16, out: Writer): i32 {
  const loaded = loadRecordForCall(name);
  if (loaded.code != ErrorCode.Ok) return loaded.code;
  if (limit == 0 || limit > <u16>MAX_PAGE) return ErrorCode.LimitExceeded;
  const historyLen = loaded.historyLen;
  const end64 = <u64>fromSeq + <u64>limit;
  const end: u32 = end64 < <u64>historyLen ? <u32>end64 : historyLen;
  const count: u32 = end > fromSeq ? end - fromSeq : 0;
  out.u32(count);
  for (let seq = fromSeq; seq < end; seq++) {
    const h = loadHistory(name, seq);
    if (h.code != ErrorCode.Ok) return ErrorCode.CorruptState; // below historyLen: must exist
    const e = h.entry!;
    writeHistoryEntry(out, seq, e.block, e.from, e.to, e.rolloutBps, e.hasReason, e.reason, e.actor);
  }
  return ErrorCode.Ok;
}

export function getGlobal(out: Writer): i32 {
  const g = new LazyGlobal();
  const v = g.get();
  if (g.missing && !isInitialized()) return ErrorCode.NotInitialized;
  if (g.corrupt) return ErrorCode.CorruptState; // also missing after init
  writeGlobalState(out, v.paused, v.halted);
  return ErrorCode.Ok;
}

/** The FeatureView result struct of SPEC section 6 (the generated writer, fields in wire order). */
function featureView(f: Feature, w: Writer): void {
  const c = f.counters;
  const r = f.run;
  writeFeatureView(
    w, f.name, f.description, f.status, f.rolloutBps, f.targetBps, f.paused, f.startBlock, f.lastStepBlock,
    c.windowSuccesses, c.windowErrors, f.hasReason, f.reason, f.createdBy, f.policy,
    r.runSuccesses, r.runErrors, r.baseSuccesses, r.baseErrors, r.statistic,
  );
}

/** The Metrics result struct of SPEC section 6: lifetime counters, the average computed. */
function metricsView(c: Counters, w: Writer): void {
  const count = c.metricsLatencyCount;
  const average = count == 0 ? 0 : c.metricsLatencySum / count;
  writeMetrics(
    w, c.metricsTotal, c.metricsSuccessful, c.metricsFailed, average,
    c.metricsPeakLatency, c.metricsInvariantChecks, c.metricsInvariantFailures,
  );
}
