// The replay's chain for `--target cosmwasm`: the CosmWasm module (build/canary-cw.wasm) in
// cw-simulate, driven block by block like the native Chain (beginBlock, the block's
// transactions, endBlock = the x/clock sudo `clock_end_block {}` at the block's height), so
// replay() runs unchanged over it and writes the same report. Calls go through the client's
// CosmWasm transport (src/client/cosmwasm.ts): the same JSON messages a chain receives.
//
// Differences from the native target, by construction of the chain rather than the contract:
// a transaction's only witness is its sender (a CosmWasm message has one signer: the replay
// never sends others); the contract is instantiated with max_due_per_block 100 (native
// onPersist processes every due feature); the state root is over SPEC section 9's keys only (cw2's
// `contract_info` is left out), so both targets' roots compare; gas is cw-simulate's
// approximate metering, not the native gas table's units.

import type { BlockResult, Chain } from "../host/chain.ts";
import type { CallContext, InvokeResult, RawEvent } from "../host/types.ts";
import { SyncCosmWasmInvoker } from "../client/cosmwasm.ts";
import type { SimConnection, SimOptions } from "../client/cosmwasm-sim.ts";
import { ModuleError } from "./module.ts";
import { MissingDependencyError } from "../optionalDependencies.ts";

/** What replay() needs of a chain. */
export type ReplayChain = Pick<Chain, "beginBlock" | "endBlock" | "transact" | "view" | "stateRoot">;

const EMPTY = new Uint8Array(0);
const ZERO = new Uint8Array(20);

export class CosmWasmChain implements ReplayChain {
  readonly invoker: SyncCosmWasmInvoker;
  private open: { height: number; txs: InvokeResult[]; events: RawEvent[] } | null = null;
  private last = -1;
  private root: string | null = null;

  constructor(readonly connection: SimConnection) {
    this.invoker = new SyncCosmWasmInvoker(connection);
  }

  /** Loads `wasm` into a fresh cw-simulate app (cw-simulate is imported here, lazily). */
  static async open(wasm: Uint8Array, options: SimOptions = {}): Promise<CosmWasmChain> {
    const { SimConnection } = await import("../client/cosmwasm-sim.ts");
    try {
      // Native onPersist processes every due feature; one sudo at most max_due_per_block. The
      // replay instantiates with the largest bound the contract takes (100) so both targets
      // step alike; a scenario with more features due in one block than that would differ.
      return new CosmWasmChain(await SimConnection.open(wasm, { maxDuePerBlock: 100, ...options }));
    } catch (e) {
      if (e instanceof MissingDependencyError) throw e;
      throw new ModuleError(`not a loadable CosmWasm module: ${(e as Error).message}`);
    }
  }

  get lastHeight(): number {
    return this.last;
  }

  beginBlock(height: number): void {
    if (this.open) throw new Error(`beginBlock(${height}): block ${this.open.height} is still open`);
    if (height <= this.last) throw new Error(`beginBlock(${height}): heights must strictly increase (last block was ${this.last})`);
    this.open = { height, txs: [], events: [] };
    this.connection.setHeight(height);
  }

  transact(method: string, args: Uint8Array, ctx: CallContext): InvokeResult {
    if (!this.open) this.beginBlock(ctx.height);
    const block = this.open!;
    if (ctx.height !== block.height) throw new Error(`transact: ctx.height ${ctx.height} is not the open block's height ${block.height}`);
    const r = this.invoker.transact(method, args, ctx);
    if (r.ok) block.events.push(...r.events);
    block.txs.push(r);
    return r;
  }

  view(method: string, args: Uint8Array, ctx?: Partial<CallContext>): InvokeResult {
    return this.invoker.view(method, args, ctx);
  }

  /** The block's sudo `clock_end_block {}` (onPersist), then the state root. */
  endBlock(): BlockResult {
    const block = this.open;
    if (!block) throw new Error("endBlock: no open block (call beginBlock first)");
    const onPersist = this.invoker.transact("onPersist", EMPTY, { height: block.height, sender: ZERO, witnesses: [] });
    if (onPersist.ok) block.events.push(...onPersist.events);
    const root = this.connection.stateRoot();
    const changed = root !== this.root;
    this.root = root;
    this.last = block.height;
    this.open = null;
    return { height: block.height, txs: block.txs, onPersist, events: block.events, changed, stateRoot: root };
  }

  stateRoot(): string {
    return this.root ?? this.connection.stateRoot();
  }
}
