// CanaryProvider through a real OpenFeature client (server SDK 1.23) against a devnet node:
// every resolution reason and error code the issue lists, flagMetadata, TYPE_MISMATCH,
// `track` forwarding, PROVIDER_CONFIGURATION_CHANGED within two blocks of a change (a pause included), and a
// node URL that does not answer (ERROR, defaults, nothing thrown; READY once a node is there).

import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus, StandardResolutionReasons, type Client, type EvaluationContext, type EventDetails, type TrackingEventDetails } from "@openfeature/server-sdk";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { decodeResult, encodeArgs } from "../../src/client/schema.ts";
import { hexToBytes } from "../../src/client/codec.ts";
import { startNode } from "../../src/node/index.ts";
import { CanaryProvider } from "../../src/openfeature/index.ts";
import { connect, randomAccounts, recordingLogger, sendAll, startDevnet, waitFor } from "../helpers/devnet.ts";
import { freePort } from "../helpers/process.ts";

let d: Awaited<ReturnType<typeof startDevnet>>;
let provider: CanaryProvider;
let client: Client;
const log = recordingLogger();
const [A, B, C] = randomAccounts(3) as [string, string, string];

async function bucketOf(name: string, account: string): Promise<number> {
  const a = await d.rpc.call("bucketOf", encodeArgs("bucketOf", { name, account }));
  return decodeResult("bucketOf", hexToBytes("0x" + a.output)) as number;
}

beforeAll(async () => {
  // 100 ms blocks: "within two blocks" then leaves 200 ms for a loaded machine, and the rest stays fast.
  d = await startDevnet({ blockTimeMs: 100 });
  await sendAll(d, [
    ["createFeature", { name: "dis", description: "", policy: null }],
    ["createFeature", { name: "back", description: "", policy: null }],
    ["startCanary", { name: "back", bps: 10_000 }],
    ["rollback", { name: "back", reason: "Manual" }],
    ["createFeature", { name: "on", description: "", policy: null }],
    ["enable", { name: "on" }],
    ["createFeature", { name: "half", description: "", policy: null }],
    ["startCanary", { name: "half", bps: 5000 }],
    ["setOverride", { name: "half", account: A, mode: "ForceOn" }],
    ["setOverride", { name: "half", account: B, mode: "ForceOff" }],
  ]);
  provider = new CanaryProvider({ node: d.url, logger: log, reconnect: { minMs: 20, maxMs: 200 } });
  await OpenFeature.setProviderAndWait("main", provider);
  client = OpenFeature.getClient("main");
}, 30_000);

afterAll(async () => {
  await OpenFeature.close();
  await d?.close();
});

describe("resolution through an OpenFeature client: reasons, error codes, flagMetadata", () => {
  it("the provider is READY after setProviderAndWait, with the snapshot of every feature", () => {
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect([...provider.snapshot!.features()].map((f) => f.name).sort()).toEqual(["back", "dis", "half", "on"]);
  });

  it("unknown flag → the default, FLAG_NOT_FOUND", async () => {
    const r = await client.getBooleanDetails("nope", true, { targetingKey: C });
    expect(r).toMatchObject({ value: true, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.FLAG_NOT_FOUND });
  });

  it("Disabled and RolledBack → false, DISABLED (RolledBack even for an account with ForceOn)", async () => {
    const h = provider.snapshot!.height;
    const dis = await client.getBooleanDetails("dis", true, { targetingKey: C });
    expect(dis).toMatchObject({ value: false, reason: StandardResolutionReasons.DISABLED, variant: "off" });
    expect(dis.flagMetadata).toEqual({ status: "Disabled", rolloutBps: 0, bucket: -1, height: expect.any(Number) });
    expect(dis.flagMetadata.height as number).toBeGreaterThanOrEqual(h);
    const back = await client.getBooleanDetails("back", true, { targetingKey: C });
    expect(back).toMatchObject({ value: false, reason: StandardResolutionReasons.DISABLED });
    expect(back.flagMetadata).toMatchObject({ status: "RolledBack", rolloutBps: 0 });
  });

  it("Enabled → true, STATIC", async () => {
    const r = await client.getBooleanDetails("on", false, { targetingKey: C });
    expect(r).toMatchObject({ value: true, reason: StandardResolutionReasons.STATIC, variant: "on" });
    expect(r.errorCode).toBeUndefined();
    expect(r.flagMetadata).toMatchObject({ status: "Enabled", rolloutBps: 10_000, bucket: -1 });
  });

  it("an override → TARGETING_MATCH (ForceOn true, ForceOff false)", async () => {
    expect(await client.getBooleanDetails("half", false, { targetingKey: A })).toMatchObject({ value: true, reason: StandardResolutionReasons.TARGETING_MATCH });
    expect(await client.getBooleanDetails("half", true, { targetingKey: B })).toMatchObject({ value: false, reason: StandardResolutionReasons.TARGETING_MATCH });
  });

  it("by bucket → SPLIT, value = bucket < rolloutBps, the bucket the contract's bucketOf gives", async () => {
    let seen = { on: 0, off: 0 };
    for (const account of randomAccounts(40)) {
      const r = await client.getBooleanDetails("half", false, { targetingKey: account.toUpperCase().replace("0X", "0x") });
      expect(r.reason).toBe(StandardResolutionReasons.SPLIT);
      const bucket = await bucketOf("half", account);
      expect(r.flagMetadata).toMatchObject({ status: "Canary", rolloutBps: 5000, bucket });
      expect(r.value).toBe(bucket < 5000);
      seen = r.value ? { ...seen, on: seen.on + 1 } : { ...seen, off: seen.off + 1 };
    }
    expect(seen.on).toBeGreaterThan(0);
    expect(seen.off).toBeGreaterThan(0);
  });

  it("halted while Canary → false, DISABLED; Enabled stays true", async () => {
    const h = await sendAll(d, [["setGlobal", { paused: false, halted: true }]]);
    await waitFor("halted in the snapshot", () => (provider.snapshot!.height >= h ? true : undefined));
    expect(await client.getBooleanDetails("half", true, { targetingKey: A })).toMatchObject({ value: false, reason: StandardResolutionReasons.DISABLED, flagMetadata: { status: "Canary" } });
    expect(await client.getBooleanDetails("on", false, { targetingKey: A })).toMatchObject({ value: true, reason: StandardResolutionReasons.STATIC });
    const h2 = await sendAll(d, [["setGlobal", { paused: false, halted: false }]]);
    await waitFor("halt lifted in the snapshot", () => (provider.snapshot!.height >= h2 ? true : undefined));
    expect((await client.getBooleanDetails("half", false, { targetingKey: A })).reason).toBe(StandardResolutionReasons.TARGETING_MATCH);
  });

  it("no targetingKey → TARGETING_KEY_MISSING; one that is not an account → INVALID_CONTEXT; the default either way", async () => {
    expect(await client.getBooleanDetails("on", false, {})).toMatchObject({ value: false, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TARGETING_KEY_MISSING });
    for (const key of ["alice", "0x1234", "0x" + "zz".repeat(20), A + "00"]) {
      expect(await client.getBooleanDetails("on", false, { targetingKey: key })).toMatchObject({ value: false, errorCode: ErrorCode.INVALID_CONTEXT });
    }
  });

  it("string, number and object resolutions → TYPE_MISMATCH and the default (FLAG_NOT_FOUND for an unknown flag)", async () => {
    const ctx: EvaluationContext = { targetingKey: A };
    expect(await client.getStringDetails("on", "x", ctx)).toMatchObject({ value: "x", errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await client.getNumberDetails("on", 7, ctx)).toMatchObject({ value: 7, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await client.getObjectDetails("on", { a: 1 }, ctx)).toMatchObject({ value: { a: 1 }, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await client.getStringDetails("nope", "x", ctx)).toMatchObject({ value: "x", errorCode: ErrorCode.FLAG_NOT_FOUND });
  });

  it("provider.evaluate gives the same answer synchronously, with the reason", () => {
    expect(provider.evaluate("half", A)).toMatchObject({ kind: "override", value: true });
    expect(provider.evaluate("nope", A)).toMatchObject({ kind: "not-found", value: false });
  });

  it("client.track reaches the attached reporter with the merged context and details", () => {
    const got: [string, EvaluationContext, TrackingEventDetails][] = [];
    provider.attachReporter({ track: (n, c, t) => void got.push([n, c, t]) });
    client.track("canary.latency", { targetingKey: A }, { feature: "half", value: 12 });
    expect(got).toEqual([["canary.latency", expect.objectContaining({ targetingKey: A }), { feature: "half", value: 12 }]]);
  });
});

describe("PROVIDER_CONFIGURATION_CHANGED", () => {
  it("arrives with the changed flag keys within two blocks of the block that changed them", async () => {
    const seen: { flags: string[]; nodeHeight: number }[] = [];
    const handler = (e?: EventDetails<ProviderEvents.ConfigurationChanged>): void => void seen.push({ flags: e?.flagsChanged ?? [], nodeHeight: d.node.height });
    client.addHandler(ProviderEvents.ConfigurationChanged, handler);
    try {
      const cases: [Parameters<typeof sendAll>[1][number], string[]][] = [
        [["startCanary", { name: "half", bps: 6000 }], ["half"]],
        [["setOverride", { name: "dis", account: C, mode: "ForceOn" }], ["dis"]],
        [["updatePolicy", { name: "on", policy: { maxPeakLatency: 250 } }], ["on"]],
        [["createFeature", { name: "fresh", description: "", policy: null }], ["fresh"]],
        [["pause", { name: "half" }], ["half"]], // no evaluation changes, but the snapshot's paused does (docs/SDK.md)
        [["resume", { name: "half" }], ["half"]],
        [["setGlobal", { paused: false, halted: true }], ["half"]], // the halt gates the live features
      ];
      for (const [tx, flags] of cases) {
        seen.length = 0;
        const changedAt = await sendAll(d, [tx]);
        const got = await waitFor(`a change event for ${flags}`, () => seen.find((s) => flags.every((f) => s.flags.includes(f))), 5000);
        console.log(`${tx[0]}: block ${changedAt}, event at node height ${got.nodeHeight}, flags ${got.flags.join(",")}`);
        expect(got.flags).toEqual(flags);
        expect(got.nodeHeight - changedAt).toBeLessThanOrEqual(2);
      }
      expect(provider.snapshot!.feature("on")!.policy.maxPeakLatency).toBe(250n);
    } finally {
      client.removeHandler(ProviderEvents.ConfigurationChanged, handler);
      await sendAll(d, [["setGlobal", { paused: false, halted: false }]]);
    }
  }, 20_000);
});

describe("a node URL that does not answer", () => {
  it("ERROR and defaults without throwing; READY once a node appears there, then real answers", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const downLog = recordingLogger();
    const p = new CanaryProvider({ node: url, logger: downLog, initTimeoutMs: 300, reconnect: { minMs: 50, maxMs: 200 } });
    const events: string[] = [];
    const c = OpenFeature.getClient("down");
    for (const e of [ProviderEvents.Ready, ProviderEvents.Error, ProviderEvents.Stale]) c.addHandler(e, () => void events.push(e));
    const started = Date.now();
    await expect(OpenFeature.setProviderAndWait("down", p)).rejects.toThrow(/no flag snapshot from the node at .* within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(c.providerStatus).toBe(ProviderStatus.ERROR);
    expect(await c.getBooleanValue("anything", true, { targetingKey: A })).toBe(true);
    expect(await c.getBooleanDetails("anything", false, { targetingKey: A })).toMatchObject({ value: false, errorCode: ErrorCode.PROVIDER_NOT_READY });
    expect(p.evaluate("anything", A)).toBeUndefined();
    expect(downLog.lines.filter((l) => l.startsWith("warn")).length).toBe(1); // one line per outage, not one per retry

    const node = await startNode({ port, blockTimeMs: 25 });
    try {
      const up = await connect(node.url);
      await sendAll(up, [["createFeature", { name: "late", description: "", policy: null }], ["enable", { name: "late" }]]);
      await waitFor("READY", () => (c.providerStatus === ProviderStatus.READY ? true : undefined), 5000);
      expect(events).toContain(ProviderEvents.Ready);
      await waitFor("the feature", () => (p.snapshot?.feature("late")?.status === 3 ? true : undefined));
      expect(await c.getBooleanDetails("late", false, { targetingKey: A })).toMatchObject({ value: true, reason: StandardResolutionReasons.STATIC });
      up.rpc.close();
    } finally {
      await OpenFeature.clearProviders();
      await node.close();
    }
  }, 20_000);
});

describe("construction and logging", () => {
  it("bad options are refused with the option named, before anything starts", () => {
    expect(() => new CanaryProvider({ node: "127.0.0.1:20332" })).toThrow(/node must be an http\(s\) URL/);
    expect(() => new CanaryProvider({ node: "http://127.0.0.1:1", initTimeoutMs: 0 })).toThrow(/initTimeoutMs must be a positive number/);
    expect(() => new CanaryProvider({ node: "http://127.0.0.1:1", reconnect: { minMs: -1 } })).toThrow(/reconnect.minMs must be a positive number/);
    expect(() => new CanaryProvider({ node: "http://127.0.0.1:1", reconnect: { minMs: 500, maxMs: 100 } })).toThrow(/reconnect.maxMs \(100\) is below reconnect.minMs \(500\)/);
    expect(() => new CanaryProvider({ node: "http://127.0.0.1:1", maxCatchUpBlocks: Number.NaN })).toThrow(/maxCatchUpBlocks/);
    expect(() => new CanaryProvider({ node: "http://127.0.0.1:1", stallMs: 0 })).toThrow(/stallMs must be a positive number, got 0/);
  });

  it("the default logger is console.warn with the [onchain-canary] prefix", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const p = new CanaryProvider({ node: `http://127.0.0.1:${await freePort()}`, initTimeoutMs: 100, reconnect: { minMs: 1000, maxMs: 1000 } });
      await expect(p.initialize()).rejects.toThrow(/no flag snapshot/);
      await p.onClose();
      expect(warn).toHaveBeenCalled();
      expect(warn.mock.calls[0]![0]).toBe("[onchain-canary]");
      expect(String(warn.mock.calls[0]![1])).toMatch(/cannot load the flags from the node at http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      warn.mockRestore();
    }
  });

  it("track with no reporter attached is dropped with one warning (not one per call)", () => {
    const l = recordingLogger();
    const p = new CanaryProvider({ node: "http://127.0.0.1:1", logger: l });
    p.track("canary.success", { targetingKey: A }, { feature: "f" });
    p.track("canary.success", { targetingKey: A }, { feature: "f" });
    expect(l.lines).toEqual(['warn track("canary.success") with no reporter attached (provider.attachReporter): dropped']);
  });
});
