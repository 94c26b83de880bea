// The module gate: SPEC section 8 checked on a compiled module, before any host loads it.
//
// Every problem carries a stable rule name (GateRule) so tests, CI and the `canary verify`
// command can match on it; the detail is for people. The gate reads the module with
// binaryen (the same version the AssemblyScript compiler uses) and never instantiates it.

import { createHash } from "node:crypto";
import type BinaryenTypes from "binaryen";
import { HOST_IMPORTS, KNOWN_EXTRA_IMPORTS, METHOD_NAMES, OPTIONAL_EXPORTS } from "../abi/methods.ts";
import { loadBinaryen } from "./toolchain.ts";

const binaryen = await loadBinaryen();

export const GATE_RULES = [
  "invalid",
  "import-not-allowed",
  "import-signature",
  "export-missing",
  "export-signature",
  "export-unexpected",
  "float-instruction",
  "features",
  "memory-max",
  "start-function",
] as const;

export type GateRule = (typeof GATE_RULES)[number];

export interface GateProblem {
  rule: GateRule;
  detail: string;
}

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | string;

export interface ImportInfo {
  module: string;
  name: string;
  kind: "function" | "table" | "memory" | "global";
  /** Functions only. */
  params?: ValType[];
  results?: ValType[];
}

export interface ExportInfo {
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  /** Functions only. */
  params?: ValType[];
  results?: ValType[];
}

export interface GateInfo {
  imports: ImportInfo[];
  exports: ExportInfo[];
  /** Pages of 64 KiB; null when the module has no memory. maximum is null when undeclared. */
  memory: { initial: number; maximum: number | null } | null;
  bytes: number;
  sha256: string;
}

export interface GateResult {
  ok: boolean;
  problems: GateProblem[];
  info: GateInfo;
}

export interface GateOptions {
  /**
   * Extra imports allowed besides the host imports of SPEC section 7, as "module.name":
   * "env.abort" for the debug build, "host.gas" for a future metered build. Known extras
   * (KNOWN_EXTRA_IMPORTS) must also have their known signature.
   */
  allowImports?: string[];
  /**
   * The method exports the module must have, each `() -> i32`. Default: every method of
   * METHOD_NAMES (SPEC section 6). It replaces the default list; `memory` is always
   * required. Methods of METHOD_NAMES outside this list are still allowed, not required.
   */
  requiredExports?: string[];
}

/** The feature set every module must validate with (SPEC section 8). */
export const ALLOWED_FEATURES = binaryen.Features.MVP | binaryen.Features.MutableGlobals;

const FLOAT_TYPES = new Set<ValType>(["f32", "f64", "v128"]);

function typeName(t: number): ValType {
  switch (t) {
    case binaryen.none: return "none";
    case binaryen.unreachable: return "unreachable";
    case binaryen.i32: return "i32";
    case binaryen.i64: return "i64";
    case binaryen.f32: return "f32";
    case binaryen.f64: return "f64";
    case binaryen.v128: return "v128";
    case binaryen.funcref: return "funcref";
    case binaryen.externref: return "externref";
    default: return `type#${t}`;
  }
}

/** Expands a binaryen (possibly tuple) type into value type names; none → []. */
function valTypes(t: number): ValType[] {
  if (t === binaryen.none) return [];
  return binaryen.expandType(t).map(typeName);
}

/** The float types (f32/f64/v128) in a binaryen type, also inside a tuple. */
function floatsIn(t: number): ValType[] {
  if (t === binaryen.none || t === binaryen.unreachable) return [];
  return binaryen.expandType(t).map(typeName).filter((n) => FLOAT_TYPES.has(n));
}

function sig(params: ValType[], results: ValType[]): string {
  return `(${params.join(", ")}) -> (${results.join(", ")})`;
}

function sameSig(a: { params: ValType[]; results: ValType[] }, b: { params: ValType[]; results: ValType[] }): boolean {
  return a.params.join(",") === b.params.join(",") && a.results.join(",") === b.results.join(",");
}

function oneLine(text: string, max = 120): string {
  const s = text.replace(/\s+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Runs binaryen's validator on `mod` with `features`, returning its messages. binaryen
 * prints them through console.error, which writes to process.stderr; they are captured
 * (best effort: under a test runner that replaces the console they may go there too).
 */
function validateWith(mod: BinaryenTypes.Module, features: BinaryenTypes.Features): { valid: boolean; messages: string } {
  mod.setFeatures(features);
  let captured = "";
  const original = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    captured += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  }) as typeof process.stderr.write;
  let valid: boolean;
  try {
    valid = mod.validate() !== 0;
  } finally {
    process.stderr.write = original;
  }
  return { valid, messages: captured };
}

/** The first few validator messages, one line each. */
function summarizeValidator(messages: string, max = 3): string {
  const errors = messages
    .split(/(?=\[wasm-validator error)/)
    .map((m) => oneLine(m, 200))
    .filter((m) => m.length > 0);
  if (errors.length === 0) return "";
  const shown = errors.slice(0, max).join(" | ");
  return errors.length > max ? `${shown} | (+${errors.length - max} more)` : shown;
}

// --- expressions --------------------------------------------------------------------------

/** Child-expression fields of each expression id (the gate walks into them; so does src/gas/meter.ts). */
export const CHILD_FIELDS = new Map<number, string[]>([
  [binaryen.BlockId, ["children"]],
  [binaryen.IfId, ["condition", "ifTrue", "ifFalse"]],
  [binaryen.LoopId, ["body"]],
  [binaryen.BreakId, ["condition", "value"]],
  [binaryen.SwitchId, ["condition", "value"]],
  [binaryen.CallId, ["operands"]],
  [binaryen.CallIndirectId, ["target", "operands"]],
  [binaryen.LocalGetId, []],
  [binaryen.LocalSetId, ["value"]],
  [binaryen.GlobalGetId, []],
  [binaryen.GlobalSetId, ["value"]],
  [binaryen.LoadId, ["ptr"]],
  [binaryen.StoreId, ["ptr", "value"]],
  [binaryen.ConstId, []],
  [binaryen.UnaryId, ["value"]],
  [binaryen.BinaryId, ["left", "right"]],
  [binaryen.SelectId, ["ifTrue", "ifFalse", "condition"]],
  [binaryen.DropId, ["value"]],
  [binaryen.ReturnId, ["value"]],
  [binaryen.MemorySizeId, []],
  [binaryen.MemoryGrowId, ["delta"]],
  [binaryen.NopId, []],
  [binaryen.UnreachableId, []],
  // Beyond MVP: walked so that floats inside them are still found.
  [binaryen.AtomicRMWId, ["ptr", "value"]],
  [binaryen.AtomicCmpxchgId, ["ptr", "expected", "replacement"]],
  [binaryen.AtomicWaitId, ["ptr", "expected", "timeout"]],
  [binaryen.AtomicNotifyId, ["ptr", "notifyCount"]],
  [binaryen.AtomicFenceId, []],
  [binaryen.SIMDExtractId, ["vec"]],
  [binaryen.SIMDReplaceId, ["vec", "value"]],
  [binaryen.SIMDShuffleId, ["left", "right"]],
  [binaryen.SIMDTernaryId, ["a", "b", "c"]],
  [binaryen.SIMDShiftId, ["vec", "shift"]],
  [binaryen.SIMDLoadId, ["ptr"]],
  [binaryen.SIMDLoadStoreLaneId, ["ptr", "vec"]],
  [binaryen.MemoryInitId, ["dest", "offset", "size"]],
  [binaryen.DataDropId, []],
  [binaryen.MemoryCopyId, ["dest", "source", "size"]],
  [binaryen.MemoryFillId, ["dest", "value", "size"]],
  [binaryen.PopId, []],
  [binaryen.RefNullId, []],
  [binaryen.RefIsNullId, ["value"]],
  [binaryen.RefFuncId, []],
  [binaryen.RefEqId, ["left", "right"]],
  [binaryen.TableGetId, ["index"]],
  [binaryen.TableSetId, ["index", "value"]],
  [binaryen.TableSizeId, []],
  [binaryen.TableGrowId, ["value", "delta"]],
  [binaryen.TryId, ["body", "catchBodies"]],
  [binaryen.ThrowId, ["operands"]],
  [binaryen.RethrowId, []],
  [binaryen.TupleMakeId, ["operands"]],
  [binaryen.TupleExtractId, ["tuple"]],
  [binaryen.RefI31Id, ["value"]],
  [binaryen.I31GetId, ["i31"]],
]);

/** Expression ids of the MVP (plus nothing else). */
export const MVP_IDS = new Set<number>([
  binaryen.BlockId, binaryen.IfId, binaryen.LoopId, binaryen.BreakId, binaryen.SwitchId,
  binaryen.CallId, binaryen.CallIndirectId, binaryen.LocalGetId, binaryen.LocalSetId,
  binaryen.GlobalGetId, binaryen.GlobalSetId, binaryen.LoadId, binaryen.StoreId,
  binaryen.ConstId, binaryen.UnaryId, binaryen.BinaryId, binaryen.SelectId, binaryen.DropId,
  binaryen.ReturnId, binaryen.MemorySizeId, binaryen.MemoryGrowId, binaryen.NopId,
  binaryen.UnreachableId,
]);

/** The post-MVP feature an expression needs, named like asc's --enable/--disable flags. */
function featureOf(id: number, info: Record<string, unknown>): string | null {
  if (MVP_IDS.has(id)) {
    if ((id === binaryen.LoadId || id === binaryen.StoreId) && info.isAtomic) return "threads";
    if ((id === binaryen.CallId || id === binaryen.CallIndirectId) && info.isReturn) return "tail-call";
    if (id === binaryen.UnaryId) {
      const op = info.op as number;
      if (SIGN_EXT_OPS.has(op)) return "sign-extension";
      if (SAT_TRUNC_OPS.has(op)) return "nontrapping-f2i";
    }
    return null;
  }
  if ([binaryen.MemoryCopyId, binaryen.MemoryFillId, binaryen.MemoryInitId, binaryen.DataDropId].includes(id)) return "bulk-memory";
  if ([binaryen.SIMDExtractId, binaryen.SIMDReplaceId, binaryen.SIMDShuffleId, binaryen.SIMDTernaryId,
    binaryen.SIMDShiftId, binaryen.SIMDLoadId, binaryen.SIMDLoadStoreLaneId].includes(id)) return "simd";
  if ([binaryen.AtomicRMWId, binaryen.AtomicCmpxchgId, binaryen.AtomicWaitId, binaryen.AtomicNotifyId,
    binaryen.AtomicFenceId].includes(id)) return "threads";
  if ([binaryen.RefNullId, binaryen.RefIsNullId, binaryen.RefFuncId, binaryen.RefEqId, binaryen.TableGetId,
    binaryen.TableSetId, binaryen.TableSizeId, binaryen.TableGrowId].includes(id)) return "reference-types";
  if ([binaryen.TryId, binaryen.ThrowId, binaryen.RethrowId, binaryen.PopId].includes(id)) return "exception-handling";
  if ([binaryen.TupleMakeId, binaryen.TupleExtractId].includes(id)) return "multi-value";
  return `expression id ${id}`;
}

const SIGN_EXT_OPS = new Set<number>([
  binaryen.ExtendS8Int32, binaryen.ExtendS16Int32, binaryen.ExtendS8Int64, binaryen.ExtendS16Int64,
  binaryen.ExtendS32Int64,
]);
const SAT_TRUNC_OPS = new Set<number>([
  binaryen.TruncSatSFloat32ToInt32, binaryen.TruncSatSFloat32ToInt64, binaryen.TruncSatUFloat32ToInt32,
  binaryen.TruncSatUFloat32ToInt64, binaryen.TruncSatSFloat64ToInt32, binaryen.TruncSatSFloat64ToInt64,
  binaryen.TruncSatUFloat64ToInt32, binaryen.TruncSatUFloat64ToInt64,
]);

type AnyInfo = Record<string, unknown> & { id: number; type: number };

/** binaryen.getExpressionInfo, which throws for ids without accessors (unreachable, nop…). */
function expressionInfo(expr: number): AnyInfo {
  try {
    return binaryen.getExpressionInfo(expr) as unknown as AnyInfo;
  } catch {
    return { id: binaryen.getExpressionId(expr), type: binaryen.getExpressionType(expr) };
  }
}

interface WalkFindings {
  /** Float-typed expressions: count and the first one, as text. */
  floatCount: number;
  floatTypes: Set<ValType>;
  firstFloat: string | null;
  /** Post-MVP features used, with the first expression of each. */
  features: Map<string, string>;
}

/** Walks an expression tree (iteratively) recording float types and post-MVP operations. */
function walk(root: number): WalkFindings {
  const found: WalkFindings = { floatCount: 0, floatTypes: new Set(), firstFloat: null, features: new Map() };
  const stack: number[] = root ? [root] : [];
  while (stack.length > 0) {
    const expr = stack.pop()!;
    const info = expressionInfo(expr);
    const floats = floatsIn(info.type);
    if (floats.length > 0) {
      found.floatCount++;
      for (const f of floats) found.floatTypes.add(f);
      if (found.firstFloat === null) found.firstFloat = oneLine(binaryen.emitText(expr));
    }
    const feature = featureOf(info.id, info);
    if (feature !== null && !found.features.has(feature)) found.features.set(feature, oneLine(binaryen.emitText(expr)));
    for (const field of CHILD_FIELDS.get(info.id) ?? []) {
      const value = info[field];
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) if (value[i]) stack.push(value[i] as number);
      } else if (typeof value === "number" && value !== 0) {
        stack.push(value);
      }
    }
  }
  return found;
}

// --- the gate -----------------------------------------------------------------------------

const KIND_NAMES: Record<number, ExportInfo["kind"]> = {
  [binaryen.ExternalFunction]: "function",
  [binaryen.ExternalTable]: "table",
  [binaryen.ExternalMemory]: "memory",
  [binaryen.ExternalGlobal]: "global",
  [binaryen.ExternalTag]: "tag",
};

/** Checks a compiled module against SPEC section 8. Never throws on bad input. */
export function checkModule(bytes: Uint8Array, opts: GateOptions = {}): GateResult {
  const problems: GateProblem[] = [];
  const info: GateInfo = { imports: [], exports: [], memory: null, bytes: bytes.length, sha256: sha256Hex(bytes) };
  const add = (rule: GateRule, detail: string) => problems.push({ rule, detail });

  if (!WebAssembly.validate(new Uint8Array(bytes))) {
    add("invalid", "not a valid WebAssembly module (WebAssembly.validate rejects it)");
    return { ok: false, problems, info };
  }
  let mod: BinaryenTypes.Module;
  try {
    mod = binaryen.readBinaryWithFeatures(bytes, binaryen.Features.All);
  } catch (err) {
    const message = err && typeof err === "object" && "message" in err ? String((err as { message: unknown }).message) : String(err);
    add("invalid", `binaryen cannot read the module: ${message}`);
    return { ok: false, problems, info };
  }

  try {
    // Validation: under the allowed features, and (only when that fails) under all of them,
    // to tell a post-MVP module (features) from a broken one (invalid).
    const strict = validateWith(mod, ALLOWED_FEATURES);
    if (!strict.valid) {
      const loose = validateWith(mod, binaryen.Features.All);
      if (loose.valid) {
        const why = summarizeValidator(strict.messages);
        add("features", `does not validate with the MVP feature set plus mutable-globals${why ? `: ${why}` : ""}`);
      } else {
        const why = summarizeValidator(loose.messages);
        add("invalid", `does not validate even with every feature enabled${why ? `: ${why}` : ""}`);
      }
    }
    mod.setFeatures(ALLOWED_FEATURES);

    checkImports(mod, opts, info, add);
    checkExports(mod, opts, info, add);
    checkMemory(mod, info, add);
    checkStart(mod, add);
    checkCode(mod, add);
  } finally {
    mod.dispose();
  }
  return { ok: problems.length === 0, problems, info };
}

type Add = (rule: GateRule, detail: string) => void;

function checkImports(mod: BinaryenTypes.Module, opts: GateOptions, info: GateInfo, add: Add): void {
  const allowed = new Set(opts.allowImports ?? []);

  const checkOne = (imp: ImportInfo) => {
    info.imports.push(imp);
    const key = `${imp.module}.${imp.name}`;
    const fn = imp.kind === "function" ? { params: imp.params ?? [], results: imp.results ?? [] } : null;
    if (imp.module === "host" && Object.hasOwn(HOST_IMPORTS, imp.name)) {
      const want = HOST_IMPORTS[imp.name]!;
      if (fn === null) add("import-signature", `${key} is imported as a ${imp.kind}; it must be a function ${sig(want.params, want.results)}`);
      else if (!sameSig(fn, want)) add("import-signature", `${key} is imported as ${sig(fn.params, fn.results)}; SPEC section 7 says ${sig(want.params, want.results)}`);
      return;
    }
    if (allowed.has(key)) {
      const known = KNOWN_EXTRA_IMPORTS[key];
      if (known && (fn === null || !sameSig(fn, known))) {
        add("import-signature", `${key} is imported as ${fn ? sig(fn.params, fn.results) : `a ${imp.kind}`}; expected a function ${sig(known.params, known.results)}`);
      }
      return;
    }
    const what = fn ? `function ${sig(fn.params, fn.results)}` : imp.kind;
    const hint = key === "env.abort" ? " (allowed only in the debug build; release builds use --use abort=)"
      : key === "env.seed" ? " (Math.random: nondeterministic)"
      : imp.module === "host" ? " (not a host import of SPEC section 7)"
      : "";
    add("import-not-allowed", `${key} (${what})${hint}`);
  };

  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    if (f.module) checkOne({ module: f.module, name: f.base ?? "", kind: "function", params: valTypes(f.params), results: valTypes(f.results) });
  }
  for (let i = 0; i < mod.getNumGlobals(); i++) {
    const g = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
    if (g.module) checkOne({ module: g.module, name: g.base ?? "", kind: "global" });
  }
  for (let i = 0; i < mod.getNumTables(); i++) {
    const t = binaryen.getTableInfo(mod.getTableByIndex(i));
    if (t.module) checkOne({ module: t.module, name: t.base ?? "", kind: "table" });
  }
  if (mod.hasMemory()) {
    const m = mod.getMemoryInfo();
    if (m.module) checkOne({ module: m.module, name: m.base ?? "", kind: "memory" });
  }
}

function checkExports(mod: BinaryenTypes.Module, opts: GateOptions, info: GateInfo, add: Add): void {
  const required = opts.requiredExports ?? METHOD_NAMES;
  const known = new Set<string>([...METHOD_NAMES, ...required]);
  const optional = new Set<string>(OPTIONAL_EXPORTS);
  const byName = new Map<string, ExportInfo>();

  for (let i = 0; i < mod.getNumExports(); i++) {
    const e = binaryen.getExportInfo(mod.getExportByIndex(i));
    const exp: ExportInfo = { name: e.name, kind: KIND_NAMES[e.kind] ?? "function" };
    if (e.kind === binaryen.ExternalFunction) {
      const f = binaryen.getFunctionInfo(mod.getFunction(e.value));
      exp.params = valTypes(f.params);
      exp.results = valTypes(f.results);
    }
    info.exports.push(exp);
    byName.set(exp.name, exp);

    const shape = exp.kind === "function" ? `function ${sig(exp.params!, exp.results!)}` : exp.kind;
    if (exp.name === "memory") {
      if (exp.kind !== "memory") add("export-signature", `"memory" is exported as a ${shape}; it must be the module's memory`);
    } else if (known.has(exp.name)) {
      if (exp.kind !== "function" || !sameSig({ params: exp.params!, results: exp.results! }, { params: [], results: ["i32"] })) {
        add("export-signature", `method "${exp.name}" is exported as ${shape}; every method must be () -> (i32)`);
      }
    } else if (optional.has(exp.name)) {
      if (exp.kind !== "function" || exp.params!.length !== 0 || exp.results!.length !== 0) {
        add("export-signature", `"${exp.name}" is exported as ${shape}; it must be () -> ()`);
      }
    } else {
      add("export-unexpected", `"${exp.name}" (${shape}) is neither memory, a method of SPEC section 6, nor ${[...optional].join("/")}`);
    }
  }

  if (!byName.has("memory")) add("export-missing", `"memory" is not exported`);
  for (const name of required) {
    if (!byName.has(name)) add("export-missing", `method "${name}" is not exported`);
  }
}

function checkMemory(mod: BinaryenTypes.Module, info: GateInfo, add: Add): void {
  if (!mod.hasMemory()) return; // reported as a missing "memory" export
  const m = mod.getMemoryInfo();
  info.memory = { initial: m.initial, maximum: m.max ?? null };
  if (m.max === undefined || m.max === null) {
    add("memory-max", `memory declares no maximum (initial ${m.initial} pages): growth would be bounded only by the host`);
  }
}

function checkStart(mod: BinaryenTypes.Module, add: Add): void {
  const start = mod.getStart();
  if (start) {
    const name = binaryen.getFunctionInfo(start).name;
    add("start-function", `the module has a start function ($${name}) that runs at instantiation; export it as _initialize instead (asc --exportStart _initialize)`);
  }
}

function checkCode(mod: BinaryenTypes.Module, add: Add): void {
  // Release builds carry no names: say which export a function is, when it is one.
  const exported = new Map<string, string[]>();
  for (let i = 0; i < mod.getNumExports(); i++) {
    const e = binaryen.getExportInfo(mod.getExportByIndex(i));
    if (e.kind === binaryen.ExternalFunction) exported.set(e.value, [...(exported.get(e.value) ?? []), e.name]);
  }

  for (let i = 0; i < mod.getNumGlobals(); i++) {
    const g = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
    const floats = floatsIn(g.type);
    if (floats.length > 0) add("float-instruction", `global $${g.name} has type ${floats.join(", ")}`);
    else if (g.init) {
      const w = walk(g.init);
      if (w.floatCount > 0) add("float-instruction", `global $${g.name} initializer uses ${[...w.floatTypes].join(", ")}: ${w.firstFloat}`);
    }
  }

  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    const aliases = exported.get(f.name);
    const where = f.module ? `imported function ${f.module}.${f.base}`
      : `function $${f.name}${aliases ? ` (export ${aliases.map((a) => `"${a}"`).join(", ")})` : ""}`;
    const reasons: string[] = [];
    const params = valTypes(f.params);
    const results = valTypes(f.results);
    params.forEach((t, j) => { if (FLOAT_TYPES.has(t)) reasons.push(`param ${j}: ${t}`); });
    results.forEach((t) => { if (FLOAT_TYPES.has(t)) reasons.push(`result: ${t}`); });
    (f.vars ?? []).forEach((v, j) => {
      const floats = floatsIn(v);
      if (floats.length > 0) reasons.push(`local ${params.length + j}: ${floats.join(", ")}`);
    });
    if (!f.module && f.body) {
      const w = walk(f.body);
      if (w.floatCount > 0) {
        reasons.push(`${w.floatCount} ${[...w.floatTypes].join("/")} expression${w.floatCount === 1 ? "" : "s"}, first ${w.firstFloat}`);
      }
      for (const [feature, example] of w.features) {
        add("features", `${where} uses ${feature}: ${example}`);
      }
    }
    if (reasons.length > 0) add("float-instruction", `${where}: ${reasons.join("; ")}`);
  }
}
