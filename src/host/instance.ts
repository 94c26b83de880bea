// Instances of the module: which exports it must have (read once per module), making an
// instance (and running `_initialize`), and `_reset` between two calls on a reused one.

import { EMPTY, type CallState } from "./call.ts";
import { sameSig, sigToString, type WasmInfo } from "./wasmInfo.ts";

type Exports = Record<string, unknown>;
export type Method = () => number;

/**
 * A live instance. `fns` caches the export functions already called by name: a keyed load
 * `exports[method]` on the (frozen, ~70-property) exports object with ever-changing names is a
 * megamorphic lookup, a Map probe with the caller's string (its hash cached) is not.
 */
export type Instance = { exports: Exports; memory: WebAssembly.Memory; fns: Map<string, Method>; reset: (() => void) | null };

export interface ModuleExports {
  /** Exported functions of type () → i32: the callable methods. */
  methods: Set<string>;
  hasInitialize: boolean;
  hasReset: boolean;
}

/** Refuses a module without `memory` or with a `_initialize`/`_reset` that is not () → (). */
export function checkExports(info: WasmInfo): ModuleExports {
  const mem = info.exports.find((e) => e.name === "memory");
  if (!mem || mem.kind !== "memory") throw new Error("module does not export its memory as `memory`");
  const out: ModuleExports = { methods: new Set<string>(), hasInitialize: false, hasReset: false };
  for (const e of info.exports) {
    if (e.kind !== "func") continue;
    if (e.name === "_initialize" || e.name === "_reset") {
      if (!sameSig(e.sig, [], [])) throw new Error(`export ${e.name} is ${sigToString(e.sig)}, must be () → ()`);
      if (e.name === "_initialize") out.hasInitialize = true;
      else out.hasReset = true;
    } else if (sameSig(e.sig, [], ["i32"])) out.methods.add(e.name);
  }
  return out;
}

/** A new instance, its memory what the imports see, `_initialize` run when exported. */
export function instantiate(module: WebAssembly.Module, imports: WebAssembly.Imports, shape: ModuleExports, cx: CallState): Instance {
  cx.memory = null; // a start function must not see the previous instance's memory
  const exports = new WebAssembly.Instance(module, imports).exports as Exports;
  const reset = shape.hasReset ? (exports._reset as () => void) : null;
  const inst: Instance = { exports, memory: exports.memory as WebAssembly.Memory, fns: new Map(), reset };
  cx.memory = inst.memory;
  cx.buffer = null;
  cx.u8 = EMPTY;
  if (shape.hasInitialize) (exports._initialize as () => void)();
  return inst;
}

/** After a call on a reused instance: whether it can serve the next one (`_reset` ran). */
export function resetAfterCall(inst: Instance, trapped: boolean): boolean {
  if (trapped || inst.reset === null) return false;
  try {
    inst.reset();
    return true;
  } catch {
    return false;
  }
}
