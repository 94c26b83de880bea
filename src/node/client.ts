// Clients of the node over JSON-RPC (docs/NODE.md, "Clients").
//
// - NodeRpc: the raw methods (fetch over HTTP keep-alive), each request bounded by a timeout.
// - Wallet: keys by account, nonces tracked locally, signing and submitting transactions.
// - RpcInvoker: the host's Invoker shape, asynchronous (HTTP cannot answer synchronously).
// - RpcCanaryClient: every method of CanaryClient with the same name and arguments, returning
//   a Promise of what CanaryClient returns. It runs CanaryClient's own code (so encoding,
//   decoding and errors are identical) against a recording Invoker: each run stops at the
//   first invoker call not answered yet, that call goes over RPC, and the method is run
//   again with the answers so far, until it returns. Transactions are sent once: answers are
//   replayed by position, never re-sent.

import { Buffer } from "node:buffer";
import { Agent, request as httpRequest } from "node:http";
import { runClientMethod, NOT_METHODS as SKIP, type AsyncInvoker } from "../client/async.ts";
import { CanaryClient, type ClientOptions, type Signer } from "../client/client.ts";
import type { AccountLike } from "../client/codec.ts";
import type { CallContext, InvokeResult, RawEvent } from "../host/types.ts";
import { RpcError } from "./errors.ts";
import { NodeKey } from "./keys.ts";
import { signTx, type TxJson } from "./tx.ts";

export interface RpcOptions {
  /** Per-request timeout in ms (default 30000). */
  timeoutMs?: number;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.startsWith("0x") ? s.slice(2) : s, "hex"));

export interface CallAnswer {
  height: number;
  status: "HALT" | "FAULT";
  code: number;
  error: string | null;
  output: string;
  result: unknown;
  logs: string[];
  trap?: string;
}

export interface TxAnswer extends Omit<CallAnswer, "status"> {
  hash: string;
  status: "HALT" | "FAULT";
  index: number;
  sender: string;
  method: string;
  nonce: number;
  events: { name: string; data: unknown }[];
  rawEvents: { name: string; data: string }[];
  tx: TxJson;
}

export interface NodeInfo {
  network: number;
  height: number;
  blockTimeMs: number;
  maxTxPerBlock: number;
  maxValidIncrement: number;
  /** Gas limit of every transaction (metered module). */
  txGasLimit: number;
  mempool: number;
  persistent: boolean;
}

/** The node's JSON-RPC methods. */
export class NodeRpc {
  readonly url: string;
  private readonly timeoutMs: number;
  private id = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });

  constructor(url: string, options: RpcOptions = {}) {
    this.url = url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** One JSON-RPC request; throws RpcError for an error answer, Error when the node cannot be reached. */
  async request<T = unknown>(method: string, params?: unknown): Promise<T> {
    const id = ++this.id;
    const payload = JSON.stringify(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params });
    let status: number;
    let text: string;
    try {
      ({ status, text } = await this.post(payload));
    } catch (e) {
      throw new Error(`cannot reach the node at ${this.url}: ${(e as Error).message}`);
    }
    let body: { result?: T; error?: { code: number; message: string; data?: unknown } };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`the node at ${this.url} answered HTTP ${status} with something other than JSON`);
    }
    if (body.error) throw new RpcError(body.error.code, body.error.message, body.error.data);
    return body.result as T;
  }

  /** POST over a keep-alive agent (node:http: several times cheaper per request than fetch on Node 20). */
  private post(payload: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        this.url + "/",
        { method: "POST", agent: this.agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  getHeight(): Promise<number> {
    return this.request("getHeight");
  }
  getInfo(): Promise<NodeInfo> {
    return this.request("getInfo");
  }
  getNonce(account: string): Promise<{ account: string; committed: number; next: number }> {
    return this.request("getNonce", { account });
  }
  sendTransaction(tx: TxJson): Promise<{ hash: string; expectedHeight: number }> {
    return this.request("sendTransaction", { tx });
  }
  call(method: string, args: Uint8Array | string, sender?: string): Promise<CallAnswer> {
    const p: Record<string, unknown> = { method, args: typeof args === "string" ? args : hex(args) };
    if (sender !== undefined) p.sender = sender;
    return this.request("call", p);
  }
  getBlock(height: number): Promise<unknown> {
    return this.request("getBlock", { height });
  }
  getTransaction(hash: string): Promise<TxAnswer | { hash: string; status: "pending" } | null> {
    return this.request("getTransaction", { hash });
  }
  getEvents(filter: { name?: string; feature?: string; fromHeight?: number; toHeight?: number; limit?: number } = {}): Promise<{
    events: unknown[];
    fromHeight: number;
    toHeight: number;
    next?: number;
  }> {
    return this.request("getEvents", filter);
  }

  /** Polls until the transaction is in a block (bounded by `timeoutMs`, default 60 s). */
  async waitForTransaction(hash: string, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<TxAnswer> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    const poll = opts.pollMs ?? 25;
    for (;;) {
      const t = await this.getTransaction(hash);
      if (t === null) throw new Error(`transaction ${hash} is unknown to the node`);
      if (t.status !== "pending") return t as TxAnswer;
      if (Date.now() > deadline) throw new Error(`transaction ${hash} was not included within ${opts.timeoutMs ?? 60_000} ms`);
      await new Promise((r) => setTimeout(r, poll));
    }
  }
}

/** Keys by account, local nonces, signing. */
export class Wallet {
  private readonly keys = new Map<string, NodeKey>();
  private readonly nonces = new Map<string, number>();
  private network: number | undefined;

  constructor(readonly rpc: NodeRpc, keys: readonly NodeKey[] = [], options: { validFor?: number } = {}) {
    for (const k of keys) this.add(k);
    this.validFor = options.validFor ?? 1000;
  }

  /** validUntilBlock = current height + validFor. */
  readonly validFor: number;

  add(key: NodeKey): string {
    this.keys.set(key.accountHex, key);
    return key.accountHex;
  }

  key(account: string): NodeKey {
    const k = this.keys.get(account.toLowerCase());
    if (k === undefined) throw new Error(`no key for account ${account} in this wallet`);
    return k;
  }

  /** Forgets the local nonce of `account` (the next transaction asks the node). */
  resetNonce(account: string): void {
    this.nonces.delete(account.toLowerCase());
  }

  /**
   * Signs and submits `method(args)`; `signers[0]` is the sender. Returns the hash once the
   * node accepted it (it will be in a block; `rpc.waitForTransaction` waits for it).
   * The nonce is taken only when the node accepts; on NonceTooLow/High it is re-read.
   */
  async send(signers: readonly NodeKey[], method: string, args: Uint8Array, opts: { nonce?: number; validUntilBlock?: number } = {}): Promise<{ hash: string; expectedHeight: number }> {
    if (this.network === undefined) this.network = (await this.rpc.getInfo()).network;
    const sender = signers[0]!.accountHex;
    // With a nonce of its own choosing, the wallet re-reads the node's on a nonce refusal
    // (another client used the key) and tries again, a bounded number of times.
    for (let attempt = 0; ; attempt++) {
      let nonce = opts.nonce ?? this.nonces.get(sender);
      if (nonce === undefined) nonce = (await this.rpc.getNonce(sender)).next;
      const validUntilBlock = opts.validUntilBlock ?? (await this.rpc.getHeight()) + this.validFor;
      const { json } = signTx(signers, { network: this.network, method, args, nonce, validUntilBlock });
      try {
        const r = await this.rpc.sendTransaction(json);
        this.nonces.set(sender, nonce + 1);
        return r;
      } catch (e) {
        const nonceError = e instanceof RpcError && (e.code === 1002 || e.code === 1003);
        if (nonceError) this.nonces.delete(sender);
        if (!nonceError || opts.nonce !== undefined || attempt >= 3) throw e;
      }
    }
  }
}

/** The host's Invoker, over RPC and therefore asynchronous. */
export type { AsyncInvoker };

function toInvokeResult(a: { code: number; output: string; logs: string[]; trap?: string }, events: RawEvent[]): InvokeResult {
  const ok = a.code === 0 && a.trap === undefined;
  const r: InvokeResult = { code: a.code, ok, output: unhex(a.output), events: ok ? events : [], logs: a.logs };
  if (a.trap !== undefined) r.trap = a.trap;
  return r;
}

/**
 * transact: the witnesses' keys sign (the sender's first; `ctx.witnesses` must include the
 * sender), the node includes it, the receipt comes back as an InvokeResult. `ctx.height` is
 * ignored: the node decides the block. view: `call` on the latest committed block.
 */
export class RpcInvoker implements AsyncInvoker {
  constructor(readonly wallet: Wallet) {}

  async transact(method: string, args: Uint8Array, ctx: CallContext): Promise<InvokeResult> {
    const sender = "0x" + hex(ctx.sender);
    const others = ctx.witnesses.map((w) => "0x" + hex(w)).filter((a) => a !== sender);
    if (!ctx.witnesses.some((w) => "0x" + hex(w) === sender)) {
      throw new Error(`${method}: over RPC the sender must sign (its witness is its signature)`);
    }
    const keys = [this.wallet.key(sender), ...others.map((a) => this.wallet.key(a))];
    const { hash } = await this.wallet.send(keys, method, args);
    const t = await this.wallet.rpc.waitForTransaction(hash);
    return toInvokeResult(t, t.rawEvents.map((e) => ({ name: e.name, data: unhex(e.data) })));
  }

  async view(method: string, args: Uint8Array, ctx: Partial<CallContext> = {}): Promise<InvokeResult> {
    const a = await this.wallet.rpc.call(method, args, ctx.sender === undefined ? undefined : "0x" + hex(ctx.sender));
    return toInvokeResult(a, []);
  }
}

type AnyFn = (...a: never[]) => unknown;
/** A signer over RPC: a NodeKey, or an account whose key is in the wallet (witnesses likewise). */
export type KeySigner = Signer | NodeKey | { sender: AccountLike | NodeKey; witnesses?: readonly (AccountLike | NodeKey)[] };
type Asyncify<F> = F extends (...a: infer A) => infer R
  ? A extends [infer S, ...infer Rest]
    ? [S] extends [Signer]
      ? [Signer] extends [S]
        ? (signer: KeySigner, ...rest: Rest) => Promise<R>
        : (...a: A) => Promise<R>
      : (...a: A) => Promise<R>
    : (...a: A) => Promise<R>
  : never;
type ClientMethods = {
  [K in keyof CanaryClient as CanaryClient[K] extends AnyFn ? K : never]: Asyncify<CanaryClient[K]>;
};

/** What `RpcCanaryClient` exposes: every CanaryClient method, async. */
export type AsyncCanaryClient = ClientMethods & { readonly invoker: RpcInvoker };

/** Replaces NodeKey signers by their accounts (adding the keys to the wallet). */
function signerArg(wallet: Wallet, v: unknown): unknown {
  if (v instanceof NodeKey) return wallet.add(v);
  if (typeof v === "object" && v !== null && !(v instanceof Uint8Array) && "sender" in v) {
    const s = v as { sender: unknown; witnesses?: unknown[] };
    const out: Record<string, unknown> = { ...s, sender: signerArg(wallet, s.sender) };
    if (Array.isArray(s.witnesses)) out.witnesses = s.witnesses.map((w) => signerArg(wallet, w));
    return out;
  }
  return v;
}

/**
 * The typed client over RPC: `await client.recordSuccess(key, "feature")`, `await
 * client.getFeature("feature")` — CanaryClient's methods, arguments and results, as Promises.
 * A signer may be a NodeKey (or `{sender: NodeKey, witnesses: NodeKey[]}`), or an account
 * whose key is in the wallet.
 */
export function RpcCanaryClient(wallet: Wallet, options: Omit<ClientOptions, "height"> = {}): AsyncCanaryClient {
  const invoker = new RpcInvoker(wallet);
  const out: Record<string, unknown> = { invoker };
  for (const name of Object.getOwnPropertyNames(CanaryClient.prototype)) {
    if (SKIP.has(name)) continue;
    out[name] = (...args: unknown[]) => runClientMethod(invoker, { ...options, height: () => 0 }, name, args.length > 0 ? [signerArg(wallet, args[0]), ...args.slice(1)] : args);
  }
  return out as unknown as AsyncCanaryClient;
}

/** One event of a block on the push channel (display form, as `decodeEvent` gives it). */
export interface BlockMessageEvent {
  index: number;
  /** The emitting transaction's hash, or null for onPersist. */
  tx: string | null;
  name: string;
  /** The payload in display form; null for an unknown name or a payload that did not decode. */
  data: Record<string, unknown> | null;
  raw?: string;
  error?: string;
}

/** A committed block as `GET /events` sends it (docs/NODE.md, "Push channel"). */
export interface BlockMessage {
  height: number;
  hash: string;
  time: number;
  stateRoot: string;
  txs: { hash: string; sender: string; method: string; status: string; code: number }[];
  events: BlockMessageEvent[];
}

/** A push-channel message that is not a block message: what was wrong, where. */
export class BlockMessageError extends Error {
  constructor(readonly path: string, readonly expected: string) {
    super(`block message: ${path}: expected ${expected}`);
    this.name = "BlockMessageError";
  }
}

/** A plain object (not null, not an array): what a JSON answer's object fields must be. */
export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isUint = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * Parses the data of one `event: block` message. Checks the shape the SDK and the tools rely
 * on (height, hash, events with index, tx, name, data), not the payloads' fields (their
 * schema depends on the event's name: `decodeEventPayload` / `encodeEvent` check those).
 * Throws BlockMessageError naming the first bad field, or for text that is not JSON.
 */
export function parseBlockMessage(text: string): BlockMessage {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new BlockMessageError("(message)", "JSON");
  }
  if (!isObj(v)) throw new BlockMessageError("(message)", "an object");
  if (!isUint(v.height)) throw new BlockMessageError("height", "a non-negative integer");
  if (typeof v.hash !== "string" || !/^[0-9a-f]{64}$/.test(v.hash)) throw new BlockMessageError("hash", "64 lowercase hex digits");
  if (!Array.isArray(v.txs)) throw new BlockMessageError("txs", "an array");
  if (!Array.isArray(v.events)) throw new BlockMessageError("events", "an array");
  v.events.forEach((e: unknown, i: number) => {
    if (!isObj(e)) throw new BlockMessageError(`events[${i}]`, "an object");
    if (!isUint(e.index)) throw new BlockMessageError(`events[${i}].index`, "a non-negative integer");
    if (e.tx !== null && typeof e.tx !== "string") throw new BlockMessageError(`events[${i}].tx`, "a transaction hash or null");
    if (typeof e.name !== "string") throw new BlockMessageError(`events[${i}].name`, "a string");
    if (e.data !== null && !isObj(e.data)) throw new BlockMessageError(`events[${i}].data`, "an object or null");
  });
  return v as unknown as BlockMessage;
}

/** What a subscriber hears besides blocks. */
export interface BlockStreamHandlers {
  /** The node answered 200: every block committed from now on will be sent. */
  onOpen?: () => void;
  /** A message that was skipped: not JSON, or not the shape of a block message. The stream goes on. */
  onMalformed?: (problem: BlockMessageError, text: string) => void;
  /** The stream could not open, failed, or the node ended it (never after the returned close function ran). */
  onError?: (e: unknown) => void;
}

/**
 * Subscribes to GET /events (server-sent events); `onBlock` gets each block message, parsed
 * and shape-checked by `parseBlockMessage`. The third argument is either an error callback
 * or BlockStreamHandlers. Returns a function that closes the stream. No reconnection here:
 * the node keeps no replay buffer (no Last-Event-ID), so a subscriber that reconnects
 * catches up with `getEvents` itself (src/openfeature/sync.ts does).
 */
export function subscribeBlocks(url: string, onBlock: (block: BlockMessage) => void, handlers?: ((e: unknown) => void) | BlockStreamHandlers): () => void {
  const h: BlockStreamHandlers = typeof handlers === "function" ? { onError: handlers } : (handlers ?? {});
  const ctl = new AbortController();
  void (async () => {
    const res = await fetch(url.replace(/\/+$/, "") + "/events", { signal: ctl.signal, headers: { accept: "text/event-stream" } });
    if (!res.ok || res.body === null) throw new Error(`GET /events: HTTP ${res.status}`);
    h.onOpen?.();
    const decoder = new TextDecoder();
    let buf = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const msg = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let event = "message";
        let data = "";
        for (const line of msg.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (event !== "block" || data === "") continue;
        let block: BlockMessage;
        try {
          block = parseBlockMessage(data);
        } catch (e) {
          if (e instanceof BlockMessageError && h.onMalformed !== undefined) {
            h.onMalformed(e, data);
            continue;
          }
          throw e;
        }
        onBlock(block);
        if (ctl.signal.aborted) return;
      }
    }
    throw new Error("the node ended the event stream");
  })().catch((e) => {
    if (!ctl.signal.aborted) h.onError?.(e);
  });
  return () => ctl.abort();
}
