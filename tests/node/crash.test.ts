// kill -9 of a node started with --db, then a restart on the same directory: every block
// committed before the kill is still there with the same hash and state root, its
// transactions and nonces too, and the node goes on.
import { afterAll, describe, expect, it } from "vitest";
import { encodeArgs } from "../../src/client/index.ts";
import { NodeKey, NodeRpc, RpcCanaryClient, RpcCode, RpcError, Wallet, signTx, type BlockRecord } from "../../src/node/index.ts";
import { spawnNode, tempDir, waitFor, type ChildNode } from "./_helpers.ts";

const tmp = tempDir();
const children: ChildNode[] = [];

afterAll(async () => {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill("SIGKILL");
      await c.exited;
    }
  }
  tmp.cleanup();
});

describe("kill -9 and restart with --db", () => {
  it("keeps every committed block, its transactions, state root and nonces", async () => {
    const options = { db: tmp.dir, port: 0, blockTimeMs: 30, maxTxPerBlock: 50 };
    const first = await spawnNode(options);
    children.push(first);
    let rpc = new NodeRpc(first.url, { timeoutMs: 10_000 });
    const admin = NodeKey.generate();
    const reporters = Array.from({ length: 4 }, () => NodeKey.generate());
    const wallet = new Wallet(rpc, [admin, ...reporters]);
    const client = RpcCanaryClient(wallet);
    expect((await client.init(admin, admin.accountHex)).codeName).toBe("Ok");
    expect((await client.createFeature(admin, "crash", "")).codeName).toBe("Ok");
    expect((await client.enable(admin, "crash")).codeName).toBe("Ok");
    for (const r of reporters) expect((await client.grantRole(admin, "Reporter", r.accountHex)).codeName).toBe("Ok");

    // Four reporters submit without pause (bounded: 400 each) while the node is killed.
    const network = (await rpc.getInfo()).network;
    const args = encodeArgs("recordSuccess", { name: "crash" });
    const accepted = new Map<string, { key: NodeKey; nonce: number }>();
    let killed = false;
    const senders = reporters.map(async (key) => {
      const crpc = new NodeRpc(first.url, { timeoutMs: 5_000 });
      for (let nonce = 0; nonce < 400 && !killed; nonce++) {
        const { json, hash } = signTx([key], { network, method: "recordSuccess", args, nonce, validUntilBlock: 5000 });
        try {
          await crpc.sendTransaction(json);
          accepted.set(hash, { key, nonce });
        } catch {
          break; // the node is gone
        }
      }
      crpc.close();
    });
    await waitFor("some loaded blocks", async () => ((await rpc.getHeight()) >= 15 && accepted.size >= 200 ? true : undefined), 30_000);

    // Snapshot of what the node reported committed, then SIGKILL while submissions continue.
    const height = await rpc.getHeight();
    const before: BlockRecord[] = [];
    for (let h = 0; h <= height; h++) before.push((await rpc.getBlock(h)) as BlockRecord);
    const committedTxs = before.flatMap((b) => b.txs);
    expect(committedTxs.length).toBeGreaterThan(50);
    first.child.kill("SIGKILL");
    killed = true;
    expect((await first.exited).signal).toBe("SIGKILL");
    await Promise.all(senders);
    rpc.close();

    // Restart on the same directory.
    const second = await spawnNode(options);
    children.push(second);
    rpc = new NodeRpc(second.url, { timeoutMs: 10_000 });
    const after = await rpc.getHeight();
    expect(after).toBeGreaterThanOrEqual(height);
    for (const b of before) {
      const again = (await rpc.getBlock(b.height)) as BlockRecord;
      expect(again.hash, `block ${b.height}`).toBe(b.hash);
      expect(again.stateRoot).toBe(b.stateRoot);
      expect(again.txs).toEqual(b.txs);
    }
    for (const h of committedTxs) expect((await rpc.getTransaction(h))?.status, h).toBe("HALT");

    // State agrees with the blocks: the metrics count every recordSuccess in a block, once.
    const top = await rpc.getHeight();
    let inBlocks = 0;
    for (let h = 0; h <= top; h++) {
      const b = (await rpc.getBlock(h)) as BlockRecord;
      for (const t of b.txs) if (accepted.has(t)) inBlocks++;
    }
    const c2 = RpcCanaryClient(new Wallet(rpc, [admin, ...reporters]));
    expect((await c2.getMetrics("crash"))?.successfulOps).toBe(BigInt(inBlocks));

    // Nonces survived: an old nonce is a replay; the next one lands.
    const key = reporters[0]!;
    const { next, committed } = await rpc.getNonce(key.accountHex);
    expect(committed).toBeGreaterThan(0);
    const replay = signTx([key], { network, method: "recordSuccess", args, nonce: committed - 1, validUntilBlock: top + 100 });
    await expect(rpc.sendTransaction(replay.json)).rejects.toSatisfy((e: unknown) => e instanceof RpcError && e.code === RpcCode.NonceTooLow);
    const fresh = signTx([key], { network, method: "recordSuccess", args, nonce: next, validUntilBlock: top + 100 });
    await rpc.sendTransaction(fresh.json);
    expect((await rpc.waitForTransaction(fresh.hash, { timeoutMs: 10_000 })).status).toBe("HALT");
    const last = (await rpc.getBlock(await rpc.getHeight())) as BlockRecord;
    expect(last.prevHash).toBe(((await rpc.getBlock(last.height - 1)) as BlockRecord).hash);
    rpc.close();
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
  }, 90_000);
});
