// Helpers for the contract tests (lifecycle, errors, roles, atomicity, corruption): driving a
// feature to a starting status with the real contract, sending raw transactions, and checking
// that a rejected call changed nothing.

import { expect } from "vitest";
import type { MethodName } from "../../src/abi/methods.ts";
import { METHODS } from "../../src/abi/methods.ts";
import { stateRoot, type InvokeResult, type Store } from "../../src/host/index.ts";
import {
  accountHex,
  decodeTypedEvent,
  encodeArgs,
  errorName,
  type ErrorCodeName,
  type FeatureView,
  type HistoryEntry,
  type MethodArgs,
  type Metrics,
  type PolicyInput,
  type Signer,
  type TypedEvent,
} from "../../src/client/index.ts";
import {
  ADMIN,
  GUARDIAN,
  OPERATOR,
  REPORTER,
  endBlock,
  featureOf,
  initializedChain,
  metricsOf,
  must,
  type Fixture,
} from "../helpers/contract.ts";

export { ADMIN, GUARDIAN, OPERATOR, REPORTER };
export { OUTSIDER, account, emptyChain, initializedChain, type Fixture } from "../helpers/contract.ts";

/** The feature every test drives. */
export const F = "feat";

/**
 * A policy small enough to drive by hand: 2 successes unlock a rollout, 2 samples give a
 * verdict, and a step dwells 1000 blocks (far beyond every test's call height, so no step
 * falls due unless a test wants one).
 */
export const TEST_POLICY: PolicyInput = { incrementBlocks: 1000, minSamples: 2, minSuccessCount: 2 };

/** Heights the builders use; the call under test runs in block CALL_HEIGHT. */
export const H_CREATE = 10;
export const H_CANARY = 20;
export const H_NEXT = 30;
export const H_PAUSE = 40;
export const CALL_HEIGHT = 100;

/** The bps a built Canary runs at, the target of a built rollout, the reason of a built rollback. */
export const CANARY_BPS = 500;
export const ROLLOUT_TARGET = 3000;
export const BUILT_ROLLBACK_REASON = 5; // Performance

export const hexOf = (a: Uint8Array): string => accountHex(a);

export const START_STATUSES = [
  "Disabled",
  "Canary",
  "CanaryPaused",
  "RollingOut",
  "RollingOutPaused",
  "Enabled",
  "RolledBack",
] as const;
export type Start = (typeof START_STATUSES)[number];

/** The Status tag of a starting status. */
export const STATUS_OF: Record<Start, number> = {
  Disabled: 0,
  Canary: 1,
  CanaryPaused: 1,
  RollingOut: 2,
  RollingOutPaused: 2,
  Enabled: 3,
  RolledBack: 4,
};

// ---------------------------------------------------------------- sending

export interface Sent {
  code: number;
  /** errorName(code): "Ok", "InvalidTransition", "Fault", … */
  codeName: string;
  ok: boolean;
  /** The events the host reported for the call, decoded (raw form). */
  events: TypedEvent[];
  raw: InvokeResult;
}

function sent(r: InvokeResult): Sent {
  return {
    code: r.code,
    codeName: errorName(r.code),
    ok: r.ok,
    events: r.events.map((e) => {
      const t = decodeTypedEvent(e);
      if (t === null) throw new Error(`unknown event ${e.name}`);
      return t;
    }),
    raw: r,
  };
}

/** Runs `method` as a transaction of the open block, straight on the chain (events seen even on failure). */
export function send<M extends MethodName>(fx: Fixture, method: M, args: MethodArgs[M], signer: Signer): Sent {
  return sendRaw(fx, method, encodeArgs(method, args), signer);
}

/** Runs `method` with hand-made argument bytes; views run read-only. */
export function sendRaw(fx: Fixture, method: MethodName, bytes: Uint8Array, signer: Signer): Sent {
  const ctx = fx.client.context(signer, method);
  if (METHODS[method].view) return sent(fx.chain.view(method, bytes, { sender: ctx.sender, witnesses: ctx.witnesses }));
  return sent(fx.chain.transact(method, bytes, ctx));
}

/** Runs a view method read-only. */
export function view<M extends MethodName>(fx: Fixture, method: M, args: MethodArgs[M]): Sent {
  return sent(fx.chain.view(method, encodeArgs(method, args)));
}

export { endBlock, must };

// ---------------------------------------------------------------- observing state

/** The private block overlay of the chain: committed store plus the open block's kept writes. */
function liveStore(fx: Fixture): Store {
  const o = (fx.chain as unknown as { blockOverlay?: Store }).blockOverlay;
  if (!o || typeof (o as Partial<Store>).entries !== "function") throw new Error("Chain has no blockOverlay: update liveRoot()");
  return o;
}

/** The state root of everything kept so far, the open block's kept transactions included. */
export function liveRoot(fx: Fixture): string {
  return stateRoot(liveStore(fx));
}

/** Every (key hex → value hex) pair kept so far, for readable diffs. */
export function liveEntries(fx: Fixture): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of liveStore(fx).entries()) m.set(Buffer.from(k).toString("hex"), Buffer.from(v).toString("hex"));
  return m;
}

const rawView = (fx: Fixture, method: MethodName, args: unknown) => {
  const r = fx.chain.view(method, encodeArgs(method, args as never));
  return `${r.code}:${Buffer.from(r.output).toString("hex")}`;
};

/** What a caller can see of `names` (raw view outputs) and the state root. */
export function observe(fx: Fixture, names: readonly string[] = [F]) {
  const features: Record<string, { feature: string; metrics: string; history: string }> = {};
  for (const name of names) {
    features[name] = {
      feature: rawView(fx, "getFeature", { name }),
      metrics: rawView(fx, "getMetrics", { name }),
      history: rawView(fx, "getHistory", { name, fromSeq: 0, limit: 100 }),
    };
  }
  return { root: liveRoot(fx), global: rawView(fx, "getGlobal", {}), features };
}

/**
 * Runs `run`, which must fail with `expected` (by name), emit no event and change nothing:
 * the same state root, the same getFeature/getMetrics/getHistory of `names`.
 */
export function expectRejected(fx: Fixture, expected: ErrorCodeName, run: () => Sent, names: readonly string[] = [F]): Sent {
  const before = observe(fx, names);
  const r = run();
  expect(r.codeName, `expected ${expected}`).toBe(expected);
  expect(r.ok).toBe(false);
  expect(r.events).toEqual([]);
  expect(observe(fx, names)).toEqual(before);
  return r;
}

export function feature(fx: Fixture, name = F): FeatureView {
  return featureOf(fx.client, name);
}

export function metrics(fx: Fixture, name = F): Metrics {
  return metricsOf(fx.client, name);
}

export function history(fx: Fixture, name = F): HistoryEntry[] {
  return fx.client.getAllHistory(name);
}

// ---------------------------------------------------------------- driving


/**
 * A chain (roles granted in block 1) with feature F created at H_CREATE with `policy` and driven
 * through the real contract to `start`; returned with block CALL_HEIGHT open and everything
 * before it committed.
 *
 * - Canary: startCanary(500) at H_CANARY, then 3 successes reported (window successes 3).
 * - RollingOut: Canary, then startRollout(3000) at H_NEXT and 1 success reported.
 * - Enabled: Canary, then enable at H_NEXT.
 * - RolledBack: Canary, then rollback(Performance) at H_NEXT (window kept: 3 successes).
 * - …Paused: the same, then pause by the Guardian at H_PAUSE.
 */
export function chainAt(start: Start, policy: PolicyInput = TEST_POLICY, callHeight = CALL_HEIGHT): Fixture {
  const fx = initializedChain();
  const c = fx.client;
  fx.goTo(H_CREATE);
  must(c.createFeature(OPERATOR, F, "the feature", policy));
  if (start !== "Disabled") {
    fx.goTo(H_CANARY);
    must(c.startCanary(OPERATOR, F, CANARY_BPS));
    must(c.recordBatch(REPORTER, F, 3, 0));
    fx.goTo(H_NEXT);
    if (start === "RollingOut" || start === "RollingOutPaused") {
      must(c.startRollout(OPERATOR, F, ROLLOUT_TARGET));
      must(c.recordBatch(REPORTER, F, 1, 0));
    } else if (start === "Enabled") {
      must(c.enable(OPERATOR, F));
    } else if (start === "RolledBack") {
      must(c.rollback(GUARDIAN, F, BUILT_ROLLBACK_REASON));
    }
    if (start === "CanaryPaused" || start === "RollingOutPaused") {
      fx.goTo(H_PAUSE);
      must(c.pause(GUARDIAN, F));
    }
  }
  fx.goTo(callHeight);
  const v = feature(fx);
  if (v.status !== STATUS_OF[start] || v.paused !== start.endsWith("Paused")) {
    throw new Error(`chainAt(${start}): got status ${v.status}, paused ${v.paused}`);
  }
  return fx;
}

// ---------------------------------------------------------------- storage keys (docs: assembly/keys.ts)

const enc = new TextEncoder();
const u32be = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

export const KEY = {
  feature: (name: string) => Uint8Array.from([0xd0, ...enc.encode(name), 0]),
  history: (name: string, seq: number) => Uint8Array.from([0xd2, ...enc.encode(name), 0, ...u32be(seq)]),
  override: (name: string, acct: Uint8Array) => Uint8Array.from([0xd3, ...enc.encode(name), 0, ...acct]),
  global: () => Uint8Array.from([0xd4]),
  roles: (acct: Uint8Array) => Uint8Array.from([0xd5, ...acct]),
  meta: () => Uint8Array.from([0xd6]),
  due: (dueAt: number, name: string) => Uint8Array.from([0xd7, ...u32be(dueAt), ...enc.encode(name), 0]),
  active: (name: string) => Uint8Array.from([0xd8, ...enc.encode(name), 0]),
};

/** Every committed key with `prefix` (hex), to find index entries. */
export function keysWithPrefix(fx: Fixture, prefix: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [k] of fx.chain.store.entries()) if (k[0] === prefix) out.push(k);
  return out;
}

/**
 * Rewrites a committed value between blocks: ends the open block, changes the store (null
 * deletes), opens the next block. `change` gets the current value (undefined when absent).
 */
export function tamper(fx: Fixture, key: Uint8Array, change: (v: Uint8Array | undefined) => Uint8Array | null): void {
  const h = fx.chain.currentHeight;
  if (h === undefined) throw new Error("tamper: no open block");
  fx.chain.endBlock();
  const next = change(fx.chain.store.get(key));
  if (next === null) fx.chain.store.delete(key);
  else fx.chain.store.put(key, next);
  fx.chain.beginBlock(h + 1);
}

// ---------------------------------------------------------------- raw argument bytes

/** Valid argument bytes with the content of the Borsh String `s` (found by its length prefix) replaced. */
export function replaceString(bytes: Uint8Array, s: string, replacement: Uint8Array): Uint8Array {
  const sb = enc.encode(s);
  const needle = [sb.length & 0xff, (sb.length >>> 8) & 0xff, (sb.length >>> 16) & 0xff, sb.length >>> 24, ...sb];
  for (let i = 0; i + needle.length <= bytes.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b)) {
      const out = new Uint8Array(bytes.length - sb.length + replacement.length);
      out.set(bytes.subarray(0, i));
      out.set([replacement.length & 0xff, (replacement.length >>> 8) & 0xff, (replacement.length >>> 16) & 0xff, replacement.length >>> 24], i);
      out.set(replacement, i + 4);
      out.set(bytes.subarray(i + 4 + sb.length), i + 4 + replacement.length);
      return out;
    }
  }
  throw new Error(`string ${JSON.stringify(s)} not found in the argument bytes`);
}

/** A copy of `bytes` with byte `at` (negative: from the end) set to `v`. */
export function withByte(bytes: Uint8Array, at: number, v: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at < 0 ? out.length + at : at] = v;
  return out;
}

export { concat } from "../helpers/bytes.ts";
