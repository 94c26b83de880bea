// The policy lab: a scenario replayed N times with seeds derived from one base seed, on
// worker threads, summarized per traffic feature (README.md, "Rollback statistics, measured").

import type { Scenario } from "../replay/scenario.ts";
import { runPool } from "./pool.ts";
import { regressionStart, trafficFeatures } from "./run.ts";
import { labSeed } from "./seeds.ts";
import { summarize, type FeatureSummary } from "./summary.ts";

export interface LabOptions {
  wasm: Uint8Array;
  runs: number;
  /** Worker threads (the results do not depend on it). */
  jobs: number;
  /** Base seed; default: the scenario's. */
  seed?: number | string;
  onProgress?: (done: number, total: number) => void;
}

/** `canary lab --json`'s object (without `elapsedMs` it depends only on the scenario, the module, runs and seed). */
export interface LabResult {
  scenario: string;
  /** Base seed S; run i replayed with seed "S/lab/i". */
  seed: number | string;
  runs: number;
  features: FeatureSummary[];
}

/** A scenario the lab cannot measure (no traffic, N < 1): the message says why. */
export class LabRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LabRefusal";
  }
}

export async function runLab(scenario: Scenario, options: LabOptions): Promise<LabResult> {
  if (!Number.isSafeInteger(options.runs) || options.runs < 1) throw new LabRefusal(`the number of runs must be an integer ≥ 1, got ${options.runs}`);
  if (scenario.traffic.length === 0) throw new LabRefusal(`scenario ${scenario.name} has no traffic: the lab measures the rollbacks of traffic features (add a traffic entry, REPLAY.md)`);
  const base = options.seed ?? scenario.seed;
  const seeds = Array.from({ length: options.runs }, (_, i) => labSeed(base, i));
  const runs = await runPool(scenario, options.wasm, seeds, Math.max(1, options.jobs), options.onProgress);
  const from = new Map(trafficFeatures(scenario).map((f) => [f, regressionStart(scenario, f)]));
  return { scenario: scenario.name, seed: base, runs: options.runs, features: summarize(runs, from) };
}
