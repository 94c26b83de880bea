// Loads binaryen once per process; the build (src/verify/build.ts) loads the AssemblyScript
// compiler through importNative too, so both share that one instance.
//
// Why not a plain `import binaryen from "binaryen"`: under tsx (npm run build / verify, the
// canary CLI) every ES module goes through tsx's load hook, which rewrites dynamic imports
// and builds a source map for the module. binaryen is one 13 MB file, and that costs 10-20 s
// per process (measured: 20 s under tsx, 1 s with plain node). tsx passes modules whose URL
// carries a foreign `tsx-namespace` straight to Node, and modules they import inherit the
// namespace, so under tsx both are imported through such a URL: binaryen and the compiler
// then load natively and share one binaryen instance. Anywhere else (vitest, plain node)
// they are imported normally. If the tsx route fails, the plain import is the fallback.
//
// binaryen is a devDependency and an optional peer dependency: the installed package runs
// without it until `canary verify` needs it, which then says how to install it
// (MissingDependencyError).

import type BinaryenApi from "binaryen";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { importOptional } from "../optionalDependencies.ts";

export type Binaryen = typeof BinaryenApi;

const TSX_NAMESPACE = "onchain-canary-native";

function underTsx(): boolean {
  // bin/canary.js registers tsx through its API, which leaves no trace in execArgv.
  if (process.env.CANARY_TSX_REGISTERED === "1") return true;
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  // The tsx CLI passes its loader by path; `node --import tsx` by name.
  return args.some((a) => a === "tsx" || a.startsWith("tsx/") || /[\\/]tsx[\\/]/.test(a));
}

/** Imports `specifier` natively under tsx (see above), else with `plain`. */
export async function importNative<T>(specifier: string, plain: () => Promise<T>): Promise<T> {
  if (underTsx()) {
    try {
      const url = new URL(import.meta.resolve(specifier));
      url.searchParams.set("tsx-namespace", TSX_NAMESPACE);
      return (await import(url.href)) as T;
    } catch {
      // fall through to the ordinary (slow under tsx) import
    }
  }
  return plain();
}

let binaryenPromise: Promise<Binaryen> | null = null;

/** The binaryen instance the compiler uses too; MissingDependencyError when it is not installed. */
export function loadBinaryen(): Promise<Binaryen> {
  binaryenPromise ??= importOptional("binaryen", "canary verify", () => importNative("binaryen", () => import("binaryen"))).then((m) => {
    initialSettings = readSettings(m.default);
    return m.default;
  });
  return binaryenPromise;
}

// binaryen keeps process-wide settings that the compiler changes (optimize and shrink
// levels, stack IR, inlining limits...). They are recorded when binaryen is first loaded.
function readSettings(b: Binaryen) {
  return {
    optimizeLevel: b.getOptimizeLevel(),
    shrinkLevel: b.getShrinkLevel(),
    debugInfo: b.getDebugInfo(),
    trapsNeverHappen: b.getTrapsNeverHappen(),
    closedWorld: b.getClosedWorld(),
    lowMemoryUnused: b.getLowMemoryUnused(),
    zeroFilledMemory: b.getZeroFilledMemory(),
    fastMath: b.getFastMath(),
    generateStackIR: b.getGenerateStackIR(),
    optimizeStackIR: b.getOptimizeStackIR(),
    alwaysInlineMaxSize: b.getAlwaysInlineMaxSize(),
    flexibleInlineMaxSize: b.getFlexibleInlineMaxSize(),
    oneCallerInlineMaxSize: b.getOneCallerInlineMaxSize(),
    allowInliningFunctionsWithLoops: b.getAllowInliningFunctionsWithLoops(),
  };
}

let initialSettings: ReturnType<typeof readSettings> | null = null;

/**
 * Puts binaryen's process-wide settings back to what this process started with, so that a
 * compile gives the same bytes whatever was compiled before it in the same process.
 */
export async function resetBinaryenSettings(): Promise<void> {
  const b = await loadBinaryen();
  const d = initialSettings!;
  b.setOptimizeLevel(d.optimizeLevel);
  b.setShrinkLevel(d.shrinkLevel);
  b.setDebugInfo(d.debugInfo);
  b.setTrapsNeverHappen(d.trapsNeverHappen);
  b.setClosedWorld(d.closedWorld);
  b.setLowMemoryUnused(d.lowMemoryUnused);
  b.setZeroFilledMemory(d.zeroFilledMemory);
  b.setFastMath(d.fastMath);
  b.setGenerateStackIR(d.generateStackIR);
  b.setOptimizeStackIR(d.optimizeStackIR);
  b.setAlwaysInlineMaxSize(d.alwaysInlineMaxSize);
  b.setFlexibleInlineMaxSize(d.flexibleInlineMaxSize);
  b.setOneCallerInlineMaxSize(d.oneCallerInlineMaxSize);
  b.setAllowInliningFunctionsWithLoops(d.allowInliningFunctionsWithLoops);
  b.clearPassArguments();
  b.clearPassesToSkip();
}

/** The version of an installed package, read from its package.json (no import needed). */
export function installedVersion(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, "node_modules", name, "package.json");
    if (existsSync(file)) {
      try {
        return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "unknown";
      } catch {
        return "unknown";
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}
