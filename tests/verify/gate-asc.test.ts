// The gate on modules compiled by asc from tests/fixtures/gate with the release target's
// options: the good module passes, and each bad one fails for its own reason only.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METHOD_NAMES } from "../../src/abi/methods.ts";
import { type GateResult, checkModule } from "../../src/verify/gate.ts";
import { compileFixture, tempDir } from "./helpers.ts";

const FIXTURES = [
  "good",
  "float-math",
  "math-random",
  "stray-import",
  "bulk-memory",
  "sign-extension",
  "missing-export",
  "no-max-memory",
  "export-signature",
  "export-unexpected",
] as const;

const modules = new Map<string, Uint8Array>();
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  const tmp = await tempDir("gate-fixtures");
  cleanup = tmp.cleanup;
  for (const name of FIXTURES) modules.set(name, await compileFixture(name, tmp.dir));
}, 300_000);

afterAll(() => cleanup());

function check(name: (typeof FIXTURES)[number], opts?: Parameters<typeof checkModule>[1]): GateResult {
  const bytes = modules.get(name);
  if (!bytes) throw new Error(`fixture ${name} was not compiled`);
  return checkModule(bytes, opts);
}

const rules = (r: GateResult) => [...new Set(r.problems.map((p) => p.rule))].sort();
const details = (r: GateResult, rule: string) => r.problems.filter((p) => p.rule === rule).map((p) => p.detail);

describe("gate on asc-compiled fixtures", () => {
  it("passes a minimal module with every method, host imports only, memory, _initialize and _reset", () => {
    const r = check("good");
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    const exported = r.info.exports.map((e) => e.name);
    for (const m of METHOD_NAMES) expect(exported).toContain(m);
    expect(exported).toEqual(expect.arrayContaining(["memory", "_initialize", "_reset"]));
    expect(r.info.imports.every((i) => i.module === "host")).toBe(true);
    expect(r.info.imports.map((i) => i.name)).toEqual(expect.arrayContaining(["input_len", "storage_write", "emit"]));
    expect(r.info.memory).toEqual({ initial: expect.any(Number), maximum: 256 });
    expect(r.info.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.info.bytes).toBe(modules.get("good")!.length);
  });

  it("rejects f64 math whose result is exported as i32 (float-instruction), naming the export", () => {
    const r = check("float-math");
    expect(rules(r)).toEqual(["float-instruction"]);
    expect(details(r, "float-instruction").join("\n")).toMatch(/"bucketOf".*f64/);
  });

  it("rejects Math.random: asc imports env.seed () -> f64 (import-not-allowed) and computes in f64", () => {
    const r = check("math-random");
    expect(rules(r)).toEqual(["float-instruction", "import-not-allowed"]);
    expect(details(r, "import-not-allowed")).toEqual([expect.stringContaining("env.seed (function () -> (f64))")]);
    expect(r.info.imports).toContainEqual({ module: "env", name: "seed", kind: "function", params: [], results: ["f64"] });
  });

  it("rejects an import outside SPEC section 7 (import-not-allowed)", () => {
    const r = check("stray-import");
    expect(rules(r)).toEqual(["import-not-allowed"]);
    expect(details(r, "import-not-allowed")).toEqual([expect.stringContaining("env.now")]);
    // Allowing it by name is what a future metered or debug build would do.
    expect(check("stray-import", { allowImports: ["env.now"] }).ok).toBe(true);
  });

  it("rejects memory.copy from a bulk-memory build (features): the validator and the walk both see it", () => {
    const r = check("bulk-memory");
    expect(rules(r)).toEqual(["features"]);
    const text = details(r, "features").join("\n");
    expect(text).toMatch(/does not validate with the MVP feature set/);
    expect(text).toMatch(/"getHistory"\) uses bulk-memory: \(memory\.copy/);
  });

  it("rejects i32.extend8_s from a sign-extension build (features)", () => {
    const r = check("sign-extension");
    expect(rules(r)).toEqual(["features"]);
    expect(details(r, "features").join("\n")).toMatch(/uses sign-extension: \(i32\.extend8_s/);
  });

  it("rejects a module without one method (export-missing), and requiredExports can narrow the list", () => {
    const r = check("missing-export");
    expect(r.problems).toEqual([{ rule: "export-missing", detail: 'method "getGlobal" is not exported' }]);
    const narrowed = check("missing-export", { requiredExports: METHOD_NAMES.filter((m) => m !== "getGlobal") });
    expect(narrowed.ok).toBe(true);
  });

  it("rejects a memory without a declared maximum (memory-max)", () => {
    const r = check("no-max-memory");
    expect(rules(r)).toEqual(["memory-max"]);
    expect(r.info.memory?.maximum).toBeNull();
  });

  it("rejects a method with a parameter (export-signature)", () => {
    const r = check("export-signature");
    expect(r.problems).toEqual([
      { rule: "export-signature", detail: expect.stringContaining('"hasRole" is exported as function (i32) -> (i32)') },
    ]);
  });

  it("rejects an export that is not a method (export-unexpected)", () => {
    const r = check("export-unexpected");
    expect(r.problems).toEqual([{ rule: "export-unexpected", detail: expect.stringContaining('"debugDump"') }]);
  });
});
