// GENERATED from src/abi/definition.ts by scripts/gen-abi.ts (`npm run gen`): do not edit.
// The Borsh entry layer: each export decodes its method's arguments exactly (SPEC section 6:
// BadInput before anything else) and calls the hand-written handler of the same name
// (entry/handlers.ts) with typed values. Accounts arrive as the address of their 20 bytes.

import { Reader } from "../codec/borsh";
import { readInput } from "../host/env";
import { Policy } from "../model/policy";
import { ACCOUNT_BYTES, ErrorCode, OVERRIDE_MODE_MAX, ROLE_MAX, ROLLBACK_REASON_MAX } from "../shared/codes";
import * as handlers from "../entry/handlers";

/** init(admin: usize) — makes `admin` the first Admin; runs once. */
export function init(): i32 {
  const r = new Reader(readInput());
  const admin = r.skip(ACCOUNT_BYTES);
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.init(admin);
}

/** grantRole(role: i32, account: usize) — grants a role (held already: no change, no event). */
export function grantRole(): i32 {
  const r = new Reader(readInput());
  const role: i32 = r.u8();
  const account = r.skip(ACCOUNT_BYTES);
  if (!r.done() || role > ROLE_MAX) return ErrorCode.BadInput;
  return handlers.grantRole(role, account);
}

/** revokeRole(role: i32, account: usize) — revokes a role; never the last Admin. */
export function revokeRole(): i32 {
  const r = new Reader(readInput());
  const role: i32 = r.u8();
  const account = r.skip(ACCOUNT_BYTES);
  if (!r.done() || role > ROLE_MAX) return ErrorCode.BadInput;
  return handlers.revokeRole(role, account);
}

/** hasRole(role: i32, account: usize) — true when the account holds the role or Admin. */
export function hasRole(): i32 {
  const r = new Reader(readInput());
  const role: i32 = r.u8();
  const account = r.skip(ACCOUNT_BYTES);
  if (!r.done() || role > ROLE_MAX) return ErrorCode.BadInput;
  return handlers.hasRole(role, account);
}

/** createFeature(name: Uint8Array, description: Uint8Array, policy: Policy | null) — a new feature, Disabled at 0 bps (None = the default policy). */
export function createFeature(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const description = r.string();
  const policy: Policy | null = r.option() ? Policy.read(r) : null;
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.createFeature(name, description, policy);
}

/** updatePolicy(name: Uint8Array, policy: Policy) — replaces the policy (the salt stays). */
export function updatePolicy(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const policy = Policy.read(r);
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.updatePolicy(name, policy);
}

/** startCanary(name: Uint8Array, bps: u16) — Canary at bps, window reset. */
export function startCanary(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const bps = r.u16();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.startCanary(name, bps);
}

/** startRollout(name: Uint8Array, targetBps: u16) — RollingOut toward targetBps. */
export function startRollout(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const targetBps = r.u16();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.startRollout(name, targetBps);
}

/** enable(name: Uint8Array) — Enabled at 10000. */
export function enable(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.enable(name);
}

/** disable(name: Uint8Array) — Disabled at 0. */
export function disable(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.disable(name);
}

/** pause(name: Uint8Array) — steps stop; health rules stay armed. */
export function pause(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.pause(name);
}

/** resume(name: Uint8Array) — steps go on. */
export function resume(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.resume(name);
}

/** rollback(name: Uint8Array, reason: i32) — RolledBack at 0 with the reason. */
export function rollback(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const reason: i32 = r.u8();
  if (!r.done() || reason > ROLLBACK_REASON_MAX) return ErrorCode.BadInput;
  return handlers.rollback(name, reason);
}

/** setOverride(name: Uint8Array, account: usize, mode: i32) — forces one account on or off (Clear removes). */
export function setOverride(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const account = r.skip(ACCOUNT_BYTES);
  const mode: i32 = r.u8();
  if (!r.done() || mode > OVERRIDE_MODE_MAX) return ErrorCode.BadInput;
  return handlers.setOverride(name, account, mode);
}

/** setGlobal(paused: bool, halted: bool) — the global pause and halt. */
export function setGlobal(): i32 {
  const r = new Reader(readInput());
  const paused = r.bool();
  const halted = r.bool();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.setGlobal(paused, halted);
}

/** recordSuccess(name: Uint8Array) — one success. */
export function recordSuccess(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.recordSuccess(name);
}

/** recordError(name: Uint8Array) — one error. */
export function recordError(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.recordError(name);
}

/** recordBatch(name: Uint8Array, successes: u64, errors: u64) — many outcomes at once. */
export function recordBatch(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const successes = r.u64();
  const errors = r.u64();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.recordBatch(name, successes, errors);
}

/** recordCohorts(name: Uint8Array, canarySuccesses: u64, canaryErrors: u64, baseSuccesses: u64, baseErrors: u64) — one period's outcomes of exposed (canary) and unexposed (baseline) accounts. */
export function recordCohorts(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const canarySuccesses = r.u64();
  const canaryErrors = r.u64();
  const baseSuccesses = r.u64();
  const baseErrors = r.u64();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.recordCohorts(name, canarySuccesses, canaryErrors, baseSuccesses, baseErrors);
}

/** recordLatency(name: Uint8Array, value: u64) — one latency sample. */
export function recordLatency(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const value = r.u64();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.recordLatency(name, value);
}

/** recordInvariant(name: Uint8Array, ok: bool) — one invariant check. */
export function recordInvariant(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const ok = r.bool();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.recordInvariant(name, ok);
}

/** reportIncident(name: Uint8Array, reason: i32) — rolls back for an incident. */
export function reportIncident(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const reason: i32 = r.u8();
  if (!r.done() || reason != 3 && reason != 4) return ErrorCode.BadInput;
  return handlers.reportIncident(name, reason);
}

/** processRollout(name: Uint8Array) — processes one feature's due step (idempotent). */
export function processRollout(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.processRollout(name);
}

/** onPersist() — processes every due feature, after every block. */
export function onPersist(): i32 {
  const r = new Reader(readInput());
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.onPersist();
}

/** isEnabled(name: Uint8Array, account: usize) — whether the account sees the feature. */
export function isEnabled(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const account = r.skip(ACCOUNT_BYTES);
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.isEnabled(name, account);
}

/** isEnabledMany(name: Uint8Array, accounts: usize, accountsCount: i32) — isEnabled for up to 1024 accounts. */
export function isEnabledMany(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const accountsCount = r.count(ACCOUNT_BYTES);
  const accounts = r.skip(accountsCount * ACCOUNT_BYTES); // back to back, where they were read
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.isEnabledMany(name, accounts, accountsCount);
}

/** bucketOf(name: Uint8Array, account: usize) — the account's bucket, 0..9999. */
export function bucketOf(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const account = r.skip(ACCOUNT_BYTES);
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.bucketOf(name, account);
}

/** getFeature(name: Uint8Array) — the feature, or None. */
export function getFeature(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.getFeature(name);
}

/** getMetrics(name: Uint8Array) — lifetime metrics, or None. */
export function getMetrics(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.getMetrics(name);
}

/** listFeatures(startAfter: Uint8Array, limit: u16, activeOnly: bool) — features in bytewise name order after startAfter. */
export function listFeatures(): i32 {
  const r = new Reader(readInput());
  const startAfter = r.string();
  const limit = r.u16();
  const activeOnly = r.bool();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.listFeatures(startAfter, limit, activeOnly);
}

/** getHistory(name: Uint8Array, fromSeq: u32, limit: u16) — history entries from fromSeq. */
export function getHistory(): i32 {
  const r = new Reader(readInput());
  const name = r.string();
  const fromSeq = r.u32();
  const limit = r.u16();
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.getHistory(name, fromSeq, limit);
}

/** getGlobal() — the global switches. */
export function getGlobal(): i32 {
  const r = new Reader(readInput());
  if (!r.done()) return ErrorCode.BadInput;
  return handlers.getGlobal();
}
