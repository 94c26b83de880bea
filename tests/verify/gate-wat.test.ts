// The gate on hand-written modules (WAT through binaryen.parseText) for what asc does not
// produce: wrong import signatures, a start section, SIMD, float globals, imported memory...

import { describe, expect, it } from "vitest";
import { HOST_IMPORTS, METHOD_NAMES } from "../../src/abi/methods.ts";
import { GATE_RULES, type GateResult, checkModule } from "../../src/verify/gate.ts";
import { passingWat, watToBytes } from "./helpers.ts";

const rules = (r: GateResult) => [...new Set(r.problems.map((p) => p.rule))].sort();

async function gate(wat: string, opts?: Parameters<typeof checkModule>[1]): Promise<GateResult> {
  return checkModule(await watToBytes(wat), opts);
}

describe("gate on WAT modules", () => {
  it("passes the base module (every method, memory with a maximum)", async () => {
    const r = await gate(passingWat());
    expect(r.problems).toEqual([]);
    expect(r.info.exports).toHaveLength(METHOD_NAMES.length + 1);
  });

  it("passes every host import with its SPEC signature", async () => {
    const imports = Object.entries(HOST_IMPORTS)
      .map(([name, s]) => `(import "host" "${name}" (func $${name} (param ${s.params.join(" ")}) (result ${s.results.join(" ")})))`)
      .join("\n")
      .replace(/\(param \)/g, "")
      .replace(/\(result \)/g, "");
    const r = await gate(passingWat("", { imports }));
    expect(r.problems).toEqual([]);
    expect(r.info.imports.map((i) => i.name).sort()).toEqual(Object.keys(HOST_IMPORTS).sort());
  });

  it("rejects a host import with the wrong signature (import-signature)", async () => {
    const wat = passingWat("", { imports: `(import "host" "storage_read" (func $sr (param i32 i32) (result i32)))` });
    const r = await gate(wat);
    expect(r.problems).toEqual([
      {
        rule: "import-signature",
        detail: "host.storage_read is imported as (i32, i32) -> (i32); SPEC section 7 says (i32, i32, i32, i32) -> (i32)",
      },
    ]);
  });

  it("rejects a host.* name that SPEC section 7 does not list, unless allowed (host.gas)", async () => {
    const wat = passingWat("", { imports: `(import "host" "gas" (func $gas (param i32)))` });
    const r = await gate(wat);
    expect(r.problems).toEqual([{ rule: "import-not-allowed", detail: expect.stringContaining("host.gas") }]);
    expect((await gate(wat, { allowImports: ["host.gas"] })).ok).toBe(true);
  });

  it("allows env.abort only when asked, and only with its (i32 x4) -> () signature", async () => {
    const good = passingWat("", { imports: `(import "env" "abort" (func $abort (param i32 i32 i32 i32)))` });
    expect(rules(await gate(good))).toEqual(["import-not-allowed"]);
    expect((await gate(good, { allowImports: ["env.abort"] })).ok).toBe(true);
    const bad = passingWat("", { imports: `(import "env" "abort" (func $abort (param i32)))` });
    expect(rules(await gate(bad, { allowImports: ["env.abort"] }))).toEqual(["import-signature"]);
  });

  it("rejects imported memory, globals and tables (import-not-allowed)", async () => {
    const wat = passingWat("", {
      imports: `(import "env" "g" (global $g i32)) (import "env" "t" (table 1 funcref))`,
      memory: `(import "env" "memory" (memory $mem 1 16)) (export "memory" (memory $mem))`,
    });
    const r = await gate(wat);
    expect(r.problems.map((p) => `${p.rule} ${p.detail.split(" ")[0]}`).sort()).toEqual([
      "import-not-allowed env.g",
      "import-not-allowed env.memory",
      "import-not-allowed env.t",
    ]);
  });

  it("rejects a start section (start-function)", async () => {
    const r = await gate(passingWat(`(func $init) (start $init)`));
    expect(r.problems).toEqual([{ rule: "start-function", detail: expect.stringContaining("$init") }]);
  });

  it("rejects v128 (SIMD) as features and float-instruction", async () => {
    const r = await gate(passingWat(
      `(func $simd (export "bucketOf") (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4)))`,
      { omit: ["bucketOf"] },
    ));
    expect(rules(r)).toEqual(["features", "float-instruction"]);
    expect(r.problems.find((p) => p.rule === "float-instruction")!.detail).toMatch(/\$simd \(export "bucketOf"\).*v128/);
    expect(r.problems.some((p) => p.rule === "features" && /uses simd/.test(p.detail))).toBe(true);
  });

  it("finds floats in a global, a local, a parameter, a load and a store", async () => {
    const r = await gate(passingWat(`
      (global $rate (mut f32) (f32.const 0.5))
      (func $local (local $x f64) (nop))
      (func $param (param f64))
      (func $load (result i32) (i32.reinterpret_f32 (f32.load (i32.const 0))))
      (func $store (f64.store (i32.const 8) (f64.const 1)))
    `));
    expect(rules(r)).toEqual(["float-instruction"]);
    const text = r.problems.map((p) => p.detail).join("\n");
    expect(text).toMatch(/global \$rate has type f32/);
    expect(text).toMatch(/function \$local: local 0: f64/);
    expect(text).toMatch(/function \$param: param 0: f64/);
    expect(text).toMatch(/function \$load: .*f32\.load/);
    expect(text).toMatch(/function \$store: .*f64/);
  });

  it("rejects methods that are not () -> i32 and optional exports that are not () -> ()", async () => {
    const r = await gate(passingWat(
      `(func $v) (func $i64 (result i64) (i64.const 0))
       (export "getGlobal" (func $i64)) (export "_reset" (func $i64)) (export "_initialize" (func $v))`,
      { omit: ["getGlobal"] },
    ));
    expect(r.problems.map((p) => p.rule)).toEqual(["export-signature", "export-signature"]);
    expect(r.problems[0]!.detail).toMatch(/"getGlobal".*\(\) -> \(i64\)/);
    expect(r.problems[1]!.detail).toMatch(/"_reset".*must be \(\) -> \(\)/);
  });

  it("requires the memory export under that name (export-missing, export-unexpected)", async () => {
    const r = await gate(passingWat("", { memory: `(memory $mem 1 16) (export "mem" (memory $mem))` }));
    expect(rules(r)).toEqual(["export-missing", "export-unexpected"]);
    const none = await gate(passingWat("", { memory: "" }));
    expect(none.problems).toEqual([{ rule: "export-missing", detail: '"memory" is not exported' }]);
    expect(none.info.memory).toBeNull();
  });

  it("reports every missing method by name", async () => {
    const r = await gate(passingWat("", { omit: [...METHOD_NAMES] }));
    expect(r.problems).toHaveLength(METHOD_NAMES.length);
    expect(r.problems.every((p) => p.rule === "export-missing")).toBe(true);
  });

  it("rejects multi-value results (features)", async () => {
    const r = await gate(passingWat(`(func $pair (result i32 i32) (tuple.make 2 (i32.const 1) (i32.const 2))) (export "pair" (func $pair))`));
    expect(rules(r)).toEqual(["export-unexpected", "features"]);
  });

  it("accepts mutable globals (allowed feature)", async () => {
    const r = await gate(passingWat(`(global $n (mut i32) (i32.const 0)) (func $inc (global.set $n (i32.add (global.get $n) (i32.const 1))))`));
    expect(r.problems).toEqual([]);
  });

  it("reports bytes that are not WebAssembly as invalid, without throwing", () => {
    for (const bytes of [new Uint8Array(), new Uint8Array([1, 2, 3]), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 10, 4, 1, 2, 0, 0xff])]) {
      const r = checkModule(bytes);
      expect(r.ok).toBe(false);
      expect(rules(r)).toEqual(["invalid"]);
      expect(r.info.bytes).toBe(bytes.length);
    }
  });

  it("names only rules from GATE_RULES", async () => {
    const r = await gate(passingWat(`(func $s) (start $s) (global $f f64 (f64.const 1))`, { memory: "(memory 1)" }));
    expect(r.problems.length).toBeGreaterThan(2);
    for (const p of r.problems) expect(GATE_RULES).toContain(p.rule);
  });
});
