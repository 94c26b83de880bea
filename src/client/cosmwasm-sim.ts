// The CosmWasm transport over cw-simulate (`@oraichain/cw-simulate`, a devDependency and an
// optional peer dependency: imported lazily, only by `canary replay --target cosmwasm`, the
// tests and the bench; missing, it is a MissingDependencyError that says how to install it).
//
// cw-simulate's executeContract/instantiateContract are async and open a new block per call
// (height + 1, time = now). The replay runs block by block at the scenario's heights, so this
// adapter drives the contract instance directly, synchronously, at the height it is told:
// once the module is loaded (SimConnection.open), instantiate/execute/sudo/query answer at
// once. What a chain does around a message and cw-simulate's Contract does not, it does here:
// a failed message's writes are discarded (the VM's storage is put back as it was: the
// Contract keeps them otherwise), the response's custom events get the `wasm-` prefix and its
// attributes a `wasm` event, and the gas is the Environment's counter difference (metering on:
// cw-simulate's approximate gas, docs/COSMWASM.md).

import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { importOptional } from "../optionalDependencies.ts";
import { RECORDS } from "../abi/definition.ts";
import { bytesToHex, hexToBytes } from "./codec.ts";
import { bech32Codec, type Coin, type CwEvent, type CwQueryResult, type CwResult, type SyncCosmWasmConnection } from "./cosmwasm.ts";
import type { AddressCodec } from "../abi/cosmwasm.ts";

export interface SimOptions {
  /** bech32 prefix of addresses (default "wasm"). */
  prefix?: string;
  chainId?: string;
  /** Meter gas (cw-simulate's approximate metering); default true. */
  metering?: boolean;
  /** Gas limit of the Environment (cumulative over the connection's life); default cw-simulate's. */
  gasLimit?: number;
  /** The account storing the code (0x-hex); default 0x…c0de. */
  creator?: string;
  /**
   * `max_due_per_block` added to an instantiate message that does not name one (COSMWASM.md
   * section 3: due features one end-block sudo processes); default: the contract's own default.
   */
  maxDuePerBlock?: number;
}

// The minimal shapes of cw-simulate this file touches (its types are a devDependency's).
interface SimResult<T> {
  ok: boolean;
  err: boolean;
  val: T;
}
interface SimResponse {
  events: { type: string; attributes: { key: string; value: string }[] }[];
  attributes: { key: string; value: string }[];
  data: string | null;
  messages: unknown[];
}
interface ImmutableMap {
  entries(): Iterable<[string | Uint8Array, string | Uint8Array]>;
}
interface SimContract {
  address: string;
  init(): Promise<SimContract>;
  vm: { backend: { storage: { dict: ImmutableMap } } };
  instantiate(sender: string, funds: readonly Coin[], msg: object, logs: unknown[]): SimResult<SimResponse>;
  execute(sender: string, funds: readonly Coin[], msg: object, logs: unknown[]): SimResult<SimResponse>;
  sudo(msg: object, logs: unknown[]): SimResult<SimResponse>;
  migrate(msg: object, logs: unknown[]): SimResult<SimResponse>;
  query(msg: object): SimResult<unknown>;
  getStorage(): ImmutableMap;
  setStorage(m: ImmutableMap): void;
}
interface SimApp {
  height: number;
  readonly gasUsed: number;
  wasm: {
    storeCode(creator: string, code: Uint8Array): SimResult<number>;
    registerContractInstance(sender: string, codeId: number, label?: string, admin?: string | null): SimResult<string>;
    getContract(address: string): SimContract;
  };
}

/** The keys of SPEC section 9 (their first byte); cw2's `contract_info` and anything else are left out of the state root. */
const SPEC_PREFIXES = new Set<number>([...Object.values(RECORDS).map((r) => r.prefix), 0xd8]);

/** A stored key or value: bytes (BinaryKVIterStorage, cw-simulate's default) or base64 (BasicKVIterStorage). */
const bytesOf = (s: string | Uint8Array): Uint8Array => (typeof s === "string" ? Buffer.from(s, "base64") : s);

/**
 * SHA-256 over the contract's SPEC keys and values in bytewise key order, framed as the native
 * host's state root (src/host/stateRoot.ts: u32 LE key length, key, u32 LE value length, value).
 */
export function cwStateRoot(entries: Iterable<[Uint8Array, Uint8Array]>): string {
  const rows = [...entries].filter(([k]) => k.length > 0 && SPEC_PREFIXES.has(k[0]!));
  rows.sort(([a], [b]) => Buffer.compare(a, b));
  const hash = createHash("sha256");
  const len = Buffer.alloc(4);
  for (const [k, v] of rows) {
    len.writeUInt32LE(k.length);
    hash.update(len);
    hash.update(k);
    len.writeUInt32LE(v.length);
    hash.update(len);
    hash.update(v);
  }
  return hash.digest("hex");
}

let patched: Promise<void> | null = null;

/** Bytewise order: the first differing byte decides; a proper prefix comes first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** cw-simulate or its VM (a dependency of cw-simulate: installing cw-simulate brings it). */
function importCwSimulate<T>(load: () => Promise<T>): Promise<T> {
  return importOptional("@oraichain/cw-simulate", "canary replay --target cosmwasm", load, ["@oraichain/cw-simulate", "@oraichain/cosmwasm-vm-js"]);
}

/**
 * cw-simulate 2.8.108's shortcomings that change results, patched once per process
 * (docs/COSMWASM.md lists them; the module tests' setup, tests/cosmwasm/_sim.ts, applies the
 * VM's part through patchCosmwasmVm below, and adds the Contract's failed-call restore):
 *
 * - cosmwasm-vm-js's byte comparison (helpers/byte-array.js `compare`) tests
 *   `bytes1.length < i` where it means `<=`: a key that is a proper prefix of another compares
 *   equal to it, so the sorted store and every scan bound misorder them. Replaced by a
 *   bytewise comparison (a proper prefix first) before any store is created.
 * - BinaryKVIterStorage.scan starts from the SortedMap's `from(start)`: keys below `start`
 *   are also dropped from the iterator (belt and braces once the comparison is right).
 * - cosmwasm-vm-js's db_scan returns a Region holding the iterator id and its db_next takes a
 *   Region pointer; CosmWasm 2.x's db_scan returns the id as a u32 and db_next takes it
 *   (cosmwasm-std imports.rs): both get the real signatures.
 * - VMInstance.allocate_str allocates the string's UTF-16 length and writes its UTF-8 bytes:
 *   a message with non-ASCII text (a description "Übergang") throws before the contract runs.
 *   It allocates the UTF-8 bytes instead (P3 of docs/COSMWASM.md).
 */
export function patchCwSimulate(): Promise<void> {
  patched ??= (async () => {
    const vmjs = (await importCwSimulate(() => import("@oraichain/cosmwasm-vm-js"))) as unknown as CosmwasmVmModule;
    const byteArray = createRequire(import.meta.url)("@oraichain/cosmwasm-vm-js/dist/helpers/byte-array.js") as { compare: typeof compareBytes };
    patchCosmwasmVm(vmjs, byteArray);
  })();
  return patched;
}

/** What patchCosmwasmVm touches of `@oraichain/cosmwasm-vm-js`. */
export interface CosmwasmVmModule {
  BinaryKVIterStorage: { prototype: object };
  VMInstance: { prototype: object };
}

const VM_PATCHED = Symbol.for("onchain-canary.cosmwasm-vm-js.patched");

/**
 * The VM's part of the patches above (the comparison, the scan, db_scan/db_next, allocate_str)
 * on the modules as the caller loaded them — the replay through a lazy import, the tests
 * through require — once per process (the prototypes outlive a test file's modules).
 */
export function patchCosmwasmVm(vmjs: CosmwasmVmModule, byteArray: { compare: typeof compareBytes }): void {
  byteArray.compare = compareBytes;
  const marks = vmjs.VMInstance.prototype as Record<symbol, unknown>;
  if (marks[VM_PATCHED]) return;
  marks[VM_PATCHED] = true;
  type Storage = { scan(s: Uint8Array | null, e: Uint8Array | null, o: number): Uint8Array; iterators: Map<number, { data: { key: Uint8Array }[]; position: number }> };
  const sp = vmjs.BinaryKVIterStorage.prototype as Storage;
  const scan = sp.scan;
  sp.scan = function (this: Storage, start, end, order) {
    const id = scan.call(this, start, end, order);
    if (start !== null && start.length > 0) {
      const it = this.iterators.get(Number(Buffer.from(id).readUIntBE(0, id.length)))!;
      it.data = it.data.filter((r) => compareBytes(r.key, start) >= 0);
    }
    return id;
  };
  type Vm = {
    region(p: number): { data: Uint8Array };
    backend: { storage: Storage };
    allocate_bytes(b: Uint8Array): { ptr: number };
    do_db_next(r: { ptr: number }): { ptr: number };
  };
  const proto = vmjs.VMInstance.prototype as Record<string, unknown>;
  proto.db_scan = function (this: Vm, startPtr: number, endPtr: number, order: number): number {
    const start = startPtr === 0 ? null : this.region(startPtr).data;
    const end = endPtr === 0 ? null : this.region(endPtr).data;
    const id = this.backend.storage.scan(start, end, order);
    return Number(Buffer.from(id).readUIntBE(0, id.length));
  };
  proto.db_next = function (this: Vm, id: number): number {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(id);
    return this.do_db_next(this.allocate_bytes(new Uint8Array(bytes))).ptr;
  };
  proto.allocate_str = function (this: Vm, str: string): { ptr: number } {
    return this.allocate_bytes(new TextEncoder().encode(str));
  };
}

/** A contract on a cw-simulate app, answering synchronously at the height it is told. */
export class SimConnection implements SyncCosmWasmConnection {
  readonly addresses: AddressCodec;
  private instantiated = false;
  /** Gas of the last message (metering on). */
  lastGas = 0;

  private constructor(
    readonly app: SimApp,
    readonly contract: SimContract,
    readonly codeId: number,
    prefix: string,
    private readonly maxDuePerBlock?: number,
  ) {
    this.addresses = bech32Codec(prefix);
  }

  /** Stores `wasm`, registers an instance and loads its VM (not instantiated yet: `instantiate`). */
  static async open(wasm: Uint8Array, options: SimOptions = {}): Promise<SimConnection> {
    const prefix = options.prefix ?? "wasm";
    await patchCwSimulate();
    const { CWSimulateApp } = (await importCwSimulate(() => import("@oraichain/cw-simulate"))) as unknown as { CWSimulateApp: new (o: object) => SimApp };
    const app = new CWSimulateApp({
      chainId: options.chainId ?? "canary-sim",
      bech32Prefix: prefix,
      metering: options.metering ?? true,
      ...(options.gasLimit !== undefined ? { gasLimit: options.gasLimit } : {}),
    });
    const codec = bech32Codec(prefix);
    const creator = codec.toHuman(options.creator ?? "0x000000000000000000000000000000000000c0de");
    const stored = app.wasm.storeCode(creator, wasm);
    if (stored.err) throw new Error(`cw-simulate: storeCode: ${String(stored.val)}`);
    const address = app.wasm.registerContractInstance(creator, stored.val, "onchain-canary", creator);
    if (address.err) throw new Error(`cw-simulate: instantiate: ${String(address.val)}`);
    const contract = await app.wasm.getContract(address.val).init();
    return new SimConnection(app, contract, stored.val, prefix, options.maxDuePerBlock);
  }

  get address(): string {
    return this.contract.address;
  }

  height(): number {
    return this.app.height;
  }

  setHeight(height: number): void {
    if (this.app.height !== height) this.app.height = height;
  }

  /** Runs one message: its writes kept only when it succeeds. */
  private run(call: (logs: unknown[]) => SimResult<SimResponse>): CwResult {
    const storage = this.contract.vm.backend.storage;
    const before = storage.dict;
    const gas0 = this.app.gasUsed;
    let r: SimResult<SimResponse>;
    try {
      r = call([]);
    } catch (e) {
      r = { ok: false, err: true, val: (e as Error).message as unknown as SimResponse };
    }
    this.lastGas = this.app.gasUsed - gas0;
    if (r.err) {
      storage.dict = before;
      this.contract.setStorage(before);
      return { ok: false, error: String(r.val), gasUsed: this.lastGas };
    }
    const res = r.val;
    const events: CwEvent[] = [];
    if (res.attributes.length > 0) events.push({ type: "wasm", attributes: [{ key: "_contract_address", value: this.address }, ...res.attributes] });
    for (const e of res.events) events.push({ type: `wasm-${e.type}`, attributes: [{ key: "_contract_address", value: this.address }, ...e.attributes] });
    return { ok: true, events, data: res.data, gasUsed: this.lastGas };
  }

  instantiate(sender: string, msg: object): CwResult {
    if (this.instantiated) return { ok: false, error: "contract already instantiated" };
    const m = this.maxDuePerBlock !== undefined && !("max_due_per_block" in msg) ? { ...msg, max_due_per_block: this.maxDuePerBlock } : msg;
    const r = this.run((logs) => this.contract.instantiate(sender, [], m, logs));
    if (r.ok) this.instantiated = true;
    return r;
  }

  execute(sender: string, msg: object, funds: readonly Coin[] = []): CwResult {
    return this.run((logs) => this.contract.execute(sender, funds, msg, logs));
  }

  sudo(msg: object): CwResult {
    return this.run((logs) => this.contract.sudo(msg, logs));
  }

  migrate(msg: object): CwResult {
    return this.run((logs) => this.contract.migrate(msg, logs));
  }

  query(msg: object): CwQueryResult {
    const gas0 = this.app.gasUsed;
    let r: SimResult<unknown>;
    try {
      r = this.contract.query(msg);
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    } finally {
      this.lastGas = this.app.gasUsed - gas0;
    }
    return r.err ? { ok: false, error: String(r.val) } : { ok: true, value: r.val };
  }

  /** The contract's storage as (key, value) bytes, in no particular order. */
  *entries(): Generator<[Uint8Array, Uint8Array]> {
    for (const [k, v] of this.contract.getStorage().entries()) yield [bytesOf(k), bytesOf(v)];
  }

  /** The state root over SPEC section 9's keys (cwStateRoot). */
  stateRoot(): string {
    return cwStateRoot(this.entries());
  }

  /** An account (0x-hex) as this chain's address. */
  human(account: string | Uint8Array): string {
    return this.addresses.toHuman(typeof account === "string" ? account.toLowerCase() : bytesToHex(account));
  }

  /** The 20-byte account of an address. */
  account(human: string): Uint8Array {
    return hexToBytes(this.addresses.toHex(human));
  }
}
