// Where things are, once for every test: the project root, the built modules (`npm run
// build`, which `npm test` runs first) and their bytes, read once per process.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (no trailing separator). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const RELEASE_WASM = path.join(ROOT, "build", "canary.wasm");
export const DEBUG_WASM = path.join(ROOT, "build", "canary.debug.wasm");
export const METERED_WASM = path.join(ROOT, "build", "canary.metered.wasm");
export const RELEASE_WAT = path.join(ROOT, "build", "canary.wat");

const cache = new Map<string, Uint8Array>();
function bytesOf(file: string): Uint8Array {
  let b = cache.get(file);
  if (!b) cache.set(file, (b = new Uint8Array(readFileSync(file))));
  return b;
}

/** build/canary.wasm, the release module. */
export function releaseWasm(): Uint8Array {
  return bytesOf(RELEASE_WASM);
}

/** build/canary.metered.wasm: the release module with gas metering (docs/GAS.md). */
export function meteredWasm(): Uint8Array {
  return bytesOf(METERED_WASM);
}
