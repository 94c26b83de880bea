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
import { loadBinaryen } from "../verify/toolchain.ts";

export { GAS_IMPORT };

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

interface Meter {
  b: Binaryen;
  mod: InstanceType<Binaryen["Module"]>;
  /** Regions instrumented (function bodies and loop bodies). */
  regions: number;
}

function idOf(m: Meter, expr: number): number {
  return m.b.getExpressionId(expr);
}

/** Prepends a gas charge to `body`, keeping its type. */
function charged(m: Meter, body: number, cost: number): number {
  const { b, mod } = m;
  m.regions++;
  const charge = mod.call(GAS_FN, [mod.i32.const(cost)], b.none);
  return mod.block(null, [charge, body], b.getExpressionType(body));
}

/** Instruments the region rooted at `expr` and returns its charged replacement. */
function meterRegion(m: Meter, expr: number): number {
  const cost = count(m, expr);
  return charged(m, expr, Math.max(cost, 1));
}

/**
 * The static cost of `expr` in the current region, instrumenting nested loops and if arms
 * on the way (they are replaced in place through binaryen's setters).
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
      return n;
    }
  }
}

/** Child expressions of the MVP expressions the contract can contain (no nested regions). */
function childrenOf(b: Binaryen, expr: number, id: number): number[] {
  const fields = CHILDREN.get(id);
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

let CHILDREN: Map<number, string[]>;

function childFields(b: Binaryen): Map<number, string[]> {
  return new Map<number, string[]>([
    [b.BreakId, ["condition", "value"]],
    [b.SwitchId, ["condition", "value"]],
    [b.CallId, ["operands"]],
    [b.CallIndirectId, ["target", "operands"]],
    [b.LocalGetId, []],
    [b.LocalSetId, ["value"]],
    [b.GlobalGetId, []],
    [b.GlobalSetId, ["value"]],
    [b.LoadId, ["ptr"]],
    [b.StoreId, ["ptr", "value"]],
    [b.ConstId, []],
    [b.UnaryId, ["value"]],
    [b.BinaryId, ["left", "right"]],
    [b.SelectId, ["ifTrue", "ifFalse", "condition"]],
    [b.DropId, ["value"]],
    [b.ReturnId, ["value"]],
    [b.MemorySizeId, []],
    [b.MemoryGrowId, ["delta"]],
    [b.NopId, []],
    [b.UnreachableId, []],
  ]);
}

export interface MeterResult {
  bytes: Uint8Array;
  /** Functions and loop bodies that charge gas. */
  regions: number;
}

/** Returns `wasm` with gas metering injected (see the header). */
export async function meterModule(wasm: Uint8Array): Promise<MeterResult> {
  const b = (await loadBinaryen()) as Binaryen;
  CHILDREN ??= childFields(b);
  const mod = b.readBinary(wasm);
  try {
    mod.setFeatures(b.Features.MVP | b.Features.MutableGlobals);
    mod.addFunctionImport(GAS_FN, GAS_IMPORT.module, GAS_IMPORT.base, b.i32, b.none);
    const m: Meter = { b, mod, regions: 0 };
    const n = mod.getNumFunctions();
    for (let i = 0; i < n; i++) {
      const fn = mod.getFunctionByIndex(i);
      const info = b.getFunctionInfo(fn);
      if (info.module || info.name === GAS_FN) continue; // imports have no body
      b.Function.setBody(fn, meterRegion(m, info.body));
    }
    if (!mod.validate()) throw new Error("gas metering produced an invalid module");
    return { bytes: mod.emitBinary(), regions: m.regions };
  } finally {
    mod.dispose();
  }
}
