// Every method of SPEC section 6 (declared in definition.ts): the exports the module gate
// requires and the names the client and replay call. `view` methods never write (the host
// runs them read-only). Also the host imports of SPEC section 7 and their limits.

import { METHOD_DEFS } from "./definition.ts";

export const METHODS = Object.fromEntries(
  Object.entries(METHOD_DEFS).map(([name, def]) => [name, { view: def.access === "view" }]),
) as { readonly [M in keyof typeof METHOD_DEFS]: { readonly view: (typeof METHOD_DEFS)[M]["access"] extends "view" ? true : false } };

export type MethodName = keyof typeof METHOD_DEFS;
export const METHOD_NAMES = Object.keys(METHOD_DEFS) as MethodName[];

/** Optional exports SPEC section 8 allows besides `memory` and the methods. */
export const OPTIONAL_EXPORTS = ["_initialize", "_reset"] as const;

/** The host imports of SPEC section 7 (module `host`) with their signatures. */
export const HOST_IMPORTS: Record<string, { params: ("i32")[]; results: ("i32")[] }> = {
  input_len: { params: [], results: ["i32"] },
  input_read: { params: ["i32"], results: [] },
  output_write: { params: ["i32", "i32"], results: [] },
  storage_read: { params: ["i32", "i32", "i32", "i32"], results: ["i32"] },
  storage_write: { params: ["i32", "i32", "i32", "i32"], results: [] },
  storage_delete: { params: ["i32", "i32"], results: [] },
  storage_next: { params: ["i32", "i32", "i32", "i32", "i32", "i32"], results: ["i32"] },
  block_height: { params: [], results: ["i32"] },
  caller: { params: ["i32"], results: [] },
  check_witness: { params: ["i32"], results: ["i32"] },
  emit: { params: ["i32", "i32", "i32", "i32"], results: [] },
  log: { params: ["i32", "i32"], results: [] },
};

/** The one import a metered module adds (src/gas/meter.ts, docs/GAS.md): `gas(units: i32)`. */
export const GAS_IMPORT = { module: "host", base: "gas" } as const;

/**
 * The imports a module may have besides HOST_IMPORTS, by "module.name", with their signatures.
 * The gate allows them only when asked (the debug and metered builds); the host provides them.
 */
export const KNOWN_EXTRA_IMPORTS: Record<string, { params: string[]; results: string[] }> = {
  // AssemblyScript's abort(message, fileName, line, column) in builds without `--use abort=`.
  "env.abort": { params: ["i32", "i32", "i32", "i32"], results: [] },
  // The metered module's gas charge (src/gas/meter.ts), allowed only for that module.
  [`${GAS_IMPORT.module}.${GAS_IMPORT.base}`]: { params: ["i32"], results: [] },
};

/** Limits the host enforces on every storage call (SPEC section 7). */
export const MAX_KEY_BYTES = 128;
export const MAX_VALUE_BYTES = 65535;
