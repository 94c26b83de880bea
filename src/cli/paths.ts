// Paths the CLI resolves independently of the working directory.

import path from "node:path";
import { PACKAGE_ROOT } from "../packageRoot.ts";

/** The package this CLI belongs to: the checkout, or node_modules/onchain-canary once installed. */
export const PROJECT_ROOT = PACKAGE_ROOT;

/** The release module `npm run build` writes. */
export const RELEASE_WASM = path.join(PROJECT_ROOT, "build", "canary.wasm");
/**
 * What the CLI runs by default: the release module with gas metering (docs/GAS.md). Same
 * state and results as the release module; it also reports gas and stops runaway code.
 */
export const DEFAULT_WASM = path.join(PROJECT_ROOT, "build", "canary.metered.wasm");

/** A path for messages: relative to `cwd` when that is shorter. */
export function shown(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith("..") && rel.length < file.length ? rel : file;
}
