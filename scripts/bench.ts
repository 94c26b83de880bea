// npm run bench: our contract and host side by side with the seed (issue 5).
//
// Builds the seed with ../shared/anchors/seed-go/build.sh into bench/seedrun, then runs
// ROUNDS rounds, each one `seedrun bench` followed by the same workloads on ours, and takes
// medians per row: both sides see the same machine load within a round. Prints a table and
// writes bench/results.json. Timings are never asserted anywhere.
//
//   BENCH_QUICK=1   few iterations, one round (checks the plumbing, numbers meaningless)
//   BENCH_ROUNDS=n  rounds (default 5)
//   BENCH_OUT=file  where to write the JSON (default bench/results.json)
//   BENCH_NO_SEED=1 skip the seed (its columns are null)

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { invocationOverhead, moduleAlone, OnPersistBench, rssGrowth, SeedLikeBench } from "../src/bench/ours.ts";
import { buildSeed, runSeedBench, type SeedRow } from "../src/bench/seed.ts";
import { EXTRA_ROWS, ROWS, type ExtraRow, type MeteredRoundResult, type RoundResult, type Row } from "../src/bench/round.ts";
import { median, spread } from "../src/bench/stats.ts";
import { formatCosmWasm, measureCosmWasm } from "../src/bench/cosmwasm.ts";
import type { SdkRoundResult } from "../src/bench/sdk.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const quick = process.env.BENCH_QUICK === "1";
const rounds = quick ? 1 : Number(process.env.BENCH_ROUNDS ?? 5);
const outFile = path.resolve(root, process.env.BENCH_OUT ?? "bench/results.json");
const noSeed = process.env.BENCH_NO_SEED === "1";
const log = (s: string) => process.stderr.write(s + "\n");

// Iterations per round (the seed does 10^6 / 10^3 / 10^4 / 10^5 per row, once).
const N = quick
  ? { sdk: 2000, isEnabled: 500, recordSuccess: 300, recordError: 100, step: 300, createFeature: 200, listActive: 5, onPersist: 5, overhead: 500, rss: 2000 }
  : { sdk: 200_000, isEnabled: 100_000, recordSuccess: 40_000, recordError: 1000, step: 50_000, createFeature: 5000, listActive: 300, onPersist: 300, overhead: 100_000, rss: 1_000_000 };
const SCALE = quick ? [10, 100] : [10, 1000, 10_000];

function main(): void {
  execFileSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "scripts/build.ts")], { stdio: ["ignore", "ignore", "inherit"] });
  const wasmPath = path.join(root, "build/canary.wasm");
  const wasm = new Uint8Array(readFileSync(wasmPath));
  mkdirSync(path.dirname(outFile), { recursive: true });

  const seedBin = path.join(root, "bench/seedrun");
  let seedOk = !noSeed;
  if (seedOk) {
    try {
      log("building the seed…");
      buildSeed(root, seedBin);
    } catch (e) {
      log(`seed build failed, seed columns will be empty: ${(e as Error).message}`);
      seedOk = false;
    }
  }

  const rows = ROWS;
  const ours: Record<Row, number[]> = { isEnabled: [], recordSuccess: [], recordError: [], step: [], createFeature: [], listActive: [] };
  const seed: Record<Row, number[]> = { isEnabled: [], recordSuccess: [], recordError: [], step: [], createFeature: [], listActive: [] };
  const isEnabledRuntime: number[] = [];
  const extra: Record<ExtraRow, number[]> = { recordBatch: [], recordCohorts: [] };
  // The metered module (docs/GAS.md) on the same workload, in a process of its own each round.
  const meteredPath = path.join(root, "build/canary.metered.wasm");
  const meteredWasm = new Uint8Array(readFileSync(meteredPath));
  const metered = { isEnabled: [] as number[], recordSuccess: [] as number[] };
  let seedOps: Record<string, SeedRow> | null = null;
  const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");
  const roundScript = path.join(root, "src/bench/round.ts");
  // The SDK (issue #18): provider, OpenFeature client and reporter, in a process of its own.
  const sdkScript = path.join(root, "src/bench/sdk.ts");
  const sdk: SdkRoundResult[] = [];

  for (let r = 0; r < rounds; r++) {
    log(`round ${r + 1}/${rounds}`);
    if (seedOk) {
      const s = runSeedBench(seedBin);
      seedOps = s;
      for (const k of rows) seed[k].push(s[k]!.nsPerOp);
    }
    // Ours in a fresh process per round, as the seed's, and the metered module in another
    // (src/bench/round.ts).
    const run = (...args: string[]) => execFileSync(process.execPath, [tsx, roundScript, JSON.stringify(N), ...args], { encoding: "utf8", maxBuffer: 1 << 20 });
    const o = JSON.parse(run(wasmPath)) as RoundResult;
    for (const k of rows) ours[k].push(o[k]);
    for (const k of EXTRA_ROWS) extra[k].push(o[k]);
    isEnabledRuntime.push(o.isEnabledRuntime);
    const m = JSON.parse(run(meteredPath, "metered")) as MeteredRoundResult;
    metered.isEnabled.push(m.isEnabled);
    metered.recordSuccess.push(m.recordSuccess);
    sdk.push(JSON.parse(execFileSync(process.execPath, [tsx, sdkScript, JSON.stringify(N)], { encoding: "utf8", maxBuffer: 1 << 20 })) as SdkRoundResult);
  }

  log("storage calls per invocation…");
  const b = new SeedLikeBench(wasm);
  const ops = b.storageOps();

  log("onPersist at scale…");
  const onPersist: Record<string, number[]> = {};
  const persistBenches = SCALE.map((n) => ({ n, bench: new OnPersistBench(wasm, n, 10) }));
  for (let r = 0; r < rounds; r++) for (const { n, bench } of persistBenches) (onPersist[n] ??= []).push(bench.measure(N.onPersist));

  log("invocation overhead…");
  const overhead = invocationOverhead(wasm, N.overhead);

  log("the module alone…");
  // The contract on a host that does nothing, and the metered module the same way,
  // interleaved: the module's own cost of metering, without the host's (which moves with the
  // machine's load far more than this).
  const aloneAgain: { isEnabledNs: number; recordSuccessNs: number }[] = [];
  const aloneMetered: { isEnabledNs: number; recordSuccessNs: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    aloneAgain.push(moduleAlone(wasm, N.overhead));
    aloneMetered.push(moduleAlone(meteredWasm, N.overhead, wasm));
  }
  const alone = {
    isEnabledNs: median(aloneAgain.map((r) => r.isEnabledNs)),
    recordSuccessNs: median(aloneAgain.map((r) => r.recordSuccessNs)),
  };
  const aloneRatio = (k: "isEnabledNs" | "recordSuccessNs") => median(aloneMetered.map((x) => x[k])) / median(aloneAgain.map((x) => x[k]));

  log("replay…");
  const replayRow = runReplay(wasm);

  log(`resident memory across ${N.rss} invocations…`);
  const rss = rssGrowth(wasm, N.rss);

  const med = (xs: number[]) => (xs.length ? median(xs) : null);
  const ratio = (a: number | null, s: number | null) => (a !== null && s !== null && s > 0 ? a / s : null);
  const perCall: Record<string, unknown> = {};
  const ratios: Record<string, number | null> = {};
  for (const k of rows) {
    const o = med(ours[k]);
    const s = med(seed[k]);
    const oMin = ours[k].length ? Math.min(...ours[k]) : null;
    const sMin = seed[k].length ? Math.min(...seed[k]) : null;
    perCall[k] = { oursNs: o, seedNs: s, ratio: ratio(o, s), oursMinNs: oMin, seedMinNs: sMin, ratioOfMins: ratio(oMin, sMin), oursSpread: spread(ours[k]), seedSpread: seed[k].length ? spread(seed[k]) : null, oursRounds: ours[k], seedRounds: seed[k] };
    if (k !== "listActive") ratios[k] = ratio(o, s);
  }
  // Revision 2: recordCohorts (Comparative) beside recordBatch (Sequential), ours only.
  const cohortsRow = {
    recordBatchNs: median(extra.recordBatch),
    recordCohortsNs: median(extra.recordCohorts),
    // Each round measures both under the same load: the median of the per-round ratios.
    ratio: median(extra.recordCohorts.map((c, i) => c / extra.recordBatch[i]!)),
    perRoundRatios: extra.recordCohorts.map((c, i) => c / extra.recordBatch[i]!),
    target: 1.3,
    rounds: extra,
  };
  const persistMed: Record<string, number> = {};
  for (const n of SCALE) persistMed[n] = median(onPersist[n]!);
  const lo = persistMed[SCALE[0]!]!;
  const hi = persistMed[SCALE[SCALE.length - 1]!]!;
  ratios.onPersistScale = hi / lo;
  ratios.listActive = ratio(med(ours.listActive), med(seed.listActive));

  // A call the seed has no counterpart of (recordBatch, recordCohorts) has no seed column.
  const seedOpsOf = (k: string): number | null => {
    const s = seedOps?.[k];
    return s ? s.reads + s.writes : null;
  };
  const storageOps: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ops)) {
    storageOps[k] = { ours: v.ours, seed: seedOpsOf(k), oursReads: v.reads, oursWrites: v.writes, seedReads: seedOps?.[k]?.reads ?? null, seedWrites: seedOps?.[k]?.writes ?? null };
  }

  const gas = {
    meteredIsEnabledNs: median(metered.isEnabled),
    meteredRecordSuccessNs: median(metered.recordSuccess),
    meteredRounds: metered,
    meteredOverUnmetered: {
      isEnabled: median(metered.isEnabled) / median(ours.isEnabled),
      recordSuccess: median(metered.recordSuccess) / median(ours.recordSuccess),
    },
    meteredWasmBytes: meteredWasm.length,
    moduleAloneMeteredOverUnmetered: { isEnabled: aloneRatio("isEnabledNs"), recordSuccess: aloneRatio("recordSuccessNs") },
  };
  // The SDK beside the seed's IsEnabled (its in-process contract call), round by round.
  const seedIsEnabled = med(seed.isEnabled);
  const sdkRow = (k: keyof SdkRoundResult) => {
    const ns = median(sdk.map((x) => x[k]));
    return { ns, overSeedIsEnabled: ratio(ns, seedIsEnabled), rounds: sdk.map((x) => x[k]) };
  };
  const sdkResults = {
    evaluate: sdkRow("evaluateNs"),
    resolve: { ...sdkRow("resolveNs"), target: 1.0 },
    client: { ...sdkRow("clientNs"), target: 5.0 },
    clientInMemoryProvider: sdkRow("inMemoryClientNs"),
    reporter: { ...sdkRow("reporterNs"), targetNs: 200 },
  };
  const results = {
    ratios,
    sdk: sdkResults,
    cohorts: cohortsRow,
    gas,
    storageOps,
    wasmBytes: wasm.length,
    rssGrowthMiB: rss.growthMiB,
    perCall,
    isEnabledRuntimeNs: median(isEnabledRuntime),
    onPersistNs: persistMed,
    onPersistDue: 10,
    invocationOverhead: overhead,
    moduleAlone: {
      ...alone,
      isEnabledOverSeed: ratio(alone.isEnabledNs, med(seed.isEnabled)),
      recordSuccessOverSeed: ratio(alone.recordSuccessNs, med(seed.recordSuccess)),
    },
    replay: replayRow,
    rss,
    meta: {
      quick,
      rounds,
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      loadAvg: os.loadavg(),
      iterations: N,
      notes: [
        "ratio = our median ns per call / the seed's median ns per call, both measured in every round; ratioOfMins = the same with each side's fastest round",
        "ours: Chain.view for isEnabled and listActive, Chain.transact inside an open block for the others, pre-encoded Borsh args; each round in a fresh process (src/bench/round.ts) right after the seed's",
        "step: processRollout on a RollingOut feature whose step is not due (the seed's ProcessRolloutIncrement mostly returns early too)",
        "listActive: listFeatures(activeOnly) in two pages (100 + 1) vs the seed's GetActiveCanaries over 101 canaries",
        "storageOps: host storage calls per invocation (reads + writes/deletes) on a counting store; the seed's from its dao counters",
        "onPersistScale = onPersist time with the largest feature count / with 10 features, 10 due each time",
        "moduleAlone: the contract on one instance whose imports serve two constant records and drop writes (no Chain, no store, no copies), _reset included; over the seed's median",
        "createFeature runs on a chain of its own, so the features it creates do not grow the state the other rows run on",
        "sdk: src/bench/sdk.ts, one process per round after the seed's: a devnet node in the process, one feature in Canary at 5 % (the seed's IsEnabled row), 1,024 accounts in turn; evaluate = provider.evaluate (synchronous), resolve = awaited provider.resolveBooleanEvaluation, client = awaited OpenFeature client getBooleanValue, clientInMemoryProvider = the same client over the SDK's own InMemoryProvider (the SDK's cost alone), reporter = reporter.success; ratios over the seed's median IsEnabled",
        "recordBatch (99 successes, 1 error; a Sequential feature) and recordCohorts (99/1 canary, 1881/19 baseline; a Comparative feature) run on a chain of their own, in 8 interleaved chunks of the recordSuccess count; cohorts.ratio = the median over rounds of recordCohorts / recordBatch, target ≤ 1.3",
      ],
    },
  };
  writeFileSync(outFile, JSON.stringify(results, null, 2) + "\n");
  printTable(results);
  log(`wrote ${path.relative(process.cwd(), outFile)}`);
}

function runReplay(wasm: Uint8Array): unknown {
  const file = path.join(root, "scenarios/vita-recovery-rollout.yaml");
  try {
    // The replay library is being written alongside; measure it when it is there.
    const { replay } = require_("../src/replay/replay.ts") as typeof import("../src/replay/replay.ts");
    const { loadScenario } = require_("../src/replay/scenario.ts") as typeof import("../src/replay/scenario.ts");
    const scn = loadScenario(file);
    const runs: { blocksPerSecond: number; callsPerSecond: number; blocks: number; trafficCalls: number; ms: number }[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) runs.push(replay(scn, { wasm, blocks: "none" }).timing);
    return {
      scenario: path.relative(root, file),
      blocks: runs[0]!.blocks,
      trafficCalls: runs[0]!.trafficCalls,
      blocksPerSecond: median(runs.map((r) => r.blocksPerSecond)),
      callsPerSecond: median(runs.map((r) => r.callsPerSecond)),
      ms: median(runs.map((r) => r.ms)),
    };
  } catch (e) {
    return { skipped: `replay not measured: ${(e as Error).message.split("\n")[0]}` };
  }
}

// tsx compiles this file to ESM; the replay modules are loaded lazily so that a missing or
// half-written src/replay/ only skips its row.
import { createRequire } from "node:module";
const require_ = createRequire(import.meta.url);

function fmtNs(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return "—";
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e4) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns.toFixed(0)} ns`;
}
const fmtX = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "—" : `${x.toFixed(2)}×`);

function printTable(r: any): void {
  const lines: string[] = [];
  const pad = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(16) : c.padStart(12))).join(" ");
  lines.push(pad(["per call", "ours", "seed", "ours/seed", "min o/s", "spread o/s", "ops ours", "ops seed"]));
  for (const k of ["isEnabled", "recordSuccess", "recordError", "step", "createFeature", "listActive"]) {
    const p = r.perCall[k];
    const so = r.storageOps[k];
    const sp = `${(p.oursSpread * 100).toFixed(0)}%/${p.seedSpread === null ? "—" : (p.seedSpread * 100).toFixed(0) + "%"}`;
    lines.push(pad([k, fmtNs(p.oursNs), fmtNs(p.seedNs), fmtX(p.ratio), fmtX(p.ratioOfMins), sp, so ? so.ours.toFixed(2) : "—", so && so.seed !== null ? so.seed.toFixed(2) : "—"]));
  }
  for (const k of ["recordBatch", "recordCohorts"]) {
    const so = r.storageOps[k];
    lines.push(pad([k, fmtNs(r.cohorts[`${k}Ns`]), "—", "—", "—", "—", so ? so.ours.toFixed(2) : "—", "—"]));
  }
  lines.push("");
  lines.push(`recordCohorts (Comparative) / recordBatch (Sequential), median of the rounds' ratios: ${fmtX(r.cohorts.ratio)} (target ≤ ${r.cohorts.target}×; per round ${r.cohorts.perRoundRatios.map((x: number) => x.toFixed(2)).join(", ")})`);
  const sd = r.sdk;
  lines.push(`SDK (vs the seed's IsEnabled ${fmtNs(r.perCall.isEnabled.seedNs)}): provider.evaluate ${fmtNs(sd.evaluate.ns)} (${fmtX(sd.evaluate.overSeedIsEnabled)}), provider resolve ${fmtNs(sd.resolve.ns)} (${fmtX(sd.resolve.overSeedIsEnabled)}, goal ≤ 1.0×), OpenFeature client ${fmtNs(sd.client.ns)} (${fmtX(sd.client.overSeedIsEnabled)}, goal ≤ 5×; the same client over the SDK's own InMemoryProvider ${fmtNs(sd.clientInMemoryProvider.ns)}), reporter per outcome ${fmtNs(sd.reporter.ns)} (goal ≤ 200 ns)`);
  lines.push(`isEnabled on the bare runtime (no Chain): ${fmtNs(r.isEnabledRuntimeNs)}`);
  lines.push(`onPersist, 10 due: ${Object.entries(r.onPersistNs).map(([n, ns]) => `${n} features ${fmtNs(ns as number)}`).join(", ")}; scale ${r.ratios.onPersistScale.toFixed(2)}`);
  lines.push(`invocation overhead (getGlobal): reused instance ${fmtNs(r.invocationOverhead.reusedNs)}, fresh instance ${fmtNs(r.invocationOverhead.freshNs)}`);
  const a = r.moduleAlone;
  lines.push(`the module alone (a host that does nothing): isEnabled ${fmtNs(a.isEnabledNs)} (${fmtX(a.isEnabledOverSeed)} the seed), recordSuccess ${fmtNs(a.recordSuccessNs)} (${fmtX(a.recordSuccessOverSeed)})`);
  if (r.replay.skipped) lines.push(r.replay.skipped);
  else lines.push(`replay ${r.replay.scenario}: ${r.replay.blocks} blocks, ${r.replay.trafficCalls} traffic calls, ${r.replay.blocksPerSecond.toFixed(0)} blocks/s, ${r.replay.callsPerSecond.toFixed(0)} calls/s`);
  lines.push(`release module: ${r.wasmBytes} bytes (${(r.wasmBytes / 1024).toFixed(2)} KiB)`);
  lines.push(`metered module (${r.gas.meteredWasmBytes} bytes): isEnabled ${fmtNs(r.gas.meteredIsEnabledNs)} (${fmtX(r.gas.meteredOverUnmetered.isEnabled)} unmetered), recordSuccess ${fmtNs(r.gas.meteredRecordSuccessNs)} (${fmtX(r.gas.meteredOverUnmetered.recordSuccess)}); the module alone ${fmtX(r.gas.moduleAloneMeteredOverUnmetered.isEnabled)} / ${fmtX(r.gas.moduleAloneMeteredOverUnmetered.recordSuccess)}`);
  lines.push(`RSS across ${r.rss.invocations} invocations: ${r.rss.startMiB.toFixed(1)} → ${r.rss.endMiB.toFixed(1)} MiB (growth ${r.rssGrowthMiB.toFixed(1)} MiB)`);
  lines.push(`load average ${r.meta.loadAvg.map((x: number) => x.toFixed(2)).join(" ")} on ${r.meta.cpus} CPUs; ${r.meta.rounds} round(s)`);
  process.stdout.write(lines.join("\n") + "\n");
}

main();
await cosmwasmSection();

/**
 * The CosmWasm module (issue #16): its size and cw-simulate's approximate gas per call
 * (src/bench/cosmwasm.ts), printed after the table and added to the results file as
 * `cosmwasm`. Skipped, saying so, when build/canary-cw.wasm is missing.
 */
async function cosmwasmSection(): Promise<void> {
  const cwPath = path.join(root, "build/canary-cw.wasm");
  let cw: Uint8Array;
  try {
    cw = new Uint8Array(readFileSync(cwPath));
  } catch {
    log("no build/canary-cw.wasm (npm run build:cosmwasm): the CosmWasm section is skipped");
    return;
  }
  log("the CosmWasm module under cw-simulate…");
  const b = await measureCosmWasm(cw, quick ? 3 : 20);
  const results = JSON.parse(readFileSync(outFile, "utf8")) as Record<string, unknown>;
  results.cosmwasm = { ...b, notes: ["gas: cw-simulate's metering (chain gas units, approximate; not wasmd's)", "onPersist10: the sudo clock_end_block with 10 features due, each stepping"] };
  writeFileSync(outFile, JSON.stringify(results, null, 2) + "\n");
  process.stdout.write(formatCosmWasm(b));
}
