// GENERATED from src/abi/definition.ts by scripts/gen-abi.ts (`npm run gen`): do not edit.
// Events (SPEC section 6): one function per event, name then Borsh payload. Called right
// after the state change they announce; a no-op emits nothing.

import { Writer } from "../codec/borsh";
import { emitEvent } from "../host/env";

/** FeatureCreated: createFeature. */
export function featureCreated(name: Uint8Array, createdBy: Uint8Array): void {
  const w = new Writer(88);
  w.string(name).raw(createdBy);
  emitEvent("FeatureCreated", w.dataStart, w.len);
}

/** StatusChanged: every status change (one history entry each). */
export function statusChanged(name: Uint8Array, from: i32, to: i32, rolloutBps: u16, reasonSome: bool, reason: i32): void {
  const w = new Writer(80);
  w.string(name).u8(from).u8(to).u16(rolloutBps).optionU8(reasonSome, reason);
  emitEvent("StatusChanged", w.dataStart, w.len);
}

/** RolloutAdvanced: every step advance. */
export function rolloutAdvanced(name: Uint8Array, fromBps: u16, toBps: u16): void {
  const w = new Writer(72);
  w.string(name).u16(fromBps).u16(toBps);
  emitEvent("RolloutAdvanced", w.dataStart, w.len);
}

/** PolicyUpdated: updatePolicy. */
export function policyUpdated(name: Uint8Array): void {
  const w = new Writer(72);
  w.string(name);
  emitEvent("PolicyUpdated", w.dataStart, w.len);
}

/** OverrideSet: setOverride. */
export function overrideSet(name: Uint8Array, account: Uint8Array, mode: i32): void {
  const w = new Writer(96);
  w.string(name).raw(account).u8(mode);
  emitEvent("OverrideSet", w.dataStart, w.len);
}

/** RoleChanged: init, grantRole, revokeRole (when something changes). */
export function roleChanged(role: i32, account: Uint8Array, granted: bool): void {
  const w = new Writer(24);
  w.u8(role).raw(account).bool(granted);
  emitEvent("RoleChanged", w.dataStart, w.len);
}

/** GlobalChanged: setGlobal (when something changes). */
export function globalChanged(paused: bool, halted: bool): void {
  const w = new Writer(8);
  w.bool(paused).bool(halted);
  emitEvent("GlobalChanged", w.dataStart, w.len);
}

/** PauseChanged: pause, resume. */
export function pauseChanged(name: Uint8Array, paused: bool): void {
  const w = new Writer(72);
  w.string(name).bool(paused);
  emitEvent("PauseChanged", w.dataStart, w.len);
}
