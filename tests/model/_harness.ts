// Shared harness of the model-based tests: fast-check command generators, and a runner that
// executes one command list on the contract (through the host) and on the reference model
// (src/model), comparing codes, results, events and observable state after every step, and
// checking the invariants of issue 7 on what the contract shows.

import fc from "fast-check";
import { inspect, isDeepStrictEqual } from "node:util";
import { Chain, stateRoot } from "../../src/host/index.ts";
import type { InvokeResult } from "../../src/host/index.ts";
import { decodeArgs, decodeResult, decodeTypedEvent, encodeArgs, DEFAULT_POLICY } from "../../src/client/index.ts";
import { METHODS, type MethodName } from "../../src/abi/methods.ts";
import { ALLOWED_EDGES, apply, initialState, S, VIEW_METHODS, type ModelState } from "../../src/model/index.ts";
import { ADMIN, ADMIN2, GUARDIAN, OPERATOR, OUTSIDER, REPORTER, ZERO, account } from "../helpers/accounts.ts";
import { releaseWasm } from "../helpers/contract.ts";

// ------------------------------------------------------------------ accounts and names

export const ACCOUNTS: Record<string, Uint8Array> = {
  ADMIN,
  ADMIN2,
  OPERATOR,
  GUARDIAN,
  REPORTER,
  OUTSIDER,
  ZERO,
};
export const ACCOUNT_NAMES = Object.keys(ACCOUNTS);
export const acct = (k: string): Uint8Array => ACCOUNTS[k] ?? hexBytes(k);

import { fromHex as hexBytes } from "../helpers/bytes.ts";

export const VALID_NAMES = ["a", "ab", "b"];
export const INVALID_NAMES = ["", "A", "has space", "x".repeat(65), "é"];

// ------------------------------------------------------------------ commands

export type Sign = "self" | "none" | "other";
export type Cmd =
  | { t: "call"; method: MethodName; args: Record<string, unknown>; who: string; sign: Sign }
  | { t: "raw"; method: MethodName; hex: string; who: string; sign: Sign }
  | { t: "gap"; n: number };

const nameArb = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...VALID_NAMES) }, { weight: 1, arbitrary: fc.constantFrom(...INVALID_NAMES) });
const whoArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("ADMIN", "OPERATOR", "GUARDIAN", "REPORTER") },
  { weight: 2, arbitrary: fc.constantFrom("ADMIN2", "OUTSIDER", "ZERO") },
);
const signArb: fc.Arbitrary<Sign> = fc.oneof({ weight: 10, arbitrary: fc.constant<Sign>("self") }, { weight: 1, arbitrary: fc.constantFrom<Sign>("none", "other") });
const accountArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ACCOUNT_NAMES) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => "0x" + Buffer.from(b).toString("hex")) },
);
const U64 = (1n << 64n) - 1n;
const u64Arb = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt(0n, 5n) },
  { weight: 2, arbitrary: fc.bigInt(0n, 300n) },
  { weight: 1, arbitrary: fc.constantFrom(U64, U64 - 1n, 1n << 63n) },
  { weight: 1, arbitrary: fc.bigInt(0n, U64) },
);
const bpsArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 10000 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1, 100, 5000, 9999, 10000, 10001, 65535) },
);
const saltArb = fc.oneof({ weight: 5, arbitrary: fc.constant("") }, { weight: 2, arbitrary: fc.constant("s1") }, { weight: 1, arbitrary: fc.constantFrom("x".repeat(65), "ab") });

const validPolicyArb = fc.record({
  steps: fc.oneof(
    { weight: 3, arbitrary: fc.constant([] as number[]) },
    { weight: 2, arbitrary: fc.uniqueArray(fc.integer({ min: 1, max: 10000 }), { maxLength: 5 }).map((a) => a.sort((x, y) => x - y)) },
  ),
  incrementBps: fc.oneof(fc.integer({ min: 1, max: 10000 }), fc.constantFrom(1000, 2500, 5000)),
  incrementBlocks: fc.integer({ min: 1, max: 5 }),
  maxErrorRateBps: fc.oneof(fc.integer({ min: 0, max: 10000 }), fc.constantFrom(0, 100, 5000, 10000)),
  minSamples: fc.integer({ min: 0, max: 4 }),
  minSuccessCount: fc.bigInt(0n, 3n),
  analysis: fc.constantFrom(0, 1, 1, 2, 2),
  seqSlopePpm: fc.integer({ min: 1, max: 2_000_000 }),
  seqInterceptPpm: fc.oneof({ weight: 6, arbitrary: fc.bigInt(1n, 5_000_000n) }, { weight: 1, arbitrary: fc.constantFrom(4109731n, 1n << 63n, U64) }),
  maxInvariantFailures: fc.integer({ min: 0, max: 2 }),
  maxAvgLatency: fc.oneof(fc.constant(0n), fc.bigInt(1n, 8n), fc.bigInt(1n, 100n)),
  maxPeakLatency: fc.oneof(fc.constant(0n), fc.bigInt(1n, 8n), fc.bigInt(1n, 200n)),
  deadlinePlus: fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 6 })),
  salt: saltArb,
  // Revision 2: small floors and thresholds too, so that floors are reached and thresholds crossed in short sequences.
  seqFloorPpm: fc.oneof({ weight: 4, arbitrary: fc.bigInt(0n, 5_000_000n) }, { weight: 1, arbitrary: fc.constantFrom(0n, 8219462n, 1n << 63n, U64) }),
  compExcessPpm: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 9_000_000 }) }, { weight: 1, arbitrary: fc.constantFrom(1, 1_000_000, 9_000_000) }),
  compLnRatioFrac: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1)),
  compThresholdPpm: fc.oneof({ weight: 6, arbitrary: fc.bigInt(1n, 3_000_000n) }, { weight: 1, arbitrary: fc.constantFrom(2890372n, 1n << 63n, U64) }),
  compFloorPpm: fc.oneof({ weight: 4, arbitrary: fc.bigInt(0n, 6_000_000n) }, { weight: 1, arbitrary: fc.constantFrom(0n, 5780744n, 1n << 63n, U64) }),
});

/** A policy: mostly valid with short dwell; sometimes one field broken. */
export const policyArb = fc
  .tuple(
    validPolicyArb,
    fc.oneof(
      { weight: 8, arbitrary: fc.constant("none") },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "steps33",
          "stepsDesc",
          "step0",
          "step10001",
          "incBps0",
          "incBps10001",
          "incBlocks0",
          "maxErr10001",
          "analysis3",
          "seqSlope0",
          "seqIntercept0",
          "compExcess0",
          "compExcess9000001",
          "compLn0",
          "compLnAboveK",
          "compThreshold0",
          "deadlineEq",
          "salt65",
        ),
      },
    ),
  )
  .map(([p, broken]) => {
    const { deadlinePlus, compLnRatioFrac, ...rest } = p;
    // compLnRatioPpm in 1..k (k = compExcessPpm), from a fraction so that it shrinks with k.
    const compLnRatioPpm = Math.min(rest.compExcessPpm, Math.max(1, Math.round(compLnRatioFrac * rest.compExcessPpm)));
    const out: Record<string, unknown> = { ...rest, compLnRatioPpm, progressDeadlineBlocks: deadlinePlus < 0 ? 0 : rest.incrementBlocks + deadlinePlus };
    switch (broken) {
      case "steps33": out.steps = Array.from({ length: 33 }, (_, i) => i + 1); break;
      case "stepsDesc": out.steps = [500, 500]; break;
      case "step0": out.steps = [0, 10]; break;
      case "step10001": out.steps = [10001]; break;
      case "incBps0": out.incrementBps = 0; break;
      case "incBps10001": out.incrementBps = 10001; break;
      case "incBlocks0": out.incrementBlocks = 0; out.progressDeadlineBlocks = 0; break;
      case "maxErr10001": out.maxErrorRateBps = 10001; break;
      case "analysis3": out.analysis = 3 + (rest.maxInvariantFailures * 126); break; // 3, 129 or 255
      case "seqSlope0": out.analysis = 1; out.seqSlopePpm = 0; break;
      case "seqIntercept0": out.analysis = 1; out.seqInterceptPpm = 0n; break;
      case "compExcess0": out.analysis = 2; out.compExcessPpm = 0; out.compLnRatioPpm = 0; break;
      case "compExcess9000001": out.analysis = 2; out.compExcessPpm = 9_000_001 + rest.maxInvariantFailures * 1_000_000; out.compLnRatioPpm = 693147; break;
      case "compLn0": out.analysis = 2; out.compLnRatioPpm = 0; break;
      case "compLnAboveK": out.analysis = 2; out.compExcessPpm = Math.min(rest.compExcessPpm, 8_999_999); out.compLnRatioPpm = (out.compExcessPpm as number) + 1; break;
      case "compThreshold0": out.analysis = 2; out.compThresholdPpm = 0n; break;
      case "deadlineEq": out.progressDeadlineBlocks = out.incrementBlocks; break;
      case "salt65": out.salt = "y".repeat(65); break;
    }
    return out;
  });

/** Who may call each method (SPEC section 6); the generator picks one of them most of the time. */
const ALLOWED: Partial<Record<MethodName, string[]>> = {
  grantRole: ["ADMIN"], revokeRole: ["ADMIN"],
  createFeature: ["OPERATOR"], updatePolicy: ["OPERATOR"], startCanary: ["OPERATOR"], startRollout: ["OPERATOR"],
  enable: ["OPERATOR"], disable: ["OPERATOR"], setOverride: ["OPERATOR"],
  pause: ["OPERATOR", "GUARDIAN"], resume: ["OPERATOR", "GUARDIAN"], rollback: ["OPERATOR", "GUARDIAN"],
  setGlobal: ["GUARDIAN"],
  recordSuccess: ["REPORTER"], recordError: ["REPORTER"], recordBatch: ["REPORTER"], recordCohorts: ["REPORTER"], recordLatency: ["REPORTER"], recordInvariant: ["REPORTER"],
  reportIncident: ["REPORTER", "GUARDIAN"],
};

const call = (method: MethodName, args: fc.Arbitrary<Record<string, unknown>>, who?: fc.Arbitrary<string>) => {
  const allowed = ALLOWED[method];
  const w = who ?? (allowed ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...allowed) }, { weight: 1, arbitrary: whoArb }) : whoArb);
  return fc.record({ t: fc.constant("call" as const), method: fc.constant(method), args, who: w, sign: signArb });
};

const N = (extra: Record<string, fc.Arbitrary<unknown>> = {}) => fc.record({ name: nameArb, ...extra });

const descArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("", "d", "Vita recovery v2") },
  { weight: 1, arbitrary: fc.constantFrom("é".repeat(128), "x".repeat(256), "x".repeat(257), "é".repeat(129)) },
);

export const callArbs = {
  init: call("init", fc.record({ admin: fc.constantFrom("ADMIN", "ADMIN2", "OUTSIDER") }), fc.constantFrom("ADMIN", "ADMIN2", "OUTSIDER")),
  grantRole: call("grantRole", fc.record({ role: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 4, max: 255 }) }), account: fc.constantFrom(...ACCOUNT_NAMES) })),
  revokeRole: call("revokeRole", fc.record({ role: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 4, max: 255 }) }), account: fc.constantFrom(...ACCOUNT_NAMES) })),
  createFeature: call("createFeature", fc.record({ name: nameArb, description: descArb, policy: fc.option(policyArb, { freq: 6, nil: null }) })),
  updatePolicy: call("updatePolicy", fc.record({ name: nameArb, policy: policyArb })),
  startCanary: call("startCanary", N({ bps: bpsArb })),
  startRollout: call("startRollout", N({ targetBps: bpsArb })),
  enable: call("enable", N()),
  disable: call("disable", N()),
  pause: call("pause", N()),
  resume: call("resume", N()),
  rollback: call("rollback", N({ reason: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: 7, max: 255 }) }) })),
  setOverride: call("setOverride", N({ account: accountArb, mode: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 2 }) }, { weight: 1, arbitrary: fc.integer({ min: 3, max: 255 }) }) })),
  setGlobal: call("setGlobal", fc.record({ paused: fc.boolean(), halted: fc.boolean() })),
  recordSuccess: call("recordSuccess", N()),
  recordError: call("recordError", N()),
  recordBatch: call("recordBatch", N({ successes: u64Arb, errors: u64Arb })),
  recordCohorts: call("recordCohorts", N({ canarySuccesses: u64Arb, canaryErrors: u64Arb, baseSuccesses: u64Arb, baseErrors: u64Arb })),
  recordLatency: call("recordLatency", N({ value: fc.oneof(fc.bigInt(0n, 10n), u64Arb) })),
  recordInvariant: call("recordInvariant", N({ ok: fc.boolean() })),
  reportIncident: call("reportIncident", N({ reason: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(3, 4) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }) })),
  processRollout: call("processRollout", N()),
  hasRole: call("hasRole", fc.record({ role: fc.integer({ min: 0, max: 5 }), account: fc.constantFrom(...ACCOUNT_NAMES) })),
  isEnabled: call("isEnabled", N({ account: accountArb })),
  isEnabledMany: call("isEnabledMany", N({ accounts: fc.oneof({ weight: 8, arbitrary: fc.array(accountArb, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.constantFrom(1024, 1025).map((n) => Array.from({ length: n }, (_, i) => "0x" + i.toString(16).padStart(40, "0"))) }) })),
  bucketOf: call("bucketOf", N({ account: accountArb })),
  getFeature: call("getFeature", N()),
  getMetrics: call("getMetrics", N()),
  listFeatures: call("listFeatures", fc.record({ startAfter: fc.oneof(fc.constantFrom("", "a", "aa", "b", "zzz", "\u00ff"), fc.constant("q".repeat(65))), limit: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 100, 101)), activeOnly: fc.boolean() })),
  getHistory: call("getHistory", N({ fromSeq: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(0xffffffff)), limit: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 100, 101)) })),
  getGlobal: call("getGlobal", fc.constant({})),
} satisfies Partial<Record<MethodName, fc.Arbitrary<Cmd>>>;

const W: Partial<Record<keyof typeof callArbs, number>> = {
  createFeature: 6, startCanary: 6, startRollout: 6, recordSuccess: 4, recordBatch: 6, recordCohorts: 6, recordError: 3, processRollout: 3,
  updatePolicy: 3, pause: 3, resume: 3, setGlobal: 3, grantRole: 2, revokeRole: 2, init: 1, recordLatency: 4, recordInvariant: 3,
};

/** Bit flips, truncation, extension of a valid encoding (the model decodes what comes out). */
const mutationArb = fc.oneof(
  fc.record({ k: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ k: fc.constant("trunc" as const), at: fc.nat() }),
  fc.record({ k: fc.constant("extend" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 3 }) }),
);
function mutate(bytes: Uint8Array, m: { k: string; at?: number; bit?: number; bytes?: Uint8Array }): Uint8Array {
  if (m.k === "flip") {
    if (bytes.length === 0) return Uint8Array.of(1 << m.bit!);
    const b = bytes.slice();
    b[m.at! % b.length]! ^= 1 << m.bit!;
    return b;
  }
  if (m.k === "trunc") return bytes.length === 0 ? bytes : bytes.slice(0, m.at! % bytes.length);
  const out = new Uint8Array(bytes.length + m.bytes!.length);
  out.set(bytes);
  out.set(m.bytes!, bytes.length);
  return out;
}

const baseCallArb: fc.Arbitrary<Cmd> = fc.oneof(
  ...Object.entries(callArbs).map(([k, arbitrary]) => ({ weight: W[k as keyof typeof callArbs] ?? 1, arbitrary: arbitrary as fc.Arbitrary<Cmd> })),
);

const rawArb: fc.Arbitrary<Cmd> = fc.tuple(baseCallArb, mutationArb).map(([c, m]) => {
  if (c.t !== "call") return c;
  return { t: "raw", method: c.method, hex: Buffer.from(mutate(encode(c), m)).toString("hex"), who: c.who, sign: c.sign } as Cmd;
});

const gapArb: fc.Arbitrary<Cmd> = fc
  .oneof({ weight: 10, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 2, arbitrary: fc.integer({ min: 4, max: 12 }) }, { weight: 1, arbitrary: fc.constantFrom(8640, 8641) })
  .map((n) => ({ t: "gap", n }) as Cmd);

export const cmdArb: fc.Arbitrary<Cmd> = fc.oneof({ weight: 14, arbitrary: baseCallArb }, { weight: 5, arbitrary: gapArb }, { weight: 1, arbitrary: rawArb });

/** A short canary-then-rollout burst, so that rollouts, steps and health rules are reached often. */
const rolloutMacroArb: fc.Arbitrary<Cmd[]> = fc
  .record({
    name: fc.constantFrom(...VALID_NAMES),
    bps: fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.constantFrom(1, 9999)),
    succ: fc.bigInt(0n, 6n),
    err: fc.oneof({ weight: 3, arbitrary: fc.constant(0n) }, { weight: 1, arbitrary: fc.bigInt(1n, 2n) }),
    target: fc.oneof(fc.constant(10000), fc.integer({ min: 1, max: 10000 })),
    /** Report both cohorts (recordCohorts) instead of recordBatch, with this baseline. */
    base: fc.option(fc.record({ s: fc.bigInt(0n, 12n), e: fc.bigInt(0n, 2n) }), { nil: null }),
  })
  .map(({ name, bps, succ, err, target, base }) => {
    const t = target > bps ? target : Math.min(10000, bps + 1 + (target % 500));
    const report: Cmd =
      base === null
        ? { t: "call", method: "recordBatch", args: { name, successes: succ, errors: err }, who: "REPORTER", sign: "self" }
        : { t: "call", method: "recordCohorts", args: { name, canarySuccesses: succ, canaryErrors: err, baseSuccesses: base.s, baseErrors: base.e }, who: "REPORTER", sign: "self" };
    return [
      { t: "call", method: "startCanary", args: { name, bps }, who: "OPERATOR", sign: "self" },
      report,
      { t: "call", method: "startRollout", args: { name, targetBps: t }, who: "OPERATOR", sign: "self" },
    ] as Cmd[];
  });

const cmdsArb: fc.Arbitrary<Cmd[]> = fc
  .array(fc.oneof({ weight: 12, arbitrary: cmdArb.map((c) => [c]) }, { weight: 1, arbitrary: rolloutMacroArb }), { minLength: 1, maxLength: 50, size: "max" })
  .map((xs) => xs.flat().slice(0, 60));

export const scenarioArb = fc.record({
  preInit: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  start: fc.constantFrom(1, 1000, 4294300000),
  /** Features created right after the setup (shrinkable like the commands). */
  creates: fc.uniqueArray(fc.record({ name: fc.constantFrom(...VALID_NAMES), policy: fc.option(policyArb, { freq: 6, nil: null }) }), { selector: (c) => c.name, maxLength: VALID_NAMES.length }),
  cmds: cmdsArb,
});
export type Scenario = { preInit: boolean; start: number; creates?: { name: string; policy: Record<string, unknown> | null }[]; cmds: Cmd[] };

// ------------------------------------------------------------------ encoding

function withAccounts(method: MethodName, args: Record<string, unknown>): Record<string, unknown> {
  const a: Record<string, unknown> = { ...args };
  for (const k of ["admin", "account"]) if (typeof a[k] === "string") a[k] = acct(a[k] as string);
  if (Array.isArray(a.accounts)) a.accounts = (a.accounts as string[]).map(acct);
  if ((method === "createFeature" || method === "updatePolicy") && a.policy != null) a.policy = { ...DEFAULT_POLICY, ...(a.policy as object) };
  return a;
}

export function encode(c: Extract<Cmd, { t: "call" }>): Uint8Array {
  return encodeArgs(c.method, withAccounts(c.method, c.args));
}

// ------------------------------------------------------------------ running

export class Mismatch extends Error {}

function show(v: unknown): string {
  return inspect(v, { depth: 6, breakLength: 140, maxArrayLength: 12 });
}

function same(what: string, expected: unknown, got: unknown, step: number, cmd: unknown): void {
  if (!isDeepStrictEqual(expected, got)) {
    throw new Mismatch(`step ${step} ${show(cmd)}\n  ${what}\n  model (expected): ${show(expected)}\n  contract (got):   ${show(got)}`);
  }
}
function check(cond: boolean, msg: string, step: number, cmd: unknown): void {
  if (!cond) throw new Mismatch(`step ${step} ${show(cmd)}\n  invariant: ${msg}`);
}

export function blockRoot(chain: Chain): string {
  return stateRoot((chain as unknown as { blockOverlay: Parameters<typeof stateRoot>[0] }).blockOverlay);
}

function decodeEvents(r: InvokeResult): unknown[] {
  return r.events.map((e) => decodeTypedEvent(e) ?? { name: e.name, data: "unknown" });
}

/** onPersist events are compared grouped by feature (SPEC fixes no order across features). */
function byFeature(evs: unknown[]): unknown[] {
  return evs
    .map((e, i) => ({ e, i, n: ((e as { data: { name?: string } }).data?.name ?? "") as string }))
    .sort((x, y) => (x.n < y.n ? -1 : x.n > y.n ? 1 : x.i - y.i))
    .map((x) => x.e);
}

export interface RunOptions {
  reuse?: boolean;
  /**
   * Compare the observable state after every step (default true); "features": only
   * getFeature and getMetrics of every name (statistic, run and baseline counters, status,
   * metrics), for long report runs.
   */
  observe?: boolean | "features";
}

export interface RunResult {
  roots: string[];
  finalRoot: string;
  steps: number;
  /** Per name, the heights at which the feature was seen to become RolledBack (observe modes only). */
  rollbacks: { model: Record<string, number[]>; contract: Record<string, number[]> };
  /** Per name, the statistic after every step (model; the contract's is compared equal). */
  statistics: Record<string, bigint[]>;
}

const SETUP: Cmd[] = [
  { t: "call", method: "init", args: { admin: "ADMIN" }, who: "ADMIN", sign: "self" },
  { t: "call", method: "grantRole", args: { role: 1, account: "OPERATOR" }, who: "ADMIN", sign: "self" },
  { t: "call", method: "grantRole", args: { role: 2, account: "GUARDIAN" }, who: "ADMIN", sign: "self" },
  { t: "call", method: "grantRole", args: { role: 3, account: "REPORTER" }, who: "ADMIN", sign: "self" },
];

/** Runs a scenario on the contract and the model; throws Mismatch at the first disagreement. */
export function runScenario(sc: Scenario, opts: RunOptions = {}): RunResult {
  const chain = new Chain(releaseWasm(), undefined, { reuse: opts.reuse ?? true });
  const observe = opts.observe ?? true;
  let model: ModelState = initialState();
  let height = sc.start;
  chain.beginBlock(height);
  const roots: string[] = [];
  const prevHistory = new Map<string, unknown[]>();
  const seen: Seen = { status: new Map(), rollbacks: { model: {}, contract: {} }, statistics: {} };
  const creates: Cmd[] = (sc.creates ?? []).map((c) => ({ t: "call", method: "createFeature", args: { name: c.name, description: "", policy: c.policy }, who: "OPERATOR", sign: "self" }));
  const cmds = sc.preInit ? [...SETUP, ...creates, ...sc.cmds] : sc.cmds;

  cmds.forEach((cmd, step) => {
    if (cmd.t === "gap") {
      const persist = apply(model, { method: "onPersist", args: {}, sender: ACCOUNTS.ZERO!, witnesses: [] }, { height });
      const block = chain.endBlock();
      same("onPersist code", persist.code, block.onPersist.code, step, cmd);
      same("onPersist events", byFeature(persist.events), byFeature(decodeEvents(block.onPersist)), step, cmd);
      checkEvents(persist.events, step, cmd);
      model = persist.state;
      roots.push(block.stateRoot);
      height += cmd.n;
      chain.beginBlock(height);
    } else {
      const method = cmd.method;
      let bytes: Uint8Array;
      let args: Record<string, unknown> | null;
      if (cmd.t === "call") {
        bytes = encode(cmd);
        args = withAccounts(method, cmd.args);
      } else {
        bytes = new Uint8Array(Buffer.from(cmd.hex, "hex"));
        try {
          args = decodeArgs(method, bytes) as Record<string, unknown>;
        } catch {
          args = null;
        }
      }
      const sender = acct(cmd.who);
      const witnesses = cmd.sign === "self" ? [sender] : cmd.sign === "other" ? [ACCOUNTS.ADMIN!] : [];
      const expected =
        args === null
          ? { state: model, code: 1, result: null, events: [] }
          : apply(model, { method, args, sender, witnesses }, { height });
      const isView = METHODS[method].view;
      const before = blockRoot(chain);
      const r = isView ? chain.view(method, bytes, { sender }) : chain.transact(method, bytes, { height, sender, witnesses });
      same(`code of ${method}`, expected.code, r.code, step, cmd);
      if (r.trap !== undefined) throw new Mismatch(`step ${step} ${show(cmd)}: trap ${r.trap}`);
      if (r.ok) {
        same(`result of ${method}`, expected.result, decodeResult(method, r.output), step, cmd);
        same(`events of ${method}`, expected.events, decodeEvents(r), step, cmd);
        checkEvents(expected.events, step, cmd);
      } else {
        // Invariant: a FAULT (any non-zero code, Unauthorized included) changes no stored byte.
        check(blockRoot(chain) === before, `${method} returned ${r.code} but changed stored bytes`, step, cmd);
        check(r.events.length === 0, `${method} returned ${r.code} but kept events`, step, cmd);
      }
      if (isView) check(blockRoot(chain) === before, `view ${method} changed stored bytes`, step, cmd);
      model = expected.state;
    }
    if (observe === "features") observeFeatures(chain, model, height, step, cmd, seen);
    else if (observe) observeState(chain, model, height, step, cmd, prevHistory, seen);
  });
  const block = chain.endBlock();
  roots.push(block.stateRoot);
  return { roots, finalRoot: block.stateRoot, steps: cmds.length, rollbacks: seen.rollbacks, statistics: seen.statistics };
}

/** What the observers remember between steps: the last status per side and name, rollbacks, statistics. */
interface Seen {
  status: Map<string, number | undefined>;
  rollbacks: RunResult["rollbacks"];
  statistics: RunResult["statistics"];
}

type FeatureSeen = { status: number; statistic: bigint } | null;

/** Notes a feature's status (a new RolledBack is a rollback at this height) and its statistic. */
function noteFeature(seen: Seen, name: string, height: number, model: FeatureSeen, contract: FeatureSeen): void {
  for (const [side, f] of [["model", model], ["contract", contract]] as const) {
    const key = `${side}:${name}`;
    const prev = seen.status.get(key);
    if (f && f.status === S.RolledBack && prev !== S.RolledBack) (seen.rollbacks[side][name] ??= []).push(height);
    seen.status.set(key, f?.status);
  }
  if (model) (seen.statistics[name] ??= []).push(model.statistic);
}

/** The light observation: getFeature and getMetrics of every name, model against contract. */
function observeFeatures(chain: Chain, model: ModelState, height: number, step: number, cmd: unknown, seen: Seen): void {
  if (!model.initialized) return;
  for (const name of VALID_NAMES) {
    const exp = apply(model, { method: "getFeature", args: { name }, sender: ACCOUNTS.ZERO!, witnesses: [] }, { height });
    const r = chain.view("getFeature", encodeArgs("getFeature", { name }), VIEW_ZERO);
    same(`observe getFeature ${name} code`, exp.code, r.code, step, cmd);
    const got = r.ok ? decodeResult("getFeature", r.output) : null;
    same(`observe getFeature ${name}`, exp.result, got, step, cmd);
    noteFeature(seen, name, height, exp.result as FeatureSeen, got as FeatureSeen);
    const em = apply(model, { method: "getMetrics", args: { name }, sender: ACCOUNTS.ZERO!, witnesses: [] }, { height });
    const rm = chain.view("getMetrics", encodeArgs("getMetrics", { name }), VIEW_ZERO);
    same(`observe getMetrics ${name}`, [em.code, em.result], [rm.code, rm.ok ? decodeResult("getMetrics", rm.output) : null], step, cmd);
  }
}

function checkEvents(evs: { name: string; data: Record<string, unknown> }[], step: number, cmd: unknown): void {
  for (const e of evs) {
    if (e.name !== "StatusChanged") continue;
    const from = e.data.from as number;
    const to = e.data.to as number;
    check(ALLOWED_EDGES[from]?.includes(to) === true, `StatusChanged ${from}→${to} is not an edge of SPEC section 5`, step, cmd);
  }
}

const VIEW_ZERO = { sender: ACCOUNTS.ZERO! };
const OBS_ACCOUNTS = [ACCOUNTS.ADMIN!, ACCOUNTS.OUTSIDER!, ACCOUNTS.ZERO!, account(0x42)];

/** Compares every view of the observable state, and checks the state invariants. */
function observeState(chain: Chain, model: ModelState, height: number, step: number, cmd: unknown, prevHistory: Map<string, unknown[]>, seen: Seen): void {
  const v = (method: MethodName, args: Record<string, unknown>) => {
    const exp = apply(model, { method, args, sender: ACCOUNTS.ZERO!, witnesses: [] }, { height });
    const r = chain.view(method, encodeArgs(method, args), VIEW_ZERO);
    same(`observe ${method} ${show(args)} code`, exp.code, r.code, step, cmd);
    const got = r.ok ? decodeResult(method, r.output) : null;
    if (r.ok) same(`observe ${method} ${show(args)}`, exp.result, got, step, cmd);
    return got;
  };
  v("getGlobal", {});
  if (!model.initialized) return;
  for (const name of VALID_NAMES) {
    const f = v("getFeature", { name }) as { status: number; rolloutBps: number; targetBps: number; statistic: bigint } | null;
    noteFeature(seen, name, height, (apply(model, { method: "getFeature", args: { name }, sender: ACCOUNTS.ZERO!, witnesses: [] }, { height }).result ?? null) as FeatureSeen, f);
    v("getMetrics", { name });
    const hist = (v("getHistory", { name, fromSeq: 0, limit: 100 }) ?? []) as { seq: number; from: number; to: number }[];
    for (const acc of OBS_ACCOUNTS) v("isEnabled", { name, account: acc });
    if (f) {
      check(f.rolloutBps >= 0 && f.rolloutBps <= 10000, `${name}: rolloutBps ${f.rolloutBps} outside 0..10000`, step, cmd);
      if (f.status === S.RollingOut) check(f.rolloutBps <= f.targetBps, `${name}: RollingOut with rolloutBps ${f.rolloutBps} > targetBps ${f.targetBps}`, step, cmd);
    }
    hist.forEach((e, i) => {
      check(e.seq === i, `${name}: history seq ${e.seq} at index ${i}`, step, cmd);
      check(ALLOWED_EDGES[e.from]?.includes(e.to) === true, `${name}: history edge ${e.from}→${e.to} not in SPEC section 5`, step, cmd);
      if (i > 0) check(e.from === hist[i - 1]!.to, `${name}: history entry ${i} starts from ${e.from}, previous ended at ${hist[i - 1]!.to}`, step, cmd);
    });
    const prev = prevHistory.get(name) ?? [];
    check(isDeepStrictEqual(prev, hist.slice(0, prev.length)), `${name}: history is not append-only`, step, cmd);
    prevHistory.set(name, hist);
  }
  v("listFeatures", { startAfter: "", limit: 100, activeOnly: false });
  v("listFeatures", { startAfter: "", limit: 100, activeOnly: true });
  for (const k of ACCOUNT_NAMES) for (let role = 0; role < 4; role++) v("hasRole", { role, account: ACCOUNTS[k]! });
}

export const isViewMethod = (m: string): boolean => VIEW_METHODS.has(m);

/** The longest (initialized) of the first 20 scenarios the generator gives for `seed`: one fixed, rich sequence per seed. */
export function pickScenario(seed: number): Scenario {
  const all = fc.sample(scenarioArb, { seed, numRuns: 20 }) as Scenario[];
  return all.filter((s) => s.preInit).sort((a, b) => b.cmds.length - a.cmds.length)[0]!;
}

/** One step of a model-only run: the command, its code, and the model's state after it. */
export interface ModelStep {
  cmd: Cmd;
  code: number;
  state: ModelState;
  events: { name: string; data: Record<string, unknown> }[];
}

/** Runs a scenario on the model alone (no module): what a generator reaches, measured without the contract. */
export function runModel(sc: Scenario): ModelStep[] {
  let model: ModelState = initialState();
  let height = sc.start;
  const creates: Cmd[] = (sc.creates ?? []).map((c) => ({ t: "call", method: "createFeature", args: { name: c.name, description: "", policy: c.policy }, who: "OPERATOR", sign: "self" }));
  const cmds = sc.preInit ? [...SETUP, ...creates, ...sc.cmds] : sc.cmds;
  const out: ModelStep[] = [];
  for (const cmd of cmds) {
    if (cmd.t === "gap") {
      const o = apply(model, { method: "onPersist", args: {}, sender: ACCOUNTS.ZERO!, witnesses: [] }, { height });
      model = o.state;
      height += cmd.n;
      out.push({ cmd, code: o.code, state: model, events: o.events });
    } else if (cmd.t === "call") {
      const sender = acct(cmd.who);
      const witnesses = cmd.sign === "self" ? [sender] : cmd.sign === "other" ? [ACCOUNTS.ADMIN!] : [];
      const o = apply(model, { method: cmd.method, args: withAccounts(cmd.method, cmd.args), sender, witnesses }, { height });
      model = o.state;
      out.push({ cmd, code: o.code, state: model, events: o.events });
    }
  }
  return out;
}
