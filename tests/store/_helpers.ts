// Shared by the store tests: temporary directories, child processes, directory snapshots.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../helpers/paths.ts";
import { poll, spawnTsx, type TsxChild } from "../helpers/process.ts";
import { tempDir as tempDirTagged } from "../helpers/temp.ts";

export { ROOT } from "../helpers/paths.ts";

/** A fresh temporary directory, removed after the test file. */
export const tempDir = (tag = "store"): string => tempDirTagged(tag);

/** Every file under `dir` with the SHA-256 of its bytes (the exact state of a directory). */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = path.join(d, n);
      const r = rel ? `${rel}/${n}` : n;
      if (statSync(p).isDirectory()) walk(p, r);
      else out[r] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir, "");
  return out;
}

/** Spawns `node --import tsx tests/store/<script> args…`, collecting stdout lines. */
export function spawnChild(script: string, args: string[]): TsxChild {
  return spawnTsx(path.join(ROOT, "tests", "store", script), args);
}

/** Resolves once `pred(lines)` holds (polling), rejecting after `ms`. */
export async function waitFor(lines: string[], pred: (lines: string[]) => boolean, ms: number, what: string, stderr?: () => string): Promise<void> {
  await poll(what, () => (pred(lines) ? true : undefined), ms, 5, () => `stdout: ${lines.slice(-5).join(" | ")}; stderr: ${stderr?.() ?? ""}`);
}
