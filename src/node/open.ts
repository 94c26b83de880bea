// Opening a node's directory (`canary node --db DIR`): DIR/chain (the chain store, contract
// state) and DIR/node (the node's records). docs/NODE.md, "Persistence" and "Refusals at start".
//
// Everything that can refuse runs before a byte of DIR is written: both databases are probed
// on trial copies (LevelDB's checksums, markers, counts, the latest blocks' hashes and roots),
// then the two are compared. Only then are they opened in place. The node's records are the
// history (every block with every transaction); the chain store is the contract state those
// blocks produce. So:
//
// - records one block above the state: the crash window (the node writes its records, then
//   the chain store): that block is re-executed from its records, and its root must be the
//   recorded one (roll forward; nothing is dropped);
// - records further above (DIR/chain deleted, or restored from an older backup): refused; the
//   state is rebuilt on request (`--rebuild`) by re-executing every recorded block into a
//   fresh chain store, each block's root checked against its record;
// - records below the state, roots that disagree, another network: refused.

import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { Chain } from "../host/chain.ts";
import type { InvokeResult } from "../host/types.ts";
import { ChainStoreError, LevelStore, trialCopy } from "../store/index.ts";
import { LevelRecords, NodeStoreError, type NodeRecords } from "./records.ts";
import { parseTx, signerAccounts } from "./tx.ts";

export interface NodeDirOptions {
  db: string;
  wasm: Uint8Array;
  network: number | undefined;
  txGasLimit: number;
  sync: boolean;
  verifyAll: boolean;
  rebuild: boolean;
  /** Progress lines of a rebuild (stderr in the CLI). */
  log: (line: string) => void;
}

export interface OpenedNodeDir {
  store: LevelStore;
  records: LevelRecords;
  /** Blocks re-executed from the records at this start (a roll-forward or a rebuild). */
  replayed: number;
}

const nonEmpty = (dir: string): boolean => {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
};

/** Runs block `h` of `records` on `chain` and commits it to `store`; throws when the result differs from the record. */
export async function replayRecordedBlock(chain: Chain, store: LevelStore, records: NodeRecords, h: number, txGasLimit: number, what: string): Promise<void> {
  const b = await records.getBlock(h);
  if (b === undefined) throw new NodeStoreError("REBUILD", `${what}: the record of block ${h} is missing`);
  chain.beginBlock(h);
  for (let i = 0; i < b.txs.length; i++) {
    const t = await records.getTx(b.txs[i]!);
    if (t === undefined) {
      chain.abortBlock();
      throw new NodeStoreError("REBUILD", `${what}: the receipt of transaction ${b.txs[i]} of block ${h} is missing`);
    }
    const tx = parseTx(t.tx);
    const witnesses = signerAccounts(tx);
    let r: InvokeResult;
    try {
      r = chain.transact(tx.method, tx.args, { height: h, sender: witnesses[0]!, witnesses, gasLimit: txGasLimit });
    } catch (e) {
      r = { code: -1, ok: false, output: new Uint8Array(0), events: [], logs: [], trap: String(e) };
    }
    if (r.code !== t.code) {
      chain.abortBlock();
      throw new NodeStoreError("REBUILD", `${what}: transaction ${i} of block ${h} (${t.hash}) re-executes to code ${r.code}, its receipt says ${t.code} (another --wasm or --gas-limit than the node that wrote it?)`);
    }
  }
  const br = chain.endBlock();
  if (br.stateRoot !== b.stateRoot) {
    throw new NodeStoreError("REBUILD", `${what}: block ${h} re-executes to state root ${br.stateRoot}, its record says ${b.stateRoot} (another --wasm or --gas-limit than the node that wrote it?)`);
  }
  await store.commitBlock(br);
}

/** Rebuilds DIR/chain from DIR/node's blocks into a fresh store; the old DIR/chain is kept aside. */
async function rebuild(o: NodeDirOptions, chainDir: string, nodeDir: string, head: number): Promise<void> {
  const tmp = path.join(o.db, `.chain.rebuild-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  // Read the records from a trial copy: a failed rebuild leaves DIR/node untouched.
  const trial = trialCopy(nodeDir);
  let records: LevelRecords | undefined;
  let store: LevelStore | undefined;
  try {
    records = await LevelRecords.open(trial.dir, { trusted: true });
    store = await LevelStore.open(tmp, { create: true, kind: "node" });
    const chain = new Chain(o.wasm, store);
    let txs = 0;
    for (let h = 0; h <= head; h++) {
      await replayRecordedBlock(chain, store, records, h, o.txGasLimit, `cannot rebuild ${chainDir}`);
      txs += (await records.getBlock(h))!.txs.length;
    }
    await store.close();
    store = undefined;
    let kept = "";
    if (existsSync(chainDir)) {
      kept = `${chainDir}.before-rebuild-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      renameSync(chainDir, kept);
    }
    renameSync(tmp, chainDir);
    o.log(`rebuilt ${chainDir} from the node's own records: blocks 0..${head} (${txs} transactions) re-executed, every block's state root as recorded${kept ? `; the previous chain store was kept at ${kept}` : ""}`);
  } catch (e) {
    await store?.close().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    await records?.close().catch(() => {});
    trial.remove();
  }
}

/** Checks DIR (writing nothing when it refuses), then opens its two databases. */
export async function openNodeDir(o: NodeDirOptions): Promise<OpenedNodeDir> {
  const D = o.db;
  const chainDir = path.join(D, "chain");
  const nodeDir = path.join(D, "node");
  if (existsSync(path.join(D, "CURRENT"))) {
    throw new NodeStoreError("NOT_NODE_RECORDS", `${D} is a chain store written by canary replay --db, not a node's directory; nothing was changed (start the node on a new directory)`);
  }
  const rec = nonEmpty(nodeDir) ? await LevelRecords.probe(nodeDir, { verifyAll: o.verifyAll }) : undefined;
  const recHead = rec?.head ?? -1;
  if (rec?.meta !== undefined && o.network !== undefined && rec.meta.network !== o.network) {
    throw new NodeStoreError("NETWORK", `${D} belongs to network ${rec.meta.network}, not ${o.network}; nothing was changed`);
  }
  if (o.rebuild) {
    if (recHead < 0) throw new NodeStoreError("REBUILD", `${D}: no blocks recorded in ${nodeDir}, nothing to rebuild from`);
    await rebuild(o, chainDir, nodeDir, recHead);
  }
  let probe;
  try {
    probe = nonEmpty(chainDir) ? await LevelStore.probe(chainDir, { kind: "node", verifyAll: o.verifyAll }) : undefined;
  } catch (e) {
    if (e instanceof ChainStoreError && e.code === "CORRUPT" && recHead >= 0) {
      throw new ChainStoreError(e.code, e.dir, `${e.message}\n  the node's records (${nodeDir}) hold every block up to ${recHead}: rebuild the state from them with canary node --db ${D} --rebuild`);
    }
    throw e;
  }
  const storeHeight = probe?.height ?? -1;
  if (recHead > storeHeight + 1) {
    throw new NodeStoreError(
      "HEIGHTS",
      `${D}: the node's records (${nodeDir}) go up to block ${recHead} but the contract state (${chainDir}) is at height ${storeHeight}` +
        `${probe === undefined ? " (missing)" : ""}: was ${chainDir} deleted or restored from an older backup? Nothing was changed.\n` +
        `  To recover, rebuild the state from the node's own blocks: canary node --db ${D} --rebuild`,
    );
  }
  if (recHead < storeHeight) {
    throw new NodeStoreError(
      "HEIGHTS",
      `${D}: the chain store has blocks up to ${storeHeight} but the node records stop at ${recHead} (a chain written by another tool, e.g. canary replay --db?): start the node on its own directory; nothing was changed`,
    );
  }
  if (rec !== undefined && probe !== undefined) {
    for (const [h, root] of probe.recentRoots) {
      const b = rec.recent.get(h);
      if (b !== undefined && b.stateRoot !== root) {
        throw new NodeStoreError("HEIGHTS", `${D}: block ${h} records root ${b.stateRoot} but the chain store has ${root}; nothing was changed (rebuild the state from the records: canary node --db ${D} --rebuild)`);
      }
    }
  }

  if (recHead === storeHeight + 1) {
    // The crash window: re-execute the block on trial copies first, so a block that does not
    // reproduce its recorded root is refused with DIR unchanged.
    const tc = trialCopy(chainDir);
    const tn = trialCopy(nodeDir);
    let s: LevelStore | undefined;
    let r: LevelRecords | undefined;
    try {
      s = await LevelStore.open(tc.dir, { kind: "any" });
      r = await LevelRecords.open(tn.dir, { trusted: true });
      await replayRecordedBlock(new Chain(o.wasm, s), s, r, recHead, o.txGasLimit, `cannot roll ${chainDir} forward to block ${recHead}; nothing was changed`);
    } finally {
      await s?.close().catch(() => {});
      await r?.close().catch(() => {});
      tc.remove();
      tn.remove();
    }
  }

  // Checked: open both in place (each store probes itself once more; cheap next to the wait).
  const store = await LevelStore.open(chainDir, { create: true, kind: "node", sync: o.sync });
  let records: LevelRecords;
  try {
    records = await LevelRecords.open(nodeDir, { trusted: true });
  } catch (e) {
    await store.close();
    throw e;
  }
  let replayed = 0;
  try {
    if (recHead === storeHeight + 1) {
      // The crash window: the records of the last block were written, its state was not.
      const chain = new Chain(o.wasm, store);
      await replayRecordedBlock(chain, store, records, recHead, o.txGasLimit, `cannot roll ${chainDir} forward to block ${recHead}`);
      o.log(`rolled ${chainDir} forward to block ${recHead} from the node's records (a stop between the two writes of that block)`);
      replayed = 1;
    }
  } catch (e) {
    await records.close();
    await store.close();
    throw e;
  }
  return { store, records, replayed };
}
