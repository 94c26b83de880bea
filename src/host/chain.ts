// Chain: the in-process chain that runs the contract block by block.
//
// State layers: the Store holds committed blocks; one Overlay over it buffers the open block,
// and each transaction runs on it inside a savepoint. A transaction's writes and events are
// kept (the savepoint released) only when the method returns 0 without a trap; otherwise the
// savepoint is rolled back and its events dropped. A view runs on its own overlay, always
// discarded. `endBlock` runs `onPersist` as the block's last step (kept only when it returns
// 0), then commits the block overlay into the store with one `apply` and computes the state
// root. The Chain owns its store: writing to it behind the Chain's back makes the cached
// state root stale.

import { readFileSync } from "node:fs";
import { Overlay } from "./overlay.ts";
import { ContractRuntime, ACCOUNT_BYTES, type RuntimeOptions } from "./runtime.ts";
import { ON_PERSIST_GAS_LIMIT } from "../gas/fees.ts";
import { stateRoot } from "./stateRoot.ts";
import { MemoryStore, type Store } from "./store.ts";
import type { Account, CallContext, InvokeResult, Invoker, RawEvent } from "./types.ts";

/** One transaction of a block. `witnesses` defaults to `[sender]` (the sender signed it). */
export interface BlockTx {
  method: string;
  args: Uint8Array;
  sender: Account;
  witnesses?: Account[];
}

export interface BlockInput {
  height: number;
  txs: BlockTx[];
}

export interface BlockResult {
  height: number;
  /** One result per transaction, in order (failed ones included). */
  txs: InvokeResult[];
  /** The result of the block's `onPersist` (its writes and events kept only when ok). */
  onPersist: InvokeResult;
  /** Every kept event of the block, in order: transactions first, then onPersist's. */
  events: RawEvent[];
  /** Whether any byte of state differs from the previous block's. */
  changed: boolean;
  /** The state root after the block (see stateRoot.ts). */
  stateRoot: string;
}

const EMPTY = new Uint8Array(0);
const MAX_HEIGHT = 0xffffffff;

/** The all-zero sender of onPersist and of views without one. Only ever read (the runtime copies it into memory). */
const ZERO_ACCOUNT: Account = new Uint8Array(ACCOUNT_BYTES);
/** No witnesses (views without any, onPersist): one shared frozen array, not one per call. */
const NO_WITNESSES = Object.freeze([]) as unknown as Account[];

function checkAccount(what: string, a: unknown): void {
  if (!(a instanceof Uint8Array) || a.length !== ACCOUNT_BYTES) throw new Error(`${what} must be a ${ACCOUNT_BYTES}-byte Uint8Array`);
}

interface OpenBlock {
  height: number;
  txs: InvokeResult[];
  events: RawEvent[];
}

export class Chain implements Invoker {
  readonly runtime: ContractRuntime;
  readonly store: Store;
  private readonly blockOverlay: Overlay;
  private readonly viewOverlay: Overlay;
  private open: OpenBlock | null = null;
  private last = -1;
  private root: string | null = null;
  private readonly viewCtx: CallContext = { height: 0, sender: ZERO_ACCOUNT, witnesses: NO_WITNESSES, gasLimit: undefined };

  constructor(contract: Uint8Array | ArrayBuffer | ContractRuntime, store: Store = new MemoryStore(), options: RuntimeOptions = {}) {
    this.runtime = contract instanceof ContractRuntime ? contract : new ContractRuntime(contract, options);
    this.store = store;
    this.blockOverlay = new Overlay(store);
    this.viewOverlay = new Overlay(this.blockOverlay);
  }

  static fromFile(path: string, store?: Store, options?: RuntimeOptions): Chain {
    return new Chain(readFileSync(path), store, options);
  }

  /** Height of the last committed block, -1 before the first. */
  get lastHeight(): number {
    return this.last;
  }

  /** Height of the open block, undefined when none is open. */
  get currentHeight(): number | undefined {
    return this.open?.height;
  }

  /** Opens block `height`: it must be an integer in 0..2^32-1 above every earlier block. */
  beginBlock(height: number): void {
    if (this.open) throw new Error(`beginBlock(${height}): block ${this.open.height} is still open (call endBlock first)`);
    if (!Number.isInteger(height) || height < 0 || height > MAX_HEIGHT) throw new Error(`beginBlock(${height}): a height is an integer in 0..${MAX_HEIGHT}`);
    if (height <= this.last) throw new Error(`beginBlock(${height}): heights must strictly increase (last block was ${this.last})`);
    this.open = { height, txs: [], events: [] };
  }

  /**
   * Runs `method` as a transaction of the open block (opening block `ctx.height` when none is
   * open). Its writes and events are kept only when the result is ok.
   */
  transact(method: string, args: Uint8Array, ctx: CallContext): InvokeResult {
    if (!this.open) this.beginBlock(ctx.height);
    const block = this.open!;
    if (ctx.height !== block.height) throw new Error(`transact: ctx.height ${ctx.height} is not the open block's height ${block.height}`);
    checkAccount("transact: sender", ctx.sender);
    const r = this.inSavepoint(method, args, ctx);
    if (r.ok) {
      // An index loop: `for…of` over results that alternate between the shared frozen empty
      // array and real ones allocates an iterator per call.
      const evs = r.events;
      for (let i = 0; i < evs.length; i++) block.events.push(evs[i]!);
    }
    block.txs.push(r);
    return r;
  }

  /**
   * Runs `method` read-only on the current state (the open block's kept transactions
   * included); whatever it writes is discarded. Defaults: the open block's height (else the
   * last committed one, 0 before any), an all-zero sender, no witnesses.
   */
  view(method: string, args: Uint8Array, ctx?: Partial<CallContext>): InvokeResult {
    const open = this.open;
    // One context object for every view, filled in here: the runtime reads it only while the
    // call runs, and nothing runs two calls at once.
    const vc = this.viewCtx;
    if (ctx === undefined) {
      vc.height = open !== null ? open.height : Math.max(this.last, 0);
      vc.sender = ZERO_ACCOUNT;
      vc.witnesses = NO_WITNESSES;
      vc.gasLimit = undefined;
    } else {
      const sender = ctx.sender ?? ZERO_ACCOUNT;
      checkAccount("view: sender", sender);
      vc.height = ctx.height ?? (open !== null ? open.height : Math.max(this.last, 0));
      vc.sender = sender;
      vc.witnesses = ctx.witnesses ?? NO_WITNESSES;
      vc.gasLimit = ctx.gasLimit;
    }
    try {
      return this.runtime.invoke(method, args, vc, this.viewOverlay);
    } finally {
      this.viewOverlay.discard();
    }
  }

  /** Runs `onPersist`, commits the block to the store with one `apply`, returns its result. */
  endBlock(): BlockResult {
    const block = this.open;
    if (!block) throw new Error("endBlock: no open block (call beginBlock first)");
    const onPersist = this.inSavepoint("onPersist", EMPTY, { height: block.height, sender: ZERO_ACCOUNT, witnesses: NO_WITNESSES, gasLimit: ON_PERSIST_GAS_LIMIT });
    if (onPersist.ok) for (const ev of onPersist.events) block.events.push(ev);

    const changed = this.blockOverlay.changesParent();
    this.blockOverlay.commit();
    if (changed || this.root === null) this.root = stateRoot(this.store);
    this.last = block.height;
    this.open = null;
    return { height: block.height, txs: block.txs, onPersist, events: block.events, changed, stateRoot: this.root };
  }

  /** Runs `method` on the block's overlay in a savepoint: its writes kept only when the result is ok. */
  private inSavepoint(method: string, args: Uint8Array, ctx: CallContext): InvokeResult {
    const ov = this.blockOverlay;
    ov.savepoint();
    let r: InvokeResult;
    try {
      r = this.runtime.invoke(method, args, ctx, ov);
    } catch (e) {
      ov.rollback();
      throw e;
    }
    if (r.ok) ov.release();
    else ov.rollback();
    return r;
  }

  /** Discards the open block entirely (nothing of it reaches the store). */
  abortBlock(): void {
    this.blockOverlay.discard();
    this.open = null;
  }

  /** beginBlock + every transaction + endBlock. The block is checked before anything runs. */
  executeBlock(block: BlockInput): BlockResult {
    block.txs.forEach((tx, i) => {
      if (typeof tx.method !== "string") throw new Error(`executeBlock: tx ${i}: method must be a string`);
      if (!(tx.args instanceof Uint8Array)) throw new Error(`executeBlock: tx ${i}: args must be a Uint8Array`);
      checkAccount(`executeBlock: tx ${i}: sender`, tx.sender);
      for (const w of tx.witnesses ?? []) checkAccount(`executeBlock: tx ${i}: witness`, w);
    });
    this.beginBlock(block.height);
    for (const tx of block.txs) {
      this.transact(tx.method, tx.args, { height: block.height, sender: tx.sender, witnesses: tx.witnesses ?? [tx.sender] });
    }
    return this.endBlock();
  }

  /** The state root of the committed store (the open block not included). */
  stateRoot(): string {
    if (this.root === null) this.root = stateRoot(this.store);
    return this.root;
  }
}
