// ContractRuntime: runs one exported method of the contract module against a Store.
//
// Faults. Whatever the module does, `invoke` returns an InvokeResult and never throws: a host
// import that detects a violation (a pointer or length outside memory, a negative length, a
// key over 128 bytes or a value over 65535 bytes, a bad event name, an import called from
// `_initialize`/`_reset`) throws a private HostFault that unwinds through the Wasm frames;
// `invoke` catches it, a Wasm trap (WebAssembly.RuntimeError), a stack overflow (RangeError)
// and anything else thrown while the module runs, and reports code -1, ok false, and `trap`.
// The runtime writes straight into the Store it is given: callers that need atomicity (the
// Chain) pass an Overlay and discard it when the result is not ok.
//
// Instances. `reuse: false` instantiates the module for every invocation (and calls
// `_initialize` when exported). `reuse: true` (default) keeps one instance: `_initialize` once,
// and after every invocation `_reset`; an instance whose call trapped, whose `_reset` trapped,
// or whose module has no `_reset`, is dropped and the next invocation gets a fresh one. So
// nothing but storage survives from one invocation to the next, if `_reset` does its job.

import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { GAS_IMPORT, HOST_IMPORTS, MAX_KEY_BYTES, MAX_VALUE_BYTES } from "../abi/methods.ts";
import { DEFAULT_GAS_LIMIT, FEES } from "../gas/fees.ts";
import { asBinary, MemoryStore, type BinaryStore, type Store } from "./store.ts";
import type { CallContext, InvokeResult, RawEvent } from "./types.ts";
import { readWasmInfo, sameSig, sigToString, type WasmInfo } from "./wasmInfo.ts";

/** Host limits beyond SPEC section 7's key and value sizes. */
export const MAX_EVENT_NAME_BYTES = 128;
export const MAX_EVENT_DATA_BYTES = MAX_VALUE_BYTES;
export const ACCOUNT_BYTES = 20;

export interface RuntimeOptions {
  /** Keep one instance and `_reset` it between invocations (default true). */
  reuse?: boolean;
}

/** A violation detected by a host import: unwinds through the module, FAULTs the call. */
class HostFault extends Error {
  override name = "HostFault";
}

/** The call used more gas than its limit. */
class OutOfGas extends HostFault {
  override name = "OutOfGas";
}

const EMPTY = new Uint8Array(0);
/** Shared by every result without events / logs (most calls): no per-call arrays. Frozen, so a
 * consumer that tried to push into one fails loudly instead of leaking into other results. */
const NO_EVENTS = Object.freeze([]) as unknown as RawEvent[];
const NO_LOGS = Object.freeze([]) as unknown as string[];
const utf8 = new TextDecoder("utf-8");
/** The result of every unmetered call that returned 0 with no output, events or logs. */
const OK_EMPTY: InvokeResult = Object.freeze({ code: 0, ok: true, output: EMPTY, events: NO_EVENTS, logs: NO_LOGS, trap: undefined });

type Exports = Record<string, unknown>;
type Method = () => number;
/**
 * A live instance. `fns` caches the export functions already called by name: a keyed load
 * `exports[method]` on the (frozen, ~70-property) exports object with ever-changing names is a
 * megamorphic lookup, a Map probe with the caller's string (its hash cached) is not.
 */
type Instance = { exports: Exports; memory: WebAssembly.Memory; fns: Map<string, Method>; reset: (() => void) | null };

/** The one mutable per-call state every import closes over. */
/** Node's Buffer has latin1Slice (what toString("latin1", …) ends in) without the encoding dispatch. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

interface CallState {
  active: boolean;
  /** The module imports host.gas: charge instruction gas and host fees. */
  metered: boolean;
  gasUsed: number;
  gasLimit: number;
  args: Uint8Array;
  output: Uint8Array;
  events: RawEvent[];
  logs: string[];
  store: BinaryStore;
  ctx: CallContext;
  memory: WebAssembly.Memory | null;
  /** The ArrayBuffer the two views below were made on; memory growth replaces it. */
  buffer: ArrayBuffer | null;
  u8: Uint8Array;
  buf: Latin1Buffer;
}

/**
 * Copies of Wasm memory that leave a call (stored values, event data, outputs). A fresh
 * ArrayBuffer per copy (what `slice` makes) costs ~0.4 µs for a few hundred bytes and far
 * more once many are alive (external memory drives the GC: ~2 µs measured with 1,000 kept),
 * so copies of 65..2048 bytes are cut from 8 KiB slabs, like Node's Buffer pool: a view on a
 * slab costs ~0.2 µs. A slab lives as long as any copy cut from it; `MemoryStore` keeps exact
 * copies of what it is given (it re-copies views into a larger buffer), so slabs are held
 * only by overlays (one block at most), results and events. Smaller copies are V8 on-heap
 * arrays (cheap already), larger ones get their own buffer.
 */
const SLAB_BYTES = 8192;
const SLAB_MAX_COPY = 2048;
const SMALL_COPY = 64;

class Copier {
  private slabBuf = new ArrayBuffer(0);
  private slab = new Uint8Array(0);
  /** Next free offset in the slab; starts past the end so the first slab copy cuts a slab. */
  private off = SLAB_BYTES;

  /** A stable copy of `len` bytes at `start` of `mem` (`u8` is a view of all of `mem`). */
  copy(mem: ArrayBuffer, u8: Uint8Array, start: number, len: number): Uint8Array {
    if (len <= 8) {
      // Tiny results (every bool/u16 view): a byte loop into a small on-heap array beats slice.
      const out = new Uint8Array(len);
      for (let i = 0; i < len; i++) out[i] = u8[start + i]!;
      return out;
    }
    if (len <= SMALL_COPY || len > SLAB_MAX_COPY) return u8.slice(start, start + len);
    let off = this.off;
    if (off + len > SLAB_BYTES) {
      this.slabBuf = new ArrayBuffer(SLAB_BYTES);
      this.slab = new Uint8Array(this.slabBuf);
      off = 0;
    }
    // TypedArray set from a fresh view: about half the cost of Buffer#copy (no argument
    // coercion, no _copyActual), a memmove either way.
    this.slab.set(new Uint8Array(mem, start, len), off);
    this.off = (off + len + 7) & ~7;
    return new Uint8Array(this.slabBuf, off, len);
  }
}

/**
 * Keys as latin1 binary strings. Making one (`latin1Slice`, a call into C++) and then hashing
 * it in the store's Map costs about as much as the rest of a storage import, and a contract
 * reads and writes the same few keys over and over, so the strings are interned in a small
 * direct-mapped table: a key whose bytes equal the string in its slot gets that string back
 * (its hash already computed); any other key is sliced and takes the slot. The characters are
 * the same either way: only the cost depends on the table.
 */
const KEY_SLOTS = 256; // the slot is the top 8 bits of a hash of where the key lies

class KeyStrings {
  private readonly slots: string[] = [];

  constructor() {
    for (let i = 0; i < KEY_SLOTS; i++) this.slots.push("");
  }

  get(buf: Latin1Buffer, u8: Uint8Array, ptr: number, len: number): string {
    // The slot comes from where the key lies, its length and its last bytes (which tell apart
    // names like feature_042 and feature_043 built at the same address): no pass over every
    // byte before the comparison, which is the one that decides.
    const end = ptr + len;
    let h = Math.imul(ptr ^ (len << 16), 0x9e3779b1);
    if (len >= 3) h = Math.imul(h ^ (u8[end - 1]! | (u8[end - 2]! << 8) | (u8[end - 3]! << 16)), 0x85ebca6b);
    const slot = h >>> 24;
    const s = this.slots[slot]!;
    if (s.length === len) {
      let i = 0;
      while (i < len && s.charCodeAt(i) === u8[ptr + i]) i++;
      if (i === len) return s;
    }
    return (this.slots[slot] = buf.latin1Slice(ptr, ptr + len));
  }
}

function describe(e: unknown): string {
  if (e instanceof OutOfGas) return `OutOfGas: ${e.message}`;
  if (e instanceof HostFault) return e.message;
  if (e instanceof WebAssembly.RuntimeError) return `trap: ${e.message}`;
  if (e instanceof RangeError && /call stack/i.test(e.message)) return `stack overflow: ${e.message}`;
  if (e instanceof Error) return `host error: ${e.name}: ${e.message}`;
  return `host error: ${String(e)}`;
}

export class ContractRuntime {
  readonly module: WebAssembly.Module;
  readonly info: WasmInfo;
  readonly reuse: boolean;
  /** Exported functions of type () → i32: the callable methods. */
  readonly methods: ReadonlySet<string>;
  readonly hasInitialize: boolean;
  readonly hasReset: boolean;
  /** The module imports host.gas (a metered build): calls are charged and limited. */
  readonly metered: boolean;

  private readonly cx: CallState;
  private readonly imports: WebAssembly.Imports;
  private instance: Instance | null = null;
  /** Instances created so far (for tests and benchmarks). */
  instances = 0;

  constructor(wasm: Uint8Array | ArrayBuffer, options: RuntimeOptions = {}) {
    const bytes = wasm instanceof Uint8Array ? wasm : new Uint8Array(wasm);
    this.module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    this.info = readWasmInfo(bytes);
    this.reuse = options.reuse ?? true;

    let metered = false;
    for (const imp of this.info.imports) {
      const where = `${imp.module}.${imp.name}`;
      const spec = imp.module === "host" ? HOST_IMPORTS[imp.name] : undefined;
      if (imp.kind !== "func") throw new Error(`module imports ${imp.kind} ${where}: only the host functions of SPEC section 7 are provided`);
      if (spec) {
        if (!sameSig(imp.sig, spec.params, spec.results))
          throw new Error(`module imports ${where} as ${sigToString(imp.sig)}, the host provides ${sigToString(spec)}`);
      } else if (imp.module === GAS_IMPORT.module && imp.name === GAS_IMPORT.base) {
        if (!sameSig(imp.sig, ["i32"], [])) throw new Error(`module imports host.gas as ${sigToString(imp.sig)}, the host provides (i32) → ()`);
        metered = true;
      } else if (imp.module === "env" && imp.name === "abort") {
        if (!sameSig(imp.sig, ["i32", "i32", "i32", "i32"], []))
          throw new Error(`module imports env.abort as ${sigToString(imp.sig)}, the host provides (i32, i32, i32, i32) → ()`);
      } else throw new Error(`module imports ${where}: not a host import of SPEC section 7`);
    }
    const mem = this.info.exports.find((e) => e.name === "memory");
    if (!mem || mem.kind !== "memory") throw new Error("module does not export its memory as `memory`");
    const methods = new Set<string>();
    let hasInit = false;
    let hasReset = false;
    for (const e of this.info.exports) {
      if (e.kind !== "func") continue;
      if (e.name === "_initialize" || e.name === "_reset") {
        if (!sameSig(e.sig, [], [])) throw new Error(`export ${e.name} is ${sigToString(e.sig)}, must be () → ()`);
        if (e.name === "_initialize") hasInit = true;
        else hasReset = true;
      } else if (sameSig(e.sig, [], ["i32"])) methods.add(e.name);
    }
    this.methods = methods;
    this.hasInitialize = hasInit;
    this.hasReset = hasReset;

    this.metered = metered;
    this.cx = {
      active: false,
      metered,
      gasUsed: 0,
      gasLimit: 0,
      args: EMPTY,
      output: EMPTY,
      events: NO_EVENTS,
      logs: NO_LOGS,
      store: new MemoryStore(), // placeholder: imports are inactive between calls
      ctx: { height: 0, sender: new Uint8Array(ACCOUNT_BYTES), witnesses: [] },
      memory: null,
      buffer: null,
      u8: EMPTY,
      buf: Buffer.alloc(0) as Latin1Buffer,
    };
    this.imports = makeImports(this.cx);
  }

  static fromFile(path: string, options?: RuntimeOptions): ContractRuntime {
    return new ContractRuntime(readFileSync(path), options);
  }

  /** Whether `method` is an exported () → i32 function. */
  has(method: string): boolean {
    return this.methods.has(method);
  }

  /**
   * Runs `method` with `args` as its input against `store` (writes go straight into it).
   * Throws only for host misuse (a sender that is not 20 bytes); anything the module does
   * ends in a result.
   */
  invoke(method: string, args: Uint8Array, ctx: CallContext, store: Store): InvokeResult {
    if (ctx.sender.length !== ACCOUNT_BYTES) throw new Error(`invoke: sender must be ${ACCOUNT_BYTES} bytes, got ${ctx.sender.length}`);
    const cx = this.cx;
    cx.args = args;
    cx.ctx = ctx;
    cx.store = asBinary(store);
    cx.output = EMPTY;
    cx.events = NO_EVENTS;
    cx.logs = NO_LOGS;
    cx.gasUsed = 0;
    cx.gasLimit = ctx.gasLimit ?? DEFAULT_GAS_LIMIT;

    let inst = this.instance;
    // A method already called on the reused instance is known to exist: one Map probe.
    let fn = inst === null ? undefined : inst.fns.get(method);
    if (fn === undefined) {
      if (!this.methods.has(method)) {
        return { code: -1, ok: false, output: EMPTY, events: [], logs: cx.logs, trap: `no such method: ${method}` };
      }
      if (inst === null) {
        try {
          inst = this.instantiate();
        } catch (e) {
          return { code: -1, ok: false, output: EMPTY, events: [], logs: cx.logs, trap: `instantiate: ${describe(e)}` };
        }
      }
      fn = inst.exports[method] as Method;
      inst.fns.set(method, fn);
    }
    const live = inst as Instance; // a cached fn came from this.instance
    if (cx.memory !== live.memory) {
      cx.memory = live.memory;
      cx.buffer = null;
      cx.u8 = EMPTY;
    }

    let code = -1;
    let trap: string | undefined;
    let outOfGas = false;
    cx.active = true;
    try {
      code = fn();
    } catch (e) {
      trap = describe(e);
      outOfGas = e instanceof OutOfGas;
    }
    cx.active = false;

    if (this.reuse) {
      const reset = live.reset;
      if (trap !== undefined || reset === null) this.instance = null;
      else {
        try {
          reset();
        } catch {
          this.instance = null;
        }
      }
    }

    const ok = trap === undefined && code === 0;
    // Most transactions return nothing, emit nothing and log nothing: they share one frozen
    // result instead of each leaving one for the block to hold and the GC to move.
    if (ok && !cx.metered && cx.output === EMPTY && cx.events === NO_EVENTS && cx.logs === NO_LOGS) return OK_EMPTY;
    const outCode = trap === undefined ? code : -1;
    const events = ok ? cx.events : NO_EVENTS;
    if (!cx.metered) return { code: outCode, ok, output: cx.output, events, logs: cx.logs, trap };
    // One literal with gasUsed (adding it afterwards would change the object's shape per call).
    const result: InvokeResult = { code: outCode, ok, output: cx.output, events, logs: cx.logs, trap, gasUsed: Math.min(cx.gasUsed, cx.gasLimit) };
    if (outOfGas) result.outOfGas = true;
    return result;
  }

  /** Drops the cached instance (the next invocation instantiates afresh). */
  dropInstance(): void {
    this.instance = null;
  }

  private instantiate(): Instance {
    this.cx.memory = null; // a start function must not see the previous instance's memory
    const raw = new WebAssembly.Instance(this.module, this.imports);
    this.instances++;
    const exports = raw.exports as Exports;
    const reset = this.hasReset ? (exports._reset as () => void) : null;
    const inst: Instance = { exports, memory: exports.memory as WebAssembly.Memory, fns: new Map(), reset };
    const cx = this.cx;
    cx.memory = inst.memory;
    cx.buffer = null;
    cx.u8 = EMPTY;
    if (this.hasInitialize) (exports._initialize as () => void)();
    if (this.reuse) this.instance = inst;
    return inst;
  }
}

function makeImports(cx: CallState): WebAssembly.Imports {
  const copier = new Copier();
  const keys = new KeyStrings();
  /** The current memory as bytes; the views are rebuilt only when the buffer changed (growth). */
  const view = (): Uint8Array => {
    // `memory.buffer` is a getter that costs about as much as the rest of a small import, so
    // it is read only when the views can be stale: memory growth detaches the old buffer (its
    // views then have length 0), and a new instance resets u8 to EMPTY. (A memory of 0 pages
    // is simply re-read every time.)
    if (cx.u8.length === 0) {
      const b = cx.memory!.buffer as ArrayBuffer;
      cx.buffer = b;
      cx.u8 = new Uint8Array(b);
      cx.buf = Buffer.from(b) as Latin1Buffer;
    }
    return cx.u8;
  };
  const inactive = (fn: string): HostFault => new HostFault(`${fn}: host imports may only be called while a method runs (not from _initialize or _reset)`);
  const outside = (fn: string, what: string, ptr: number, len: number, size: number): HostFault =>
    len < 0
      ? new HostFault(`${fn}: negative ${what} length ${len}`)
      : new HostFault(`${fn}: ${what} [${ptr},${ptr + len}) outside memory of ${size} bytes`);
  /** Bounds check of [ptr, ptr+len) against a memory of `size` bytes. */
  const range = (fn: string, what: string, ptr: number, len: number, size: number): void => {
    if ((ptr | len) < 0 || ptr + len > size) throw outside(fn, what, ptr, len, size);
  };
  const keyRange = (fn: string, what: string, ptr: number, len: number, size: number): void => {
    range(fn, what, ptr, len, size);
    if (len > MAX_KEY_BYTES) throw new HostFault(`${fn}: ${what} of ${len} bytes exceeds ${MAX_KEY_BYTES}`);
  };
  const readString = (u8: Uint8Array, ptr: number): string => {
    // An AssemblyScript string: UTF-16LE code units, its byte length as u32 at ptr - 4.
    if (ptr === 0) return "(null)";
    if (ptr < 4 || ptr > u8.length) return "(bad string)";
    const len = (u8[ptr - 4]! | (u8[ptr - 3]! << 8) | (u8[ptr - 2]! << 16) | (u8[ptr - 1]! << 24)) >>> 0;
    if (ptr + len > u8.length || len % 2 !== 0) return "(bad string)";
    return cx.buf.toString("utf16le", ptr, ptr + Math.min(len, 2048));
  };

  /** Host fees (metered modules only): throws OutOfGas past the limit. */
  const charge = (units: number): void => {
    cx.gasUsed += units;
    if (cx.gasUsed > cx.gasLimit) throw new OutOfGas(`used more than the limit of ${cx.gasLimit}`);
  };
  const host = {
    /** The metered module's instruction gas (src/gas/meter.ts). */
    gas(units: number): void {
      if (!cx.active) return; // _initialize and _reset run unlimited (they are not calls)
      charge(units >>> 0);
    },
    input_len(): number {
      if (!cx.active) throw inactive("input_len");
      if (cx.metered) charge(FEES.hostCall);
      return cx.args.length;
    },
    input_read(dst: number): void {
      if (!cx.active) throw inactive("input_read");
      if (cx.metered) charge(FEES.hostCall + FEES.readByte * cx.args.length);
      const u8 = view();
      range("input_read", "destination", dst, cx.args.length, u8.length);
      u8.set(cx.args, dst);
    },
    output_write(src: number, len: number): void {
      if (!cx.active) throw inactive("output_write");
      if (cx.metered) charge(FEES.hostCall + FEES.outputByte * Math.max(len, 0));
      const u8 = view();
      range("output_write", "source", src, len, u8.length);
      cx.output = copier.copy(cx.buffer!, u8, src, len);
    },
    storage_read(key: number, keyLen: number, dst: number, cap: number): number {
      if (!cx.active) throw inactive("storage_read");
      if (cx.metered) charge(FEES.hostCall + FEES.storageRead);
      const u8 = view();
      const size = u8.length;
      keyRange("storage_read", "key", key, keyLen, size);
      range("storage_read", "destination", dst, cap, size);
      const v = cx.store.getBin(keys.get(cx.buf, u8, key, keyLen));
      if (v === undefined) return -1;
      const n = v.length;
      if (cx.metered) charge(FEES.readByte * Math.min(n, cap));
      u8.set(n <= cap ? v : v.subarray(0, cap), dst);
      return n;
    },
    storage_write(key: number, keyLen: number, val: number, valLen: number): void {
      if (!cx.active) throw inactive("storage_write");
      if (cx.metered) charge(FEES.hostCall + FEES.storageWrite + FEES.writeByte * (Math.max(keyLen, 0) + Math.max(valLen, 0)));
      const u8 = view();
      const size = u8.length;
      keyRange("storage_write", "key", key, keyLen, size);
      if (keyLen === 0) throw new HostFault("storage_write: empty key (keys are 1..128 bytes)");
      range("storage_write", "value", val, valLen, size);
      if (valLen > MAX_VALUE_BYTES) throw new HostFault(`storage_write: value of ${valLen} bytes exceeds ${MAX_VALUE_BYTES}`);
      cx.store.putBin(keys.get(cx.buf, u8, key, keyLen), copier.copy(cx.buffer!, u8, val, valLen));
    },
    storage_delete(key: number, keyLen: number): void {
      if (!cx.active) throw inactive("storage_delete");
      if (cx.metered) charge(FEES.hostCall + FEES.storageWrite + FEES.writeByte * Math.max(keyLen, 0));
      const u8 = view();
      keyRange("storage_delete", "key", key, keyLen, u8.length);
      cx.store.deleteBin(keys.get(cx.buf, u8, key, keyLen));
    },
    storage_next(prefix: number, prefixLen: number, after: number, afterLen: number, dst: number, cap: number): number {
      if (!cx.active) throw inactive("storage_next");
      if (cx.metered) charge(FEES.hostCall + FEES.storageRead);
      const u8 = view();
      const size = u8.length;
      keyRange("storage_next", "prefix", prefix, prefixLen, size);
      keyRange("storage_next", "after", after, afterLen, size);
      range("storage_next", "destination", dst, cap, size);
      const buf = cx.buf;
      const r = cx.store.nextBin(keys.get(buf, u8, prefix, prefixLen), buf.latin1Slice(after, after + afterLen));
      if (r === undefined) return -1;
      const k = r[0];
      const n = k.length;
      if (cx.metered) charge(FEES.readByte * Math.min(n, cap));
      buf.write(k, dst, n <= cap ? n : cap, "latin1");
      return n;
    },
    block_height(): number {
      if (!cx.active) throw inactive("block_height");
      if (cx.metered) charge(FEES.hostCall);
      return cx.ctx.height | 0;
    },
    caller(dst: number): void {
      if (!cx.active) throw inactive("caller");
      if (cx.metered) charge(FEES.hostCall + FEES.readByte * ACCOUNT_BYTES);
      const u8 = view();
      range("caller", "destination", dst, ACCOUNT_BYTES, u8.length);
      u8.set(cx.ctx.sender, dst);
    },
    check_witness(account: number): number {
      if (!cx.active) throw inactive("check_witness");
      if (cx.metered) charge(FEES.hostCall);
      const u8 = view();
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
    emit(name: number, nameLen: number, data: number, dataLen: number): void {
      if (!cx.active) throw inactive("emit");
      if (cx.metered) charge(FEES.hostCall + FEES.event + FEES.eventByte * (Math.max(nameLen, 0) + Math.max(dataLen, 0)));
      const u8 = view();
      const size = u8.length;
      range("emit", "name", name, nameLen, size);
      range("emit", "data", data, dataLen, size);
      if (nameLen === 0 || nameLen > MAX_EVENT_NAME_BYTES)
        throw new HostFault(`emit: event name of ${nameLen} bytes (must be 1..${MAX_EVENT_NAME_BYTES})`);
      for (let i = name; i < name + nameLen; i++) {
        const c = u8[i]!;
        if (c < 0x21 || c > 0x7e) throw new HostFault(`emit: event name byte 0x${c.toString(16).padStart(2, "0")} at ${i - name} is not visible ASCII`);
      }
      if (dataLen > MAX_EVENT_DATA_BYTES) throw new HostFault(`emit: event data of ${dataLen} bytes exceeds ${MAX_EVENT_DATA_BYTES}`);
      if (cx.events === NO_EVENTS) cx.events = [];
      cx.events.push({ name: keys.get(cx.buf, u8, name, nameLen), data: copier.copy(cx.buffer!, u8, data, dataLen) });
    },
    log(msg: number, len: number): void {
      if (!cx.active) throw inactive("log");
      if (cx.metered) charge(FEES.hostCall);
      const u8 = view();
      range("log", "message", msg, len, u8.length);
      if (cx.logs === NO_LOGS) cx.logs = [];
      cx.logs.push(utf8.decode(u8.subarray(msg, msg + len)));
    },
  };
  const env = {
    abort(msg: number, file: number, line: number, col: number): void {
      if (cx.memory === null) throw new HostFault(`abort during instantiation at ${line >>> 0}:${col >>> 0}`);
      const u8 = view();
      throw new HostFault(`abort: ${readString(u8, msg)} at ${readString(u8, file)}:${line >>> 0}:${col >>> 0}`);
    },
  };
  return { host, env };
}
