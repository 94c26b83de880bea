// FlagSync under trouble, through the provider and an OpenFeature client:
// - a node killed and restarted on its --db: STALE while it is down (evaluations go on from
//   the last snapshot, at its height), READY when it is back, resumed from the last block (no
//   reload), and a change made after the restart is seen;
// - a node reset (a fresh chain on the same port): a full reload (the old chain's features
//   gone, the new one's there);
// - an outage within maxCatchUpBlocks: resumed with getEvents, the changes made meanwhile
//   announced; a longer one: a full reload;
// - a node that hangs with its stream open (the proxy holds the stream and leaves a new one
//   unanswered): STALE after stallMs without a block, evaluations from the last snapshot,
//   reconnection attempts; READY once it answers again, resumed with the change made meanwhile;
// - a view fetched after the block being applied (the stream behind the node) brings that
//   block's policy but not a later status;
// - malformed messages on the stream (bad JSON, wrong shapes, a bad payload, an unknown event
//   about a tracked feature, heights going backwards): ignored, logged, and one full reload
//   each, while the provider stays READY; an unknown event about no tracked feature changes
//   nothing. The stream passes through a small proxy that forwards the node's blocks and
//   lets the test rewrite, inject or hold back messages.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { OpenFeature, ProviderEvents, ProviderStatus } from "@openfeature/server-sdk";
import { afterAll, describe, expect, it } from "vitest";
import { NodeKey, subscribeBlocks, type BlockMessage } from "../../src/node/index.ts";
import { CanaryProvider } from "../../src/openfeature/index.ts";
import { spawnNode, type ChildNode } from "../node/_helpers.ts";
import { tempDir } from "../helpers/temp.ts";
import { connect, randomAccounts, recordingLogger, sendAll, startDevnet, waitFor } from "../helpers/devnet.ts";

const A = randomAccounts(1)[0]!;
const children: ChildNode[] = [];

afterAll(async () => {
  await OpenFeature.close();
  for (const c of children) c.child.kill("SIGKILL");
});

async function spawn(options: { db?: string; port?: number }): Promise<ChildNode> {
  const c = await spawnNode({ blockTimeMs: 25, port: 0, ...options });
  children.push(c);
  return c;
}

async function kill(c: ChildNode): Promise<void> {
  c.child.kill("SIGKILL");
  await c.exited;
}

describe("node restart and node reset", () => {
  it("restart on the same --db and port: STALE and still answering while down, READY and resumed after, later changes seen; then a reset chain: full reload", async () => {
    const dir = tempDir("sdk");
    let node = await spawn({ db: dir });
    const port = Number(new URL(node.url).port);
    const admin = NodeKey.generate();
    let d = await connect(node.url, admin);
    await sendAll(d, [["createFeature", { name: "f", description: "", policy: null }], ["startCanary", { name: "f", bps: 5000 }]]);
    d.rpc.close();

    const log = recordingLogger();
    const provider = new CanaryProvider({ node: node.url, logger: log, reconnect: { minMs: 30, maxMs: 150 } });
    const client = OpenFeature.getClient("restart");
    const statuses: string[] = [];
    for (const e of [ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Error]) client.addHandler(e, () => void statuses.push(e));
    const changes: string[][] = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (e) => void changes.push(e?.flagsChanged ?? []));
    await OpenFeature.setProviderAndWait("restart", provider);
    const before = await client.getBooleanDetails("f", false, { targetingKey: A });
    expect(before.reason).toBe("SPLIT");

    // Down: STALE, and the last snapshot goes on answering, telling its height.
    await kill(node);
    await waitFor("STALE", () => (client.providerStatus === ProviderStatus.STALE ? true : undefined));
    const whileDown = await client.getBooleanDetails("f", false, { targetingKey: A });
    expect(whileDown).toMatchObject({ value: before.value, reason: "SPLIT" });
    expect(whileDown.errorCode).toBeUndefined();
    expect(whileDown.flagMetadata.height as number).toBeGreaterThanOrEqual(before.flagMetadata.height as number);
    const heightWhenLost = provider.snapshot!.height;
    expect(log.lines.some((l) => l.startsWith("warn lost the node"))).toBe(true);

    // Back on the same port and --db: READY, resumed from the last block (not reloaded).
    node = await spawn({ db: dir, port });
    await waitFor("READY after the restart", () => (client.providerStatus === ProviderStatus.READY ? true : undefined), 10_000);
    expect(provider.sync.stats).toMatchObject({ loads: 1 });
    expect(provider.sync.stats.resumes).toBeGreaterThanOrEqual(1);
    expect(provider.snapshot!.height).toBeGreaterThanOrEqual(heightWhenLost);
    d = await connect(node.url, admin, false);
    const at = await sendAll(d, [["enable", { name: "f" }]]);
    await waitFor("the change after the restart", () => (provider.snapshot!.feature("f")!.status === 3 ? true : undefined));
    expect(provider.snapshot!.height).toBeGreaterThanOrEqual(at);
    expect(await client.getBooleanDetails("f", false, { targetingKey: A })).toMatchObject({ value: true, reason: "STATIC" });
    // One Ready from initialize (the provider does not echo it), Stale, Ready.
    expect(statuses).toEqual([ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Ready]);
    d.rpc.close();

    // Reset: a fresh chain on the same port; the snapshot's block is not on it.
    await kill(node);
    await waitFor("STALE", () => (client.providerStatus === ProviderStatus.STALE ? true : undefined));
    node = await spawn({ port });
    d = await connect(node.url);
    await sendAll(d, [["createFeature", { name: "g", description: "", policy: null }], ["enable", { name: "g" }]]);
    await waitFor("the new chain's flags", () => (provider.snapshot!.feature("g")?.status === 3 && client.providerStatus === ProviderStatus.READY ? true : undefined), 10_000);
    expect(provider.snapshot!.feature("f")).toBeUndefined();
    expect(provider.sync.stats.loads).toBe(2);
    expect(log.lines.some((l) => /loading the flags again: .*reset node/.test(l))).toBe(true);
    expect(changes.flat()).toContain("f"); // the reload reports the feature it dropped
    expect(await client.getBooleanDetails("f", true, { targetingKey: A })).toMatchObject({ value: true, errorCode: "FLAG_NOT_FOUND" });
    d.rpc.close();
    await kill(node);
  }, 30_000);
});

/**
 * Forwards JSON-RPC to the node and its blocks to subscribers; the test can rewrite the next
 * block, inject raw text, hold the stream back (and, hung, leave a new GET /events unanswered)
 * or cut everything.
 */
async function startProxy(upstream: string) {
  const subscribers = new Set<ServerResponse>();
  const relayed: string[] = [];
  let down = false;
  let held: string[] | undefined;
  let hung = false;
  /** GET /events requests left unanswered while hung, answered on release unless their client gave up. */
  const waiting = new Set<ServerResponse>();
  const openStream = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(": proxy\n\n");
    subscribers.add(res);
    req.on("close", () => subscribers.delete(res));
  };
  let rewrite: { when: (b: BlockMessage) => boolean; how: (b: BlockMessage) => unknown } | undefined;
  const write = (text: string): void => {
    if (held !== undefined) held.push(text);
    else for (const s of subscribers) s.write(text);
  };
  const stopUpstream = subscribeBlocks(upstream, (b) => {
    let out: unknown = b;
    if (rewrite !== undefined && rewrite.when(b)) {
      out = rewrite.how(structuredClone(b));
      rewrite = undefined;
    }
    relayed.push(JSON.stringify(b));
    write(`event: block\nid: ${b.height}\ndata: ${JSON.stringify(out)}\n\n`);
  });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (down) {
      res.writeHead(503, { connection: "close" }).end();
      return;
    }
    if (req.method === "GET" && req.url === "/events") {
      if (hung) {
        waiting.add(res);
        req.on("close", () => waiting.delete(res));
      } else openStream(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void fetch(upstream + "/", { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) })
        .then(async (r) => res.writeHead(r.status, { "content-type": "application/json" }).end(await r.text()))
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    relayed,
    rewriteNext(when: (b: BlockMessage) => boolean, how: (b: BlockMessage) => unknown): void {
      rewrite = { when, how };
    },
    inject: write,
    /**
     * While held, messages are kept back; released, they go out in order. With `hang`, a new
     * GET /events gets no answer either until the release (a node that hangs with its stream
     * open; JSON-RPC still passes).
     */
    hold(on: boolean, options: { hang?: boolean } = {}): void {
      if (on) {
        held ??= [];
        hung = options.hang ?? false;
      } else {
        const out = held ?? [];
        held = undefined;
        hung = false;
        for (const t of out) write(t);
        for (const res of waiting) openStream(res.req, res);
        waiting.clear();
      }
    },
    /** While down, the stream is cut and every request is answered 503. */
    setDown(on: boolean): void {
      down = on;
      if (on) for (const s of subscribers) s.destroy();
    },
    close: async () => {
      stopUpstream();
      for (const s of subscribers) s.end();
      for (const s of waiting) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe("applying a block with a view fetched later", () => {
  it("PolicyUpdated takes the policy from getFeature but keeps the status the events say at that block", async () => {
    const d = await startDevnet({ blockTimeMs: 25 });
    const proxy = await startProxy(d.url);
    const provider = new CanaryProvider({ node: proxy.url, logger: recordingLogger() });
    try {
      await sendAll(d, [["createFeature", { name: "f", description: "", policy: null }], ["startCanary", { name: "f", bps: 5000 }]]);
      await provider.initialize();
      proxy.hold(true); // the provider now lags: when it applies the policy block, the rollback is already on chain
      const policyAt = await sendAll(d, [["updatePolicy", { name: "f", policy: { maxPeakLatency: 99 } }]]);
      const backAt = await sendAll(d, [["rollback", { name: "f", reason: "Manual" }]]);
      expect(backAt).toBeGreaterThan(policyAt);
      const seen: { height: number; status: number; maxPeakLatency: bigint }[] = [];
      provider.sync.on("changes", ({ height }) => {
        const f = provider.snapshot!.feature("f")!;
        seen.push({ height, status: f.status, maxPeakLatency: f.policy.maxPeakLatency });
      });
      proxy.hold(false);
      await waitFor("the rollback", () => (provider.snapshot!.feature("f")!.status === 4 ? true : undefined));
      expect(seen).toEqual([
        { height: policyAt, status: 1, maxPeakLatency: 99n },
        { height: backAt, status: 4, maxPeakLatency: 99n },
      ]);
    } finally {
      await provider.onClose();
      await proxy.close();
      await d.close();
    }
  }, 20_000);
});

describe("malformed messages on the stream", () => {
  it("are ignored, logged and followed by one full reload each; the provider stays READY and correct", async () => {
    const d = await startDevnet({ blockTimeMs: 25 });
    const proxy = await startProxy(d.url);
    const log = recordingLogger();
    const provider = new CanaryProvider({ node: proxy.url, logger: log, reconnect: { minMs: 30, maxMs: 150 } });
    const client = OpenFeature.getClient("malformed");
    const statuses: string[] = [];
    for (const e of [ProviderEvents.Stale, ProviderEvents.Error]) client.addHandler(e, () => void statuses.push(e));
    try {
      await sendAll(d, [["createFeature", { name: "f", description: "", policy: null }], ["startCanary", { name: "f", bps: 1000 }]]);
      await OpenFeature.setProviderAndWait("malformed", provider);
      const warns = () => log.lines.filter((l) => l.startsWith("warn"));

      /** Runs `trigger`, then expects exactly one more load and a warning matching `pattern`. */
      const expectReload = async (what: string, pattern: RegExp, trigger: () => Promise<unknown> | void) => {
        const loads = provider.sync.stats.loads;
        const warned = warns().length;
        await trigger();
        await waitFor(`the reload after ${what}`, () => (provider.sync.stats.loads > loads && provider.sync.state === "ready" ? true : undefined));
        await new Promise((r) => setTimeout(r, 100)); // a few blocks: no second reload follows
        expect(provider.sync.stats.loads, what).toBe(loads + 1);
        const newWarns = warns().slice(warned);
        expect(newWarns.length, what).toBe(1);
        expect(newWarns[0], what).toMatch(/ignored a malformed message/);
        expect(newWarns[0], what).toMatch(pattern);
      };

      await expectReload("text that is not JSON", /expected JSON/, () => proxy.inject("event: block\ndata: {not json\n\n"));
      await expectReload("a height that is not a number", /height: expected a non-negative integer/, () => proxy.rewriteNext(() => true, (b) => ({ ...b, height: String(b.height) })));
      await expectReload("an unknown event about a tracked feature", /unknown event "FeatureRenamed" about feature "f"/, () =>
        proxy.rewriteNext(() => true, (b) => ({ ...b, events: [...b.events, { index: b.events.length, tx: null, name: "FeatureRenamed", data: { name: "f" } }] })),
      );
      await expectReload("heights going backwards", /heights went backwards/, () => proxy.inject(`event: block\ndata: ${proxy.relayed[proxy.relayed.length - 3]}\n\n`));
      // The block that carries a real change arrives with a payload of the wrong shape: the
      // reload brings the change in anyway.
      await expectReload("a StatusChanged payload with an unknown status", /StatusChanged/, async () => {
        proxy.rewriteNext(
          (b) => b.events.some((e) => e.name === "StatusChanged"),
          (b) => ({ ...b, events: b.events.map((e) => (e.name === "StatusChanged" ? { ...e, data: { ...e.data, to: "Sideways" } } : e)) }),
        );
        await sendAll(d, [["startCanary", { name: "f", bps: 4200 }]]);
      });
      expect(provider.snapshot!.feature("f")!.rolloutBps).toBe(4200);

      // An unknown event about a feature nobody tracks is not the SDK's business: no reload, no warning.
      const loads = provider.sync.stats.loads;
      const warned = warns().length;
      proxy.rewriteNext(() => true, (b) => ({ ...b, events: [...b.events, { index: b.events.length, tx: null, name: "FeatureRenamed", data: { name: "someone-else" } }] }));
      const h = provider.snapshot!.height;
      await waitFor("a few more blocks", () => (provider.snapshot!.height >= h + 4 ? true : undefined));
      expect(provider.sync.stats.loads).toBe(loads);
      expect(warns().length).toBe(warned);

      // Still following: a change made now arrives over the stream.
      const at = await sendAll(d, [["enable", { name: "f" }]]);
      await waitFor("the change", () => (provider.snapshot!.feature("f")!.status === 3 ? true : undefined));
      expect(provider.snapshot!.height).toBeGreaterThanOrEqual(at);
      expect(provider.sync.stats.malformed).toBe(5);
      expect(statuses).toEqual([]); // never STALE or ERROR
      expect(client.providerStatus).toBe(ProviderStatus.READY);
    } finally {
      await OpenFeature.clearProviders();
      await proxy.close();
      await d.close();
    }
  }, 30_000);
});

describe("catching up after an outage", () => {
  it("within maxCatchUpBlocks: resumed from the last block with getEvents, the changes made meanwhile in the snapshot and announced; beyond it: a full reload", async () => {
    const d = await startDevnet({ blockTimeMs: 25 });
    const proxy = await startProxy(d.url);
    const near = new CanaryProvider({ node: proxy.url, logger: recordingLogger(), reconnect: { minMs: 30, maxMs: 150 } });
    const far = new CanaryProvider({ node: proxy.url, logger: recordingLogger(), reconnect: { minMs: 30, maxMs: 150 }, maxCatchUpBlocks: 5 });
    const announced: string[] = [];
    near.events.addHandler(ProviderEvents.ConfigurationChanged, (e) => void announced.push(...((e?.flagsChanged as string[] | undefined) ?? [])));
    try {
      await sendAll(d, [["createFeature", { name: "f", description: "", policy: null }], ["startCanary", { name: "f", bps: 1000 }]]);
      await Promise.all([near.initialize(), far.initialize()]);
      proxy.setDown(true);
      await waitFor("both stale", () => (near.sync.state === "stale" && far.sync.state === "stale" ? true : undefined));
      const lost = near.snapshot!.height;
      await sendAll(d, [
        ["startCanary", { name: "f", bps: 3000 }],
        ["setOverride", { name: "f", account: A, mode: "ForceOn" }],
        ["createFeature", { name: "g", description: "", policy: null }],
      ]);
      await waitFor("20 blocks of outage", () => (d.node.height >= lost + 20 ? true : undefined));
      expect(near.snapshot!.feature("f")!.rolloutBps).toBe(1000); // nothing reached it meanwhile
      proxy.setDown(false);
      await waitFor("both ready", () => (near.sync.state === "ready" && far.sync.state === "ready" ? true : undefined), 5000);
      for (const p of [near, far]) {
        const s = p.snapshot!;
        expect(s.feature("f")).toMatchObject({ rolloutBps: 3000 });
        expect(s.override("f", A)).toBe(1);
        expect(s.feature("g")).toBeDefined();
      }
      expect(near.sync.stats).toMatchObject({ loads: 1, resumes: 1 });
      expect(near.sync.stats.caughtUp).toBeGreaterThanOrEqual(20);
      expect(announced).toEqual(expect.arrayContaining(["f", "g"]));
      expect(far.sync.stats.loads).toBe(2);
      expect(far.sync.stats.resumes).toBe(0);
    } finally {
      await near.onClose();
      await far.onClose();
      await proxy.close();
      await d.close();
    }
  }, 20_000);
});

describe("a node that hangs with its stream open", () => {
  it("no block for stallMs: STALE (answering from the last snapshot) and reconnecting; READY once the node moves again, with the change made meanwhile", async () => {
    const d = await startDevnet({ blockTimeMs: 25 });
    const proxy = await startProxy(d.url);
    const log = recordingLogger();
    // A new GET /events on the hung proxy waits requestTimeoutMs before the attempt fails.
    const provider = new CanaryProvider({ node: proxy.url, logger: log, stallMs: 300, requestTimeoutMs: 500, reconnect: { minMs: 30, maxMs: 150 } });
    const client = OpenFeature.getClient("stall");
    const statuses: string[] = [];
    for (const e of [ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Error]) client.addHandler(e, () => void statuses.push(e));
    try {
      await sendAll(d, [["createFeature", { name: "f", description: "", policy: null }], ["startCanary", { name: "f", bps: 5000 }]]);
      await OpenFeature.setProviderAndWait("stall", provider);
      // Blocks every 25 ms keep the stream alive: 20 of them (longer than stallMs) and no reconnection.
      const h0 = provider.snapshot!.height;
      await waitFor("20 blocks", () => (provider.snapshot!.height >= h0 + 20 ? true : undefined));
      expect(provider.sync.stats.disconnects).toBe(0);
      const before = await client.getBooleanDetails("f", false, { targetingKey: A });
      expect(before.reason).toBe("SPLIT");

      // Hung: the stream stays open but brings nothing, and a new one is not answered.
      proxy.hold(true, { hang: true });
      await waitFor("STALE", () => (client.providerStatus === ProviderStatus.STALE ? true : undefined), 3000);
      expect(provider.sync.lastError?.message).toBe("no block from the node for 300 ms");
      expect(log.lines.some((l) => /^warn lost the node .*no block from the node for 300 ms/.test(l))).toBe(true);
      const heightWhenLost = provider.snapshot!.height;
      const whileHung = await client.getBooleanDetails("f", false, { targetingKey: A });
      expect(whileHung).toMatchObject({ value: before.value, reason: "SPLIT", flagMetadata: { height: heightWhenLost, rolloutBps: 5000 } });
      expect(whileHung.errorCode).toBeUndefined();

      // The chain moves on meanwhile; the provider keeps trying (each attempt's stream unanswered).
      const at = await sendAll(d, [["startCanary", { name: "f", bps: 7000 }]]);
      await waitFor("a failed reconnection", () => (provider.sync.stats.disconnects >= 2 ? true : undefined), 3000);
      expect(client.providerStatus).toBe(ProviderStatus.STALE);
      expect(provider.snapshot!.feature("f")!.rolloutBps).toBe(5000);
      expect(provider.snapshot!.height).toBe(heightWhenLost);

      // The node answers again: READY, resumed from the last block with the change in it.
      proxy.hold(false);
      await waitFor("READY", () => (client.providerStatus === ProviderStatus.READY ? true : undefined), 3000);
      expect(provider.snapshot!.feature("f")!.rolloutBps).toBe(7000);
      expect(provider.snapshot!.height).toBeGreaterThanOrEqual(at);
      expect(await client.getBooleanDetails("f", false, { targetingKey: A })).toMatchObject({ reason: "SPLIT", flagMetadata: { rolloutBps: 7000 } });
      expect(provider.sync.stats).toMatchObject({ loads: 1, resumes: 1 });
      // Following the stream again.
      const blocks = provider.sync.stats.blocks;
      await waitFor("blocks over the stream", () => (provider.sync.stats.blocks >= blocks + 3 ? true : undefined));
      // One Ready from setProviderAndWait, Stale once for the outage (not per attempt), Ready.
      expect(statuses).toEqual([ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Ready]);
    } finally {
      await OpenFeature.clearProviders();
      await proxy.close();
      await d.close();
    }
  }, 10_000);
});
