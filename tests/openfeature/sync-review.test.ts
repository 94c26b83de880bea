// FlagSync against what the contract does, found in review:
// - F1: a followed snapshot equals a fresh load after every kind of status change made while a
//   feature is paused (the contract's enable, disable and rollback — by hand, by a health rule
//   or by an incident — end the pause without a PauseChanged; startCanary, startRollout and a
//   step keep it), so a reload announces nothing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex } from "../../src/client/codec.ts";
import { encodePolicy } from "../../src/client/schema.ts";
import { FlagSync, changedFlags, type FlagSnapshot } from "../../src/openfeature/index.ts";
import { randomAccounts, recordingLogger, sendAll, startDevnet, waitFor } from "./_devnet.ts";

const [A, B] = randomAccounts(2) as [string, string];
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
