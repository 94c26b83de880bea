// Shared by the gate tests: compiling the AssemblyScript fixtures of tests/fixtures/gate and
// WAT modules into bytes.

import { cp, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { METHOD_NAMES } from "../../src/abi/methods.ts";
import { runAsc } from "../../src/verify/build.ts";
import { loadBinaryen } from "../../src/verify/toolchain.ts";

import { ROOT as PROJECT_ROOT } from "../helpers/paths.ts";

export { ROOT as PROJECT_ROOT } from "../helpers/paths.ts";
export const FIXTURES = path.join(PROJECT_ROOT, "tests/fixtures/gate");

/** A temporary directory, removed by the returned cleanup. */
export { tempDirAsync as tempDir } from "../helpers/temp.ts";
import { tempDirAsync } from "../helpers/temp.ts";

/**
 * A fresh checkout for a reproducibility test: the project's assembly/ and the asconfig file
 * `config` (asconfig.json, asconfig.cosmwasm.json), node_modules linked. `cleanups` gets its
 * removal, for the test file's afterAll.
 */
export async function projectCheckout(name: string, config: string, cleanups: (() => Promise<void>)[]): Promise<string> {
  const { dir, cleanup } = await tempDirAsync(name);
  cleanups.push(cleanup);
  await cp(path.join(PROJECT_ROOT, "assembly"), path.join(dir, "assembly"), { recursive: true });
  await cp(path.join(PROJECT_ROOT, config), path.join(dir, config));
  await symlink(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

type AscOptions = Record<string, unknown>;

/** The release target's options of the project's asconfig.json, without output paths. */
export async function releaseOptions(): Promise<AscOptions> {
  const config = JSON.parse(await readFile(path.join(PROJECT_ROOT, "asconfig.json"), "utf8")) as {
    options?: AscOptions;
    targets?: Record<string, AscOptions>;
  };
  const merged: AscOptions = { ...config.options, ...config.targets?.release };
  delete merged.outFile;
  delete merged.textFile;
  return merged;
}

function directive(source: string, name: string): string | null {
  const m = new RegExp(`//\\s*gate:${name}(?:[ \\t]+([^\\n]*))?`).exec(source);
  return m ? (m[1] ?? "").trim() : null;
}

/**
 * The fixture's source with a stub for every method of METHOD_NAMES it does not define
 * (minus `gate:omit`), and the release options adjusted by its directives.
 */
export async function fixtureSource(name: string): Promise<{ source: string; options: AscOptions }> {
  const source = await readFile(path.join(FIXTURES, `${name}.ts`), "utf8");
  const defined = new Set([...source.matchAll(/^export function (\w+)/gm)].map((m) => m[1]!));
  const omit = new Set((directive(source, "omit") ?? "").split(",").map((s) => s.trim()).filter(Boolean));
  const stubs = METHOD_NAMES.filter((m) => !defined.has(m) && !omit.has(m))
    .map((m) => `export function ${m}(): i32 { return 0; }`);
  const options = await releaseOptions();
  const disable = directive(source, "asc-disable");
  if (disable !== null) options.disable = disable.split(",").map((s) => s.trim()).filter(Boolean);
  if (directive(source, "asc-no-maximum") !== null) delete options.maximumMemory;
  const full = `${source}\n// --- appended by tests/verify/helpers.ts ---\n${stubs.join("\n")}\n`;
  return { source: full, options };
}

/** asconfig-style options as asc command-line arguments. */
function toArgs(options: AscOptions): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === true) args.push(`--${key}`);
    else if (value === false || value === null || value === undefined) continue;
    else if (Array.isArray(value)) for (const v of value) args.push(`--${key}`, String(v));
    else args.push(`--${key}`, String(value));
  }
  return args;
}

/** Compiles tests/fixtures/gate/<name>.ts (see its README) and returns the module's bytes. */
export async function compileFixture(name: string, workDir: string): Promise<Uint8Array> {
  const { source, options } = await fixtureSource(name);
  const entry = path.join(workDir, `${name}.ts`);
  const outFile = path.join(workDir, `${name}.wasm`);
  await writeFile(entry, source);
  const run = await runAsc([entry, "--outFile", outFile, ...toArgs(options)], workDir);
  if (run.error) throw new Error(`fixture ${name} does not compile: ${run.error.message}\n${run.diagnostics}`);
  const bytes = run.written.get(outFile);
  if (!(bytes instanceof Uint8Array)) throw new Error(`fixture ${name}: no module written`);
  await writeFile(outFile, bytes); // left for inspection while the test runs
  return bytes;
}

/** A WAT module as bytes, with its names (parsed with every feature enabled, so SIMD etc. parse). */
export async function watToBytes(wat: string): Promise<Uint8Array> {
  const binaryen = await loadBinaryen();
  const mod = binaryen.parseText(wat);
  const debugInfo = binaryen.getDebugInfo();
  try {
    mod.setFeatures(binaryen.Features.All);
    binaryen.setDebugInfo(true); // keeps the name section
    return mod.emitBinary();
  } finally {
    binaryen.setDebugInfo(debugInfo);
    mod.dispose();
  }
}

/** A module body that passes the gate: memory with a maximum and every method exported. */
export function passingWat(extra = "", opts: { imports?: string; memory?: string; omit?: string[] } = {}): string {
  const omit = new Set(opts.omit ?? []);
  const exports = METHOD_NAMES.filter((m) => !omit.has(m)).map((m) => `  (export "${m}" (func $ok))`).join("\n");
  return `(module
  ${opts.imports ?? ""}
  ${opts.memory ?? `(memory $mem 1 16)\n  (export "memory" (memory $mem))`}
  (func $ok (result i32) (i32.const 0))
${exports}
  ${extra}
)`;
}
