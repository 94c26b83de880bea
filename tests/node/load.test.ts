// 20 concurrent clients × 500 signed transactions against a real node in a child process on
// 127.0.0.1: every accepted transaction lands in exactly one block, none lost, none twice.
// Also measures sustained tps and submission→inclusion latency (docs/NODE.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeArgs } from "../../src/client/index.ts";
import { NodeKey, NodeRpc, RpcCanaryClient, Wallet, signTx, subscribeBlocks, type BlockRecord } from "../../src/node/index.ts";
import { percentile, spawnNode, waitFor, type ChildNode } from "./_helpers.ts";

const CLIENTS = 20;
const PER_CLIENT = 500;
const BLOCK_TIME_MS = 50;
const MAX_TX_PER_BLOCK = 500;

let child: ChildNode;

beforeAll(async () => {
  child = await spawnNode({ port: 0, blockTimeMs: BLOCK_TIME_MS, maxTxPerBlock: MAX_TX_PER_BLOCK });
}, 30_000);

afterAll(async () => {
  if (child && child.child.exitCode === null) {
    child.child.kill("SIGTERM");
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.child.exitCode === null) child.child.kill("SIGKILL");
  }
});

describe("20 clients × 500 transactions", () => {
  it("every accepted transaction is in exactly one block", async () => {
    const rpc = new NodeRpc(child.url, { timeoutMs: 30_000 });
    const admin = NodeKey.generate();
    const reporters = Array.from({ length: CLIENTS }, () => NodeKey.generate());
    const wallet = new Wallet(rpc, [admin, ...reporters]);
    const client = RpcCanaryClient(wallet);
    expect((await client.init(admin, admin.accountHex)).codeName).toBe("Ok");
    expect((await client.createFeature(admin, "load", "")).codeName).toBe("Ok");
    expect((await client.enable(admin, "load")).codeName).toBe("Ok");
    let last = "";
    for (const r of reporters) last = (await wallet.send([admin], "grantRole", encodeArgs("grantRole", { role: 3, account: r.accountHex }))).hash;
    expect((await rpc.waitForTransaction(last, { timeoutMs: 20_000 })).status).toBe("HALT");

    const network = (await rpc.getInfo()).network;
    const args = encodeArgs("recordSuccess", { name: "load" });
    const submitted = new Map<string, number>();
    const included = new Map<string, number>();
    const seen = new Map<string, number>();
    let sseError: unknown = null;
    const blocksSeen: { height: number; txs: number }[] = [];
    const stop = subscribeBlocks(
      child.url,
      (b) => {
        const now = performance.now();
        blocksSeen.push({ height: b.height, txs: b.txs.length });
        for (const t of b.txs) {
          seen.set(t.hash, (seen.get(t.hash) ?? 0) + 1);
          if (!included.has(t.hash)) included.set(t.hash, now);
        }
      },
      (e) => (sseError = e),
    );
    await new Promise((r) => setTimeout(r, 200)); // the subscription is open before the first submission
    const refusedCount = { n: 0 };
    const startHeight = await rpc.getHeight();
    const t0 = performance.now();
    await Promise.all(
      reporters.map(async (key) => {
        const crpc = new NodeRpc(child.url, { timeoutMs: 30_000 });
        for (let nonce = 0; nonce < PER_CLIENT; nonce++) {
          const { json, hash } = signTx([key], { network, method: "recordSuccess", args, nonce, validUntilBlock: startHeight + 2000 });
          const at = performance.now();
          try {
            await crpc.sendTransaction(json);
            submitted.set(hash, at);
          } catch {
            refusedCount.n++;
          }
        }
        crpc.close();
      }),
    );
    const tSubmitted = performance.now();
    await waitFor("every accepted transaction in a block", () => (included.size >= submitted.size ? true : undefined), 60_000);
    const tDone = Math.max(...included.values());
    stop();
    expect(sseError).toBeNull();
    expect(refusedCount.n).toBe(0);
    expect(submitted.size).toBe(CLIENTS * PER_CLIENT);

    // The blocks themselves (not the push channel): each accepted hash exactly once.
    const height = await rpc.getHeight();
    const inBlocks = new Map<string, number>();
    for (let h = 0; h <= height; h++) {
      const b = (await rpc.getBlock(h)) as BlockRecord;
      expect(b.txs.length).toBeLessThanOrEqual(MAX_TX_PER_BLOCK);
      for (const t of b.txs) inBlocks.set(t, (inBlocks.get(t) ?? 0) + 1);
    }
    for (const hash of submitted.keys()) expect(inBlocks.get(hash), hash).toBe(1);
    for (const [hash, n] of seen) if (submitted.has(hash)) expect(n, hash).toBe(1);
    // Every one succeeded, and the contract counted each once.
    const sample = [...submitted.keys()].filter((_, i) => i % 500 === 0);
    for (const h of sample) expect((await rpc.getTransaction(h))?.status).toBe("HALT");
    const metrics = await client.getMetrics("load");
    expect(metrics?.successfulOps).toBe(BigInt(CLIENTS * PER_CLIENT));

    const lat = [...submitted].map(([h, at]) => included.get(h)! - at).sort((a, b) => a - b);
    const seconds = (tDone - t0) / 1000;
    const busy = blocksSeen.filter((b) => b.txs > 0);
    console.log(
      `[node load] ${submitted.size} tx from ${CLIENTS} clients in ${seconds.toFixed(2)} s → ${(submitted.size / seconds).toFixed(0)} tx/s sustained ` +
        `(submission alone ${((tSubmitted - t0) / 1000).toFixed(2)} s); latency submission→inclusion p50 ${percentile(lat, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(lat, 99).toFixed(1)} ms, max ${lat[lat.length - 1]!.toFixed(1)} ms; block time ${BLOCK_TIME_MS} ms, ` +
        `${busy.length} blocks with txs, at most ${Math.max(...busy.map((b) => b.txs))} per block`,
    );
    rpc.close();
  }, 120_000);
});
