// The build: two checkouts give byte-identical release modules (SPEC section 8), the real
// contract passes the gate, compile errors come back with the compiler's diagnostics, and the
// build stamp skips only what is really unchanged.

import { cp, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildError, type BuildOutput, buildModule } from "../../src/verify/build.ts";
import { DEBUG_ALLOWED_IMPORTS } from "../../src/verify/cli.ts";
import { checkModule } from "../../src/verify/gate.ts";
import { FIXTURES, PROJECT_ROOT, projectCheckout, tempDir } from "./helpers.ts";
import { tsxArgs } from "../helpers/process.ts";

const execFileAsync = promisify(execFile);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

/** A fresh checkout: assembly/ and asconfig.json of the project, node_modules linked. */
const checkout = (name: string): Promise<string> => projectCheckout(name, "asconfig.json", cleanups);

/** A checkout whose contract is the given source (asconfig.json of the project). */
async function checkoutWith(name: string, source: string): Promise<string> {
  const { dir, cleanup } = await tempDir(name);
  cleanups.push(cleanup);
  await mkdir(path.join(dir, "assembly"));
  await writeFile(path.join(dir, "assembly/index.ts"), source);
  await cp(path.join(PROJECT_ROOT, "asconfig.json"), path.join(dir, "asconfig.json"));
  return dir;
}

/** Builds the release target of `root` in a child process (`node --import tsx`). */
async function buildInChildProcess(root: string): Promise<{ sha256: string; size: number; outFile: string }> {
  const script = path.join(root, "build-release.mts");
  const buildTs = pathToFileURL(path.join(PROJECT_ROOT, "src/verify/build.ts")).href;
  await writeFile(script, [
    `import { buildModule } from ${JSON.stringify(buildTs)};`,
    `const out = await buildModule({ root: ${JSON.stringify(root)}, target: "release" });`,
    `process.stdout.write(JSON.stringify({ sha256: out.sha256, size: out.size, outFile: out.outFile }));`,
  ].join("\n"));
  const { stdout } = await execFileAsync(process.execPath, tsxArgs(script), { cwd: PROJECT_ROOT, maxBuffer: 1 << 24 });
  return JSON.parse(stdout) as { sha256: string; size: number; outFile: string };
}

describe("reproducible build of the real contract", () => {
  let a: BuildOutput;
  let aDebug: BuildOutput;
  let aAgain: BuildOutput;
  let b: { sha256: string; size: number; outFile: string };

  beforeAll(async () => {
    const dirA = await checkout("checkout-a");
    const dirB = await checkout("checkout-b");
    // B in a fresh process, A in this one, concurrently.
    const child = buildInChildProcess(dirB);
    child.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
    a = await buildModule({ root: dirA, target: "release" });
    // A debug build, then release again: the compiler's process-wide settings must not leak.
    aDebug = await buildModule({ root: dirA, target: "debug" });
    aAgain = await buildModule({ root: dirA, target: "release", outFile: "build/again.wasm", textFile: null });
    b = await child;
  }, 600_000);

  it("gives byte-identical release modules from two checkouts, with the SHA-256 of their bytes", async () => {
    expect(a.outFile).not.toBe(b.outFile);
    expect(a.size).toBeGreaterThan(0);
    const bBytes = await readFile(b.outFile);
    expect(bBytes.equals(Buffer.from(a.bytes))).toBe(true);
    expect(b.sha256).toBe(a.sha256);
    expect(b.size).toBe(a.size);
    expect(a.sha256).toBe(sha256(a.bytes));
    // What was written is what was returned.
    expect(sha256(await readFile(a.outFile))).toBe(a.sha256);
    expect(path.relative(path.dirname(path.dirname(a.outFile)), a.outFile)).toBe(path.join("build", "canary.wasm"));
    expect(a.textFile && (await readFile(a.textFile, "utf8"))).toMatch(/^\(module/);
  });

  it("gives the same release module after other builds in the same process", () => {
    expect(aAgain.sha256).toBe(a.sha256);
  });

  it("passes the module gate: release with SPEC section 7 imports only, debug with env.abort too", () => {
    const release = checkModule(a.bytes);
    expect(release.problems).toEqual([]);
    const debug = checkModule(aDebug.bytes, { allowImports: [...DEBUG_ALLOWED_IMPORTS] });
    expect(debug.problems).toEqual([]);
    expect(aDebug.outFile.endsWith(path.join("build", "canary.debug.wasm"))).toBe(true);
  });
});

describe("buildModule", () => {
  it("throws BuildError with the compiler's diagnostics when the contract does not compile", async () => {
    const dir = await checkoutWith("broken", `export function init(): i32 {\n  return "not a number";\n}\n`);
    const err = await buildModule({ root: dir, target: "release" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BuildError);
    const e = err as BuildError;
    expect(e.target).toBe("release");
    expect(e.message).toMatch(/compile error/);
    expect(e.diagnostics).toMatch(/ERROR/);
    expect(e.diagnostics).toContain("assembly/index.ts");
  }, 120_000);

  it("throws BuildError for a target asconfig.json does not have", async () => {
    const dir = await checkoutWith("no-target", "export function init(): i32 { return 0; }\n");
    await expect(buildModule({ root: dir, target: "profiling" })).rejects.toThrow(/no target "profiling"/);
  });

  it("with cache, skips an unchanged build and rebuilds after any change to what the compiler read", async () => {
    const source = await readFile(path.join(FIXTURES, "export-unexpected.ts"), "utf8");
    const dir = await checkoutWith("cache", source);
    const first = await buildModule({ root: dir, target: "debug", cache: true });
    expect(first.cached).toBe(false);

    const again = await buildModule({ root: dir, target: "debug", cache: true });
    expect(again.cached).toBe(true);
    expect(again.sha256).toBe(first.sha256);

    // Without cache it always compiles.
    expect((await buildModule({ root: dir, target: "debug" })).cached).toBe(false);

    // A new file where the compiler had probed and found nothing.
    await writeFile(path.join(dir, "assembly/util.ts"), "export const ANSWER: i32 = 42;\n");
    await writeFile(path.join(dir, "assembly/index.ts"), `import { ANSWER } from "./util";\n${source.replace("return 42", "return ANSWER")}`);
    const changed = await buildModule({ root: dir, target: "debug", cache: true });
    expect(changed.cached).toBe(false);
    expect((await buildModule({ root: dir, target: "debug", cache: true })).cached).toBe(true);

    await writeFile(path.join(dir, "assembly/util.ts"), "export const ANSWER: i32 = 43;\n");
    const imported = await buildModule({ root: dir, target: "debug", cache: true });
    expect(imported.cached).toBe(false);
    expect(imported.sha256).not.toBe(changed.sha256);

    // A damaged or missing output is rebuilt.
    await writeFile(imported.outFile, "garbage");
    expect((await buildModule({ root: dir, target: "debug", cache: true })).cached).toBe(false);
    await rm(imported.outFile);
    const rebuilt = await buildModule({ root: dir, target: "debug", cache: true });
    expect(rebuilt.cached).toBe(false);
    expect(rebuilt.sha256).toBe(imported.sha256);
  }, 300_000);
});
