// Borsh schemas of SPEC section 6: every method's arguments, every result, every event
// payload, and the Policy of section 2. Struct key order is wire order; the golden tests in
// tests/client/schema.test.ts pin it byte by byte.
//
// Shapes: u8/u16/u32 → number, u64 → bigint (inputs also take a safe integer number),
// bool → boolean, String → string, account → 0x-hex string when decoded (Uint8Array(20) or
// 0x-hex accepted when encoding), Option → value | null, enums → numbers (names accepted when
// encoding; `toDisplay` gives names).

import type { MethodName } from "../abi/methods.ts";
import { decode, encode, toDisplay, type AccountLike, type DisplayValue, type Field, type StructDef } from "./codec.ts";

// ---------------------------------------------------------------- Policy

export const POLICY = {
  struct: {
    steps: { vec: "u16" },
    incrementBps: "u16",
    incrementBlocks: "u32",
    maxErrorRateBps: "u16",
    minSamples: "u32",
    minSuccessCount: "u64",
    // Annotated for names in the display form only: on the wire and to the contract it is a
    // plain u8 that policy validation checks (InvalidPolicy, never BadInput).
    analysis: { enum: "Analysis" },
    seqSlopePpm: "u32",
    seqInterceptPpm: "u64",
    maxInvariantFailures: "u32",
    maxAvgLatency: "u64",
    maxPeakLatency: "u64",
    progressDeadlineBlocks: "u32",
    salt: "string",
  },
} as const satisfies Field;

export interface Policy {
  steps: number[];
  incrementBps: number;
  incrementBlocks: number;
  maxErrorRateBps: number;
  minSamples: number;
  minSuccessCount: bigint;
  analysis: number;
  seqSlopePpm: number;
  seqInterceptPpm: bigint;
  maxInvariantFailures: number;
  maxAvgLatency: bigint;
  maxPeakLatency: bigint;
  progressDeadlineBlocks: number;
  salt: string;
}

/** A policy as callers may write it: any subset of fields; the rest come from DEFAULT_POLICY. */
export interface PolicyInput {
  steps?: readonly number[];
  incrementBps?: number;
  incrementBlocks?: number;
  maxErrorRateBps?: number;
  minSamples?: number;
  minSuccessCount?: bigint | number;
  /** 0/1 or "Threshold"/"Sequential". */
  analysis?: number | string;
  seqSlopePpm?: number;
  seqInterceptPpm?: bigint | number;
  maxInvariantFailures?: number;
  maxAvgLatency?: bigint | number;
  maxPeakLatency?: bigint | number;
  progressDeadlineBlocks?: number;
  salt?: string;
}

/** SPEC section 2's defaults. */
export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  steps: Object.freeze([]) as unknown as number[],
  incrementBps: 1000,
  incrementBlocks: 8640,
  maxErrorRateBps: 100,
  minSamples: 100,
  minSuccessCount: 100n,
  analysis: 0,
  seqSlopePpm: 0,
  seqInterceptPpm: 0n,
  maxInvariantFailures: 0,
  maxAvgLatency: 0n,
  maxPeakLatency: 0n,
  progressDeadlineBlocks: 0,
  salt: "",
});

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

export const FEATURE_VIEW = {
  struct: {
    name: "string",
    description: "string",
    status: { enum: "Status" },
    rolloutBps: "u16",
    targetBps: "u16",
    paused: "bool",
    startBlock: "u32",
    lastStepBlock: "u32",
    windowSuccesses: "u64",
    windowErrors: "u64",
    rollbackReason: { option: { enum: "RollbackReason" } },
    createdBy: "account",
    policy: POLICY,
  },
} as const satisfies Field;

export interface FeatureView {
  name: string;
  description: string;
  /** Status tag; `statusName(v.status)` for its name. */
  status: number;
  rolloutBps: number;
  /** 0 until a rollout starts. */
  targetBps: number;
  paused: boolean;
  startBlock: number;
  lastStepBlock: number;
  windowSuccesses: bigint;
  windowErrors: bigint;
  /** RollbackReason tag, null until a rollback. */
  rollbackReason: number | null;
  /** 0x-hex. */
  createdBy: string;
  policy: Policy;
}

export const METRICS = {
  struct: {
    totalOperations: "u64",
    successfulOps: "u64",
    failedOps: "u64",
    averageLatency: "u64",
    peakLatency: "u64",
    invariantChecks: "u64",
    invariantFailures: "u64",
  },
} as const satisfies Field;

export interface Metrics {
  totalOperations: bigint;
  successfulOps: bigint;
  failedOps: bigint;
  averageLatency: bigint;
  peakLatency: bigint;
  invariantChecks: bigint;
  invariantFailures: bigint;
}

export const HISTORY_ENTRY = {
  struct: {
    seq: "u32",
    block: "u32",
    from: { enum: "Status" },
    to: { enum: "Status" },
    rolloutBps: "u16",
    reason: { option: { enum: "RollbackReason" } },
    actor: { option: "account" },
  },
} as const satisfies Field;

export interface HistoryEntry {
  seq: number;
  block: number;
  from: number;
  to: number;
  rolloutBps: number;
  reason: number | null;
  /** 0x-hex; null for changes made by onPersist. */
  actor: string | null;
}

export const GLOBAL_STATE = { struct: { paused: "bool", halted: "bool" } } as const satisfies Field;

export interface GlobalState {
  paused: boolean;
  halted: boolean;
}

// ---------------------------------------------------------------- method arguments and results

const NAME = { name: "string" } as const;
const EMPTY = { struct: {} } as const satisfies Field;
const NAME_ONLY = { struct: NAME } as const satisfies Field;
const ROLE_ACCOUNT = { struct: { role: { enum: "Role" }, account: "account" } } as const satisfies Field;
const NAME_ACCOUNT = { struct: { ...NAME, account: "account" } } as const satisfies Field;
const NAME_REASON = { struct: { ...NAME, reason: { enum: "RollbackReason" } } } as const satisfies Field;

/** The argument struct of every method of SPEC section 6 (fields in wire order). */
export const ARGS = {
  init: { struct: { admin: "account" } },
  grantRole: ROLE_ACCOUNT,
  revokeRole: ROLE_ACCOUNT,
  hasRole: ROLE_ACCOUNT,
  createFeature: { struct: { ...NAME, description: "string", policy: { option: POLICY } } },
  updatePolicy: { struct: { ...NAME, policy: POLICY } },
  startCanary: { struct: { ...NAME, bps: "u16" } },
  startRollout: { struct: { ...NAME, targetBps: "u16" } },
  enable: NAME_ONLY,
  disable: NAME_ONLY,
  pause: NAME_ONLY,
  resume: NAME_ONLY,
  rollback: NAME_REASON,
  setOverride: { struct: { ...NAME, account: "account", mode: { enum: "OverrideMode" } } },
  setGlobal: { struct: { paused: "bool", halted: "bool" } },
  recordSuccess: NAME_ONLY,
  recordError: NAME_ONLY,
  recordBatch: { struct: { ...NAME, successes: "u64", errors: "u64" } },
  recordLatency: { struct: { ...NAME, value: "u64" } },
  recordInvariant: { struct: { ...NAME, ok: "bool" } },
  reportIncident: NAME_REASON,
  processRollout: NAME_ONLY,
  onPersist: EMPTY,
  isEnabled: NAME_ACCOUNT,
  isEnabledMany: { struct: { ...NAME, accounts: { vec: "account" } } },
  bucketOf: NAME_ACCOUNT,
  getFeature: NAME_ONLY,
  getMetrics: NAME_ONLY,
  listFeatures: { struct: { startAfter: "string", limit: "u16", activeOnly: "bool" } },
  getHistory: { struct: { ...NAME, fromSeq: "u32", limit: "u16" } },
  getGlobal: EMPTY,
} as const satisfies Record<MethodName, Field>;

/** The result of every method; `null` = `()` (no bytes). */
export const RESULTS = {
  init: null,
  grantRole: null,
  revokeRole: null,
  hasRole: "bool",
  createFeature: null,
  updatePolicy: null,
  startCanary: null,
  startRollout: null,
  enable: null,
  disable: null,
  pause: null,
  resume: null,
  rollback: null,
  setOverride: null,
  setGlobal: null,
  recordSuccess: null,
  recordError: null,
  recordBatch: null,
  recordLatency: null,
  recordInvariant: null,
  reportIncident: null,
  processRollout: null,
  onPersist: null,
  isEnabled: "bool",
  isEnabledMany: { vec: "bool" },
  bucketOf: "u16",
  getFeature: { option: FEATURE_VIEW },
  getMetrics: { option: METRICS },
  listFeatures: { vec: FEATURE_VIEW },
  getHistory: { vec: HISTORY_ENTRY },
  getGlobal: GLOBAL_STATE,
} as const satisfies Record<MethodName, Field | null>;

/** Argument objects as the typed client builds them (the generic `encodeArgs` takes the same). */
export interface MethodArgs {
  init: { admin: AccountLike };
  grantRole: { role: number | string; account: AccountLike };
  revokeRole: { role: number | string; account: AccountLike };
  hasRole: { role: number | string; account: AccountLike };
  createFeature: { name: string; description: string; policy?: PolicyInput | null };
  updatePolicy: { name: string; policy: PolicyInput };
  startCanary: { name: string; bps: number };
  startRollout: { name: string; targetBps: number };
  enable: { name: string };
  disable: { name: string };
  pause: { name: string };
  resume: { name: string };
  rollback: { name: string; reason: number | string };
  setOverride: { name: string; account: AccountLike; mode: number | string };
  setGlobal: { paused: boolean; halted: boolean };
  recordSuccess: { name: string };
  recordError: { name: string };
  recordBatch: { name: string; successes: bigint | number; errors: bigint | number };
  recordLatency: { name: string; value: bigint | number };
  recordInvariant: { name: string; ok: boolean };
  reportIncident: { name: string; reason: number | string };
  processRollout: { name: string };
  onPersist: Record<string, never>;
  isEnabled: { name: string; account: AccountLike };
  isEnabledMany: { name: string; accounts: readonly AccountLike[] };
  bucketOf: { name: string; account: AccountLike };
  getFeature: { name: string };
  getMetrics: { name: string };
  listFeatures: { startAfter: string; limit: number; activeOnly: boolean };
  getHistory: { name: string; fromSeq: number; limit: number };
  getGlobal: Record<string, never>;
}

/** Decoded results (raw form). */
export interface MethodResults {
  init: null;
  grantRole: null;
  revokeRole: null;
  hasRole: boolean;
  createFeature: null;
  updatePolicy: null;
  startCanary: null;
  startRollout: null;
  enable: null;
  disable: null;
  pause: null;
  resume: null;
  rollback: null;
  setOverride: null;
  setGlobal: null;
  recordSuccess: null;
  recordError: null;
  recordBatch: null;
  recordLatency: null;
  recordInvariant: null;
  reportIncident: null;
  processRollout: null;
  onPersist: null;
  isEnabled: boolean;
  isEnabledMany: boolean[];
  bucketOf: number;
  getFeature: FeatureView | null;
  getMetrics: Metrics | null;
  listFeatures: FeatureView[];
  getHistory: HistoryEntry[];
  getGlobal: GlobalState;
}

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
export const EVENTS = {
  FeatureCreated: { struct: { ...NAME, createdBy: "account" } },
  StatusChanged: {
    struct: {
      ...NAME,
      from: { enum: "Status" },
      to: { enum: "Status" },
      rolloutBps: "u16",
      reason: { option: { enum: "RollbackReason" } },
    },
  },
  RolloutAdvanced: { struct: { ...NAME, fromBps: "u16", toBps: "u16" } },
  PolicyUpdated: { struct: NAME },
  OverrideSet: { struct: { ...NAME, account: "account", mode: { enum: "OverrideMode" } } },
  RoleChanged: { struct: { role: { enum: "Role" }, account: "account", granted: "bool" } },
  GlobalChanged: { struct: { paused: "bool", halted: "bool" } },
  PauseChanged: { struct: { ...NAME, paused: "bool" } },
} as const satisfies Record<string, { struct: StructDef }>;

export type EventName = keyof typeof EVENTS;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** Event payloads, raw form (enums as numbers, accounts 0x-hex). */
export interface EventPayloads {
  FeatureCreated: { name: string; createdBy: string };
  StatusChanged: { name: string; from: number; to: number; rolloutBps: number; reason: number | null };
  RolloutAdvanced: { name: string; fromBps: number; toBps: number };
  PolicyUpdated: { name: string };
  OverrideSet: { name: string; account: string; mode: number };
  RoleChanged: { role: number; account: string; granted: boolean };
  GlobalChanged: { paused: boolean; halted: boolean };
  PauseChanged: { name: string; paused: boolean };
}

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
