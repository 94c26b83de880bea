// The step clock across pauses and the due index (SPEC section 5, "Steps" and "When steps
// run"; docs/DESIGN.md "Time, pauses and due steps"; docs/STORAGE.md 0xD7):
//  - after a step whose dwell included a pause, the next step's dwell starts at the advance;
//  - a due step that waits for samples does not advance while the global pause is set, not
//    even when the samples arrive during the pause;
//  - a feature that leaves RollingOut (or is paused) leaves the due index: no 0xD7 key of it
//    stays behind, and onPersist costs what it costs on a chain that never had it.

import { describe, expect, it } from "vitest";
import { Status, type PolicyInput } from "../../src/client/index.ts";
import { GUARDIAN, OPERATOR, OUTSIDER, REPORTER, initializedChain, meteredWasm, type Fixture } from "../helpers/contract.ts";
import { advances, chainAt, closeBlock, feature, height, history, ok, rollingOut, walkTo } from "./_health_helpers.ts";

const N = 10; // incrementBlocks
const BASE: PolicyInput = { incrementBlocks: N, minSamples: 10, minSuccessCount: 0 };

// ------------------------------------------------------------------ (a) the dwell after a paused step

interface DwellCase {
  title: string;
  /** [pause height, resume height] of the feature's own pause, in order. */
  pauses: [number, number][];
  /** Samples (10 per block) are reported from this height on. */
  feedFrom: number;
  /** Heights at which the first three steps land (rollout started at 10). */
  steps: [number, number, number];
}

const DWELLS: DwellCase[] = [
  { title: "paused 13..18 mid-dwell (3 blocks banked): steps at 25, then 35 and 45 — not 32", pauses: [[13, 18]], feedFrom: 10, steps: [25, 35, 45] },
  { title: "paused 12..14 and 16..19 (2 + 2 banked): steps at 25, then 35 and 45", pauses: [[12, 14], [16, 19]], feedFrom: 10, steps: [25, 35, 45] },
  { title: "paused 22..30 while due and waiting for samples (12 banked), samples from 33: steps at 33, then 43 and 53 — not 34", pauses: [[22, 30]], feedFrom: 33, steps: [33, 43, 53] },
  { title: "paused 11..60 (1 banked), a long pause: steps at 69, then 79 and 89", pauses: [[11, 60]], feedFrom: 10, steps: [69, 79, 89] },
];

describe("after a step whose dwell included the feature's pause, the next dwell counts from the advance", () => {
  it.each(DWELLS)("$title", (c) => {
    const fx = chainAt(10);
    rollingOut(fx, "f", { ...BASE, incrementBps: 1000 });
    const landed: number[] = [];
    let bps = feature(fx.client, "f").rolloutBps;
    while (height(fx) <= c.steps[2] + 1) {
      const h = height(fx);
      for (const [p, r] of c.pauses) {
        if (h === p) ok(fx.client.pause(GUARDIAN, "f"));
        if (h === r) ok(fx.client.resume(OPERATOR, "f"));
      }
      if (h >= c.feedFrom) ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
      closeBlock(fx, h + 1);
      const f = feature(fx.client, "f");
      if (f.rolloutBps !== bps) {
        expect(f.lastStepBlock).toBe(h);
        landed.push(h);
        bps = f.rolloutBps;
      }
    }
    expect(landed).toEqual(c.steps);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 3500 });
  });
});

// ------------------------------------------------------------------ (b) global pause over a waiting due step

describe("a due step waiting for samples does not advance under the global pause, even when the samples arrive", () => {
  it.each([
    ["onPersist", false],
    ["onPersist and processRollout in every paused block", true],
  ] as const)("due at 20, waiting; global pause 22..40, samples at 25: no step before the pause ends (%s)", (_, byHand) => {
    const fx = chainAt(10);
    rollingOut(fx, "f", BASE); // due at 20, minSamples 10, no samples yet
    walkTo(fx, 22);
    expect(feature(fx.client, "f").rolloutBps).toBe(500); // due since 20, waiting for samples
    ok(fx.client.setGlobal(GUARDIAN, true, false));
    while (height(fx) < 40) {
      const h = height(fx);
      if (h === 25) ok(fx.client.recordBatch(REPORTER, "f", 10, 0)); // reports count while paused
      if (byHand) expect(ok(fx.client.processRollout(OUTSIDER, "f")).events, `processRollout at ${h}`).toEqual([]);
      const br = closeBlock(fx, h + 1);
      expect(advances(br.events), `onPersist at ${h}`).toEqual([]);
      expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 500, windowSuccesses: h >= 25 ? 10n : 0n });
    }
    ok(fx.client.setGlobal(GUARDIAN, false, false));
    const br = closeBlock(fx, 41); // the pause is over: the waiting step is still due and now has its samples
    expect(advances(br.events)).toEqual([{ name: "f", fromBps: 500, toBps: 1500 }]);
    expect(feature(fx.client, "f")).toMatchObject({ rolloutBps: 1500, lastStepBlock: 40 });
    expect(history(fx.client, "f").at(-1)).toMatchObject({ block: 40, from: Status.RollingOut, to: Status.RollingOut, actor: null });
  });
});

// ------------------------------------------------------------------ (c) the due index follows the status

/** The metered module (the same contract, charged gas) with init and roles in block 1, block `at` open. */
function meteredAt(at: number): Fixture {
  const fx = initializedChain({ wasm: meteredWasm() });
  fx.goTo(at);
  return fx;
}

/**
 * Every committed 0xD7 key as "dueAt:name". dueAt is a clock value (DESIGN.md): on these
 * chains (init at block 1, no global pause) the clock at height h is h − 1, so a step due at
 * height 20 has the key "19:name".
 */
function dueKeys(fx: Fixture): string[] {
  const out: string[] = [];
  for (const [k] of fx.chain.store.entries()) {
    if (k[0] !== 0xd7) continue;
    const dueAt = new DataView(k.buffer, k.byteOffset).getUint32(1, false);
    expect(k[k.length - 1], "a 0xD7 key ends with the name's terminator").toBe(0);
    out.push(`${dueAt}:${Buffer.from(k.subarray(5, k.length - 1)).toString("latin1")}`);
  }
  return out;
}

interface LeaveCase {
  title: string;
  policy: PolicyInput;
  target?: number;
  /** What happens in block 13 (the feature RollingOut since 10, due at 20). */
  act?: (fx: Fixture) => void;
  /** Status when the feature has left (after block 30). */
  status: Status;
  paused?: boolean;
}

const LEAVES: LeaveCase[] = [
  { title: "rollback", policy: BASE, act: (fx) => ok(fx.client.rollback(GUARDIAN, "f")), status: Status.RolledBack },
  { title: "reportIncident", policy: BASE, act: (fx) => ok(fx.client.reportIncident(REPORTER, "f", "CircuitBreaker")), status: Status.RolledBack },
  { title: "disable", policy: BASE, act: (fx) => ok(fx.client.disable(OPERATOR, "f")), status: Status.Disabled },
  { title: "enable", policy: BASE, act: (fx) => ok(fx.client.enable(OPERATOR, "f")), status: Status.Enabled },
  { title: "pause (stays RollingOut, off the schedule)", policy: BASE, act: (fx) => ok(fx.client.pause(GUARDIAN, "f")), status: Status.RollingOut, paused: true },
  { title: "onPersist's rollback at the deadline (25)", policy: { ...BASE, minSamples: 100, progressDeadlineBlocks: 15 }, status: Status.RolledBack },
  { title: "onPersist's last step → Enabled (20)", policy: { ...BASE, incrementBps: 10000 }, status: Status.Enabled },
  { title: "onPersist's last step → held Canary at 5000 (20)", policy: { ...BASE, incrementBps: 10000 }, target: 5000, status: Status.Canary },
];

describe("a feature that leaves RollingOut (or is paused) leaves the due index (0xD7)", () => {
  // onPersist at a height with nothing due, on a chain that never had a due entry.
  const baseline = (() => {
    const fx = meteredAt(30);
    ok(fx.client.createFeature(OPERATOR, "f", "", BASE));
    ok(fx.client.startCanary(OPERATOR, "f", 500));
    return closeBlock(fx, 31).onPersist.gasUsed!;
  })();

  it.each(LEAVES)("$title: no 0xD7 key of it remains; onPersist afterwards costs what it costs with none", (c) => {
    const fx = meteredAt(10);
    rollingOut(fx, "f", c.policy, { target: c.target ?? 10000 });
    closeBlock(fx, 11);
    expect(dueKeys(fx)).toEqual(["19:f"]); // due at height 20
    walkTo(fx, 13);
    // Samples so that a due step advances rather than waits (except under the deadline's minSamples 100).
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    c.act?.(fx);
    walkTo(fx, 30);
    expect(feature(fx.client, "f")).toMatchObject({ status: c.status, paused: c.paused ?? false });
    const gas = closeBlock(fx, 31).onPersist.gasUsed;
    expect(gas, "onPersist's gas with the feature gone from the index").toBe(baseline);
    expect(dueKeys(fx)).toEqual([]);
  });

  it("the index holds one key per unpaused RollingOut feature, at its next due clock value, through steps, pauses and exits", () => {
    const fx = meteredAt(10);
    rollingOut(fx, "a", BASE);
    rollingOut(fx, "b", { ...BASE, incrementBlocks: 7 });
    rollingOut(fx, "c", BASE);
    walkTo(fx, 12);
    expect(dueKeys(fx)).toEqual(["16:b", "19:a", "19:c"]); // heights 17, 20, 20
    ok(fx.client.recordBatch(REPORTER, "a", 10, 0));
    ok(fx.client.recordBatch(REPORTER, "b", 10, 0));
    ok(fx.client.pause(GUARDIAN, "c"));
    walkTo(fx, 21); // b stepped at 17 (next 24), a at 20 (next 30); c paused with 2 banked
    expect(feature(fx.client, "a").rolloutBps).toBe(1500);
    expect(feature(fx.client, "b").rolloutBps).toBe(1500);
    expect(dueKeys(fx)).toEqual(["23:b", "29:a"]); // heights 24, 30
    ok(fx.client.resume(GUARDIAN, "c")); // 8 to go from 21
    ok(fx.client.rollback(GUARDIAN, "b"));
    walkTo(fx, 22);
    expect(dueKeys(fx)).toEqual(["28:c", "29:a"]); // heights 29, 30
  });
});
