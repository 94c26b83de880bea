// Child processes of the tests (TypeScript scripts run through tsx), bounded waits and free ports.

import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { ROOT } from "./paths.ts";

/** node's arguments that run the TypeScript `script` (a path) through tsx with `args`. */
export function tsxArgs(script: string, args: readonly string[] = []): string[] {
  return ["--import", "tsx", script, ...args];
}

export interface TsxChild {
  child: ChildProcess;
  /** Complete stdout lines so far. */
  lines: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `node --import tsx script args…` in the project root, collecting stdout lines and stderr. */
export function spawnTsx(script: string, args: readonly string[] = []): TsxChild {
  const child = spawn(process.execPath, tsxArgs(script, args), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
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

/**
 * Polls `check` every `pollMs` until it returns something other than undefined, and returns
 * that; after `timeoutMs` throws, naming `what` (and `detail()` when given).
 */
export async function poll<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, pollMs = 20, detail?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `; ${detail()}` : ""}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** A port on 127.0.0.1 nothing listens on (a listener opened on port 0, then closed). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
