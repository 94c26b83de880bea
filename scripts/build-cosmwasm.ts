// npm run build:cosmwasm: the CosmWasm module (COSMWASM.md section 1) from the same assembly/
// sources — entry assembly/entry/cosmwasm.ts, with assembly/host/env.cosmwasm.ts swapped in
// for assembly/host/env.ts at build time — into build/canary-cw.wasm; prints its size and
// SHA-256, then runs the CosmWasm checker (src/verify/cosmwasm.ts): exit 1 on a violation.
//
//   tsx scripts/build-cosmwasm.ts [--force] [--root DIR] [--no-check]

import path from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { reportBuildFailure, COSMWASM_BUILD, COSMWASM_OUT, buildModule } from "../src/verify/build.ts";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function main(argv: string[]): Promise<number> {
  let force = false;
  let check = true;
  let root = projectRoot;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--force") force = true;
    else if (a === "--no-check") check = false;
    else if (a === "--root" && argv[i + 1]) root = path.resolve(argv[++i]!);
    else {
      process.stderr.write("usage: tsx scripts/build-cosmwasm.ts [--force] [--root DIR] [--no-check]\n");
      return 2;
    }
  }
  let out;
  try {
    out = await buildModule({ root, ...COSMWASM_BUILD, substitute: { ...COSMWASM_BUILD.substitute }, cache: !force });
  } catch (err) {
    return reportBuildFailure(err);
  }
  if (out.diagnostics) process.stderr.write(out.diagnostics);
  // The compiler's module (build/canary-cw.raw.wasm) → the stub runtime's start function
  // folded into global initializers → build/canary-cw.wasm.
  const { checkCosmWasm, foldStartIntoGlobals } = await import("../src/verify/cosmwasm.ts");
  const bytes = await foldStartIntoGlobals(out.bytes);
  const file = path.resolve(root, COSMWASM_OUT);
  const sha = createHash("sha256").update(bytes).digest("hex");
  let same = false;
  try {
    same = createHash("sha256").update(await readFile(file)).digest("hex") === sha;
  } catch {
    same = false;
  }
  if (!same) await writeFile(file, bytes);
  const rel = path.relative(process.cwd(), file) || file;
  process.stdout.write(`cosmwasm ${rel}  ${bytes.length} bytes (${(bytes.length / 1024).toFixed(1)} KiB)  sha256 ${sha}  (${out.cached ? "unchanged" : `${(out.ms / 1000).toFixed(2)} s`})\n`);
  if (!check) return 0;
  const problems = await checkCosmWasm(bytes);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${rel}: ${p}\n`);
    return 1;
  }
  process.stdout.write(`cosmwasm ${rel}: CosmWasm checks passed\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
