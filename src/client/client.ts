// CanaryClient: one typed method per contract method of SPEC section 6, over an Invoker.
//
// Commit semantics (the host's, SPEC section 6): a transaction's writes and events are kept
// only when the method returns 0 and nothing traps; otherwise it FAULTs and the chain is as
// if it never ran. A TxResult reports that outcome; it never throws for a contract error
// unless the client was built with `{ throwOnError: true }` (or use `expectOk`).
// Views run read-only and throw ContractError on a non-zero code.

import { METHODS, type MethodName } from "../abi/methods.ts";
import type { CallContext, InvokeResult, Invoker, RawEvent } from "../host/types.ts";
import { toAccountBytes, type AccountLike, type DisplayValue } from "./codec.ts";
import { ContractError, errorName } from "./errors.ts";
import { decodeEvents, type DecodedEvent } from "./events.ts";
import {
  completePolicy,
  decodeResult,
  displayResult,
  encodeArgs,
  type FeatureView,
  type GlobalState,
  type HistoryEntry,
  type MethodArgs,
  type MethodResults,
  type Metrics,
  type PolicyInput,
} from "./schema.ts";

/**
 * Who signs a transaction. A bare account means `{ sender: account }`.
 * `witnesses` defaults to `[sender]`; `height` to the client's `height` option.
 */
export type Signer = AccountLike | { sender: AccountLike; witnesses?: readonly AccountLike[]; height?: number; gasLimit?: number };

export interface ClientOptions {
  /**
   * The block height of transactions whose signer names none: a number, or a function read
   * at each call (e.g. `() => chain.currentHeight`). With neither, a transaction throws
   * before it runs — the client never guesses a height (the in-process Chain opens block
   * `ctx.height` when none is open). Views without a height leave it to the Invoker.
   */
  height?: number | (() => number | undefined);
  /** Throw ContractError from every transaction that does not return ok. Default false. */
  throwOnError?: boolean;
}

/** For views: the block height and sender the view should see (both optional). */
export interface ViewOptions {
  height?: number;
  sender?: AccountLike;
}

export interface TxResult<R = unknown> {
  method: MethodName;
  /** True when the method returned 0 and nothing trapped: writes and events were kept. */
  ok: boolean;
  /** The method's i32; -1 for a trap or host fault. */
  code: number;
  /** `errorName(code)`: "Ok", "InvalidTransition", "Fault", … */
  codeName: string;
  /** The decoded result when ok (null for `()` and when not ok). */
  result: R | null;
  /** The events in display form (enums by name, accounts 0x-hex); empty when not ok. */
  events: DecodedEvent[];
  rawEvents: RawEvent[];
  logs: string[];
  /** The result bytes as the contract wrote them. */
  output: Uint8Array;
  /** Why the call FAULTed without a code. */
  trap?: string;
  /** Set when ok but the output was not a valid Borsh value of the result type. */
  decodeError?: string;
  /** Gas used, on a metered module (docs/GAS.md). */
  gasUsed?: number;
  /** True when the call FAULTed for running out of gas (codeName "OutOfGas"). */
  outOfGas?: boolean;
}

/** Returns `r` when ok, else throws its ContractError. */
export function expectOk<R>(r: TxResult<R>): TxResult<R> {
  if (!r.ok) throw new ContractError(r.method, r.code === 0 ? -1 : r.code, r.trap, r.logs);
  return r;
}

/** The display form of a TxResult's result (enums by name, JSON-safe u64), for logs and JSON. */
export function displayTxResult(r: TxResult): DisplayValue {
  return r.ok && r.result !== null ? displayResult(r.method, r.result as never) : null;
}

const ZERO_ACCOUNT = new Uint8Array(20);

export class CanaryClient {
  readonly invoker: Invoker;
  private readonly options: ClientOptions;

  constructor(invoker: Invoker, options: ClientOptions = {}) {
    this.invoker = invoker;
    this.options = options;
  }

  // ------------------------------------------------------------ generic layer

  private defaultHeight(): number | undefined {
    const h = this.options.height;
    return typeof h === "function" ? h() : h;
  }

  private txHeight(method: string, given: number | undefined): number {
    const h = given ?? this.defaultHeight();
    if (h === undefined) {
      throw new TypeError(`${method}: no block height: give the signer a height or the client a height option`);
    }
    return h;
  }

  /** The CallContext a signer stands for (`method` only names the call in errors). */
  context(signer: Signer, method = "transaction"): CallContext {
    const s = typeof signer === "string" || signer instanceof Uint8Array ? { sender: signer } : signer;
    const sender = toAccountBytes(s.sender);
    const witnesses = s.witnesses === undefined ? [sender] : s.witnesses.map((w) => toAccountBytes(w));
    const ctx: CallContext = { height: this.txHeight(method, s.height), sender, witnesses };
    if (s.gasLimit !== undefined) ctx.gasLimit = s.gasLimit;
    return ctx;
  }

  private result<M extends MethodName>(method: M, r: InvokeResult): TxResult<MethodResults[M]> {
    const ok = r.ok && r.code === 0 && r.trap === undefined;
    const out: TxResult<MethodResults[M]> = {
      method,
      ok,
      code: r.code,
      codeName: errorName(r.code),
      result: null,
      events: ok ? decodeEvents(r.events) : [],
      rawEvents: ok ? r.events : [],
      logs: r.logs,
      output: r.output,
    };
    if (r.trap !== undefined) out.trap = r.trap;
    if (r.gasUsed !== undefined) out.gasUsed = r.gasUsed;
    if (r.outOfGas) {
      out.outOfGas = true;
      out.codeName = "OutOfGas";
    }
    if (ok) {
      try {
        out.result = decodeResult(method, r.output);
      } catch (e) {
        out.decodeError = (e as Error).message;
      }
    }
    return out;
  }

  /**
   * Runs `method` as a transaction signed by `signer`; `args` as `encodeArgs` takes them.
   * Throws EncodeError for arguments that do not fit their types (before anything runs), and
   * ContractError for a failed call only with `throwOnError`.
   */
  transact<M extends MethodName>(method: M, args: MethodArgs[M], signer: Signer): TxResult<MethodResults[M]> {
    const bytes = encodeArgs(method, args);
    const r = this.result(method, this.invoker.transact(method, bytes, this.context(signer, method)));
    return this.options.throwOnError ? expectOk(r) : r;
  }

  /** Runs a view method and returns its raw TxResult (never throws for a contract error). */
  tryView<M extends MethodName>(method: M, args: MethodArgs[M], opts: ViewOptions = {}): TxResult<MethodResults[M]> {
    const bytes = encodeArgs(method, args);
    const ctx: Partial<CallContext> = {};
    const height = opts.height ?? this.defaultHeight();
    if (height !== undefined) ctx.height = height;
    if (opts.sender !== undefined) ctx.sender = toAccountBytes(opts.sender);
    return this.result(method, this.invoker.view(method, bytes, ctx));
  }

  /** Runs a view method; throws ContractError on a non-zero code or trap, DecodeError on a malformed result. */
  view<M extends MethodName>(method: M, args: MethodArgs[M], opts: ViewOptions = {}): MethodResults[M] {
    const r = this.tryView(method, args, opts);
    if (!r.ok) throw new ContractError(method, r.code === 0 ? -1 : r.code, r.trap, r.logs);
    if (r.decodeError !== undefined) throw new ContractError(method, -1, r.decodeError, r.logs);
    return r.result as MethodResults[M];
  }

  /**
   * Any method by name with an argument object (the replay's entry point): views run
   * read-only (the signer, if any, gives sender and height), the rest as transactions.
   * Never throws for a contract error; throws EncodeError for bad arguments.
   */
  call(method: MethodName, args: unknown, signer?: Signer): TxResult {
    if (!Object.prototype.hasOwnProperty.call(METHODS, method)) {
      throw new TypeError(`unknown method ${JSON.stringify(method)}`);
    }
    if (METHODS[method].view) {
      const opts: ViewOptions = {};
      if (signer !== undefined) {
        const s = typeof signer === "string" || signer instanceof Uint8Array ? { sender: signer } : signer;
        opts.sender = s.sender;
        if (s.height !== undefined) opts.height = s.height;
      }
      return this.tryView(method, args as never, opts);
    }
    if (signer === undefined) throw new TypeError(`${method} is a transaction: it needs a signer`);
    const bytes = encodeArgs(method, args);
    return this.result(method, this.invoker.transact(method, bytes, this.context(signer, method)));
  }

  // ------------------------------------------------------------ roles

  /** Runs once; needs the admin's witness; makes `admin` Admin. */
  init(signer: Signer, admin: AccountLike): TxResult<null> {
    return this.transact("init", { admin }, signer);
  }

  /** Admin only. `role` by name ("Operator") or number. */
  grantRole(signer: Signer, role: number | string, account: AccountLike): TxResult<null> {
    return this.transact("grantRole", { role, account }, signer);
  }

  /** Admin only; the last Admin cannot be revoked (LastAdmin). */
  revokeRole(signer: Signer, role: number | string, account: AccountLike): TxResult<null> {
    return this.transact("revokeRole", { role, account }, signer);
  }

  /** True when `account` holds `role` or Admin. */
  hasRole(role: number | string, account: AccountLike, opts?: ViewOptions): boolean {
    return this.view("hasRole", { role, account }, opts);
  }

  // ------------------------------------------------------------ features

  /**
   * Operator. `policy` may be partial (missing fields from DEFAULT_POLICY); omitted or null
   * sends None (the contract's defaults).
   */
  createFeature(signer: Signer, name: string, description = "", policy?: PolicyInput | null): TxResult<null> {
    return this.transact("createFeature", { name, description, policy: policy ?? null }, signer);
  }

  /** Operator. `policy` may be partial: missing fields come from DEFAULT_POLICY (see patchPolicy). */
  updatePolicy(signer: Signer, name: string, policy: PolicyInput): TxResult<null> {
    return this.transact("updatePolicy", { name, policy }, signer);
  }

  /**
   * Operator. Reads the feature's current policy (a view) and sends it with `patch` applied.
   * For an unknown feature it sends DEFAULT_POLICY + patch, and the contract answers FeatureNotFound.
   */
  patchPolicy(signer: Signer, name: string, patch: PolicyInput): TxResult<null> {
    const current = this.getFeature(name);
    const base: PolicyInput = current ? current.policy : completePolicy();
    const merged: PolicyInput = { ...base };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    return this.updatePolicy(signer, name, merged);
  }

  /** Operator. Canary at `bps` (1..10000). */
  startCanary(signer: Signer, name: string, bps: number): TxResult<null> {
    return this.transact("startCanary", { name, bps }, signer);
  }

  /** Operator. RollingOut toward `targetBps`. */
  startRollout(signer: Signer, name: string, targetBps: number): TxResult<null> {
    return this.transact("startRollout", { name, targetBps }, signer);
  }

  enable(signer: Signer, name: string): TxResult<null> {
    return this.transact("enable", { name }, signer);
  }

  disable(signer: Signer, name: string): TxResult<null> {
    return this.transact("disable", { name }, signer);
  }

  /** Operator or Guardian. */
  pause(signer: Signer, name: string): TxResult<null> {
    return this.transact("pause", { name }, signer);
  }

  /** Operator or Guardian. */
  resume(signer: Signer, name: string): TxResult<null> {
    return this.transact("resume", { name }, signer);
  }

  /** Operator or Guardian. `reason` by name or number, default Manual. */
  rollback(signer: Signer, name: string, reason: number | string = "Manual"): TxResult<null> {
    return this.transact("rollback", { name, reason }, signer);
  }

  /** Operator. `mode`: "Clear" | "ForceOn" | "ForceOff" or 0/1/2. */
  setOverride(signer: Signer, name: string, account: AccountLike, mode: number | string): TxResult<null> {
    return this.transact("setOverride", { name, account, mode }, signer);
  }

  /** Guardian. */
  setGlobal(signer: Signer, paused: boolean, halted: boolean): TxResult<null> {
    return this.transact("setGlobal", { paused, halted }, signer);
  }

  // ------------------------------------------------------------ health reports (Reporter)

  recordSuccess(signer: Signer, name: string): TxResult<null> {
    return this.transact("recordSuccess", { name }, signer);
  }

  recordError(signer: Signer, name: string): TxResult<null> {
    return this.transact("recordError", { name }, signer);
  }

  recordBatch(signer: Signer, name: string, successes: bigint | number, errors: bigint | number): TxResult<null> {
    return this.transact("recordBatch", { name, successes, errors }, signer);
  }

  /**
   * One period's outcomes of exposed (canary) and unexposed (baseline) accounts; the
   * Comparative rule judges the canary against the baseline of the same report.
   */
  recordCohorts(
    signer: Signer,
    name: string,
    canarySuccesses: bigint | number,
    canaryErrors: bigint | number,
    baseSuccesses: bigint | number,
    baseErrors: bigint | number,
  ): TxResult<null> {
    return this.transact("recordCohorts", { name, canarySuccesses, canaryErrors, baseSuccesses, baseErrors }, signer);
  }

  recordLatency(signer: Signer, name: string, value: bigint | number): TxResult<null> {
    return this.transact("recordLatency", { name, value }, signer);
  }

  recordInvariant(signer: Signer, name: string, ok: boolean): TxResult<null> {
    return this.transact("recordInvariant", { name, ok }, signer);
  }

  /** Reporter or Guardian. `reason`: "CircuitBreaker" or "ConsensusFailure" (others are BadInput). */
  reportIncident(signer: Signer, name: string, reason: number | string): TxResult<null> {
    return this.transact("reportIncident", { name, reason }, signer);
  }

  // ------------------------------------------------------------ steps

  /** Anyone. Processes one feature if a step is due. */
  processRollout(signer: Signer, name: string): TxResult<null> {
    return this.transact("processRollout", { name }, signer);
  }

  /**
   * What the host calls after every block; offered for tests. Runs with the all-zero sender
   * and no witnesses, at `height` (default: the client's height option).
   */
  onPersist(height?: number): TxResult<null> {
    const r = this.result(
      "onPersist",
      this.invoker.transact("onPersist", encodeArgs("onPersist", {}), {
        height: this.txHeight("onPersist", height),
        sender: ZERO_ACCOUNT.slice(),
        witnesses: [],
      }),
    );
    return this.options.throwOnError ? expectOk(r) : r;
  }

  // ------------------------------------------------------------ views

  isEnabled(name: string, account: AccountLike, opts?: ViewOptions): boolean {
    return this.view("isEnabled", { name, account }, opts);
  }

  /** At most 1024 accounts (LimitExceeded beyond). */
  isEnabledMany(name: string, accounts: readonly AccountLike[], opts?: ViewOptions): boolean[] {
    return this.view("isEnabledMany", { name, accounts }, opts);
  }

  /** The account's bucket, 0..9999. */
  bucketOf(name: string, account: AccountLike, opts?: ViewOptions): number {
    return this.view("bucketOf", { name, account }, opts);
  }

  /** null for an unknown feature. */
  getFeature(name: string, opts?: ViewOptions): FeatureView | null {
    return this.view("getFeature", { name }, opts);
  }

  /** null for an unknown feature. */
  getMetrics(name: string, opts?: ViewOptions): Metrics | null {
    return this.view("getMetrics", { name }, opts);
  }

  /** One page, ascending by name after `startAfter` (default ""), `limit` 1..100 (default 100). */
  listFeatures(page: { startAfter?: string; limit?: number; activeOnly?: boolean } = {}, opts?: ViewOptions): FeatureView[] {
    return this.view(
      "listFeatures",
      { startAfter: page.startAfter ?? "", limit: page.limit ?? 100, activeOnly: page.activeOnly ?? false },
      opts,
    );
  }

  /** Every feature (or every Canary/RollingOut one), following pages of 100. */
  listAllFeatures(activeOnly = false, opts?: ViewOptions): FeatureView[] {
    const all: FeatureView[] = [];
    let startAfter = "";
    for (;;) {
      const page = this.listFeatures({ startAfter, limit: 100, activeOnly }, opts);
      all.push(...page);
      if (page.length < 100) return all;
      startAfter = page[page.length - 1]!.name;
    }
  }

  /** One page of a feature's history from `fromSeq` (default 0), `limit` 1..100 (default 100). */
  getHistory(name: string, page: { fromSeq?: number; limit?: number } = {}, opts?: ViewOptions): HistoryEntry[] {
    return this.view("getHistory", { name, fromSeq: page.fromSeq ?? 0, limit: page.limit ?? 100 }, opts);
  }

  /** A feature's whole history, following pages of 100. */
  getAllHistory(name: string, opts?: ViewOptions): HistoryEntry[] {
    const all: HistoryEntry[] = [];
    for (;;) {
      const page = this.getHistory(name, { fromSeq: all.length === 0 ? 0 : all[all.length - 1]!.seq + 1, limit: 100 }, opts);
      all.push(...page);
      if (page.length < 100) return all;
    }
  }

  getGlobal(opts?: ViewOptions): GlobalState {
    return this.view("getGlobal", {}, opts);
  }
}
