// CanaryReporter: an application's outcomes (success, error, latency) aggregated per feature
// and sent to the contract as one recordCohorts (and at most one recordLatency) transaction
// per feature per interval, instead of one transaction per outcome (issue 18, item 3).
//
// Classification. Each outcome is classified by the provider's local evaluation, the same
// rule as the contract's isEnabled (evaluate.ts): an account that sees the feature is in the
// canary cohort, one that does not is baseline. An unknown feature or a string that is not an
// account ("0x" + 40 hex) cannot be classified: the outcome is dropped and counted in
// `stats.dropped`. So is an outcome for a feature the snapshot shows Disabled or RolledBack
// (the contract refuses every report for it with FeatureDisabled), and one for a new feature
// once `maxFeatures` features are being counted.
//
// What is sent, per feature and interval (every `intervalMs`, and on flush/close):
//   recordCohorts(name, canarySuccesses, canaryErrors, baseSuccesses, baseErrors)
//   recordLatency(name, value)  — only when exposed accounts reported latencies:
//     value = the interval's mean, floored; or, when the policy's maxPeakLatency is not 0 and
//     the interval's peak exceeds it, the peak (so the contract's peak rule fires exactly as
//     it would on the single samples). The contract's average rule (maxAvgLatency) then sees
//     one sample per interval: it compares the mean of the interval means, not of the raw
//     samples (equal when intervals hold as many samples each).
//   Latencies of baseline accounts are not sent: they measure the old behaviour (counted in
//   `stats.baselineLatencies`). A latency is not an outcome: report success/error as well.
//
// Memory is bounded: counters per feature only (no per-account or per-outcome state), at most
// `maxFeatures` features at a time (idle ones are forgotten at each interval), at most one
// batch in flight per feature (outcomes that arrive meanwhile go into the next one). A count
// saturates at 2^53 − 1 per interval (Number.MAX_SAFE_INTEGER: beyond any real interval, and
// every count stays an exact integer; the contract's own u64 counters saturate at 2^64 − 1).
// The latency sum is exact: when it would pass 2^53 − 1 it moves into a bigint.
//
// Sending. A batch is signed once, with a fixed nonce, and its counts are frozen. The
// reporter's transactions form one queue in nonce order (the node's nonces are strictly
// consecutive per account, docs/NODE.md). A send that fails or times out is retried with
// backoff with the same signed transaction (same hash): if the node had accepted it, it says
// NonceTooLow and getTransaction(hash) finds it, so nothing is counted twice. A transaction
// is re-signed (same counts, new nonce or validUntilBlock) only when the node proves the old
// one can never be included — its nonce taken by another transaction of the key, or its
// validUntilBlock passed — and only after getTransaction(hash) found no copy of it. An
// Expired answer names the height that would include the transaction (a backed-up mempool):
// the re-signed one is valid for validForBlocks from there (capped by the node's limit); from
// a batch's second Expired on, each re-sign waits the retry backoff. A transaction the node
// lost (a restart drops its pending transactions) is sent again as it was. A transaction
// included with FAULT (FeatureDisabled, Unauthorized, …) is logged and its outcomes dropped
// (counted): never retried. Use the Reporter key for this reporter only: another sender of the
// same key makes the reporter re-sign (safely, but with extra round trips).
//
// OpenFeature: `track(eventName, context, details)` accepts "canary.success",
// "canary.error" and "canary.latency" (details `{ feature, value? }`, account =
// context.targetingKey); the constructor attaches the reporter to the provider when it can
// (`provider.attachReporter`), so `client.track("canary.error", { targetingKey }, { feature })`
// on an OpenFeature client feeds it.
//
// Accounting. Every outcome counted (stats.canary + baseline + latencies) ends in exactly one
// of stats.included (its transaction included with HALT) or a drop after counting
// (stats.dropped.disabledBeforeSending, faulted, refused, abandoned), or is still
// `reporter.pending`. After close() nothing is pending: what was not confirmed included by
// then — in a transaction, or counted and not batched yet — is dropped.abandoned.
//
// After close() every call (success, error, latency, track, flush) is ignored.

import type { EvaluationContext, Logger, TrackingEventDetails } from "@openfeature/server-sdk";
import { isOff } from "../client/enums.ts";
import { errorName } from "../client/errors.ts";
import { encodeArgs } from "../client/schema.ts";
import { RpcCode, RpcError } from "../node/errors.ts";
import { NodeRpc, type TxAnswer } from "../node/client.ts";
import { NodeKey } from "../node/keys.ts";
import { Keystore, defaultKeystorePath } from "../node/keystore.ts";
import { signTx, type TxJson } from "../node/tx.ts";
import type { FlagFeature } from "./evaluate.ts";

/** The OpenFeature `track` event names the reporter accepts. */
export const TRACK_EVENTS = Object.freeze({
  success: "canary.success",
  error: "canary.error",
  latency: "canary.latency",
});

/** What the reporter reads of a snapshot (FlagSnapshot has it). */
export interface ReporterSnapshot {
  exposed(flagKey: string, account: string): boolean | undefined;
  feature(name: string): Pick<FlagFeature, "status" | "policy"> | undefined;
}

/** What the reporter needs of a provider (CanaryProvider has it). */
export interface ReporterProvider {
  /** The current snapshot; undefined before the first load (outcomes are then dropped). */
  readonly snapshot: ReporterSnapshot | undefined;
  /** The provider's node (CanaryProvider's FlagSync): its URL is the default of `options.node`. */
  readonly sync?: { readonly url: string };
  /** Forwards the provider's OpenFeature track() calls to `reporter`. */
  attachReporter?(reporter: { track(eventName: string, context: EvaluationContext, details: TrackingEventDetails): void }): void;
}

export interface CanaryReporterOptions {
  provider: ReporterProvider;
  /** JSON-RPC URL of the node (default: the provider's). */
  node?: string;
  /** The Reporter key: a NodeKey, or the name of an entry of the keystore. */
  key: NodeKey | string;
  /** Keystore file for a key given by name (default defaultKeystorePath(): $CANARY_KEYSTORE or ~/.canary/keys.json). */
  keystore?: string;
  /** Milliseconds between sends (default 5000; the timer does not keep the process alive). */
  intervalMs?: number;
  /** Features counted at a time at most (default 1024). */
  maxFeatures?: number;
  /** How long flush() (and close()) wait for the batches to be included (default 30000 ms). */
  flushTimeoutMs?: number;
  /** Backoff between retries of a failed send: from minMs doubling to maxMs (default 100..5000). */
  retry?: { minMs?: number; maxMs?: number };
  /** Per JSON-RPC request (default 5000 ms). */
  requestTimeoutMs?: number;
  /**
   * validUntilBlock = height + this, capped by the node's limit (default 1000 blocks); after an
   * Expired answer, counted from the inclusion height the node named when that is later.
   */
  validForBlocks?: number;
  /** Where failures are logged (OpenFeature's Logger shape; default: console, warnings and errors only). */
  logger?: Logger;
}

/** Counters of what the reporter did with what it was given (all monotone). */
export interface ReporterStats {
  /** success/error outcomes counted, by cohort. */
  canary: number;
  baseline: number;
  /** Latencies of exposed accounts counted; baseline latencies seen and not sent. */
  latencies: number;
  baselineLatencies: number;
  /** Outcomes (and latencies) not sent, by why. */
  dropped: {
    /** The provider had no snapshot yet. */
    noSnapshot: number;
    /** No such feature in the snapshot. */
    unknownFeature: number;
    /** The account is not "0x" + 40 hex digits. */
    invalidAccount: number;
    /** A latency that is not a non-negative safe integer; a track() detail without a feature. */
    invalidValue: number;
    /** The feature is Disabled or RolledBack in the snapshot when reported (not counted in canary/baseline/latencies). */
    disabled: number;
    /** Counted, then the snapshot showed the feature Disabled or RolledBack when its batch was to form: not sent. */
    disabledBeforeSending: number;
    /** maxFeatures features were being counted already. */
    overflow: number;
    /** In a transaction included with FAULT (e.g. FeatureDisabled, Unauthorized). */
    faulted: number;
    /** In a transaction the node refused for good (a malformed or wrongly signed one). */
    refused: number;
    /** Not confirmed included when close() gave up waiting: in a transaction still unsent or pending, or not batched yet. */
    abandoned: number;
  };
  /**
   * success/error outcomes and latencies in transactions included with HALT: the contract
   * counted them. Every outcome counted (canary + baseline + latencies) ends in exactly one of
   * included, dropped.disabledBeforeSending, dropped.faulted, dropped.refused or
   * dropped.abandoned, or is still `reporter.pending`.
   */
  included: number;
  /** track() calls with an event name that is not one of TRACK_EVENTS. */
  unknownEvents: number;
  batches: { formed: number; included: number; faulted: number; refused: number; abandoned: number };
  transactions: {
    /** Signatures made (a re-signed transaction counts again). */
    signed: number;
    /** Sends of a transaction already signed: a retry after a failure, or after the node lost it. */
    resent: number;
    /** Re-signed because the old nonce was taken or validUntilBlock passed (and the old one was nowhere). */
    resigned: number;
    included: number;
    faulted: number;
  };
  /** Failed attempts (the node unreachable, busy, …) followed by a backoff. */
  retries: number;
  /** Features being counted now. */
  features: number;
}

// ------------------------------------------------------------------------ internals

const MAX_COUNT = Number.MAX_SAFE_INTEGER;
const SUCCESS = 0;
const ERROR = 1;
const LATENCY = 2;

/** One feature's counters for the current interval, and its batch in flight (at most one). */
class FeatureCounters {
  canarySuccesses = 0;
  canaryErrors = 0;
  baseSuccesses = 0;
  baseErrors = 0;
  latencyCount = 0;
  /** The latency sum is latencySumHigh + latencySum (the number part stays ≤ 2^53 − 1). */
  latencySum = 0;
  latencySumHigh = 0n;
  latencyPeak = 0;
  inFlight: Batch | null = null;
  constructor(readonly name: string) {}

  /** success/error outcomes and latencies counted this interval. */
  get outcomes(): number {
    return this.canarySuccesses + this.canaryErrors + this.baseSuccesses + this.baseErrors + this.latencyCount;
  }

  get empty(): boolean {
    return this.outcomes === 0;
  }

  reset(): void {
    this.canarySuccesses = this.canaryErrors = this.baseSuccesses = this.baseErrors = 0;
    this.latencyCount = this.latencySum = this.latencyPeak = 0;
    this.latencySumHigh = 0n;
  }
}

/**
 * A transaction's progress: not accepted yet (NEW), accepted and not included (SENT),
 * included (DONE), refused for good and never to be sent (DROPPED).
 */
const NEW = 0;
const SENT = 1;
const DONE = 2;
const DROPPED = 3;

interface QueuedTx {
  batch: Batch;
  method: "recordCohorts" | "recordLatency";
  args: Uint8Array;
  /** The outcomes it carries: success/error outcomes (recordCohorts) or latencies (recordLatency). */
  outcomes: number;
  /** Where its outcomes were counted (stats.included or a stats.dropped reason), once; "" until then. */
  ended: "" | "included" | "faulted" | "refused" | "abandoned";
  /** Set by signing; cleared when the transaction must be re-signed. */
  signed: { json: TxJson; hash: string; nonce: number; validUntilBlock: number } | null;
  state: number;
  /** True once a send of this signed transaction was attempted (the next send is a resend). */
  attempted: boolean;
  expectedHeight: number;
  /** True once a ValidUntilTooFar refusal made the reporter ask the node for its limit again. */
  limitRefreshed: boolean;
}

interface Batch {
  feature: FeatureCounters;
  txs: QueuedTx[];
  /** One of its transactions was included with FAULT, or refused for good. */
  failed: "" | "faulted" | "refused";
  /** Expired answers to its transactions that no copy at the node explained (from the second on, back off). */
  expired: number;
  settled: boolean;
  done: Promise<void>;
  resolve: () => void;
}

const consoleLogger: Logger = {
  error: (...a: unknown[]) => console.error("canary reporter:", ...a),
  warn: (...a: unknown[]) => console.warn("canary reporter:", ...a),
  info: () => {},
  debug: () => {},
};

function positiveInt(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) throw new RangeError(`CanaryReporter: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

/**
 * Aggregates outcomes per feature and cohort and reports them to the contract in batches.
 * See the file's header for what is sent, when, and the guarantees.
 */
export class CanaryReporter {
  /** Counters of outcomes, drops, batches and transactions (read them; never written by callers). */
  readonly stats: ReporterStats = {
    canary: 0,
    baseline: 0,
    latencies: 0,
    baselineLatencies: 0,
    dropped: { noSnapshot: 0, unknownFeature: 0, invalidAccount: 0, invalidValue: 0, disabled: 0, disabledBeforeSending: 0, overflow: 0, faulted: 0, refused: 0, abandoned: 0 },
    included: 0,
    unknownEvents: 0,
    batches: { formed: 0, included: 0, faulted: 0, refused: 0, abandoned: 0 },
    transactions: { signed: 0, resent: 0, resigned: 0, included: 0, faulted: 0 },
    retries: 0,
    features: 0,
  };
  /** The Reporter account ("0x" + 40 hex) that signs the batches. */
  readonly account: string;
  readonly intervalMs: number;
  readonly maxFeatures: number;

  private readonly provider: ReporterProvider;
  private readonly key: NodeKey;
  private readonly rpc: NodeRpc;
  private readonly logger: Logger;
  private readonly flushTimeoutMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly validForBlocks: number;
  private readonly counters = new Map<string, FeatureCounters>();
  /** Transactions not yet included, in the order they are (to be) sent: nonce order. */
  private queue: QueuedTx[] = [];
  private readonly timer: NodeJS.Timeout;
  private pumping: Promise<void> | null = null;
  private node: { network: number; validFor: number; maxValidIncrement: number; pollMs: number } | null = null;
  /** The next nonce to sign with; undefined → ask the node. */
  private nextNonce: number | undefined;
  /**
   * The highest height an Expired answer said would include a transaction: validUntilBlock
   * counts validFor from here when it is above the current height (a backed-up mempool).
   */
  private inclusionFloor = 0;
  /** Set when the node may have lost transactions it had accepted: look each one up. */
  private recheck = false;
  private recheckedFor: QueuedTx | null = null;
  private lastError: unknown = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  private stopped = false;
  /** Ends the send loop's current wait early (close()). */
  private wake: (() => void) | null = null;

  constructor(options: CanaryReporterOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("CanaryReporter: expected an options object { provider, key, … }");
    const { provider } = options;
    if (typeof provider !== "object" || provider === null || !("snapshot" in provider)) {
      throw new TypeError("CanaryReporter: options.provider must be a CanaryProvider (an object with a snapshot)");
    }
    const node = options.node ?? provider.sync?.url;
    if (typeof node !== "string" || !/^https?:\/\//.test(node)) {
      throw new TypeError(`CanaryReporter: options.node must be the node's http(s) URL (the provider has none to lend), got ${JSON.stringify(node)}`);
    }
    if (options.key instanceof NodeKey) this.key = options.key;
    else if (typeof options.key === "string") this.key = Keystore.load(options.keystore ?? defaultKeystorePath()).get(options.key);
    else throw new TypeError("CanaryReporter: options.key must be a NodeKey or the name of a keystore entry");
    this.intervalMs = positiveInt("intervalMs", options.intervalMs, 5000);
    this.maxFeatures = positiveInt("maxFeatures", options.maxFeatures, 1024);
    this.flushTimeoutMs = positiveInt("flushTimeoutMs", options.flushTimeoutMs, 30_000);
    this.retryMinMs = positiveInt("retry.minMs", options.retry?.minMs, 100);
    this.retryMaxMs = positiveInt("retry.maxMs", options.retry?.maxMs, 5000);
    if (this.retryMaxMs < this.retryMinMs) throw new RangeError(`CanaryReporter: retry.maxMs (${this.retryMaxMs}) is below retry.minMs (${this.retryMinMs})`);
    this.validForBlocks = positiveInt("validForBlocks", options.validForBlocks, 1000);
    const requestTimeoutMs = positiveInt("requestTimeoutMs", options.requestTimeoutMs, 5000);
    this.provider = provider;
    this.account = this.key.accountHex;
    this.logger = options.logger ?? consoleLogger;
    this.rpc = new NodeRpc(node, { timeoutMs: requestTimeoutMs });
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    provider.attachReporter?.(this);
  }

  // ---------------------------------------------------------------- outcomes (hot path)

  /** A successful operation of `feature` for `account`. */
  success(feature: string, account: string): void {
    this.record(feature, account, SUCCESS, 0);
  }

  /** A failed operation of `feature` for `account`. */
  error(feature: string, account: string): void {
    this.record(feature, account, ERROR, 0);
  }

  /** A latency (a non-negative integer, in the unit of the policy's latency limits) of `feature` for `account`. */
  latency(feature: string, account: string, value: number): void {
    this.record(feature, account, LATENCY, value);
  }

  /**
   * OpenFeature's track(): "canary.success", "canary.error", "canary.latency" (details.value
   * = the latency), details.feature = the flag key, context.targetingKey = the account.
   */
  track(eventName: string, context: EvaluationContext | undefined, details: TrackingEventDetails | undefined): void {
    if (this.closed) return;
    const kind = eventName === TRACK_EVENTS.success ? SUCCESS : eventName === TRACK_EVENTS.error ? ERROR : eventName === TRACK_EVENTS.latency ? LATENCY : -1;
    if (kind < 0) {
      this.stats.unknownEvents++;
      return;
    }
    const feature = details?.feature;
    const account = context?.targetingKey;
    if (typeof feature !== "string") {
      this.stats.dropped.invalidValue++;
      return;
    }
    if (typeof account !== "string") {
      this.stats.dropped.invalidAccount++;
      return;
    }
    this.record(feature, account, kind, kind === LATENCY ? (details!.value as number) : 0);
  }

  private record(feature: string, account: string, kind: number, value: number): void {
    if (this.closed) return;
    const snapshot = this.provider.snapshot;
    if (snapshot === undefined) {
      this.stats.dropped.noSnapshot++;
      return;
    }
    const exposed = snapshot.exposed(feature, account);
    if (exposed === undefined) {
      if (snapshot.feature(feature) === undefined) this.stats.dropped.unknownFeature++;
      else this.stats.dropped.invalidAccount++;
      return;
    }
    if (!exposed) {
      // isEnabled is false for every account of a Disabled/RolledBack feature; the contract
      // refuses reports for it, so they are not counted as baseline.
      const status = snapshot.feature(feature)!.status;
      if (isOff(status)) {
        this.stats.dropped.disabled++;
        return;
      }
    }
    if (kind === LATENCY) {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
        this.stats.dropped.invalidValue++;
        return;
      }
      if (!exposed) {
        this.stats.baselineLatencies++;
        return;
      }
    }
    let c = this.counters.get(feature);
    if (c === undefined) {
      if (this.counters.size >= this.maxFeatures) {
        this.stats.dropped.overflow++;
        return;
      }
      c = new FeatureCounters(feature);
      this.counters.set(feature, c);
      this.stats.features = this.counters.size;
    }
    if (kind === SUCCESS) {
      if (exposed) {
        if (c.canarySuccesses < MAX_COUNT) c.canarySuccesses++;
        this.stats.canary++;
      } else {
        if (c.baseSuccesses < MAX_COUNT) c.baseSuccesses++;
        this.stats.baseline++;
      }
    } else if (kind === ERROR) {
      if (exposed) {
        if (c.canaryErrors < MAX_COUNT) c.canaryErrors++;
        this.stats.canary++;
      } else {
        if (c.baseErrors < MAX_COUNT) c.baseErrors++;
        this.stats.baseline++;
      }
    } else {
      if (c.latencyCount < MAX_COUNT) {
        c.latencyCount++;
        if (c.latencySum > MAX_COUNT - value) {
          c.latencySumHigh += BigInt(c.latencySum);
          c.latencySum = value;
        } else c.latencySum += value;
      }
      if (value > c.latencyPeak) c.latencyPeak = value;
      this.stats.latencies++;
    }
  }

  // ---------------------------------------------------------------- batches

  /** The interval's work: form batches and send them. */
  private tick(): void {
    if (this.stopped) return;
    this.formBatches();
    this.forgetIdle();
    this.kick();
  }

  /** One batch for every feature with counts and no batch in flight. */
  private formBatches(): Batch[] {
    const formed: Batch[] = [];
    for (const c of this.counters.values()) {
      if (c.inFlight !== null || c.empty) continue;
      const b = this.formBatch(c);
      if (b !== null) formed.push(b);
    }
    return formed;
  }

  private formBatch(c: FeatureCounters): Batch | null {
    const feature = this.provider.snapshot?.feature(c.name);
    if (feature !== undefined && isOff(feature.status)) {
      // Turned off since these were counted (by an operator, or a rollback these reports caused).
      this.stats.dropped.disabledBeforeSending += c.outcomes;
      c.reset();
      return null;
    }
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const batch: Batch = { feature: c, txs: [], failed: "", expired: 0, settled: false, done, resolve };
    const cohorts = c.canarySuccesses + c.canaryErrors + c.baseSuccesses + c.baseErrors;
    if (cohorts > 0) {
      const args = encodeArgs("recordCohorts", {
        name: c.name,
        canarySuccesses: c.canarySuccesses,
        canaryErrors: c.canaryErrors,
        baseSuccesses: c.baseSuccesses,
        baseErrors: c.baseErrors,
      });
      batch.txs.push(this.queued(batch, "recordCohorts", args, cohorts));
    }
    if (c.latencyCount > 0) {
      const maxPeak = feature?.policy.maxPeakLatency ?? 0n;
      const peak = BigInt(c.latencyPeak);
      const value = maxPeak !== 0n && peak > maxPeak ? peak : (c.latencySumHigh + BigInt(c.latencySum)) / BigInt(c.latencyCount);
      batch.txs.push(this.queued(batch, "recordLatency", encodeArgs("recordLatency", { name: c.name, value }), c.latencyCount));
    }
    c.reset();
    c.inFlight = batch;
    this.queue.push(...batch.txs);
    this.stats.batches.formed++;
    return batch;
  }

  private queued(batch: Batch, method: QueuedTx["method"], args: Uint8Array, outcomes: number): QueuedTx {
    return { batch, method, args, outcomes, ended: "", signed: null, state: NEW, attempted: false, expectedHeight: 0, limitRefreshed: false };
  }

  /**
   * Counts where `tx`'s outcomes ended — included (HALT) or a drop reason — the first time
   * only: a late answer for a transaction close() abandoned cannot count it twice.
   */
  private endTx(tx: QueuedTx, how: Exclude<QueuedTx["ended"], "">): boolean {
    if (tx.ended !== "") return false;
    tx.ended = how;
    if (how === "included") this.stats.included += tx.outcomes;
    else this.stats.dropped[how] += tx.outcomes;
    return true;
  }

  /**
   * Outcomes counted and not yet included or dropped: in the counters, or in a transaction
   * not included yet. With stats: canary + baseline + latencies = stats.included + pending +
   * dropped.{disabledBeforeSending, faulted, refused, abandoned}. 0 after close().
   */
  get pending(): number {
    let n = 0;
    for (const c of this.counters.values()) n += c.outcomes;
    for (const tx of this.queue) if (tx.ended === "") n += tx.outcomes;
    return n;
  }

  /** Features with nothing counted and nothing in flight are forgotten (their slot frees up). */
  private forgetIdle(): void {
    for (const [name, c] of this.counters) if (c.inFlight === null && c.empty) this.counters.delete(name);
    this.stats.features = this.counters.size;
  }

  /** Settles `batch` once every transaction of it is included or dropped, counting how it ended. */
  private settleIfFinished(batch: Batch): void {
    if (batch.settled || !batch.txs.every((tx) => tx.state === DONE || tx.state === DROPPED)) return;
    if (batch.failed === "faulted") this.stats.batches.faulted++;
    else if (batch.failed === "refused") this.stats.batches.refused++;
    else this.stats.batches.included++;
    this.settle(batch);
  }

  private settle(batch: Batch): void {
    if (batch.settled) return;
    batch.settled = true;
    if (batch.feature.inFlight === batch) batch.feature.inFlight = null;
    batch.resolve();
  }

  // ---------------------------------------------------------------- flush and close

  /**
   * Sends everything counted so far and resolves when every batch formed up to now is
   * included (or dropped: FAULT, refused). Outcomes of a feature whose previous batch is
   * still in flight go out once it is included. Rejects after `flushTimeoutMs` with the
   * number of batches outstanding and the last send error; they keep being retried.
   * Ignored (resolves at once) after close().
   */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.flushAll();
  }

  private async flushAll(): Promise<void> {
    const deadline = Date.now() + this.flushTimeoutMs;
    // Round 1 sends the features with no batch in flight; round 2 those that had one (their
    // counts could not be batched until it was included).
    for (let round = 0; round < 2; round++) {
      this.formBatches();
      this.kick();
      const waiting = new Set<Batch>();
      for (const tx of this.queue) waiting.add(tx.batch);
      for (const c of this.counters.values()) if (c.inFlight !== null) waiting.add(c.inFlight);
      if (waiting.size === 0) continue;
      await this.waitFor([...waiting], deadline);
    }
  }

  private async waitFor(batches: Batch[], deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), Math.max(0, deadline - Date.now()))));
    try {
      const r = await Promise.race([Promise.all(batches.map((b) => b.done)), timeout]);
      if (r === "timeout") {
        const left = batches.filter((b) => !b.settled).length;
        const why = this.lastError === null ? "" : `; last error: ${(this.lastError as Error).message ?? String(this.lastError)}`;
        throw new Error(`CanaryReporter.flush: ${left} batch(es) not included within ${this.flushTimeoutMs} ms (node ${this.rpc.url})${why}`);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops the timer, flushes, and stops sending. Every later call of this reporter
   * (success, error, latency, track, flush) is ignored; close() again returns the same
   * promise. When the flush times out, close() rejects with its error; the batches not
   * confirmed included are abandoned (stats.batches.abandoned), and their outcomes and those
   * not batched yet are counted in stats.dropped.abandoned: nothing stays pending.
   */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.closed = true;
    clearInterval(this.timer);
    this.closing = (async () => {
      try {
        await this.flushAll();
      } finally {
        this.stopped = true;
        let abandoned = 0;
        for (const tx of this.queue) {
          if (tx.state === DONE || !this.endTx(tx, "abandoned")) continue;
          tx.state = DROPPED;
          if (tx.batch.settled) continue;
          abandoned++;
          this.stats.batches.abandoned++;
          this.settle(tx.batch);
        }
        // Counts never batched: the wait ended while the feature's previous batch was in flight
        // (the flush's second round, which batches them, did not run).
        let unbatched = 0;
        for (const c of this.counters.values()) unbatched += c.outcomes;
        this.stats.dropped.abandoned += unbatched;
        this.counters.clear();
        this.stats.features = 0;
        if (abandoned > 0 || unbatched > 0) {
          this.logger.error(
            `closed with ${abandoned} batch(es) not confirmed included (those the node had accepted may still land)` +
              (unbatched > 0 ? ` and ${unbatched} outcome(s) not batched yet (never sent)` : ""),
          );
        }
        this.queue = [];
        // End a wait or a request in progress now rather than at its timeout.
        this.wake?.();
        this.rpc.close();
        await this.pumping?.catch(() => {});
      }
    })();
    return this.closing;
  }

  // ---------------------------------------------------------------- sending

  /** Starts the send loop unless it runs. */
  private kick(): void {
    if (this.pumping !== null || this.stopped || this.queue.length === 0) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      // Batches formed while the loop was finishing.
      if (this.queue.length > 0 && !this.stopped) this.kick();
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(t);
        if (self.wake === done) self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  private async pump(): Promise<void> {
    let backoff = 0;
    let failing = false;
    while (this.queue.length > 0 && !this.stopped) {
      try {
        const progressed = await this.pass();
        if (failing) this.logger.info(`the node at ${this.rpc.url} answers again`);
        failing = false;
        backoff = 0;
        if (!progressed && this.queue.length > 0) await this.sleep(this.node?.pollMs ?? 50);
      } catch (e) {
        this.lastError = e;
        this.stats.retries++;
        if (!failing) this.logger.warn(`sending batches failed, retrying with backoff: ${(e as Error).message ?? String(e)}`);
        failing = true;
        backoff = backoff === 0 ? this.retryMinMs : Math.min(this.retryMaxMs, backoff * 2);
        await this.sleep(backoff);
      }
    }
  }

  /**
   * One pass over the queue: send, in nonce order, every transaction the node has not
   * accepted; then look up those whose block should be built. True when something moved.
   * Throws on a transient failure (the loop backs off and tries again).
   */
  private async pass(): Promise<boolean> {
    await this.readNode();
    let progressed = false;
    if (this.recheck) {
      // The node refused a nonce as skipping ahead: it lost transactions it had accepted
      // (a restart drops the mempool). Whatever it no longer knows is sent again, as signed.
      for (const tx of this.queue) {
        if (tx.state !== SENT) continue;
        const t = await this.rpc.getTransaction(tx.signed!.hash);
        if (t === null) tx.state = NEW;
        else if (t.status !== "pending") this.included(tx, t as TxAnswer);
      }
      this.recheck = false;
      progressed = true;
    }
    let height: number | undefined;
    for (const tx of this.queue) {
      if (this.stopped) return false; // close() abandoned the queue meanwhile
      if (tx.state !== NEW) continue;
      if (tx.signed === null) {
        await this.readNode(); // a refusal may have sent the reporter to read it again
        height ??= await this.rpc.getHeight();
        await this.sign(tx, height);
      }
      if (await this.submit(tx)) progressed = true;
      if (this.recheck) break;
    }
    if (this.recheck) return true;
    // Inclusion: one lookup per transaction whose block is due.
    height = await this.rpc.getHeight();
    for (const tx of this.queue) {
      if (this.stopped) return false;
      if (tx.state !== SENT || tx.expectedHeight > height) continue;
      const t = await this.rpc.getTransaction(tx.signed!.hash);
      if (t === null) {
        // Accepted, then lost (the node restarted): the same signed transaction again.
        tx.state = NEW;
        progressed = true;
      } else if (t.status !== "pending") {
        this.included(tx, t as TxAnswer);
        progressed = true;
      }
    }
    if (progressed) this.queue = this.queue.filter((tx) => tx.state === NEW || tx.state === SENT);
    return progressed;
  }

  /** The node's network, limit and block time, read when not known (at start, and after a refusal that may mean they changed). */
  private async readNode(): Promise<void> {
    if (this.node !== null) return;
    const info = await this.rpc.getInfo();
    this.node = {
      network: info.network,
      validFor: Math.min(this.validForBlocks, info.maxValidIncrement),
      maxValidIncrement: info.maxValidIncrement,
      pollMs: Math.max(10, Math.min(500, Math.floor(info.blockTimeMs / 2))),
    };
  }

  private async sign(tx: QueuedTx, height: number): Promise<void> {
    if (this.nextNonce === undefined) this.nextNonce = (await this.rpc.getNonce(this.account)).next;
    const nonce = this.nextNonce++;
    // The node admits validUntilBlock ≤ its next height + maxValidIncrement, and its next
    // height is above `height`: the cap keeps a far inclusion height from a refusal for good.
    const validUntilBlock = Math.min(Math.max(height, this.inclusionFloor) + this.node!.validFor, height + 1 + this.node!.maxValidIncrement);
    const { json, hash } = signTx([this.key], { network: this.node!.network, method: tx.method, args: tx.args, nonce, validUntilBlock });
    tx.signed = { json, hash, nonce, validUntilBlock };
    tx.attempted = false;
    this.stats.transactions.signed++;
  }

  /** Re-sign `from` and every later transaction not yet accepted (their nonces follow it). */
  private resignFrom(from: QueuedTx): void {
    let on = false;
    for (const tx of this.queue) {
      if (tx === from) on = true;
      if (on && tx.state === NEW && tx.signed !== null) {
        tx.signed = null;
        this.stats.transactions.resigned++;
      }
    }
    this.nextNonce = undefined;
  }

  /**
   * Sends one transaction. True when the node has it (accepted now or before). A definitive
   * refusal is handled here (re-sign or drop); a transient one throws.
   */
  private async submit(tx: QueuedTx): Promise<boolean> {
    const s = tx.signed!;
    if (tx.attempted) this.stats.transactions.resent++;
    tx.attempted = true;
    try {
      const r = await this.rpc.sendTransaction(s.json);
      if (this.recheckedFor === tx) this.recheckedFor = null;
      tx.state = SENT;
      tx.expectedHeight = r.expectedHeight;
      return true;
    } catch (e) {
      if (!(e instanceof RpcError)) throw e; // unreachable or timed out: retried as it is
      switch (e.code) {
        case RpcCode.NonceTooLow:
        case RpcCode.Expired: {
          // Either an earlier send of this very transaction was accepted (its answer lost), or
          // it can never be included. Only getTransaction tells them apart.
          const t = await this.rpc.getTransaction(s.hash);
          if (t !== null) {
            tx.state = SENT;
            tx.expectedHeight = 0;
            if (t.status !== "pending") this.included(tx, t as TxAnswer);
            return true;
          }
          if (e.code === RpcCode.NonceTooLow) {
            this.logger.warn(`nonce ${s.nonce} of ${this.account} was taken by another transaction of this key: re-signing ${tx.method}(${tx.batch.feature.name}) with the same counts`);
            this.resignFrom(tx);
            return true;
          }
          // The mempool's backlog is past validUntilBlock. The node says which height would
          // include it: the re-signed transaction is valid for validFor blocks from there.
          const inclusion = (e.data as { inclusionHeight?: unknown } | undefined)?.inclusionHeight;
          if (typeof inclusion === "number" && Number.isSafeInteger(inclusion) && inclusion > this.inclusionFloor) this.inclusionFloor = inclusion;
          const at = typeof inclusion === "number" ? `, the node would include it at ${inclusion}` : "";
          this.logger.warn(`${tx.method}(${tx.batch.feature.name}) expired (validUntilBlock ${s.validUntilBlock}${at}) before the node accepted it: re-signing with the same counts`);
          this.resignFrom(tx);
          // Expired again: the backlog outgrew what the node said (or it said nothing). Each
          // further re-sign waits the retry backoff rather than asking again at once.
          if (++tx.batch.expired >= 2) throw new Error(`${tx.method}(${tx.batch.feature.name}) expired again (validUntilBlock ${s.validUntilBlock}${at}): backing off before re-signing`);
          return true;
        }
        case RpcCode.NonceTooHigh: {
          // A nonce before this one is missing at the node: first look up what it still has
          // (what it lost is sent again as signed); if that was not it, this transaction was
          // signed past the node's next nonce and is nowhere: re-sign it.
          if (this.recheckedFor !== tx) {
            this.recheck = true;
            this.recheckedFor = tx;
            return false;
          }
          if ((await this.rpc.getTransaction(s.hash)) !== null) throw e; // cannot be: look again later
          this.resignFrom(tx);
          return true;
        }
        case RpcCode.ValidUntilTooFar:
          // The node's limit is below the one this reporter read (a node restarted with a
          // smaller --max-valid-increment): read it again and re-sign within it, once per
          // transaction; refused again, it is refused for good (below).
          if (!tx.limitRefreshed) {
            tx.limitRefreshed = true;
            this.logger.warn(`the node refused validUntilBlock ${s.validUntilBlock} of ${tx.method}(${tx.batch.feature.name}) as too far ahead (${e.message}): reading its limit again and re-signing with the same counts`);
            this.node = null;
            this.resignFrom(tx);
            return true;
          }
          return this.refusedForGood(tx, e);
        case RpcCode.MempoolFull:
        case RpcCode.Unavailable:
        case RpcCode.InternalError:
          throw e;
        default:
          // Malformed, wrongly signed, wrong network, …: sending it again cannot help.
          return this.refusedForGood(tx, e);
      }
    }
  }

  /** A refusal that sending again cannot help: the transaction's outcomes are dropped. */
  private refusedForGood(tx: QueuedTx, e: RpcError): true {
    this.logger.error(`the node refused ${tx.method}(${tx.batch.feature.name}) for good (${e.code}: ${e.message}); its ${tx.outcomes} outcome(s) are dropped`);
    // Its nonce was never used: the transactions after it must take it.
    this.resignFrom(tx);
    tx.state = DROPPED;
    this.endTx(tx, "refused");
    tx.batch.failed ||= "refused";
    this.settleIfFinished(tx.batch);
    if (e.code === RpcCode.WrongNetwork) this.node = null;
    return true;
  }

  private included(tx: QueuedTx, t: TxAnswer): void {
    // DROPPED: refused, or abandoned by close() while this answer was on its way (counted already).
    if (tx.state === DONE || tx.state === DROPPED) return;
    tx.state = DONE;
    this.stats.transactions.included++;
    const batch = tx.batch;
    if (t.status === "FAULT") {
      // Never retried: the contract decided (FeatureDisabled, Unauthorized, …).
      this.stats.transactions.faulted++;
      this.endTx(tx, "faulted");
      // One warning per batch (its recordLatency usually FAULTs for the same reason).
      if (batch.failed === "") {
        this.logger.warn(`${tx.method}(${batch.feature.name}) was included with FAULT (${t.error ?? errorName(t.code)}${t.trap ? `: ${t.trap}` : ""}); its outcomes are dropped, never retried`);
        batch.failed = "faulted";
      }
    } else this.endTx(tx, "included");
    this.settleIfFinished(batch);
  }
}
