// Helpers of the health, steps and seed-defect contract tests (tests/contract/health.test.ts,
// steps.test.ts, seed-defects.test.ts): setup of features at known heights and block helpers
// that keep the block's events. (Their seeded PRNG is tests/helpers/prng.ts.)

import { expect } from "vitest";
import type { BlockResult } from "../../src/host/chain.ts";
import type { RawEvent } from "../../src/host/types.ts";
import {
  Analysis,
  Status,
  decodeTypedEvent,
  type CanaryClient,
  type FeatureView,
  type HistoryEntry,
  type PolicyInput,
  type TxResult,
  type TypedEvent,
} from "../../src/client/index.ts";
import { OPERATOR, REPORTER, endBlock, featureOf as feature, initializedChain, type Fixture } from "../helpers/contract.ts";

export const U64_MAX = (1n << 64n) - 1n;
export const U32_MAX = 0xffffffff;

// ------------------------------------------------------------------ results and blocks

/** The result when ok; otherwise fails the test with the method, code name and trap. */
export function ok<R>(r: TxResult<R>): TxResult<R> {
  if (!r.ok) throw new Error(`${r.method} failed: ${r.codeName}${r.trap ? ` (trap: ${r.trap})` : ""}`);
  return r;
}

/** Expects a failure with the given code name, and no trap. */
export function fails(r: TxResult, codeName: string): void {
  expect(r.trap, `${r.method} trapped`).toBeUndefined();
  expect(r.codeName, `${r.method}`).toBe(codeName);
  expect(r.ok).toBe(false);
}

/** Ends the open block (running onPersist), opens `next`, and returns the ended block. */
export function closeBlock(fx: Fixture, next: number): BlockResult {
  return endBlock(fx, next);
}

/** Raw-form events (enums as numbers) of a block or transaction. */
export function typed(events: readonly RawEvent[]): TypedEvent[] {
  return events.map((e) => {
    const t = decodeTypedEvent(e);
    if (!t) throw new Error(`unknown event ${e.name}`);
    return t;
  });
}

/**
 * Runs every block from the open one up to `to` − 1 (each ends with onPersist) and opens
 * `to`. Unlike `goTo`, which skips the heights in between, every height gets its block.
 */
export function walkTo(fx: Fixture, to: number): void {
  for (let h = height(fx) + 1; h <= to; h++) fx.goTo(h);
}

export function height(fx: Fixture): number {
  const h = fx.chain.currentHeight;
  if (h === undefined) throw new Error("no open block");
  return h;
}

// ------------------------------------------------------------------ features

/** Rules that can never fire (threshold 100 %, unlimited invariant failures, latency off). */
export const LAX: PolicyInput = {
  analysis: 0,
  maxErrorRateBps: 10000,
  maxInvariantFailures: U32_MAX,
  maxAvgLatency: 0,
  maxPeakLatency: 0,
  minSuccessCount: 0,
};

/** A fresh chain (init + roles in block 1) with block `at` open. */
export function chainAt(at = 10): Fixture {
  const fx = initializedChain();
  if (at > 1) fx.goTo(at);
  return fx;
}

/**
 * createFeature + startCanary(bps) in the open block. The policy's analysis is Threshold
 * unless it says otherwise (these tests were written when Threshold was the default; what
 * they pin is the rule they name, so they name it).
 */
export function canary(fx: Fixture, name: string, policy: PolicyInput = {}, bps = 500): void {
  ok(fx.client.createFeature(OPERATOR, name, "", { analysis: Analysis.Threshold, ...policy }));
  ok(fx.client.startCanary(OPERATOR, name, bps));
}

/**
 * createFeature + startCanary(bps) + enough successes for minSuccessCount + startRollout(target),
 * all in the open block. Returns the height the rollout started at.
 */
export function rollingOut(
  fx: Fixture,
  name: string,
  policy: PolicyInput = {},
  opts: { canaryBps?: number; target?: number } = {},
): number {
  canary(fx, name, policy, opts.canaryBps ?? 500);
  const need = BigInt(fx.client.getFeature(name)!.policy.minSuccessCount);
  if (need > 0n) ok(fx.client.recordBatch(REPORTER, name, need, 0));
  ok(fx.client.startRollout(OPERATOR, name, opts.target ?? 10000));
  const f = fx.client.getFeature(name)!;
  expect(f.status).toBe(Status.RollingOut);
  return height(fx);
}

/**
 * Runs every block up to `at` − 1 (each with its onPersist) and expects no step yet, then
 * closes block `at` and expects its onPersist to have taken the step (`fromBps` → `toBps`).
 */
export function expectStepAt(fx: Fixture, name: string, at: number, fromBps = 500, toBps = 1500): void {
  walkTo(fx, at);
  expect(feature(fx.client, name).rolloutBps).toBe(fromBps);
  closeBlock(fx, at + 1);
  expect(feature(fx.client, name)).toMatchObject({ rolloutBps: toBps, lastStepBlock: at });
}

export { feature };

export function history(client: CanaryClient, name: string): HistoryEntry[] {
  return client.getAllHistory(name);
}

export function lastHistory(client: CanaryClient, name: string): HistoryEntry {
  const h = client.getAllHistory(name);
  if (h.length === 0) throw new Error(`no history for ${name}`);
  return h[h.length - 1]!;
}

export { hex0x as hex } from "../helpers/bytes.ts";

/** The StatusChanged events (raw form) among `events`. */
export function statusChanges(events: readonly RawEvent[]) {
  return typed(events).filter((e) => e.name === "StatusChanged").map((e) => e.data as { name: string; from: number; to: number; rolloutBps: number; reason: number | null });
}

export function advances(events: readonly RawEvent[]) {
  return typed(events).filter((e) => e.name === "RolloutAdvanced").map((e) => e.data as { name: string; fromBps: number; toBps: number });
}

/** recordCohorts (Reporter by default): the canary's and the baseline's successes and errors. */
export function cohorts(
  fx: Fixture,
  name: string,
  canarySuccesses: bigint | number,
  canaryErrors: bigint | number,
  baseSuccesses: bigint | number,
  baseErrors: bigint | number,
  signer: Uint8Array = REPORTER,
): TxResult<null> {
  return fx.client.transact("recordCohorts", { name, canarySuccesses, canaryErrors, baseSuccesses, baseErrors }, signer);
}

/** The run part of a FeatureView: run and baseline counters, the statistic. */
export function runOf(client: CanaryClient, name: string) {
  const f = feature(client, name);
  return { runSuccesses: f.runSuccesses, runErrors: f.runErrors, baseSuccesses: f.baseSuccesses, baseErrors: f.baseErrors, statistic: f.statistic };
}
