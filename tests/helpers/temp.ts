// Temporary directories for tests: `tempDir` is removed after the test file; the handles are
// removed by their own cleanup.

import { mkdtempSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory `canary-TAG-…` in the system's temp dir, removed after the test file. */
export function tempDir(tag = "tmp"): string {
  const d = mkdtempSync(path.join(tmpdir(), `canary-${tag}-`));
  made.push(d);
  return d;
}

/** A fresh directory and the function that removes it. */
export function tempDirHandle(tag = "tmp"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `canary-${tag}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The same, asynchronously. */
export async function tempDirAsync(tag = "tmp"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `canary-${tag}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
