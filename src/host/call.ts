// One call as the host sees it: the mutable state every host import closes over, the faults
// an import raises, gas, and the InvokeResult the call ends in.

import { Buffer } from "node:buffer";
import { MemoryStore, type BinaryStore } from "./store.ts";
import type { CallContext, InvokeResult, RawEvent } from "./types.ts";

export const ACCOUNT_BYTES = 20;

/** A violation detected by a host import: unwinds through the module, FAULTs the call. */
export class HostFault extends Error {
  override name = "HostFault";
}

/** The call used more gas than its limit. */
export class OutOfGas extends HostFault {
  override name = "OutOfGas";
}

export const EMPTY = new Uint8Array(0);
/** Shared by every result without events / logs (most calls): no per-call arrays. Frozen, so a
 * consumer that tried to push into one fails loudly instead of leaking into other results. */
export const NO_EVENTS = Object.freeze([]) as unknown as RawEvent[];
export const NO_LOGS = Object.freeze([]) as unknown as string[];
/** The result of every unmetered call that returned 0 with no output, events or logs. */
const OK_EMPTY: InvokeResult = Object.freeze({ code: 0, ok: true, output: EMPTY, events: NO_EVENTS, logs: NO_LOGS, trap: undefined });

/** Node's Buffer has latin1Slice (what toString("latin1", …) ends in) without the encoding dispatch. */
export type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** The one mutable per-call state every import closes over. */
export interface CallState {
  active: boolean;
  /** The module imports host.gas: charge instruction gas and host fees. */
  metered: boolean;
  gasUsed: number;
  gasLimit: number;
  args: Uint8Array;
  output: Uint8Array;
  events: RawEvent[];
  logs: string[];
  store: BinaryStore;
  ctx: CallContext;
  memory: WebAssembly.Memory | null;
  /** The ArrayBuffer the two views below were made on; memory growth replaces it. */
  buffer: ArrayBuffer | null;
  u8: Uint8Array;
  buf: Latin1Buffer;
}

export function newCallState(metered: boolean): CallState {
  return {
    active: false,
    metered,
    gasUsed: 0,
    gasLimit: 0,
    args: EMPTY,
    output: EMPTY,
    events: NO_EVENTS,
    logs: NO_LOGS,
    store: new MemoryStore(), // placeholder: imports are inactive between calls
    ctx: { height: 0, sender: new Uint8Array(ACCOUNT_BYTES), witnesses: [] },
    memory: null,
    buffer: null,
    u8: EMPTY,
    buf: Buffer.alloc(0) as Latin1Buffer,
  };
}

/** Host fees and instruction gas (metered modules only): throws OutOfGas past the limit. */
export function charge(cx: CallState, units: number): void {
  cx.gasUsed += units;
  if (cx.gasUsed > cx.gasLimit) throw new OutOfGas(`used more than the limit of ${cx.gasLimit}`);
}

/** An import called while no method runs (from `_initialize` or `_reset`). */
export function inactive(fn: string): HostFault {
  return new HostFault(`${fn}: host imports may only be called while a method runs (not from _initialize or _reset)`);
}

/** The `trap` text of whatever a call threw. */
export function describe(e: unknown): string {
  if (e instanceof OutOfGas) return `OutOfGas: ${e.message}`;
  if (e instanceof HostFault) return e.message;
  if (e instanceof WebAssembly.RuntimeError) return `trap: ${e.message}`;
  if (e instanceof RangeError && /call stack/i.test(e.message)) return `stack overflow: ${e.message}`;
  if (e instanceof Error) return `host error: ${e.name}: ${e.message}`;
  return `host error: ${String(e)}`;
}

/** A call that never reached the module (no such method, instantiation failed). */
export function notRun(cx: CallState, trap: string): InvokeResult {
  return { code: -1, ok: false, output: EMPTY, events: [], logs: cx.logs, trap };
}

/** The result of a call that ran: its code (or `trap`), output, events when ok, logs, gas. */
export function callResult(cx: CallState, code: number, trap: string | undefined, outOfGas: boolean): InvokeResult {
  const ok = trap === undefined && code === 0;
  // Most transactions return nothing, emit nothing and log nothing: they share one frozen
  // result instead of each leaving one for the block to hold and the GC to move.
  if (ok && !cx.metered && cx.output === EMPTY && cx.events === NO_EVENTS && cx.logs === NO_LOGS) return OK_EMPTY;
  const outCode = trap === undefined ? code : -1;
  const events = ok ? cx.events : NO_EVENTS;
  if (!cx.metered) return { code: outCode, ok, output: cx.output, events, logs: cx.logs, trap };
  // One literal with gasUsed (adding it afterwards would change the object's shape per call).
  const result: InvokeResult = { code: outCode, ok, output: cx.output, events, logs: cx.logs, trap, gasUsed: Math.min(cx.gasUsed, cx.gasLimit) };
  if (outOfGas) result.outOfGas = true;
  return result;
}
