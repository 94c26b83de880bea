// Gas metering injected at build time. The metered module charges gas through one added
// import, `host.gas(units: i32)`, called at the entry of every function and of every loop
// body, with the static instruction cost of that region: every expression in it except
// those inside nested loops (which charge for themselves on every iteration); an `if`
// counts its condition and its dearer arm. A branch out of the middle of a region does not
// refund the rest: the charge is the region's static cost, the same on every run and every
// machine, and never less than what runs.
//
// The unmetered release module is untouched; this writes a separate file.

import type BinaryenApi from "binaryen";
import { GAS_IMPORT } from "../abi/methods.ts";
import { CHILD_FIELDS, MVP_IDS } from "../verify/gate.ts";
import { loadBinaryen, resetBinaryenSettings } from "../verify/toolchain.ts";


/** Expression setters binaryen.js has but its typings omit. */
interface ExpressionApi {
  Block: { getNumChildren(e: number): number; getChildAt(e: number, i: number): number };
  Loop: { getBody(e: number): number; setBody(e: number, body: number): void };
  If: {
    getCondition(e: number): number;
    getIfTrue(e: number): number;
    setIfTrue(e: number, v: number): void;
    getIfFalse(e: number): number;
    setIfFalse(e: number, v: number): void;
  };
  Function: { setBody(fn: number, body: number): void };
}
type Binaryen = typeof BinaryenApi & ExpressionApi;

const GAS_FN = "__canary_gas";
/** Gas charged by regions but not yet passed to host.gas. */
const PENDING = "__canary_gas_pending";
/**
 * Regions add their cost to PENDING, a Wasm global; host.gas is called with it once it
 * passes this many units, and when an exported function returns. So a hot call costs a few
 * Wasm instructions per region and one host call at the end, and an endless loop still
 * reaches the host every FLUSH_UNITS units.
 */
export const FLUSH_UNITS = 10_000;

interface Meter {
  b: Binaryen;
  mod: InstanceType<Binaryen["Module"]>;
  /** Regions instrumented (function bodies and loop bodies). */
  regions: number;
  /** Functions whose whole cost is charged at their direct call sites (see foldable()). */
  folded: Map<string, number>;
}

function idOf(m: Meter, expr: number): number {
  return m.b.getExpressionId(expr);
}

/** Passes the pending gas to host.gas and clears it. */
function flush(m: Meter): number {
  const { b, mod } = m;
  return mod.block(null, [
    mod.call(GAS_FN, [mod.global.get(PENDING, b.i32)], b.none),
    mod.global.set(PENDING, mod.i32.const(0)),
  ]);
}

/** Prepends a gas charge to `body`, keeping its type: pending += cost, flushed past FLUSH_UNITS. */
function charged(m: Meter, body: number, cost: number): number {
  const { b, mod } = m;
  m.regions++;
  const pending = () => mod.global.get(PENDING, b.i32);
  // pending ≤ FLUSH_UNITS + the largest region's cost: far from i32 overflow.
  const add = mod.global.set(PENDING, mod.i32.add(pending(), mod.i32.const(cost)));
  const check = mod.if(mod.i32.gt_u(pending(), mod.i32.const(FLUSH_UNITS)), flush(m));
  return mod.block(null, [add, check, body], b.getExpressionType(body));
}

/**
 * Re-exports `name` through a wrapper that clears PENDING on entry (a trapped call may have
 * left some) and flushes it when the function returns, however it returns. `_initialize`
 * and `_reset` are not calls (the host charges them nothing): their wrapper clears PENDING
 * on the way out instead, which saves a host call after every invocation on a reused instance.
 */
const NOT_CALLS = new Set(["_initialize", "_reset"]);

/** The export name of internal function `name` ("" for a table entry that is not exported). */
function exportNameOf(exported: [string, string][], name: string): string {
  for (const [e, internal] of exported) if (internal === name) return e;
  return "";
}

function wrapExport(m: Meter, exportName: string, internal: string): void {
  const { b, mod } = m;
  const info = b.getFunctionInfo(mod.getFunction(internal));
  const params = b.expandType(info.params);
  const args = params.map((t, i) => mod.local.get(i, t));
  const wrapper = `${internal}$metered`;
  const clear = mod.global.set(PENDING, mod.i32.const(0));
  const notACall = NOT_CALLS.has(exportName);
  let body: number;
  if (info.results === b.none) {
    const out = notACall ? mod.global.set(PENDING, mod.i32.const(0)) : flush(m);
    body = mod.block(null, [clear, mod.call(internal, args, b.none), out]);
  } else {
    const result = params.length; // the wrapper's one extra local
    body = mod.block(null, [
      clear,
      mod.local.set(result, mod.call(internal, args, info.results)),
      flush(m),
      mod.local.get(result, info.results),
    ], info.results);
  }
  const vars = info.results === b.none ? [] : [info.results];
  mod.addFunction(wrapper, info.params, info.results, vars, body);
  mod.removeExport(exportName);
  mod.addFunctionExport(wrapper, exportName);
}

/** Instruments the region rooted at `expr` and returns its charged replacement. */
function meterRegion(m: Meter, expr: number): number {
  const cost = count(m, expr);
  return charged(m, expr, Math.max(cost, 1));
}

/**
 * The static cost of `expr` in the current region, instrumenting nested loops on the way
 * (their bodies are replaced in place through binaryen's setters).
 */
function count(m: Meter, expr: number): number {
  if (!expr) return 0;
  const b = m.b;
  const id = idOf(m, expr);
  switch (id) {
    case b.BlockId: {
      let n = 0;
      const k = b.Block.getNumChildren(expr);
      for (let i = 0; i < k; i++) n += count(m, b.Block.getChildAt(expr, i));
      return n; // a block is only a label: its children run in this region
    }
    case b.LoopId: {
      b.Loop.setBody(expr, meterRegion(m, b.Loop.getBody(expr)));
      return 1;
    }
    case b.IfId: {
      // The dearer arm is charged with the region, up front: one gas call fewer per branch,
      // and the charge stays static (at most the cheaper arm's cost too much).
      const cond = count(m, b.If.getCondition(expr));
      const yes = count(m, b.If.getIfTrue(expr));
      const no = count(m, b.If.getIfFalse(expr));
      return 1 + cond + Math.max(yes, no);
    }
    default: {
      let n = 1;
      for (const child of childrenOf(b, expr, id)) n += count(m, child);
      if (id === b.CallId) n += m.folded.get((b.getExpressionInfo(expr) as unknown as { target: string }).target) ?? 0;
      return n;
    }
  }
}

/** Child expressions of an MVP expression (Block, Loop and If are handled by the callers). */
function childrenOf(b: Binaryen, expr: number, id: number): number[] {
  const fields = MVP_IDS.has(id) ? CHILD_FIELDS.get(id) : undefined;
  if (fields === undefined) throw new Error(`gas metering: unsupported expression id ${id}`);
  if (fields.length === 0) return []; // (binaryen has no info accessors for nop/unreachable)
  const info = b.getExpressionInfo(expr) as unknown as Record<string, unknown>;
  const out: number[] = [];
  for (const f of fields) {
    const v = info[f];
    if (Array.isArray(v)) for (const c of v) { if (c) out.push(c as number); }
    else if (typeof v === "number" && v !== 0) out.push(v);
  }
  return out;
}

interface FunctionFacts {
  body: number;
  imported: boolean;
  /** Has a loop or an indirect call: its cost is not static. */
  dynamic: boolean;
  callees: Set<string>;
}

/** Loops, indirect calls and direct callees of one function body. */
function scan(b: Binaryen, expr: number, facts: FunctionFacts): void {
  if (!expr) return;
  const id = b.getExpressionId(expr);
  if (id === b.BlockId) {
    const k = b.Block.getNumChildren(expr);
    for (let i = 0; i < k; i++) scan(b, b.Block.getChildAt(expr, i), facts);
  } else if (id === b.LoopId) {
    facts.dynamic = true;
    scan(b, b.Loop.getBody(expr), facts);
  } else if (id === b.IfId) {
    scan(b, b.If.getCondition(expr), facts);
    scan(b, b.If.getIfTrue(expr), facts);
    scan(b, b.If.getIfFalse(expr), facts);
  } else {
    if (id === b.CallIndirectId) facts.dynamic = true;
    if (id === b.CallId) facts.callees.add((b.getExpressionInfo(expr) as unknown as { target: string }).target);
    for (const child of childrenOf(b, expr, id)) scan(b, child, facts);
  }
}

/**
 * Functions that need no charge of their own: not exported, not in a table, no loop, no
 * indirect call, no recursion, and only such functions (or host imports) as callees. Their
 * cost is static, so each direct call site charges it with its own region instead: one
 * host.gas call per call tree rather than one per function entered. Fills m.folded with
 * each one's cost.
 */
function foldable(m: Meter, facts: Map<string, FunctionFacts>, pinned: Set<string>): void {
  const state = new Map<string, "visiting" | boolean>();
  const ok = (name: string): boolean => {
    const known = state.get(name);
    if (known === "visiting") return false; // recursion: not static
    if (known !== undefined) return known;
    const f = facts.get(name);
    if (!f) return false;
    if (f.imported) {
      state.set(name, true);
      return true;
    }
    state.set(name, "visiting");
    let yes = !f.dynamic && !pinned.has(name);
    for (const c of f.callees) if (!ok(c)) yes = false;
    state.set(name, yes);
    return yes;
  };
  for (const name of facts.keys()) ok(name);
  // Costs bottom-up: a folded function's callees are folded too (imports cost only the call).
  const cost = (name: string): number => {
    const have = m.folded.get(name);
    if (have !== undefined) return have;
    const f = facts.get(name)!;
    let n = 0;
    if (!f.imported) {
      for (const c of f.callees) cost(c);
      n = count(m, f.body); // no loop inside: counting instruments nothing
    }
    m.folded.set(name, n);
    return n;
  };
  for (const [name, yes] of state) if (yes === true) cost(name);
}

export interface MeterResult {
  bytes: Uint8Array;
  /** Functions and loop bodies that charge gas. */
  regions: number;
}

/** Returns `wasm` with gas metering injected (see the header). */
export async function meterModule(wasm: Uint8Array): Promise<MeterResult> {
  const b = (await loadBinaryen()) as Binaryen;
  // The compiler leaves its settings in binaryen (stack IR among them), which change the
  // emitted bytes: start from the process's initial ones, as every compile does.
  await resetBinaryenSettings();
  const mod = b.readBinary(wasm);
  try {
    mod.setFeatures(b.Features.MVP | b.Features.MutableGlobals);
    mod.addFunctionImport(GAS_FN, GAS_IMPORT.module, GAS_IMPORT.base, b.i32, b.none);
    const m: Meter = { b, mod, regions: 0, folded: new Map() };
    const n = mod.getNumFunctions();
    const facts = new Map<string, FunctionFacts>();
    for (let i = 0; i < n; i++) {
      const info = b.getFunctionInfo(mod.getFunctionByIndex(i));
      const f: FunctionFacts = { body: info.body, imported: !!info.module, dynamic: false, callees: new Set() };
      if (!f.imported) scan(b, info.body, f);
      facts.set(info.name, f);
    }
    // Exported functions are entered by the host, table entries indirectly: they charge.
    const pinned = new Set<string>();
    const exported: [string, string][] = [];
    for (let i = 0; i < mod.getNumExports(); i++) {
      const e = b.getExportInfo(mod.getExportByIndex(i));
      if (e.kind === b.ExternalFunction) {
        pinned.add(e.value);
        exported.push([e.name, e.value]);
      }
    }
    for (let i = 0; i < mod.getNumElementSegments(); i++) {
      for (const name of b.getElementSegmentInfo(mod.getElementSegmentByIndex(i)).data) pinned.add(name);
    }
    foldable(m, facts, pinned);
    // What a call can run: the methods (every export but _initialize and _reset, which are
    // not calls: the host charges them nothing) and table entries, and all they call. Code
    // that only those two reach (the heap wipe of _reset) is left unmetered.
    const callable = new Set<string>();
    const visit = (name: string): void => {
      if (callable.has(name)) return;
      callable.add(name);
      for (const c of facts.get(name)?.callees ?? []) visit(c);
    };
    for (const name of pinned) if (!NOT_CALLS.has(exportNameOf(exported, name))) visit(name);
    mod.addGlobal(PENDING, b.i32, true, mod.i32.const(0));
    for (let i = 0; i < n; i++) {
      const fn = mod.getFunctionByIndex(i);
      const info = b.getFunctionInfo(fn);
      // Imports have no body; folded functions are charged at their call sites.
      if (info.module || info.name === GAS_FN || m.folded.has(info.name) || !callable.has(info.name)) continue;
      b.Function.setBody(fn, meterRegion(m, info.body));
    }
    for (const [exportName, internal] of exported) wrapExport(m, exportName, internal);
    if (!mod.validate()) throw new Error("gas metering produced an invalid module");
    return { bytes: mod.emitBinary(), regions: m.regions };
  } finally {
    mod.dispose();
  }
}
