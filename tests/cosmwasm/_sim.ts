// The cw-simulate test setup: one place that loads @oraichain/cw-simulate (pinned 2.8.108,
// over @oraichain/cosmwasm-vm-js), patches what it gets wrong, and wraps one contract
// instance in a small synchronous API the CosmWasm tests share.
//
// cw-simulate is not a chain (COSMWASM.md section 6). What it gets wrong, measured on
// 2.8.108 (tests/cosmwasm/sim-patches.test.ts shows each one, unpatched and patched; the
// list is repeated in docs/COSMWASM.md, "cw-simulate patches"):
//
//  P1  Key order. cosmwasm-vm-js's `compare` (helpers/byte-array.js), which orders the
//      contract store (an Immutable SortedMap) and bounds every db_scan, tests
//      `bytes1.length < i` where it means `<=`: a key and the same key plus ONE byte compare
//      EQUAL. So `K` and `K ‖ 00` are one key to the SortedMap (a write of one replaces the
//      other) and a scan that starts at `after ‖ 00` (CosmWasm's start bound is inclusive:
//      the usual way to ask for "the smallest key above `after`", which is how the module
//      maps SPEC's storage_next) returns `after` itself again. Patched: `compare` is replaced
//      by a plain bytewise comparison (a proper prefix first), in the module's exports, which
//      every caller reads at call time.
//  P2  A failed call's writes survive in the VM. Contract.execute/sudo/migrate/instantiate
//      hand the VM's storage back to the app even when the call returned an error, and the
//      VM keeps that same storage object for its next call, so writes of a failed call leak
//      into the next one (the app's transactional store rolls back only its own copy, and
//      `sudo` has no transaction at all). A chain discards every write of a failed message
//      (COSMWASM.md section 4). Patched: each call starts from the app's committed contract
//      storage, and a call that returns an error restores it.
//  (not patched) Store-time checks. `storeCode` accepts any bytes (no wasm validation, no
//      required exports, no float or import checks): that is what the static checker of
//      COSMWASM.md section 1 (`src/verify/cosmwasm.ts`, cwa) is for. Gas is metered by
//      instrumenting the module (wasm-json-toolkit) and is approximate.

import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { compareBytes, patchCosmwasmVm, type CosmwasmVmModule } from "../../src/client/cosmwasm-sim.ts";

const require = createRequire(import.meta.url);
// Loaded through require so that the patches below reach the very module objects
// cw-simulate itself uses (vitest externalizes node_modules: one CommonJS module cache).
const vmjs = require("@oraichain/cosmwasm-vm-js") as typeof import("@oraichain/cosmwasm-vm-js");
const byteArray = require("@oraichain/cosmwasm-vm-js/dist/helpers/byte-array.js") as { compare: (a: Uint8Array, b: Uint8Array) => number };
const cwsim = require("@oraichain/cw-simulate") as typeof import("@oraichain/cw-simulate");
const ContractClass = (require("@oraichain/cw-simulate/dist/modules/wasm/contract.js") as { default: { prototype: Record<string, unknown> } }).default;

/** The bech32 prefix of the simulated chain. */
export const PREFIX = "wasm";

/** Plain bytewise order: the first differing byte decides; a proper prefix comes first (the replay's). */
export const bytewiseCompare = compareBytes;

/**
 * cosmwasm-vm-js's own compare, for the test that shows P1: a fresh copy of its module (the
 * loaded one may already be patched, by this file or by tests/cosmwasm/_module.ts, in this
 * worker: node_modules are one CommonJS cache across test files).
 */
export function originalCompare(a: Uint8Array, b: Uint8Array): number {
  const file = require.resolve("@oraichain/cosmwasm-vm-js/dist/helpers/byte-array.js");
  const loaded = require.cache[file];
  delete require.cache[file];
  try {
    return (require(file) as typeof byteArray).compare(a, b);
  } finally {
    if (loaded) require.cache[file] = loaded;
  }
}

const P2_MARK = Symbol.for("onchain-canary.cwb.P2");
/** cw-simulate's own Contract methods before P2 and VMInstance.allocate_str before P3 (for the tests that show them). */
const UNPATCHED: Record<string, (...a: unknown[]) => { err: boolean }> = ((globalThis as Record<symbol, unknown>)[Symbol.for("onchain-canary.cwb.P2.originals")] ??= {}) as Record<string, (...a: unknown[]) => { err: boolean }>;
export const unpatchedContractMethods: Readonly<Record<string, (...a: unknown[]) => { err: boolean; val: unknown }>> = UNPATCHED as never;

let patched = false;

/** Applies P1–P4 (idempotent). Every helper of this file calls it first. */
export function applySimPatches(): void {
  if (patched) return;
  patched = true;
  // P1, P3, P4: the replay's own patches (src/client/cosmwasm-sim.ts) on the modules loaded
  // here. P1: the module's exports are plain data properties; storage.js and cw-simulate read
  // `compare` through them at each call (index.js re-exports through a getter).
  UNPATCHED.allocate_str ??= (vmjs.VMInstance.prototype as unknown as { allocate_str: never }).allocate_str;
  patchCosmwasmVm(vmjs as unknown as CosmwasmVmModule, byteArray);
  if (vmjs.compare !== bytewiseCompare) throw new Error("cw-simulate patch P1 did not reach @oraichain/cosmwasm-vm-js's compare");
  // P2 (once per process: the prototype outlives this module's re-evaluation per test file).
  if ((ContractClass.prototype as Record<symbol, unknown>)[P2_MARK]) return;
  (ContractClass.prototype as Record<symbol, unknown>)[P2_MARK] = true;
  for (const method of ["instantiate", "execute", "migrate", "sudo", "reply"]) {
    const original = ContractClass.prototype[method] as (...a: unknown[]) => { err: boolean };
    UNPATCHED[method] = original;
    ContractClass.prototype[method] = function (this: SimContract, ...a: unknown[]) {
      const before = this.getStorage();
      const fresh = () => {
        if (this._vm && before !== undefined) this._vm.backend.storage = new this._wasm.chain.kvIterStorageRegistry(before);
      };
      fresh();
      const r = original.apply(this, a);
      if (r.err && before !== undefined) {
        this.setStorage(before);
        fresh();
      }
      return r;
    };
  }
}

/** What we touch of cw-simulate's Contract (its fields are not in the published types). */
interface SimContract {
  _vm: { backend: { storage: unknown } } | undefined;
  _wasm: { chain: { kvIterStorageRegistry: new (dict: unknown) => unknown } };
  address: string;
  getStorage(): unknown;
  setStorage(v: unknown): void;
  init(): Promise<SimContract>;
  instantiate(sender: string, funds: Coin[], msg: unknown, logs: unknown[]): RustLike;
  execute(sender: string, funds: Coin[], msg: unknown, logs: unknown[]): RustLike;
  sudo(msg: unknown, logs: unknown[]): RustLike;
  migrate(msg: unknown, logs: unknown[]): RustLike;
  query(msg: unknown): RustLike;
}

interface RustLike {
  ok: boolean;
  err: boolean;
  val: unknown;
}

export interface Coin {
  denom: string;
  amount: string;
}

// ---------------------------------------------------------------- accounts

/** The bech32 address of 20 (or 32) raw bytes, or of a 0x-hex account. */
const BECH32_CACHE = new Map<string, string>();

export function bech32Of(account: Uint8Array | string): string {
  if (typeof account === "string") {
    let a = BECH32_CACHE.get(account);
    if (a === undefined) {
      a = toBech32(PREFIX, Uint8Array.from(Buffer.from(account.replace(/^0x/, ""), "hex")));
      if (BECH32_CACHE.size > 200_000) BECH32_CACHE.clear();
      BECH32_CACHE.set(account, a);
    }
    return a;
  }
  return toBech32(PREFIX, account);
}

/** The canonical bytes of a bech32 address. */
export function canonicalOf(addr: string): Uint8Array {
  return fromBech32(addr).data;
}

/** The 0x-hex account of a 20-byte bech32 address. */
export function hexOf(addr: string): string {
  return "0x" + Buffer.from(canonicalOf(addr)).toString("hex");
}

// ---------------------------------------------------------------- one contract

/** One response, flattened: ok with the contract's attributes/events/data, or the error string. */
export type CwOutcome =
  | { ok: true; attributes: { key: string; value: string }[]; events: { type: string; attributes: { key: string; value: string }[] }[]; data: string | null; gas: number }
  | { ok: false; error: string; gas: number };

export type CwQuery = { ok: true; value: unknown; gas: number } | { ok: false; error: string; gas: number };

export interface SimOptions {
  /** Instrument the module for gas (slower to compile; gas approximate). */
  metering?: boolean;
  /** Instantiate at this height (default 0). */
  height?: number;
}

/**
 * One simulated chain with one instance of the module. Calls are synchronous (cw-simulate's
 * Contract methods, with P2's storage discipline) and run at `height` (env.block.height).
 * The app's own block bookkeeping (`pushBlock`, which bumps the height) is not used.
 */
export class Sim {
  readonly app: InstanceType<typeof cwsim.CWSimulateApp>;
  readonly codeId: number;
  address = "";
  private contract: SimContract | null = null;

  private constructor(app: InstanceType<typeof cwsim.CWSimulateApp>, codeId: number) {
    this.app = app;
    this.codeId = codeId;
  }

  /** Stores `wasm` (no store-time checks: see above) on a fresh app. */
  static store(wasm: Uint8Array, options: SimOptions = {}): Sim {
    applySimPatches();
    const app = new cwsim.CWSimulateApp({ chainId: "canary-sim", bech32Prefix: PREFIX, metering: options.metering ?? false });
    const creator = bech32Of(new Uint8Array(20).fill(0xee));
    const codeId = app.wasm.create(creator, wasm);
    const sim = new Sim(app, codeId);
    sim.height = options.height ?? 0;
    return sim;
  }

  /** Stores `wasm` and instantiates it with `msg`, sent by `sender` (bech32). Throws when instantiate fails. */
  static async create(wasm: Uint8Array, sender: string, msg: unknown, options: SimOptions = {}): Promise<Sim> {
    const sim = Sim.store(wasm, options);
    const r = await sim.instantiate(sender, msg);
    if (!r.ok) throw new Error(`instantiate failed: ${r.error}`);
    return sim;
  }

  get height(): number {
    return this.app.height;
  }

  set height(h: number) {
    this.app.height = h;
  }

  /** Gas used so far by the app (metering only; cw-simulate's units, approximate). */
  get gasUsed(): number {
    return this.app.gasUsed;
  }

  async instantiate(sender: string, msg: unknown, funds: Coin[] = []): Promise<CwOutcome> {
    const wasmModule = this.app.wasm as unknown as {
      registerContractInstance(sender: string, codeId: number, label: string): { unwrap(): string };
      getContract(address: string): SimContract;
    };
    this.address = wasmModule.registerContractInstance(sender, this.codeId, "onchain-canary").unwrap();
    this.contract = await wasmModule.getContract(this.address).init();
    return this.outcome(() => this.contract!.instantiate(sender, funds, msg, []));
  }

  private get c(): SimContract {
    if (!this.contract) throw new Error("Sim: no contract instance (instantiate first)");
    return this.contract;
  }

  execute(sender: string, msg: unknown, funds: Coin[] = []): CwOutcome {
    return this.outcome(() => this.c.execute(sender, funds, msg, []));
  }

  sudo(msg: unknown): CwOutcome {
    return this.outcome(() => this.c.sudo(msg, []));
  }

  migrate(msg: unknown): CwOutcome {
    return this.outcome(() => this.c.migrate(msg, []));
  }

  /** A smart query (read-only: cw-simulate runs it on a copy of the storage). */
  query(msg: unknown): CwQuery {
    const g0 = this.gasUsed;
    let r: RustLike;
    try {
      r = this.c.query(msg);
    } catch (e) {
      return { ok: false, error: `trap: ${(e as Error).message}`, gas: this.gasUsed - g0 };
    }
    const gas = this.gasUsed - g0;
    return r.ok ? { ok: true, value: r.val, gas } : { ok: false, error: String(r.val), gas };
  }

  /**
   * Execute/sudo/query with raw bytes as the message (the fuzz test): the bytes go into the
   * message region as they are (cosmwasm-vm-js otherwise JSON-encodes a message object).
   * Nothing is committed: the outcome and whether the VM's storage changed are returned.
   */
  raw(kind: "execute" | "sudo" | "query", bytes: Uint8Array, sender: string): { ok: boolean; error: string; trap: boolean; wrote: boolean } {
    const c = this.c;
    const vm = c._vm as unknown as {
      backend: { storage: { dict: unknown } };
      exports: Record<string, (...ptrs: number[]) => number>;
      allocate_json(x: unknown): { ptr: number };
      allocate_bytes(b: Uint8Array): { ptr: number };
      json(ptr: number): { ok?: unknown; error?: string };
      storageReadonly: boolean;
    };
    const before = c.getStorage();
    const reset = () => {
      vm.backend.storage = new c._wasm.chain.kvIterStorageRegistry(before) as { dict: unknown };
    };
    reset();
    const env = (this.app.wasm as unknown as { getExecutionEnv(a: string): unknown }).getExecutionEnv(this.address);
    const head = kind === "execute" ? [env, { sender, funds: [] }] : [env];
    try {
      const ptrs = [...head.map((x) => vm.allocate_json(x).ptr), vm.allocate_bytes(bytes).ptr];
      vm.storageReadonly = kind === "query";
      const out = vm.json(vm.exports[kind]!(...ptrs));
      const wrote = vm.backend.storage.dict !== before && !(vm.backend.storage.dict as { equals(o: unknown): boolean }).equals(before);
      return { ok: "ok" in out, error: out.error ?? "", trap: false, wrote };
    } catch (e) {
      const wrote = vm.backend.storage.dict !== before && !(vm.backend.storage.dict as { equals(o: unknown): boolean }).equals(before);
      return { ok: false, error: `trap: ${(e as Error).message}`, trap: true, wrote };
    } finally {
      vm.storageReadonly = false;
      c.setStorage(before);
      reset();
    }
  }

  private outcome(run: () => RustLike): CwOutcome {
    const g0 = this.gasUsed;
    let r: RustLike;
    try {
      r = run();
    } catch (e) {
      return { ok: false, error: `trap: ${(e as Error).message}`, gas: this.gasUsed - g0 };
    }
    const gas = this.gasUsed - g0;
    if (!r.ok) return { ok: false, error: String(r.val), gas };
    const v = r.val as { attributes?: { key: string; value: string }[]; events?: { type: string; attributes: { key: string; value: string }[] }[]; data?: string | null };
    return { ok: true, attributes: v.attributes ?? [], events: v.events ?? [], data: v.data ?? null, gas };
  }

  /** The contract's storage: every (key, value) in bytewise key order. */
  entries(): [Uint8Array, Uint8Array][] {
    const dict = this.c.getStorage() as { entries(): Iterable<[Uint8Array, Uint8Array]> } | undefined;
    const out: [Uint8Array, Uint8Array][] = [];
    if (dict) for (const [k, v] of dict.entries()) out.push([new Uint8Array(k), new Uint8Array(v)]);
    return out.sort((a, b) => bytewiseCompare(a[0], b[0]));
  }
}

// ---------------------------------------------------------------- storage comparison

const CW2_KEY = Buffer.from("contract_info");

/**
 * The keys both builds share (SPEC section 9's, which must be byte-identical): every key but
 * the CosmWasm build's own, which the native build has no counterpart of: cw2's
 * `contract_info`, 0xD9 (max_due_per_block) and 0xDA (where the last sudo batch stopped)
 * (cwa's assembly/entry/cosmwasm.ts, docs/COSMWASM-MODULE.md).
 */
export function isSpecKey(key: Uint8Array): boolean {
  if (key.length > 0 && (key[0] === 0xd9 || key[0] === 0xda)) return false;
  return !Buffer.from(key).equals(CW2_KEY);
}

/** The state root of src/host/stateRoot.ts over `entries` (already in bytewise key order). */
export function rootOf(entries: readonly (readonly [Uint8Array, Uint8Array])[]): string {
  const h = createHash("sha256");
  const len = Buffer.alloc(4);
  for (const [k, v] of entries) {
    len.writeUInt32LE(k.length, 0);
    h.update(len);
    h.update(k);
    len.writeUInt32LE(v.length, 0);
    h.update(len);
    h.update(v);
  }
  return h.digest("hex");
}

/** A printable dump of entries, for a failing comparison. */
export function dump(entries: readonly (readonly [Uint8Array, Uint8Array])[]): string[] {
  return entries.map(([k, v]) => `${Buffer.from(k).toString("hex")} = ${Buffer.from(v).toString("hex")}`);
}
