// A reference model of the canary contract, written from SPEC sections 2–6 (Revision 2
// included: run and baseline counters, the Sequential and Comparative statistics, recordCohorts)
// and docs/DESIGN.md (not from assembly/). A pure state machine:
//
//   apply(state, call, ctx) → { state, code, result, events }
//
// `call.args` are the decoded Borsh arguments in the client's raw form (u64 as bigint, enums as
// numbers, accounts as Uint8Array or 0x-hex). Results and events come back in the same raw form
// the client decodes the contract's bytes to (accounts 0x-hex), so a test compares them with
// plain deep equality. u64 arithmetic is BigInt and saturates at 2^64 − 1; products are exact.
//
// Settled ambiguities are marked "AMBIGUITY" and listed in docs/VERIFICATION.md.

import { ENUMS, LIMITS, METHOD_DEFS, POLICY_FIELDS, type MethodDef } from "../abi/definition.ts";
import { bucket } from "./murmur.ts";

export const U64_MAX = (1n << 64n) - 1n;
export const I64_MAX = (1n << 63n) - 1n;
export const I64_MIN = -(1n << 63n);
const clampI64 = (v: bigint): bigint => (v > I64_MAX ? I64_MAX : v < I64_MIN ? I64_MIN : v);
/** ⌈a / b⌉ for a ≥ 0, b > 0. */
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;
const sat = (a: bigint, b: bigint): bigint => (a + b > U64_MAX ? U64_MAX : a + b);

export const Code = {
  Ok: 0,
  BadInput: 1,
  NotInitialized: 2,
  AlreadyInitialized: 3,
  Unauthorized: 4,
  FeatureNotFound: 5,
  FeatureAlreadyExists: 6,
  InvalidName: 7,
  InvalidTransition: 8,
  InvalidPercent: 9,
  InsufficientData: 10,
  RolloutInProgress: 11,
  FeatureDisabled: 12,
  InvalidPolicy: 13,
  LimitExceeded: 14,
  CorruptState: 15,
  LastAdmin: 16,
} as const;

export const S = { Disabled: 0, Canary: 1, RollingOut: 2, Enabled: 3, RolledBack: 4 } as const;
export const R = { Manual: 0, ErrorRate: 1, InvariantViolation: 2, CircuitBreaker: 3, ConsensusFailure: 4, Performance: 5, Deadline: 6 } as const;
export const Roles = { Admin: 0, Operator: 1, Guardian: 2, Reporter: 3 } as const;

/** SPEC section 5's status edges (from → allowed to), including steps (2→2, 2→1, 2→3). */
export const ALLOWED_EDGES: Record<number, readonly number[]> = {
  0: [1, 3], // startCanary, enable
  1: [1, 2, 3, 0, 4], // re-canary, startRollout, enable, disable, rollback/incident/health
  2: [2, 1, 3, 0, 4], // step, held canary, enable (step or call), disable, rollback
  3: [0, 4], // disable, rollback/incident
  4: [1, 3, 0], // startCanary, enable, disable
};

export interface MPolicy {
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
  // Revision 2 (SPEC section 2): appended.
  seqFloorPpm: bigint;
  compExcessPpm: number;
  compLnRatioPpm: number;
  compThresholdPpm: bigint;
  compFloorPpm: bigint;
}

/** SPEC section 2's defaults: the ABI definition's POLICY_FIELDS (one home for them). */
export const DEFAULTS: MPolicy = Object.fromEntries(
  Object.entries(POLICY_FIELDS).map(([k, f]) => [k, Array.isArray(f.default) ? [...f.default] : f.default]),
) as unknown as MPolicy;

export interface MWindow {
  successes: bigint;
  errors: bigint;
  latSum: bigint;
  latCount: bigint;
  latPeak: bigint;
  invChecks: bigint;
  invFailures: bigint;
}

export interface MMetrics {
  total: bigint;
  succ: bigint;
  failed: bigint;
  latSum: bigint;
  latCount: bigint;
  peak: bigint;
  invChecks: bigint;
  invFailures: bigint;
}

export interface MHistory {
  seq: number;
  block: number;
  from: number;
  to: number;
  rolloutBps: number;
  reason: number | null;
  actor: string | null;
}

/** Revision 2's run: counters since the last startCanary or enable, and the statistic. */
export interface MRun {
  successes: bigint;
  errors: bigint;
  baseSuccesses: bigint;
  baseErrors: bigint;
  /** Sequential T or Comparative S, × 10^6 (i64; 0 under Threshold). */
  statistic: bigint;
}

export interface MFeature {
  name: string;
  description: string;
  status: number;
  rolloutBps: number;
  targetBps: number;
  paused: boolean;
  startBlock: number;
  lastStepBlock: number;
  window: MWindow;
  run: MRun;
  metrics: MMetrics;
  rollbackReason: number | null;
  createdBy: string;
  policy: MPolicy;
  history: MHistory[];
  /** account hex → 1 ForceOn | 2 ForceOff */
  overrides: Record<string, number>;
  /** Pause-aware dwell (DESIGN): unpaused clock ticks banked since the last advance… */
  accum: number;
  /** …and the clock value they were last brought to. */
  mark: number;
}

export interface ModelState {
  initialized: boolean;
  /** account hex → role bit mask (bit r = role r; explicit bits, DESIGN). */
  roles: Record<string, number>;
  adminCount: number;
  global: { paused: boolean; halted: boolean; clockBase: number; clockSince: number };
  features: Record<string, MFeature>;
}

export interface ModelCall {
  method: string;
  /** Decoded arguments (client raw form). */
  args: Record<string, unknown>;
  sender: Uint8Array;
  witnesses: Uint8Array[];
}

export interface ModelCtx {
  height: number;
}

export interface ModelEvent {
  name: string;
  data: Record<string, unknown>;
}

export interface ModelOutcome {
  state: ModelState;
  code: number;
  result: unknown;
  events: ModelEvent[];
}

export function initialState(): ModelState {
  return { initialized: false, roles: {}, adminCount: 0, global: { paused: false, halted: false, clockBase: 0, clockSince: 0 }, features: {} };
}

export function hex(a: Uint8Array | string): string {
  if (typeof a === "string") return a.toLowerCase();
  let s = "0x";
  for (const b of a) s += b.toString(16).padStart(2, "0");
  return s;
}

function fromHex(h: string): Uint8Array {
  const out = new Uint8Array((h.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

const utf8 = new TextEncoder();
const byteLen = (s: string): number => utf8.encode(s).length;

/** Bytewise comparison of the UTF-8 encodings. */
export function compareBytes(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

export function validName(name: string): boolean {
  return name.length <= LIMITS.MAX_NAME_BYTES && /^[a-z0-9_.-]+$/.test(name);
}

export function validPolicy(p: MPolicy): boolean {
  if (p.steps.length > LIMITS.MAX_STEPS) return false;
  for (let i = 0; i < p.steps.length; i++) {
    const v = p.steps[i]!;
    if (v < 1 || v > 10000) return false;
    if (i > 0 && v <= p.steps[i - 1]!) return false;
  }
  if (p.incrementBps < 1 || p.incrementBps > 10000) return false;
  if (p.incrementBlocks < 1) return false;
  if (p.maxErrorRateBps > 10000) return false;
  if (p.analysis > 2) return false;
  if (p.analysis === 1 && (p.seqSlopePpm === 0 || p.seqInterceptPpm === 0n)) return false;
  if (p.analysis === 2) {
    if (p.compExcessPpm < 1 || p.compExcessPpm > 9_000_000) return false;
    if (p.compLnRatioPpm < 1 || p.compLnRatioPpm > p.compExcessPpm) return false;
    if (p.compThresholdPpm === 0n) return false;
  }
  if (p.progressDeadlineBlocks !== 0 && p.progressDeadlineBlocks <= p.incrementBlocks) return false;
  if (byteLen(p.salt) > LIMITS.MAX_SALT_BYTES) return false;
  return true;
}

function samePolicy(a: MPolicy, b: MPolicy): boolean {
  return (
    a.steps.length === b.steps.length &&
    a.steps.every((v, i) => v === b.steps[i]) &&
    a.incrementBps === b.incrementBps &&
    a.incrementBlocks === b.incrementBlocks &&
    a.maxErrorRateBps === b.maxErrorRateBps &&
    a.minSamples === b.minSamples &&
    a.minSuccessCount === b.minSuccessCount &&
    a.analysis === b.analysis &&
    a.seqSlopePpm === b.seqSlopePpm &&
    a.seqInterceptPpm === b.seqInterceptPpm &&
    a.maxInvariantFailures === b.maxInvariantFailures &&
    a.maxAvgLatency === b.maxAvgLatency &&
    a.maxPeakLatency === b.maxPeakLatency &&
    a.progressDeadlineBlocks === b.progressDeadlineBlocks &&
    a.salt === b.salt &&
    !statisticFieldsDiffer(a, b)
  );
}

/** SPEC section 5: an updatePolicy that changes analysis or a seq* or comp* field resets the statistic. */
function statisticFieldsDiffer(a: MPolicy, b: MPolicy): boolean {
  return (
    a.analysis !== b.analysis ||
    a.seqSlopePpm !== b.seqSlopePpm ||
    a.seqInterceptPpm !== b.seqInterceptPpm ||
    a.seqFloorPpm !== b.seqFloorPpm ||
    a.compExcessPpm !== b.compExcessPpm ||
    a.compLnRatioPpm !== b.compLnRatioPpm ||
    a.compThresholdPpm !== b.compThresholdPpm ||
    a.compFloorPpm !== b.compFloorPpm
  );
}

function toPolicy(p: Record<string, unknown>): MPolicy {
  return {
    steps: [...(p.steps as number[])],
    incrementBps: p.incrementBps as number,
    incrementBlocks: p.incrementBlocks as number,
    maxErrorRateBps: p.maxErrorRateBps as number,
    minSamples: p.minSamples as number,
    minSuccessCount: BigInt(p.minSuccessCount as bigint),
    analysis: p.analysis as number,
    seqSlopePpm: p.seqSlopePpm as number,
    seqInterceptPpm: BigInt(p.seqInterceptPpm as bigint),
    maxInvariantFailures: p.maxInvariantFailures as number,
    maxAvgLatency: BigInt(p.maxAvgLatency as bigint),
    maxPeakLatency: BigInt(p.maxPeakLatency as bigint),
    progressDeadlineBlocks: p.progressDeadlineBlocks as number,
    salt: p.salt as string,
    seqFloorPpm: BigInt(p.seqFloorPpm as bigint),
    compExcessPpm: p.compExcessPpm as number,
    compLnRatioPpm: p.compLnRatioPpm as number,
    compThresholdPpm: BigInt(p.compThresholdPpm as bigint),
    compFloorPpm: BigInt(p.compFloorPpm as bigint),
  };
}

const zeroWindow = (): MWindow => ({ successes: 0n, errors: 0n, latSum: 0n, latCount: 0n, latPeak: 0n, invChecks: 0n, invFailures: 0n });
const zeroRun = (): MRun => ({ successes: 0n, errors: 0n, baseSuccesses: 0n, baseErrors: 0n, statistic: 0n });

// ------------------------------------------------------------------ the statistics (SPEC section 5)

/**
 * Sequential: a report of n samples with e errors sets
 * T := max(T + e × 10^6 − seqSlopePpm × n, −seqFloorPpm), exact, then clamped to i64.
 * AMBIGUITY (A16): n is the exact sum of the report's successes and errors (SPEC: "exact"),
 * not a saturated one (A3 saturates only the window's samples); so are Comparative's sums.
 */
export function sequentialStep(t: bigint, n: bigint, e: bigint, p: Pick<MPolicy, "seqSlopePpm" | "seqFloorPpm">): bigint {
  const v = t + e * 1_000_000n - BigInt(p.seqSlopePpm) * n;
  const floor = -p.seqFloorPpm;
  return clampI64(v > floor ? v : floor);
}

/** Comparative's q, x and per-error cost c for cohorts of n_c, n_b samples (both > 0): SPEC section 5's ceilings. */
export function comparativeCost(nc: bigint, nb: bigint, k: number): { q: bigint; x: bigint; c: bigint } {
  const q = ceilDiv(1_000_000n * nc, nc + nb);
  const x = ceilDiv(BigInt(k) * q, 1_000_000n);
  const c = ceilDiv(x * (6_000_000n + x), 6_000_000n + 4n * x);
  return { q, x, c };
}

/**
 * Comparative: a recordCohorts report moves S := max(S + e_c·L − (e_c + e_b)·c, −compFloorPpm)
 * (exact, then clamped to i64); unchanged when n_c = 0, n_b = 0 or e_c + e_b = 0.
 */
export function comparativeStep(
  s: bigint,
  cs: bigint,
  ce: bigint,
  bs: bigint,
  be: bigint,
  p: Pick<MPolicy, "compExcessPpm" | "compLnRatioPpm" | "compFloorPpm">,
): bigint {
  const nc = cs + ce;
  const nb = bs + be;
  if (nc === 0n || nb === 0n || ce + be === 0n) return s;
  const { c } = comparativeCost(nc, nb, p.compExcessPpm);
  const v = s + ce * BigInt(p.compLnRatioPpm) - (ce + be) * c;
  const floor = -p.compFloorPpm;
  return clampI64(v > floor ? v : floor);
}

// ------------------------------------------------------------------ clock and dwell

/** The pause-aware clock (DESIGN): blocks since init during which the global pause was off. */
export function clock(s: ModelState, h: number): number {
  const g = s.global;
  return g.paused ? g.clockBase : g.clockBase + (h - g.clockSince);
}

/** Unpaused blocks since the feature's last advance (or rollout start). */
export function elapsed(s: ModelState, f: MFeature, h: number): number {
  return f.accum + (f.paused ? 0 : clock(s, h) - f.mark);
}

export function isDue(s: ModelState, f: MFeature, h: number): boolean {
  return f.status === S.RollingOut && !f.paused && !s.global.paused && elapsed(s, f, h) >= f.policy.incrementBlocks;
}

// ------------------------------------------------------------------ views of a feature

export function featureView(f: MFeature): Record<string, unknown> {
  return {
    name: f.name,
    description: f.description,
    status: f.status,
    rolloutBps: f.rolloutBps,
    targetBps: f.targetBps,
    paused: f.paused,
    startBlock: f.startBlock,
    lastStepBlock: f.lastStepBlock,
    windowSuccesses: f.window.successes,
    windowErrors: f.window.errors,
    rollbackReason: f.rollbackReason,
    createdBy: f.createdBy,
    policy: { ...f.policy, steps: [...f.policy.steps] },
    runSuccesses: f.run.successes,
    runErrors: f.run.errors,
    baseSuccesses: f.run.baseSuccesses,
    baseErrors: f.run.baseErrors,
    statistic: f.run.statistic,
  };
}

export function metricsView(f: MFeature): Record<string, bigint> {
  const m = f.metrics;
  return {
    totalOperations: m.total,
    successfulOps: m.succ,
    failedOps: m.failed,
    averageLatency: m.latCount === 0n ? 0n : m.latSum / m.latCount,
    peakLatency: m.peak,
    invariantChecks: m.invChecks,
    invariantFailures: m.invFailures,
  };
}

export function hasRole(s: ModelState, role: number, account: string): boolean {
  const mask = s.roles[account] ?? 0;
  return (mask & (1 << role)) !== 0 || (mask & 1) !== 0;
}

export function isEnabled(s: ModelState, name: string, account: Uint8Array): boolean {
  const f = s.features[name];
  if (!f) return false;
  if (f.status === S.Disabled || f.status === S.RolledBack) return false;
  const active = f.status === S.Canary || f.status === S.RollingOut;
  if (active && s.global.halted) return false;
  const o = f.overrides[hex(account)];
  if (o === 1) return true;
  if (o === 2) return false;
  if (f.status === S.Enabled) return true;
  return bucket(f.policy.salt === "" ? f.name : f.policy.salt, account) < f.rolloutBps;
}

// ------------------------------------------------------------------ health

/** The first health rule that fires (DESIGN's order), or null. `stepElapsed` only at a due step. */
export function healthReason(f: MFeature, stepElapsed: number | null): number | null {
  const p = f.policy;
  const w = f.window;
  // AMBIGUITY (A3): samples = successes + errors saturates like every u64 counter.
  const minS = BigInt(Math.max(p.minSamples, 1));
  if (p.analysis === 0) {
    const samples = sat(w.successes, w.errors);
    if (samples >= minS && w.errors * 10000n > BigInt(p.maxErrorRateBps) * samples) return R.ErrorRate;
  } else {
    // Sequential and Comparative: run samples (saturating like every counter, A3) gate the
    // statistic. AMBIGUITY (A17): the u64 threshold is compared with the i64 statistic exactly
    // (above 2^63 − 1 it never fires). AMBIGUITY (A18): this runs after every report of any
    // kind (latency and invariant reports too) and at every due step.
    const runSamples = sat(f.run.successes, f.run.errors);
    const threshold = p.analysis === 1 ? p.seqInterceptPpm : p.compThresholdPpm;
    if (runSamples >= minS && f.run.statistic >= threshold) return R.ErrorRate;
  }
  if (w.invFailures > BigInt(p.maxInvariantFailures)) return R.InvariantViolation;
  if (p.maxAvgLatency > 0n && w.latSum > p.maxAvgLatency * w.latCount) return R.Performance;
  // AMBIGUITY (A4): the peak rule reads the window's peak (so a lowered maxPeakLatency fires at
  // the next report or due step for a latency already in the window).
  if (p.maxPeakLatency > 0n && w.latPeak > p.maxPeakLatency) return R.Performance;
  if (stepElapsed !== null && p.progressDeadlineBlocks > 0 && stepElapsed >= p.progressDeadlineBlocks) return R.Deadline;
  return null;
}

// ------------------------------------------------------------------ apply

class Fail {
  constructor(readonly code: number) {}
}
const fail = (code: number): never => {
  throw new Fail(code);
};

function clone(s: ModelState): ModelState {
  return structuredClone(s);
}

const ROLE_OF: Record<string, number[] | null> = {
  grantRole: [Roles.Admin],
  revokeRole: [Roles.Admin],
  createFeature: [Roles.Operator],
  updatePolicy: [Roles.Operator],
  startCanary: [Roles.Operator],
  startRollout: [Roles.Operator],
  enable: [Roles.Operator],
  disable: [Roles.Operator],
  setOverride: [Roles.Operator],
  pause: [Roles.Operator, Roles.Guardian],
  resume: [Roles.Operator, Roles.Guardian],
  rollback: [Roles.Operator, Roles.Guardian],
  setGlobal: [Roles.Guardian],
  recordSuccess: [Roles.Reporter],
  recordError: [Roles.Reporter],
  recordBatch: [Roles.Reporter],
  recordCohorts: [Roles.Reporter],
  recordLatency: [Roles.Reporter],
  recordInvariant: [Roles.Reporter],
  reportIncident: [Roles.Reporter, Roles.Guardian],
  processRollout: null, // anyone
};

export const VIEW_METHODS = new Set([
  "hasRole",
  "isEnabled",
  "isEnabledMany",
  "bucketOf",
  "getFeature",
  "getMetrics",
  "listFeatures",
  "getHistory",
  "getGlobal",
]);

/**
 * BadInput for enum arguments out of range: the ranges (and reportIncident's two reasons) are
 * the ABI definition's, never policy fields (DESIGN: decoded as enums).
 */
function badEnum(method: string, a: Record<string, unknown>): boolean {
  const def: MethodDef | undefined = (METHOD_DEFS as Record<string, MethodDef>)[method];
  if (!def) return false;
  for (const [field, type] of Object.entries(def.args.struct)) {
    if (typeof type !== "object" || !("enum" in type)) continue;
    const names = ENUMS[type.enum].values.map(([n]) => n as string);
    const allowed = def.allowed?.[field]?.map((n) => names.indexOf(n)) ?? names.map((_, i) => i);
    if (!allowed.includes(a[field] as number)) return true;
  }
  return false;
}

export function apply(state: ModelState, call: ModelCall, ctx: ModelCtx): ModelOutcome {
  const s = clone(state);
  const events: ModelEvent[] = [];
  try {
    const result = run(s, call, ctx, events);
    return { state: s, code: 0, result, events };
  } catch (e) {
    if (e instanceof Fail) return { state, code: e.code, result: null, events: [] };
    throw e;
  }
}

type Emit = (name: string, data: Record<string, unknown>) => void;

/** One call as a method handler sees it (the state is the outcome's copy, free to change). */
interface Op {
  s: ModelState;
  method: string;
  a: Record<string, unknown>;
  h: number;
  sender: string;
  emit: Emit;
}

function run(s: ModelState, call: ModelCall, ctx: ModelCtx, events: ModelEvent[]): unknown {
  const { method } = call;
  const op: Op = { s, method, a: call.args, h: ctx.height, sender: hex(call.sender), emit: (name, data) => void events.push({ name, data }) };
  const witness = (acct: string): boolean => call.witnesses.some((w) => hex(w) === acct);

  if (method === "onPersist") return onPersist(op);
  if (badEnum(method, op.a)) fail(Code.BadInput);
  if (method === "init") return init(op, witness);
  if (!s.initialized) fail(Code.NotInitialized);
  if (VIEW_METHODS.has(method)) return view(s, method, op.a);

  const need = ROLE_OF[method];
  if (need === undefined) throw new Error(`model: unknown method ${method}`);
  if (need !== null && (!witness(op.sender) || !need.some((r) => hasRole(s, r, op.sender)))) fail(Code.Unauthorized);
  const handler = HANDLERS[method];
  if (handler === undefined) throw new Error(`model: unhandled method ${method}`);
  handler(op);
  return null;
}

function onPersist({ s, h, emit }: Op): null {
  if (!s.initialized || s.global.paused) return null;
  for (const name of Object.keys(s.features).sort(compareBytes)) {
    const f = s.features[name]!;
    if (isDue(s, f, h)) step(s, f, h, null, emit);
  }
  return null;
}

function init({ s, a, h, emit }: Op, witness: (acct: string) => boolean): null {
  const admin = hex(a.admin as Uint8Array);
  if (!witness(admin)) fail(Code.Unauthorized);
  if (s.initialized) fail(Code.AlreadyInitialized);
  s.initialized = true;
  s.roles[admin] = 1;
  s.adminCount = 1;
  s.global = { paused: false, halted: false, clockBase: 0, clockSince: h };
  // AMBIGUITY (A1): init emits RoleChanged {Admin, admin, granted} (a role change).
  emit("RoleChanged", { role: Roles.Admin, account: admin, granted: true });
  return null;
}

/** The feature `a.name` names; FeatureNotFound when there is none (or the name is invalid). */
function featureOf({ s, a }: Op): MFeature {
  const name = a.name as string;
  const f = validName(name) ? s.features[name] : undefined;
  if (!f) return fail(Code.FeatureNotFound);
  return f;
}

/** After f's status (and bps) changed from `from`: a history entry and StatusChanged. */
function transition(f: MFeature, h: number, from: number, reason: number | null, actor: string | null, emit: Emit): void {
  f.history.push({ seq: f.history.length, block: h, from, to: f.status, rolloutBps: f.rolloutBps, reason, actor });
  emit("StatusChanged", { name: f.name, from, to: f.status, rolloutBps: f.rolloutBps, reason });
}

function rollbackTo(f: MFeature, h: number, reason: number, actor: string | null, emit: Emit): void {
  const from = f.status;
  // AMBIGUITY (A19): the run (counters and statistic) is kept, as the window is (A13).
  f.status = S.RolledBack;
  f.rolloutBps = 0;
  f.rollbackReason = reason;
  f.paused = false;
  transition(f, h, from, reason, actor, emit);
}

const isRunning = (f: MFeature): boolean => f.status === S.Canary || f.status === S.RollingOut;
const isLive = (f: MFeature): boolean => isRunning(f) || f.status === S.Enabled;

// ------------------------------------------------------------------ method handlers

/** A role change's arguments: the role, the account, the account's mask and the role's bit. */
function roleArgs({ s, a }: Op): { role: number; acct: string; mask: number; bit: number } {
  const role = a.role as number;
  const acct = hex(a.account as Uint8Array);
  return { role, acct, mask: s.roles[acct] ?? 0, bit: 1 << role };
}

function grantRole(op: Op): void {
  const { s, emit } = op;
  const { role, acct, mask, bit } = roleArgs(op);
  if (mask & bit) return;
  s.roles[acct] = mask | bit;
  if (role === Roles.Admin) s.adminCount++;
  emit("RoleChanged", { role, account: acct, granted: true });
}

function revokeRole(op: Op): void {
  const { s, emit } = op;
  const { role, acct, mask, bit } = roleArgs(op);
  if (!(mask & bit)) return;
  if (role === Roles.Admin && s.adminCount <= 1) fail(Code.LastAdmin);
  const m = mask & ~bit;
  if (m === 0) delete s.roles[acct];
  else s.roles[acct] = m;
  if (role === Roles.Admin) s.adminCount--;
  emit("RoleChanged", { role, account: acct, granted: false });
}

function createFeature({ s, a, sender, emit }: Op): void {
  const name = a.name as string;
  if (!validName(name)) fail(Code.InvalidName);
  if (byteLen(a.description as string) > LIMITS.MAX_DESCRIPTION_BYTES) fail(Code.LimitExceeded);
  const policy = a.policy == null ? { ...DEFAULTS, steps: [] } : toPolicy(a.policy as Record<string, unknown>);
  if (!validPolicy(policy)) fail(Code.InvalidPolicy);
  if (s.features[name]) fail(Code.FeatureAlreadyExists);
  s.features[name] = {
    name,
    description: a.description as string,
    status: S.Disabled,
    rolloutBps: 0,
    targetBps: 0,
    paused: false,
    startBlock: 0, // AMBIGUITY (A6): 0 until the first startCanary
    lastStepBlock: 0,
    window: zeroWindow(),
    run: zeroRun(),
    metrics: { total: 0n, succ: 0n, failed: 0n, latSum: 0n, latCount: 0n, peak: 0n, invChecks: 0n, invFailures: 0n },
    rollbackReason: null,
    createdBy: sender,
    policy,
    history: [],
    overrides: {},
    accum: 0,
    mark: 0,
  };
  emit("FeatureCreated", { name, createdBy: sender });
}

function updatePolicy(op: Op): void {
  const policy = toPolicy(op.a.policy as Record<string, unknown>);
  // AMBIGUITY (A7): the feature is looked up before the policy is validated.
  const f = featureOf(op);
  if (!validPolicy(policy)) fail(Code.InvalidPolicy);
  if (policy.salt !== f.policy.salt) fail(Code.InvalidPolicy);
  if (samePolicy(policy, f.policy)) return;
  // SPEC section 5: 0 "after any updatePolicy that changes analysis or a seq*/comp* field";
  // the run counters stay (only startCanary and enable start a run).
  if (statisticFieldsDiffer(policy, f.policy)) f.run.statistic = 0n;
  f.policy = policy;
  op.emit("PolicyUpdated", { name: f.name });
}

function startCanary(op: Op): void {
  const f = featureOf(op);
  const bps = op.a.bps as number;
  if (f.status === S.RollingOut) fail(Code.RolloutInProgress);
  if (f.status === S.Enabled) fail(Code.InvalidTransition);
  if (bps < 1 || bps > 10000) fail(Code.InvalidPercent);
  const from = f.status;
  f.status = S.Canary;
  f.rolloutBps = bps;
  f.targetBps = 0;
  f.rollbackReason = null;
  f.window = zeroWindow();
  f.run = zeroRun();
  f.startBlock = op.h;
  f.lastStepBlock = op.h;
  transition(f, op.h, from, null, op.sender, op.emit);
}

function startRollout(op: Op): void {
  const f = featureOf(op);
  const target = op.a.targetBps as number;
  if (f.status === S.RollingOut) fail(Code.RolloutInProgress);
  if (f.status !== S.Canary) fail(Code.InvalidTransition);
  if (!(f.rolloutBps < target && target <= 10000)) fail(Code.InvalidPercent);
  if (f.window.successes < f.policy.minSuccessCount) fail(Code.InsufficientData);
  f.status = S.RollingOut;
  f.targetBps = target;
  f.window = zeroWindow();
  f.lastStepBlock = op.h;
  f.accum = 0;
  f.mark = clock(op.s, op.h);
  transition(f, op.h, S.Canary, null, op.sender, op.emit);
}

function enable(op: Op): void {
  const f = featureOf(op);
  if (f.status === S.Enabled) fail(Code.InvalidTransition);
  const from = f.status;
  f.status = S.Enabled;
  f.rolloutBps = 10000;
  f.paused = false;
  f.rollbackReason = null;
  f.run = zeroRun(); // a run begins (SPEC: run counters and the statistic)
  transition(f, op.h, from, null, op.sender, op.emit);
}

function disable(op: Op): void {
  const f = featureOf(op);
  if (f.status === S.Disabled) fail(Code.InvalidTransition);
  const from = f.status;
  f.status = S.Disabled;
  f.rolloutBps = 0;
  f.paused = false;
  transition(f, op.h, from, null, op.sender, op.emit);
}

/** rollback and reportIncident: a live feature rolls back; otherwise `refused`. */
function rollbackBy(refused: number): (op: Op) => void {
  return (op) => {
    const f = featureOf(op);
    if (!isLive(f)) fail(refused);
    rollbackTo(f, op.h, op.a.reason as number, op.sender, op.emit);
  };
}

function setPaused(want: boolean): (op: Op) => void {
  return (op) => {
    const f = featureOf(op);
    if (!isRunning(f)) fail(Code.InvalidTransition);
    if (f.paused === want) fail(Code.InvalidTransition);
    const c = clock(op.s, op.h);
    if (want) f.accum += c - f.mark;
    f.mark = c;
    f.paused = want;
    op.emit("PauseChanged", { name: f.name, paused: want });
  };
}

function setOverride(op: Op): void {
  const f = featureOf(op);
  const acct = hex(op.a.account as Uint8Array);
  const mode = op.a.mode as number;
  const cur = f.overrides[acct] ?? 0;
  if (cur === mode) return;
  if (mode === 0) delete f.overrides[acct];
  else f.overrides[acct] = mode;
  op.emit("OverrideSet", { name: f.name, account: acct, mode });
}

function setGlobal({ s, a, h, emit }: Op): void {
  const paused = a.paused as boolean;
  const halted = a.halted as boolean;
  const g = s.global;
  if (g.paused === paused && g.halted === halted) return;
  if (g.paused !== paused) {
    const c = clock(s, h);
    g.clockBase = c;
    g.clockSince = h;
    g.paused = paused;
  }
  g.halted = halted;
  emit("GlobalChanged", { paused, halted });
}

/** The record* methods: count into the window and the metrics, then the health check. */
function record(count: (f: MFeature, a: Record<string, unknown>) => void): (op: Op) => void {
  return (op) => {
    const f = featureOf(op);
    if (f.status === S.Disabled || f.status === S.RolledBack) fail(Code.FeatureDisabled);
    count(f, op.a);
    if (isRunning(f)) {
      const r = healthReason(f, null);
      if (r !== null) rollbackTo(f, op.h, r, op.sender, op.emit);
    }
  };
}

// AMBIGUITY (A2): the window counts in every status that takes reports (Enabled too).
// AMBIGUITY (A14): so do the run counters, the baseline counters and the statistic: a run
// begins at startCanary or enable, so reports in Enabled count in it (T and S move there too;
// no rule fires in Enabled).
/** A success/error report (recordSuccess, recordError, recordBatch, recordCohorts' canary part). */
function countOutcomes(f: MFeature, succ: bigint, err: bigint): void {
  const { window: w, metrics: m, run } = f;
  w.successes = sat(w.successes, succ);
  w.errors = sat(w.errors, err);
  run.successes = sat(run.successes, succ);
  run.errors = sat(run.errors, err);
  m.succ = sat(m.succ, succ);
  m.failed = sat(m.failed, err);
  m.total = sat(sat(m.total, succ), err);
  // Sequential: every success/error report moves T (n exact: successes + errors, no saturation).
  if (f.policy.analysis === 1) run.statistic = sequentialStep(run.statistic, succ + err, err, f.policy);
}

/**
 * recordCohorts: the canary part as recordBatch (window, run, metrics; T under Sequential);
 * the baseline part only in the baseline counters; under Comparative the report moves S.
 * AMBIGUITY (A15): the baseline part counts in no lifetime metric, under every analysis
 * (SPEC: "its baseline part in the baseline counters only").
 */
function countCohorts(f: MFeature, a: Record<string, unknown>): void {
  const cs = BigInt(a.canarySuccesses as bigint);
  const ce = BigInt(a.canaryErrors as bigint);
  const bs = BigInt(a.baseSuccesses as bigint);
  const be = BigInt(a.baseErrors as bigint);
  countOutcomes(f, cs, ce);
  f.run.baseSuccesses = sat(f.run.baseSuccesses, bs);
  f.run.baseErrors = sat(f.run.baseErrors, be);
  if (f.policy.analysis === 2) f.run.statistic = comparativeStep(f.run.statistic, cs, ce, bs, be, f.policy);
}

function countLatency({ window: w, metrics: m }: MFeature, a: Record<string, unknown>): void {
  const v = BigInt(a.value as bigint);
  w.latSum = sat(w.latSum, v);
  w.latCount = sat(w.latCount, 1n);
  if (v > w.latPeak) w.latPeak = v;
  m.latSum = sat(m.latSum, v);
  m.latCount = sat(m.latCount, 1n);
  if (v > m.peak) m.peak = v;
}

function countInvariant({ window: w, metrics: m }: MFeature, a: Record<string, unknown>): void {
  w.invChecks = sat(w.invChecks, 1n);
  m.invChecks = sat(m.invChecks, 1n);
  if (!(a.ok as boolean)) {
    w.invFailures = sat(w.invFailures, 1n);
    m.invFailures = sat(m.invFailures, 1n);
  }
}

function processRollout(op: Op): void {
  const f = featureOf(op);
  if (isDue(op.s, f, op.h)) step(op.s, f, op.h, op.sender, op.emit);
}

/** Every method with an effect (the views are in VIEWS), by name. */
const HANDLERS: Record<string, (op: Op) => void> = {
  grantRole,
  revokeRole,
  createFeature,
  updatePolicy,
  startCanary,
  startRollout,
  enable,
  disable,
  rollback: rollbackBy(Code.InvalidTransition),
  reportIncident: rollbackBy(Code.FeatureDisabled),
  pause: setPaused(true),
  resume: setPaused(false),
  setOverride,
  setGlobal,
  recordSuccess: record((f) => countOutcomes(f, 1n, 0n)),
  recordError: record((f) => countOutcomes(f, 0n, 1n)),
  recordBatch: record((f, a) => countOutcomes(f, BigInt(a.successes as bigint), BigInt(a.errors as bigint))),
  recordCohorts: record(countCohorts),
  recordLatency: record(countLatency),
  recordInvariant: record(countInvariant),
  processRollout,
};

/** One due step (SPEC section 5 "Steps"). */
function step(s: ModelState, f: MFeature, h: number, actor: string | null, emit: Emit): void {
  const reason = healthReason(f, elapsed(s, f, h));
  if (reason !== null) return rollbackTo(f, h, reason, actor, emit);
  const p = f.policy;
  const samples = sat(f.window.successes, f.window.errors);
  if (samples < BigInt(p.minSamples)) return; // wait
  const fromBps = f.rolloutBps;
  let next: number;
  if (p.steps.length === 0) next = fromBps + p.incrementBps;
  else next = p.steps.find((v) => v > fromBps) ?? f.targetBps;
  if (next > f.targetBps) next = f.targetBps;
  f.rolloutBps = next;
  f.window = zeroWindow();
  f.lastStepBlock = h;
  f.accum = 0;
  f.mark = clock(s, h);
  emit("RolloutAdvanced", { name: f.name, fromBps, toBps: next });
  if (next === f.targetBps) {
    f.status = next === 10000 ? S.Enabled : S.Canary;
    transition(f, h, S.RollingOut, null, actor, emit);
  } else {
    f.history.push({ seq: f.history.length, block: h, from: S.RollingOut, to: S.RollingOut, rolloutBps: next, reason: null, actor });
  }
}

// ------------------------------------------------------------------ views

/** A view's answer from the state, its arguments and the feature `a.name` names (if any). */
type View = (s: ModelState, a: Record<string, unknown>, f: MFeature | undefined) => unknown;

function isEnabledMany(s: ModelState, a: Record<string, unknown>): boolean[] {
  const accts = a.accounts as unknown[];
  // AMBIGUITY (A8): each answer is isEnabled's, so an unknown feature gives all false (not
  // FeatureNotFound); more than 1024 accounts is LimitExceeded either way.
  if (accts.length > LIMITS.MAX_ACCOUNTS) fail(Code.LimitExceeded);
  return accts.map((x) => isEnabled(s, a.name as string, toBytes(x)));
}

function listFeatures(s: ModelState, a: Record<string, unknown>): unknown[] {
  const limit = a.limit as number;
  const after = a.startAfter as string;
  if (byteLen(after) > LIMITS.MAX_NAME_BYTES) fail(Code.LimitExceeded);
  if (limit < 1 || limit > LIMITS.MAX_PAGE) fail(Code.LimitExceeded);
  const names = Object.keys(s.features)
    .filter((n) => compareBytes(n, after) > 0)
    .sort(compareBytes)
    .filter((n) => !a.activeOnly || isRunning(s.features[n]!));
  return names.slice(0, limit).map((n) => featureView(s.features[n]!));
}

function getHistory(_s: ModelState, a: Record<string, unknown>, f: MFeature | undefined): unknown[] {
  const limit = a.limit as number;
  // AMBIGUITY (A9): FeatureNotFound before LimitExceeded (the feature is looked up first).
  if (!f) return fail(Code.FeatureNotFound);
  if (limit < 1 || limit > LIMITS.MAX_PAGE) fail(Code.LimitExceeded);
  const from = a.fromSeq as number;
  return f.history.filter((e) => e.seq >= from).slice(0, limit).map((e) => ({ ...e }));
}

const VIEWS: Record<string, View> = {
  hasRole: (s, a) => hasRole(s, a.role as number, hex(a.account as Uint8Array)),
  getGlobal: (s) => ({ paused: s.global.paused, halted: s.global.halted }),
  getFeature: (_s, _a, f) => (f ? featureView(f) : null),
  getMetrics: (_s, _a, f) => (f ? metricsView(f) : null),
  isEnabled: (s, a) => isEnabled(s, a.name as string, toBytes(a.account)),
  isEnabledMany,
  bucketOf: (_s, a, f) => (f ? bucket(f.policy.salt === "" ? f.name : f.policy.salt, toBytes(a.account)) : fail(Code.FeatureNotFound)),
  listFeatures,
  getHistory,
};

function view(s: ModelState, method: string, a: Record<string, unknown>): unknown {
  const name = a.name as string;
  const f = typeof name === "string" && validName(name) ? s.features[name] : undefined;
  const answer = VIEWS[method];
  if (answer === undefined) throw new Error(`model: unhandled view ${method}`);
  return answer(s, a, f);
}

function toBytes(x: unknown): Uint8Array {
  return typeof x === "string" ? fromHex(x) : (x as Uint8Array);
}
