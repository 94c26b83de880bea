// Events (SPEC section 6): one function per event, name then Borsh payload. Called right
// after the state change they announce; a no-op emits nothing.

import { Writer } from "../codec/borsh";
import { emitEvent } from "../host/env";

function send(name: string, w: Writer): void {
  emitEvent(name, w.dataStart, w.len);
}

export function featureCreated(name: Uint8Array, createdBy: Uint8Array): void {
  send("FeatureCreated", new Writer(96).string(name).raw(createdBy));
}

export function statusChanged(name: Uint8Array, from: i32, to: i32, rolloutBps: u16, hasReason: bool, reason: i32): void {
  send("StatusChanged", new Writer(96).string(name).u8(from).u8(to).u16(rolloutBps).optionU8(hasReason, reason));
}

export function rolloutAdvanced(name: Uint8Array, fromBps: u16, toBps: u16): void {
  send("RolloutAdvanced", new Writer(96).string(name).u16(fromBps).u16(toBps));
}

export function policyUpdated(name: Uint8Array): void {
  send("PolicyUpdated", new Writer(96).string(name));
}

export function overrideSet(name: Uint8Array, account: Uint8Array, mode: i32): void {
  send("OverrideSet", new Writer(96).string(name).raw(account).u8(mode));
}

export function roleChanged(role: i32, account: Uint8Array, granted: bool): void {
  send("RoleChanged", new Writer(32).u8(role).raw(account).bool(granted));
}

export function globalChanged(paused: bool, halted: bool): void {
  send("GlobalChanged", new Writer(4).bool(paused).bool(halted));
}

export function pauseChanged(name: Uint8Array, paused: bool): void {
  send("PauseChanged", new Writer(96).string(name).bool(paused));
}
