// The imports a module may have besides the host functions of SPEC section 7
// (src/abi/methods.ts HOST_IMPORTS), by "module.name", with their signatures. The gate
// allows them only when asked (the debug and metered builds); the host provides them. Apart
// from gate.ts so the host reads the same list without loading binaryen.

import { GAS_IMPORT } from "../abi/methods.ts";

export const KNOWN_EXTRA_IMPORTS: Record<string, { params: string[]; results: string[] }> = {
  // AssemblyScript's abort(message, fileName, line, column) in builds without `--use abort=`.
  "env.abort": { params: ["i32", "i32", "i32", "i32"], results: [] },
  // The metered module's gas charge (src/gas/meter.ts), allowed only for that module.
  [`${GAS_IMPORT.module}.${GAS_IMPORT.base}`]: { params: ["i32"], results: [] },
};
