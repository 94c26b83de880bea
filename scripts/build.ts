// npm run build: compiles the contract for every asconfig target (release, debug) through the
// AssemblyScript JS API and prints each module's path, size and SHA-256.
//
//   tsx scripts/build.ts [--force] [--verify] [--target NAME]... [--root DIR]
//
// --root    the checkout to build (default: this project)
// --force   ignore the build stamps and always compile
// --verify  run the module gate (SPEC section 8) on what was built; exit 1 on any problem
// Exit status: 0 ok, 1 a compile error (the compiler's diagnostics go to stderr) or a gate
// problem, 2 bad usage.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { reportBuildFailure, DEFAULT_TARGETS, buildModule } from "../src/verify/build.ts";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function main(argv: string[]): Promise<number> {
  let force = false;
  let verify = false;
  let root = projectRoot;
  const targets: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--force") force = true;
    else if (a === "--verify") verify = true;
    else if (a === "--target" && argv[i + 1]) targets.push(argv[++i]!);
    else if (a === "--root" && argv[i + 1]) root = path.resolve(argv[++i]!);
    else {
      process.stderr.write(`usage: tsx scripts/build.ts [--force] [--verify] [--target NAME]... [--root DIR]\n`);
      return 2;
    }
  }
  if (targets.length === 0) targets.push(...DEFAULT_TARGETS);

  const started = performance.now();
  const built = [];
  for (const target of targets) {
    try {
      const out = await buildModule({ root, target, cache: !force });
      if (out.diagnostics) process.stderr.write(out.diagnostics);
      const rel = path.relative(process.cwd(), out.outFile) || out.outFile;
      const how = out.cached ? "unchanged" : `${(out.ms / 1000).toFixed(2)} s`;
      process.stdout.write(`${target.padEnd(8)} ${rel}  ${out.size} bytes  sha256 ${out.sha256}  (${how})\n`);
      built.push({ target, path: out.outFile });
    } catch (err) {
      return reportBuildFailure(err);
    }
  }
  const release = built.find((b) => b.target === "release");
  if (release) {
    // The metered module (gas, docs/GAS.md) is derived from the release module.
    const { buildMetered } = await import("../src/gas/build.ts"); // loads binaryen: only when needed
    const out = await buildMetered(release.path, path.join(path.dirname(release.path), "canary.metered.wasm"), !force);
    const rel = path.relative(process.cwd(), out.outFile) || out.outFile;
    process.stdout.write(`metered  ${rel}  ${out.size} bytes  sha256 ${out.sha256}  (${out.cached ? "unchanged" : "metered"})\n`);
    built.push({ target: "metered", path: out.outFile });
  }
  process.stdout.write(`built ${built.length} module(s) in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);

  if (verify) {
    const { runVerify, METERED_ALLOWED_IMPORTS } = await import("../src/verify/cli.ts"); // loads binaryen: only when asked
    return runVerify(
      built.map((b) => ({
        path: path.relative(process.cwd(), b.path) || b.path,
        debug: b.target === "debug",
        allowImports: b.target === "metered" ? [...METERED_ALLOWED_IMPORTS] : undefined,
      })),
      { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) },
    );
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
