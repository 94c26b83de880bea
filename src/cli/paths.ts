// Paths the CLI resolves independently of the working directory.

import { existsSync } from "node:fs";
import path from "node:path";
import { COSMWASM_WASM, METERED_WASM, PACKAGE_ROOT, RELEASE_WASM } from "../packageRoot.ts";

/** The package this CLI belongs to: the checkout, or node_modules/onchain-canary once installed. */
export const PROJECT_ROOT = PACKAGE_ROOT;

export { COSMWASM_WASM, RELEASE_WASM };
/** What the CLI runs by default: the metered release module (src/packageRoot.ts). */
export const DEFAULT_WASM = METERED_WASM;

/** A path for messages: relative to `cwd` when that is shorter. */
export function shown(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith("..") && rel.length < file.length ? rel : file;
}

/** The scenarios the package ships (scenarios/*.yaml). */
export const SCENARIOS_DIR = path.join(PROJECT_ROOT, "scenarios");

/**
 * The scenario file `file` names: the file relative to `cwd` when it exists; otherwise, when
 * `file` names one of the scenarios the package ships — `scenarios/NAME.yaml`, `NAME.yaml` or
 * `NAME` — that one, so `canary replay scenarios/vita-recovery-rollout.yaml` also runs from an
 * application that installed the package. Anything else is returned as given (relative to
 * `cwd`) for the loader to report missing.
 */
export function scenarioFile(file: string, cwd: string): string {
  const asGiven = path.resolve(cwd, file);
  if (existsSync(asGiven) || path.isAbsolute(file)) return asGiven;
  const name = path.normalize(file).replace(/^scenarios[\\/]/, "");
  for (const candidate of [name, `${name}.yaml`]) {
    const bundled = path.resolve(SCENARIOS_DIR, candidate);
    const inside = path.relative(SCENARIOS_DIR, bundled);
    if (inside && !inside.startsWith("..") && existsSync(bundled)) return bundled;
  }
  return asGiven;
}
