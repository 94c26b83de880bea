// The devnet node: a mempool ordered by arrival, a block every blockTimeMs, JSON-RPC 2.0 over
// HTTP on 127.0.0.1 and server-sent events at GET /events (docs/NODE.md).

import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { METHODS, type MethodName } from "../abi/methods.ts";
import { METERED_WASM } from "../packageRoot.ts";
import { Chain } from "../host/chain.ts";
import { DEFAULT_GAS_LIMIT } from "../gas/fees.ts";
import type { InvokeResult, RawEvent } from "../host/types.ts";
import { decodeEvent, decodeResult, displayResult, errorName } from "../client/index.ts";
import { LevelStore } from "../store/index.ts";
import { RpcCode, RpcError } from "./errors.ts";
import { admitRequest, capConnections, resolveLimits, type HttpLimits, type ResolvedLimits } from "./http.ts";
import { openNodeDir } from "./open.ts";
import { blockHash, MemoryRecords, type BlockRecord, type EventRecord, type NodeRecords, type TxRecord } from "./records.ts";
import { accountOf } from "./keys.ts";
import { firstBadSignature, parseTx, signerAccounts, signingPayload, txHash, TxFormatError, txToJson, type Tx } from "./tx.ts";

/** The metered module (docs/GAS.md): every transaction and view is charged and bounded. */
export const DEFAULT_WASM = METERED_WASM;
/** "CANA" read as a big-endian u32. */
export const DEFAULT_NETWORK = 0x43414e41;

export interface NodeOptions {
  /** Keep the chain in DIR/chain (LevelStore) and the node's records in DIR/node; in memory without. */
  db?: string;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Milliseconds between blocks (default 1000). */
  blockTimeMs?: number;
  /** Transactions per block at most (default 1000). */
  maxTxPerBlock?: number;
  /** Pending transactions at most (default 100000); more are refused with MempoolFull. */
  maxMempool?: number;
  /** How far ahead of the next block validUntilBlock may be (default 5760). */
  maxValidIncrement?: number;
  /** Request body limit in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Network magic signed into every transaction (default DEFAULT_NETWORK; fixed when a --db is created). */
  network?: number;
  /** The contract module: bytes or a path (default build/canary.metered.wasm). */
  wasm?: string | Uint8Array;
  /**
   * Gas limit of each transaction on a metered module (default DEFAULT_GAS_LIMIT, 10^7): the
   * node's rule for every transaction, like a block's gas limit on a real chain. A halt over
   * many active features needs more (docs/GAS.md).
   */
  txGasLimit?: number;
  /** fsync each block (LevelDB `sync`); default false. */
  sync?: boolean;
  /** With db: check every block record at start, not only the latest (default false). */
  verifyAll?: boolean;
  /** With db: rebuild DIR/chain from the node's records before starting (default false). */
  rebuild?: boolean;
  /** HTTP limits and browser safety (allowed hosts, CORS origin, timeouts, connection caps): src/node/http.ts. */
  http?: HttpLimits;
  /** Progress lines (a roll-forward, a rebuild). */
  log?: (line: string) => void;
  /** Called with errors the node cannot answer to a client (a failed commit). */
  onError?: (e: unknown) => void;
}

interface Pending {
  hash: string;
  tx: Tx;
  sender: string;
  witnesses: Uint8Array[];
  acceptedAt: number;
}

const EMPTY = new Uint8Array(0);
const ZERO_HASH = "0".repeat(64);
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
const acct = (b: Uint8Array): string => "0x" + hex(b);

/** A FIFO queue with O(1) push and take. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(v: T): void {
    this.items.push(v);
  }
  take(n: number): T[] {
    const out = this.items.slice(this.head, this.head + n);
    this.head += out.length;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}

// ---------------------------------------------------------------- params

type Params = Record<string, unknown> | unknown[] | undefined;

function param(params: Params, index: number, name: string): unknown {
  if (params === undefined) return undefined;
  return Array.isArray(params) ? params[index] : params[name];
}

function bad(message: string): RpcError {
  return new RpcError(RpcCode.InvalidParams, message);
}

function intParam(params: Params, index: number, name: string, opts: { min?: number; max?: number; optional?: boolean } = {}): number | undefined {
  const v = param(params, index, name);
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw bad(`${name}: expected an integer`);
  if (opts.min !== undefined && v < opts.min) throw bad(`${name}: at least ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) throw bad(`${name}: at most ${opts.max}`);
  return v;
}

function strParam(params: Params, index: number, name: string, re?: RegExp, optional = false): string | undefined {
  const v = param(params, index, name);
  if (v === undefined && optional) return undefined;
  if (typeof v !== "string" || (re !== undefined && !re.test(v))) throw bad(`${name}: expected ${re ? `a string matching ${re}` : "a string"}`);
  return v;
}

const HASH_RE = /^(0x)?[0-9a-fA-F]{64}$/;
const ACCOUNT_RE = /^0x[0-9a-fA-F]{40}$/;
const HEX_RE = /^(0x)?([0-9a-fA-F]{2})*$/;
const hexBytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.startsWith("0x") ? s.slice(2) : s, "hex"));

// ---------------------------------------------------------------- node

export class CanaryNode {
  readonly chain: Chain;
  readonly network: number;
  private server!: Server;
  private readonly records: NodeRecords;
  private readonly store: LevelStore | null;
  private readonly blockTimeMs: number;
  private readonly maxTxPerBlock: number;
  private readonly maxMempool: number;
  private readonly maxValidIncrement: number;
  private readonly txGasLimit: number;
  private readonly maxBodyBytes: number;
  private readonly onError: (e: unknown) => void;
  private readonly limits: ResolvedLimits;

  private readonly mempool = new Queue<Pending>();
  private readonly pending = new Map<string, Pending>();
  /** Next nonce to accept per account (committed + pending). */
  private readonly nextNonce = new Map<string, number>();
  /** Next nonce after the committed blocks only. */
  private readonly committedNonce: Map<string, number>;
  /** Height of the next block to build. */
  private nextHeight: number;
  private lastHeight: number;
  private prevHash: string;
  private committing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextTick = 0;
  private closed = false;
  private failed: unknown = null;
  private readonly sse = new Set<ServerResponse>();
  /** Bounded recent blocks for fast answers (the records are the truth). */
  private readonly blockListeners = new Set<(b: BlockRecord) => void>();
  /** Counters for docs and tests. */
  readonly stats = { accepted: 0, refused: 0, included: 0, blocks: 0, signatureChecks: 0 };

  private constructor(init: {
    chain: Chain;
    records: NodeRecords;
    store: LevelStore | null;
    network: number;
    lastHeight: number;
    prevHash: string;
    options: NodeOptions;
  }) {
    const o = init.options;
    this.chain = init.chain;
    this.records = init.records;
    this.store = init.store;
    this.network = init.network;
    this.lastHeight = init.lastHeight;
    this.nextHeight = init.lastHeight + 1;
    this.prevHash = init.prevHash;
    this.blockTimeMs = o.blockTimeMs ?? 1000;
    this.maxTxPerBlock = o.maxTxPerBlock ?? 1000;
    this.maxMempool = o.maxMempool ?? 100_000;
    this.maxValidIncrement = o.maxValidIncrement ?? 5760;
    this.txGasLimit = o.txGasLimit ?? DEFAULT_GAS_LIMIT;
    this.maxBodyBytes = o.maxBodyBytes ?? 1 << 20;
    this.onError = o.onError ?? ((e) => console.error("canary node:", e));
    this.limits = resolveLimits(o.http);
    this.committedNonce = init.records.nonces();
    for (const [a, n] of this.committedNonce) this.nextNonce.set(a, n);
    if (!(this.blockTimeMs >= 1)) throw new RangeError("blockTimeMs must be at least 1");
    if (!Number.isInteger(this.maxTxPerBlock) || this.maxTxPerBlock < 1) throw new RangeError("maxTxPerBlock must be a positive integer");
    if (!Number.isSafeInteger(this.txGasLimit) || this.txGasLimit < 1) throw new RangeError("txGasLimit must be a positive integer");
  }

  static async start(options: NodeOptions = {}): Promise<CanaryNode> {
    const wasm = options.wasm === undefined ? readFileSync(DEFAULT_WASM) : typeof options.wasm === "string" ? readFileSync(options.wasm) : options.wasm;
    let store: LevelStore | null = null;
    let records: NodeRecords;
    if (options.db !== undefined) {
      // Every refusal (docs/NODE.md, "Refusals at start") happens before anything is written.
      const opened = await openNodeDir({
        db: options.db,
        wasm,
        network: options.network,
        txGasLimit: options.txGasLimit ?? DEFAULT_GAS_LIMIT,
        sync: options.sync === true,
        verifyAll: options.verifyAll === true,
        rebuild: options.rebuild === true,
        log: options.log ?? (() => {}),
      });
      store = opened.store;
      records = opened.records;
    } else records = new MemoryRecords();
    const fail = async (msg: string): Promise<never> => {
      await records.close();
      await store?.close();
      throw new Error(msg);
    };
    const storeHeight = store?.height ?? -1;
    if (records.head !== storeHeight) {
      await fail(`${options.db}: the chain store has blocks up to ${storeHeight} but the node records stop at ${records.head} (a chain written by another tool, e.g. canary replay --db?): start the node on its own directory`);
    }
    let network = options.network ?? records.meta?.network ?? DEFAULT_NETWORK;
    if (!Number.isInteger(network) || network < 0 || network > 0xffffffff) await fail(`network must be a u32, got ${network}`);
    if (records.meta === undefined) await records.setMeta({ network });
    else if (records.meta.network !== network) await fail(`${options.db} belongs to network ${records.meta.network}, not ${network}`);
    network = records.meta!.network;
    const last = await records.lastBlock();
    if (store !== null && last !== undefined && last.stateRoot !== store.stateRoot) {
      await fail(`${options.db}: block ${last.height} records root ${last.stateRoot} but the chain store has ${store.stateRoot}`);
    }
    const chain = new Chain(wasm, store ?? undefined);
    const node = new CanaryNode({ chain, records, store, network, lastHeight: storeHeight, prevHash: last?.hash ?? ZERO_HASH, options });
    await node.listen(options.port ?? 0);
    node.schedule();
    return node;
  }

  // ---------------------------------------------------------------- http

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get height(): number {
    return this.lastHeight;
  }

  get mempoolSize(): number {
    return this.mempool.length;
  }

  private listen(port: number): Promise<void> {
    const l = this.limits;
    this.server = createServer(
      {
        headersTimeout: l.headersTimeoutMs,
        requestTimeout: l.headersTimeoutMs + l.bodyTimeoutMs,
        keepAliveTimeout: l.keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(Math.min(l.headersTimeoutMs, l.bodyTimeoutMs) / 4))),
      },
      (req, res) => this.handle(req, res),
    );
    capConnections(this.server, l.maxConnections);
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (!admitRequest(req, res, this.port, this.limits)) return;
    const url = req.url ?? "/";
    if (req.method === "GET" && url.split("?")[0] === "/events") return this.openEvents(req, res);
    if (req.method === "GET" && (url === "/" || url === "/health")) {
      return this.json(res, 200, { name: "canary node", network: this.network, height: this.lastHeight, mempool: this.mempool.length });
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "GET, POST", "content-type": "text/plain" }).end("POST JSON-RPC 2.0 to /, or GET /events\n");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const HARD = this.maxBodyBytes * 16;
    // The body must arrive within bodyTimeoutMs of the headers (a slow client is cut off).
    const bodyTimer = setTimeout(() => {
      if (!res.headersSent) res.writeHead(408, { "content-type": "text/plain", connection: "close" }).end(`request body not received within ${this.limits.bodyTimeoutMs} ms\n`);
      req.destroy();
    }, this.limits.bodyTimeoutMs);
    req.on("close", () => clearTimeout(bodyTimer));
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > this.maxBodyBytes) {
        over = true;
        chunks.length = 0;
        // Keep draining (so the client reads our answer) up to a hard cap, then cut the connection.
        if (size > HARD) req.destroy();
      } else chunks.push(c);
    });
    req.on("error", () => {});
    req.on("end", () => {
      clearTimeout(bodyTimer);
      if (over) {
        res.setHeader("connection", "close");
        return this.json(res, 413, rpcError(null, new RpcError(RpcCode.InvalidRequest, `request body over ${this.maxBodyBytes} bytes`)));
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch (e) {
        return this.json(res, 200, rpcError(null, new RpcError(RpcCode.ParseError, `parse error: ${(e as Error).message}`)));
      }
      this.dispatchBody(body).then(
        (out) => (out === undefined ? res.writeHead(204).end() : this.json(res, 200, out)),
        (e) => this.json(res, 500, rpcError(null, new RpcError(RpcCode.InternalError, String(e)))),
      );
    });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
  }

  private async dispatchBody(body: unknown): Promise<unknown> {
    if (Array.isArray(body)) {
      if (body.length === 0) return rpcError(null, new RpcError(RpcCode.InvalidRequest, "empty batch"));
      if (body.length > 1000) return rpcError(null, new RpcError(RpcCode.InvalidRequest, "a batch has at most 1000 requests"));
      const out: unknown[] = [];
      for (const r of body) {
        const a = await this.dispatchOne(r);
        if (a !== undefined) out.push(a);
      }
      return out.length === 0 ? undefined : out;
    }
    return this.dispatchOne(body);
  }

  private async dispatchOne(r: unknown): Promise<unknown> {
    if (typeof r !== "object" || r === null || Array.isArray(r)) return rpcError(null, new RpcError(RpcCode.InvalidRequest, "a request is an object"));
    const o = r as Record<string, unknown>;
    const idOk = o.id === undefined || o.id === null || typeof o.id === "string" || (typeof o.id === "number" && Number.isFinite(o.id));
    const id = idOk && o.id !== undefined ? (o.id as string | number | null) : null;
    if (o.jsonrpc !== "2.0" || typeof o.method !== "string" || !idOk) {
      return rpcError(id, new RpcError(RpcCode.InvalidRequest, 'a request is {"jsonrpc":"2.0","method":string,"params"?:object|array,"id"?:string|number|null}'));
    }
    if (o.params !== undefined && (typeof o.params !== "object" || o.params === null)) {
      return rpcError(id, new RpcError(RpcCode.InvalidRequest, "params must be an object or an array"));
    }
    const notification = o.id === undefined;
    try {
      const result = await this.rpc(o.method, o.params as Params);
      return notification ? undefined : { jsonrpc: "2.0", id, result };
    } catch (e) {
      if (notification) return undefined;
      if (e instanceof RpcError) return rpcError(id, e);
      if (e instanceof TxFormatError) return rpcError(id, bad(e.message));
      return rpcError(id, new RpcError(RpcCode.InternalError, (e as Error)?.message ?? String(e)));
    }
  }

  /** Every JSON-RPC method (docs/NODE.md lists them). */
  private async rpc(method: string, params: Params): Promise<unknown> {
    switch (method) {
      case "getHeight":
        return this.lastHeight;
      case "getInfo":
        return {
          network: this.network,
          height: this.lastHeight,
          blockTimeMs: this.blockTimeMs,
          maxTxPerBlock: this.maxTxPerBlock,
          maxValidIncrement: this.maxValidIncrement,
          txGasLimit: this.txGasLimit,
          mempool: this.mempool.length,
          persistent: this.store !== null,
        };
      case "getNonce": {
        const account = strParam(params, 0, "account", ACCOUNT_RE)!.toLowerCase();
        return { account, committed: this.committedNonce.get(account) ?? 0, next: this.nextNonce.get(account) ?? 0 };
      }
      case "sendTransaction": {
        const v = param(params, 0, "tx");
        if (v === undefined) throw bad("tx: missing");
        return this.submit(v);
      }
      case "call":
        return this.call(params);
      case "getBlock": {
        const h = intParam(params, 0, "height", { min: 0, max: 0xffffffff })!;
        if (h > this.lastHeight) return null;
        return (await this.records.getBlock(h)) ?? null;
      }
      case "getTransaction":
        return this.getTransaction(strParam(params, 0, "hash", HASH_RE)!);
      case "getEvents":
        return this.getEvents(params);
      default:
        throw new RpcError(RpcCode.MethodNotFound, `no method ${JSON.stringify(method)}`);
    }
  }

  // ---------------------------------------------------------------- submission

  /** Checks a transaction and queues it; throws RpcError when refused (nothing queued). */
  submit(v: unknown): { hash: string; expectedHeight: number } {
    try {
      const r = this.admit(v);
      this.stats.accepted++;
      return r;
    } catch (e) {
      this.stats.refused++;
      throw e;
    }
  }

  private admit(v: unknown): { hash: string; expectedHeight: number } {
    if (this.closed || this.failed !== null) throw new RpcError(RpcCode.Unavailable, this.closed ? "the node is stopping" : "the node's store failed; restart it");
    let tx: Tx;
    try {
      tx = parseTx(v);
    } catch (e) {
      if (e instanceof TxFormatError) throw bad(e.message);
      throw e;
    }
    if (tx.network !== this.network) throw new RpcError(RpcCode.WrongNetwork, `the transaction is for network ${tx.network}; this node is network ${this.network}`, { network: this.network });
    const m = tx.method;
    if (!Object.prototype.hasOwnProperty.call(METHODS, m) || m === "onPersist" || METHODS[m as MethodName].view) {
      const why = m === "onPersist" ? "onPersist is run by the node after every block" : Object.prototype.hasOwnProperty.call(METHODS, m) ? `${m} is a view: use call` : "not a method of the contract";
      throw new RpcError(RpcCode.UnknownMethod, `method ${JSON.stringify(m)}: ${why}`);
    }
    // Cheap checks first (docs/NODE.md, "Order of checks"): the sender's account is a hash of
    // its public key, so nonce, expiry and duplicates are decided before any signature is
    // verified; a flood of replayed or stale transactions costs hashing, not ECDSA.
    const sender = acct(accountOf(tx.signers[0]!));
    const expected = this.nextNonce.get(sender) ?? 0;
    if (tx.nonce < expected) {
      throw new RpcError(RpcCode.NonceTooLow, `nonce ${tx.nonce} of ${sender} was already used (replayed or stale); the next nonce is ${expected}`, { expected });
    }
    if (tx.nonce > expected) {
      throw new RpcError(RpcCode.NonceTooHigh, `nonce ${tx.nonce} of ${sender} skips ahead; the next nonce is ${expected} (nonces are consecutive)`, { expected });
    }
    // FIFO and a fixed number per block: the height that will include this transaction is known now.
    const inclusion = this.nextHeight + Math.floor(this.mempool.length / this.maxTxPerBlock);
    if (tx.validUntilBlock < inclusion) {
      throw new RpcError(RpcCode.Expired, `validUntilBlock ${tx.validUntilBlock} is below ${inclusion}, the height that would include it`, { validUntilBlock: tx.validUntilBlock, inclusionHeight: inclusion });
    }
    const max = this.nextHeight + this.maxValidIncrement;
    if (tx.validUntilBlock > max) {
      throw new RpcError(RpcCode.ValidUntilTooFar, `validUntilBlock ${tx.validUntilBlock} is more than ${this.maxValidIncrement} blocks ahead (at most ${max})`, { max });
    }
    if (this.mempool.length >= this.maxMempool) throw new RpcError(RpcCode.MempoolFull, `the mempool is full (${this.maxMempool} transactions); retry later`);
    const payload = signingPayload(tx);
    const hash = txHash(payload);
    if (this.pending.has(hash)) throw new RpcError(RpcCode.NonceTooLow, `transaction ${hash} is already pending`, { expected });
    // Last, the expensive part: one ECDSA verification per signer.
    const badSig = firstBadSignature(tx, payload);
    this.stats.signatureChecks += badSig < 0 ? tx.signers.length : badSig + 1;
    if (badSig >= 0) throw new RpcError(RpcCode.InvalidSignature, `signature ${badSig} does not verify for signer ${hex(tx.signers[badSig]!)}`, { signer: badSig });
    const accounts = signerAccounts(tx);
    const p: Pending = { hash, tx, sender, witnesses: accounts, acceptedAt: Date.now() };
    this.mempool.push(p);
    this.pending.set(hash, p);
    this.nextNonce.set(sender, expected + 1);
    return { hash, expectedHeight: inclusion };
  }

  // ---------------------------------------------------------------- reads

  private async call(params: Params): Promise<unknown> {
    const method = strParam(params, 0, "method")!;
    const argsHex = strParam(params, 1, "args", HEX_RE, true) ?? "";
    const sender = strParam(params, 2, "sender", ACCOUNT_RE, true);
    if (!Object.prototype.hasOwnProperty.call(METHODS, method)) throw new RpcError(RpcCode.UnknownMethod, `method ${JSON.stringify(method)}: not a method of the contract`);
    if (!METHODS[method as MethodName].view) throw new RpcError(RpcCode.NotAView, `${method} is not a view: send it as a transaction`);
    // The latest committed state: wait for a block whose commit is in flight.
    while (this.committing !== null) await this.committing;
    const ctx = sender === undefined ? { height: Math.max(this.lastHeight, 0) } : { height: Math.max(this.lastHeight, 0), sender: hexBytes(sender) };
    const r = this.chain.view(method, hexBytes(argsHex), ctx);
    return { height: this.lastHeight, ...resultJson(method as MethodName, r) };
  }

  private async getTransaction(hashIn: string): Promise<unknown> {
    const hash = (hashIn.startsWith("0x") ? hashIn.slice(2) : hashIn).toLowerCase();
    const p = this.pending.get(hash);
    if (p !== undefined) return { hash, status: "pending", sender: p.sender, tx: txToJson(p.tx) };
    const t = await this.records.getTx(hash);
    if (t === undefined) return null;
    return txView(t);
  }

  private async getEvents(params: Params): Promise<unknown> {
    if (params !== undefined && Array.isArray(params)) params = (params[0] ?? {}) as Record<string, unknown>;
    if (params !== undefined && (typeof params !== "object" || params === null)) throw bad("expected a filter object");
    const name = strParam(params, 0, "name", undefined, true);
    const feature = strParam(params, 0, "feature", undefined, true);
    const from = intParam(params, 0, "fromHeight", { min: 0, optional: true }) ?? 0;
    const toReq = intParam(params, 0, "toHeight", { min: 0, optional: true }) ?? this.lastHeight;
    const limit = intParam(params, 0, "limit", { min: 1, max: 10_000, optional: true }) ?? 1000;
    const to = Math.min(toReq, this.lastHeight, from + 100_000 - 1);
    const events: unknown[] = [];
    let h = from;
    for (; h <= to; h++) {
      const b = await this.records.getBlock(h);
      if (b === undefined) continue;
      const out: unknown[] = [];
      b.events.forEach((e, i) => {
        if (name !== undefined && e.name !== name) return;
        const d = decodeEvent({ name: e.name, data: hexBytes(e.data) });
        if (feature !== undefined && (d.data === null || d.data.name !== feature)) return;
        out.push({ height: h, index: i, tx: e.tx, ...d });
      });
      if (events.length + out.length > limit && events.length > 0) break; // a block's events are never split
      events.push(...out);
      if (events.length >= limit) {
        h++;
        break;
      }
    }
    const done = h > Math.min(toReq, this.lastHeight);
    return { events, fromHeight: from, toHeight: h - 1, ...(done ? {} : { next: h }) };
  }

  // ---------------------------------------------------------------- blocks

  private schedule(): void {
    if (this.closed) return;
    const now = Date.now();
    if (this.nextTick === 0) this.nextTick = now + this.blockTimeMs;
    const wait = Math.max(0, this.nextTick - now);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextTick = Math.max(this.nextTick + this.blockTimeMs, Date.now());
      this.committing = this.produce().finally(() => {
        this.committing = null;
        if (this.failed === null) this.schedule();
      });
    }, wait);
  }

  /** Builds, runs, persists and announces one block. */
  private async produce(): Promise<void> {
    const height = this.nextHeight;
    const batch = this.mempool.take(this.maxTxPerBlock);
    this.nextHeight = height + 1;
    const chain = this.chain;
    chain.beginBlock(height);
    const results: InvokeResult[] = [];
    for (const p of batch) {
      let r: InvokeResult;
      try {
        r = chain.transact(p.tx.method, p.tx.args, { height, sender: p.witnesses[0]!, witnesses: p.witnesses, gasLimit: this.txGasLimit });
      } catch (e) {
        r = { code: -1, ok: false, output: EMPTY, events: [], logs: [], trap: `host error: ${(e as Error)?.message ?? String(e)}` };
      }
      results.push(r);
    }
    let br;
    try {
      br = chain.endBlock();
    } catch (e) {
      chain.abortBlock();
      this.fail(e);
      return;
    }
    const time = Date.now();
    const txHashes = batch.map((p) => p.hash);
    const hash = blockHash(height, this.prevHash, br.stateRoot, txHashes);
    const events: EventRecord[] = [];
    const txRecords: TxRecord[] = [];
    const nonces = new Map<string, number>();
    batch.forEach((p, i) => {
      const r = results[i]!;
      for (const e of r.ok ? r.events : []) events.push({ name: e.name, data: hex(e.data), tx: p.hash });
      const rec: TxRecord = {
        hash: p.hash,
        tx: txToJson(p.tx),
        sender: p.sender,
        height,
        index: i,
        code: r.code,
        output: hex(r.output),
        events: (r.ok ? r.events : []).map((e: RawEvent) => ({ name: e.name, data: hex(e.data) })),
        logs: r.logs,
      };
      if (r.trap !== undefined) rec.trap = r.trap;
      txRecords.push(rec);
      nonces.set(p.sender, p.tx.nonce + 1);
    });
    for (const e of br.onPersist.ok ? br.onPersist.events : []) events.push({ name: e.name, data: hex(e.data), tx: null });
    const onPersist: BlockRecord["onPersist"] = { code: br.onPersist.code };
    if (br.onPersist.trap !== undefined) onPersist.trap = br.onPersist.trap;
    const block: BlockRecord = { height, hash, prevHash: this.prevHash, time, stateRoot: br.stateRoot, changed: br.changed, txs: txHashes, onPersist, events };
    try {
      // Node records first, then the chain store: a crash between the two leaves records
      // above the store's height, which the next start drops (records.ts).
      await this.records.putBlock(block, txRecords, nonces);
      if (this.store !== null) await this.store.commitBlock(br);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.lastHeight = height;
    this.prevHash = hash;
    for (const [a, n] of nonces) this.committedNonce.set(a, n);
    for (const p of batch) this.pending.delete(p.hash);
    this.stats.included += batch.length;
    this.stats.blocks++;
    this.announce(block, txRecords);
  }

  private fail(e: unknown): void {
    this.failed = e;
    this.onError(e);
  }

  // ---------------------------------------------------------------- push

  private openEvents(req: IncomingMessage, res: ServerResponse): void {
    if (this.closed) {
      res.writeHead(503).end();
      return;
    }
    if (this.sse.size >= this.limits.maxSubscribers) {
      res.writeHead(503, { "retry-after": "5", "content-type": "text/plain", connection: "close" }).end(`too many event-stream subscribers (${this.limits.maxSubscribers}); retry later\n`);
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(`: canary node, network ${this.network}, height ${this.lastHeight}\n\n`);
    this.sse.add(res);
    const drop = (): void => void this.sse.delete(res);
    req.on("close", drop);
    res.on("error", drop);
  }

  /** Listeners in this process (tests, embedding): called after each committed block. */
  onBlock(fn: (b: BlockRecord) => void): () => void {
    this.blockListeners.add(fn);
    return () => void this.blockListeners.delete(fn);
  }

  private announce(block: BlockRecord, txs: TxRecord[]): void {
    for (const fn of this.blockListeners) {
      try {
        fn(block);
      } catch (e) {
        this.onError(e);
      }
    }
    if (this.sse.size === 0) return;
    const msg = {
      height: block.height,
      hash: block.hash,
      time: block.time,
      stateRoot: block.stateRoot,
      txs: txs.map((t) => ({ hash: t.hash, sender: t.sender, method: t.tx.method, status: t.code === 0 && t.trap === undefined ? "HALT" : "FAULT", code: t.code })),
      events: block.events.map((e, i) => ({ index: i, tx: e.tx, ...decodeEvent({ name: e.name, data: hexBytes(e.data) }) })),
    };
    const text = `event: block\nid: ${block.height}\ndata: ${JSON.stringify(msg)}\n\n`;
    for (const res of this.sse) {
      // A subscriber that does not read is dropped rather than buffered without bound.
      if (res.writableLength > 8 << 20) {
        this.sse.delete(res);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }

  // ---------------------------------------------------------------- stop

  /** Stops producing blocks, closes every connection and the stores. Pending transactions are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    while (this.committing !== null) await this.committing.catch(() => {});
    for (const res of this.sse) res.end();
    this.sse.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.records.close();
    await this.store?.close();
  }
}

function rpcError(id: string | number | null, e: RpcError): unknown {
  const error: Record<string, unknown> = { code: e.code, message: e.message };
  if (e.data !== undefined) error.data = e.data;
  return { jsonrpc: "2.0", id, error };
}

/** A result as JSON: code, its name, output hex, the decoded result, logs, trap. */
function resultJson(method: MethodName, r: { code: number; ok?: boolean; output: Uint8Array | string; logs: string[]; trap?: string }): Record<string, unknown> {
  const output = typeof r.output === "string" ? hexBytes(r.output) : r.output;
  const ok = r.code === 0 && r.trap === undefined;
  const out: Record<string, unknown> = { status: ok ? "HALT" : "FAULT", code: r.code, error: ok ? null : errorName(r.code), output: hex(output) };
  if (ok) {
    try {
      out.result = displayResult(method, decodeResult(method, output));
    } catch (e) {
      out.result = null;
      out.decodeError = (e as Error).message;
    }
  } else out.result = null;
  if (r.trap !== undefined) out.trap = r.trap;
  out.logs = r.logs;
  return out;
}

function txView(t: TxRecord): unknown {
  return {
    hash: t.hash,
    height: t.height,
    index: t.index,
    sender: t.sender,
    method: t.tx.method,
    nonce: t.tx.nonce,
    ...resultJson(t.tx.method as MethodName, t),
    events: t.events.map((e) => decodeEvent({ name: e.name, data: hexBytes(e.data) })),
    rawEvents: t.events,
    tx: t.tx,
  };
}

/** Starts a node (see NodeOptions); `await node.close()` stops it. */
export function startNode(options: NodeOptions = {}): Promise<CanaryNode> {
  return CanaryNode.start(options);
}
