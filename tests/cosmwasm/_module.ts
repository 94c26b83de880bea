// Test setup of the CosmWasm module tests (module*.test.ts): cw-simulate with the module
// built by `npm run build:cosmwasm`, and one patch:
//
// - BinaryKVIterStorage.scan starts from `dict.from(start)`, which in the Immutable SortedMap it
//   uses also yields a key that is a proper prefix of `start` (D0‖"f1"‖00 for a start of
//   D0‖"f1"‖00‖00): the patch drops every key below `start` from the iterator.
// - cosmwasm-vm-js's db_scan returns a Region holding the iterator id and its db_next takes a
//   Region pointer; CosmWasm 2.x's db_scan returns the id as a u32 and db_next takes it
//   (cosmwasm-std imports.rs). The patch gives both the real signatures.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CWSimulateApp } from "@oraichain/cw-simulate";
import { BinaryKVIterStorage, compare, VMInstance } from "@oraichain/cosmwasm-vm-js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const WASM_PATH = path.join(root, "build/canary-cw.wasm");

let patched = false;
export function patchVm(): void {
  if (patched) return;
  patched = true;
  const sp = BinaryKVIterStorage.prototype as unknown as {
    scan(s: Uint8Array | null, e: Uint8Array | null, o: number): Uint8Array;
    iterators: Map<number, { data: { key: Uint8Array }[]; position: number }>;
  };
  const scan = sp.scan;
  sp.scan = function (this: typeof sp, start, end, order) {
    const id = scan.call(this, start, end, order);
    if (start !== null && start.length > 0) {
      const it = this.iterators.get(Number(Buffer.from(id).readUIntBE(0, id.length)))!;
      it.data = it.data.filter((r) => compare(r.key, start) >= 0);
    }
    return id;
  };
  const proto = VMInstance.prototype as unknown as Record<string, unknown>;
  proto.db_scan = function (this: VMInstance, startPtr: number, endPtr: number, order: number): number {
    const start = this.region(startPtr);
    const end = this.region(endPtr);
    const storage = this.backend.storage as unknown as { scan(s: Uint8Array | null, e: Uint8Array | null, o: number): Uint8Array };
    const id = storage.scan(startPtr === 0 ? null : start.data, endPtr === 0 ? null : end.data, order);
    return Number(Buffer.from(id).readUIntBE(0, id.length));
  };
  proto.db_next = function (this: VMInstance, id: number): number {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(id);
    const region = this.allocate_bytes(new Uint8Array(bytes));
    return this.do_db_next(region).ptr;
  };
}

export const PREFIX = "wasm";

export interface Sim {
  app: CWSimulateApp;
  addr: string;
  codeId: number;
}

export function wasmBytes(): Uint8Array {
  return new Uint8Array(readFileSync(WASM_PATH));
}

export async function deploy(admin: string, msg: Record<string, unknown> = {}, metering = false): Promise<Sim> {
  patchVm();
  const app = new CWSimulateApp({ chainId: "test-1", bech32Prefix: PREFIX, metering, gasLimit: 100_000_000 } as never);
  const codeId = app.wasm.create(admin, wasmBytes());
  const res = await app.wasm.instantiateContract(admin, [], codeId, msg, "canary");
  if (res.err) throw new Error(String(res.val));
  const addr = (res.val as { events: { attributes: { key: string; value: string }[] }[] }).events[0]!.attributes.find((a) => a.key === "_contract_address")!.value;
  return { app, addr, codeId };
}
