// The lab's worker pool: N runs over J worker threads (node:worker_threads). Each worker
// loads the module and the scenario once; the main thread hands out run indexes one at a
// time (the next to whichever worker finishes first) and stores each outcome at its index,
// so the results do not depend on J or on scheduling.

import { Worker } from "node:worker_threads";
import type { Scenario } from "../replay/scenario.ts";
import type { FeatureRun } from "./run.ts";

export interface ToWorker {
  index: number;
  seed: string;
}

export type FromWorker =
  | { kind: "ready" }
  | { kind: "run"; index: number; runs: FeatureRun[] }
  | { kind: "error"; index: number; message: string; name: string };

/** A run failed inside a worker (the module refused, a bug): `message` says what. */
export class LabRunError extends Error {
  constructor(
    readonly index: number,
    readonly seed: string,
    readonly causeName: string,
    message: string,
  ) {
    super(message);
    this.name = "LabRunError";
  }
}

// A worker does not inherit the main thread's loader: from the TypeScript sources (this file
// is pool.ts) the entry is worker.mjs, which registers tsx first; compiled (pool.js, the
// installed package) it is worker.js itself.
const ENTRY = new URL(import.meta.url.endsWith(".ts") ? "./worker.mjs" : "./worker.js", import.meta.url);

/**
 * Replays `scenario` once per seed on `jobs` workers; resolves with the outcomes in seed
 * order. `onDone(done, total)` is called after every finished run.
 */
export function runPool(scenario: Scenario, wasm: Uint8Array, seeds: readonly string[], jobs: number, onDone?: (done: number, total: number) => void): Promise<FeatureRun[][]> {
  const total = seeds.length;
  const results: FeatureRun[][] = new Array(total);
  const count = Math.max(1, Math.min(jobs, total));
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let failed = false;
    const stopAll = () => {
      for (const w of workers) void w.terminate();
    };
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      stopAll();
      reject(e);
    };
    const feed = (w: Worker) => {
      if (next >= total) return;
      const index = next++;
      w.postMessage({ index, seed: seeds[index]! } satisfies ToWorker);
    };
    for (let j = 0; j < count; j++) {
      const w = new Worker(ENTRY, { workerData: { scenario, wasm } });
      workers.push(w);
      w.on("message", (m: FromWorker) => {
        if (failed) return;
        if (m.kind === "ready") return feed(w);
        if (m.kind === "error") return fail(new LabRunError(m.index, seeds[m.index]!, m.name, m.message));
        results[m.index] = m.runs;
        done++;
        onDone?.(done, total);
        if (done === total) {
          stopAll();
          resolve(results);
        } else feed(w);
      });
      w.on("error", (e) => fail(e));
      w.on("exit", (code) => {
        if (!failed && done < total) fail(new Error(`a lab worker exited (code ${code}) before the runs were done`));
      });
    }
  });
}
