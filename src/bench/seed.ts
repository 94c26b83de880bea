// The seed's side of the benchmark: builds it with the anchor's build.sh and parses
// `seedrun bench` (ns/op and storage ops/op of its main calls).

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export interface SeedRow {
  nsPerOp: number;
  reads: number;
  writes: number;
  seeks: number;
}

/** Our row names for the seed's benchmark lines. */
export const SEED_ROWS: Record<string, string> = {
  "IsEnabled (canary 5%)": "isEnabled",
  RecordSuccess: "recordSuccess",
  "RecordError (no rollback)": "recordError",
  "ProcessRolloutIncrement (1 feat)": "step",
  "GetActiveCanaries (101 features)": "listActive",
  CreateFeature: "createFeature",
};

export function buildSeed(root: string, out: string): void {
  const script = path.resolve(root, "../shared/anchors/seed-go/build.sh");
  if (!existsSync(script)) throw new Error(`seed build script not found: ${script}`);
  execFileSync("bash", [script, out], { stdio: ["ignore", "ignore", "inherit"] });
}

export function parseSeedBench(text: string): Record<string, SeedRow> {
  const rows: Record<string, SeedRow> = {};
  const re = /^(.*?)\s+([\d.]+) ns\/op\s+reads\/op ([\d.]+) writes\/op ([\d.]+) seeks\/op ([\d.]+)/;
  for (const line of text.split("\n")) {
    const m = re.exec(line);
    if (!m) continue;
    const key = SEED_ROWS[m[1]!.trim()];
    if (!key) continue;
    rows[key] = { nsPerOp: Number(m[2]), reads: Number(m[3]), writes: Number(m[4]), seeks: Number(m[5]) };
  }
  for (const k of Object.values(SEED_ROWS)) if (!rows[k]) throw new Error(`seedrun bench: no line for ${k}:\n${text}`);
  return rows;
}

export function runSeedBench(binary: string): Record<string, SeedRow> {
  return parseSeedBench(execFileSync(binary, ["bench"], { encoding: "utf8", maxBuffer: 1 << 20 }));
}
