// The import table: which imports a module may have (the gate's own list: SPEC section 7's
// HOST_IMPORTS and the known extras, host.gas and env.abort), and the functions the host
// gives it. Every import checks that a method is running, charges its fee on a metered
// module, bounds-checks every pointer, and throws a HostFault for any violation.

import { GAS_IMPORT, HOST_IMPORTS, KNOWN_EXTRA_IMPORTS, MAX_VALUE_BYTES } from "../abi/methods.ts";
import { FEES } from "../gas/fees.ts";
import { ACCOUNT_BYTES, charge, HostFault, inactive, type CallState } from "./call.ts";
import { eventImports } from "./events.ts";
import { Copier, KeyStrings, keyRange, range, readString, view } from "./memory.ts";
import { sameSig, sigToString, type WasmInfo } from "./wasmInfo.ts";

const GAS = `${GAS_IMPORT.module}.${GAS_IMPORT.base}`;

/**
 * Refuses a module with an import the host does not provide, or with another signature.
 * Returns whether it imports host.gas (a metered build).
 */
export function checkImports(info: WasmInfo): boolean {
  let metered = false;
  for (const imp of info.imports) {
    const where = `${imp.module}.${imp.name}`;
    if (imp.kind !== "func") throw new Error(`module imports ${imp.kind} ${where}: only the host functions of SPEC section 7 are provided`);
    const spec =
      imp.module === "host" && Object.hasOwn(HOST_IMPORTS, imp.name)
        ? HOST_IMPORTS[imp.name]!
        : Object.hasOwn(KNOWN_EXTRA_IMPORTS, where)
          ? KNOWN_EXTRA_IMPORTS[where]!
          : undefined;
    if (!spec) throw new Error(`module imports ${where}: not a host import of SPEC section 7`);
    if (!sameSig(imp.sig, spec.params, spec.results)) throw new Error(`module imports ${where} as ${sigToString(imp.sig)}, the host provides ${sigToString(spec)}`);
    if (where === GAS) metered = true;
  }
  return metered;
}

export function makeImports(cx: CallState): WebAssembly.Imports {
  const copier = new Copier();
  const keys = new KeyStrings();
  const host = {
    /** The metered module's instruction gas (src/gas/meter.ts). */
    gas(units: number): void {
      if (!cx.active) return; // _initialize and _reset run unlimited (they are not calls)
      charge(cx, units >>> 0);
    },
    ...callImports(cx, copier),
    ...storageImports(cx, copier, keys),
    ...eventImports(cx, copier, keys),
  };
  for (const name of Object.keys(HOST_IMPORTS)) if (!Object.hasOwn(host, name)) throw new Error(`the host has no implementation of host.${name}`);
  const env = {
    abort(msg: number, file: number, line: number, col: number): void {
      if (cx.memory === null) throw new HostFault(`abort during instantiation at ${line >>> 0}:${col >>> 0}`);
      const u8 = view(cx);
      throw new HostFault(`abort: ${readString(cx, u8, msg)} at ${readString(cx, u8, file)}:${line >>> 0}:${col >>> 0}`);
    },
  };
  return { host, env };
}

/** The call's input and output, and what it may ask of its context: height, caller, witnesses. */
function callImports(cx: CallState, copier: Copier) {
  return {
    input_len(): number {
      if (!cx.active) throw inactive("input_len");
      if (cx.metered) charge(cx, FEES.hostCall);
      return cx.args.length;
    },
    input_read(dst: number): void {
      if (!cx.active) throw inactive("input_read");
      if (cx.metered) charge(cx, FEES.hostCall + FEES.readByte * cx.args.length);
      const u8 = view(cx);
      range("input_read", "destination", dst, cx.args.length, u8.length);
      u8.set(cx.args, dst);
    },
    output_write(src: number, len: number): void {
      if (!cx.active) throw inactive("output_write");
      if (cx.metered) charge(cx, FEES.hostCall + FEES.outputByte * Math.max(len, 0));
      const u8 = view(cx);
      range("output_write", "source", src, len, u8.length);
      cx.output = copier.copy(cx.buffer!, u8, src, len);
    },
    block_height(): number {
      if (!cx.active) throw inactive("block_height");
      if (cx.metered) charge(cx, FEES.hostCall);
      return cx.ctx.height | 0;
    },
    caller(dst: number): void {
      if (!cx.active) throw inactive("caller");
      if (cx.metered) charge(cx, FEES.hostCall + FEES.readByte * ACCOUNT_BYTES);
      const u8 = view(cx);
      range("caller", "destination", dst, ACCOUNT_BYTES, u8.length);
      u8.set(cx.ctx.sender, dst);
    },
    check_witness(account: number): number {
      if (!cx.active) throw inactive("check_witness");
      if (cx.metered) charge(cx, FEES.hostCall);
      const u8 = view(cx);
      range("check_witness", "account", account, ACCOUNT_BYTES, u8.length);
      const ws = cx.ctx.witnesses;
      outer: for (let w = 0; w < ws.length; w++) {
        const a = ws[w]!;
        if (a.length !== ACCOUNT_BYTES) continue;
        for (let i = 0; i < ACCOUNT_BYTES; i++) if (a[i] !== u8[account + i]) continue outer;
        return 1;
      }
      return 0;
    },
  };
}

/** Storage: keys of 1..128 bytes, values of at most 65535, an ordered scan by prefix. */
function storageImports(cx: CallState, copier: Copier, keys: KeyStrings) {
  return {
    storage_read(key: number, keyLen: number, dst: number, cap: number): number {
      if (!cx.active) throw inactive("storage_read");
      if (cx.metered) charge(cx, FEES.hostCall + FEES.storageRead);
      const u8 = view(cx);
      const size = u8.length;
      keyRange("storage_read", "key", key, keyLen, size);
      range("storage_read", "destination", dst, cap, size);
      const v = cx.store.getBin(keys.get(cx.buf, u8, key, keyLen));
      if (v === undefined) return -1;
      const n = v.length;
      if (cx.metered) charge(cx, FEES.readByte * Math.min(n, cap));
      u8.set(n <= cap ? v : v.subarray(0, cap), dst);
      return n;
    },
    storage_write(key: number, keyLen: number, val: number, valLen: number): void {
      if (!cx.active) throw inactive("storage_write");
      if (cx.metered) charge(cx, FEES.hostCall + FEES.storageWrite + FEES.writeByte * (Math.max(keyLen, 0) + Math.max(valLen, 0)));
      const u8 = view(cx);
      const size = u8.length;
      keyRange("storage_write", "key", key, keyLen, size);
      if (keyLen === 0) throw new HostFault("storage_write: empty key (keys are 1..128 bytes)");
      range("storage_write", "value", val, valLen, size);
      if (valLen > MAX_VALUE_BYTES) throw new HostFault(`storage_write: value of ${valLen} bytes exceeds ${MAX_VALUE_BYTES}`);
      cx.store.putBin(keys.get(cx.buf, u8, key, keyLen), copier.copy(cx.buffer!, u8, val, valLen));
    },
    storage_delete(key: number, keyLen: number): void {
      if (!cx.active) throw inactive("storage_delete");
      if (cx.metered) charge(cx, FEES.hostCall + FEES.storageWrite + FEES.writeByte * Math.max(keyLen, 0));
      const u8 = view(cx);
      keyRange("storage_delete", "key", key, keyLen, u8.length);
      cx.store.deleteBin(keys.get(cx.buf, u8, key, keyLen));
    },
    storage_next(prefix: number, prefixLen: number, after: number, afterLen: number, dst: number, cap: number): number {
      if (!cx.active) throw inactive("storage_next");
      if (cx.metered) charge(cx, FEES.hostCall + FEES.storageRead);
      const u8 = view(cx);
      const size = u8.length;
      keyRange("storage_next", "prefix", prefix, prefixLen, size);
      keyRange("storage_next", "after", after, afterLen, size);
      range("storage_next", "destination", dst, cap, size);
      const buf = cx.buf;
      const r = cx.store.nextBin(keys.get(buf, u8, prefix, prefixLen), buf.latin1Slice(after, after + afterLen));
      if (r === undefined) return -1;
      const k = r[0];
      const n = k.length;
      if (cx.metered) charge(cx, FEES.readByte * Math.min(n, cap));
      buf.write(k, dst, n <= cap ? n : cap, "latin1");
      return n;
    },
  };
}
