// The small records (SPEC section 9), each `version ‖ fields`, with their exact decoders.
// Every record type has its own version byte and one reader per version it was ever
// written in, chosen by that byte; an unknown (newer) version decodes as corrupt. Writers
// write the current version (all are version 1 so far):
//
// The layouts are the ABI definition's RECORDS (docs/STORAGE.md shows them); the versions
// written today are generated into generated/layout.ts.
//
// Adding a version: a `…V2` reader beside the `…V1` one, a case in the decoder, and the
// writer's version constant raised (the record is upgraded when it is next written).

import { Reader, Writer } from "../codec/borsh";
import { BPS_FULL, OverrideMode, OVERRIDE_MODE_MAX, ROLLBACK_REASON_MAX, ROLE_MAX, STATUS_MAX } from "../shared/codes";
import {
  GLOBAL_VERSION, HISTORY_VERSION, MARKER_VERSION, META_VERSION, OVERRIDE_VERSION, ROLES_VERSION,
} from "../generated/layout";

/** The version byte of a stored value; −1 when it is empty. */
// @ts-ignore: decorator
@inline function versionOf(v: Uint8Array): i32 {
  return v.length > 0 ? <i32>load<u8>(v.dataStart) : -1;
}

/**
 * Global switches and the pause-aware clock. The clock counts blocks during which the
 * global pause was off: clock(now) = clockBase + (now − clockSince) while running, clockBase
 * while paused. Step dwell and deadlines are measured on it, so globally paused blocks never
 * count, without touching any feature when the pause flips.
 */
export class Global {
  paused: bool = false;
  halted: bool = false;
  clockBase: u32 = 0;
  clockSince: u32 = 0;

  clock(now: u32): u32 {
    if (this.paused || now < this.clockSince) return this.clockBase;
    const c = <u64>this.clockBase + <u64>(now - this.clockSince);
    return c > <u64>u32.MAX_VALUE ? u32.MAX_VALUE : <u32>c;
  }

  /** Changes the pause flag at `now`, keeping the clock continuous. */
  setPaused(paused: bool, now: u32): void {
    if (paused == this.paused) return;
    this.clockBase = this.clock(now);
    this.clockSince = now;
    this.paused = paused;
  }

  /** The stored global record, or null when corrupt. */
  static decode(v: Uint8Array): Global | null {
    const r = new Reader(v);
    const version = r.u8(); // 0 when empty: no version
    if (version == 1) return globalV1(r);
    return null;
  }

  encode(): Writer {
    const w = new Writer(16);
    w.u8(GLOBAL_VERSION).bool(this.paused).bool(this.halted).u32(this.clockBase).u32(this.clockSince);
    return w;
  }
}

// @ts-ignore: decorator
@inline function globalV1(r: Reader): Global | null {
  const g = new Global();
  g.paused = r.bool();
  g.halted = r.bool();
  g.clockBase = r.u32();
  g.clockSince = r.u32();
  return r.done() ? g : null;
}

/** Decodes the meta record to its admin count; −1 when corrupt. */
export function decodeAdminCount(v: Uint8Array): i64 {
  const r = new Reader(v);
  const version = r.u8(); // 0 when empty: no version
  if (version == 1) return adminCountV1(r);
  return -1;
}

// @ts-ignore: decorator
@inline function adminCountV1(r: Reader): i64 {
  const n = r.u32();
  return r.done() ? <i64>n : -1;
}

export function encodeAdminCount(n: u32): Writer {
  return new Writer(8).u8(META_VERSION).u32(n);
}

/** Decodes a roles record to its mask; −1 when corrupt. */
export function decodeRoles(v: Uint8Array): i32 {
  const version = versionOf(v);
  if (version == 1) return rolesV1(v);
  return -1;
}

// @ts-ignore: decorator
@inline function rolesV1(v: Uint8Array): i32 {
  const mask = byteAfterVersion(v);
  return mask == 0 || mask >= 1 << (ROLE_MAX + 1) ? -1 : mask;
}

export function encodeRoles(mask: i32): Writer {
  return new Writer(2).u8(ROLES_VERSION).u8(mask);
}

/** Decodes an override record to its mode; −1 when corrupt. */
export function decodeOverride(v: Uint8Array): i32 {
  const version = versionOf(v);
  if (version == 1) return overrideV1(v);
  return -1;
}

// @ts-ignore: decorator
@inline function overrideV1(v: Uint8Array): i32 {
  const mode = byteAfterVersion(v);
  return mode == OverrideMode.Clear || mode > OVERRIDE_MODE_MAX ? -1 : mode;
}

export function encodeOverride(mode: i32): Writer {
  return new Writer(2).u8(OVERRIDE_VERSION).u8(mode);
}

/** The byte after the version of a two-byte value (version ‖ byte), −1 when it is not two bytes. */
// @ts-ignore: decorator
@inline function byteAfterVersion(v: Uint8Array): i32 {
  return v.length == 2 ? <i32>load<u8>(v.dataStart, 1) : -1;
}

/** An index entry's value (never read: the key is the entry). */
export function encodeMarker(): Writer {
  return new Writer(1).u8(MARKER_VERSION);
}

export class HistoryEntry {
  block: u32 = 0;
  from: i32 = 0;
  to: i32 = 0;
  rolloutBps: u16 = 0;
  hasReason: bool = false;
  reason: i32 = 0;
  /** Null for changes made by onPersist. */
  actor: Uint8Array | null = null;

  /** A stored history entry, or null when corrupt. */
  static decode(v: Uint8Array): HistoryEntry | null {
    const r = new Reader(v);
    const version = r.u8(); // 0 when empty: no version
    if (version == 1) return historyV1(r);
    return null;
  }

  encode(): Writer {
    const w = new Writer(40);
    w.u8(HISTORY_VERSION).u32(this.block).u8(this.from).u8(this.to).u16(this.rolloutBps).optionU8(this.hasReason, this.reason);
    const actor = this.actor;
    if (actor) w.u8(1).raw(actor);
    else w.u8(0);
    return w;
  }
}

// @ts-ignore: decorator
@inline function historyV1(r: Reader): HistoryEntry | null {
  const e = new HistoryEntry();
  e.block = r.u32();
  e.from = r.u8();
  e.to = r.u8();
  e.rolloutBps = r.u16();
  e.hasReason = r.option();
  if (e.hasReason) e.reason = r.u8();
  if (r.option()) e.actor = r.account();
  if (!r.done()) return null;
  if (e.from > STATUS_MAX || e.to > STATUS_MAX || e.rolloutBps > <u16>BPS_FULL) return null;
  if (e.hasReason && e.reason > ROLLBACK_REASON_MAX) return null;
  return e;
}
