// What the node keeps besides contract state: blocks (with their transactions' hashes and
// events), transaction receipts, account nonces. In memory by default; with `--db DIR` in a
// LevelDB database at DIR/node next to the chain store at DIR/chain (docs/NODE.md, "Persistence").
//
// Order of writes per block: the node records first (one batch), then the chain store's
// commitBlock (one batch). At open, records above the chain store's height (a crash between
// the two batches) are dropped and the nonces of their senders restored, so both agree on
// the last committed block.

import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { ClassicLevel } from "classic-level";
import { checkLevelFiles, OPEN_IN_PROCESS, trialCopy, VERIFY_RECENT } from "../store/index.ts";
import { parseTx, signingPayload, txHash, type TxJson } from "./tx.ts";

/** The format marker of a node's records database (absent in those of the previous release). */
export const RECORDS_FORMAT = "onchain-canary/node-records";

/** The node's refusals at open: `code` says which (docs/NODE.md, "Refusals at start"). */
export class NodeStoreError extends Error {
  constructor(
    readonly code: "IN_USE" | "CORRUPT" | "NOT_NODE_RECORDS" | "HEIGHTS" | "NETWORK" | "REBUILD" | "IO",
    message: string,
  ) {
    super(message);
    this.name = "NodeStoreError";
  }
}

/** Block hash = SHA-256("CNRYBLK" ‖ u32le h ‖ u32le tx count ‖ prevHash ‖ stateRoot ‖ tx hashes). */
export function blockHash(height: number, prevHash: string, stateRoot: string, txs: string[]): string {
  const h = createHash("sha256").update("CNRYBLK");
  const n = Buffer.allocUnsafe(8);
  n.writeUInt32LE(height, 0);
  n.writeUInt32LE(txs.length, 4);
  h.update(n).update(Buffer.from(prevHash, "hex")).update(Buffer.from(stateRoot, "hex"));
  for (const t of txs) h.update(Buffer.from(t, "hex"));
  return h.digest("hex");
}

/** What LevelRecords.probe learned (nothing in the directory was changed). */
export interface RecordsProbe {
  head: number;
  meta: NodeMeta | undefined;
  /** The latest blocks checked (up to VERIFY_RECENT; all with verifyAll), by height. */
  recent: Map<number, BlockRecord>;
}

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
const K_FORMAT = Buffer.from("!format");
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

  private registered: string | null = null;

  private constructor(private readonly db: Db, readonly dir: string) {}

  /**
   * Opens (creating when missing or empty) the node's records in `dir`. An existing database
   * is first checked on a trial copy (`probe`) unless `trusted` (probed just before), so a
   * refusal leaves every byte of `dir` as it was.
   */
  static async open(dir: string, options: { verifyAll?: boolean; trusted?: boolean } = {}): Promise<LevelRecords> {
    const key = path.resolve(dir);
    if (OPEN_IN_PROCESS.has(key)) throw new NodeStoreError("IN_USE", `node database ${dir} is in use by another process (stop that node first)`);
    const fresh = isEmptyDir(dir);
    if (!fresh && options.trusted !== true) await LevelRecords.probe(dir, options);
    mkdirSync(dir, { recursive: true });
    const r = await LevelRecords.openAt(dir, dir, fresh);
    OPEN_IN_PROCESS.add(key);
    r.registered = key;
    return r;
  }

  /**
   * Checks existing node records without changing a byte of `dir`: LevelDB's checksums of
   * every file, then on a trial copy the marker, the count of block records, and the latest
   * VERIFY_RECENT blocks (every block with `verifyAll`): each block's hash recomputed, each
   * prevHash the previous block's hash, each transaction record present, at its height and
   * index, with the hash of its signed transaction.
   */
  static async probe(dir: string, options: { verifyAll?: boolean } = {}): Promise<RecordsProbe> {
    let trial: ReturnType<typeof trialCopy>;
    try {
      trial = trialCopy(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new NodeStoreError("IO", `cannot check node database ${dir} before opening it (a trial copy failed: ${code ?? (e as Error).message}); nothing was changed`);
    }
    let r: LevelRecords | undefined;
    try {
      r = await LevelRecords.openAt(trial.dir, dir, false, () => {
        const damage = checkLevelFiles(dir);
        if (damage !== null) throw new NodeStoreError("CORRUPT", `node database ${dir} is corrupt and was left as it is: ${damage.file} at byte ${damage.offset}: ${damage.what}`);
      });
      const recent = await r.verify(options.verifyAll === true);
      return { head: r.headHeight, meta: r.meta, recent };
    } finally {
      await r?.db.close().catch(() => {});
      trial.remove();
    }
  }

  /** Opens the LevelDB at `at` (reported as `dir`); `afterLock` runs once LevelDB holds its lock. */
  private static async openAt(at: string, dir: string, create: boolean, afterLock?: () => void): Promise<LevelRecords> {
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(at, { keyEncoding: "view", valueEncoding: "view", createIfMissing: create });
    try {
      await db.open();
    } catch (e) {
      const err = e as { code?: string; cause?: { code?: string; message?: string }; message?: string };
      const code = err.cause?.code ?? err.code;
      if (code === "LEVEL_LOCKED") throw new NodeStoreError("IN_USE", `node database ${dir} is in use by another process (stop that node first)`);
      afterLock?.();
      throw new NodeStoreError("CORRUPT", `node database ${dir} cannot be opened and was left as it is: ${String(err.cause?.message ?? err.message).split(at).join(dir)}`);
    }
    try {
      afterLock?.();
    } catch (e) {
      await db.close().catch(() => {});
      throw e;
    }
    const r = new LevelRecords(db, dir);
    try {
      const marker = await db.get(K_FORMAT);
      if (marker !== undefined) {
        const m = parse<{ format?: unknown }>(marker);
        if (m.format !== RECORDS_FORMAT) throw new NodeStoreError("NOT_NODE_RECORDS", `${dir} is not a node's records database (marker ${JSON.stringify(m.format)}); nothing was changed`);
      } else if (create) {
        await db.put(K_FORMAT, json({ format: RECORDS_FORMAT, version: 1 }));
      } else if ((await db.get(K_META)) === undefined && (await firstKey(db)) !== undefined) {
        throw new NodeStoreError("NOT_NODE_RECORDS", `${dir} is a LevelDB database but not a node's records (no marker, no network); nothing was changed`);
      }
      const head = await db.get(K_HEAD);
      if (head !== undefined) r.headHeight = parse<number>(head);
      const meta = await db.get(K_META);
      if (meta !== undefined) r.meta = parse<NodeMeta>(meta);
      for await (const [k, v] of db.iterator({ gte: Buffer.from("n"), lt: Buffer.from("o") })) {
        r.nonceMap.set("0x" + Buffer.from(k).toString("hex", 1), parse<number>(v));
      }
    } catch (e) {
      await db.close().catch(() => {});
      if (e instanceof NodeStoreError) throw e;
      throw new NodeStoreError("CORRUPT", `node database ${dir} is unreadable and was left as it is: ${(e as Error).message}`);
    }
    return r;
  }

  /** See probe. Returns the blocks it checked. */
  private async verify(all: boolean): Promise<Map<number, BlockRecord>> {
    const dir = this.dir;
    const corrupt = (what: string): never => {
      throw new NodeStoreError("CORRUPT", `node database ${dir} is corrupt and was left as it is: ${what}`);
    };
    let expect = 0;
    for await (const k of this.db.keys({ gte: Buffer.from("b"), lt: Buffer.from("c") })) {
      const h = k.length === 5 ? Buffer.from(k).readUInt32BE(1) : -1;
      if (h !== expect) corrupt(h > expect ? `the record of block ${expect} is missing (the next one is block ${h})` : `a malformed or duplicate block key ${Buffer.from(k).toString("hex")}`);
      expect++;
    }
    if (expect !== this.headHeight + 1) corrupt(`the head is block ${this.headHeight} but the block records stop at ${expect - 1}`);
    const recent = new Map<number, BlockRecord>();
    const from = all ? 0 : Math.max(0, this.headHeight - VERIFY_RECENT);
    let prev: BlockRecord | undefined;
    for (let h = from; h <= this.headHeight; h++) {
      const raw = await this.db.get(blockKey(h));
      let b: BlockRecord;
      try {
        b = parse<BlockRecord>(raw!);
        if (b.height !== h || !Array.isArray(b.txs) || typeof b.hash !== "string" || typeof b.stateRoot !== "string") throw new Error("shape");
      } catch {
        return corrupt(`the record of block ${h} is unreadable`);
      }
      if (blockHash(h, b.prevHash, b.stateRoot, b.txs) !== b.hash) corrupt(`block ${h}'s record does not hash to its recorded hash ${b.hash}`);
      if (h === 0 && b.prevHash !== "0".repeat(64)) corrupt("block 0's prevHash is not zero");
      if (prev !== undefined && b.prevHash !== prev.hash) corrupt(`block ${h}'s prevHash ${b.prevHash} is not block ${h - 1}'s hash ${prev.hash}`);
      for (let i = 0; i < b.txs.length; i++) {
        const t = await this.getTx(b.txs[i]!).catch(() => corrupt(`the receipt of transaction ${b.txs[i]} (block ${h}) is unreadable`));
        if (t === undefined) corrupt(`the receipt of transaction ${b.txs[i]} (block ${h}, index ${i}) is missing`);
        let hash: string;
        try {
          hash = txHash(signingPayload(parseTx(t!.tx)));
        } catch {
          return corrupt(`the receipt of transaction ${b.txs[i]} (block ${h}) holds no valid transaction`);
        }
        if (hash !== b.txs[i] || t!.hash !== hash || t!.height !== h || t!.index !== i) corrupt(`the receipt of transaction ${b.txs[i]} (block ${h}, index ${i}) does not match its block`);
      }
      prev = b;
      if (h > this.headHeight - VERIFY_RECENT) recent.set(h, b);
    }
    return recent;
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
    try {
      await this.db.close();
    } finally {
      if (this.registered !== null) OPEN_IN_PROCESS.delete(this.registered);
      this.registered = null;
    }
  }
}

function isEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return true;
  }
}

async function firstKey(db: Db): Promise<Uint8Array | undefined> {
  const it = db.keys({ limit: 1 });
  try {
    return await it.next();
  } finally {
    await it.close();
  }
}
