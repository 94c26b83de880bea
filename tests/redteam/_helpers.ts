// Shared by the red-team tests (issue #17): a node directory with real history, byte flips,
// directory hashes.
import { cpSync, openSync, readSync, writeSync, closeSync, readdirSync } from "node:fs";
import path from "node:path";
import { encodeArgs } from "../../src/client/index.ts";
import { NodeKey, signTx, startNode, type CanaryNode } from "../../src/node/index.ts";

export { snapshot, tempDir } from "../store/_helpers.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a node on `db` until it has committed `blocks` more blocks, submitting `perBlock` transactions each. */
export async function grow(db: string, blocks: number, perBlock = 3, blockTimeMs = 5): Promise<{ height: number; txs: number }> {
  // perBlock transactions per block: all submitted at once, each block takes perBlock of them.
  const node = await startNode({ db, port: 0, blockTimeMs, maxTxPerBlock: perBlock });
  const key = NodeKey.generate();
  const start = node.height;
  const args = encodeArgs("recordSuccess", { name: "nope" });
  for (let nonce = 0; nonce < blocks * perBlock; nonce++) {
    const { json } = signTx([key], { network: node.network, method: "recordSuccess", args, nonce, validUntilBlock: node.height + 1000 + blocks });
    node.submit(json);
  }
  while (node.mempoolSize > 0 || node.height < start + blocks) await sleep(2);
  await node.close();
  return { height: node.height, txs: blocks * perBlock };
}

/** A started node's height then close (to check a directory opens). */
export async function startAndClose(options: Parameters<typeof startNode>[0]): Promise<CanaryNode> {
  const node = await startNode({ port: 0, blockTimeMs: 60_000, ...options });
  await node.close();
  return node;
}

/** XORs one byte of a file with 0x01. */
export function flipByte(file: string, offset: number): void {
  const fd = openSync(file, "r+");
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, offset);
    b[0] ^= 0x01;
    writeSync(fd, b, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}

export function filesOf(dir: string, re: RegExp): string[] {
  return readdirSync(dir).filter((n) => re.test(n)).map((n) => path.join(dir, n));
}

export function copyDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}
