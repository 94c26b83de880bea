// `npm run verify` and (later) `canary verify [WASM...]`: runs the module gate on files and
// prints one line per module and one per problem.
//
//   OK <path> <bytes> bytes sha256 <hex>
//   FAIL <path> <bytes> bytes sha256 <hex>
//     <rule>: <detail>

import { readFile } from "node:fs/promises";
import path from "node:path";
import { checkModule } from "./gate.ts";

/** What the debug build may import besides SPEC section 7 (SPEC section 8). */
export const DEBUG_ALLOWED_IMPORTS = ["env.abort"] as const;
/** What the metered build may import besides SPEC section 7: its gas charge (docs/GAS.md). */
export const METERED_ALLOWED_IMPORTS = ["host.gas"] as const;

export interface VerifyTarget {
  path: string;
  /** A debug build: also allows DEBUG_ALLOWED_IMPORTS. */
  debug?: boolean;
  /** Further "module.name" imports to allow. */
  allowImports?: string[];
  /** Method exports to require instead of every method of SPEC section 6. */
  requiredExports?: string[];
  /** A CosmWasm module: checked by src/verify/cosmwasm.ts instead of the native gate. */
  cosmwasm?: boolean;
}

/** What `npm run verify` checks with no arguments, relative to the project root. */
export const DEFAULT_VERIFY_TARGETS: readonly VerifyTarget[] = [
  { path: "build/canary.wasm" },
  { path: "build/canary.debug.wasm", debug: true },
  { path: "build/canary.metered.wasm", allowImports: [...METERED_ALLOWED_IMPORTS] },
];

export interface VerifyIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Base for relative paths; default process.cwd(). */
  cwd?: string;
  /** Default: node:fs. */
  readFile?(file: string): Promise<Uint8Array>;
}

/** Checks every target; returns the exit status: 0 when all pass, 1 otherwise. */
export async function runVerify(targets: readonly (string | VerifyTarget)[], io: VerifyIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const read = io.readFile ?? (async (file: string) => new Uint8Array(await readFile(file)));
  let failed = 0;
  let problems = 0;
  for (const t of targets) {
    const target: VerifyTarget = typeof t === "string" ? { path: t } : t;
    const file = path.resolve(cwd, target.path);
    let bytes: Uint8Array;
    try {
      bytes = await read(file);
    } catch (err) {
      io.stdout(`FAIL ${target.path}\n  unreadable: ${(err as Error).message}\n`);
      failed++;
      continue;
    }
    if (target.cosmwasm) {
      const { checkCosmWasmModule } = await import("./cosmwasm.ts");
      const r = checkCosmWasmModule(bytes);
      const head = `${target.path} ${r.bytes} bytes sha256 ${r.sha256} (CosmWasm)`;
      if (r.ok) io.stdout(`OK ${head}\n`);
      else {
        failed++;
        problems += r.problems.length;
        io.stdout(`FAIL ${head}\n`);
        for (const p of r.problems) io.stdout(`  ${p.rule}: ${p.detail}\n`);
      }
      continue;
    }
    const allowImports = [...(target.debug ? DEBUG_ALLOWED_IMPORTS : []), ...(target.allowImports ?? [])];
    const result = checkModule(bytes, {
      allowImports,
      ...(target.requiredExports ? { requiredExports: target.requiredExports } : {}),
    });
    const head = `${target.path} ${result.info.bytes} bytes sha256 ${result.info.sha256}`;
    if (result.ok) {
      io.stdout(`OK ${head}\n`);
    } else {
      failed++;
      problems += result.problems.length;
      io.stdout(`FAIL ${head}\n`);
      for (const p of result.problems) io.stdout(`  ${p.rule}: ${p.detail}\n`);
    }
  }
  if (failed > 0) {
    io.stderr(`verify: ${failed} of ${targets.length} module(s) failed${problems ? ` (${problems} problem${problems === 1 ? "" : "s"})` : ""}\n`);
    return 1;
  }
  return 0;
}

export interface VerifyArgs {
  targets: VerifyTarget[];
}

export const VERIFY_USAGE = "usage: verify [--debug] [--allow-import MODULE.NAME]... [--cosmwasm] [WASM...]\n" +
  "  no WASM: build/canary.wasm (release), build/canary.debug.wasm (debug) and build/canary.metered.wasm (host.gas allowed)\n" +
  "  --debug         the given modules are debug builds (env.abort allowed)\n" +
  "  --allow-import  allow one more import, e.g. host.gas\n" +
  "  --cosmwasm      the given modules are CosmWasm modules: CosmWasm's checks and SPEC section 8's (no WASM: build/canary-cw.wasm)\n";

/** Parses `verify` arguments; `root` anchors the default targets. */
export function parseVerifyArgs(argv: readonly string[], root: string): VerifyArgs | { error: string } {
  let debug = false;
  let cosmwasm = false;
  const allow: string[] = [];
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--debug") debug = true;
    else if (a === "--cosmwasm") cosmwasm = true;
    else if (a === "--allow-import") {
      const v = argv[++i];
      if (!v || !/^[^.]+\..+$/.test(v)) return { error: `--allow-import needs MODULE.NAME\n${VERIFY_USAGE}` };
      allow.push(v);
    } else if (a === "-h" || a === "--help") return { error: VERIFY_USAGE };
    else if (a.startsWith("-")) return { error: `unknown option ${a}\n${VERIFY_USAGE}` };
    else paths.push(a);
  }
  if (cosmwasm) {
    if (debug || allow.length > 0) return { error: `--cosmwasm takes no --debug or --allow-import\n${VERIFY_USAGE}` };
    const files = paths.length > 0 ? paths : [path.relative(process.cwd(), path.resolve(root, "build/canary-cw.wasm")) || "build/canary-cw.wasm"];
    return { targets: files.map((p) => ({ path: p, cosmwasm: true })) };
  }
  if (paths.length === 0) {
    return {
      targets: DEFAULT_VERIFY_TARGETS.map((t) => ({
        ...t,
        path: path.relative(process.cwd(), path.resolve(root, t.path)) || t.path,
        allowImports: [...(t.allowImports ?? []), ...allow],
      })),
    };
  }
  return { targets: paths.map((p) => ({ path: p, debug, allowImports: allow })) };
}
