// Shared by the replay and CLI tests: paths, the module, and running the real CLI.

import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../helpers/paths.ts";

export { ROOT, RELEASE_WASM as WASM, releaseWasm } from "../helpers/paths.ts";
export const SCENARIOS = path.join(ROOT, "scenarios");
export const FIXTURES = path.join(ROOT, "tests", "replay", "fixtures");

export const scenarioPath = (name: string) => path.join(SCENARIOS, name);
export const fixturePath = (name: string) => path.join(FIXTURES, name);

/** Every scenario file in scenarios/ (YAML or JSON). */
export function scenarioFiles(): string[] {
  return readdirSync(SCENARIOS)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith(".golden.json"))
    .sort();
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `canary …` as a child process through the real launcher, bin/canary.js. */
export function canary(args: string[], options: { cwd?: string; timeout?: number } = {}): Run {
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "canary.js"), ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: "utf8",
    timeout: options.timeout ?? 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
