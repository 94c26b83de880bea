// CanaryProvider: an OpenFeature server provider over a devnet node. It evaluates locally,
// synchronously, from the FlagSnapshot that FlagSync keeps (never a network call per flag),
// and turns FlagSync's states into OpenFeature's provider events.
//
// Resolution (OpenFeature's reasons and error codes):
//   unknown flag                       → FlagNotFoundError (the default, FLAG_NOT_FOUND)
//   Disabled / RolledBack              → false, DISABLED
//   halted while Canary / RollingOut   → false, DISABLED
//   an override (ForceOn / ForceOff)   → true / false, TARGETING_MATCH
//   Enabled                            → true, STATIC
//   Canary / RollingOut by bucket      → bucket < rolloutBps, SPLIT
//   no targetingKey                    → TargetingKeyMissingError
//   a targetingKey not 0x + 40 hex     → InvalidContextError
//   string / number / object           → TypeMismatchError (flags are boolean)
//   no snapshot yet                    → ProviderNotReadyError
// flagMetadata: status (name), rolloutBps, bucket (-1 when the rule did not need it), height
// (the block the snapshot is at). variant: "on" / "off".
//
// Status: initialize() resolves once the first snapshot is loaded, or rejects after
// initTimeoutMs (the SDK then reports ERROR) while loading goes on; a Ready event follows when
// it succeeds (the SDK moves the provider back to READY on it). STALE while the node is
// unreachable (evaluations go on from the last snapshot), READY when caught up again.

import {
  FlagNotFoundError,
  GeneralError,
  InvalidContextError,
  OpenFeatureEventEmitter,
  ProviderEvents,
  ProviderNotReadyError,
  StandardResolutionReasons,
  TargetingKeyMissingError,
  TypeMismatchError,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
  type ResolutionReason,
  type TrackingEventDetails,
} from "@openfeature/server-sdk";
import { statusName } from "../client/enums.ts";
import type { Evaluation, EvaluationKind, FlagSnapshot } from "./evaluate.ts";
import { FlagSync, defaultLogger, type FlagSyncOptions, type SdkLogger } from "./sync.ts";

/** FlagSync's options (passed on to it whole) and how long initialize() waits. */
export interface CanaryProviderOptions extends FlagSyncOptions {
  /** How long initialize() waits for the first snapshot (default 5000 ms). */
  initTimeoutMs?: number;
}

/** What the provider's `track` feeds: CanaryReporter has this shape. */
export interface TrackSink {
  track(eventName: string, context: EvaluationContext, details: TrackingEventDetails): void;
}

const REASONS: Record<Exclude<EvaluationKind, "not-found" | "invalid-account">, ResolutionReason> = {
  disabled: StandardResolutionReasons.DISABLED,
  halted: StandardResolutionReasons.DISABLED,
  override: StandardResolutionReasons.TARGETING_MATCH,
  enabled: StandardResolutionReasons.STATIC,
  split: StandardResolutionReasons.SPLIT,
};

/** Status names by tag, computed once (flagMetadata is built on every evaluation). */
const STATUS_NAMES = Array.from({ length: 256 }, (_, i) => statusName(i));

function shown(key: unknown): string {
  const s = typeof key === "string" ? JSON.stringify(key) : String(key);
  return s.length > 60 ? s.slice(0, 57) + "…" : s;
}

export class CanaryProvider implements Provider {
  readonly metadata = { name: "onchain-canary" } as const;
  readonly runsOn = "server" as const;
  readonly events = new OpenFeatureEventEmitter();
  /** The snapshot's keeper (its state, stats and `on` are there for diagnostics). */
  readonly sync: FlagSync;
  private readonly initTimeoutMs: number;
  private readonly logger: SdkLogger;
  private sink: TrackSink | undefined;
  private warnedNoSink = false;
  /** While initialize() is pending the SDK itself reports READY or ERROR from its promise. */
  private initPending = false;

  constructor(options: CanaryProviderOptions) {
    const { initTimeoutMs: initOption, ...sync } = options;
    const initTimeoutMs = initOption ?? 5000;
    if (typeof initTimeoutMs !== "number" || !(initTimeoutMs > 0)) throw new RangeError(`CanaryProvider: initTimeoutMs must be a positive number, got ${initTimeoutMs}`);
    this.initTimeoutMs = initTimeoutMs;
    this.logger = options.logger ?? defaultLogger;
    // Every FlagSync option goes through as given: a new one needs no change here.
    this.sync = new FlagSync({ ...sync, logger: this.logger });
    this.sync.on("ready", ({ height }) => {
      if (!this.initPending) this.events.emit(ProviderEvents.Ready, { message: `following the node at height ${height}`, metadata: { height } });
    });
    this.sync.on("stale", ({ height, error }) => {
      this.events.emit(ProviderEvents.Stale, { message: `lost the node (${error.message}); answering from height ${height}`, metadata: { height } });
    });
    this.sync.on("error", ({ error }) => {
      if (!this.initPending) this.events.emit(ProviderEvents.Error, { message: error.message });
    });
    this.sync.on("changes", ({ flags, height }) => {
      this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: flags, metadata: { height } });
    });
  }

  /** The current snapshot, or undefined before the first load. */
  get snapshot(): FlagSnapshot | undefined {
    return this.sync.snapshot;
  }

  /** The local evaluation (SPEC section 4, with its reason), or undefined before the first load. */
  evaluate(flagKey: string, targetingKey: string): Evaluation | undefined {
    return this.sync.snapshot?.evaluate(flagKey, targetingKey);
  }

  /** Starts following the node; resolves with the first snapshot, rejects after initTimeoutMs (loading goes on). */
  async initialize(): Promise<void> {
    this.sync.start();
    this.initPending = true;
    try {
      await this.sync.whenReady(this.initTimeoutMs);
    } catch (e) {
      throw new GeneralError((e as Error).message);
    } finally {
      this.initPending = false;
    }
  }

  async onClose(): Promise<void> {
    await this.sync.close();
  }

  resolveBooleanEvaluation(flagKey: string, _defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    const snapshot = this.sync.snapshot;
    if (snapshot === undefined) return Promise.reject(this.notReady());
    const key = context.targetingKey;
    const e = snapshot.evaluate(flagKey, typeof key === "string" ? key : "");
    if (e.kind === "not-found") return Promise.reject(new FlagNotFoundError(`no feature ${shown(flagKey)} at height ${e.height}`));
    if (e.kind === "invalid-account") {
      return Promise.reject(
        key === undefined || key === ""
          ? new TargetingKeyMissingError("targetingKey (the account, 0x + 40 hex digits) is required")
          : new InvalidContextError(`targetingKey ${shown(key)} is not an account (0x + 40 hex digits)`),
      );
    }
    return Promise.resolve({
      value: e.value,
      variant: e.value ? "on" : "off",
      reason: REASONS[e.kind],
      flagMetadata: { status: STATUS_NAMES[e.status]!, rolloutBps: e.rolloutBps, bucket: e.bucket, height: e.height },
    });
  }

  resolveStringEvaluation(flagKey: string): Promise<ResolutionDetails<string>> {
    return Promise.reject(this.notBoolean(flagKey, "string"));
  }

  resolveNumberEvaluation(flagKey: string): Promise<ResolutionDetails<number>> {
    return Promise.reject(this.notBoolean(flagKey, "number"));
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string): Promise<ResolutionDetails<T>> {
    return Promise.reject(this.notBoolean(flagKey, "object"));
  }

  /**
   * OpenFeature's `client.track(name, context, details)` lands here and goes to the attached
   * sink (CanaryReporter: `canary.success`, `canary.error`, `canary.latency`).
   */
  track(eventName: string, context: EvaluationContext, details: TrackingEventDetails): void {
    if (this.sink !== undefined) return this.sink.track(eventName, context, details);
    if (!this.warnedNoSink) {
      this.warnedNoSink = true;
      this.logger.warn(`track(${shown(eventName)}) with no reporter attached (provider.attachReporter): dropped`);
    }
  }

  /** Sends the provider's `track` calls to `sink` (one at a time: a second call replaces the first). */
  attachReporter(sink: TrackSink): void {
    this.sink = sink;
  }

  private notReady(): ProviderNotReadyError {
    const why = this.sync.lastError ? `: ${this.sync.lastError.message}` : "";
    return new ProviderNotReadyError(`no flag snapshot yet from the node at ${this.sync.url}${why}`);
  }

  private notBoolean(flagKey: string, type: string): Error {
    const snapshot = this.sync.snapshot;
    if (snapshot === undefined) return this.notReady();
    if (snapshot.feature(flagKey) === undefined) return new FlagNotFoundError(`no feature ${shown(flagKey)} at height ${snapshot.height}`);
    return new TypeMismatchError(`flag ${shown(flagKey)} is boolean, not ${type}`);
  }
}
