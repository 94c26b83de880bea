// FlagSync against what the contract does, found in review:
// - F1: a followed snapshot equals a fresh load after every kind of status change made while a
//   feature is paused (the contract's enable, disable and rollback — by hand, by a health rule
//   or by an incident — end the pause without a PauseChanged; startCanary, startRollout and a
//   step keep it), so a reload announces nothing.
// - F3: the override scan (getEvents OverrideSet: the node reads every block record) never
//   starts over needlessly. A scaled model of a long chain on a slow node: a few hundred blocks
//   behind a proxy that answers OverrideSet scans at 1-3 ms a block (a LevelDB node reads one in
//   15-42 µs) and at most 100 blocks a call (the node: 100,000), like the node with `next`.
//   The first load outlasts initTimeoutMs and requestTimeoutMs: ERROR, then READY with every
//   override; a failed or timed-out page is read again from where the last page ended, never
//   from 0; a reload reads only the blocks since the snapshot's; a reset chain is read from 0.

import { request as httpRequest, createServer, get as httpGet, type ClientRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus } from "@openfeature/server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex } from "../../src/client/codec.ts";
import { encodePolicy } from "../../src/client/schema.ts";
import { CanaryProvider, FlagSync, changedFlags, type FlagSnapshot } from "../../src/openfeature/index.ts";
import { randomAccounts, recordingLogger, sendAll, startDevnet, waitFor } from "../helpers/devnet.ts";

const [A, B, C] = randomAccounts(3) as [string, string, string];
const Status = { Disabled: 0, Canary: 1, RollingOut: 2, Enabled: 3, RolledBack: 4 } as const;

/** Everything a snapshot keeps per feature (the view's other fields are refetched only with the policy), and the global switches. */
function kept(s: FlagSnapshot) {
  return {
    height: s.height,
    hash: s.hash,
    global: { ...s.global },
    features: [...s.features()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((f) => ({ name: f.name, status: f.status, rolloutBps: f.rolloutBps, paused: f.paused, overrides: [...f.overrides].sort(), policy: bytesToHex(encodePolicy(f.policy)) })),
  };
}

describe("F1: a followed snapshot after pause and status churn", () => {
  let d: Awaited<ReturnType<typeof startDevnet>>;
  const syncs: FlagSync[] = [];
  beforeAll(async () => {
    d = await startDevnet({ blockTimeMs: 25 });
  });
  afterAll(async () => {
    for (const s of syncs) await s.close();
    await d?.close();
  });

  it("equals a fresh load in status, rolloutBps, paused, overrides, policy and the global switches; changedFlags finds nothing", async () => {
    const fast = { minSuccessCount: 0 }; // startRollout without reports
    const followed = new FlagSync({ node: d.url, logger: recordingLogger() });
    syncs.push(followed);
    await sendAll(d, [
      ...["x", "en", "dis", "keep", "roll", "rep", "ovr"].map((name): Parameters<typeof sendAll>[1][number] => ["createFeature", { name, description: "", policy: fast }]),
      ["createFeature", { name: "rule", description: "", policy: { ...fast, maxPeakLatency: 10 } }],
      ["createFeature", { name: "step", description: "", policy: { ...fast, minSamples: 0, incrementBps: 5000, incrementBlocks: 2 } }],
    ]);
    followed.start();
    await followed.whenReady(10_000);

    await sendAll(d, [
      // The reviewer's repro: the rollback ends the pause, the next startCanary is not paused.
      ["startCanary", { name: "x", bps: 1000 }], ["pause", { name: "x" }], ["rollback", { name: "x", reason: "Manual" }], ["startCanary", { name: "x", bps: 2000 }],
      ["startCanary", { name: "en", bps: 500 }], ["pause", { name: "en" }], ["enable", { name: "en" }],
      ["startCanary", { name: "dis", bps: 500 }], ["pause", { name: "dis" }], ["disable", { name: "dis" }],
      // startCanary and startRollout keep the pause.
      ["startCanary", { name: "keep", bps: 500 }], ["pause", { name: "keep" }], ["startCanary", { name: "keep", bps: 3000 }], ["startRollout", { name: "keep", targetBps: 6000 }],
      ["startCanary", { name: "roll", bps: 500 }], ["pause", { name: "roll" }], ["startRollout", { name: "roll", targetBps: 5000 }], ["rollback", { name: "roll", reason: "Manual" }],
      ["startCanary", { name: "roll", bps: 700 }], ["pause", { name: "roll" }], ["resume", { name: "roll" }], ["pause", { name: "roll" }], ["enable", { name: "roll" }],
      ["rollback", { name: "roll", reason: "Manual" }], ["startCanary", { name: "roll", bps: 800 }], ["pause", { name: "roll" }],
      // A rollback by a health rule and by an incident, while paused.
      ["startCanary", { name: "rule", bps: 500 }], ["pause", { name: "rule" }], ["recordLatency", { name: "rule", value: 100 }],
      ["startCanary", { name: "rep", bps: 500 }], ["pause", { name: "rep" }], ["reportIncident", { name: "rep", reason: "CircuitBreaker" }], ["startCanary", { name: "rep", bps: 900 }],
      // Paused into a rollout, resumed: the step (RolloutAdvanced + StatusChanged) ends it Enabled.
      ["startCanary", { name: "step", bps: 5000 }], ["pause", { name: "step" }], ["startRollout", { name: "step", targetBps: 10_000 }], ["resume", { name: "step" }],
      ["setOverride", { name: "ovr", account: A, mode: "ForceOn" }], ["setOverride", { name: "ovr", account: B, mode: "ForceOff" }],
      ["setOverride", { name: "ovr", account: A, mode: "Clear" }], ["setOverride", { name: "ovr", account: B, mode: "ForceOn" }],
      ["setGlobal", { paused: true, halted: true }], ["setGlobal", { paused: false, halted: false }],
    ]);
    await waitFor("the rollout step", () => (followed.snapshot!.feature("step")!.status === Status.Enabled ? true : undefined));

    const fresh = new FlagSync({ node: d.url, logger: recordingLogger() });
    syncs.push(fresh);
    fresh.start();
    await fresh.whenReady(10_000);
    // Both move with every block: compare them at one height, synchronously.
    const [a, b, changed] = await waitFor("both at one height", () =>
      followed.snapshot!.height === fresh.snapshot!.height ? ([kept(followed.snapshot!), kept(fresh.snapshot!), changedFlags(followed.snapshot!, fresh.snapshot!)] as const) : undefined,
    );
    expect(a).toEqual(b);
    expect(changed).toEqual([]);
    expect(followed.stats).toMatchObject({ loads: 1, malformed: 0 }); // it followed the whole churn

    // What the contract says (the fresh load reads its views), pinned.
    const state = (name: string) => b.features.find((f) => f.name === name)!;
    expect(state("x")).toMatchObject({ status: Status.Canary, rolloutBps: 2000, paused: false });
    expect(state("en")).toMatchObject({ status: Status.Enabled, paused: false });
    expect(state("dis")).toMatchObject({ status: Status.Disabled, paused: false });
    expect(state("keep")).toMatchObject({ status: Status.RollingOut, rolloutBps: 3000, paused: true });
    expect(state("roll")).toMatchObject({ status: Status.Canary, rolloutBps: 800, paused: true });
    expect(state("rule")).toMatchObject({ status: Status.RolledBack, paused: false });
    expect(state("rep")).toMatchObject({ status: Status.Canary, rolloutBps: 900, paused: false });
    expect(state("step")).toMatchObject({ status: Status.Enabled, rolloutBps: 10_000, paused: false });
    expect(state("ovr").overrides).toEqual([[B.toLowerCase(), 1]]);
  }, 30_000);
});

/** One getEvents(OverrideSet) call through the slow proxy. */
interface ScanCall {
  from: number;
  /** The last block of the answer (-1 when there was none). */
  to: number;
  outcome: "answered" | "dropped" | "hung";
}

/**
 * A node that reads OverrideSet scans slowly: JSON-RPC and GET /events go to `upstream`;
 * getEvents(OverrideSet) is cut to `pageBlocks` blocks (with `next`, as the node cuts at
 * 100,000) and answered after `msPerBlock` per block read. `failScan(n, how)` makes the n-th
 * scan call (0-based) drop its connection or never answer; `setDown` cuts everything;
 * `setUpstream` moves to another node (the old streams end).
 */
async function startSlowNode(upstream: string, pageBlocks: number, msPerBlock: number) {
  const scans: ScanCall[] = [];
  const failures = new Map<number, "dropped" | "hung">();
  const open = new Set<Socket>();
  const streams = new Set<{ req: ClientRequest; res: ServerResponse }>();
  let down = false;
  const endStreams = (): void => {
    for (const s of streams) (s.req.destroy(), s.res.destroy());
    streams.clear();
  };
  const forward = (body: string): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(upstream + "/", { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (down) return void res.writeHead(503, { connection: "close" }).end();
    if (req.method === "GET" && req.url === "/events") {
      const up = httpGet(upstream + "/events", { headers: { accept: "text/event-stream" } }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, { "content-type": "text/event-stream" });
        res.flushHeaders();
        upRes.pipe(res);
      });
      const pair = { req: up, res };
      streams.add(pair);
      up.on("error", () => res.destroy());
      req.on("close", () => (up.destroy(), streams.delete(pair)));
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { method: string; params?: { name?: string; fromHeight?: number; toHeight?: number } };
      const p = body.params;
      if (body.method !== "getEvents" || p?.name !== "OverrideSet") {
        const r = await forward(JSON.stringify(body)).catch(() => undefined);
        return void (r === undefined ? res.destroy() : res.writeHead(r.status, { "content-type": "application/json" }).end(r.text));
      }
      const call: ScanCall = { from: p.fromHeight ?? 0, to: -1, outcome: "answered" };
      const failure = failures.get(scans.length);
      scans.push(call);
      if (failure === "hung") return void (call.outcome = "hung"); // the socket stays open and silent
      const asked = p.toHeight ?? Number.MAX_SAFE_INTEGER;
      const r = await forward(JSON.stringify({ ...body, params: { ...p, toHeight: Math.min(asked, call.from + pageBlocks - 1) } }));
      const answer = JSON.parse(r.text) as { result?: { toHeight: number; next?: number } };
      const result = answer.result!;
      if (result.next === undefined && result.toHeight < asked) result.next = result.toHeight + 1;
      await new Promise((done) => setTimeout(done, (result.toHeight - call.from + 1) * msPerBlock));
      if (failure === "dropped") return void ((call.outcome = "dropped"), res.destroy());
      call.to = result.toHeight;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  server.on("connection", (s: Socket) => (open.add(s), s.on("close", () => open.delete(s))));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    scans,
    failScan(n: number, how: "dropped" | "hung"): void {
      failures.set(n, how);
    },
    setDown(on: boolean): void {
      down = on;
      if (on) endStreams();
    },
    setUpstream(url: string): void {
      upstream = url;
      endStreams();
    },
    close: async () => {
      endStreams();
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The answered scan calls tile 0..last without a gap or an overlap; every failed call is read again from its own start by the next call. */
function expectResumedScan(scans: readonly ScanCall[]): void {
  const answered = scans.filter((c) => c.outcome === "answered");
  expect(answered[0]!.from).toBe(0);
  for (let i = 1; i < answered.length; i++) expect(answered[i]!.from, `scan call ${i}`).toBe(answered[i - 1]!.to + 1);
  scans.forEach((c, i) => {
    if (c.outcome !== "answered") expect(scans[i + 1]?.from, `the call after failed call ${i}`).toBe(c.from);
  });
}

describe("F3: the override scan on a long chain", () => {
  const nodes: Awaited<ReturnType<typeof startDevnet>>[] = [];
  afterAll(async () => {
    await OpenFeature.close();
    for (const n of nodes) await n.close();
  });

  /** A node of its own (the chain's length stays what the test made it): feature f, A ForceOn at block `early`, B ForceOff past block 300. */
  async function longChain(): Promise<{ d: Awaited<ReturnType<typeof startDevnet>>; early: number }> {
    const d = await startDevnet({ blockTimeMs: 5 });
    nodes.push(d);
    const early = await sendAll(d, [
      ["createFeature", { name: "f", description: "", policy: null }],
      ["setOverride", { name: "f", account: A, mode: "ForceOn" }],
      ["startCanary", { name: "f", bps: 5000 }],
    ]);
    await waitFor("300 blocks", () => (d.node.height >= 300 ? true : undefined));
    await sendAll(d, [["setOverride", { name: "f", account: B, mode: "ForceOff" }]]);
    return { d, early };
  }

  it("the first load outlasts initTimeoutMs and requestTimeoutMs: ERROR, defaults, then READY with every override; a dropped page is read again from its start", async () => {
    const { d, early } = await longChain();
    const slow = await startSlowNode(d.url, 100, 3); // 300 ms a page, above requestTimeoutMs
    slow.failScan(1, "dropped");
    const provider = new CanaryProvider({ node: slow.url, logger: recordingLogger(), initTimeoutMs: 300, requestTimeoutMs: 200, reconnect: { minMs: 20, maxMs: 100 } });
    const client = OpenFeature.getClient("slow-first-load");
    const events: string[] = [];
    for (const e of [ProviderEvents.Ready, ProviderEvents.Error, ProviderEvents.Stale]) client.addHandler(e, () => void events.push(e));
    try {
      await expect(OpenFeature.setProviderAndWait("slow-first-load", provider)).rejects.toThrow(/no flag snapshot .* within 300 ms/);
      expect(client.providerStatus).toBe(ProviderStatus.ERROR);
      expect(await client.getBooleanDetails("f", true, { targetingKey: B })).toMatchObject({ value: true, errorCode: ErrorCode.PROVIDER_NOT_READY });
      await waitFor("READY", () => (client.providerStatus === ProviderStatus.READY ? true : undefined), 10_000);
      expect(events[events.length - 1]).toBe(ProviderEvents.Ready);
      expect(provider.snapshot!.override("f", A)).toBe(1); // ForceOn, set at block `early`
      expect(provider.snapshot!.override("f", B)).toBe(2); // ForceOff, set past block 300
      expect(await client.getBooleanDetails("f", true, { targetingKey: B })).toMatchObject({ value: false, reason: "TARGETING_MATCH" });
      expect(slow.scans.length).toBeGreaterThanOrEqual(4);
      expect(slow.scans[1]!.outcome).toBe("dropped");
      expectResumedScan(slow.scans);
      expect(slow.scans.filter((c) => c.outcome === "answered" && c.from <= early && early <= c.to)).toHaveLength(1); // block `early` read once
    } finally {
      await OpenFeature.clearProviders();
      await slow.close();
    }
  }, 20_000);

  it("a page that does not answer times out after overrideScanTimeoutMs and is read again from its start", async () => {
    const { d } = await longChain();
    const slow = await startSlowNode(d.url, 100, 1); // 100 ms a page
    slow.failScan(2, "hung");
    const sync = new FlagSync({ node: slow.url, logger: recordingLogger(), requestTimeoutMs: 200, overrideScanTimeoutMs: 600, reconnect: { minMs: 20, maxMs: 100 } });
    try {
      const started = Date.now();
      sync.start();
      await sync.whenReady(10_000);
      expect(Date.now() - started).toBeGreaterThan(600); // it waited out the hung page
      expect(sync.lastError?.message).toMatch(/no answer within 600 ms/); // the scan's timeout, not requestTimeoutMs
      expect(slow.scans[2]!.outcome).toBe("hung");
      expectResumedScan(slow.scans);
      expect(sync.snapshot!.override("f", A)).toBe(1);
      expect(sync.snapshot!.override("f", B)).toBe(2);
      // Every block up to the snapshot's load read once (the hung page counted nowhere).
      const answered = slow.scans.filter((c) => c.outcome === "answered");
      expect(sync.stats.overrideScanBlocks).toBe(answered[answered.length - 1]!.to + 1);
    } finally {
      await sync.close();
      await slow.close();
    }
  }, 20_000);

  it("a reload reads only the blocks since the snapshot's block; a reset chain is read from block 0", async () => {
    const other = await startDevnet({ blockTimeMs: 5 }); // the "reset" chain, another genesis, ahead of d
    nodes.push(other);
    await sendAll(other, [["createFeature", { name: "g", description: "", policy: null }], ["setOverride", { name: "g", account: C, mode: "ForceOn" }]]);
    const { d } = await longChain();
    const slow = await startSlowNode(d.url, 100, 0); // pages of 100 blocks; the calls' ranges are what this test reads
    const sync = new FlagSync({ node: slow.url, logger: recordingLogger(), maxCatchUpBlocks: 20, reconnect: { minMs: 20, maxMs: 100 } });
    const announced: string[][] = [];
    sync.on("changes", ({ flags }) => void announced.push(flags));
    try {
      sync.start();
      await sync.whenReady(10_000);
      expect(slow.scans[0]!.from).toBe(0);
      const firstLoad = slow.scans.length;

      // An outage longer than maxCatchUpBlocks: the resume reloads.
      slow.setDown(true);
      await waitFor("stale", () => (sync.state === "stale" ? true : undefined));
      const lost = sync.snapshot!.height;
      await sendAll(d, [["setOverride", { name: "f", account: C, mode: "ForceOn" }], ["setOverride", { name: "f", account: A, mode: "Clear" }]]);
      await waitFor("40 blocks of outage", () => (d.node.height >= lost + 40 ? true : undefined));
      slow.setDown(false);
      await waitFor("the reload", () => (sync.stats.loads === 2 && sync.state === "ready" ? true : undefined), 10_000);
      const reload = slow.scans.slice(firstLoad);
      expect(reload.length).toBeGreaterThan(0);
      expect(reload[0]!.from).toBe(lost + 1); // from the snapshot's block, not from 0
      expect(sync.snapshot!.override("f", C)).toBe(1);
      expect(sync.snapshot!.override("f", A)).toBeUndefined();
      expect(sync.snapshot!.override("f", B)).toBe(2); // kept from before the outage
      expect(announced.flat()).toContain("f");

      // A reset: the same URL now serves another chain; the snapshot's block is not on it.
      const beforeReset = slow.scans.length;
      slow.setUpstream(other.url);
      await waitFor("the other chain's flags", () => (sync.snapshot!.feature("g") !== undefined && sync.state === "ready" ? true : undefined), 10_000);
      expect(slow.scans[beforeReset]!.from).toBe(0);
      expect(sync.snapshot!.feature("f")).toBeUndefined();
      expect(sync.snapshot!.override("g", C)).toBe(1);
    } finally {
      await sync.close();
      await slow.close();
    }
  }, 20_000);
});
