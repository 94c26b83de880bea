// Loading and saving records, with the index upkeep that goes with them. Absent and corrupt
// are told apart everywhere: absent is an answer, corrupt is CorruptState.

import { storageDelete, storageGet, storageGetSmall, storageHas, storagePut } from "../host/env";
import { scanNext, startScan } from "../runtime/arena";
import { Writer } from "../codec/borsh";
import { Feature, MAX_NAME_BYTES } from "../model/feature";
import { Policy } from "../model/policy";
import { dueAtOf } from "../model/step-clock";
import { encodeFeature, FeatureRecord, openRecord, readFeature, readPolicy } from "./record";
import {
  activeKey, dueKey, featureKey, historyKey, overrideKey, rolesKey, single,
  PREFIX_ACTIVE, PREFIX_FEATURE, PREFIX_GLOBAL, PREFIX_META,
} from "./keys";
import {
  decodeAdminCount, decodeOverride, decodeRoles, encodeAdminCount, encodeMarker,
  encodeOverride, encodeRoles, Global, HistoryEntry,
} from "./records";
import { ErrorCode, OverrideMode } from "../shared/codes";

function put(key: Uint8Array, w: Writer): void {
  storagePut(key, w.dataStart, w.len);
}

// ---- contract meta: initialized flag and admin count ----

export function isInitialized(): bool {
  return storageHas(single(PREFIX_META));
}

/** The admin count, 0 before init, −1 when corrupt. */
export function loadAdminCount(): i64 {
  const v = storageGetSmall(single(PREFIX_META));
  if (v == null) return 0;
  return decodeAdminCount(v);
}

export function saveAdminCount(n: u32): void {
  put(single(PREFIX_META), encodeAdminCount(n));
}

// ---- roles ----

/** The account's role mask (0 when none), −1 when corrupt. */
export function loadRoles(account: Uint8Array): i32 {
  const v = storageGetSmall(rolesKey(account));
  if (v == null) return 0;
  return decodeRoles(v);
}

export function saveRoles(account: Uint8Array, mask: i32): void {
  if (mask == 0) storageDelete(rolesKey(account));
  else put(rolesKey(account), encodeRoles(mask));
}

// ---- global state ----

export function saveGlobal(g: Global): void {
  put(single(PREFIX_GLOBAL), g.encode());
}

/** Reads the global record at most once per call, and only if asked. */
export class LazyGlobal {
  private loaded: bool = false;
  private value: Global | null = null;
  /** Set when the record was needed and is missing (only before init). */
  missing: bool = false;
  /** Set when the record was needed and did not decode, or is missing (corrupt after init). */
  corrupt: bool = false;

  get(): Global {
    if (!this.loaded) {
      this.loaded = true;
      const v = storageGetSmall(single(PREFIX_GLOBAL));
      if (v == null) this.missing = true;
      else this.value = Global.decode(v);
      if (this.value == null) this.corrupt = true;
    }
    const g = this.value;
    return g ? g : new Global();
  }

  halted(): bool {
    return this.get().halted;
  }
}

// ---- features ----

/** A feature record as stored: its key, its bytes and (when it opens) their fields (record.ts). */
export class RecordLoad extends FeatureRecord {
  code: i32 = ErrorCode.Ok;
  name: Uint8Array;
  key: Uint8Array;
  value: Uint8Array | null = null;

  /** Nothing read yet: `loadInto` reads it. */
  constructor(name: Uint8Array) {
    super();
    this.name = name;
    this.key = name; // set by loadInto when the name can have a key
  }

  /** The record as an object (for changes beyond counters). */
  feature(): Feature {
    return readFeature(this.name, this.value!, this);
  }

  policy(): Policy {
    return readPolicy(this);
  }

  /** Writes the bytes back, patched in place: nothing the indexes depend on may have changed. */
  saveInPlace(): void {
    const v = this.value!;
    storagePut(this.key, v.dataStart, v.length);
  }
}

/** True when a feature of this name is stored (its record is not read). */
export function featureExists(name: Uint8Array): bool {
  return storageHas(featureKey(name));
}

/** Ok with the record, FeatureNotFound (also for a name no feature can have), or CorruptState. */
export function loadRecord(name: Uint8Array): RecordLoad {
  return loadInto(new RecordLoad(name));
}

/** loadRecord into a RecordLoad made by the caller (a subclass that carries more). */
export function loadInto(out: RecordLoad): RecordLoad {
  // Only a valid name is stored, and the key `0xD0 name 00` is the name's alone, so any other
  // name simply reads nothing: only the length must be checked (to keep the key ≤ 128 bytes).
  const name = out.name;
  if (name.length < 1 || name.length > MAX_NAME_BYTES) {
    out.code = ErrorCode.FeatureNotFound;
    return out;
  }
  out.key = featureKey(name);
  const v = storageGet(out.key);
  if (v == null) {
    out.code = ErrorCode.FeatureNotFound;
    return out;
  }
  out.value = v;
  if (!openRecord(v.dataStart, v.length, out)) out.code = ErrorCode.CorruptState;
  return out;
}

/** Writes the record and moves its active and due index entries to match it. */
export function saveFeature(f: Feature): void {
  const active = f.isActive();
  if (!active) f.halted = false; // the mirror is kept in active records only
  const indexed = f.isIndexed();
  if (indexed) f.dueAt = dueAtOf(f.stepAccum, f.clockMark, f.policy.incrementBlocks);
  put(featureKey(f.name), encodeFeature(f));

  if (active != f.storedActive) {
    if (active) put(activeKey(f.name), encodeMarker());
    else storageDelete(activeKey(f.name));
  }
  const moved = f.storedIndexed != indexed || f.storedDueAt != f.dueAt;
  if (f.storedIndexed && moved) storageDelete(dueKey(f.storedDueAt, f.name));
  if (indexed && moved) put(dueKey(f.dueAt, f.name), encodeMarker());

  f.storedActive = active;
  f.storedIndexed = indexed;
  f.storedDueAt = f.dueAt;
}

/**
 * Writes the halt flag into every Canary/RollingOut record (the 0xD8 index), so that
 * isEnabled reads one record: the cost of a halt grows with the active features (~7,600
 * gas each, docs/GAS.md), the cost of the hot call does not. A record that does not decode
 * is left as it is: it answers CorruptState to everyone, so it exposes no one either way.
 * Each feature is handled on a released heap (nothing allocated before survives).
 */
export function mirrorHalt(halted: bool): void {
  startScan();
  while (true) {
    const key = scanNext(PREFIX_ACTIVE);
    if (key == null) return;
    // `D8 name 00` → `D0 name 00`: the feature's key is the index key with the record's prefix.
    key[0] = PREFIX_FEATURE;
    const v = storageGet(key);
    if (v == null) continue;
    const rec = new FeatureRecord();
    if (!openRecord(v.dataStart, v.length, rec) || !rec.isActive()) continue;
    if (rec.setHalted(halted)) storagePut(key, v.dataStart, v.length);
  }
}

// ---- overrides ----

/**
 * The override mode for (feature, the 20-byte account at `account`): Clear when none, −1
 * when corrupt. `count` is the feature's override count: none stored, none read.
 */
export function loadOverride(name: Uint8Array, count: u32, account: usize): i32 {
  if (count == 0) return OverrideMode.Clear;
  const v = storageGetSmall(overrideKey(name, account));
  if (v == null) return OverrideMode.Clear;
  return decodeOverride(v);
}

export function saveOverride(f: Feature, account: Uint8Array, mode: i32): void {
  if (mode == OverrideMode.Clear) storageDelete(overrideKey(f.name, account.dataStart));
  else put(overrideKey(f.name, account.dataStart), encodeOverride(mode));
}

// ---- history ----

/** Appends an entry under the next sequence number; history is never overwritten. */
export function appendHistory(f: Feature, e: HistoryEntry): void {
  // 2^32 − 1 entries is out of reach (one per status change or step); stop rather than wrap.
  if (f.historyLen == u32.MAX_VALUE) return;
  put(historyKey(f.name, f.historyLen), e.encode());
  f.historyLen += 1;
}

class HistoryLoad {
  code: i32 = ErrorCode.Ok;
  entry: HistoryEntry | null = null;
}

export function loadHistory(name: Uint8Array, seq: u32): HistoryLoad {
  const out = new HistoryLoad();
  const v = storageGet(historyKey(name, seq));
  if (v == null) {
    out.code = ErrorCode.FeatureNotFound;
    return out;
  }
  const e = HistoryEntry.decode(v);
  if (e == null) out.code = ErrorCode.CorruptState;
  else out.entry = e;
  return out;
}
