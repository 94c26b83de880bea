// CanaryReporter against a real devnet node (in this process, 25 ms blocks): what it sends
// is what the contract's isEnabled says, one recordCohorts per feature per interval, the
// contract's counters equal what was reported, a failed send is retried and counted exactly
// once, FAULTed batches are dropped, close() flushes, and the rollback rules fire on what it
// reports.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { OpenFeature } from "@openfeature/server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RollbackReason, Status, parseOverrideMode } from "../../src/client/enums.ts";
import { decodeArgs, encodeArgs, type PolicyInput } from "../../src/client/schema.ts";
import { NodeKey, NodeRpc, RpcCanaryClient, Wallet, startNode, type AsyncCanaryClient, type CanaryNode, type TxAnswer } from "../../src/node/index.ts";
import { FlagSnapshot } from "../../src/openfeature/evaluate.ts";
import { CanaryProvider } from "../../src/openfeature/provider.ts";
import { CanaryReporter, type CanaryReporterOptions } from "../../src/openfeature/reporter.ts";
import { connect, randomAccounts, silentLogger, startDevnet, waitFor } from "../helpers/devnet.ts";
import { tempDir } from "../helpers/temp.ts";

let node: CanaryNode;
let rpc: NodeRpc;
let wallet: Wallet;
let client: AsyncCanaryClient;
let admin: NodeKey;
let devnet: Awaited<ReturnType<typeof startDevnet>>;
/** A Threshold policy whose error rule never fires: the counters can be read back as sent. */
const NEVER_ROLLS_BACK: PolicyInput = { analysis: 0, maxErrorRateBps: 10000, minSamples: 1 };

beforeAll(async () => {
  devnet = await startDevnet({ blockTimeMs: 25 });
  ({ node, rpc, wallet, client, admin } = devnet);
}, 30_000);

afterAll(async () => {
  await devnet?.close();
});

/** A fresh key holding the Reporter role on `on`'s contract. */
async function reporterKey(on: AsyncCanaryClient = client): Promise<NodeKey> {
  const key = NodeKey.generate();
  expect((await on.grantRole(admin, "Reporter", key.accountHex)).codeName).toBe("Ok");
  return key;
}

/** createFeature + startCanary(bps), checked. */
async function canary(name: string, bps: number, policy: PolicyInput, on: AsyncCanaryClient = client): Promise<void> {
  expect((await on.createFeature(admin, name, "", policy)).codeName).toBe("Ok");
  expect((await on.startCanary(admin, name, bps)).codeName).toBe("Ok");
}

/**
 * The provider's part the reporter reads, loaded from the node on demand (so a test decides
 * when the snapshot learns of a change): every feature, the global flags, every override.
 */
class SnapshotProvider {
  snapshot: FlagSnapshot | undefined;
  readonly sync: { url: string };
  constructor(
    nodeUrl: string,
    private readonly on: AsyncCanaryClient = client,
  ) {
    this.sync = { url: nodeUrl };
  }
  async refresh(): Promise<this> {
    const r = this.on.invoker.wallet.rpc;
    const height = await r.getHeight();
    const snapshot = new FlagSnapshot({ height, hash: "", global: await this.on.getGlobal(), features: await this.on.listAllFeatures(false) });
    const overrides = await r.getEvents({ name: "OverrideSet", limit: 10_000 });
    for (const e of overrides.events as { data: { name: string; account: string; mode: string | number } }[]) {
      snapshot.setOverride(e.data.name, e.data.account, parseOverrideMode(e.data.mode));
    }
    this.snapshot = snapshot;
    return this;
  }
}

/**
 * Every outcome counted (canary, baseline, latencies) is in exactly one place: included, a
 * drop after counting, or still pending (in the counters or a transaction not included yet).
 */
function expectAccounted(r: CanaryReporter, pending = 0): void {
  const { canary, baseline, latencies, included, dropped } = r.stats;
  expect(r.pending).toBe(pending);
  expect(canary + baseline + latencies).toBe(included + r.pending + dropped.disabledBeforeSending + dropped.faulted + dropped.refused + dropped.abandoned);
}

function newReporter(provider: SnapshotProvider, key: NodeKey, options: Partial<CanaryReporterOptions> = {}): CanaryReporter {
  return new CanaryReporter({ provider, key, intervalMs: 3_600_000, flushTimeoutMs: 15_000, retry: { minMs: 20, maxMs: 200 }, logger: silentLogger, ...options });
}

interface SentTx {
  height: number;
  method: string;
  feature: string;
  status: string;
  code: number;
  args: Record<string, unknown>;
}

/** Every transaction `account` sent in blocks fromHeight.., decoded. */
async function txsOf(account: string, fromHeight: number, r: NodeRpc = rpc): Promise<SentTx[]> {
  const out: SentTx[] = [];
  const top = await r.getHeight();
  for (let h = fromHeight; h <= top; h++) {
    const block = (await r.getBlock(h)) as { txs: string[] } | null;
    for (const hash of block?.txs ?? []) {
      const t = (await r.getTransaction(hash)) as TxAnswer;
      if (t.sender !== account) continue;
      const args = decodeArgs(t.method as "recordCohorts", Buffer.from(t.tx.args, "hex")) as Record<string, unknown>;
      out.push({ height: t.height, method: t.method, feature: args.name as string, status: t.status, code: t.code, args });
    }
  }
  return out;
}

/**
 * An HTTP proxy in front of the node that can fail on purpose: "down" cuts every request,
 * "drop-send" cuts sendTransaction before the node sees it, "lose-answer-once" forwards the
 * next sendTransaction and cuts the connection instead of answering (the node accepted it),
 * "expire-send" answers every sendTransaction Expired without the inclusion height (as a
 * node would whose mempool grows faster than the sender re-signs) and without forwarding it.
 */
class FlakyProxy {
  mode: "pass" | "down" | "drop-send" | "lose-answer-once" | "expire-send" = "pass";
  /** Runs after the node accepted a forwarded sendTransaction, before it is answered. */
  afterAccepted: (() => Promise<void>) | null = null;
  cut = 0;
  /** sendTransaction requests received, whatever became of them. */
  sends = 0;
  private server!: Server;
  constructor(public target: string) {}
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    return this;
  }
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const isSend = body.includes('"sendTransaction"');
    if (isSend) this.sends++;
    if (isSend && this.mode === "expire-send") {
      const { id } = JSON.parse(body) as { id: number };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, error: { code: 1004, message: "validUntilBlock is below the height that would include it" } }));
      return;
    }
    if (this.mode === "down" || (isSend && this.mode === "drop-send")) {
      this.cut++;
      req.socket.destroy();
      return;
    }
    let status: number;
    let text: string;
    try {
      const answer = await fetch(this.target + "/", { method: "POST", headers: { "content-type": "application/json" }, body });
      status = answer.status;
      text = await answer.text();
    } catch {
      req.socket.destroy();
      return;
    }
    if (isSend && !text.includes('"error"')) {
      if (this.afterAccepted !== null) {
        const hook = this.afterAccepted;
        this.afterAccepted = null;
        await hook();
      }
      if (this.mode === "lose-answer-once") {
        this.mode = "pass";
        this.cut++;
        req.socket.destroy();
        return;
      }
    }
    res.writeHead(status, { "content-type": "application/json" }).end(text);
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe("what is sent", () => {
  it("classifies each outcome as the contract's isEnabled does; the run and baseline counters equal what was reported", async () => {
    await canary("cls", 3000, NEVER_ROLLS_BACK);
    const accounts = randomAccounts(400);
    // Overrides beat the bucket both ways.
    const before = await client.isEnabledMany("cls", accounts.slice(0, 40));
    const forcedOn = accounts[before.indexOf(false)]!;
    const forcedOff = accounts[before.indexOf(true)]!;
    expect((await client.setOverride(admin, "cls", forcedOn, "ForceOn")).codeName).toBe("Ok");
    expect((await client.setOverride(admin, "cls", forcedOff, "ForceOff")).codeName).toBe("Ok");
    const provider = await new SnapshotProvider(node.url).refresh();
    const r = newReporter(provider, await reporterKey());
    const exposed = await client.isEnabledMany("cls", accounts);
    expect(exposed[accounts.indexOf(forcedOn)]).toBe(true);
    expect(exposed[accounts.indexOf(forcedOff)]).toBe(false);
    const want = { canarySuccesses: 0n, canaryErrors: 0n, baseSuccesses: 0n, baseErrors: 0n };
    const canaryLatencies: number[] = [];
    accounts.forEach((a, i) => {
      const failed = i % 7 === 0;
      if (failed) r.error("cls", a);
      else r.success("cls", a);
      r.latency("cls", a, 100 + (i % 50));
      if (exposed[i]) {
        canaryLatencies.push(100 + (i % 50));
        if (failed) want.canaryErrors++;
        else want.canarySuccesses++;
      } else if (failed) want.baseErrors++;
      else want.baseSuccesses++;
    });
    const height = node.height;
    await r.flush();
    const view = (await client.getFeature("cls"))!;
    expect({ canarySuccesses: view.runSuccesses, canaryErrors: view.runErrors, baseSuccesses: view.baseSuccesses, baseErrors: view.baseErrors }).toEqual(want);
    expect(want.canarySuccesses + want.canaryErrors).toBeGreaterThan(60n);
    // One latency transaction: the exposed cohort's mean, floored.
    const mean = BigInt(Math.floor(canaryLatencies.reduce((s, v) => s + v, 0) / canaryLatencies.length));
    const metrics = (await client.getMetrics("cls"))!;
    expect(metrics.peakLatency).toBe(mean);
    expect(metrics.averageLatency).toBe(mean);
    const sent = await txsOf(r.account, height);
    expect(sent.map((t) => [t.method, t.feature, t.status])).toEqual([
      ["recordCohorts", "cls", "HALT"],
      ["recordLatency", "cls", "HALT"],
    ]);
    expect(r.stats).toMatchObject({ canary: Number(want.canarySuccesses + want.canaryErrors), baseline: Number(want.baseSuccesses + want.baseErrors), latencies: canaryLatencies.length });
    expect(r.stats.batches).toMatchObject({ formed: 1, included: 1, faulted: 0 });
    expect(r.stats.included).toBe(accounts.length + canaryLatencies.length);
    expectAccounted(r);
    await r.close();
  }, 20_000);

  it("an interval's latency peak above the policy's maxPeakLatency is sent as the peak: the contract's peak rule fires (Performance)", async () => {
    await canary("peaky", 10000, { ...NEVER_ROLLS_BACK, maxPeakLatency: 500 });
    await canary("steady", 10000, { ...NEVER_ROLLS_BACK, maxPeakLatency: 1000 });
    const provider = await new SnapshotProvider(node.url).refresh();
    const r = newReporter(provider, await reporterKey());
    const [a, b, c] = randomAccounts(3);
    // Mean 400 in both; the peak 900 exceeds peaky's limit only.
    for (const f of ["peaky", "steady"]) {
      r.success(f, a!);
      r.latency(f, a!, 100);
      r.latency(f, b!, 200);
      r.latency(f, c!, 900);
    }
    await r.flush();
    const peaky = (await client.getFeature("peaky"))!;
    expect(peaky.status).toBe(Status.RolledBack);
    expect(peaky.rollbackReason).toBe(RollbackReason.Performance);
    expect((await client.getMetrics("peaky"))!.peakLatency).toBe(900n);
    expect((await client.getFeature("steady"))!.status).toBe(Status.Canary);
    expect((await client.getMetrics("steady"))!.peakLatency).toBe(400n);
    await r.close();
  }, 20_000);

  it("one recordCohorts per feature per interval, sent by the timer", async () => {
    const names = ["iv-a", "iv-b", "iv-c"];
    for (const n of names) await canary(n, 5000, NEVER_ROLLS_BACK);
    const provider = await new SnapshotProvider(node.url).refresh();
    const r = newReporter(provider, await reporterKey(), { intervalMs: 300 });
    const accounts = randomAccounts(30);
    const height = node.height;
    const report = () => {
      for (const n of names) for (const a of accounts) r.success(n, a);
    };
    report();
    report();
    await waitFor("the first interval's batches", () => (r.stats.batches.included === 3 ? true : undefined), 10_000);
    const between = node.height;
    report();
    await waitFor("the second interval's batches", () => (r.stats.batches.included === 6 ? true : undefined), 10_000);
    const sent = await txsOf(r.account, height);
    expect(sent.every((t) => t.method === "recordCohorts" && t.status === "HALT")).toBe(true);
    for (const n of names) {
      const mine = sent.filter((t) => t.feature === n);
      expect(mine.length).toBe(2);
      expect(mine[0]!.height).toBeLessThanOrEqual(between);
      expect(mine[1]!.height).toBeGreaterThan(between);
      const v = (await client.getFeature(n))!;
      expect(v.runSuccesses + v.baseSuccesses).toBe(90n);
      expect(mine[0]!.args.canarySuccesses as bigint + (mine[0]!.args.baseSuccesses as bigint)).toBe(60n);
    }
    expect(r.stats.included).toBe(270);
    expectAccounted(r);
    await r.close();
  }, 20_000);
});

describe("failed sends", () => {
  it("an answer lost after the node accepted the transaction: the same transaction is sent again and counted once", async () => {
    await canary("lost-answer", 5000, NEVER_ROLLS_BACK);
    const proxy = await new FlakyProxy(node.url).start();
    const provider = await new SnapshotProvider(proxy.url).refresh();
    const r = newReporter(provider, await reporterKey());
    const height = node.height;
    for (const a of randomAccounts(50)) r.success("lost-answer", a);
    proxy.mode = "lose-answer-once";
    await r.flush();
    expect(proxy.cut).toBe(1);
    const v = (await client.getFeature("lost-answer"))!;
    expect(v.runSuccesses + v.baseSuccesses).toBe(50n);
    expect(await txsOf(r.account, height)).toHaveLength(1);
    expect(r.stats.transactions).toMatchObject({ signed: 1, resent: 1, resigned: 0, included: 1 });
    expect(r.stats.retries).toBeGreaterThanOrEqual(1);
    expect(r.stats.included).toBe(50);
    expectAccounted(r);
    await r.close();
    await proxy.close();
  }, 20_000);

  it("the node unreachable past validUntilBlock: flush rejects after its timeout, the batch is re-signed once the old one provably expired, one batch in flight per feature, counted once", async () => {
    await canary("outage", 5000, NEVER_ROLLS_BACK);
    const proxy = await new FlakyProxy(node.url).start();
    const provider = await new SnapshotProvider(proxy.url).refresh();
    const r = newReporter(provider, await reporterKey(), { validForBlocks: 3, intervalMs: 100, flushTimeoutMs: 400 });
    const height = node.height;
    const accounts = randomAccounts(40);
    for (const a of accounts.slice(0, 20)) r.success("outage", a);
    proxy.mode = "drop-send";
    await expect(r.flush()).rejects.toThrow(/CanaryReporter.flush: 1 batch\(es\) not included within 400 ms \(node http:\/\/127.0.0.1:\d+\); last error: cannot reach the node/);
    // More outcomes and several ticks while the first batch is stuck: no second batch.
    for (const a of accounts.slice(20)) r.error("outage", a);
    expectAccounted(r, 40);
    const stuckAt = node.height;
    await waitFor("the first batch's validUntilBlock to pass", () => (node.height > stuckAt + 5 ? true : undefined), 10_000);
    expect(r.stats.batches.formed).toBe(1);
    expect(r.stats.transactions.signed).toBe(1);
    proxy.mode = "pass";
    await r.flush();
    expect(r.stats.transactions.resigned).toBe(1);
    expect(r.stats.batches).toMatchObject({ formed: 2, included: 2 });
    const v = (await client.getFeature("outage"))!;
    expect(v.runSuccesses + v.baseSuccesses).toBe(20n);
    expect(v.runErrors + v.baseErrors).toBe(20n);
    const sent = await txsOf(r.account, height);
    expect(sent).toHaveLength(2);
    expect(r.stats.included).toBe(40);
    expectAccounted(r);
    await r.close();
    await proxy.close();
  }, 20_000);

  it("the node restarts and loses its mempool: the accepted transaction is sent again as signed and counted once", async () => {
    const dir = tempDir("reporter-node");
    let second = await startNode({ db: path.join(dir, "db"), blockTimeMs: 25 });
    const { rpc: secondRpc, client: secondClient } = await connect(second.url, admin);
    await canary("restart", 5000, NEVER_ROLLS_BACK, secondClient);
    const key = await reporterKey(secondClient);
    // Reopened with blocks 5 s apart: the batch the reporter sends next is accepted long
    // before a block could include it, so the restart below always finds it in the mempool
    // (with 25 ms blocks a block sometimes included it first, and nothing was resent).
    secondRpc.close();
    await second.close();
    second = await startNode({ db: path.join(dir, "db"), blockTimeMs: 5000 });
    const slowRpc = new NodeRpc(second.url, { timeoutMs: 10_000 });
    const proxy = await new FlakyProxy(second.url).start();
    const provider = await new SnapshotProvider(proxy.url, RpcCanaryClient(new Wallet(slowRpc))).refresh();
    const r = newReporter(provider, key);
    for (const a of randomAccounts(30)) r.success("restart", a);
    // Right after the node accepts the batch (before a block includes it), restart it.
    proxy.afterAccepted = async () => {
      await second.close();
      second = await startNode({ db: path.join(dir, "db"), blockTimeMs: 25 });
      proxy.target = second.url;
    };
    await r.flush();
    expect(r.stats.transactions).toMatchObject({ signed: 1, resigned: 0, included: 1 });
    expect(r.stats.transactions.resent).toBeGreaterThanOrEqual(1);
    const checkRpc = new NodeRpc(second.url);
    const v = (await RpcCanaryClient(new Wallet(checkRpc)).getFeature("restart"))!;
    expect(v.runSuccesses + v.baseSuccesses).toBe(30n);
    expect((await checkRpc.getNonce(key.accountHex)).committed).toBe(1);
    expect(r.stats.included).toBe(30);
    expectAccounted(r);
    await r.close();
    await proxy.close();
    checkRpc.close();
    slowRpc.close();
    await second.close();
  }, 30_000);

  it("the node restarts with a smaller maxValidIncrement: the refused batch (ValidUntilTooFar) is re-signed within the new limit, not dropped; counted once", async () => {
    const dir = tempDir("reporter-limit");
    let node2 = await startNode({ db: path.join(dir, "db"), blockTimeMs: 25 });
    const { rpc: rpc2, client: client2 } = await connect(node2.url, admin);
    await canary("limit", 5000, NEVER_ROLLS_BACK, client2);
    const key = await reporterKey(client2);
    const proxy = await new FlakyProxy(node2.url).start();
    const provider = await new SnapshotProvider(proxy.url, client2).refresh();
    const r = newReporter(provider, key, { validForBlocks: 1000 });
    for (const a of randomAccounts(10)) r.success("limit", a);
    await r.flush(); // the reporter has read the node's limit (5,760 blocks by default)
    rpc2.close();
    await node2.close();
    node2 = await startNode({ db: path.join(dir, "db"), blockTimeMs: 25, maxValidIncrement: 10 });
    proxy.target = node2.url;
    for (const a of randomAccounts(10)) r.error("limit", a);
    await r.flush();
    expect(r.stats.transactions).toMatchObject({ signed: 3, resigned: 1, included: 2 });
    expect(r.stats.dropped.refused).toBe(0);
    const checkRpc = new NodeRpc(node2.url);
    const v = (await RpcCanaryClient(new Wallet(checkRpc)).getFeature("limit"))!;
    expect(v.runSuccesses + v.baseSuccesses).toBe(10n);
    expect(v.runErrors + v.baseErrors).toBe(10n);
    expect(r.stats.included).toBe(20);
    expectAccounted(r);
    await r.close();
    await proxy.close();
    checkRpc.close();
    await node2.close();
  }, 30_000);

  it("another sender took the reporter key's nonce: the batch is re-signed with the same counts, counted once", async () => {
    await canary("shared-key", 5000, NEVER_ROLLS_BACK);
    const key = await reporterKey();
    const provider = await new SnapshotProvider(node.url).refresh();
    const r = newReporter(provider, key);
    const accounts = randomAccounts(10);
    for (const a of accounts) r.success("shared-key", a);
    await r.flush();
    // The reporter's next nonce is 1; another client of the key uses it first.
    wallet.add(key);
    expect((await client.recordSuccess(key, "shared-key")).codeName).toBe("Ok");
    for (const a of accounts) r.error("shared-key", a);
    await r.flush();
    expect(r.stats.transactions).toMatchObject({ signed: 3, resigned: 1, included: 2 });
    const v = (await client.getFeature("shared-key"))!;
    expect(v.runSuccesses + v.baseSuccesses).toBe(11n);
    expect(v.runErrors + v.baseErrors).toBe(10n);
    expect(r.stats.included).toBe(20);
    expectAccounted(r);
    await r.close();
  }, 20_000);
});

describe("expiry behind a backed-up mempool", () => {
  it("validForBlocks 1 while another key's transactions fill many blocks: re-signed once, valid from the inclusion height the node named; a bounded number of sends; counted once", async () => {
    // One transaction per block: the mempool's backlog in blocks is its length.
    const busy = await startNode({ blockTimeMs: 20, maxTxPerBlock: 1 });
    const { rpc: busyRpc, client: busyClient } = await connect(busy.url, admin);
    await canary("backlog", 5000, NEVER_ROLLS_BACK, busyClient);
    const key = await reporterKey(busyClient);
    const proxy = await new FlakyProxy(busy.url).start();
    const provider = await new SnapshotProvider(proxy.url, busyClient).refresh();
    const r = newReporter(provider, key, { validForBlocks: 1 });
    const height = busy.height;
    for (const a of randomAccounts(20)) r.success("backlog", a);
    // Another key (no Reporter role: its transactions FAULT, but each takes a block).
    const other = NodeKey.generate();
    const otherWallet = new Wallet(busyRpc, [other]);
    for (let i = 0; i < 100; i++) await otherWallet.send([other], "recordSuccess", encodeArgs("recordSuccess", { name: "backlog" }));
    expect(busy.mempoolSize).toBeGreaterThan(40);
    await r.flush();
    // Signed at height + 1: Expired; re-signed from the inclusion height the node answered: accepted.
    expect(proxy.sends).toBe(2);
    expect(r.stats.transactions).toMatchObject({ signed: 2, resigned: 1, included: 1 });
    const sent = await txsOf(r.account, height, busyRpc);
    expect(sent.map((t) => [t.method, t.status])).toEqual([["recordCohorts", "HALT"]]);
    const v = (await busyClient.getFeature("backlog"))!;
    expect(v.runSuccesses + v.baseSuccesses).toBe(20n);
    expect(r.stats.included).toBe(20);
    expectAccounted(r);
    await r.close();
    await proxy.close();
    busyRpc.close();
    await busy.close();
  }, 20_000);

  it("Expired again and again (no inclusion height to go by): from the second Expired of a batch each re-sign waits the retry backoff; once accepted, counted once", async () => {
    await canary("re-expired", 5000, NEVER_ROLLS_BACK);
    const proxy = await new FlakyProxy(node.url).start();
    const provider = await new SnapshotProvider(proxy.url).refresh();
    const r = newReporter(provider, await reporterKey(), { flushTimeoutMs: 800, retry: { minMs: 20, maxMs: 200 } });
    const height = node.height;
    for (const a of randomAccounts(15)) r.error("re-expired", a);
    proxy.mode = "expire-send";
    const failed = await r.flush().then(
      () => null,
      (e: Error) => e,
    );
    // Backoff 20, 40, 80, 160, 200, 200 … ms: about 8 sends in 800 ms (re-signing at once: ~100).
    expect(proxy.sends).toBeGreaterThanOrEqual(3);
    expect(proxy.sends).toBeLessThanOrEqual(12);
    expect(r.stats.retries).toBeGreaterThanOrEqual(2);
    expect(failed?.message).toMatch(/1 batch\(es\) not included within 800 ms .*expired again/);
    proxy.mode = "pass";
    await r.flush();
    const sent = await txsOf(r.account, height);
    expect(sent.map((t) => [t.method, t.status])).toEqual([["recordCohorts", "HALT"]]);
    const v = (await client.getFeature("re-expired"))!;
    expect(v.runErrors + v.baseErrors).toBe(15n);
    expect(r.stats.included).toBe(15);
    expectAccounted(r);
    await r.close();
    await proxy.close();
  }, 20_000);
});

describe("what the contract refuses", () => {
  it("a batch the contract FAULTs (FeatureDisabled) is logged and dropped, never retried; once the snapshot shows Disabled, outcomes are dropped before sending", async () => {
    await canary("turned-off", 5000, NEVER_ROLLS_BACK);
    const provider = await new SnapshotProvider(node.url).refresh();
    const warnings: string[] = [];
    const r = newReporter(provider, await reporterKey(), { logger: { ...silentLogger, warn: (m: unknown) => void warnings.push(String(m)) } });
    expect((await client.disable(admin, "turned-off")).codeName).toBe("Ok");
    // The snapshot has not seen the change: the batch goes out and the contract refuses it.
    const height = node.height;
    for (const a of randomAccounts(20)) r.success("turned-off", a);
    await r.flush();
    expect(r.stats.batches).toMatchObject({ formed: 1, faulted: 1, included: 0 });
    expect(r.stats.dropped.faulted).toBe(20);
    expect(warnings.some((w) => /recordCohorts\(turned-off\) was included with FAULT \(FeatureDisabled\); its outcomes are dropped, never retried/.test(w))).toBe(true);
    const sent = await txsOf(r.account, height);
    expect(sent.map((t) => [t.method, t.status, t.code])).toEqual([["recordCohorts", "FAULT", 12]]);
    // Counted while the snapshot still showed Canary, then it learns of the change: not sent.
    for (const a of randomAccounts(3)) r.success("turned-off", a);
    await provider.refresh();
    for (const a of randomAccounts(5)) r.error("turned-off", a);
    await r.flush();
    expect(r.stats.dropped.disabledBeforeSending).toBe(3);
    expect(r.stats.dropped.disabled).toBe(5);
    expect(r.stats.batches.formed).toBe(1);
    expect(await txsOf(r.account, height)).toHaveLength(1);
    expect(r.stats.included).toBe(0);
    expectAccounted(r);
    await r.close();
  }, 20_000);

  it("a batch whose recordCohorts rolls the feature back: those outcomes are included, its recordLatency FAULTs (FeatureDisabled) and only the latencies are dropped", async () => {
    await canary("split-end", 10000, { analysis: 0, maxErrorRateBps: 100, minSamples: 1 });
    const provider = await new SnapshotProvider(node.url).refresh();
    const r = newReporter(provider, await reporterKey());
    const height = node.height;
    for (const a of randomAccounts(10)) {
      r.error("split-end", a);
      r.latency("split-end", a, 50);
    }
    await r.flush();
    const sent = await txsOf(r.account, height);
    expect(sent.map((t) => [t.method, t.status])).toEqual([
      ["recordCohorts", "HALT"],
      ["recordLatency", "FAULT"],
    ]);
    const v = (await client.getFeature("split-end"))!;
    expect([v.status, v.rollbackReason, v.runErrors]).toEqual([Status.RolledBack, RollbackReason.ErrorRate, 10n]);
    expect(r.stats.batches).toMatchObject({ formed: 1, faulted: 1, included: 0 });
    expect(r.stats.included).toBe(10);
    expect(r.stats.dropped.faulted).toBe(10);
    expectAccounted(r);
    await r.close();
  }, 20_000);
});

describe("close", () => {
  it("close() flushes what was counted; later calls are ignored", async () => {
    await canary("closing", 5000, NEVER_ROLLS_BACK);
    const provider = await new SnapshotProvider(node.url).refresh();
    const r = newReporter(provider, await reporterKey());
    for (const a of randomAccounts(25)) r.success("closing", a);
    await r.close();
    const v = (await client.getFeature("closing"))!;
    expect(v.runSuccesses + v.baseSuccesses).toBe(25n);
    r.error("closing", randomAccounts(1)[0]!);
    await r.flush();
    await r.close();
    expect(r.stats.batches.formed).toBe(1);
    expect(r.stats.canary + r.stats.baseline).toBe(25);
    expect(r.stats.included).toBe(25);
    expectAccounted(r);
  }, 20_000);
});

describe("end to end through CanaryProvider and an OpenFeature client", () => {
  it("a Sequential canary with a bad error rate, reported with client.track, is RolledBack (ErrorRate) by the contract; a healthy one is not; the provider then serves false and later outcomes are dropped", async () => {
    const policy: PolicyInput = { analysis: 1, minSamples: 50 };
    await canary("seq-bad", 5000, policy);
    await canary("seq-good", 5000, policy);
    const provider = new CanaryProvider({ node: node.url, logger: silentLogger });
    await OpenFeature.setProviderAndWait("reporter-e2e", provider);
    const flags = OpenFeature.getClient("reporter-e2e");
    // No node option: the reporter sends to the provider's node.
    const r = new CanaryReporter({ provider, key: await reporterKey(), intervalMs: 150, logger: silentLogger });
    const accounts = randomAccounts(300);
    let exposedOutcomes = 0;
    for (let round = 0; round < 3; round++) {
      for (const [i, a] of accounts.entries()) {
        const ctx = { targetingKey: a };
        // Exposed accounts fail 1 in 4 on the bad feature, 1 in 200 on the good one; unexposed 1 in 100.
        const onBad = await flags.getBooleanValue("seq-bad", false, ctx);
        const onGood = await flags.getBooleanValue("seq-good", false, ctx);
        if (onBad || onGood) exposedOutcomes++;
        const badFails = onBad ? (i + round) % 4 === 0 : (i + round) % 100 === 0;
        const goodFails = onGood ? (i + round * 300) % 200 === 0 : (i + round) % 100 === 0;
        flags.track(badFails ? "canary.error" : "canary.success", ctx, { feature: "seq-bad" });
        flags.track(goodFails ? "canary.error" : "canary.success", ctx, { feature: "seq-good" });
        flags.track("canary.latency", ctx, { feature: "seq-good", value: 20 + (i % 10) });
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(exposedOutcomes).toBeGreaterThan(200);
    await r.flush();
    const bad = (await client.getFeature("seq-bad"))!;
    expect(bad.status).toBe(Status.RolledBack);
    expect(bad.rollbackReason).toBe(RollbackReason.ErrorRate);
    const good = (await client.getFeature("seq-good"))!;
    expect(good.status).toBe(Status.Canary);
    expect(good.rollbackReason).toBeNull();
    expect(good.runSuccesses + good.runErrors + good.baseSuccesses + good.baseErrors).toBe(900n);
    expect((await client.getMetrics("seq-good"))!.peakLatency).toBeGreaterThanOrEqual(20n);
    // The provider follows the rollback; the reporter drops what the contract would refuse.
    await waitFor("the provider to see the rollback", () => (provider.snapshot?.feature("seq-bad")?.status === Status.RolledBack ? true : undefined), 5_000);
    const details = await flags.getBooleanDetails("seq-bad", true, { targetingKey: accounts[0]! });
    expect([details.value, details.reason]).toEqual([false, "DISABLED"]);
    const formed = r.stats.batches.formed;
    const dropped = r.stats.dropped.disabled;
    flags.track("canary.error", { targetingKey: accounts[0]! }, { feature: "seq-bad" });
    await r.flush();
    expect(r.stats.dropped.disabled).toBe(dropped + 1);
    expect(r.stats.batches.formed).toBe(formed);
    await r.close();
    expectAccounted(r);
    // seq-good's 900 outcomes (its counters above) at least; seq-bad's after its rollback FAULTed.
    expect(r.stats.included).toBeGreaterThanOrEqual(900);
    await OpenFeature.clearProviders();
  }, 20_000);
});
