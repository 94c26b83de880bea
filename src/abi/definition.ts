// The one ABI definition of the contract (SPEC sections 2, 6, 7 and 9): every enum, error
// code, limit, struct (with the policy's defaults), method (arguments, result, role), event
// and stored record layout, declared once. Everything else is computed from it:
//
// - TypeScript: the borsh-js schemas and the types of arguments, results and events
//   (src/client/schema.ts infers them from these values), the method table (methods.ts),
//   the policy defaults and the enum names (src/client/enums.ts).
// - AssemblyScript, by `npm run gen` (scripts/gen-abi.ts, also run by `npm run build`):
//   `assembly/shared/codes.ts` (enums, codes, limits), `assembly/generated/layout.ts` (policy
//   and record offsets, the default policy's bytes), `assembly/generated/entry.ts` (the exact
//   Borsh decoding of every method's arguments), `assembly/generated/events.ts` and
//   `assembly/generated/views.ts` (encoders of events and result structs).
// - Docs: the generated sections of docs/ABI.md and docs/STORAGE.md.
// tests/abi/generated.test.ts fails when a generated file differs from what this produces.
//
// Values are part of the ABI: never renumber an enum or a code, never reorder fields; a new
// field is appended and the record that stores it gets a new version (docs/ARCHITECTURE.md).

import type { EnumKind, Field, StructDef } from "./field.ts";

// ---------------------------------------------------------------- enums and codes

/** An enum: value names in tag order (tag = index), each with a one-line meaning. */
export interface EnumDef {
  readonly doc: string;
  readonly values: readonly (readonly [name: string, doc: string])[];
}

export const ENUMS = {
  Status: {
    doc: "A feature's lifecycle status (SPEC section 2, the seed's values).",
    values: [
      ["Disabled", "nobody sees it; reports are refused"],
      ["Canary", "exposed to accounts whose bucket is below rolloutBps; health rules armed"],
      ["RollingOut", "a canary widening one step per dwell toward targetBps"],
      ["Enabled", "everyone sees it; reports count, no automatic rollback"],
      ["RolledBack", "nobody sees it; rollbackReason says why"],
    ],
  },
  RollbackReason: {
    doc: "Why a feature was rolled back (the seed's values plus Deadline).",
    values: [
      ["Manual", "an Operator or Guardian called rollback"],
      ["ErrorRate", "the error-rate rule of the policy's analysis fired"],
      ["InvariantViolation", "window invariant failures exceeded maxInvariantFailures"],
      ["CircuitBreaker", "an incident reported by a Reporter or Guardian"],
      ["ConsensusFailure", "an incident reported by a Reporter or Guardian"],
      ["Performance", "average or peak latency over the policy's limit"],
      ["Deadline", "RollingOut with no advance for progressDeadlineBlocks"],
    ],
  },
  Role: {
    doc: "Roles (SPEC section 3); Admin implies every role.",
    values: [
      ["Admin", "grants and revokes roles; holds every other role"],
      ["Operator", "creates features, changes policy and status"],
      ["Guardian", "pauses, rolls back, sets the global switches"],
      ["Reporter", "reports health"],
    ],
  },
  OverrideMode: {
    doc: "A per-account override of exposure.",
    values: [
      ["Clear", "no override (the key is deleted)"],
      ["ForceOn", "the account sees the feature while it is Canary, RollingOut or Enabled"],
      ["ForceOff", "the account never sees the feature"],
    ],
  },
  Analysis: {
    doc: "The error-rate rule of a policy (a policy field, validated as policy, never decoded as an enum).",
    values: [
      ["Threshold", "window error rate above maxErrorRateBps (peeks: for large windows)"],
      ["Sequential", "Wald's SPRT statistic over the run, floored (the default)"],
      ["Comparative", "the canary's share of errors against its share of traffic, from recordCohorts"],
    ],
  },
} as const satisfies Record<EnumKind, EnumDef>;

/** The i32 every method returns (0 = ok); SPEC section 6. Never renumber, never reuse. */
export const ERROR_CODES = [
  ["Ok", "success: writes and events are kept, result bytes are set"],
  ["BadInput", "the arguments are not exactly one Borsh value of the method's type (short, trailing bytes, bad tag, invalid UTF-8, enum argument out of range)"],
  ["NotInitialized", "`init` has not run (every method except `init` and `onPersist`)"],
  ["AlreadyInitialized", "`init` already ran"],
  ["Unauthorized", "the sender lacks the role (or Admin), or did not sign; `init`: the admin did not sign"],
  ["FeatureNotFound", "no feature of that name (also any name that is not a valid feature name)"],
  ["FeatureAlreadyExists", "`createFeature` of an existing name"],
  ["InvalidName", "`createFeature`: the name is not 1..64 bytes of `[a-z0-9_.-]`"],
  ["InvalidTransition", "the lifecycle table does not allow the call from the current status (or pause/resume state)"],
  ["InvalidPercent", "a bps argument out of range: `startCanary` bps not 1..10000; `startRollout` target not in (rolloutBps, 10000]"],
  ["InsufficientData", "`startRollout` with window successes below `minSuccessCount`"],
  ["RolloutInProgress", "`startCanary` or `startRollout` while RollingOut"],
  ["FeatureDisabled", "a report or incident for a Disabled or RolledBack feature"],
  ["InvalidPolicy", "a policy breaking SPEC section 2's rules, or `updatePolicy` changing the salt"],
  ["LimitExceeded", "a description over 256 bytes, a `limit` outside 1..100, more than 1024 accounts, a `startAfter` over 64 bytes"],
  ["CorruptState", "a stored record or index key that does not decode exactly (STORAGE.md)"],
  ["LastAdmin", "revoking Admin from the last account that holds it"],
] as const satisfies readonly (readonly [string, string])[];

/** Bounds of SPEC sections 2 and 6. */
export const LIMITS = {
  /** A feature name: 1..64 bytes of [a-z0-9_.-]. */
  MAX_NAME_BYTES: 64,
  MAX_DESCRIPTION_BYTES: 256,
  /** Explicit steps of a policy. */
  MAX_STEPS: 32,
  MAX_SALT_BYTES: 64,
  /** 100 % in basis points. */
  BPS_FULL: 10000,
  /** Accounts of one isEnabledMany. */
  MAX_ACCOUNTS: 1024,
  /** `limit` of listFeatures and getHistory: 1..MAX_PAGE. */
  MAX_PAGE: 100,
  /** Bytes of an account. */
  ACCOUNT_BYTES: 20,
} as const;

// ---------------------------------------------------------------- structs

/** A documented struct field: its type, what it means, and (policy) its default and rule. */
export interface FieldDoc {
  readonly doc: string;
  readonly default?: string | number | bigint | readonly number[];
  readonly valid?: string;
}

const NAME = { name: "string" } as const;

/** SPEC section 2's policy, in Borsh order. */
export const POLICY = {
  partialOnInput: true,
  struct: {
    steps: { vec: "u16" },
    incrementBps: "u16",
    incrementBlocks: "u32",
    maxErrorRateBps: "u16",
    minSamples: "u32",
    minSuccessCount: "u64",
    // On the wire and to the contract a plain u8 that policy validation checks (InvalidPolicy,
    // never BadInput); named only in the display form.
    analysis: { enum: "Analysis" },
    seqSlopePpm: "u32",
    seqInterceptPpm: "u64",
    maxInvariantFailures: "u32",
    maxAvgLatency: "u64",
    maxPeakLatency: "u64",
    progressDeadlineBlocks: "u32",
    salt: "string",
    // Revision 2 (SPEC section 2): appended, so a v1 policy is a prefix of a v2 one.
    seqFloorPpm: "u64",
    compExcessPpm: "u32",
    compLnRatioPpm: "u32",
    compThresholdPpm: "u64",
    compFloorPpm: "u64",
  },
} as const satisfies Field;

/** The policy as the first release wrote it (inside version 1 feature records). */
export const POLICY_V1 = {
  struct: Object.fromEntries(Object.entries(POLICY.struct).slice(0, 14)) as Omit<
    typeof POLICY.struct,
    "seqFloorPpm" | "compExcessPpm" | "compLnRatioPpm" | "compThresholdPpm" | "compFloorPpm"
  >,
} as const satisfies Field;

type PolicyFieldName = keyof typeof POLICY.struct;

/** Each policy field's default (SPEC section 2), meaning and rule. */
export const POLICY_FIELDS = {
  steps: { default: [], doc: "explicit bps schedule; empty = linear", valid: "k ≤ 32, strictly increasing, each 1..10000" },
  incrementBps: { default: 1000, doc: "linear step size", valid: "1..10000" },
  incrementBlocks: { default: 8640, doc: "dwell of every step in blocks", valid: "≥ 1" },
  maxErrorRateBps: { default: 100, doc: "Threshold: window error rate limit", valid: "≤ 10000" },
  minSamples: { default: 100, doc: "samples needed for an error-rate verdict (Threshold: window samples; Sequential, Comparative: run samples) and window samples for a step advance", valid: "any" },
  minSuccessCount: { default: 100n, doc: "window successes needed in Canary before startRollout", valid: "any" },
  analysis: { default: 1, doc: "0 Threshold, 1 Sequential, 2 Comparative", valid: "0, 1 or 2" },
  seqSlopePpm: { default: 14435, doc: "Sequential: slope s × 10^6", valid: "> 0 when analysis = 1" },
  seqInterceptPpm: { default: 4109731n, doc: "Sequential: threshold h × 10^6", valid: "> 0 when analysis = 1" },
  maxInvariantFailures: { default: 0, doc: "rollback when window invariant failures exceed this", valid: "any" },
  maxAvgLatency: { default: 0n, doc: "rollback when the window's average latency exceeds it (0 = off)", valid: "any" },
  maxPeakLatency: { default: 0n, doc: "rollback when one latency exceeds it (0 = off)", valid: "any" },
  progressDeadlineBlocks: { default: 0, doc: "RollingOut with no advance for this long rolls back (0 = off)", valid: "0 or > incrementBlocks" },
  salt: { default: "", doc: "bucketing salt; empty = the feature name", valid: "≤ 64 bytes; in updatePolicy byte-identical to the stored salt" },
  seqFloorPpm: { default: 8219462n, doc: "Sequential: floor F of the statistic × 10^6 (default 2h)", valid: "any" },
  compExcessPpm: { default: 1000000, doc: "Comparative: k = (r − 1) × 10^6 for the bad-to-good error ratio r", valid: "1..9000000 when analysis = 2" },
  compLnRatioPpm: { default: 693147, doc: "Comparative: L = ⌊ln r × 10^6⌋", valid: "1..k when analysis = 2" },
  compThresholdPpm: { default: 2890372n, doc: "Comparative: rollback threshold A × 10^6 (A = ln((1 − β)/α))", valid: "> 0 when analysis = 2" },
  compFloorPpm: { default: 5780744n, doc: "Comparative: floor F of the statistic × 10^6 (default 2A)", valid: "any" },
} as const satisfies Record<PolicyFieldName, FieldDoc>;

/** Revision 2's run counters and statistic: stored after the counters (feature record v2), appended to FeatureView. */
export const RUN = {
  struct: {
    runSuccesses: "u64",
    runErrors: "u64",
    baseSuccesses: "u64",
    baseErrors: "u64",
    /** Sequential T or Comparative S × 10^6: i64, exact then clamped. */
    statistic: "i64",
  },
} as const satisfies Field;

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
    // Revision 2: appended — the run counters and statistic as the record stores them.
    ...RUN.struct,
  },
} as const satisfies Field;

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

export const GLOBAL_STATE = { struct: { paused: "bool", halted: "bool" } } as const satisfies Field;

/** Result structs by name, with what each field means (docs). */
export const STRUCTS = {
  Policy: POLICY,
  FeatureView: FEATURE_VIEW,
  Metrics: METRICS,
  HistoryEntry: HISTORY_ENTRY,
  GlobalState: GLOBAL_STATE,
} as const;

export const STRUCT_DOCS: { readonly [S in keyof typeof STRUCTS]?: { readonly [field: string]: string } } = {
  FeatureView: {
    status: "lifecycle status",
    rolloutBps: "current exposure, 0..10000",
    targetBps: "0 until a rollout starts; set by startRollout, back to 0 at the next startCanary",
    paused: "the feature's own pause",
    startBlock: "height of the last startCanary (0 before any)",
    lastStepBlock: "height of the last startCanary, startRollout or step",
    windowSuccesses: "current window",
    windowErrors: "current window",
    rollbackReason: "set by a rollback; cleared by startCanary and enable (not by disable)",
    createdBy: "createFeature's sender",
    runSuccesses: "successes since the run began (startCanary or enable); steps do not reset it",
    runErrors: "errors since the run began",
    baseSuccesses: "baseline (unexposed) successes reported by recordCohorts since the run began",
    baseErrors: "baseline (unexposed) errors reported by recordCohorts since the run began",
    statistic: "Sequential T or Comparative S, × 10^6 (0 under Threshold)",
  },
  Metrics: {
    totalOperations: "successes + errors reported",
    successfulOps: "successes reported",
    failedOps: "errors reported",
    averageLatency: "lifetime latency sum / latency count, integer division (0 with no reports)",
    peakLatency: "largest latency reported",
    invariantChecks: "recordInvariant calls",
    invariantFailures: "recordInvariant(false) calls",
  },
  HistoryEntry: {
    seq: "0, 1, 2, … per feature",
    block: "height of the change",
    from: "status before",
    to: "status after (from = to = RollingOut for a step)",
    rolloutBps: "rolloutBps after the change",
    reason: "Some only when `to` is RolledBack",
    actor: "the transaction's sender; None for changes made by onPersist",
  },
};

// ---------------------------------------------------------------- methods

/**
 * Who may call a method: `roles` (any of them, Admin always accepted, with the sender's
 * witness), `witness` (init: the witness of its `admin` argument), `anyone`, `view`
 * (read-only, the host runs it without writes), or `host` (onPersist, after every block).
 */
export type Access =
  | { readonly roles: readonly (keyof typeof ROLE_TAGS)[] }
  | { readonly witness: string }
  | "anyone"
  | "view"
  | "host";

const ROLE_TAGS = { Admin: 0, Operator: 1, Guardian: 2, Reporter: 3 } as const;

export interface MethodDef {
  readonly args: { readonly struct: StructDef };
  /** null = `()` (no result bytes). */
  readonly result: Field | null;
  readonly access: Access;
  readonly doc: string;
  /**
   * Enum arguments are range-checked as BadInput by the decoder. `allowed` narrows one
   * further (reportIncident's reason: CircuitBreaker or ConsensusFailure only).
   */
  readonly allowed?: { readonly [field: string]: readonly string[] };
  /** CosmWasm JSON (COSMWASM.md section 3): arguments a query may leave out, with the value they take. */
  readonly jsonDefaults?: { readonly [field: string]: string | number | boolean };
}

const args = <S extends StructDef>(s: S) => ({ struct: s }) as const;
const NAME_ONLY = args(NAME);
const ROLE_ACCOUNT = args({ role: { enum: "Role" }, account: "account" });
const NAME_ACCOUNT = args({ ...NAME, account: "account" });
const OPERATOR = { roles: ["Operator"] } as const;
const REPORTER = { roles: ["Reporter"] } as const;
const OPERATOR_OR_GUARDIAN = { roles: ["Operator", "Guardian"] } as const;

/** Every method of SPEC section 6, in export order. */
export const METHOD_DEFS = {
  init: { args: args({ admin: "account" }), result: null, access: { witness: "admin" }, doc: "makes `admin` the first Admin; runs once" },
  grantRole: { args: ROLE_ACCOUNT, result: null, access: { roles: ["Admin"] }, doc: "grants a role (held already: no change, no event)" },
  revokeRole: { args: ROLE_ACCOUNT, result: null, access: { roles: ["Admin"] }, doc: "revokes a role; never the last Admin" },
  hasRole: { args: ROLE_ACCOUNT, result: "bool", access: "view", doc: "true when the account holds the role or Admin" },
  createFeature: {
    args: args({ ...NAME, description: "string", policy: { option: POLICY } }),
    result: null,
    access: OPERATOR,
    doc: "a new feature, Disabled at 0 bps (None = the default policy)",
  },
  updatePolicy: { args: args({ ...NAME, policy: POLICY }), result: null, access: OPERATOR, doc: "replaces the policy (the salt stays)" },
  startCanary: { args: args({ ...NAME, bps: "u16" }), result: null, access: OPERATOR, doc: "Canary at bps, window reset" },
  startRollout: { args: args({ ...NAME, targetBps: "u16" }), result: null, access: OPERATOR, doc: "RollingOut toward targetBps" },
  enable: { args: NAME_ONLY, result: null, access: OPERATOR, doc: "Enabled at 10000" },
  disable: { args: NAME_ONLY, result: null, access: OPERATOR, doc: "Disabled at 0" },
  pause: { args: NAME_ONLY, result: null, access: OPERATOR_OR_GUARDIAN, doc: "steps stop; health rules stay armed" },
  resume: { args: NAME_ONLY, result: null, access: OPERATOR_OR_GUARDIAN, doc: "steps go on" },
  rollback: { args: args({ ...NAME, reason: { enum: "RollbackReason" } }), result: null, access: OPERATOR_OR_GUARDIAN, doc: "RolledBack at 0 with the reason" },
  setOverride: {
    args: args({ ...NAME, account: "account", mode: { enum: "OverrideMode" } }),
    result: null,
    access: OPERATOR,
    doc: "forces one account on or off (Clear removes)",
  },
  setGlobal: { args: args({ paused: "bool", halted: "bool" }), result: null, access: { roles: ["Guardian"] }, doc: "the global pause and halt" },
  recordSuccess: { args: NAME_ONLY, result: null, access: REPORTER, doc: "one success" },
  recordError: { args: NAME_ONLY, result: null, access: REPORTER, doc: "one error" },
  recordBatch: { args: args({ ...NAME, successes: "u64", errors: "u64" }), result: null, access: REPORTER, doc: "many outcomes at once" },
  recordCohorts: {
    args: args({ ...NAME, canarySuccesses: "u64", canaryErrors: "u64", baseSuccesses: "u64", baseErrors: "u64" }),
    result: null,
    access: REPORTER,
    doc: "one period's outcomes of exposed (canary) and unexposed (baseline) accounts",
  },
  recordLatency: { args: args({ ...NAME, value: "u64" }), result: null, access: REPORTER, doc: "one latency sample" },
  recordInvariant: { args: args({ ...NAME, ok: "bool" }), result: null, access: REPORTER, doc: "one invariant check" },
  reportIncident: {
    args: args({ ...NAME, reason: { enum: "RollbackReason" } }),
    result: null,
    access: { roles: ["Reporter", "Guardian"] },
    doc: "rolls back for an incident",
    allowed: { reason: ["CircuitBreaker", "ConsensusFailure"] },
  },
  processRollout: { args: NAME_ONLY, result: null, access: "anyone", doc: "processes one feature's due step (idempotent)" },
  onPersist: { args: args({}), result: null, access: "host", doc: "processes every due feature, after every block" },
  isEnabled: { args: NAME_ACCOUNT, result: "bool", access: "view", doc: "whether the account sees the feature" },
  isEnabledMany: {
    args: args({ ...NAME, accounts: { vec: "account" } }),
    result: { vec: "bool" },
    access: "view",
    doc: "isEnabled for up to 1024 accounts",
  },
  bucketOf: { args: NAME_ACCOUNT, result: "u16", access: "view", doc: "the account's bucket, 0..9999" },
  getFeature: { args: NAME_ONLY, result: { option: FEATURE_VIEW }, access: "view", doc: "the feature, or None" },
  getMetrics: { args: NAME_ONLY, result: { option: METRICS }, access: "view", doc: "lifetime metrics, or None" },
  listFeatures: {
    args: args({ startAfter: "string", limit: "u16", activeOnly: "bool" }),
    result: { vec: FEATURE_VIEW },
    access: "view",
    doc: "features in bytewise name order after startAfter",
    jsonDefaults: { startAfter: "", limit: 30, activeOnly: false },
  },
  getHistory: {
    args: args({ ...NAME, fromSeq: "u32", limit: "u16" }),
    result: { vec: HISTORY_ENTRY },
    access: "view",
    doc: "history entries from fromSeq",
    jsonDefaults: { fromSeq: 0, limit: 30 },
  },
  getGlobal: { args: args({}), result: GLOBAL_STATE, access: "view", doc: "the global switches" },
} as const satisfies Record<string, MethodDef>;

// ---------------------------------------------------------------- events

/** Every event of SPEC section 6: name → payload struct, with who emits it. */
export const EVENT_DEFS = {
  FeatureCreated: { payload: args({ ...NAME, createdBy: "account" }), doc: "createFeature" },
  StatusChanged: {
    payload: args({
      ...NAME,
      from: { enum: "Status" },
      to: { enum: "Status" },
      rolloutBps: "u16",
      reason: { option: { enum: "RollbackReason" } },
    }),
    doc: "every status change (one history entry each)",
  },
  RolloutAdvanced: { payload: args({ ...NAME, fromBps: "u16", toBps: "u16" }), doc: "every step advance" },
  PolicyUpdated: { payload: args(NAME), doc: "updatePolicy" },
  OverrideSet: { payload: args({ ...NAME, account: "account", mode: { enum: "OverrideMode" } }), doc: "setOverride" },
  RoleChanged: { payload: args({ role: { enum: "Role" }, account: "account", granted: "bool" }), doc: "init, grantRole, revokeRole (when something changes)" },
  GlobalChanged: { payload: args({ paused: "bool", halted: "bool" }), doc: "setGlobal (when something changes)" },
  PauseChanged: { payload: args({ ...NAME, paused: "bool" }), doc: "pause, resume" },
} as const satisfies Record<string, { payload: { struct: StructDef }; doc: string }>;

// ---------------------------------------------------------------- stored records (SPEC section 9)

/**
 * A stored field. `sym` names the variable part of its size for the docs (`d` for a
 * description of d bytes, `r` for an Option that is 0/1); `group` starts a new band in the
 * doc table.
 */
export interface RecordField {
  readonly name: string;
  readonly type: Field;
  readonly doc: string;
  readonly sym?: string;
  readonly group?: string;
}

export interface RecordDef {
  readonly prefix: number;
  readonly key: string;
  readonly doc: string;
  /** Every layout ever written, oldest first; the last one is what the contract writes. */
  readonly versions: readonly { readonly version: number; readonly fields: readonly RecordField[] }[];
}

/** The feature record's counters: the window (reset at every step), then lifetime metrics. */
export const COUNTERS = {
  struct: {
    windowSuccesses: "u64",
    windowErrors: "u64",
    windowLatencySum: "u64",
    windowLatencyCount: "u64",
    windowLatencyPeak: "u64",
    windowInvariantChecks: "u64",
    windowInvariantFailures: "u64",
    totalOperations: "u64",
    successfulOps: "u64",
    failedOps: "u64",
    latencySum: "u64",
    latencyCount: "u64",
    peakLatency: "u64",
    invariantChecks: "u64",
    invariantFailures: "u64",
  },
} as const satisfies Field;

/** The counters that a step resets: the window comes first in COUNTERS. */
export const WINDOW_COUNTERS = 7;

const VERSION_FIELD = { name: "version", type: "u8", doc: "the layout's version" } as const;


/** The feature record's fields up to the counters: the same in every version so far. */
const FEATURE_HEAD = [
  VERSION_FIELD,
  { name: "status", type: { enum: "Status" }, doc: "u8: 0 Disabled 1 Canary 2 RollingOut 3 Enabled 4 RolledBack" },
  { name: "rolloutBps", type: "u16", doc: "0..10000" },
  { name: "targetBps", type: "u16", doc: "0..10000: set by startRollout; 0 after create and startCanary" },
  { name: "flags", type: "u8", doc: "bit 0 paused (own pause); bit 1 halted (mirror of the global halt in Canary/RollingOut records, 0 in others)" },
  { name: "startBlock", type: "u32", doc: "height of the last startCanary" },
  { name: "lastStepBlock", type: "u32", doc: "height of the last step (or rollout start)" },
  { name: "stepAccum", type: "u32", doc: "clock ticks of dwell banked up to clockMark" },
  { name: "clockMark", type: "u32", doc: "clock value stepAccum was last brought to" },
  { name: "dueAt", type: "u32", doc: "clock value of the next step (= the 0xD7 key)" },
  { name: "historyLen", type: "u32", doc: "next history seq = number of entries" },
  { name: "overrideCount", type: "u32", doc: "0xD3 keys stored for this feature" },
  { name: "rollbackReason", type: { option: { enum: "RollbackReason" } }, doc: "00 | 01 reason (0..6)", sym: "r" },
  { name: "createdBy", type: "account", doc: "createFeature's sender", group: "creator" },
  {
    name: "counters",
    type: COUNTERS,
    doc: "u64 LE each, saturating: the window (current step: the first 7), then lifetime metrics (averageLatency = latencySum / latencyCount)",
    group: "counters",
  },
] as const satisfies readonly RecordField[];

export const RECORDS = {
  feature: {
    prefix: 0xd0,
    key: "D0 ‖ name ‖ 00",
    doc: "feature record (window, run and lifetime counters included)",
    versions: [
      {
        version: 1,
        fields: [
          ...FEATURE_HEAD,
          { name: "description", type: "string", doc: "u32 LE length d (≤ 256) ‖ UTF-8", sym: "d", group: "description and policy" },
          { name: "policy", type: POLICY_V1, doc: "Borsh Policy as the first release wrote it (its first 14 fields; k steps, salt of s bytes)", sym: "k,s" },
        ],
      },
      {
        version: 2,
        fields: [
          ...FEATURE_HEAD,
          { name: "run", type: RUN, doc: "since the run began (startCanary or enable); steps do not reset them", group: "run" },
          { name: "description", type: "string", doc: "u32 LE length d (≤ 256) ‖ UTF-8", sym: "d", group: "description and policy" },
          { name: "policy", type: POLICY, doc: "Borsh Policy (k steps, salt of s bytes)", sym: "k,s" },
        ],
      },
    ],
  },
  history: {
    prefix: 0xd2,
    key: "D2 ‖ name ‖ 00 ‖ seq:u32be",
    doc: "history entry (append-only)",
    versions: [
      {
        version: 1,
        fields: [
          VERSION_FIELD,
          { name: "block", type: "u32", doc: "height of the change" },
          { name: "from", type: { enum: "Status" }, doc: "status before" },
          { name: "to", type: { enum: "Status" }, doc: "status after (from = to = 2 for a step)" },
          { name: "rolloutBps", type: "u16", doc: "rolloutBps after the change" },
          { name: "reason", type: { option: { enum: "RollbackReason" } }, doc: "Some only when to = RolledBack", sym: "r" },
          { name: "actor", type: { option: "account" }, doc: "None for onPersist", sym: "a" },
        ],
      },
    ],
  },
  override: {
    prefix: 0xd3,
    key: "D3 ‖ name ‖ 00 ‖ account[20]",
    doc: "override of one account",
    versions: [{ version: 1, fields: [VERSION_FIELD, { name: "mode", type: { enum: "OverrideMode" }, doc: "1 ForceOn, 2 ForceOff (Clear = key deleted)" }] }],
  },
  global: {
    prefix: 0xd4,
    key: "D4",
    doc: "global state and the pause-aware clock",
    versions: [
      {
        version: 1,
        fields: [
          VERSION_FIELD,
          { name: "paused", type: "bool", doc: "global pause (steps stop, clock stops)" },
          { name: "halted", type: "bool", doc: "Canary/RollingOut features exposed to no one" },
          { name: "clockBase", type: "u32", doc: "clock value at clockSince" },
          { name: "clockSince", type: "u32", doc: "height of the last pause flip (or init)" },
        ],
      },
    ],
  },
  roles: {
    prefix: 0xd5,
    key: "D5 ‖ account[20]",
    doc: "roles of one account",
    versions: [{ version: 1, fields: [VERSION_FIELD, { name: "mask", type: "u8", doc: "1..15: bit r set = holds role r" }] }],
  },
  meta: {
    prefix: 0xd6,
    key: "D6",
    doc: "contract meta (its presence = init ran)",
    versions: [{ version: 1, fields: [VERSION_FIELD, { name: "adminCount", type: "u32", doc: "accounts holding the Admin bit" }] }],
  },
  marker: {
    prefix: 0xd7,
    key: "D7 ‖ dueAt:u32be ‖ name ‖ 00 (due index) and D8 ‖ name ‖ 00 (active index)",
    doc: "index marker (only the key is read)",
    versions: [{ version: 1, fields: [VERSION_FIELD] }],
  },
} as const satisfies Record<string, RecordDef>;

/** The version every record is written in today (SPEC section 9). */
export const currentVersion = (r: RecordDef): number => r.versions[r.versions.length - 1]!.version;
