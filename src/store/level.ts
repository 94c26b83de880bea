// LevelStore: the persistent chain store (LevelDB through classic-level) behind the host's
// synchronous `Store` interface. docs/STORE.md is the reference; in short:
//
// - At open the whole contract state is loaded into an in-memory sorted map (a MemoryStore),
//   so every read the contract makes stays synchronous and as fast as the in-memory chain.
// - `apply` (what Chain.endBlock calls once per block) updates the map and *stages* the
//   writes; `commitBlock(meta)` (async) writes the staged state writes, the block's record
//   (state root, changed flag, events) and the new head in ONE `db.batch`. LevelDB applies a
//   batch all or nothing, so the database on disk is always exactly some committed block.
// - Key layout (first byte is the namespace):
//     "!format"           JSON marker {"format":"onchain-canary/chain-store","version":1}
//     "!head"             JSON {"height":h,"stateRoot":"<hex>"} (absent before block 0)
//     "b" ‖ u32be(h)      block h's record (see encodeBlock)
//     "s" ‖ key           one contract storage entry
// - Open refuses, without writing anything: a database another process holds (IN_USE), a
//   damaged one (CORRUPT, including state that does not hash to the stored head root), a
//   directory that is not a chain store (NOT_A_STORE), a newer format (VERSION).

import { Buffer } from "node:buffer";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ClassicLevel } from "classic-level";
import { checkLevelFiles, trialCopy } from "./files.ts";
import { stateRoot as computeStateRoot } from "../host/stateRoot.ts";
import { MemoryStore, toBinaryBatch, type BinaryStore, type Write } from "../host/store.ts";
import type { RawEvent } from "../host/types.ts";

export const FORMAT = "onchain-canary/chain-store";
export const FORMAT_VERSION = 1;

const K_FORMAT = Buffer.from("!format", "latin1");
const K_HEAD = Buffer.from("!head", "latin1");
const P_BLOCK = 0x62; // "b"
const P_STATE = 0x73; // "s"
const MAX_HEIGHT = 0xffffffff;

export type ChainStoreErrorCode =
  /** Another process (or another LevelStore in this one) has the database open. */
  | "IN_USE"
  /** The directory is a damaged LevelDB database or chain store. */
  | "CORRUPT"
  /** The path exists but is not a chain store (a file, a non-empty directory, a foreign LevelDB). */
  | "NOT_A_STORE"
  /** No chain store at the path and `create` was not asked for. */
  | "NOT_FOUND"
  /** A chain store of a newer format version. */
  | "VERSION"
  /** A block at or below the stored height, or not above the last committed one. */
  | "HEIGHT"
  /** The store was closed, or a write failed and the store must be reopened. */
  | "CLOSED"
  /** A commit is already in flight (await each commitBlock before the next block). */
  | "BUSY"
  /** LevelDB refused a write or an open for another reason (permissions, disk full…). */
  | "IO"
  /** A store of another kind (a node's chain store where a replay store was expected, or the reverse). */
  | "WRONG_KIND";

/**
 * What wrote a chain store: `canary replay --db` ("replay") or `canary node --db` ("node",
 * DIR/chain). Recorded in the format marker at creation; a store of the previous release has
 * none and is taken for what its layout shows (a `chain` directory next to a node's `node`
 * database is a node's).
 */
export type StoreKind = "replay" | "node";

export class ChainStoreError extends Error {
  constructor(
    readonly code: ChainStoreErrorCode,
    readonly dir: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ChainStoreError";
  }
}

/** What a block leaves in the store besides its state writes. */
export interface BlockMeta {
  height: number;
  /** The state root after the block; computed from the store when omitted. */
  stateRoot?: string;
  /** Every kept event of the block, in order (Chain's BlockResult.events). */
  events?: readonly RawEvent[];
  /** Whether the block changed any byte of state; derived from the staged writes when omitted. */
  changed?: boolean;
}

/** A committed block as read back. */
export interface StoredBlock {
  height: number;
  stateRoot: string;
  changed: boolean;
  events: RawEvent[];
}

export interface OpenOptions {
  /** Create the store when the directory is missing or empty (default false). */
  create?: boolean;
  /**
   * fsync every block's batch (default false). Without it a committed block survives the
   * process being killed (the write reached the OS) but not necessarily a power loss; LevelDB
   * still recovers to a consistent earlier block then.
   */
  sync?: boolean;
  /** The kind of store expected (default "replay"); "any" reads either (inspect). A new store gets this kind. */
  kind?: StoreKind | "any";
  /** Check every block record at open, not only the latest few (default false). */
  verifyAll?: boolean;
}

/** Block records checked at open (besides counting them all): the latest this many. */
export const VERIFY_RECENT = 16;

/** Directories a LevelStore or the node's records hold open in this process (resolved paths). */
export const OPEN_IN_PROCESS = new Set<string>();

function legacyKind(dir: string): StoreKind {
  return path.basename(dir) === "chain" && existsSync(path.join(path.dirname(dir), "node", "CURRENT")) ? "node" : "replay";
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;
type BatchOp = { type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array };

const LEVELDB_FILE = /^(LOCK|LOG|LOG\.old|CURRENT|MANIFEST-\d+|\d+\.(log|ldb|sst)|\d+\.dbtmp)$/;

function heightKey(height: number): Buffer {
  const k = Buffer.allocUnsafe(5);
  k[0] = P_BLOCK;
  k.writeUInt32BE(height, 1);
  return k;
}

function stateKey(bin: string): Buffer {
  const k = Buffer.allocUnsafe(1 + bin.length);
  k[0] = P_STATE;
  k.write(bin, 1, "latin1");
  return k;
}

/**
 * Block record: u8 version (1) ‖ 32-byte state root ‖ u8 changed ‖ u32le event count ‖ per
 * event: u16le name length ‖ name (ASCII) ‖ u32le data length ‖ data.
 */
export function encodeBlock(root: string, changed: boolean, events: readonly RawEvent[]): Buffer {
  let n = 1 + 32 + 1 + 4;
  for (const e of events) n += 2 + Buffer.byteLength(e.name, "latin1") + 4 + e.data.length;
  const b = Buffer.allocUnsafe(n);
  let at = 0;
  b[at++] = 1;
  if (!/^[0-9a-f]{64}$/.test(root)) throw new TypeError(`a state root is 64 lowercase hex digits, got ${JSON.stringify(root)}`);
  at += b.write(root, at, "hex");
  b[at++] = changed ? 1 : 0;
  b.writeUInt32LE(events.length, at);
  at += 4;
  for (const e of events) {
    const len = b.write(e.name, at + 2, "latin1");
    b.writeUInt16LE(len, at);
    at += 2 + len;
    b.writeUInt32LE(e.data.length, at);
    at += 4;
    b.set(e.data, at);
    at += e.data.length;
  }
  return b;
}

export function decodeBlock(height: number, raw: Uint8Array): StoredBlock {
  const b = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const fail = (): never => {
    throw new Error(`block ${height}: undecodable block record`);
  };
  if (b.length < 38 || b[0] !== 1) fail();
  let at = 1;
  const stateRoot = b.toString("hex", at, at + 32);
  at += 32;
  const changed = b[at++] === 1;
  const count = b.readUInt32LE(at);
  at += 4;
  const events: RawEvent[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 2 > b.length) fail();
    const nl = b.readUInt16LE(at);
    at += 2;
    if (at + nl + 4 > b.length) fail();
    const name = b.toString("latin1", at, at + nl);
    at += nl;
    const dl = b.readUInt32LE(at);
    at += 4;
    if (at + dl > b.length) fail();
    events.push({ name, data: new Uint8Array(b.subarray(at, at + dl)) });
    at += dl;
  }
  if (at !== b.length) fail();
  return { height, stateRoot, changed, events };
}

/** What LevelStore.probe learned of an existing store (nothing in it was changed). */
export interface Probe {
  /** An empty LevelDB database that `create` adopts. */
  adopt: boolean;
  height: number;
  stateRoot: string;
  kind: StoreKind;
  /** State roots of the latest blocks (up to VERIFY_RECENT), by height. */
  recentRoots: Map<number, string>;
}

function damaged(dir: string, d: { file: string; offset: number; what: string }): ChainStoreError {
  return new ChainStoreError("CORRUPT", dir, `database ${dir} is corrupt and was left as it is: ${d.file} at byte ${d.offset}: ${d.what}`);
}

function levelCode(e: unknown): string | undefined {
  const err = e as { code?: string; cause?: { code?: string } };
  return err.cause?.code ?? err.code;
}

function levelMessage(e: unknown): string {
  const err = e as { message?: string; cause?: { message?: string } };
  return err.cause?.message ?? err.message ?? String(e);
}

function openError(dir: string, e: unknown): ChainStoreError {
  const code = levelCode(e);
  const msg = levelMessage(e);
  if (code === "LEVEL_LOCKED") {
    return new ChainStoreError("IN_USE", dir, `database ${dir} is in use by another process (close it there first)`, { cause: e });
  }
  if (code === "LEVEL_CORRUPTION" || /corrupt|MANIFEST|CURRENT|No such file/i.test(msg)) {
    return new ChainStoreError("CORRUPT", dir, `database ${dir} is corrupt and was left as it is: ${msg}`, { cause: e });
  }
  return new ChainStoreError("IO", dir, `cannot open database ${dir}: ${msg}`, { cause: e });
}

/** The persistent chain store. Implements the host's Store and its BinaryStore fast path. */
export class LevelStore implements BinaryStore {
  readonly binaryKeys = true as const;
  private readonly mem = new MemoryStore();
  /** Staged writes of the open block: binary key → value (null deletes). */
  private staged = new Map<string, Uint8Array | null>();
  /** The committed value of every staged key (undefined: absent), to undo a refused block. */
  private undo = new Map<string, Uint8Array | undefined>();
  private committedHeight = -1;
  private committedRoot: string;
  private state: "open" | "committing" | "failed" | "closed" = "open";

  private constructor(
    readonly dir: string,
    private readonly db: Db,
    private readonly sync: boolean,
  ) {
    this.committedRoot = computeStateRoot(this.mem);
  }

  /**
   * Opens the chain store in `dir` (creating it when `create` is set and `dir` is missing or
   * empty) and loads its state into memory. Throws ChainStoreError; on any error nothing in
   * `dir` has been changed: an existing store is first checked (LevelDB's checksums of every
   * file, then its marker, kind, head, block records and state) in a trial copy, and only a
   * store that passes is opened in place.
   */
  static async open(dir: string, options: OpenOptions = {}): Promise<LevelStore> {
    const create = options.create === true;
    const kind = options.kind ?? "replay";
    let fresh = false;
    let names: string[] | null = null;
    try {
      if (!statSync(dir).isDirectory()) throw new ChainStoreError("NOT_A_STORE", dir, `${dir} is a file, not a chain store directory`);
      names = readdirSync(dir);
    } catch (e) {
      if (e instanceof ChainStoreError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") throw new ChainStoreError("IO", dir, `cannot read ${dir}: ${code ?? (e as Error).message}`, { cause: e });
    }
    if (names === null || names.length === 0) {
      if (!create) {
        throw new ChainStoreError("NOT_FOUND", dir, names === null ? `no chain store at ${dir} (no such directory)` : `no chain store at ${dir} (an empty directory)`);
      }
      if (kind === "any") throw new ChainStoreError("NOT_FOUND", dir, `no chain store at ${dir}`);
      fresh = true;
    } else if (!names.includes("CURRENT")) {
      // Never let LevelDB touch a directory that is not one of its databases: opening would
      // create LOCK and LOG files (renaming an existing LOG) in it.
      if (names.some((n) => LEVELDB_FILE.test(n) && n !== "LOCK" && n !== "LOG" && n !== "LOG.old")) {
        throw new ChainStoreError("CORRUPT", dir, `database ${dir} is corrupt and was left as it is: LevelDB files without a CURRENT file`);
      }
      if (names.includes("node") && names.includes("chain")) {
        throw new ChainStoreError("WRONG_KIND", dir, `${dir} is a node's directory (canary node --db ${dir}), not a chain store; nothing was changed`);
      }
      throw new ChainStoreError("NOT_A_STORE", dir, `${dir} is not a chain store (a non-empty directory that is not a LevelDB database); nothing was changed`);
    }
    const key = path.resolve(dir);
    if (OPEN_IN_PROCESS.has(key)) throw new ChainStoreError("IN_USE", dir, `database ${dir} is in use by another process (close it there first)`);

    // An existing database: every check that can refuse runs on a trial copy first.
    let adopt = false;
    let probed: Probe | undefined;
    if (!fresh) {
      probed = await LevelStore.probe(dir, { ...options, create, kind });
      adopt = probed.adopt;
    }
    if (names === null) mkdirSync(dir, { recursive: true });
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
      keyEncoding: "view",
      valueEncoding: "view",
      createIfMissing: fresh,
      errorIfExists: false,
    });
    try {
      await db.open();
    } catch (e) {
      throw openError(dir, e);
    }
    OPEN_IN_PROCESS.add(key);
    try {
      const store = new LevelStore(dir, db, options.sync === true);
      if (fresh || adopt) {
        await store.write([{ type: "put", key: K_FORMAT, value: Buffer.from(JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, kind })) }]);
        store.storeKind = kind as StoreKind;
      } else await store.load({ kind, verifyAll: false, create, loadOnly: true });
      store.registered = key;
      return store;
    } catch (e) {
      OPEN_IN_PROCESS.delete(key);
      await db.close().catch(() => {});
      throw e;
    }
  }

  /**
   * Checks an existing chain store without changing a byte of `dir`: LevelDB's checksums of
   * every file, then (LevelDB opened on a hard-linked trial copy) the marker and kind, the
   * head, the count and the latest block records (all of them with `verifyAll`), and the
   * state against the head's root. Throws the ChainStoreError an open would.
   */
  static async probe(dir: string, options: OpenOptions = {}): Promise<Probe> {
    let trial: ReturnType<typeof trialCopy>;
    try {
      trial = trialCopy(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ChainStoreError("IO", dir, `cannot check ${dir} before opening it (a trial copy next to it or in the temporary directory failed: ${code ?? (e as Error).message}); nothing was changed`, { cause: e });
    }
    try {
      const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(trial.dir, { keyEncoding: "view", valueEncoding: "view", createIfMissing: false });
      try {
        await db.open();
      } catch (e) {
        const err = openError(dir, e);
        if (err.code === "IN_USE") throw err;
        const damage = checkLevelFiles(dir);
        if (damage !== null) throw damaged(dir, damage);
        throw err;
      }
      try {
        // The lock is ours now (LOCK is linked): nobody writes `dir` while its files are read.
        const damage = checkLevelFiles(dir);
        if (damage !== null) throw damaged(dir, damage);
        const store = new LevelStore(dir, db, false);
        const adopt = await store.load({ kind: options.kind ?? "replay", verifyAll: options.verifyAll === true, create: options.create === true, loadOnly: false });
        const recent = new Map<number, string>();
        for await (const b of store.blocks(Math.max(0, store.height - VERIFY_RECENT + 1))) recent.set(b.height, b.stateRoot);
        return { adopt, height: store.height, stateRoot: store.stateRoot, kind: store.storeKind, recentRoots: recent };
      } finally {
        await db.close().catch(() => {});
      }
    } catch (e) {
      if (e instanceof ChainStoreError && e.message.includes(trial.dir)) throw new ChainStoreError(e.code, dir, e.message.split(trial.dir).join(dir), { cause: e });
      throw e;
    } finally {
      trial.remove();
    }
  }

  /** Kind of this store (recorded, or inferred from the layout for a store of the previous release). */
  get kind(): StoreKind {
    return this.storeKind;
  }

  private storeKind: StoreKind = "replay";
  private registered: string | null = null;

  /** Reads the marker, head and state; returns true when an empty database is to be adopted. */
  private async load(o: { kind: StoreKind | "any"; verifyAll: boolean; create: boolean; loadOnly: boolean }): Promise<boolean> {
    const { db, dir } = this;
    let marker: Uint8Array | undefined;
    try {
      marker = await db.get(K_FORMAT);
    } catch (e) {
      throw openError(dir, e);
    }
    if (marker === undefined) {
      const any = await this.firstKey();
      if (any !== undefined || !o.create) {
        throw new ChainStoreError("NOT_A_STORE", dir, `${dir} is a LevelDB database but not a chain store (no ${FORMAT} marker); nothing was changed`);
      }
      // An empty database (a creation interrupted before its first batch): adopt it.
      return true;
    }
    let m: { format?: unknown; version?: unknown; kind?: unknown };
    try {
      m = JSON.parse(Buffer.from(marker).toString("utf8"));
    } catch {
      m = {};
    }
    if (m.format !== FORMAT) throw new ChainStoreError("NOT_A_STORE", dir, `${dir} is a LevelDB database but not a chain store (unknown marker); nothing was changed`);
    if (m.version !== FORMAT_VERSION) {
      throw new ChainStoreError("VERSION", dir, `${dir} is a chain store of format version ${String(m.version)}; this canary reads version ${FORMAT_VERSION}`);
    }
    this.storeKind = m.kind === "node" || m.kind === "replay" ? m.kind : legacyKind(dir);
    if (o.kind !== "any" && o.kind !== this.storeKind) {
      throw new ChainStoreError(
        "WRONG_KIND",
        dir,
        this.storeKind === "node"
          ? `${dir} is a node's chain store (written by canary node --db ${path.dirname(dir)}); only that node writes it; nothing was changed`
          : `${dir} is a chain store written by canary replay --db, not a node's; nothing was changed`,
      );
    }

    try {
      const head = await db.get(K_HEAD);
      if (head !== undefined) {
        const h = JSON.parse(Buffer.from(head).toString("utf8")) as { height?: unknown; stateRoot?: unknown };
        if (!Number.isInteger(h.height) || (h.height as number) < 0 || (h.height as number) > MAX_HEIGHT || typeof h.stateRoot !== "string") throw new Error("bad head record");
        this.committedHeight = h.height as number;
        this.committedRoot = h.stateRoot;
      }
      if (!o.loadOnly) await this.verifyBlocks(o.verifyAll);
      // Load the state (already in bytewise order) into the in-memory map.
      const it = db.iterator({ gte: Uint8Array.of(P_STATE), lt: Uint8Array.of(P_STATE + 1) });
      try {
        for (;;) {
          const chunk = await it.nextv(4096);
          if (chunk.length === 0) break;
          for (const [k, v] of chunk) {
            const kb = Buffer.from(k.buffer, k.byteOffset, k.byteLength);
            this.mem.putBin(kb.toString("latin1", 1), new Uint8Array(v));
          }
        }
      } finally {
        await it.close();
      }
    } catch (e) {
      if (e instanceof ChainStoreError) throw e;
      throw new ChainStoreError("CORRUPT", dir, `database ${dir} is corrupt and was left as it is: ${levelMessage(e)}`, { cause: e });
    }
    if (o.loadOnly) return false;
    const root = computeStateRoot(this.mem);
    if (root !== this.committedRoot) {
      throw new ChainStoreError(
        "CORRUPT",
        dir,
        `database ${dir} is corrupt and was left as it is: its state hashes to ${root}, but block ${this.committedHeight} recorded ${this.committedRoot}`,
      );
    }
    return false;
  }

  /**
   * The block records agree with the head: one record per height 0..height (counted over the
   * keys alone), the latest VERIFY_RECENT (every one with `all`) decode, an unchanged block
   * keeps its predecessor's root, and the last root is the head's.
   */
  private async verifyBlocks(all: boolean): Promise<void> {
    const { db, dir } = this;
    const corrupt = (what: string): never => {
      throw new ChainStoreError("CORRUPT", dir, `database ${dir} is corrupt and was left as it is: ${what}`);
    };
    // A store's first block may be any height (a library user may start above 0; the replay
    // and the node start at 0); from there every height has its record (commitBlock refuses gaps).
    let expect = -1;
    const keys = db.keys({ gte: Uint8Array.of(P_BLOCK), lt: Uint8Array.of(P_BLOCK + 1) });
    try {
      for (;;) {
        const chunk = await keys.nextv(4096);
        if (chunk.length === 0) break;
        for (const k of chunk) {
          if (k.length !== 5) corrupt(`a block record with a malformed key (${Buffer.from(k).toString("hex")})`);
          const h = Buffer.from(k.buffer, k.byteOffset, k.byteLength).readUInt32BE(1);
          if (expect >= 0 && h !== expect) corrupt(h > expect ? `the record of block ${expect} is missing (the next one is block ${h})` : `a duplicate record of block ${h}`);
          expect = h + 1;
        }
      }
    } finally {
      await keys.close();
    }
    if (expect !== this.committedHeight + 1 && !(expect < 0 && this.committedHeight < 0)) {
      corrupt(this.committedHeight < 0 ? `block records up to ${expect - 1} but no head` : expect < 0 ? `the head is block ${this.committedHeight} but there are no block records` : `the head is block ${this.committedHeight} but the block records stop at ${expect - 1}`);
    }
    if (this.committedHeight < 0) return;
    const from = all ? 0 : Math.max(0, this.committedHeight - VERIFY_RECENT);
    let prev: string | undefined;
    const it = db.iterator({ gte: heightKey(from), lte: heightKey(this.committedHeight) });
    try {
      for await (const [k, v] of it) {
        const h = Buffer.from(k.buffer, k.byteOffset, k.byteLength).readUInt32BE(1);
        let b: StoredBlock;
        try {
          b = decodeBlock(h, v);
        } catch {
          return corrupt(`the record of block ${h} is undecodable`);
        }
        if (prev !== undefined && !b.changed && b.stateRoot !== prev) corrupt(`block ${h} is recorded as unchanged but its root ${b.stateRoot} differs from block ${h - 1}'s ${prev}`);
        prev = b.stateRoot;
        if (h === this.committedHeight && b.stateRoot !== this.committedRoot) corrupt(`block ${h}'s record has root ${b.stateRoot} but the head recorded ${this.committedRoot}`);
      }
    } finally {
      await it.close().catch(() => {});
    }
  }

  private async firstKey(): Promise<Uint8Array | undefined> {
    const it = this.db.keys({ limit: 1 });
    try {
      return await it.next();
    } finally {
      await it.close();
    }
  }

  private async write(ops: BatchOp[]): Promise<void> {
    try {
      await this.db.batch(ops, { sync: this.sync });
    } catch (e) {
      this.state = "failed";
      throw new ChainStoreError("IO", this.dir, `writing to ${this.dir} failed (reopen the store to continue from its last committed block): ${levelMessage(e)}`, { cause: e });
    }
  }

  // ---- chain meta ----

  /** Height of the last committed block; -1 when none was committed. */
  get height(): number {
    return this.committedHeight;
  }

  /** The state root recorded with the last committed block (of the empty state before any). */
  get stateRoot(): string {
    return this.committedRoot;
  }

  /** Number of keys written since the last commit. */
  get pending(): number {
    return this.staged.size;
  }

  get isOpen(): boolean {
    return this.state === "open" || this.state === "committing";
  }

  /** Throws HEIGHT unless `height` may be the next block (an integer above the stored height). */
  checkNextHeight(height: number): void {
    if (!Number.isInteger(height) || height < 0 || height > MAX_HEIGHT) {
      throw new ChainStoreError("HEIGHT", this.dir, `block ${height}: a height is an integer in 0..${MAX_HEIGHT}`);
    }
    if (height <= this.committedHeight) {
      throw new ChainStoreError(
        "HEIGHT",
        this.dir,
        `block ${height} is at or below the stored height ${this.committedHeight} of ${this.dir}: committed blocks are never re-applied`,
      );
    }
    if (this.committedHeight >= 0 && height !== this.committedHeight + 1) {
      throw new ChainStoreError(
        "HEIGHT",
        this.dir,
        `block ${height} skips heights after the stored height ${this.committedHeight} of ${this.dir}: blocks are committed one height at a time (an empty block is still a block)`,
      );
    }
  }

  /**
   * Writes the staged state writes, the block's record and the new head in one atomic batch.
   * A refused block (HEIGHT) has its staged writes undone, so memory again equals the disk.
   * Await it before the next block's writes.
   */
  async commitBlock(meta: BlockMeta): Promise<StoredBlock> {
    this.usable();
    if (this.state === "committing") throw new ChainStoreError("BUSY", this.dir, "commitBlock: the previous block's commit is still in flight (await it first)");
    try {
      this.checkNextHeight(meta.height);
    } catch (e) {
      this.discardStaged();
      throw e;
    }
    const root = meta.stateRoot ?? computeStateRoot(this.mem);
    const changed = meta.changed ?? this.stagedChanges();
    const events = meta.events ?? [];
    const ops: BatchOp[] = [];
    for (const [k, v] of this.staged) {
      ops.push(v === null ? { type: "del", key: stateKey(k) } : { type: "put", key: stateKey(k), value: v });
    }
    ops.push({ type: "put", key: heightKey(meta.height), value: encodeBlock(root, changed, events) });
    ops.push({ type: "put", key: K_HEAD, value: Buffer.from(JSON.stringify({ height: meta.height, stateRoot: root })) });
    this.state = "committing";
    await this.write(ops);
    this.state = "open";
    this.staged = new Map();
    this.undo = new Map();
    this.committedHeight = meta.height;
    this.committedRoot = root;
    return { height: meta.height, stateRoot: root, changed, events: [...events] };
  }

  /** Undoes every write since the last commit (memory returns to the committed block). */
  discardStaged(): void {
    if (this.undo.size === 0) return;
    const back: [string, Uint8Array | null][] = [];
    for (const [k, v] of this.undo) back.push([k, v ?? null]);
    this.mem.applyBin(back);
    this.staged = new Map();
    this.undo = new Map();
  }

  private stagedChanges(): boolean {
    for (const [k, v] of this.staged) {
      const old = this.undo.get(k);
      if (v === null ? old !== undefined : old === undefined || !Buffer.from(old).equals(v)) return true;
    }
    return false;
  }

  /** The record of committed block `height` (undefined when not stored). */
  async block(height: number): Promise<StoredBlock | undefined> {
    this.readable();
    if (!Number.isInteger(height) || height < 0 || height > MAX_HEIGHT) return undefined;
    const raw = await this.db.get(heightKey(height));
    return raw === undefined ? undefined : decodeBlock(height, raw);
  }

  /** Committed block records from `from` to `to` (inclusive), in height order. */
  async *blocks(from = 0, to = this.committedHeight): AsyncGenerator<StoredBlock> {
    this.readable();
    if (to < from || to < 0) return;
    const it = this.db.iterator({ gte: heightKey(Math.max(0, from)), lte: heightKey(Math.min(to, MAX_HEIGHT)) });
    try {
      for (;;) {
        const chunk = await it.nextv(1024);
        if (chunk.length === 0) break;
        for (const [k, v] of chunk) {
          const h = Buffer.from(k.buffer, k.byteOffset, k.byteLength).readUInt32BE(1);
          yield decodeBlock(h, v);
        }
      }
    } finally {
      await it.close();
    }
  }

  /** Closes the database. Writes staged since the last commit are dropped (never written). */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    this.staged = new Map();
    this.undo = new Map();
    try {
      await this.db.close();
    } finally {
      if (this.registered !== null) OPEN_IN_PROCESS.delete(this.registered);
      this.registered = null;
    }
  }

  private usable(): void {
    if (this.state === "closed") throw new ChainStoreError("CLOSED", this.dir, `the chain store ${this.dir} is closed`);
    if (this.state === "failed") throw new ChainStoreError("CLOSED", this.dir, `a write to ${this.dir} failed: reopen the store to continue from its last committed block`);
  }

  private readable(): void {
    if (this.state === "closed") throw new ChainStoreError("CLOSED", this.dir, `the chain store ${this.dir} is closed`);
  }

  // ---- Store (public, copying) ----

  get size(): number {
    return this.mem.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.mem.get(key);
  }

  next(prefix: Uint8Array, after: Uint8Array): [Uint8Array, Uint8Array] | undefined {
    return this.mem.next(prefix, after);
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.applyBin(toBinaryBatch([{ key, value }]));
  }

  delete(key: Uint8Array): void {
    this.applyBin(toBinaryBatch([{ key, value: null }]));
  }

  apply(writes: Iterable<Write>): void {
    this.applyBin(toBinaryBatch(writes));
  }

  entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.mem.entries();
  }

  // ---- BinaryStore ----

  getBin(key: string): Uint8Array | undefined {
    return this.mem.getBin(key);
  }

  nextBin(prefix: string, after: string): [string, Uint8Array] | undefined {
    return this.mem.nextBin(prefix, after);
  }

  putBin(key: string, value: Uint8Array): void {
    this.applyBin([[key, value]]);
  }

  deleteBin(key: string): void {
    this.applyBin([[key, null]]);
  }

  /** Applies the batch to memory (all or nothing) and stages it for the next commitBlock. */
  applyBin(writes: Iterable<readonly [string, Uint8Array | null]>): void {
    this.usable();
    if (this.state === "committing") throw new ChainStoreError("BUSY", this.dir, "a write while the previous block's commit is in flight (await commitBlock first)");
    const batch = Array.isArray(writes) ? (writes as readonly (readonly [string, Uint8Array | null])[]) : [...writes];
    const { mem, staged, undo } = this;
    for (let i = 0; i < batch.length; i++) {
      const [k, v] = batch[i]!;
      if (!undo.has(k)) undo.set(k, mem.getBin(k));
      staged.set(k, v);
    }
    mem.applyBin(batch);
  }

  entriesBin(): IterableIterator<[string, Uint8Array]> {
    return this.mem.entriesBin();
  }
}
