// Shared by the store tests: temporary directories, child processes, directory snapshots.

import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../helpers/paths.ts";
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
export function spawnChild(script: string, args: string[]): { child: ChildProcess; lines: string[]; stderr: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "tests", "store", script), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let buf = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    buf += d;
    const parts = buf.split("\n");
    buf = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, lines, stderr: () => err, exited };
}

/** Resolves once `pred(lines)` holds (polling), rejecting after `ms`. */
export async function waitFor(lines: string[], pred: (lines: string[]) => boolean, ms: number, what: string, stderr?: () => string): Promise<void> {
  const until = Date.now() + ms;
  while (!pred(lines)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; stdout: ${lines.slice(-5).join(" | ")}; stderr: ${stderr?.() ?? ""}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
