// Helpers of the tests that run a devnet node in their own process (the SDK, the CLI's watch,
// the examples): a node with an admin, transactions sent in a batch (nonces kept by the
// Wallet, receipts checked), random accounts, bounded waits, a logger that records and one
// that drops every line.

import { randomBytes } from "node:crypto";
import { encodeArgs, type MethodArgs } from "../../src/client/schema.ts";
import type { MethodName } from "../../src/abi/methods.ts";
import { NodeKey, NodeRpc, RpcCanaryClient, Wallet, startNode, type AsyncCanaryClient, type CanaryNode, type NodeOptions } from "../../src/node/index.ts";
import { poll } from "./process.ts";

export interface Devnet {
  url: string;
  rpc: NodeRpc;
  wallet: Wallet;
  client: AsyncCanaryClient;
  admin: NodeKey;
}

/** Wires an admin (Admin implies every role) to a node at `url`, initializing the contract unless told not to. */
export async function connect(url: string, admin: NodeKey = NodeKey.generate(), init = true): Promise<Devnet> {
  const rpc = new NodeRpc(url, { timeoutMs: 10_000 });
  const wallet = new Wallet(rpc, [admin]);
  const client = RpcCanaryClient(wallet);
  if (init) {
    const r = await client.init(admin, admin.accountHex);
    if (!r.ok) throw new Error(`init: ${r.codeName}`);
  }
  return { url, rpc, wallet, client, admin };
}

/** An in-process node (short blocks) with the contract initialized. */
export async function startDevnet(options: NodeOptions = {}): Promise<Devnet & { node: CanaryNode; close: () => Promise<void> }> {
  const node = await startNode({ port: 0, blockTimeMs: 25, ...options });
  const d = await connect(node.url);
  return {
    ...d,
    node,
    close: async () => {
      d.rpc.close();
      await node.close();
    },
  };
}

type Tx = { [M in MethodName]: [M, MethodArgs[M]] }[MethodName];

/**
 * Submits the transactions in order (the wallet numbers them), then waits for all of them;
 * throws unless every one HALTed. Returns the height of the last one's block.
 */
export async function sendAll(d: Devnet, txs: readonly Tx[]): Promise<number> {
  const hashes: string[] = [];
  for (const [method, args] of txs) hashes.push((await d.wallet.send([d.admin], method, encodeArgs(method, args as never))).hash);
  let height = -1;
  for (let i = 0; i < hashes.length; i++) {
    const t = await d.rpc.waitForTransaction(hashes[i]!, { timeoutMs: 20_000, pollMs: 10 });
    if (t.status !== "HALT") throw new Error(`${txs[i]![0]} ${JSON.stringify(txs[i]![1])}: ${t.error ?? t.trap}`);
    height = Math.max(height, t.height);
  }
  return height;
}

/** `n` random accounts as 0x-hex. */
export function randomAccounts(n: number): string[] {
  const bytes = randomBytes(20 * n);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = "0x" + bytes.subarray(20 * i, 20 * i + 20).toString("hex");
  return out;
}

export const waitFor = <T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, pollMs = 5): Promise<T> => poll(what, check, timeoutMs, pollMs);

/** A logger that keeps every line (as text) for assertions. */
export function recordingLogger(): { lines: string[]; warn: (...a: unknown[]) => void; error: (...a: unknown[]) => void; info: (...a: unknown[]) => void; debug: (...a: unknown[]) => void } {
  const lines: string[] = [];
  const put = (level: string) => (...a: unknown[]) => void lines.push(`${level} ${a.map((x) => (x instanceof Error ? x.message : String(x))).join(" ")}`);
  return { lines, warn: put("warn"), error: put("error"), info: put("info"), debug: put("debug") };
}

/** A logger that drops every line. */
export const silentLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
