// Compiles the contract through the AssemblyScript compiler's JS API (no shell-out), with the
// options of one asconfig.json target, and reports what it wrote with its SHA-256.
//
// `root` is a checkout: the directory holding asconfig.json (and assembly/). Paths in the
// result are absolute. Builds in one process are serialized: the compiler and binaryen keep
// global state, which is reset to this process's initial values before every build so that
// an in-process build gives the same bytes as a fresh `npm run build`.

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type AscApi from "assemblyscript/asc";
import { importNative, installedVersion, loadBinaryen, resetBinaryenSettings } from "./toolchain.ts";

type Asc = typeof AscApi;
let ascPromise: Promise<Asc> | null = null;

/** The AssemblyScript compiler (asc JS API), sharing the one binaryen instance (toolchain.ts). */
function loadAsc(): Promise<Asc> {
  ascPromise ??= loadBinaryen().then(() =>
    importNative("assemblyscript/asc", () => import("assemblyscript/asc")).then((m) => m.default),
  );
  return ascPromise;
}

export interface BuildModuleOptions {
  /** The checkout: the directory holding asconfig.json. */
  root: string;
  /** An asconfig.json target, e.g. "release" or "debug". */
  target: string;
  /** Where to write the module (relative to root or absolute). Default: the target's outFile. */
  outFile?: string;
  /** Where to write the text format; null writes none. Default: the target's textFile, if any. */
  textFile?: string | null;
  /**
   * Skip the compiler when the stamp next to outFile shows that nothing it read has changed
   * (same bytes of every file the compiler read or probed, same compiler, same target
   * options) and the output is still the one it wrote. Default false.
   */
  cache?: boolean;
  /** Extra asc arguments (after the config's; the command line takes precedence). */
  extraArgs?: string[];
  /** The config file, relative to root. Default "asconfig.json". */
  config?: string;
  /**
   * Source files swapped at build time, relative to root: the compiler asked for the key
   * reads the value instead (the CosmWasm build's host file; COSMWASM.md section 1).
   */
  substitute?: Record<string, string>;
}

export interface BuildOutput {
  target: string;
  /** Absolute path of the module written. */
  outFile: string;
  /** Absolute path of the text format written, or null. */
  textFile: string | null;
  bytes: Uint8Array;
  size: number;
  sha256: string;
  /** Warnings the compiler printed (empty when none). */
  diagnostics: string;
  /** True when the compiler was skipped (see BuildModuleOptions.cache). */
  cached: boolean;
  /** Wall time of this call. */
  ms: number;
}

/** A compile that failed: `diagnostics` is what the compiler printed. */
export class BuildError extends Error {
  readonly target: string;
  readonly diagnostics: string;
  constructor(target: string, message: string, diagnostics: string) {
    super(`${target}: ${message}`);
    this.name = "BuildError";
    this.target = target;
    this.diagnostics = diagnostics;
  }
}

/** A build script's answer to a failed build: a BuildError's diagnostics and message on stderr, exit status 1; anything else is rethrown. */
export function reportBuildFailure(err: unknown): 1 {
  if (!(err instanceof BuildError)) throw err;
  if (err.diagnostics) process.stderr.write(err.diagnostics);
  process.stderr.write(`build failed: ${err.message}\n`);
  return 1;
}

const STAMP_VERSION = 1;

interface Stamp {
  version: number;
  /** Hash of the compiler version and the arguments. */
  key: string;
  /** Every file the compiler asked for, relative to root: its SHA-256, or null when absent. */
  reads: Record<string, string | null>;
  sha256: string;
}

function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The toolchain that determines the output besides the sources (read without loading it). */
export const TOOLCHAIN = {
  assemblyscript: installedVersion("assemblyscript"),
  binaryen: installedVersion("binaryen"),
};

/** This builder's own code: a change to how it compiles invalidates every stamp. */
const BUILDER = sha256(
  ["build.ts", "toolchain.ts"]
    .map((f) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), f), "utf8"))
    .join("\0"),
);

let queue: Promise<unknown> = Promise.resolve();
/** Runs builds one at a time: the compiler is not reentrant. */
function serialized<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

interface AsconfigTarget {
  outFile?: string;
  textFile?: string;
}

async function readTarget(root: string, target: string, configFile = "asconfig.json"): Promise<AsconfigTarget> {
  const file = path.join(root, configFile);
  let config: { options?: AsconfigTarget; targets?: Record<string, AsconfigTarget> };
  try {
    config = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new BuildError(target, `cannot read ${file}: ${(err as Error).message}`, "");
  }
  const t = config.targets?.[target];
  if (!t) throw new BuildError(target, `asconfig.json has no target "${target}"`, "");
  return { outFile: t.outFile ?? config.options?.outFile, textFile: t.textFile ?? config.options?.textFile };
}

async function hashFile(file: string): Promise<string | null> {
  try {
    return sha256(await readFile(file));
  } catch {
    return null;
  }
}

async function stampIsCurrent(root: string, stampFile: string, key: string, outFile: string): Promise<Uint8Array | null> {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(await readFile(stampFile, "utf8"));
  } catch {
    return null;
  }
  if (stamp.version !== STAMP_VERSION || stamp.key !== key) return null;
  for (const [rel, hash] of Object.entries(stamp.reads)) {
    if ((await hashFile(path.resolve(root, rel))) !== hash) return null;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(outFile));
  } catch {
    return null;
  }
  return sha256(bytes) === stamp.sha256 ? bytes : null;
}

export interface AscRun {
  /** The compiler's error (compile errors, a missing file...), or null. */
  error: Error | null;
  /** What the compiler printed to stderr: diagnostics, warnings. */
  diagnostics: string;
  /** Every file the compiler wrote, by absolute path (nothing is written to disk). */
  written: Map<string, Uint8Array | string>;
  /** Every file the compiler read or probed, by absolute path: SHA-256 of its bytes, or null if absent. */
  reads: Map<string, string | null>;
}

/**
 * Runs the compiler (asc's `main`) with command-line arguments, relative paths taken from
 * `baseDir`, in memory: sources are read from disk, outputs are returned, not written.
 * Serialized with every other compile of this process; binaryen's settings are reset first.
 */
export function runAsc(args: readonly string[], baseDir: string, substitute?: Record<string, string>): Promise<AscRun> {
  return serialized(() => runAscUnserialized(args, baseDir, substitute));
}

async function runAscUnserialized(args: readonly string[], baseDir: string, substitute?: Record<string, string>): Promise<AscRun> {
  const asc = await loadAsc();
  await resetBinaryenSettings();
  const reads = new Map<string, string | null>();
  const written = new Map<string, Uint8Array | string>();
  const stdout = asc.createMemoryStream();
  const stderr = asc.createMemoryStream();
  const base = path.resolve(baseDir);
  const result = await asc.main(["--baseDir", base, ...args], {
    stdout,
    stderr,
    readFile: async (filename, dir) => {
      let file = path.resolve(dir, filename);
      const swap = substitute?.[path.relative(base, file).split(path.sep).join("/")];
      if (swap !== undefined) file = path.resolve(base, swap);
      try {
        const data = await readFile(file);
        reads.set(file, sha256(data));
        return data.toString("utf8");
      } catch {
        reads.set(file, null);
        return null;
      }
    },
    writeFile: (filename, contents, dir) => {
      written.set(path.resolve(dir, filename), contents);
    },
  });
  return { error: result.error, diagnostics: stderr.toString(), written, reads };
}

/** Compiles one asconfig target of the checkout at `root`. Throws BuildError on failure. */
export function buildModule(opts: BuildModuleOptions): Promise<BuildOutput> {
  return serialized(() => build(opts));
}

async function build(opts: BuildModuleOptions): Promise<BuildOutput> {
  const started = performance.now();
  const root = path.resolve(opts.root);
  const { target } = opts;
  const config = opts.config ?? "asconfig.json";
  const configured = await readTarget(root, target, config);
  const outRel = opts.outFile ?? configured.outFile;
  if (!outRel) throw new BuildError(target, `asconfig.json target "${target}" has no outFile and none was given`, "");
  const outFile = path.resolve(root, outRel);
  const textRel = opts.textFile === undefined ? configured.textFile : opts.textFile;
  const textFile = textRel ? path.resolve(root, textRel) : null;

  // The compiler always emits the text format when the config names a textFile; it is
  // written only when wanted. The stamp records the arguments, not the output paths.
  const args = ["--config", path.join(root, config), "--target", target, ...(opts.extraArgs ?? [])];
  const key = sha256(JSON.stringify({ toolchain: TOOLCHAIN, builder: BUILDER, target, config, substitute: opts.substitute ?? {}, extraArgs: opts.extraArgs ?? [] }));
  const stampFile = path.join(path.dirname(outFile), `.${path.basename(outFile)}.stamp.json`);

  if (opts.cache) {
    const bytes = await stampIsCurrent(root, stampFile, key, outFile);
    if (bytes && (!textFile || existsSync(textFile))) {
      return { target, outFile, textFile, bytes, size: bytes.length, sha256: sha256(bytes), diagnostics: "", cached: true, ms: performance.now() - started };
    }
  }

  const run = await runAscUnserialized([...args, "--outFile", outFile, ...(textFile ? ["--textFile", textFile] : [])], root, opts.substitute);
  const { diagnostics, written } = run;
  if (run.error) {
    throw new BuildError(target, run.error.message, diagnostics);
  }
  const binary = written.get(outFile);
  if (!(binary instanceof Uint8Array)) {
    throw new BuildError(target, `the compiler wrote no module to ${outFile}`, diagnostics);
  }
  const bytes = new Uint8Array(binary);
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, bytes);
  if (textFile) {
    const text = written.get(textFile);
    if (text !== undefined) {
      await mkdir(path.dirname(textFile), { recursive: true });
      await writeFile(textFile, text);
    }
  }
  const hash = sha256(bytes);
  if (opts.cache) {
    const stamp: Stamp = {
      version: STAMP_VERSION,
      key,
      reads: Object.fromEntries(
        [...run.reads].map(([file, hash]) => [path.relative(root, file), hash] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
      sha256: hash,
    };
    await writeFile(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
  }
  return { target, outFile, textFile, bytes, size: bytes.length, sha256: hash, diagnostics, cached: false, ms: performance.now() - started };
}

/** The CosmWasm module (COSMWASM.md): the same sources, its own entry file and host file. */
export const COSMWASM_BUILD = {
  target: "release",
  config: "asconfig.cosmwasm.json",
  substitute: { "assembly/host/env.ts": "assembly/host/env.cosmwasm.ts" },
} as const;

/** Where `npm run build:cosmwasm` writes the final module (the compiler's goes to the config's outFile, build/canary-cw.raw.wasm). */
export const COSMWASM_OUT = "build/canary-cw.wasm";

/** The targets `npm run build` makes, in order. */
export const DEFAULT_TARGETS = ["release", "debug"] as const;
