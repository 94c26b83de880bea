// The CosmWasm build (npm run build:cosmwasm, COSMWASM.md section 1) is reproducible: two
// checkouts built in two processes give byte-identical build/canary-cw.wasm, the script prints
// that SHA-256, and the module passes the CosmWasm checker.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCosmWasmModule } from "../../src/verify/cosmwasm.ts";
import { tsxArgs } from "../helpers/process.ts";
import { PROJECT_ROOT, projectCheckout } from "./helpers.ts";

const execFileAsync = promisify(execFile);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

/** A fresh checkout: assembly/ and asconfig.cosmwasm.json of the project, node_modules linked. */
const checkout = (name: string): Promise<string> => projectCheckout(name, "asconfig.cosmwasm.json", cleanups);

async function build(root: string): Promise<string> {
  const script = path.join(PROJECT_ROOT, "scripts/build-cosmwasm.ts");
  const { stdout } = await execFileAsync(process.execPath, [...tsxArgs(script), "--root", root, "--force"], { cwd: PROJECT_ROOT, maxBuffer: 1 << 24 });
  return stdout;
}

describe("reproducible CosmWasm build", () => {
  let outA: string;
  let outB: string;
  let dirA: string;
  let dirB: string;
  beforeAll(async () => {
    dirA = await checkout("cw-checkout-a");
    dirB = await checkout("cw-checkout-b");
    [outA, outB] = await Promise.all([build(dirA), build(dirB)]);
  }, 600_000);

  it("two checkouts, one hash; the script prints it and the checker passes", async () => {
    const a = new Uint8Array(await readFile(path.join(dirA, "build/canary-cw.wasm")));
    const b = new Uint8Array(await readFile(path.join(dirB, "build/canary-cw.wasm")));
    expect(sha256(b)).toBe(sha256(a));
    expect(outA).toContain(`sha256 ${sha256(a)}`);
    expect(outB).toContain(`sha256 ${sha256(a)}`);
    expect(outA).toContain("CosmWasm checks passed");
    expect(checkCosmWasmModule(a).problems).toEqual([]);
    expect(a.length).toBeLessThanOrEqual(40 * 1024);
  });
});
