// The client's CosmWasm transport (docs/COSMWASM.md): the same typed client, methods and types
// as CanaryClient, over a CosmWasm contract instead of the native host.
//
//   CosmWasmConnection       what a transport needs from a chain: execute(sender, msg, funds?),
//                            query(msg), sudo?(msg), instantiate?(sender, msg), height()
//     - cw-simulate:         src/client/cosmwasm-sim.ts (SimConnection; tests and
//                            `canary replay --target cosmwasm`)
//     - CosmJS:              CosmJsConnection below, over SigningCosmWasmClient (a real chain;
//                            written against CosmJS's types, not exercised against a chain here)
//   CosmWasmInvoker          the host's Invoker contract (method, Borsh args) → InvokeResult,
//                            mapped to and from JSON messages (src/abi/cosmwasm.ts: the names
//                            and forms come from the definition; there is no per-method table)
//   CosmWasmCanaryClient     every CanaryClient method, async, over a connection
//
// Mapping: the Borsh arguments are decoded with the method's definition and written as the
// JSON message; a query's JSON answer is read with the result's definition and re-encoded as
// Borsh, so CanaryClient decodes it as it decodes the native output. A contract error whose
// message starts with a SPEC code name (`InvalidTransition: …`) becomes that code; any other
// error (funds refused by the chain, a trap, out of gas) is a FAULT with the message as trap.
// Events `wasm-<snake_name>` become the SPEC events with their attributes re-encoded as Borsh.

import {
  cwKind,
  fromAttribute,
  fromJson,
  messageName,
  snake,
  toJson,
  type AddressCodec,
} from "../abi/cosmwasm.ts";
import { ERROR_CODES, EVENT_DEFS, METHOD_DEFS } from "../abi/definition.ts";
import type { Field } from "../abi/field.ts";
import { METHODS, type MethodName } from "../abi/methods.ts";
import type { CallContext, InvokeResult, Invoker, RawEvent } from "../host/types.ts";
import { NOT_METHODS as SKIP, runClientMethod } from "./async.ts";
import { CanaryClient, type ClientOptions, type Signer } from "./client.ts";
import { bytesToHex, decode, encode, hexToBytes } from "./codec.ts";

// ---------------------------------------------------------------- bech32 (BIP-173)

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const b = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((b >>> i) & 1) chk ^= GEN[i]!;
  }
  return chk >>> 0;
}

const hrpExpand = (hrp: string): number[] => [...hrp].map((c) => c.charCodeAt(0) >> 5).concat([0], [...hrp].map((c) => c.charCodeAt(0) & 31));

function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] | null {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const max = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    acc = (acc << from) | data[i]!;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & max);
    }
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & max);
  } else if (bits >= from || ((acc << (to - bits)) & max) !== 0) return null;
  return out;
}

export function toBech32(prefix: string, data: Uint8Array): string {
  const words = convertBits(data, 8, 5, true)!;
  const chk = polymod([...hrpExpand(prefix), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const sum = [0, 1, 2, 3, 4, 5].map((i) => (chk >>> (5 * (5 - i))) & 31);
  return prefix + "1" + [...words, ...sum].map((w) => CHARSET[w]).join("");
}

export function fromBech32(address: string): { prefix: string; data: Uint8Array } {
  const a = address.toLowerCase();
  if (a !== address && address.toUpperCase() !== address) throw new TypeError(`${address}: mixed-case bech32`);
  const sep = a.lastIndexOf("1");
  if (sep < 1 || a.length - sep < 7) throw new TypeError(`${address}: not bech32`);
  const prefix = a.slice(0, sep);
  const words = [...a.slice(sep + 1)].map((c) => CHARSET.indexOf(c));
  if (words.some((w) => w < 0)) throw new TypeError(`${address}: not bech32`);
  if (polymod([...hrpExpand(prefix), ...words]) !== 1) throw new TypeError(`${address}: bad bech32 checksum`);
  const bytes = convertBits(words.slice(0, -6), 5, 8, false);
  if (bytes === null) throw new TypeError(`${address}: bad bech32 padding`);
  return { prefix, data: Uint8Array.from(bytes) };
}

/** Accounts ↔ bech32 addresses with `prefix` (the 20 bytes are the canonical address). */
export function bech32Codec(prefix: string): AddressCodec {
  return {
    toHuman: (hex) => toBech32(prefix, hexToBytes(hex)),
    toHex: (human) => {
      const { prefix: p, data } = fromBech32(human);
      if (p !== prefix) throw new TypeError(`${human}: prefix ${p}, expected ${prefix}`);
      return bytesToHex(data);
    },
  };
}

// ---------------------------------------------------------------- the connection

export interface Coin {
  denom: string;
  amount: string;
}

/** An event as a chain reports it (`wasm-status_changed` with string attributes). */
export interface CwEvent {
  type: string;
  attributes: readonly { key: string; value: string }[];
}

/** A message's outcome: the events and data of a success, or the chain's error text. */
export type CwResult = { ok: true; events: CwEvent[]; data?: string | null; gasUsed?: number } | { ok: false; error: string; gasUsed?: number };

export type CwQueryResult = { ok: true; value: unknown } | { ok: false; error: string };

/** What the transport needs from a chain; the messages are COSMWASM.md section 3's JSON. */
export interface CosmWasmConnection {
  /** Human addresses of the chain ↔ the client's 20-byte accounts. */
  readonly addresses: AddressCodec;
  execute(sender: string, msg: object, funds?: readonly Coin[]): Promise<CwResult>;
  query(msg: object): Promise<CwQueryResult>;
  /** Only where the caller may run sudo (a simulator; on a chain the hook module does). */
  sudo?(msg: object): Promise<CwResult>;
  /** Only where the contract is not yet instantiated by the caller's setup. */
  instantiate?(sender: string, msg: object): Promise<CwResult>;
  /** The height the next message runs at (a simulator may also be told: setHeight). */
  height(): number | Promise<number>;
  setHeight?(height: number): void;
}

/** The same, answering at once (cw-simulate is synchronous once the module is loaded). */
export interface SyncCosmWasmConnection {
  readonly addresses: AddressCodec;
  execute(sender: string, msg: object, funds?: readonly Coin[]): CwResult;
  query(msg: object): CwQueryResult;
  sudo?(msg: object): CwResult;
  instantiate?(sender: string, msg: object): CwResult;
  height(): number;
  setHeight?(height: number): void;
}

// ---------------------------------------------------------------- the mapping

/** One method call as the CosmWasm message it becomes. */
export interface CwCall {
  kind: "execute" | "query" | "instantiate" | "sudo";
  msg: Record<string, unknown>;
}

/** The sudo message onPersist becomes (x/clock's). */
export const END_BLOCK_MSG = { clock_end_block: {} } as const;

/** The JSON message of `method` with Borsh `args` (decoded with the method's definition). */
export function cwCall(method: MethodName, args: Uint8Array, addr: AddressCodec): CwCall {
  const def = METHOD_DEFS[method];
  const raw = decode(def.args as Field, args, `${method} arguments`);
  const kind = cwKind(method);
  if (kind === "sudo") return { kind, msg: { ...END_BLOCK_MSG } };
  const body = toJson(def.args as Field, raw, addr, true) as Record<string, unknown>;
  if (kind === "instantiate") return { kind, msg: body };
  return { kind, msg: { [messageName(method)]: body } };
}

const CODE_NAMES = ERROR_CODES.map(([n]) => n as string);
const CODE_RE = new RegExp(`\\b(${CODE_NAMES.slice(1).join("|")}):`);

/** The SPEC code a contract error names (`… InvalidTransition: detail`), or -1. */
export function errorCode(error: string): number {
  const m = CODE_RE.exec(error);
  return m ? CODE_NAMES.indexOf(m[1]!) : -1;
}

const EVENT_BY_TYPE = new Map(Object.keys(EVENT_DEFS).map((n) => [`wasm-${snake(n)}`, n as keyof typeof EVENT_DEFS]));

/** The SPEC events among a response's events, as the native host would have emitted them. */
export function rawEvents(events: readonly CwEvent[], addr: AddressCodec): RawEvent[] {
  const out: RawEvent[] = [];
  for (const e of events) {
    const name = EVENT_BY_TYPE.get(e.type);
    if (name === undefined) continue;
    const payload = EVENT_DEFS[name].payload as Field & { struct: Record<string, Field> };
    const attrs = new Map(e.attributes.map((a) => [a.key, a.value]));
    const value: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(payload.struct)) value[k] = fromAttribute(f, attrs.get(snake(k)), addr, `${e.type}.${snake(k)}`);
    out.push({ name, data: encode(payload, value, e.type) });
  }
  return out;
}

const EMPTY = new Uint8Array(0);

function failed(error: string): InvokeResult {
  const code = errorCode(error);
  const r: InvokeResult = { code, ok: false, output: EMPTY, events: [], logs: [] };
  if (code < 0) r.trap = error;
  else r.logs = [error];
  return r;
}

/** An execute/sudo/instantiate outcome as the host's InvokeResult. */
export function txResult(r: CwResult, addr: AddressCodec): InvokeResult {
  let out: InvokeResult;
  if (!r.ok) out = failed(r.error);
  else {
    try {
      out = { code: 0, ok: true, output: EMPTY, events: rawEvents(r.events, addr), logs: [] };
    } catch (e) {
      out = { code: -1, ok: false, output: EMPTY, events: [], logs: [], trap: `events: ${(e as Error).message}` };
    }
  }
  if (r.gasUsed !== undefined) out.gasUsed = r.gasUsed;
  return out;
}

/** A query's outcome as the host's InvokeResult: the JSON answer re-encoded as Borsh. */
export function queryResult(method: MethodName, r: CwQueryResult, addr: AddressCodec): InvokeResult {
  if (!r.ok) return failed(r.error);
  const f = METHOD_DEFS[method].result as Field;
  try {
    return { code: 0, ok: true, output: encode(f, fromJson(f, r.value, addr, messageName(method)), messageName(method)), events: [], logs: [] };
  } catch (e) {
    return { code: -1, ok: false, output: EMPTY, events: [], logs: [], trap: `result: ${(e as Error).message}` };
  }
}

function checkMethod(method: string): MethodName {
  if (!Object.prototype.hasOwnProperty.call(METHODS, method)) throw new TypeError(`unknown method ${JSON.stringify(method)}`);
  return method as MethodName;
}

function unsupported(call: CwCall): InvokeResult {
  return { code: -1, ok: false, output: EMPTY, events: [], logs: [], trap: `the connection cannot send ${call.kind} messages` };
}

/**
 * The host's Invoker over a synchronous connection (cw-simulate): CanaryClient runs over it
 * unchanged. A transaction's `ctx.height` is given to the connection (setHeight) when it can
 * take one; its witnesses are the sender alone (a CosmWasm message has one signer).
 */
export class SyncCosmWasmInvoker implements Invoker {
  constructor(readonly connection: SyncCosmWasmConnection) {}

  transact(method: string, args: Uint8Array, ctx: CallContext): InvokeResult {
    const m = checkMethod(method);
    const addr = this.connection.addresses;
    const call = cwCall(m, args, addr);
    this.connection.setHeight?.(ctx.height);
    const sender = addr.toHuman(bytesToHex(ctx.sender));
    if (call.kind === "query") return queryResult(m, this.connection.query(call.msg), addr);
    if (call.kind === "execute") return txResult(this.connection.execute(sender, call.msg), addr);
    if (call.kind === "sudo") return this.connection.sudo ? txResult(this.connection.sudo(call.msg), addr) : unsupported(call);
    return this.connection.instantiate ? txResult(this.connection.instantiate(sender, call.msg), addr) : unsupported(call);
  }

  view(method: string, args: Uint8Array, _ctx?: Partial<CallContext>): InvokeResult {
    const m = checkMethod(method);
    const addr = this.connection.addresses;
    const call = cwCall(m, args, addr);
    if (call.kind !== "query") throw new TypeError(`${method} is not a query on CosmWasm (it is ${call.kind})`);
    return queryResult(m, this.connection.query(call.msg), addr);
  }
}

/** The same over an asynchronous connection (CosmJS). */
export class CosmWasmInvoker {
  constructor(readonly connection: CosmWasmConnection) {}

  async transact(method: string, args: Uint8Array, ctx: CallContext): Promise<InvokeResult> {
    const m = checkMethod(method);
    const addr = this.connection.addresses;
    const call = cwCall(m, args, addr);
    this.connection.setHeight?.(ctx.height);
    const sender = addr.toHuman(bytesToHex(ctx.sender));
    if (call.kind === "query") return queryResult(m, await this.connection.query(call.msg), addr);
    if (call.kind === "execute") return txResult(await this.connection.execute(sender, call.msg), addr);
    if (call.kind === "sudo") return this.connection.sudo ? txResult(await this.connection.sudo(call.msg), addr) : unsupported(call);
    return this.connection.instantiate ? txResult(await this.connection.instantiate(sender, call.msg), addr) : unsupported(call);
  }

  async view(method: string, args: Uint8Array, _ctx?: Partial<CallContext>): Promise<InvokeResult> {
    const m = checkMethod(method);
    const addr = this.connection.addresses;
    const call = cwCall(m, args, addr);
    if (call.kind !== "query") throw new TypeError(`${method} is not a query on CosmWasm (it is ${call.kind})`);
    return queryResult(m, await this.connection.query(call.msg), addr);
  }
}

// ---------------------------------------------------------------- the typed client

type AnyFn = (...a: never[]) => unknown;
type Promised<F> = F extends (...a: infer A) => infer R ? (...a: A) => Promise<R> : never;

/** CanaryClient's methods, arguments and results, as Promises (CosmWasmCanaryClient). */
export type AsyncCosmWasmClient = { [K in keyof CanaryClient as CanaryClient[K] extends AnyFn ? K : never]: Promised<CanaryClient[K]> } & {
  readonly invoker: CosmWasmInvoker;
};

/**
 * The typed client over CosmWasm: `await client.startCanary(ops, "feature", 500)`, `await
 * client.getFeature("feature")` — CanaryClient's methods, arguments and results (TxResult,
 * FeatureView, …) as Promises. Accounts are the client's 20-byte form (0x-hex or bytes); the
 * connection's address codec turns them into the chain's bech32 addresses. A transaction's
 * height defaults to the connection's height.
 */
export function CosmWasmCanaryClient(connection: CosmWasmConnection, options: ClientOptions = {}): AsyncCosmWasmClient {
  const invoker = new CosmWasmInvoker(connection);
  const height = async (): Promise<number> => connection.height();
  const out: Record<string, unknown> = { invoker };
  for (const name of Object.getOwnPropertyNames(CanaryClient.prototype)) {
    if (SKIP.has(name)) continue;
    out[name] = async (...args: unknown[]) => runClientMethod(invoker, { ...options, height: options.height ?? (await height()) }, name, args);
  }
  return out as unknown as AsyncCosmWasmClient;
}

/** The synchronous typed client over cw-simulate: a CanaryClient, exactly (replay, tests). */
export function syncCosmWasmClient(connection: SyncCosmWasmConnection, options: ClientOptions = {}): CanaryClient {
  return new CanaryClient(new SyncCosmWasmInvoker(connection), { height: () => connection.height(), ...options });
}

/** A signer's account as the chain's address (for messages sent outside the client). */
export function signerAddress(signer: Signer, addr: AddressCodec): string {
  const s = typeof signer === "string" || signer instanceof Uint8Array ? signer : signer.sender;
  return addr.toHuman(typeof s === "string" ? s.toLowerCase() : bytesToHex(s));
}

// ---------------------------------------------------------------- CosmJS

/**
 * The part of CosmJS's SigningCosmWasmClient (`@cosmjs/cosmwasm-stargate`) this transport
 * uses, so the adapter type-checks against it without importing it at run time.
 */
export type CosmJsClient = Pick<import("@cosmjs/cosmwasm-stargate").SigningCosmWasmClient, "execute" | "queryContractSmart" | "getHeight">;

/**
 * A real chain through CosmJS: `execute` signs with the client's wallet (the sender must be
 * the wallet's address: a chain message has one signer), `query` is a smart query. No sudo
 * (the chain's hook module sends it) and no instantiate (deploy first: docs/COSMWASM.md).
 * Written against CosmJS's types; not exercised against a real chain in this repository.
 */
export class CosmJsConnection implements CosmWasmConnection {
  readonly addresses: AddressCodec;

  constructor(
    readonly client: CosmJsClient,
    readonly contract: string,
    prefix: string,
    readonly fee: import("@cosmjs/stargate").StdFee | "auto" | number = "auto",
  ) {
    this.addresses = bech32Codec(prefix);
  }

  async execute(sender: string, msg: object, funds?: readonly Coin[]): Promise<CwResult> {
    try {
      const r = await this.client.execute(sender, this.contract, msg, this.fee, undefined, funds);
      return { ok: true, events: r.events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ key: a.key, value: a.value })) })), gasUsed: Number(r.gasUsed) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  async query(msg: object): Promise<CwQueryResult> {
    try {
      return { ok: true, value: await this.client.queryContractSmart(this.contract, msg) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  height(): Promise<number> {
    return this.client.getHeight();
  }
}
