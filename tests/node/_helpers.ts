// Shared helpers of the node tests: child nodes, raw HTTP, bounded waits, percentiles.
import { Buffer } from "node:buffer";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import type { NodeOptions } from "../../src/node/index.ts";

import { ROOT } from "../helpers/paths.ts";
import { poll, spawnTsx } from "../helpers/process.ts";
import { tempDirHandle } from "../helpers/temp.ts";

export { ROOT } from "../helpers/paths.ts";

export interface ChildNode {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Starts a node in a child process; resolves once it listens (bounded by timeoutMs). */
export function spawnNode(options: NodeOptions, timeoutMs = 30_000): Promise<ChildNode> {
  const { child, lines, stderr, exited } = spawnTsx(path.join(ROOT, "tests", "node", "_node_child.ts"), [JSON.stringify(options)]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`child node did not start in ${timeoutMs} ms: ${stderr()}`));
    }, timeoutMs);
    // After spawnTsx's own listener: the first complete line is the node's address.
    child.stdout!.on("data", () => {
      if (lines.length > 0) {
        clearTimeout(timer);
        resolve({ child, url: (JSON.parse(lines[0]!) as { url: string }).url, exited, stderr });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`child node exited (${code ?? signal}) before listening: ${stderr()}`));
    });
  });
}

export const tempDir = (): { dir: string; cleanup: () => void } => tempDirHandle("node");

/** POSTs a raw body; returns HTTP status and parsed JSON (or text). */
export async function rawPost(url: string, body: string | Uint8Array): Promise<{ status: number; json: any }> {
  const res = await fetch(url + "/", { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : Buffer.from(body), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** Polls `check` until it returns a value other than undefined (bounded). */
export const waitFor = <T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, pollMs = 20): Promise<T> => poll(what, check, timeoutMs, pollMs);

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
