// FlagSync: keeps a FlagSnapshot equal to the contract's flag state at the node's latest
// block, and says when it is not.
//
// Load: listFeatures (paged), getGlobal, and the overrides (the contract has no view listing
// them: every OverrideSet up to the views' height, from getEvents). The views answer at the
// heights they answer at; the load then replays every event from the lowest of those heights
// to the highest. Events set absolute values (a status, a bps, a mode), so replaying an older
// event over a newer view is undone by the newer event that follows, and the snapshot
// converges to the highest height.
//
// The override scan reads every block record on the node (15-42 µs a block on a LevelDB
// node, docs/SDK.md: 15-40 s for a million blocks), so it never starts over needlessly:
// the overrides are kept with the block (height and hash) they are complete up to, each
// completed page moves that block forward, and a load continues from there when the node
// still has that block at that hash — after a failed page, or on a reload, seeded from the
// current snapshot. Another hash (a reset node) starts from block 0. The scan's requests have
// their own, longer timeout (overrideScanTimeoutMs).
//
// Follow: GET /events (subscribeBlocks), opened before the load so that no block falls
// between the two; blocks at or below the snapshot's height are skipped, a gap is filled with
// getEvents. Each block's events are checked, the views they need fetched (FeatureCreated,
// PolicyUpdated: the policy and the view fields come from there, the status from the events),
// and only then applied, synchronously: an evaluation never sees half a block.
//
// Trouble: a lost stream, a stream silent for stallMs (a hung node) or a failed request ends
// the session: "stale" (evaluations go on from the last snapshot) or "error" (no snapshot
// yet), then reconnection with exponential backoff and jitter. A session resumes from the snapshot's height with getEvents, after
// checking that block's hash (a node reset gives another chain: full load), and loads fully
// when more than maxCatchUpBlocks behind. A malformed message is ignored, logged, and
// followed by a full load (the stream may have lost what it was about).

import { decodeResult, encodeArgs, encodeEvent, encodePolicy, isEventName, type EventName, type EventPayloads, type FeatureView, type GlobalState, type MethodResults } from "../client/schema.ts";
import { decodeEventPayload } from "../client/events.ts";
import { bytesToHex, hexToBytes } from "../client/codec.ts";
import { ErrorCode } from "../client/errors.ts";
import { isEnumValue, isLive, OverrideMode, Status } from "../client/enums.ts";
import type { MethodName } from "../abi/methods.ts";
import { NodeRpc, isObj, subscribeBlocks, type BlockMessage, type BlockMessageError } from "../node/client.ts";
import { FlagSnapshot } from "./evaluate.ts";

/** Where FlagSync and the provider write what went wrong; OpenFeature's Logger fits. */
export interface SdkLogger {
  warn(...args: unknown[]): void;
  error?(...args: unknown[]): void;
  info?(...args: unknown[]): void;
  debug?(...args: unknown[]): void;
}

const PREFIX = "[onchain-canary]";

/** console.warn / console.error with a prefix; info and debug are dropped. */
export const defaultLogger: SdkLogger = {
  warn: (...args) => console.warn(PREFIX, ...args),
  error: (...args) => console.error(PREFIX, ...args),
};

export interface FlagSyncOptions {
  /** The node's URL (http://127.0.0.1:20332). */
  node: string;
  /** Where reconnections and malformed messages are reported (default: console.warn with a prefix). */
  logger?: SdkLogger;
  /** Reconnection delays: the n-th retry waits min(maxMs, minMs·2^n), the upper half of it jittered (defaults 200, 10000). */
  reconnect?: { minMs?: number; maxMs?: number };
  /** A resume further behind than this loads the snapshot again instead (default 10,000 blocks). */
  maxCatchUpBlocks?: number;
  /** Per JSON-RPC request (default 10,000 ms). */
  requestTimeoutMs?: number;
  /** Per getEvents request of the override scan, each up to 100,000 blocks on the node (default 60,000 ms). */
  overrideScanTimeoutMs?: number;
  /** A stream silent this long is taken for a hung node and reconnected (default max(10,000 ms, 20 × the node's blockTimeMs)). */
  stallMs?: number;
}

/** starting: no snapshot yet, first attempt · ready: following the node · stale: lost it, answering from the last snapshot · error: no snapshot and the node does not answer · closed. */
export type SyncState = "starting" | "ready" | "stale" | "error" | "closed";

export interface FlagSyncEvents {
  /** Caught up and following the node's stream. */
  ready: { height: number };
  /** The node is unreachable; the snapshot at `height` goes on answering. */
  stale: { height: number; error: Error };
  /** No snapshot could be loaded (yet). */
  error: { error: Error };
  /**
   * Flags whose evaluation, policy or pause changed at `height` (one block, or a catch-up or
   * reload ending there). A pause changes no evaluation, but it is part of what the snapshot
   * shows (FlagFeature.paused), so a listener that shows it hears of it.
   */
  changes: { flags: string[]; height: number };
}

/** Counters for tests and diagnostics. */
export interface FlagSyncStats {
  /** Full snapshot loads (the first one included). */
  loads: number;
  /** Reconnections that resumed from the snapshot's height. */
  resumes: number;
  /** Blocks applied from the stream. */
  blocks: number;
  /** Blocks applied through getEvents (gaps and resumes). */
  caughtUp: number;
  /** Malformed messages ignored. */
  malformed: number;
  /** Blocks the override scans read (getEvents OverrideSet), all loads together. */
  overrideScanBlocks: number;
  /** Sessions that ended in failure (a lost stream, a failed request). */
  disconnects: number;
}

const DEFAULTS = { minMs: 200, maxMs: 10_000, maxCatchUpBlocks: 10_000, requestTimeoutMs: 10_000, overrideScanTimeoutMs: 60_000 };
const EVENTS_PAGE = 10_000;
const FEATURES_PAGE = 100;

/** A message or answer that does not fit what the node must send. */
class Malformed extends Error {
  override name = "Malformed";
}

/** One block's effect on the snapshot, checked before anything is applied. */
type Change =
  | { kind: "status"; name: string; status: number; rolloutBps: number }
  | { kind: "rollout"; name: string; rolloutBps: number }
  | { kind: "pause"; name: string; paused: boolean }
  | { kind: "override"; name: string; account: string; mode: number }
  | { kind: "global"; paused: boolean; halted: boolean }
  | { kind: "created"; name: string }
  | { kind: "policy"; name: string };

/**
 * Every override as of one block: feature → account → mode (ForceOn or ForceOff; Clear
 * removes), complete up to `height` (-1: nothing read yet), whose hash is `hash`.
 */
interface OverrideIndex {
  height: number;
  hash: string;
  modes: Map<string, Map<string, number>>;
}

const noOverrides = (): OverrideIndex => ({ height: -1, hash: "", modes: new Map() });

/** An override scan runs before the features are known: any name passes here, the load checks them. */
const anyFeature: KnownFeatures = { has: () => true, add: () => {} };

/** The feature names a snapshot has at one point of a block sequence. */
interface KnownFeatures {
  has(name: string): boolean;
  add(name: string): void;
}

/** The snapshot's features plus those created by the events checked so far. */
function knownFeatures(s: FlagSnapshot): KnownFeatures {
  const created = new Set<string>();
  return { has: (n) => s.feature(n) !== undefined || created.has(n), add: (n) => void created.add(n) };
}

interface RawEvent {
  name: unknown;
  data: unknown;
  error?: unknown;
}

const toError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * The changes of one event, checked against the event's schema with the client's codec
 * (display form in, raw form out). `known` is the set of feature names the snapshot has at
 * this point of the block sequence (FeatureCreated adds to it). Throws Malformed.
 */
function eventChange(e: RawEvent, known: KnownFeatures): Change | null {
  if (!isObj(e) || typeof e.name !== "string") throw new Malformed("an event without a name");
  const name = e.name;
  if (!isEventName(name)) {
    // An event this SDK does not know: harmless unless it is about a feature we evaluate.
    const about = isObj(e.data) ? e.data.name : undefined;
    if (typeof about === "string" && known.has(about)) throw new Malformed(`unknown event ${JSON.stringify(name)} about feature ${JSON.stringify(about)}`);
    return null;
  }
  if (!isObj(e.data)) throw new Malformed(`${name}: no payload (${typeof e.error === "string" ? e.error : "data is not an object"})`);
  let p: EventPayloads[EventName];
  try {
    p = decodeEventPayload(name, encodeEvent(name, e.data));
  } catch (err) {
    throw new Malformed(`${name}: ${(err as Error).message}`);
  }
  const need = (feature: string): void => {
    if (!known.has(feature)) throw new Malformed(`${name} for feature ${JSON.stringify(feature)}, which the snapshot does not have`);
  };
  switch (name) {
    case "FeatureCreated": {
      const d = p as EventPayloads["FeatureCreated"];
      known.add(d.name);
      return { kind: "created", name: d.name };
    }
    case "PolicyUpdated": {
      const d = p as EventPayloads["PolicyUpdated"];
      need(d.name);
      return { kind: "policy", name: d.name };
    }
    case "StatusChanged": {
      const d = p as EventPayloads["StatusChanged"];
      need(d.name);
      if (!isEnumValue("Status", d.to)) throw new Malformed(`StatusChanged: status ${d.to} is not a Status`);
      if (d.rolloutBps > 10_000) throw new Malformed(`StatusChanged: rolloutBps ${d.rolloutBps} is above 10000`);
      return { kind: "status", name: d.name, status: d.to, rolloutBps: d.rolloutBps };
    }
    case "RolloutAdvanced": {
      const d = p as EventPayloads["RolloutAdvanced"];
      need(d.name);
      if (d.toBps > 10_000) throw new Malformed(`RolloutAdvanced: toBps ${d.toBps} is above 10000`);
      return { kind: "rollout", name: d.name, rolloutBps: d.toBps };
    }
    case "PauseChanged": {
      const d = p as EventPayloads["PauseChanged"];
      need(d.name);
      return { kind: "pause", name: d.name, paused: d.paused };
    }
    case "OverrideSet": {
      const d = p as EventPayloads["OverrideSet"];
      need(d.name);
      if (!isEnumValue("OverrideMode", d.mode)) throw new Malformed(`OverrideSet: mode ${d.mode} is not an OverrideMode`);
      return { kind: "override", name: d.name, account: d.account, mode: d.mode };
    }
    case "GlobalChanged": {
      const d = p as EventPayloads["GlobalChanged"];
      return { kind: "global", paused: d.paused, halted: d.halted };
    }
    case "RoleChanged":
      return null;
  }
  return null;
}

/** Applies checked changes (cannot fail); returns the flags whose state changed. */
function applyChanges(s: FlagSnapshot, changes: readonly Change[], views: ReadonlyMap<string, FeatureView>, changed: Set<string>): void {
  let globalChanged = false;
  for (const c of changes) {
    switch (c.kind) {
      case "status":
        s.setStatus(c.name, c.status, c.rolloutBps);
        // The contract's settle() (enable, disable, rollback: by hand, by a rule, by an
        // incident) ends a pause with no PauseChanged; startCanary and startRollout keep it,
        // and a step runs only unpaused (assembly/rules/lifecycle.ts, steps.ts).
        if (!isLive(c.status)) s.setPaused(c.name, false);
        break;
      case "rollout":
        s.setRollout(c.name, c.rolloutBps);
        break;
      case "pause":
        s.setPaused(c.name, c.paused);
        break;
      case "override":
        s.setOverride(c.name, c.account, c.mode);
        break;
      case "global":
        globalChanged ||= s.global.paused !== c.paused || s.global.halted !== c.halted;
        s.setGlobal(c.paused, c.halted);
        continue;
      // A view answers at the node's latest height, possibly past this block: only what the
      // event changed is taken from it, so the snapshot is exact at every height it passes.
      case "created":
        s.putFeature(views.get(c.name)!);
        s.setStatus(c.name, Status.Disabled, 0); // createFeature: Disabled, 0 bps (SPEC section 5)
        s.setPaused(c.name, false);
        break;
      case "policy": {
        const before = s.feature(c.name)!;
        s.putFeature(views.get(c.name)!);
        s.setStatus(c.name, before.status, before.rolloutBps);
        s.setPaused(c.name, before.paused);
        break;
      }
    }
    changed.add(c.name);
  }
  // The global switches gate every live feature (halted: evaluation; paused: its steps).
  if (globalChanged) for (const f of s.features()) if (isLive(f.status)) changed.add(f.name);
}

/** The index's entry for (feature, account): set, or removed by Clear. */
function setMode(modes: Map<string, Map<string, number>>, feature: string, account: string, mode: number): void {
  let accounts = modes.get(feature);
  if (mode === OverrideMode.Clear) {
    accounts?.delete(account);
    if (accounts?.size === 0) modes.delete(feature);
    return;
  }
  if (accounts === undefined) modes.set(feature, (accounts = new Map()));
  accounts.set(account, mode);
}

/** A snapshot's overrides as an index complete up to its block. */
function overridesOf(s: FlagSnapshot): OverrideIndex {
  const modes = new Map<string, Map<string, number>>();
  for (const f of s.features()) if (f.overrides.size > 0) modes.set(f.name, new Map(f.overrides));
  return { height: s.height, hash: s.hash, modes };
}

function policyKey(f: { policy: FeatureView["policy"] }): string {
  return bytesToHex(encodePolicy(f.policy));
}

/** The flags that differ between two snapshots (a reload's changes). */
export function changedFlags(before: FlagSnapshot, after: FlagSnapshot): string[] {
  const out: string[] = [];
  const globalDiffers = before.global.paused !== after.global.paused || before.global.halted !== after.global.halted;
  for (const b of after.features()) {
    const a = before.feature(b.name);
    let same =
      a !== undefined &&
      a.status === b.status &&
      a.rolloutBps === b.rolloutBps &&
      a.paused === b.paused &&
      a.overrides.size === b.overrides.size &&
      [...b.overrides].every(([acct, mode]) => a.overrides.get(acct) === mode) &&
      policyKey(a) === policyKey(b);
    if (same && globalDiffers && (isLive(a!.status) || isLive(b.status))) same = false;
    if (!same) out.push(b.name);
  }
  for (const a of before.features()) if (after.feature(a.name) === undefined) out.push(a.name);
  return out.sort();
}

type Listener<K extends keyof FlagSyncEvents> = (info: FlagSyncEvents[K]) => void;

/** Keeps a FlagSnapshot in step with a node. `start()` begins; `close()` ends. */
export class FlagSync {
  readonly url: string;
  readonly stats: FlagSyncStats = { loads: 0, resumes: 0, blocks: 0, caughtUp: 0, malformed: 0, disconnects: 0, overrideScanBlocks: 0 };
  private readonly rpc: NodeRpc;
  /** The override scan's getEvents, with its own timeout. */
  private readonly scanRpc: NodeRpc;
  /** What an unfinished load's override scan has read so far; empty once a load succeeds (the snapshot then holds it). */
  private overrideIndex: OverrideIndex = noOverrides();
  private readonly logger: SdkLogger;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly maxCatchUpBlocks: number;
  private readonly requestTimeoutMs: number;
  /** Set by the option; else each session takes the default from the node's blockTimeMs. */
  private readonly stallMs: number | undefined;
  private current: FlagSnapshot | undefined;
  private stateNow: SyncState = "starting";
  private lastErrorNow: Error | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  private readonly listeners: { [K in keyof FlagSyncEvents]: Set<Listener<K>> } = { ready: new Set(), stale: new Set(), error: new Set(), changes: new Set() };
  /** Pending whenReady calls, rejected by close(). */
  private readonly closeHooks = new Set<() => void>();
  /** Cancels the current wait (a backoff sleep or the stream's idle wait) and the stream. */
  private interrupt: (() => void) | undefined;

  constructor(options: FlagSyncOptions) {
    if (typeof options.node !== "string" || !/^https?:\/\/[^\s/]+/.test(options.node)) {
      throw new TypeError(`FlagSync: node must be an http(s) URL such as http://127.0.0.1:20332, got ${JSON.stringify(options.node)}`);
    }
    this.minMs = positive("reconnect.minMs", options.reconnect?.minMs ?? DEFAULTS.minMs);
    this.maxMs = positive("reconnect.maxMs", options.reconnect?.maxMs ?? DEFAULTS.maxMs);
    if (this.maxMs < this.minMs) throw new RangeError(`FlagSync: reconnect.maxMs (${this.maxMs}) is below reconnect.minMs (${this.minMs})`);
    this.maxCatchUpBlocks = positive("maxCatchUpBlocks", options.maxCatchUpBlocks ?? DEFAULTS.maxCatchUpBlocks);
    this.requestTimeoutMs = positive("requestTimeoutMs", options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs);
    this.stallMs = options.stallMs === undefined ? undefined : positive("stallMs", options.stallMs);
    this.url = options.node.replace(/\/+$/, "");
    this.rpc = new NodeRpc(this.url, { timeoutMs: this.requestTimeoutMs });
    this.scanRpc = new NodeRpc(this.url, { timeoutMs: positive("overrideScanTimeoutMs", options.overrideScanTimeoutMs ?? DEFAULTS.overrideScanTimeoutMs) });
    this.logger = options.logger ?? defaultLogger;
  }

  /** The snapshot evaluations read (undefined until the first load). */
  get snapshot(): FlagSnapshot | undefined {
    return this.current;
  }

  get state(): SyncState {
    return this.stateNow;
  }

  /** Why the last session or load failed. */
  get lastError(): Error | undefined {
    return this.lastErrorNow;
  }

  /** Adds a listener; returns its removal. A listener that throws is logged, never propagated. */
  on<K extends keyof FlagSyncEvents>(event: K, fn: Listener<K>): () => void {
    (this.listeners[event] as Set<Listener<K>>).add(fn);
    return () => void (this.listeners[event] as Set<Listener<K>>).delete(fn);
  }

  /** Starts loading and following (idempotent). */
  start(): void {
    if (this.loop !== undefined || this.closed) return;
    this.loop = this.run();
  }

  /**
   * Resolves once the sync is ready (now, or later); rejects after `timeoutMs` with the last
   * error, or when closed. The sync goes on trying either way.
   */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.stateNow === "ready") return Promise.resolve();
    if (this.closed) return Promise.reject(new Error("FlagSync is closed"));
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        off();
        this.closeHooks.delete(onClose);
      };
      const off = this.on("ready", () => {
        settle();
        resolve();
      });
      const onClose = (): void => {
        settle();
        reject(new Error("FlagSync was closed before the first snapshot"));
      };
      this.closeHooks.add(onClose);
      const timer = setTimeout(() => {
        settle();
        const why = this.lastErrorNow ? `: ${this.lastErrorNow.message}` : " (it has not answered yet)";
        reject(new Error(`no flag snapshot from the node at ${this.url} within ${timeoutMs} ms${why}; still trying in the background`));
      }, timeoutMs);
    });
  }

  /** Stops following, closes the stream and the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stateNow = "closed";
    for (const hook of [...this.closeHooks]) hook();
    this.interrupt?.();
    this.rpc.close();
    this.scanRpc.close();
    await this.loop?.catch(() => {});
  }

  // ------------------------------------------------------------ the loop

  private emit<K extends keyof FlagSyncEvents>(event: K, info: FlagSyncEvents[K]): void {
    for (const fn of this.listeners[event] as Set<Listener<K>>) {
      try {
        fn(info);
      } catch (e) {
        this.logger.warn(`a ${event} listener threw:`, e);
      }
    }
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      try {
        await this.session(() => (attempt = 0));
      } catch (e) {
        if (this.closed) return;
        this.failed(toError(e));
      }
      if (this.closed) return;
      const base = Math.min(this.maxMs, this.minMs * 2 ** Math.min(attempt, 30));
      attempt++;
      await this.sleep(base / 2 + (Math.random() * base) / 2);
    }
  }

  /** A session ended in failure: stale (with a snapshot) or error (without); logged once per outage. */
  private failed(error: Error): void {
    this.stats.disconnects++;
    this.lastErrorNow = error;
    if (this.current !== undefined) {
      if (this.stateNow === "ready") {
        this.logger.warn(`lost the node at ${this.url} (${error.message}); answering from the snapshot at height ${this.current.height}, reconnecting`);
      } else this.logger.debug?.(`${PREFIX} still cannot reach ${this.url}: ${error.message}`);
      if (this.stateNow !== "stale") {
        this.stateNow = "stale";
        this.emit("stale", { height: this.current.height, error });
      }
    } else {
      if (this.stateNow !== "error") {
        this.logger.warn(`cannot load the flags from the node at ${this.url} (${error.message}); retrying`);
        this.stateNow = "error";
        this.emit("error", { error });
      } else this.logger.debug?.(`${PREFIX} still cannot reach ${this.url}: ${error.message}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.interrupt = done;
    });
  }

  /**
   * One connection: open the stream, load or resume, then apply blocks as they come until
   * the stream or a request fails (throws) or the sync is closed (returns).
   */
  private async session(onReady: () => void): Promise<void> {
    const queue: ({ block: BlockMessage } | { malformed: string })[] = [];
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    let opened!: () => void;
    let openFailed!: (e: Error) => void;
    const open = new Promise<void>((resolve, reject) => {
      opened = resolve;
      openFailed = reject;
    });
    const stop = subscribeBlocks(this.url, (block) => (queue.push({ block }), notify()), {
      onOpen: () => opened(),
      onMalformed: (e: BlockMessageError) => (queue.push({ malformed: e.message }), notify()),
      onError: (e) => {
        failure = toError(e);
        openFailed(failure);
        notify();
      },
    });
    const end = (why: Error): void => {
      failure ??= why;
      openFailed(why);
      stop();
      notify();
    };
    this.interrupt = () => end(new Error("closed"));
    try {
      const openTimer = setTimeout(() => end(new Error(`GET /events did not answer within ${this.requestTimeoutMs} ms`)), this.requestTimeoutMs);
      try {
        await open;
      } finally {
        clearTimeout(openTimer);
      }
      // The node makes a block every blockTimeMs, empty or not: a silent stream is a dead one.
      const stallMs = this.stallMs ?? (await this.defaultStallMs());
      if (this.current === undefined) await this.load("first load");
      else await this.resume();
      if (this.closed) return;
      this.stateNow = "ready";
      onReady();
      this.emit("ready", { height: this.current!.height });
      let lastStreamed = -1;
      for (;;) {
        if (this.closed) return;
        const m = queue.shift();
        if (m !== undefined) {
          if ("malformed" in m) await this.malformed(m.malformed);
          else {
            const h = m.block.height;
            if (h <= lastStreamed) await this.malformed(`block ${h} after block ${lastStreamed} on the same stream: heights went backwards`);
            else {
              lastStreamed = h;
              await this.onBlock(m.block);
            }
          }
          continue;
        }
        if (failure !== undefined) throw failure;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => end(new Error(`no block from the node for ${stallMs} ms`)), stallMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      stop();
    }
  }

  /** max(10 s, 20 blocks) of the node's blockTimeMs (getInfo; 1000 ms if it does not say). */
  private async defaultStallMs(): Promise<number> {
    const info = await this.rpc.getInfo();
    return Math.max(10_000, 20 * (Number.isFinite(info?.blockTimeMs) ? info.blockTimeMs : 1000));
  }

  /** A malformed message or answer: ignored, logged, and the snapshot loaded again. */
  private async malformed(problem: string): Promise<void> {
    this.stats.malformed++;
    this.logger.warn(`ignored a malformed message from ${this.url}: ${problem}; loading the flags again`);
    await this.load(`after a malformed message`);
  }

  private async onBlock(b: BlockMessage): Promise<void> {
    const s = this.current!;
    if (b.height <= s.height) return; // already in the snapshot (the load or a catch-up read it)
    try {
      if (b.height > s.height + 1) {
        if (b.height - 1 - s.height > this.maxCatchUpBlocks) return await this.load(`${b.height - 1 - s.height} blocks behind`);
        this.emitChanges(await this.catchUp(s, s.height + 1, b.height - 1), s.height);
      }
      const changed = new Set<string>();
      await this.applyBlocks(s, [{ height: b.height, events: b.events }], b.height, b.hash, changed);
      this.stats.blocks++;
      this.emitChanges(changed, b.height);
    } catch (e) {
      if (e instanceof Malformed) return this.malformed(e.message);
      throw e;
    }
  }

  private emitChanges(changed: Set<string>, height: number): void {
    if (changed.size > 0) this.emit("changes", { flags: [...changed].sort(), height });
  }

  /**
   * Checks blocks (heights ascending) against the snapshot, fetches the views they need,
   * then applies them all at once and marks the snapshot as of (endHeight, endHash).
   * Throws Malformed before changing anything.
   */
  private async applyBlocks(s: FlagSnapshot, blocks: readonly { height: number; events: readonly RawEvent[] }[], endHeight: number, endHash: string, changed: Set<string>): Promise<void> {
    const known = knownFeatures(s);
    const changes: Change[] = [];
    for (const b of blocks) for (const e of b.events) {
      const c = eventChange(e, known);
      if (c !== null) changes.push(c);
    }
    const views = new Map<string, FeatureView>();
    for (const c of changes) {
      if ((c.kind !== "created" && c.kind !== "policy") || views.has(c.name)) continue;
      const v = (await this.view("getFeature", { name: c.name })).value;
      if (v === undefined || v === null) throw new Malformed(`feature ${JSON.stringify(c.name)} has an event but getFeature does not find it (was the node reset?)`);
      views.set(c.name, v);
    }
    applyChanges(s, changes, views, changed);
    s.setBlock(endHeight, endHash);
  }

  /** Applies blocks from..to from getEvents, page by page; returns the changed flags. */
  private async catchUp(s: FlagSnapshot, from: number, to: number): Promise<Set<string>> {
    const changed = new Set<string>();
    let h = from;
    while (h <= to) {
      const blocks: { height: number; events: RawEvent[] }[] = [];
      const page = await this.readEventsPage(this.rpc, {}, h, to, (e, height) => {
        if (blocks.length === 0 || blocks[blocks.length - 1]!.height !== height) blocks.push({ height, events: [] });
        blocks[blocks.length - 1]!.events.push(e);
      });
      await this.applyBlocks(s, blocks, page.toHeight, page.hash, changed);
      this.stats.caughtUp += page.toHeight - h + 1;
      h = page.toHeight + 1;
    }
    return changed;
  }

  /** After a reconnection: catch up from the snapshot's block if the node still has it, else load. */
  private async resume(): Promise<void> {
    const s = this.current!;
    const tip = await this.rpc.getHeight();
    if (s.height < 0 || tip < s.height) return this.load(`the node is at height ${tip}, below the snapshot's ${s.height} (a reset node)`);
    const hash = await this.blockHash(s.height);
    if (hash !== s.hash) return this.load(`block ${s.height} has another hash than the snapshot's (a reset node)`);
    if (tip - s.height > this.maxCatchUpBlocks) return this.load(`${tip - s.height} blocks behind (more than maxCatchUpBlocks ${this.maxCatchUpBlocks})`);
    try {
      this.emitChanges(await this.catchUp(s, s.height + 1, tip), tip);
    } catch (e) {
      if (e instanceof Malformed) return this.malformed(e.message);
      throw e;
    }
    this.stats.resumes++;
    this.logger.info?.(`${PREFIX} resumed from height ${s.height} to ${tip}`);
  }

  /** Loads a new snapshot beside the current one and swaps it in; emits the flags that differ. */
  private async load(why: string): Promise<void> {
    this.stats.loads++;
    if (this.current !== undefined) this.logger.info?.(`${PREFIX} loading the flags again: ${why}`);
    const before = this.current;
    // The current snapshot's overrides are complete up to its block: the scan continues from
    // there when the node still has that block (it checks), unless an unfinished scan got further.
    if (before !== undefined && before.height > this.overrideIndex.height) this.overrideIndex = overridesOf(before);
    const next = await this.loadSnapshot();
    this.overrideIndex = noOverrides();
    this.current = next;
    if (before !== undefined) {
      const flags = changedFlags(before, next);
      if (flags.length > 0) this.emit("changes", { flags, height: next.height });
    }
  }

  private async loadSnapshot(): Promise<FlagSnapshot> {
    const g = await this.view("getGlobal", {});
    let low = g.height;
    let high = g.height;
    const views: FeatureView[] = [];
    if (g.value !== undefined) {
      for (let after = ""; ; ) {
        const page = await this.view("listFeatures", { startAfter: after, limit: FEATURES_PAGE, activeOnly: false });
        low = Math.min(low, page.height);
        high = Math.max(high, page.height);
        const list = page.value ?? [];
        views.push(...list);
        if (list.length < FEATURES_PAGE) break;
        after = list[list.length - 1]!.name;
      }
    }
    const global: GlobalState = g.value ?? { paused: false, halted: false };
    const s = new FlagSnapshot({ height: low, hash: "", global, features: views });
    if (low < 0) return s; // no block yet: nothing to replay
    // Overrides up to `low` (the contract lists none), then every event up to `high`.
    const index = await this.scanOverrides(low);
    for (const [name, accounts] of index.modes) {
      if (s.feature(name) === undefined) throw new Malformed(`OverrideSet for feature ${JSON.stringify(name)}, which listFeatures does not have (was the node reset?)`);
      for (const [account, mode] of accounts) s.setOverride(name, account, mode);
    }
    s.setBlock(low, index.hash);
    if (high > low) await this.catchUp(s, low + 1, high);
    return s;
  }

  /**
   * Brings the override index up to block `target` with getEvents(OverrideSet), page by page
   * (the node reads at most 100,000 blocks a call). Each completed page is kept with its last
   * block's hash, so a failed page is read again from there by the next attempt, not from 0.
   * An index whose block the node no longer has at that hash (a reset node) starts from 0.
   */
  private async scanOverrides(target: number): Promise<OverrideIndex> {
    let index = this.overrideIndex;
    if (index.height >= 0 && (index.height > target || (await this.blockHash(index.height)) !== index.hash)) {
      this.logger.info?.(`${PREFIX} the overrides read up to block ${index.height} are not on the node's chain (a reset node); reading them from block 0`);
      index = this.overrideIndex = noOverrides();
    }
    while (index.height < target) {
      const from = index.height + 1;
      const changes: Extract<Change, { kind: "override" }>[] = [];
      const page = await this.readEventsPage(this.scanRpc, { name: "OverrideSet" }, from, target, (e) => {
        const c = eventChange(e, anyFeature);
        if (c === null || c.kind !== "override") throw new Malformed(`getEvents(OverrideSet) answered a ${JSON.stringify(e.name)} event`);
        changes.push(c);
      });
      for (const c of changes) setMode(index.modes, c.name, c.account.toLowerCase(), c.mode);
      index.height = page.toHeight;
      index.hash = page.hash;
      this.stats.overrideScanBlocks += page.toHeight - from + 1;
    }
    return index;
  }

  /**
   * One getEvents page of `filter`'s events in from..to: checks the answer's shape, that it
   * ends within from..to, and that its events' heights lie in from..its end and never go
   * down; hands each event to `each` with its height, in order, as it is checked; then reads
   * the hash of the page's last block. Throws Malformed.
   */
  private async readEventsPage(rpc: NodeRpc, filter: { name?: EventName }, from: number, to: number, each: (e: RawEvent, height: number) => void): Promise<{ toHeight: number; hash: string }> {
    const what = `getEvents(${filter.name !== undefined ? `${filter.name}, ` : ""}${from}..${to})`;
    const page = await rpc.getEvents({ ...filter, fromHeight: from, toHeight: to, limit: EVENTS_PAGE });
    if (!isObj(page) || !Array.isArray(page.events) || !Number.isSafeInteger(page.toHeight) || page.toHeight < from || page.toHeight > to) {
      throw new Malformed(`${what} answered ${JSON.stringify(page).slice(0, 200)}`);
    }
    let last = from;
    for (const e of page.events) {
      const height = isObj(e) ? e.height : undefined;
      if (typeof height !== "number" || !Number.isSafeInteger(height) || height < last || height > page.toHeight) {
        throw new Malformed(`${what}: an event at height ${JSON.stringify(height)}`);
      }
      last = height;
      each(e as RawEvent, height);
    }
    const hash = await this.blockHash(page.toHeight);
    if (hash === undefined) throw new Malformed(`getBlock(${page.toHeight}) is null right after getEvents read it (was the node reset?)`);
    return { toHeight: page.toHeight, hash };
  }

  private async blockHash(height: number): Promise<string | undefined> {
    const b = await this.rpc.getBlock(height);
    if (b === null) return undefined;
    if (!isObj(b) || typeof b.hash !== "string") throw new Malformed(`getBlock(${height}) answered without a hash`);
    return b.hash;
  }

  /** A view over `call`: the decoded result and the height it answered at; undefined before init. */
  private async view<M extends MethodName>(method: M, args: unknown): Promise<{ height: number; value: MethodResults[M] | undefined }> {
    const a = await this.rpc.call(method, encodeArgs(method, args));
    if (!isObj(a) || typeof a.height !== "number" || typeof a.output !== "string") throw new Malformed(`call ${method} answered ${JSON.stringify(a).slice(0, 200)}`);
    if (a.status !== "HALT") {
      if (a.code === ErrorCode.NotInitialized) return { height: a.height, value: undefined };
      throw new Error(`call ${method}: ${a.error ?? a.trap ?? `code ${a.code}`}`);
    }
    try {
      return { height: a.height, value: decodeResult(method, hexToBytes("0x" + a.output)) };
    } catch (e) {
      throw new Malformed(`call ${method}: ${(e as Error).message}`);
    }
  }
}

function positive(what: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new RangeError(`FlagSync: ${what} must be a positive number, got ${v}`);
  return v;
}
