// Storage keys (SPEC section 9). Every key is a declared prefix byte, then its parts; a name
// is terminated by 0x00 (never a name byte) so that no feature's keys fall inside another's
// prefix scan, and so that key order is name order. Numbers in keys are big-endian.
//
//   0xD0 name 00               feature record (metrics included: see docs/STORAGE.md)
//   0xD1                       reserved (the seed's metrics prefix; never reused)
//   0xD2 name 00 seq:u32be     history entry
//   0xD3 name 00 account[20]   override
//   0xD4                       global state
//   0xD5 account[20]           roles of an account (bit mask)
//   0xD6                       contract meta (initialized, admin count)
//   0xD7 dueAt:u32be name 00   index of RollingOut features by next due clock value
//   0xD8 name 00               index of active (Canary, RollingOut) features

import { uninitBytes } from "../host/env";
import { ACCOUNT_BYTES } from "../shared/codes";

export const PREFIX_FEATURE: u8 = 0xd0;
export const PREFIX_HISTORY: u8 = 0xd2;
export const PREFIX_OVERRIDE: u8 = 0xd3;
export const PREFIX_GLOBAL: u8 = 0xd4;
export const PREFIX_ROLES: u8 = 0xd5;
export const PREFIX_META: u8 = 0xd6;
export const PREFIX_DUE: u8 = 0xd7;
export const PREFIX_ACTIVE: u8 = 0xd8;

function withName(prefix: u8, name: Uint8Array, extra: i32): Uint8Array {
  const k = uninitBytes(name.length + 2 + extra);
  k[0] = prefix;
  memory.copy(k.dataStart + 1, name.dataStart, <usize>name.length);
  k[name.length + 1] = 0;
  return k;
}

function storeU32be(k: Uint8Array, at: i32, v: u32): void {
  k[at] = <u8>(v >>> 24);
  k[at + 1] = <u8>(v >>> 16);
  k[at + 2] = <u8>(v >>> 8);
  k[at + 3] = <u8>v;
}

function loadU32be(k: Uint8Array, at: i32): u32 {
  return (<u32>k[at] << 24) | (<u32>k[at + 1] << 16) | (<u32>k[at + 2] << 8) | <u32>k[at + 3];
}

export function single(prefix: u8): Uint8Array {
  const k = uninitBytes(1);
  k[0] = prefix;
  return k;
}

export function featureKey(name: Uint8Array): Uint8Array {
  return withName(PREFIX_FEATURE, name, 0);
}

export function activeKey(name: Uint8Array): Uint8Array {
  return withName(PREFIX_ACTIVE, name, 0);
}

export function historyKey(name: Uint8Array, seq: u32): Uint8Array {
  const k = withName(PREFIX_HISTORY, name, 4);
  storeU32be(k, name.length + 2, seq);
  return k;
}

/** The override key of (name, the 20-byte account at `account`). */
export function overrideKey(name: Uint8Array, account: usize): Uint8Array {
  const k = withName(PREFIX_OVERRIDE, name, ACCOUNT_BYTES);
  memory.copy(k.dataStart + <usize>(name.length + 2), account, ACCOUNT_BYTES);
  return k;
}

export function rolesKey(account: Uint8Array): Uint8Array {
  const k = uninitBytes(1 + ACCOUNT_BYTES);
  k[0] = PREFIX_ROLES;
  memory.copy(k.dataStart + 1, account.dataStart, ACCOUNT_BYTES);
  return k;
}

export function dueKey(dueAt: u32, name: Uint8Array): Uint8Array {
  const k = uninitBytes(name.length + 6);
  k[0] = PREFIX_DUE;
  storeU32be(k, 1, dueAt);
  memory.copy(k.dataStart + 5, name.dataStart, <usize>name.length);
  k[name.length + 5] = 0;
  return k;
}

/** The name inside a key `prefix [skip bytes] name 00`, or null when the key has no terminator. */
export function nameFromKey(key: Uint8Array, skip: i32): Uint8Array | null {
  const start = 1 + skip;
  const end = key.length - 1;
  if (end <= start || key[end] != 0) return null;
  return key.slice(start, end);
}

/** The due clock value in a 0xD7 key. */
export function keyDueAt(key: Uint8Array): u32 {
  return loadU32be(key, 1);
}
