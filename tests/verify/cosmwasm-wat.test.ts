// The CosmWasm checker (src/verify/cosmwasm.ts) on small hand-written modules: one per check,
// each failing with the check's name; and the built module passing.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkCosmWasmModule, COSMWASM_LIMITS, type CosmWasmResult } from "../../src/verify/cosmwasm.ts";
import { PROJECT_ROOT, watToBytes } from "./helpers.ts";

const EXPORTS: Record<string, string> = {
  interface_version_8: "(func $iv)",
  allocate: "(func $alloc (param i32) (result i32) (i32.const 0))",
  deallocate: "(func $dealloc (param i32))",
  instantiate: "(func $inst (param i32 i32 i32) (result i32) (i32.const 0))",
  execute: "(func $exec (param i32 i32 i32) (result i32) (i32.const 0))",
  query: "(func $query (param i32 i32) (result i32) (i32.const 0))",
  sudo: "(func $sudo (param i32 i32) (result i32) (i32.const 0))",
  migrate: "(func $migrate (param i32 i32) (result i32) (i32.const 0))",
};

/** A module passing every check, changed by `opts`. */
function wat(opts: { imports?: string; extra?: string; memory?: string; omit?: string[]; replace?: Record<string, string> } = {}): string {
  const fns = Object.entries(EXPORTS)
    .filter(([n]) => !opts.omit?.includes(n))
    .map(([n, f]) => {
      const body = opts.replace?.[n] ?? f;
      const id = /\(func (\$\w+)/.exec(body)![1];
      return `${body}\n(export "${n}" (func ${id}))`;
    });
  return `(module
${opts.imports ?? `(import "env" "db_read" (func $db_read (param i32) (result i32)))`}
${opts.memory ?? `(memory $m 2) (export "memory" (memory $m))`}
${fns.join("\n")}
${opts.extra ?? ""}
)`;
}

async function check(text: string): Promise<CosmWasmResult> {
  return checkCosmWasmModule(await watToBytes(text));
}

const rules = (r: CosmWasmResult) => [...new Set(r.problems.map((p) => p.rule))].sort();

describe("CosmWasm checker on WAT modules", () => {
  it("passes a minimal CosmWasm module", async () => {
    const r = await check(wat());
    expect(r.problems).toEqual([]);
  });

  it("passes migrate with CosmWasm 2.2's migrate_info parameter", async () => {
    const r = await check(wat({ replace: { migrate: "(func $migrate (param i32 i32 i32) (result i32) (i32.const 0))" } }));
    expect(r.problems).toEqual([]);
  });

  it("export-missing: each required export", async () => {
    for (const name of ["allocate", "deallocate", "instantiate", "execute", "query", "sudo", "migrate"]) {
      const r = await check(wat({ omit: [name] }));
      expect(r.problems, name).toEqual([{ rule: "export-missing", detail: `"${name}" is not exported` }]);
    }
  });

  it("interface-version: none, or another one", async () => {
    expect(rules(await check(wat({ omit: ["interface_version_8"] })))).toEqual(["export-missing", "interface-version"]);
    const r = await check(wat({ extra: `(func $iv7) (export "interface_version_7" (func $iv7))` }));
    expect(rules(r)).toEqual(["interface-version"]);
  });

  it("export-signature: an entry point with the wrong parameters", async () => {
    const r = await check(wat({ replace: { execute: "(func $exec (param i32 i32) (result i32) (i32.const 0))" } }));
    expect(r.problems).toEqual([{ rule: "export-signature", detail: `"execute" is (i32, i32) -> (i32); CosmWasm calls it as (i32, i32, i32) -> (i32)` }]);
  });

  it("import-not-allowed: another module, an unknown env function, a non-function", async () => {
    expect(rules(await check(wat({ imports: `(import "host" "db_read" (func $x (param i32) (result i32)))` })))).toEqual(["import-not-allowed"]);
    expect(rules(await check(wat({ imports: `(import "env" "storage_read" (func $x (param i32) (result i32)))` })))).toEqual(["import-not-allowed"]);
    expect(rules(await check(wat({ imports: `(import "env" "g" (global $g i32))` })))).toEqual(["import-not-allowed"]);
  });

  it("import-signature: a CosmWasm import with the wrong signature", async () => {
    const r = await check(wat({ imports: `(import "env" "db_write" (func $w (param i32) (result i32)))` }));
    expect(r.problems).toEqual([{ rule: "import-signature", detail: "env.db_write is imported as (i32) -> (i32); CosmWasm's is (i32, i32) -> ()" }]);
  });

  it("import-count: more than 100 imports", async () => {
    const imports = Array.from({ length: COSMWASM_LIMITS.maxImports + 1 }, (_, i) => `(import "env" "debug" (func $d${i} (param i32)))`).join("\n");
    expect(rules(await check(wat({ imports })))).toEqual(["import-count"]);
  });

  it("memory-export, memory-count: no exported memory, no memory, or two memories", async () => {
    expect(rules(await check(wat({ memory: `(memory $m 2)` })))).toEqual(["memory-export"]);
    expect(rules(await check(wat({ memory: `(memory $m 2) (export "mem" (memory $m))` })))).toEqual(["memory-export"]);
    expect(rules(await check(wat({ memory: `` })))).toEqual(["memory-count", "memory-export"]);
    // Two memories: multi-memory does not even validate as MVP.
    const two = await check(wat({ memory: `(memory $m 2) (memory $n 1) (export "memory" (memory $m))` }));
    expect(two.ok).toBe(false);
  });

  it("memory-max: a declared maximum (CosmWasm: the host sets it)", async () => {
    expect(rules(await check(wat({ memory: `(memory $m 2 256) (export "memory" (memory $m))` })))).toEqual(["memory-max"]);
  });

  it("memory-initial: more than 512 pages", async () => {
    expect(rules(await check(wat({ memory: `(memory $m 513) (export "memory" (memory $m))` })))).toEqual(["memory-initial"]);
  });

  it("table: unbounded, too large, or two tables", async () => {
    expect(rules(await check(wat({ extra: `(table $t 1 funcref)` })))).toEqual(["table"]);
    expect(rules(await check(wat({ extra: `(table $t 1 2501 funcref)` })))).toEqual(["table"]);
    expect((await check(wat({ extra: `(table $t 1 10 funcref)` }))).problems).toEqual([]);
  });

  it("function-params and function-results", async () => {
    const many = Array.from({ length: COSMWASM_LIMITS.maxFunctionParams + 1 }, () => "i32").join(" ");
    expect(rules(await check(wat({ extra: `(func $f (param ${many}))` })))).toContain("function-params");
    const multi = await check(wat({ extra: `(func $g (result i32 i32) (i32.const 1) (i32.const 2))` }));
    expect(rules(multi)).toContain("function-results");
  });

  it("function-count and function-total-params: over the limits", async () => {
    const n = COSMWASM_LIMITS.maxFunctions + 1;
    const fns = Array.from({ length: n }, (_, i) => `(func $f${i})`).join("\n");
    expect(rules(await check(wat({ extra: fns })))).toEqual(["function-count"]);
    const p = Array.from({ length: 100 }, () => "i32").join(" ");
    const heavy = Array.from({ length: 101 }, (_, i) => `(func $h${i} (param ${p}))`).join("\n");
    expect(rules(await check(wat({ extra: heavy })))).toEqual(["function-total-params"]);
  });

  it("float-instruction: an f64 operation", async () => {
    const r = await check(wat({ extra: `(func $fl (result i32) (i32.trunc_f64_s (f64.add (f64.const 1) (f64.const 2))))` }));
    expect(rules(r)).toEqual(["float-instruction"]);
  });

  it("features: a post-MVP instruction (sign extension)", async () => {
    const r = await check(wat({ extra: `(func $se (param i32) (result i32) (i32.extend8_s (local.get 0)))` }));
    expect(rules(r)).toEqual(["features"]);
  });

  it("start-function: a start section", async () => {
    expect(rules(await check(wat({ extra: `(func $st) (start $st)` })))).toEqual(["start-function"]);
  });

  it("invalid: bytes that are no module", () => {
    expect(rules(checkCosmWasmModule(new Uint8Array([0, 97, 115, 109, 9, 9])))).toEqual(["invalid"]);
  });

  const built = path.join(PROJECT_ROOT, "build/canary-cw.wasm");
  it.skipIf(!existsSync(built))("passes build/canary-cw.wasm (≤ 40 KiB)", () => {
    const bytes = new Uint8Array(readFileSync(built));
    const r = checkCosmWasmModule(bytes);
    expect(r.problems).toEqual([]);
    expect(bytes.length).toBeLessThanOrEqual(40 * 1024);
  });
});

describe("CosmWasm checker: post-MVP sections", () => {
  it("features: a DataCount section (binaryen writes one for a data segment when bulk memory is on)", async () => {
    const bytes = await watToBytes(`(module (memory $m 1) (export "memory" (memory $m)) (data (i32.const 0) "x"))`);
    const r = checkCosmWasmModule(bytes);
    expect(r.problems.filter((x) => x.rule === "features").map((x) => x.detail)).toEqual(["section id 12 (DataCount, bulk memory) is not an MVP section"]);
  });
});
