// A/B of two (host checkout, module) pairs in one process: alternating rounds, so both see
// the same machine load; prints min and median ns per call and new/old. The old checkout is
// any tree with this layout (e.g. `git worktree add --detach /tmp/old HEAD~1`, with
// node_modules linked in), the modules any two builds.
//
//   HA=/tmp/old WA=/tmp/old.wasm [HB=. WB=build/canary.wasm] [R=15] [ORDERS=2] [ROWS=isEnabled,recordSuccess,...] \
//     node --import tsx src/bench/ab.ts
//
// Rows: isEnabled, isEnabledRuntime, recordSuccess, recordError, step, listActive (SeedLikeBench).
//
// The pair loaded first runs measurably slower in the same process (up to ~10 %, found with an
// A/A run), so ORDERS=2 runs two processes, A loaded first and then B loaded first, and
// prints the geometric mean of their B/A ratios: A/A then stays within ~1.5 %.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { median } from "./stats.ts";

const env = process.env;
const A = { host: path.resolve(env.HA ?? "."), wasm: path.resolve(env.WA ?? "build/canary.wasm") };
const B = { host: path.resolve(env.HB ?? "."), wasm: path.resolve(env.WB ?? "build/canary.wasm") };
const rounds = Number(env.R ?? 15);
const rows = (env.ROWS ?? "isEnabled,isEnabledRuntime,recordSuccess").split(",");
const N: Record<string, number> = { isEnabled: 20000, isEnabledRuntime: 20000, recordSuccess: 10000, recordError: 1000, step: 10000, listActive: 50 };

type Bench = Record<string, (n: number) => number>;

async function load(v: { host: string; wasm: string }): Promise<Bench> {
  const m = (await import(path.join(v.host, "src/bench/ours.ts"))) as typeof import("./ours.ts");
  const b = new m.SeedLikeBench(new Uint8Array(readFileSync(v.wasm)));
  b.isEnabled(20000);
  b.recordSuccess(5000);
  b.step(5000);
  return b as unknown as Bench;
}

if (env.ORDERS === "2") {
  // Parent: one child per load order; each prints "row ratioMin ratioMed" lines (B/A).
  const run = (first: typeof A, second: typeof A, flip: boolean) =>
    execFileSync(process.execPath, ["--import", "tsx", new URL(import.meta.url).pathname], {
      env: { ...env, ORDERS: "", RATIOS: "1", HA: first.host, WA: first.wasm, HB: second.host, WB: second.wasm },
      encoding: "utf8",
    })
      .trim()
      .split("\n")
      .map((l) => l.split(" "))
      .map(([r, mn, md]) => ({ r: r!, min: flip ? 1 / Number(mn) : Number(mn), med: flip ? 1 / Number(md) : Number(md) }));
  const x = run(A, B, false);
  const y = run(B, A, true);
  for (let i = 0; i < x.length; i++) {
    const g = (p: number, q: number) => Math.sqrt(p * q).toFixed(3);
    console.log(`${x[i]!.r.padEnd(18)} B/A (both load orders, geometric mean) min ${g(x[i]!.min, y[i]!.min)} med ${g(x[i]!.med, y[i]!.med)}`);
  }
  process.exit(0);
}

const a = await load(A);
const b = await load(B);
const res: Record<string, { a: number[]; b: number[] }> = {};
for (const r of rows) res[r] = { a: [], b: [] };
for (let i = 0; i < rounds; i++) {
  for (const r of rows) {
    const run = (x: Bench) => x[r]!.call(x, N[r] ?? 10000);
    if (i % 2) {
      res[r]!.b.push(run(b));
      res[r]!.a.push(run(a));
    } else {
      res[r]!.a.push(run(a));
      res[r]!.b.push(run(b));
    }
  }
}
for (const r of rows) {
  const { a: xa, b: xb } = res[r]!;
  const [ma, mb, da, db] = [Math.min(...xa), Math.min(...xb), median(xa), median(xb)];
  if (env.RATIOS) {
    console.log(`${r} ${mb / ma} ${db / da}`);
    continue;
  }
  console.log(`${r.padEnd(18)} A min ${ma.toFixed(0).padStart(6)} med ${da.toFixed(0).padStart(6)} | B min ${mb.toFixed(0).padStart(6)} med ${db.toFixed(0).padStart(6)} | B/A min ${(mb / ma).toFixed(3)} med ${(db / da).toFixed(3)}`);
}
