// What the node keeps besides contract state: blocks (with their transactions' hashes and
// events), transaction receipts, account nonces. In memory by default; with `--db DIR` in a
// LevelDB database at DIR/node next to the chain store at DIR/chain (docs/NODE.md, "Persistence").
//
// Order of writes per block: the node records first (one batch), then the chain store's
// commitBlock (one batch). At open, records above the chain store's height (a crash between
// the two batches) are dropped and the nonces of their senders restored, so both agree on
// the last committed block.

import { Buffer } from "node:buffer";
import { mkdirSync } from "node:fs";
import { ClassicLevel } from "classic-level";
import type { TxJson } from "./tx.ts";

export interface EventRecord {
  name: string;
  /** Borsh payload, hex. */
  data: string;
  /** Hash of the transaction that emitted it; null for onPersist. */
  tx: string | null;
}

export interface BlockRecord {
  height: number;
  hash: string;
  prevHash: string;
  /** Wall-clock time the block was built (ms since the epoch); never seen by the contract. */
  time: number;
  stateRoot: string;
  changed: boolean;
  txs: string[];
  onPersist: { code: number; trap?: string };
  events: EventRecord[];
}

export interface TxRecord {
  hash: string;
  tx: TxJson;
  /** The sender's account, 0x-hex. */
  sender: string;
  height: number;
  index: number;
  code: number;
  trap?: string;
  /** Result bytes, hex. */
  output: string;
  events: { name: string; data: string }[];
  logs: string[];
}

export interface NodeMeta {
  network: number;
}

export interface NodeRecords {
  readonly head: number;
  readonly meta: NodeMeta | undefined;
  setMeta(meta: NodeMeta): Promise<void>;
  /** Next nonce of every account that sent a committed transaction (account 0x-hex → nonce). */
  nonces(): Map<string, number>;
  lastBlock(): Promise<BlockRecord | undefined>;
  putBlock(block: BlockRecord, txs: TxRecord[], nonces: Map<string, number>): Promise<void>;
  getBlock(height: number): Promise<BlockRecord | undefined>;
  getTx(hash: string): Promise<TxRecord | undefined>;
  /** Drops every block above `height` with its transactions; restores their senders' nonces. */
  truncateAbove(height: number): Promise<number>;
  close(): Promise<void>;
}

export class MemoryRecords implements NodeRecords {
  private readonly blocks: BlockRecord[] = [];
  private readonly txs = new Map<string, TxRecord>();
  private readonly nonceMap = new Map<string, number>();
  meta: NodeMeta | undefined;

  get head(): number {
    return this.blocks.length - 1;
  }
  async setMeta(meta: NodeMeta): Promise<void> {
    this.meta = meta;
  }
  nonces(): Map<string, number> {
    return new Map(this.nonceMap);
  }
  async lastBlock(): Promise<BlockRecord | undefined> {
    return this.blocks[this.blocks.length - 1];
  }
  async putBlock(block: BlockRecord, txs: TxRecord[], nonces: Map<string, number>): Promise<void> {
    if (block.height !== this.blocks.length) throw new Error(`records: block ${block.height} after ${this.head}`);
    this.blocks.push(block);
    for (const t of txs) this.txs.set(t.hash, t);
    for (const [a, n] of nonces) this.nonceMap.set(a, n);
  }
  async getBlock(height: number): Promise<BlockRecord | undefined> {
    return this.blocks[height];
  }
  async getTx(hash: string): Promise<TxRecord | undefined> {
    return this.txs.get(hash);
  }
  async truncateAbove(height: number): Promise<number> {
    let dropped = 0;
    while (this.blocks.length - 1 > height) {
      const b = this.blocks.pop()!;
      for (const h of b.txs) {
        const t = this.txs.get(h)!;
        this.txs.delete(h);
        const cur = this.nonceMap.get(t.sender);
        if (cur === undefined || t.tx.nonce < cur) this.nonceMap.set(t.sender, t.tx.nonce);
      }
      dropped++;
    }
    return dropped;
  }
  async close(): Promise<void> {}
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;
const K_HEAD = Buffer.from("!head");
const K_META = Buffer.from("!meta");
const blockKey = (h: number): Buffer => {
  const k = Buffer.allocUnsafe(5);
  k[0] = 0x62; // "b"
  k.writeUInt32BE(h, 1);
  return k;
};
const txKey = (hash: string): Buffer => Buffer.concat([Buffer.from("t"), Buffer.from(hash, "hex")]);
const nonceKey = (account: string): Buffer => Buffer.concat([Buffer.from("n"), Buffer.from(account.slice(2), "hex")]);
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const parse = <T>(b: Uint8Array): T => JSON.parse(Buffer.from(b).toString("utf8")) as T;

/**
 * Node records in LevelDB. Keys: "!head" → JSON height; "!meta" → JSON {network};
 * "b" ‖ u32be(h) → JSON BlockRecord; "t" ‖ hash(32) → JSON TxRecord; "n" ‖ account(20) → JSON nonce.
 */
export class LevelRecords implements NodeRecords {
  private headHeight = -1;
  private readonly nonceMap = new Map<string, number>();
  meta: NodeMeta | undefined;

  private constructor(private readonly db: Db, readonly dir: string) {}

  static async open(dir: string): Promise<LevelRecords> {
    mkdirSync(dir, { recursive: true });
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    try {
      await db.open();
    } catch (e) {
      const err = e as { code?: string; cause?: { code?: string; message?: string }; message?: string };
      const code = err.cause?.code ?? err.code;
      if (code === "LEVEL_LOCKED") throw new Error(`node database ${dir} is in use by another process (stop that node first)`);
      throw new Error(`cannot open node database ${dir}: ${err.cause?.message ?? err.message}`);
    }
    const r = new LevelRecords(db, dir);
    try {
      const head = await db.get(K_HEAD);
      if (head !== undefined) r.headHeight = parse<number>(head);
      const meta = await db.get(K_META);
      if (meta !== undefined) r.meta = parse<NodeMeta>(meta);
      for await (const [k, v] of db.iterator({ gte: Buffer.from("n"), lt: Buffer.from("o") })) {
        r.nonceMap.set("0x" + Buffer.from(k).toString("hex", 1), parse<number>(v));
      }
    } catch (e) {
      await db.close().catch(() => {});
      throw new Error(`node database ${dir} is unreadable: ${(e as Error).message}`);
    }
    return r;
  }

  get head(): number {
    return this.headHeight;
  }
  async setMeta(meta: NodeMeta): Promise<void> {
    await this.db.put(K_META, json(meta));
    this.meta = meta;
  }
  nonces(): Map<string, number> {
    return new Map(this.nonceMap);
  }
  async lastBlock(): Promise<BlockRecord | undefined> {
    return this.headHeight < 0 ? undefined : this.getBlock(this.headHeight);
  }
  async putBlock(block: BlockRecord, txs: TxRecord[], nonces: Map<string, number>): Promise<void> {
    const ops: { type: "put"; key: Uint8Array; value: Uint8Array }[] = [{ type: "put", key: blockKey(block.height), value: json(block) }];
    for (const t of txs) ops.push({ type: "put", key: txKey(t.hash), value: json(t) });
    for (const [a, n] of nonces) ops.push({ type: "put", key: nonceKey(a), value: json(n) });
    ops.push({ type: "put", key: K_HEAD, value: json(block.height) });
    await this.db.batch(ops);
    this.headHeight = block.height;
    for (const [a, n] of nonces) this.nonceMap.set(a, n);
  }
  async getBlock(height: number): Promise<BlockRecord | undefined> {
    if (!Number.isInteger(height) || height < 0 || height > this.headHeight) return undefined;
    const v = await this.db.get(blockKey(height));
    return v === undefined ? undefined : parse<BlockRecord>(v);
  }
  async getTx(hash: string): Promise<TxRecord | undefined> {
    const v = await this.db.get(txKey(hash));
    return v === undefined ? undefined : parse<TxRecord>(v);
  }
  async truncateAbove(height: number): Promise<number> {
    if (this.headHeight <= height) return 0;
    const ops: ({ type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array })[] = [];
    const restored = new Map<string, number>();
    let dropped = 0;
    for (let h = this.headHeight; h > height; h--) {
      const b = await this.getBlock(h);
      if (b === undefined) continue;
      for (const hash of b.txs) {
        const t = await this.getTx(hash);
        ops.push({ type: "del", key: txKey(hash) });
        if (t === undefined) continue;
        const cur = restored.get(t.sender);
        if (cur === undefined || t.tx.nonce < cur) restored.set(t.sender, t.tx.nonce);
      }
      ops.push({ type: "del", key: blockKey(h) });
      dropped++;
    }
    for (const [a, n] of restored) ops.push(n === 0 ? { type: "del", key: nonceKey(a) } : { type: "put", key: nonceKey(a), value: json(n) });
    ops.push(height < 0 ? { type: "del", key: K_HEAD } : { type: "put", key: K_HEAD, value: json(height) });
    await this.db.batch(ops, { sync: true });
    this.headHeight = height;
    for (const [a, n] of restored) {
      if (n === 0) this.nonceMap.delete(a);
      else this.nonceMap.set(a, n);
    }
    return dropped;
  }
  async close(): Promise<void> {
    await this.db.close();
  }
}
