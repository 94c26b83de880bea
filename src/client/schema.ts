// Borsh schemas of SPEC section 6 — every method's arguments, every result, every event
// payload, and the Policy of section 2 — and their TypeScript types, all computed from the
// one ABI definition (src/abi/definition.ts): nothing here restates a field. Struct key
// order is wire order; the golden tests in tests/client/schema.test.ts pin it byte by byte.
//
// Shapes: u8/u16/u32 → number, u64/i64 → bigint (inputs also take a safe integer number),
// bool → boolean, String → string, account → 0x-hex string when decoded (Uint8Array(20) or
// 0x-hex accepted when encoding), Option → value | null, enums → numbers (names accepted when
// encoding; `toDisplay` gives names).

import {
  EVENT_DEFS,
  FEATURE_VIEW,
  GLOBAL_STATE,
  HISTORY_ENTRY,
  METHOD_DEFS,
  METRICS,
  POLICY,
  POLICY_FIELDS,
} from "../abi/definition.ts";
import type { Decoded, Input } from "../abi/field.ts";
import type { MethodName } from "../abi/methods.ts";
import { decode, encode, toDisplay, type DisplayValue, type Field, type StructDef } from "./codec.ts";

export { FEATURE_VIEW, GLOBAL_STATE, HISTORY_ENTRY, METRICS, POLICY };

// ---------------------------------------------------------------- Policy

export type Policy = Decoded<typeof POLICY>;

/** A policy as callers may write it: any subset of fields; the rest come from DEFAULT_POLICY. */
export type PolicyInput = Input<typeof POLICY>;

/** SPEC section 2's defaults (the definition's POLICY_FIELDS). */
export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze(
  Object.fromEntries(
    Object.entries(POLICY_FIELDS).map(([k, f]) => [k, Array.isArray(f.default) ? Object.freeze([...f.default]) : f.default]),
  ) as unknown as Policy,
);

/**
 * DEFAULT_POLICY overlaid with the fields `input` sets (an undefined field keeps the default).
 * Unknown field names are refused when the policy is encoded. Values are not validated as
 * policy here: the contract does that (InvalidPolicy), and tests must be able to send bad ones.
 */
export function completePolicy(input: PolicyInput = {}): PolicyInput {
  const out: Record<string, unknown> = { ...DEFAULT_POLICY, steps: [...DEFAULT_POLICY.steps] };
  for (const [k, v] of Object.entries(input)) if (v !== undefined) out[k] = v;
  return out as PolicyInput;
}

// ---------------------------------------------------------------- result structs

export type FeatureView = Decoded<typeof FEATURE_VIEW>;
export type Metrics = Decoded<typeof METRICS>;
export type HistoryEntry = Decoded<typeof HISTORY_ENTRY>;
export type GlobalState = Decoded<typeof GLOBAL_STATE>;

// ---------------------------------------------------------------- method arguments and results

type Defs = typeof METHOD_DEFS;

/** The argument struct of every method of SPEC section 6 (fields in wire order). */
export const ARGS = Object.fromEntries(Object.entries(METHOD_DEFS).map(([m, d]) => [m, d.args])) as {
  readonly [M in MethodName]: Defs[M]["args"];
};

/** The result of every method; `null` = `()` (no bytes). */
export const RESULTS = Object.fromEntries(Object.entries(METHOD_DEFS).map(([m, d]) => [m, d.result])) as {
  readonly [M in MethodName]: Defs[M]["result"];
};

/** Argument objects as the typed client builds them (the generic `encodeArgs` takes the same). */
export type MethodArgs = { [M in MethodName]: Input<Defs[M]["args"]> };

/** Decoded results (raw form). */
export type MethodResults = { [M in MethodName]: Defs[M]["result"] extends null ? null : Decoded<Defs[M]["result"]> };

/**
 * The Borsh arguments of `method`. Enum fields take names or numbers, accounts Uint8Array(20)
 * or 0x-hex, u64 bigint or safe integers. A policy (createFeature's, updatePolicy's) may be
 * partial: missing fields come from DEFAULT_POLICY. Throws EncodeError with the path of the
 * first bad value (`startCanary.bps: expected u16 …`).
 */
export function encodeArgs<M extends MethodName>(method: M, args: MethodArgs[M]): Uint8Array;
export function encodeArgs(method: MethodName, args: unknown): Uint8Array;
export function encodeArgs(method: MethodName, args: unknown): Uint8Array {
  const field: Field = ARGS[method];
  if (method === "createFeature" || method === "updatePolicy") {
    if (typeof args === "object" && args !== null && !Array.isArray(args)) {
      const a = args as { policy?: PolicyInput | null };
      const p = a.policy;
      // Only a plain object is completed; anything else goes to `encode`, which names it.
      if (typeof p === "object" && p !== null && !Array.isArray(p)) args = { ...a, policy: completePolicy(p) };
    }
  }
  return encode(field, args ?? {}, method);
}

/** Decodes the arguments of `method` (exact, as the contract must). */
export function decodeArgs<M extends MethodName>(method: M, bytes: Uint8Array): unknown {
  return decode(ARGS[method], bytes, `${method} args`);
}

/** Decodes the result bytes of `method`; `()` must be empty. */
export function decodeResult<M extends MethodName>(method: M, bytes: Uint8Array): MethodResults[M] {
  const field: Field | null = RESULTS[method];
  if (field === null) {
    if (bytes.length !== 0) return decode({ struct: {} }, bytes, `${method} result`) as MethodResults[M];
    return null as MethodResults[M];
  }
  return decode(field, bytes, `${method} result`) as MethodResults[M];
}

/** The display form of a decoded result (enums by name, accounts 0x-hex, JSON-safe u64). */
export function displayResult<M extends MethodName>(method: M, value: MethodResults[M]): DisplayValue {
  const field: Field | null = RESULTS[method];
  return field === null ? null : toDisplay(field, value);
}

// ---------------------------------------------------------------- typed helpers for structs

export const encodePolicy = (p: PolicyInput): Uint8Array => encode(POLICY, completePolicy(p), "policy");
export const decodePolicy = (b: Uint8Array): Policy => decode(POLICY, b, "Policy") as Policy;
export const encodeFeatureView = (v: FeatureView | Record<string, unknown>): Uint8Array => encode(FEATURE_VIEW, v, "FeatureView");
export const decodeFeatureView = (b: Uint8Array): FeatureView => decode(FEATURE_VIEW, b, "FeatureView") as FeatureView;
export const encodeMetrics = (m: Metrics): Uint8Array => encode(METRICS, m, "Metrics");
export const decodeMetrics = (b: Uint8Array): Metrics => decode(METRICS, b, "Metrics") as Metrics;
export const encodeHistoryEntry = (h: HistoryEntry | Record<string, unknown>): Uint8Array => encode(HISTORY_ENTRY, h, "HistoryEntry");
export const decodeHistoryEntry = (b: Uint8Array): HistoryEntry => decode(HISTORY_ENTRY, b, "HistoryEntry") as HistoryEntry;

// ---------------------------------------------------------------- events

/** Every event of SPEC section 6: name → payload struct. */
export const EVENTS = Object.fromEntries(Object.entries(EVENT_DEFS).map(([e, d]) => [e, d.payload])) as {
  readonly [E in keyof typeof EVENT_DEFS]: (typeof EVENT_DEFS)[E]["payload"];
};

export type EventName = keyof typeof EVENTS;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** Event payloads, raw form (enums as numbers, accounts 0x-hex). */
export type EventPayloads = { [E in EventName]: Decoded<(typeof EVENTS)[E]> };

/**
 * The payload bytes of an event, for tests and fakes: accounts as Uint8Array(20) or 0x-hex,
 * enums by name or number.
 */
export function encodeEvent(name: EventName, payload: Record<string, unknown>): Uint8Array {
  return encode(EVENTS[name], payload, name);
}

export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(EVENTS, name);
}
