// npm run build:cosmwasm: the CosmWasm module (COSMWASM.md section 1) from the same assembly/
// sources — entry assembly/entry/cosmwasm.ts, with assembly/host/env.cosmwasm.ts swapped in
// for assembly/host/env.ts at build time — into build/canary-cw.wasm; prints its size and
// SHA-256, then runs the CosmWasm checker (src/verify/cosmwasm.ts): exit 1 on a violation.
//
//   tsx scripts/build-cosmwasm.ts [--force] [--root DIR] [--no-check]

import path from "node:path";
import { fileURLToPath } from "node:url";
import { BuildError, COSMWASM_BUILD, buildModule } from "../src/verify/build.ts";

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
    if (err instanceof BuildError) {
      if (err.diagnostics) process.stderr.write(err.diagnostics);
      process.stderr.write(`build failed: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (out.diagnostics) process.stderr.write(out.diagnostics);
  const rel = path.relative(process.cwd(), out.outFile) || out.outFile;
  process.stdout.write(`cosmwasm ${rel}  ${out.size} bytes (${(out.size / 1024).toFixed(1)} KiB)  sha256 ${out.sha256}  (${out.cached ? "unchanged" : `${(out.ms / 1000).toFixed(2)} s`})\n`);
  if (!check) return 0;
  const { checkCosmWasm } = await import("../src/verify/cosmwasm.ts");
  const problems = await checkCosmWasm(out.bytes);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${rel}: ${p}\n`);
    return 1;
  }
  process.stdout.write(`cosmwasm ${rel}: CosmWasm checks passed\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
