// The host's public types: what the client, the replay and the tests program against.
// The implementation lives beside this file (store, overlay, invoker, chain).

/** A 20-byte account. */
export type Account = Uint8Array;

/** One event as the contract emitted it: an ASCII name and a Borsh payload. */
export interface RawEvent {
  name: string;
  data: Uint8Array;
}

/** Who is calling and when: what the host imports `caller`, `check_witness` and `block_height` answer. */
export interface CallContext {
  /** Height of the block being executed (u32). */
  height: number;
  /** The transaction's sender, 20 bytes (all zero for `onPersist` and for views without one). */
  sender: Account;
  /** Accounts that signed the transaction; `check_witness(a)` is 1 only for these. */
  witnesses: Account[];
  /** Gas limit for a metered module (docs/GAS.md); default DEFAULT_GAS_LIMIT. Ignored when unmetered. */
  gasLimit?: number;
}

/**
 * The outcome of one invocation of one exported method. Read-only: an unmetered call that
 * returned 0 with no output, events or logs gets a shared frozen result.
 */
export interface InvokeResult {
  /** The i32 the method returned; 0 = ok. -1 when the call trapped or the host faulted it. */
  code: number;
  /** True when code is 0 and nothing trapped: the writes and events were kept (for a transaction). */
  ok: boolean;
  /** The bytes of the last `output_write` (empty when none). */
  output: Uint8Array;
  /** Events emitted, in order; empty when the call FAULTed. */
  events: RawEvent[];
  /** Debug lines written through `log`. */
  logs: string[];
  /** Why the call FAULTed without a code: a trap or a host-detected violation (bounds, key/value size). */
  trap?: string;
  /** Gas used (metered modules only): instruction gas plus host fees, up to the limit. */
  gasUsed?: number;
  /** True when the call FAULTed because it ran out of gas. */
  outOfGas?: boolean;
}

/** Something that runs a contract method in process (the Chain); a node over RPC is the asynchronous AsyncInvoker of src/node/client.ts. */
export interface Invoker {
  /** Runs `method` as a transaction in the current block: writes and events are kept only when ok. */
  transact(method: string, args: Uint8Array, ctx: CallContext): InvokeResult;
  /** Runs `method` read-only: whatever it writes is discarded. */
  view(method: string, args: Uint8Array, ctx?: Partial<CallContext>): InvokeResult;
}
