// ContractRuntime: runs one exported method of the contract module against a Store.
//
// Faults. Whatever the module does, `invoke` returns an InvokeResult and never throws: a host
// import that detects a violation (a pointer or length outside memory, a negative length, a
// key over 128 bytes or a value over 65535 bytes, a bad event name, an import called from
// `_initialize`/`_reset`) throws a HostFault (call.ts) that unwinds through the Wasm frames;
// `invoke` catches it, a Wasm trap (WebAssembly.RuntimeError), a stack overflow (RangeError)
// and anything else thrown while the module runs, and reports code -1, ok false, and `trap`.
// The runtime writes straight into the Store it is given: callers that need atomicity (the
// Chain) run the call inside a savepoint of an Overlay and roll it back when the result is
// not ok.
//
// Instances. `reuse: false` instantiates the module for every invocation (and calls
// `_initialize` when exported). `reuse: true` (default) keeps one instance: `_initialize` once,
// and after every invocation `_reset`; an instance whose call trapped, whose `_reset` trapped,
// or whose module has no `_reset`, is dropped and the next invocation gets a fresh one. So
// nothing but storage survives from one invocation to the next, if `_reset` does its job.

// Module checks. The constructor refuses a module whose imports are not on the gate's own
// allow-list (HOST_IMPORTS and KNOWN_EXTRA_IMPORTS, imports.ts) or whose exports are wrong.
//
// The rest lives by concern: call.ts (the per-call state, faults, results and gas),
// imports.ts (the import table and its bounds checks), memory.ts (views, copies, key
// strings), events.ts (emit and log), instance.ts (exports, instantiation, `_reset`).

import { readFileSync } from "node:fs";
import { DEFAULT_GAS_LIMIT } from "../gas/fees.ts";
import { ACCOUNT_BYTES, callResult, describe, EMPTY, NO_EVENTS, NO_LOGS, newCallState, notRun, OutOfGas, type CallState } from "./call.ts";
import { checkImports, makeImports } from "./imports.ts";
import { checkExports, instantiate, resetAfterCall, type Instance, type Method, type ModuleExports } from "./instance.ts";
import { asBinary, type Store } from "./store.ts";
import type { CallContext, InvokeResult } from "./types.ts";
import { readWasmInfo, type WasmInfo } from "./wasmInfo.ts";

export { ACCOUNT_BYTES } from "./call.ts";
export { MAX_EVENT_DATA_BYTES, MAX_EVENT_NAME_BYTES } from "./events.ts";

export interface RuntimeOptions {
  /** Keep one instance and `_reset` it between invocations (default true). */
  reuse?: boolean;
}

export class ContractRuntime {
  readonly module: WebAssembly.Module;
  readonly info: WasmInfo;
  readonly reuse: boolean;
  /** Exported functions of type () → i32: the callable methods. */
  readonly methods: ReadonlySet<string>;
  /** The module imports host.gas (a metered build): calls are charged and limited. */
  readonly metered: boolean;

  private readonly shape: ModuleExports;
  private readonly cx: CallState;
  private readonly imports: WebAssembly.Imports;
  private instance: Instance | null = null;
  /** Instances created so far (for tests and benchmarks). */
  instances = 0;

  constructor(wasm: Uint8Array | ArrayBuffer, options: RuntimeOptions = {}) {
    const bytes = wasm instanceof Uint8Array ? wasm : new Uint8Array(wasm);
    this.module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    this.info = readWasmInfo(bytes);
    this.reuse = options.reuse ?? true;

    this.metered = checkImports(this.info);
    this.shape = checkExports(this.info);
    this.methods = this.shape.methods;
    this.cx = newCallState(this.metered);
    this.imports = makeImports(this.cx);
  }

  static fromFile(path: string, options?: RuntimeOptions): ContractRuntime {
    return new ContractRuntime(readFileSync(path), options);
  }

  /** Whether `method` is an exported () → i32 function. */
  has(method: string): boolean {
    return this.methods.has(method);
  }

  /**
   * Runs `method` with `args` as its input against `store` (writes go straight into it).
   * Throws only for host misuse (a sender that is not 20 bytes); anything the module does
   * ends in a result.
   */
  invoke(method: string, args: Uint8Array, ctx: CallContext, store: Store): InvokeResult {
    if (ctx.sender.length !== ACCOUNT_BYTES) throw new Error(`invoke: sender must be ${ACCOUNT_BYTES} bytes, got ${ctx.sender.length}`);
    const cx = this.cx;
    cx.args = args;
    cx.ctx = ctx;
    cx.store = asBinary(store);
    cx.output = EMPTY;
    cx.events = NO_EVENTS;
    cx.logs = NO_LOGS;
    cx.gasUsed = 0;
    cx.gasLimit = ctx.gasLimit ?? DEFAULT_GAS_LIMIT;

    let inst = this.instance;
    // A method already called on the reused instance is known to exist: one Map probe.
    let fn = inst === null ? undefined : inst.fns.get(method);
    if (fn === undefined) {
      if (!this.methods.has(method)) {
        return notRun(cx, `no such method: ${method}`);
      }
      if (inst === null) {
        try {
          inst = this.instantiate();
        } catch (e) {
          return notRun(cx, `instantiate: ${describe(e)}`);
        }
      }
      fn = inst.exports[method] as Method;
      inst.fns.set(method, fn);
    }
    const live = inst as Instance; // a cached fn came from this.instance
    if (cx.memory !== live.memory) {
      cx.memory = live.memory;
      cx.buffer = null;
      cx.u8 = EMPTY;
    }

    let code = -1;
    let trap: string | undefined;
    let outOfGas = false;
    cx.active = true;
    try {
      code = fn();
    } catch (e) {
      trap = describe(e);
      outOfGas = e instanceof OutOfGas;
    }
    cx.active = false;

    if (this.reuse && !resetAfterCall(live, trap !== undefined)) this.instance = null;
    return callResult(cx, code, trap, outOfGas);
  }

  /** Drops the cached instance (the next invocation instantiates afresh). */
  dropInstance(): void {
    this.instance = null;
  }

  private instantiate(): Instance {
    const inst = instantiate(this.module, this.imports, this.shape, this.cx);
    this.instances++;
    if (this.reuse) this.instance = inst;
    return inst;
  }
}
