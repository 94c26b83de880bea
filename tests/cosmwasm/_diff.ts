// The differential harness: one call sequence through the native host (src/host Chain +
// src/client) and through the CosmWasm module in cw-simulate (tests/cosmwasm/_sim.ts), the
// two compared after every call:
//   - outcome: ok on both, or the native code name = the start of CosmWasm's error message;
//   - results: the native decoded value mapped to COSMWASM.md section 3's JSON (toJson,
//     driven by src/abi/definition.ts) = the query's JSON;
//   - events: each native event {name, data} mapped to `wasm-<snake_name>` with its fields as
//     attributes = the response's events (plus the response attribute `action`);
//   - storage: SPEC section 9's keys and values, byte for byte (the state roots equal).
//
// Blocks end with onPersist natively (Chain.endBlock) and with sudo `clock_end_block {}` on
// CosmWasm, at the same height.
//
// Mapping choices where COSMWASM.md is silent (docs/COSMWASM.md, "Differential tests"):
// an Option field that is None is an absent attribute (also accepted: "" or "null"); an
// attribute value is the JSON encoding of section 3 without quotes (numbers and u64 as
// decimal, bools true/false, enums snake_case, accounts bech32); attribute order is not
// compared.

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ENUMS, EVENT_DEFS, METHOD_DEFS } from "../../src/abi/definition.ts";
import type { Field } from "../../src/abi/field.ts";
import { Chain, type BlockResult } from "../../src/host/chain.ts";
import { CanaryClient, completePolicy, decodeEvent, type TxResult } from "../../src/client/index.ts";
import type { MethodName } from "../../src/abi/methods.ts";
import { bech32Of, dump, isSpecKey, rootOf, Sim, type Coin, type CwOutcome, type CwQuery } from "./_sim.ts";
import { checkMessage, checkResponse } from "./_schema.ts";

const ROOT = resolve(import.meta.dirname, "../..");
export const NATIVE_WASM = resolve(ROOT, "build/canary.wasm");
export const CW_WASM = resolve(ROOT, "build/canary-cw.wasm");
/** The CosmWasm module is there (branch cwa, merged): the differential tests run; else they skip. */
export const HAVE_CW = existsSync(CW_WASM) && existsSync(NATIVE_WASM);

// ---------------------------------------------------------------- names

/** camelCase / PascalCase → snake_case. */
export function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? "" : "_") + c.toLowerCase());
}

/** The query message name of each view (COSMWASM.md section 3). */
export const QUERY_NAMES: Partial<Record<MethodName, string>> = {
  isEnabled: "is_enabled",
  isEnabledMany: "is_enabled_many",
  bucketOf: "bucket_of",
  hasRole: "has_role",
  getFeature: "feature",
  getMetrics: "metrics",
  listFeatures: "list_features",
  getHistory: "history",
  getGlobal: "global",
};

export const isView = (m: MethodName): boolean => QUERY_NAMES[m] !== undefined;

// ---------------------------------------------------------------- values

function enumLabel(kind: keyof typeof ENUMS, v: unknown): string {
  // A policy's analysis is validated as policy (SPEC section 2): a value without a name is
  // sent as a name that names nothing, which the module must refuse as InvalidPolicy, like
  // the native module refuses the number.
  if (kind === "Analysis" && typeof v === "number" && ENUMS.Analysis.values[v] === undefined) return `analysis_${v}`;
  const name = typeof v === "number" ? ENUMS[kind].values[v]?.[0] : String(v);
  if (name === undefined) throw new Error(`toJson: ${kind} ${String(v)} has no name`);
  return snake(name);
}

/**
 * A value of `field` (client input form, decoded form or display form) as COSMWASM.md
 * section 3 writes it: u8/u16/u32 numbers, u64/i64 decimal strings, enums snake_case names,
 * accounts bech32, Option null, structs with snake_case keys (undefined fields left out).
 */
export function toJson(field: Field, v: unknown): unknown {
  if (typeof field === "string") {
    switch (field) {
      case "u8":
      case "u16":
      case "u32":
        return Number(v);
      case "u64":
      case "i64":
        return BigInt(v as bigint).toString();
      case "account":
        return bech32Of(v as string | Uint8Array);
      default:
        return v;
    }
  }
  if ("vec" in field) return (v as unknown[]).map((x) => toJson(field.vec, x));
  if ("option" in field) return v === null || v === undefined ? null : toJson(field.option, v);
  if ("enum" in field) return enumLabel(field.enum, v);
  const obj = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, sub] of Object.entries(field.struct)) if (obj[k] !== undefined) out[snake(k)] = toJson(sub, obj[k]);
  return out;
}

/** The JSON message of a call: execute `{method_snake: args}` or query `{query_name: args}`. */
export function messageOf(method: MethodName, args: Record<string, unknown>): Record<string, unknown> {
  const def = METHOD_DEFS[method];
  let a = args;
  if (method === "updatePolicy") a = { ...args, policy: completePolicy(args.policy as never) };
  const body = toJson(def.args, a) as Record<string, unknown>;
  for (const [k, x] of Object.entries(body)) if (x === null) delete body[k];
  return { [QUERY_NAMES[method] ?? snake(method)]: body };
}

/** A native event as its CosmWasm event: type `wasm-<snake>` and attribute key → value. */
export function eventOf(ev: { name: string; data: Record<string, unknown> }): { type: string; attrs: Record<string, string | null> } {
  const def = EVENT_DEFS[ev.name as keyof typeof EVENT_DEFS];
  const json = toJson(def.payload, ev.data) as Record<string, unknown>;
  const attrs: Record<string, string | null> = {};
  for (const [k, x] of Object.entries(json)) attrs[k] = x === null ? null : String(x);
  return { type: `wasm-${snake(ev.name)}`, attrs };
}

// ---------------------------------------------------------------- the two sides

/** What a step did on both sides, when they agree. */
export interface Step {
  ok: boolean;
  /** The native code name ("Ok", "Unauthorized", …). */
  code: string;
  native: TxResult;
  cw: CwOutcome | { ok: true; value: unknown } | { ok: false; error: string };
}

export class Mismatch extends Error {
  constructor(message: string, readonly trail: readonly string[]) {
    super(`${message}\n--- call sequence (last 40) ---\n${trail.slice(-40).join("\n")}`);
    this.name = "Mismatch";
  }
}

/** What the harness needs of the CosmWasm side: cw-simulate's Sim, or the stub (_stub.ts). */
export interface CwSide {
  height: number;
  instantiate(sender: string, msg: unknown): Promise<CwOutcome>;
  execute(sender: string, msg: unknown, funds?: Coin[]): CwOutcome;
  sudo(msg: unknown): CwOutcome;
  query(msg: unknown): CwQuery;
  /** Every (key, value) of the contract, in bytewise key order. */
  entries(): [Uint8Array, Uint8Array][];
}

export interface PairOptions {
  /** The CosmWasm side (default: build/canary-cw.wasm in cw-simulate). */
  side?: CwSide;
  /** Instantiate option max_due_per_block (default 100, the largest: see open()). */
  maxDuePerBlock?: number;
  /** Compare storage after every call (default true); else only at block ends. */
  storageEveryCall?: boolean;
  metering?: boolean;
}

const NO_ARGS = new Uint8Array(0);

/**
 * Both sides over one sequence. Heights: block 0 holds init/instantiate; `height` is the open
 * block; `endBlock()` closes it (onPersist / sudo clock_end_block) and opens height + 1;
 * `skipTo(h)` leaves a gap (no block at all between).
 */
export class Pair {
  readonly chain: Chain;
  readonly client: CanaryClient;
  readonly trail: string[] = [];
  height = 0;
  private blockOpen = false;
  private readonly everyCall: boolean;

  private constructor(
    nativeWasm: Uint8Array,
    readonly sim: CwSide,
    options: PairOptions,
  ) {
    this.chain = new Chain(nativeWasm);
    this.client = new CanaryClient(this.chain);
    this.everyCall = options.storageEveryCall ?? true;
  }

  static async open(admin: string, options: PairOptions = {}): Promise<Pair> {
    const native = new Uint8Array(readFileSync(NATIVE_WASM));
    const sim = options.side ?? Sim.store(new Uint8Array(readFileSync(CW_WASM)), { metering: options.metering ?? false, height: 0 });
    const pair = new Pair(native, sim, options);
    // Natively onPersist processes every due feature; one sudo processes at most
    // max_due_per_block (COSMWASM.md section 3). The two agree while the bound is not hit, so
    // the differential runs at the largest bound (100); the bound itself is tested in
    // sudo-batch.test.ts and cwa's module-sudo.test.ts.
    const msg: Record<string, unknown> = { admin: bech32Of(admin), max_due_per_block: options.maxDuePerBlock ?? 100 };
    pair.trail.push(`h0 instantiate ${JSON.stringify(msg)} by ${admin}`);
    checkMessage("instantiate", msg);
    const r = await sim.instantiate(bech32Of(admin), msg);
    if (!r.ok) throw new Mismatch(`instantiate failed on CosmWasm: ${r.error}`, pair.trail);
    pair.blockOpen = true;
    const init = pair.client.call("init", { admin }, { sender: admin, height: 0 });
    if (!init.ok) throw new Mismatch(`init failed natively: ${init.codeName}`, pair.trail);
    pair.compareStorage("after init/instantiate");
    pair.endBlock();
    return pair;
  }

  /** Opens block `height` on both sides (before calling `sim` directly). */
  openBlock(): void {
    this.open();
  }

  private open(): void {
    if (!this.blockOpen) {
      this.chain.beginBlock(this.height);
      this.blockOpen = true;
    }
    this.sim.height = this.height;
  }

  /** A transaction (or a view, by the method's kind) sent by `sender` (0x-hex, or 32 bytes for CosmWasm only). */
  call(sender: string, method: MethodName, args: Record<string, unknown>, funds: Coin[] = []): Step {
    return isView(method) ? this.view(method, args) : this.tx(sender, method, args, funds);
  }

  tx(sender: string, method: MethodName, args: Record<string, unknown>, funds: Coin[] = []): Step {
    this.open();
    const msg = messageOf(method, args);
    this.trail.push(`h${this.height} execute ${JSON.stringify(msg)} by ${sender}`);
    const native = this.client.call(method, args, { sender, height: this.height });
    const cw = this.sim.execute(bech32Of(sender), msg, funds);
    const step = this.compareOutcome(`${method}`, native, cw);
    // Every message the contract accepts is one schema/ describes (refused ones may not be:
    // the tests send malformed and invalid input on purpose).
    if (native.ok) checkMessage("execute", msg);
    if (native.ok && cw.ok) {
      this.compareEvents(method, native.events as never, cw.events);
      const action = cw.attributes.find((a) => a.key === "action");
      if (action?.value !== snake(method)) this.fail(`${method}: response attribute action = ${JSON.stringify(action?.value)}, want ${JSON.stringify(snake(method))}`);
    }
    if (this.everyCall) this.compareStorage(`after ${method}`);
    return step;
  }

  /** A view natively only, Borsh args in (the scenario runner's traffic between sampled blocks). */
  rawView(method: MethodName, args: Uint8Array): { ok: boolean; output: Uint8Array } {
    this.open();
    return this.chain.view(method, args, { height: this.height });
  }

  view(method: MethodName, args: Record<string, unknown>): Step {
    this.open();
    const msg = messageOf(method, args);
    this.trail.push(`h${this.height} query ${JSON.stringify(msg)}`);
    const native = this.client.call(method, args, { sender: "0x" + "00".repeat(20), height: this.height });
    const cw = this.sim.query(msg);
    const step = this.compareOutcome(method, native, cw);
    if (native.ok) checkMessage("query", msg);
    if (native.ok && cw.ok) {
      const want = toJson(METHOD_DEFS[method].result!, native.result);
      const got = cw.value;
      checkResponse(Object.keys(msg)[0]!, got);
      const plain = method === "isEnabledMany" || method === "isEnabled" || method === "bucketOf" || method === "hasRole";
      if (plain ? JSON.stringify(want) !== JSON.stringify(got) : JSON.stringify(canon(want)) !== JSON.stringify(canon(got))) {
        this.fail(`${method}: results differ\n native (as JSON): ${JSON.stringify(want)}\n cosmwasm:         ${JSON.stringify(got)}`);
      }
    }
    return step;
  }

  /** Ends the open block: onPersist natively, sudo clock_end_block on CosmWasm; the next block opens at height + 1. */
  endBlock(sudoMsg: Record<string, unknown> = { clock_end_block: {} }): { native: BlockResult; cw: CwOutcome } {
    this.open();
    this.trail.push(`h${this.height} sudo ${JSON.stringify(sudoMsg)}`);
    checkMessage("sudo", sudoMsg);
    const br = this.chain.endBlock();
    this.blockOpen = false;
    const cw = this.sim.sudo(sudoMsg);
    if (!br.onPersist.ok) this.fail(`onPersist failed natively at ${this.height}: code ${br.onPersist.code}`);
    if (!cw.ok) this.fail(`sudo failed on CosmWasm at ${this.height}: ${cw.error}`);
    const nativeEvents = br.onPersist.events.map((e) => decodeRaw(e));
    if (cw.ok) this.compareEvents("onPersist", nativeEvents, cw.events);
    this.compareStorage(`after block ${this.height}`, br.stateRoot);
    this.height++;
    return { native: br, cw };
  }

  /** Jumps to height `h` (a gap: no block, no onPersist, no sudo in between). */
  skipTo(h: number): void {
    if (this.blockOpen) throw new Error("skipTo: end the open block first");
    if (h < this.height) throw new Error("skipTo: heights only increase");
    this.trail.push(`(gap to h${h})`);
    this.height = h;
  }

  private fail(message: string): never {
    throw new Mismatch(message, this.trail);
  }

  private compareOutcome(what: string, native: TxResult, cw: { ok: boolean; error?: string }): Step {
    if (native.trap !== undefined) this.fail(`${what}: native trap ${native.trap}`);
    const cwError = cw.ok ? "" : (cw as { error: string }).error;
    if (native.ok !== cw.ok) {
      this.fail(`${what}: native ${native.ok ? "ok" : native.codeName} but cosmwasm ${cw.ok ? "ok" : JSON.stringify(cwError)}`);
    }
    if (!native.ok) {
      const code = /^([A-Za-z]+)(:|$)/.exec(cwError)?.[1];
      if (code !== native.codeName) this.fail(`${what}: native ${native.codeName} but cosmwasm error ${JSON.stringify(cwError)}`);
    }
    return { ok: native.ok, code: native.codeName, native, cw: cw as Step["cw"] };
  }

  private compareEvents(what: string, native: readonly { name: string; data: Record<string, unknown> }[], cw: readonly { type: string; attributes: { key: string; value: string }[] }[]): void {
    const want = native.map(eventOf);
    const got = cw.map((e) => ({ type: e.type.startsWith("wasm-") ? e.type : `wasm-${e.type}`, raw: e.type, attrs: e.attributes }));
    const show = () => `\n native:   ${JSON.stringify(want)}\n cosmwasm: ${JSON.stringify(cw)}`;
    if (want.length !== got.length) this.fail(`${what}: ${want.length} events natively, ${got.length} on CosmWasm${show()}`);
    want.forEach((w, i) => {
      const g = got[i]!;
      if (g.type !== w.type) this.fail(`${what}: event ${i} is ${w.type} natively, ${g.type} on CosmWasm${show()}`);
      if (g.raw.startsWith("wasm-")) this.fail(`${what}: event type ${g.raw} already starts with wasm- (the chain adds the prefix: it would read wasm-${g.raw})`);
      const gm = new Map<string, string>();
      for (const a of g.attrs) {
        if (a.key === "_contract_address") continue;
        if (gm.has(a.key)) this.fail(`${what}: event ${w.type} repeats attribute ${a.key}${show()}`);
        gm.set(a.key, a.value);
      }
      for (const [k, v] of Object.entries(w.attrs)) {
        const gv = gm.get(k);
        if (v === null) {
          if (gv !== undefined && gv !== "" && gv !== "null") this.fail(`${what}: ${w.type}.${k} is None natively, ${JSON.stringify(gv)} on CosmWasm${show()}`);
        } else if (gv !== v) this.fail(`${what}: ${w.type}.${k} = ${JSON.stringify(v)} natively, ${JSON.stringify(gv)} on CosmWasm${show()}`);
        gm.delete(k);
      }
      if (gm.size > 0) this.fail(`${what}: ${w.type} has extra attributes ${[...gm.keys()].join(", ")} on CosmWasm${show()}`);
    });
  }

  /** SPEC section 9's keys natively (open block included) and on CosmWasm: byte-identical. */
  compareStorage(where: string, nativeRoot?: string): void {
    const c = this.cwEntries();
    const rc = rootOf(c);
    if (nativeRoot !== undefined && nativeRoot === rc) return;
    const n = this.nativeEntries();
    const rn = rootOf(n);
    if (nativeRoot !== undefined && rn !== nativeRoot) throw new Error(`harness: rootOf disagrees with the chain's state root ${where}`);
    if (rn !== rc) {
      const dn = new Set(dump(n));
      const dc = new Set(dump(c));
      const onlyN = [...dn].filter((x) => !dc.has(x));
      const onlyC = [...dc].filter((x) => !dn.has(x));
      this.fail(`storage differs ${where}\n only native:   ${onlyN.slice(0, 8).join("\n                ")}\n only cosmwasm: ${onlyC.slice(0, 8).join("\n                ")}`);
    }
  }

  nativeEntries(): [Uint8Array, Uint8Array][] {
    const ov = (this.chain as unknown as { blockOverlay: { next(p: Uint8Array, a: Uint8Array): [Uint8Array, Uint8Array] | undefined } }).blockOverlay;
    const out: [Uint8Array, Uint8Array][] = [];
    for (let r = ov.next(NO_ARGS, NO_ARGS); r !== undefined; r = ov.next(NO_ARGS, r[0])) out.push(r);
    return out;
  }

  cwEntries(): [Uint8Array, Uint8Array][] {
    return this.sim.entries().filter(([k]) => isSpecKey(k));
  }
}

function decodeRaw(e: Parameters<typeof decodeEvent>[0]): { name: string; data: Record<string, unknown> } {
  const d = decodeEvent(e);
  return { name: d.name, data: d.data as Record<string, unknown> };
}

/** JSON with object keys sorted (the comparison ignores key order). */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, canon(o[k])]));
  }
  return v;
}
