// Loading the contract module for a replay (or any throwaway chain of the CLI).

import { readFileSync } from "node:fs";
import { METHOD_NAMES } from "../abi/methods.ts";
import { Chain } from "../host/chain.ts";
import type { Store } from "../host/store.ts";

/** The module could not be read or loaded, or does not behave as the canary contract must: nothing ran. */
export class ModuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModuleError";
  }
}

/** The bytes of a module file; ModuleError when it cannot be read. */
export function readModule(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModuleError(`${file}: ${code === "ENOENT" ? "no such file" : (code ?? (e as Error).message)}`);
  }
}

/** A Chain over `wasm`, after checking that it exports every method of SPEC section 6. */
export function openChain(wasm: Uint8Array, store?: Store): Chain {
  let chain: Chain;
  try {
    chain = new Chain(wasm, store);
  } catch (e) {
    throw new ModuleError(`not a loadable contract module: ${(e as Error).message}`);
  }
  const missing = METHOD_NAMES.filter((m) => !chain.runtime.has(m));
  if (missing.length > 0) throw new ModuleError(`the module does not export ${missing.join(", ")} (SPEC section 6 methods, each () → i32)`);
  return chain;
}
