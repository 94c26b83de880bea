// The CosmWasm module checker (COSMWASM.md section 1): the static checks cosmwasm-vm 2.x runs
// when a chain stores code (its `compatibility.rs`, limits of its default `WasmLimits`), plus
// SPEC section 8's determinism rules, on a compiled module, without instantiating it. Run by
// `npm run build:cosmwasm` (scripts/build-cosmwasm.ts) and by `canary verify --cosmwasm FILE`.
//
// Every problem names its check (CosmWasmRule); the detail is for people.
//
// SPEC section 8 says "memory capped (a declared maximum)"; cosmwasm-vm refuses a module that
// declares one ("Wasm contract memory's maximum must be unset. The host will set it for
// you."): the chain caps memory (wasmd: the instance memory limit). So here the maximum must
// be absent and the initial size within 512 pages: the cap is the host's, as CosmWasm wants.

import type BinaryenTypes from "binaryen";
import { checkModule, sha256Hex } from "./gate.ts";
import { loadBinaryen, resetBinaryenSettings } from "./toolchain.ts";

const binaryen = await loadBinaryen();

/** cosmwasm-vm 2.x's default WasmLimits (packages/vm/src/config.rs) and its fixed rules. */
export const COSMWASM_LIMITS = {
  /** initial_memory_limit_pages */
  maxInitialMemoryPages: 512,
  /** table_size_limit_elements */
  maxTableElements: 2500,
  maxImports: 100,
  maxFunctions: 20_000,
  maxFunctionParams: 100,
  maxTotalFunctionParams: 10_000,
  maxFunctionResults: 1,
} as const;

type Sig = { params: string[]; results: string[] };
const I = "i32";
const s = (params: number, results: string[] = []): Sig => ({ params: Array(params).fill(I), results });

/** The imports CosmWasm 2.x provides (module `env`), with their signatures (cosmwasm-std imports.rs). */
export const COSMWASM_IMPORTS: Record<string, Sig> = {
  db_read: s(1, [I]),
  db_write: s(2),
  db_remove: s(1),
  db_scan: s(3, [I]),
  db_next: s(1, [I]),
  db_next_key: s(1, [I]),
  db_next_value: s(1, [I]),
  addr_validate: s(1, [I]),
  addr_canonicalize: s(2, [I]),
  addr_humanize: s(2, [I]),
  bls12_381_aggregate_g1: s(2, [I]),
  bls12_381_aggregate_g2: s(2, [I]),
  bls12_381_pairing_equality: s(4, [I]),
  bls12_381_hash_to_g1: s(4, [I]),
  bls12_381_hash_to_g2: s(4, [I]),
  secp256k1_verify: s(3, [I]),
  secp256k1_recover_pubkey: s(3, ["i64"]),
  secp256r1_verify: s(3, [I]),
  secp256r1_recover_pubkey: s(3, ["i64"]),
  ed25519_verify: s(3, [I]),
  ed25519_batch_verify: s(3, [I]),
  debug: s(1),
  query_chain: s(1, [I]),
  abort: s(1),
};

/** Exports: required ones, and the entry points this contract has, with their signatures. */
export const COSMWASM_EXPORTS: Record<string, { sigs: Sig[]; required: boolean }> = {
  interface_version_8: { sigs: [s(0)], required: true },
  allocate: { sigs: [s(1, [I])], required: true },
  deallocate: { sigs: [s(1)], required: true },
  instantiate: { sigs: [s(3, [I])], required: true },
  execute: { sigs: [s(3, [I])], required: true },
  query: { sigs: [s(2, [I])], required: true },
  sudo: { sigs: [s(2, [I])], required: true },
  // migrate(env, msg) or, since CosmWasm 2.2, migrate(env, msg, migrate_info)
  migrate: { sigs: [s(2, [I]), s(3, [I])], required: true },
};

export const COSMWASM_RULES = [
  "invalid",
  "features",
  "float-instruction",
  "start-function",
  "interface-version",
  "export-missing",
  "export-signature",
  "import-not-allowed",
  "import-signature",
  "import-count",
  "memory-count",
  "memory-export",
  "memory-initial",
  "memory-max",
  "table",
  "function-count",
  "function-params",
  "function-total-params",
  "function-results",
] as const;

export type CosmWasmRule = (typeof COSMWASM_RULES)[number];

export interface CosmWasmProblem {
  rule: CosmWasmRule;
  detail: string;
}

export interface CosmWasmResult {
  ok: boolean;
  problems: CosmWasmProblem[];
  bytes: number;
  sha256: string;
  functions: number;
}

/** The determinism rules of SPEC section 8 that the native gate checks, reused as they are. */
const FROM_GATE = new Set<string>(["invalid", "features", "float-instruction", "start-function"]);

function typeNames(t: number): string[] {
  return binaryen.expandType(t).map((x: number) =>
    x === binaryen.i32 ? "i32" : x === binaryen.i64 ? "i64" : x === binaryen.f32 ? "f32" : x === binaryen.f64 ? "f64" : x === binaryen.v128 ? "v128" : String(x),
  );
}

const sigText = (x: Sig) => `(${x.params.join(", ")}) -> (${x.results.join(", ")})`;
const same = (a: Sig, b: Sig) => sigText(a) === sigText(b);

/** Reads a LEB128 u32 at `p`: [value, next]. */
function leb(b: Uint8Array, p: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const c = b[p++]!;
    v += (c & 0x7f) * 2 ** shift;
    if ((c & 0x80) === 0) return [v, p];
    shift += 7;
  }
}

/** The section ids of a valid module, in order. */
function sectionIds(b: Uint8Array): number[] {
  const ids: number[] = [];
  let p = 8;
  while (p < b.length) {
    const id = b[p++]!;
    const [size, q] = leb(b, p);
    ids.push(id);
    p = q + size;
  }
  return ids;
}

/** Defined memories (memory section count) of a valid module. */
function definedMemories(b: Uint8Array): number {
  let p = 8;
  while (p < b.length) {
    const id = b[p++]!;
    const [size, q] = leb(b, p);
    if (id === 5) return leb(b, q)[0];
    p = q + size;
  }
  return 0;
}

/** Checks a module as cosmwasm-vm does when code is stored, plus SPEC section 8's determinism rules. */
export function checkCosmWasmModule(bytes: Uint8Array): CosmWasmResult {
  const problems: CosmWasmProblem[] = [];
  const add = (rule: CosmWasmRule, detail: string) => problems.push({ rule, detail });
  const result = (functions = 0): CosmWasmResult => ({ ok: problems.length === 0, problems, bytes: bytes.length, sha256: sha256Hex(bytes), functions });

  // Determinism (SPEC section 8): validity, MVP + mutable-globals, no floats, no start function.
  const gate = checkModule(bytes);
  for (const p of gate.problems) if (FROM_GATE.has(p.rule)) add(p.rule as CosmWasmRule, p.detail);
  if (problems.some((p) => p.rule === "invalid")) return result();

  // MVP sections only (0 custom … 11 data): a DataCount section (12, bulk memory) or a tag
  // section (13) is post-MVP even when no instruction uses the feature.
  for (const id of new Set(sectionIds(bytes))) {
    if (id > 11) add("features", `section id ${id}${id === 12 ? " (DataCount, bulk memory)" : id === 13 ? " (tag, exceptions)" : ""} is not an MVP section`);
  }

  const wasm = new WebAssembly.Module(new Uint8Array(bytes));
  const mod: BinaryenTypes.Module = binaryen.readBinaryWithFeatures(bytes, binaryen.Features.All);
  try {
    // ---- imports: only functions from `env`, only CosmWasm's, with their signatures
    const imports = WebAssembly.Module.imports(wasm);
    if (imports.length > COSMWASM_LIMITS.maxImports) add("import-count", `${imports.length} imports; CosmWasm allows at most ${COSMWASM_LIMITS.maxImports}`);
    const importSigs = new Map<string, Sig>();
    const n = mod.getNumFunctions();
    for (let i = 0; i < n; i++) {
      const f = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
      if (f.module) importSigs.set(`${f.module}.${f.base}`, { params: typeNames(f.params), results: typeNames(f.results) });
    }
    for (const imp of imports) {
      const key = `${imp.module}.${imp.name}`;
      const want = imp.module === "env" ? COSMWASM_IMPORTS[imp.name] : undefined;
      if (imp.kind !== "function" || !want) {
        add("import-not-allowed", `${key} (${imp.kind}) is not a function CosmWasm 2.x provides (module "env": ${Object.keys(COSMWASM_IMPORTS).join(", ")})`);
        continue;
      }
      const got = importSigs.get(key);
      if (got && !same(got, want)) add("import-signature", `${key} is imported as ${sigText(got)}; CosmWasm's is ${sigText(want)}`);
    }

    // ---- exports
    const exports = WebAssembly.Module.exports(wasm);
    const versions = exports.filter((e) => e.name.startsWith("interface_version_"));
    if (versions.length !== 1 || versions[0]!.name !== "interface_version_8") {
      add("interface-version", versions.length === 0
        ? "no interface_version_* export (CosmWasm 1.x/2.x modules export interface_version_8)"
        : `exports ${versions.map((e) => e.name).join(", ")}; exactly one, interface_version_8, is required`);
    }
    for (const [name, want] of Object.entries(COSMWASM_EXPORTS)) {
      const e = exports.find((x) => x.name === name);
      if (!e) {
        if (want.required) add("export-missing", `"${name}" is not exported`);
        continue;
      }
      if (e.kind !== "function") {
        add("export-signature", `"${name}" is exported as a ${e.kind}; it must be a function ${want.sigs.map(sigText).join(" or ")}`);
        continue;
      }
      const fn = mod.getFunction(binaryen.getExportInfo(mod.getExport(name)).value);
      const info = binaryen.getFunctionInfo(fn);
      const got = { params: typeNames(info.params), results: typeNames(info.results) };
      if (!want.sigs.some((w) => same(w, got))) add("export-signature", `"${name}" is ${sigText(got)}; CosmWasm calls it as ${want.sigs.map(sigText).join(" or ")}`);
    }

    // ---- memory: exactly one, exported as "memory", initial ≤ 512 pages, no maximum
    const importedMemories = imports.filter((i) => i.kind === "memory").length;
    const memories = importedMemories + definedMemories(bytes);
    if (memories !== 1) add("memory-count", `${memories} memories; CosmWasm requires exactly one`);
    const memExports = exports.filter((e) => e.kind === "memory");
    if (memExports.length !== 1 || memExports[0]!.name !== "memory") {
      add("memory-export", memExports.length === 0 ? `no memory is exported` : `memory exported as ${memExports.map((e) => `"${e.name}"`).join(", ")}; exactly one export "memory" is required`);
    }
    if (mod.hasMemory()) {
      const m = mod.getMemoryInfo();
      if (m.initial > COSMWASM_LIMITS.maxInitialMemoryPages) add("memory-initial", `memory starts at ${m.initial} pages; CosmWasm allows at most ${COSMWASM_LIMITS.maxInitialMemoryPages}`);
      if (m.max !== undefined && m.max !== null) add("memory-max", `memory declares a maximum (${m.max} pages); CosmWasm requires it unset (the host sets it)`);
    }

    // ---- tables: at most one, bounded, ≤ 2500 entries
    const tables = mod.getNumTables();
    if (tables > 1) add("table", `${tables} tables; CosmWasm allows at most one`);
    for (let i = 0; i < tables; i++) {
      const t = binaryen.getTableInfo(mod.getTableByIndex(i));
      if (t.max === undefined || t.max === null) add("table", `table $${t.name} has no maximum (unbounded); CosmWasm requires one ≤ ${COSMWASM_LIMITS.maxTableElements}`);
      else if (t.max > COSMWASM_LIMITS.maxTableElements) add("table", `table $${t.name} may grow to ${t.max} entries; CosmWasm allows at most ${COSMWASM_LIMITS.maxTableElements}`);
      if (t.initial > COSMWASM_LIMITS.maxTableElements) add("table", `table $${t.name} starts with ${t.initial} entries; CosmWasm allows at most ${COSMWASM_LIMITS.maxTableElements}`);
    }

    // ---- functions: count, parameters, results (imported ones included, as cosmwasm-vm counts types of functions)
    let defined = 0;
    let totalParams = 0;
    for (let i = 0; i < n; i++) {
      const f = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
      if (!f.module) defined++;
      const params = typeNames(f.params).length;
      const results = typeNames(f.results).length;
      totalParams += params;
      const where = f.module ? `imported ${f.module}.${f.base}` : `function $${f.name}`;
      if (params > COSMWASM_LIMITS.maxFunctionParams) add("function-params", `${where} has ${params} parameters; CosmWasm allows at most ${COSMWASM_LIMITS.maxFunctionParams}`);
      if (results > COSMWASM_LIMITS.maxFunctionResults) add("function-results", `${where} returns ${results} values; CosmWasm allows at most ${COSMWASM_LIMITS.maxFunctionResults}`);
    }
    if (defined > COSMWASM_LIMITS.maxFunctions) add("function-count", `${defined} functions; CosmWasm allows at most ${COSMWASM_LIMITS.maxFunctions}`);
    if (totalParams > COSMWASM_LIMITS.maxTotalFunctionParams) add("function-total-params", `${totalParams} parameters over all functions; CosmWasm allows at most ${COSMWASM_LIMITS.maxTotalFunctionParams}`);
    return result(defined);
  } finally {
    mod.dispose();
  }
}

/** The problems as `<rule>: <detail>` lines (empty when the module passes). */
export async function checkCosmWasm(bytes: Uint8Array): Promise<string[]> {
  return checkCosmWasmModule(bytes).problems.map((p) => `${p.rule}: ${p.detail}`);
}

/**
 * The stub runtime sets its heap pointers (two globals) from `__heap_base` in a start
 * function; CosmWasm calls no `_initialize` and SPEC section 8 wants no start function. When
 * the start function only sets globals to constants, this moves those constants into the
 * globals' initializers and drops the start function (deterministic: same input, same bytes).
 * Any other start function is left alone (the checker then reports it).
 */
export async function foldStartIntoGlobals(bytes: Uint8Array): Promise<Uint8Array> {
  // binaryen's global settings shape emitBinary (Stack IR): fix them, whatever ran before
  // (the compiler in this process, or nothing), so the output depends on the input only.
  await resetBinaryenSettings();
  binaryen.setOptimizeLevel(3);
  binaryen.setShrinkLevel(2);
  binaryen.setGenerateStackIR(true);
  binaryen.setOptimizeStackIR(true);
  const mod = binaryen.readBinaryWithFeatures(bytes, binaryen.Features.All);
  try {
    const start = mod.getStart();
    if (!start) return bytes;
    const body = binaryen.getFunctionInfo(start).body;
    const top = binaryen.getExpressionInfo(body) as { id: number; children?: number[] };
    const sets = top.id === binaryen.BlockId ? (top.children ?? []) : [body];
    const folded: [string, number][] = [];
    for (const e of sets) {
      const info = binaryen.getExpressionInfo(e) as { id: number; name?: string; value?: number };
      if (info.id !== binaryen.GlobalSetId) return bytes;
      const v = binaryen.getExpressionInfo(info.value!) as { id: number; type: number; value?: number };
      if (v.id !== binaryen.ConstId || v.type !== binaryen.i32) return bytes;
      folded.push([info.name!, v.value as number]);
    }
    for (const [name, value] of folded) {
      const g = binaryen.getGlobalInfo(mod.getGlobal(name));
      if (g.module) return bytes; // an imported global: leave it
    }
    for (const [name, value] of folded) {
      const g = binaryen.getGlobalInfo(mod.getGlobal(name));
      mod.removeGlobal(name);
      mod.addGlobal(name, g.type, g.mutable, mod.i32.const(value));
    }
    const startName = binaryen.getFunctionInfo(start).name;
    mod.setStart(0 as unknown as BinaryenTypes.FunctionRef);
    // Emit as MVP + mutable-globals: no DataCount section (bulk memory) or other post-MVP section.
    mod.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals);
    mod.removeFunction(startName);
    if (!mod.validate()) return bytes;
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}
