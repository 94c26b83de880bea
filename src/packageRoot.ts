// Where the package's own files are (build/*.wasm, scenarios/, package.json), from any module:
// the checkout runs src/**/*.ts (tsx, vitest), the installed package runs
// dist/src/**/*.js, so a fixed "../.." from a module's own URL is right in one of them only.
// Walking up to the package.json named onchain-canary is right in both.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_NAME = "onchain-canary";

export interface PackageJson {
  name: string;
  version: string;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function findPackageRoot(from: string): { root: string; json: PackageJson } {
  for (let dir = from; ; ) {
    try {
      const json = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as PackageJson;
      if (json.name === PACKAGE_NAME) return { root: dir, json };
    } catch {
      // no package.json here (or not JSON): keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json named ${PACKAGE_NAME} above ${from}: this module was moved out of its package`);
    dir = parent;
  }
}

const found = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** The package's root directory (the checkout, or node_modules/onchain-canary once installed). */
export const PACKAGE_ROOT: string = found.root;

/** The package's own package.json. */
export const PACKAGE_JSON: Readonly<PackageJson> = found.json;

/** A path inside the package, e.g. `packagePath("build", "canary.wasm")`. */
export function packagePath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}

/** The release module `npm run build` writes and the package ships (unmetered). */
export const RELEASE_WASM = packagePath("build", "canary.wasm");
/**
 * The release module with gas metering (docs/GAS.md): same state and results, and it also
 * reports gas and stops runaway code. What the CLI and the devnet node run by default.
 */
export const METERED_WASM = packagePath("build", "canary.metered.wasm");
/** The debug build (env.abort allowed; `canary verify` checks it with the others). */
export const DEBUG_WASM = packagePath("build", "canary.debug.wasm");
/** The CosmWasm module `npm run build:cosmwasm` writes (docs/COSMWASM-MODULE.md). */
export const COSMWASM_WASM = packagePath("build", "canary-cw.wasm");
