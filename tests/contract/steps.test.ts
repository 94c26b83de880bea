// Rollout steps of SPEC section 5 ("Steps", "When steps run"), history (section 6) and
// listFeatures. Heights are exact: a rollout started at height H with incrementBlocks n is
// first due at H + n (DESIGN.md), i.e. in onPersist of block H + n or by processRollout in it.

import { describe, expect, it } from "vitest";
import { RollbackReason, Status, type PolicyInput } from "../../src/client/index.ts";
import { ADMIN, GUARDIAN, OPERATOR, OUTSIDER, REPORTER, emptyChain, type Fixture } from "../helpers/contract.ts";
import { Prng } from "../helpers/prng.ts";
import {
  U32_MAX,
  advances,
  canary,
  chainAt,
  closeBlock,
  expectStepAt,
  feature,
  height,
  hex,
  history,
  ok,
  rollingOut,
  statusChanges,
  typed,
  walkTo,
} from "./_health_helpers.ts";

const N = 10; // incrementBlocks in most tests
const BASE: PolicyInput = { incrementBlocks: N, minSamples: 10, minSuccessCount: 0 };

interface Landed {
  height: number;
  fromBps: number;
  toBps: number;
  status: Status;
  statusEvents: ReturnType<typeof statusChanges>;
  eventNames: string[];
}

/**
 * Walks block by block up to (not including) `to`, feeding `feed` successes in every block
 * while the feature is RollingOut, and records every block in which a step landed.
 */
function drive(fx: Fixture, name: string, to: number, feed = 10): Landed[] {
  const out: Landed[] = [];
  while (height(fx) < to) {
    const h = height(fx);
    if (feed > 0 && feature(fx.client, name).status === Status.RollingOut) ok(fx.client.recordBatch(REPORTER, name, feed, 0));
    const br = closeBlock(fx, h + 1);
    expect(br.onPersist.ok, `onPersist at ${h}`).toBe(true);
    // onPersist's own events (the block's transactions are reports, which emit nothing here).
    const mine = br.onPersist.events.filter((e) => (typed([e])[0]!.data as { name?: string }).name === name);
    const adv = advances(mine);
    if (adv.length > 0) {
      expect(adv).toHaveLength(1);
      out.push({
        height: h,
        fromBps: adv[0]!.fromBps,
        toBps: adv[0]!.toBps,
        status: feature(fx.client, name).status,
        statusEvents: statusChanges(mine),
        eventNames: mine.map((e) => e.name),
      });
    } else {
      expect(statusChanges(mine), `no status change without a step at ${h}`).toEqual([]);
    }
  }
  return out;
}

// ------------------------------------------------------------------ schedules

interface ScheduleCase {
  title: string;
  policy: PolicyInput;
  canaryBps: number;
  target: number;
  /** rolloutBps after each step. */
  bps: number[];
}

const SCHEDULES: ScheduleCase[] = [
  { title: "linear +1000 from 500 to 10000: 1500 … 9500, then 10000 capped → Enabled", policy: {}, canaryBps: 500, target: 10000, bps: [1500, 2500, 3500, 4500, 5500, 6500, 7500, 8500, 9500, 10000] },
  { title: "linear +3000 from 500 to 7000: 3500, 6500, 7000 capped → held Canary", policy: { incrementBps: 3000 }, canaryBps: 500, target: 7000, bps: [3500, 6500, 7000] },
  { title: "linear +10000 from 100 to 10000: one step → Enabled", policy: { incrementBps: 10000 }, canaryBps: 100, target: 10000, bps: [10000] },
  { title: "linear +1000 from 9999 to 10000: 10000 capped, no wrap → Enabled", policy: {}, canaryBps: 9999, target: 10000, bps: [10000] },
  { title: "linear +1 from 100 to 103: one bps per step → held Canary at 103", policy: { incrementBps: 1 }, canaryBps: 100, target: 103, bps: [101, 102, 103] },
  { title: "explicit [1000,2500,5000,7500] from 500 to 10000: the list, then target", policy: { steps: [1000, 2500, 5000, 7500] }, canaryBps: 500, target: 10000, bps: [1000, 2500, 5000, 7500, 10000] },
  { title: "explicit [1000,2500,5000,7500] from 500 to 6000: 7500 capped at 6000 → held Canary", policy: { steps: [1000, 2500, 5000, 7500] }, canaryBps: 500, target: 6000, bps: [1000, 2500, 5000, 6000] },
  { title: "explicit [1000,2000] from 1500 to 8000: next listed above current, then target", policy: { steps: [1000, 2000] }, canaryBps: 1500, target: 8000, bps: [2000, 8000] },
  { title: "explicit [1000,2000,3000] from 2000 (a listed value): next is 3000, not 2000", policy: { steps: [1000, 2000, 3000] }, canaryBps: 2000, target: 10000, bps: [3000, 10000] },
  { title: "explicit [10000] from 100 to 10000: one step → Enabled", policy: { steps: [10000] }, canaryBps: 100, target: 10000, bps: [10000] },
  { title: "explicit [5000] from 100 to 5000: one step → held Canary", policy: { steps: [5000] }, canaryBps: 100, target: 5000, bps: [5000] },
  { title: "explicit [9000,10000] from 100 to 9500: 9000, then 9500 (10000 capped)", policy: { steps: [9000, 10000] }, canaryBps: 100, target: 9500, bps: [9000, 9500] },
];

describe("schedules: linear (+incrementBps every incrementBlocks) and explicit (next listed value above current, else target), capped at target", () => {
  it.each(SCHEDULES)("$title", (c) => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...BASE, ...c.policy }, { canaryBps: c.canaryBps, target: c.target });
    const landed = drive(fx, "f", H + N * (c.bps.length + 3) + 1);
    const end = c.target === 10000 ? Status.Enabled : Status.Canary;
    expect(landed.map((l) => l.height)).toEqual(c.bps.map((_, k) => H + N * (k + 1)));
    expect(landed.map((l) => l.toBps)).toEqual(c.bps);
    expect(landed.map((l) => l.fromBps)).toEqual([c.canaryBps, ...c.bps.slice(0, -1)]);
    landed.forEach((l, k) => {
      const last = k === c.bps.length - 1;
      expect(l.status).toBe(last ? end : Status.RollingOut);
      if (last) {
        expect(l.eventNames, "RolloutAdvanced, then StatusChanged").toEqual(["RolloutAdvanced", "StatusChanged"]);
        expect(l.statusEvents).toEqual([{ name: "f", from: Status.RollingOut, to: end, rolloutBps: c.target, reason: null }]);
      } else {
        expect(l.eventNames).toEqual(["RolloutAdvanced"]);
      }
    });

    // One history entry per step (from = to = RollingOut), the final one RollingOut → end.
    const h = history(fx.client, "f");
    expect(h.slice(0, 2).map((e) => [e.from, e.to])).toEqual([
      [Status.Disabled, Status.Canary],
      [Status.Canary, Status.RollingOut],
    ]);
    expect(h.slice(2)).toEqual(
      c.bps.map((bps, k) => ({
        seq: k + 2,
        block: H + N * (k + 1),
        from: Status.RollingOut,
        to: k === c.bps.length - 1 ? end : Status.RollingOut,
        rolloutBps: bps,
        reason: null,
        actor: null,
      })),
    );

    const f = feature(fx.client, "f");
    expect(f).toMatchObject({ status: end, rolloutBps: c.target, lastStepBlock: H + N * c.bps.length, rollbackReason: null });
  });
});

describe("target < 10000 ends a held Canary: status Canary at target, never Enabled, never everyone", () => {
  it("stays Canary at target for 200 more blocks; accounts at or above the target's bucket stay out", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...BASE, incrementBps: 2000 }, { canaryBps: 1000, target: 5000 });
    drive(fx, "f", H + 3 * N + 1);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.Canary, rolloutBps: 5000 });
    walkTo(fx, H + 3 * N + 200);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.Canary, rolloutBps: 5000 });
    expect(history(fx.client, "f").filter((e) => e.to === Status.Enabled)).toEqual([]);
    const rng = new Prng(7);
    let ins = 0;
    let outs = 0;
    for (let i = 0; i < 200; i++) {
      const a = rng.account();
      const b = fx.client.bucketOf("f", a);
      expect(fx.client.isEnabled("f", a)).toBe(b < 5000);
      if (b < 5000) ins++;
      else outs++;
    }
    expect(ins).toBeGreaterThan(0);
    expect(outs).toBeGreaterThan(0);
    // A held canary is a Canary like any other: a new rollout can take it further.
    ok(fx.client.recordBatch(REPORTER, "f", 1, 0));
    ok(fx.client.startRollout(OPERATOR, "f", 10000));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 5000, targetBps: 10000 });
  });
});

// ------------------------------------------------------------------ data and windows

describe("a due step needs minSamples window samples; the window resets at each step", () => {
  it("a due step with samples < minSamples waits (no advance) and advances in the block the last sample arrives", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { incrementBlocks: N, minSamples: 100, minSuccessCount: 0 });
    ok(fx.client.recordBatch(REPORTER, "f", 99, 0));
    walkTo(fx, H + 16); // due since H+10, waiting
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 500, lastStepBlock: H, windowSuccesses: 99n });
    ok(fx.client.recordSuccess(REPORTER, "f"));
    closeBlock(fx, H + 17);
    expect(feature(fx.client, "f")).toMatchObject({ rolloutBps: 1500, lastStepBlock: H + 16, windowSuccesses: 0n, windowErrors: 0n });
    // The next dwell counts from the advance.
    ok(fx.client.recordBatch(REPORTER, "f", 100, 0));
    walkTo(fx, H + 26);
    expect(feature(fx.client, "f").rolloutBps).toBe(1500);
    closeBlock(fx, H + 27);
    expect(feature(fx.client, "f")).toMatchObject({ rolloutBps: 2500, lastStepBlock: H + 26 });
  });

  it("errors count toward minSamples as samples", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { incrementBlocks: N, minSamples: 100, minSuccessCount: 0, maxErrorRateBps: 1000 });
    ok(fx.client.recordBatch(REPORTER, "f", 90, 10));
    walkTo(fx, H + 11);
    expect(feature(fx.client, "f").rolloutBps).toBe(1500);
  });

  it("the window resets at each step: the previous step's errors do not count against the next", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { incrementBlocks: N, minSamples: 100, minSuccessCount: 0, maxErrorRateBps: 100 });
    ok(fx.client.recordBatch(REPORTER, "f", 990, 10)); // exactly 1 %: healthy
    walkTo(fx, H + 11);
    expect(feature(fx.client, "f")).toMatchObject({ rolloutBps: 1500, windowSuccesses: 0n, windowErrors: 0n });
    // Tighten to 0.5 %: 10 errors in 1100 samples would fire if the old counts were kept.
    ok(fx.client.patchPolicy(OPERATOR, "f", { maxErrorRateBps: 50 }));
    ok(fx.client.recordBatch(REPORTER, "f", 100, 0));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, windowSuccesses: 100n, windowErrors: 0n });
  });

  it("invariant failures and latencies of one window do not carry into the next", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { incrementBlocks: N, minSamples: 1, minSuccessCount: 0, maxInvariantFailures: 1, maxAvgLatency: 100 });
    ok(fx.client.recordSuccess(REPORTER, "f"));
    ok(fx.client.recordInvariant(REPORTER, "f", false)); // 1 failure: at the limit
    ok(fx.client.recordLatency(REPORTER, "f", 0)); // a fast window: sum 0
    walkTo(fx, H + 11);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 1500 });
    ok(fx.client.recordInvariant(REPORTER, "f", false)); // 1 in this window; 2 > 1 if the old one were kept
    expect(feature(fx.client, "f").status).toBe(Status.RollingOut);
    ok(fx.client.recordLatency(REPORTER, "f", 150)); // avg 150 > 100 here; (0 + 150) / 2 = 75 if kept
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: RollbackReason.Performance });
  });
});

// ------------------------------------------------------------------ processRollout and onPersist

describe("processRollout(name): anyone, idempotent; onPersist: every due feature", () => {
  it("by an outsider: nothing before the due height, one advance at it, nothing the second time in the block", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...BASE, incrementBlocks: 100 });
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    fx.goTo(H + 99); // a jump: no onPersist between H and H+99
    const before = { f: feature(fx.client, "f"), h: history(fx.client, "f") };
    const r0 = ok(fx.client.processRollout(OUTSIDER, "f"));
    expect(r0.events).toEqual([]);
    expect(feature(fx.client, "f")).toEqual(before.f);
    expect(history(fx.client, "f")).toEqual(before.h);
    fx.goTo(H + 100);
    const r1 = ok(fx.client.processRollout(OUTSIDER, "f"));
    expect(advances(r1.rawEvents)).toEqual([{ name: "f", fromBps: 500, toBps: 1500 }]);
    const r2 = ok(fx.client.processRollout(OUTSIDER, "f"));
    expect(r2.events).toEqual([]);
    const br = closeBlock(fx, H + 101); // onPersist of the same block: not due any more
    expect(advances(br.events)).toEqual([{ name: "f", fromBps: 500, toBps: 1500 }]); // r1's event only
    expect(feature(fx.client, "f")).toMatchObject({ rolloutBps: 1500, lastStepBlock: H + 100 });
    const h = history(fx.client, "f");
    expect(h).toHaveLength(before.h.length + 1);
    expect(h[h.length - 1]).toEqual({ seq: before.h.length, block: H + 100, from: Status.RollingOut, to: Status.RollingOut, rolloutBps: 1500, reason: null, actor: hex(OUTSIDER) });
  });

  it("does nothing for a feature that is not RollingOut, and answers FeatureNotFound for an unknown one", () => {
    const fx = chainAt(10);
    canary(fx, "c", BASE);
    ok(fx.client.createFeature(OPERATOR, "d", "", BASE));
    ok(fx.client.createFeature(OPERATOR, "e", "", BASE));
    ok(fx.client.enable(OPERATOR, "e"));
    fx.goTo(1000);
    for (const n of ["c", "d", "e"]) {
      const f = feature(fx.client, n);
      expect(ok(fx.client.processRollout(OUTSIDER, n)).events).toEqual([]);
      expect(feature(fx.client, n)).toEqual(f);
    }
    expect(fx.client.processRollout(OUTSIDER, "nope").codeName).toBe("FeatureNotFound");
  });

  it("before init: NotInitialized (onPersist is ok and does nothing)", () => {
    const fx = emptyChain();
    expect(fx.client.processRollout(OUTSIDER, "f").codeName).toBe("NotInitialized");
    const br = closeBlock(fx, 2);
    expect(br.onPersist.ok).toBe(true);
    expect(br.events).toEqual([]);
  });

  it("onPersist advances every due feature in the same block, and only those", () => {
    const fx = chainAt(10);
    const H = height(fx);
    for (const n of ["a", "b", "c"]) rollingOut(fx, n, BASE);
    rollingOut(fx, "later", { ...BASE, incrementBlocks: 20 });
    canary(fx, "canary", BASE);
    for (const n of ["a", "b", "c", "later"]) ok(fx.client.recordBatch(REPORTER, n, 10, 0));
    walkTo(fx, H + 2);
    rollingOut(fx, "x", { ...BASE, incrementBlocks: 8 }); // started at H+2, due at H+10 too
    ok(fx.client.recordBatch(REPORTER, "x", 10, 0));
    walkTo(fx, H + 10);
    const br = closeBlock(fx, H + 11);
    expect(advances(br.events).map((a) => a.name).sort()).toEqual(["a", "b", "c", "x"]);
    for (const n of ["a", "b", "c", "x"]) expect(feature(fx.client, n)).toMatchObject({ rolloutBps: 1500, lastStepBlock: H + 10 });
    expect(feature(fx.client, "later").rolloutBps).toBe(500);
    expect(feature(fx.client, "canary")).toMatchObject({ status: Status.Canary, rolloutBps: 500 });
    walkTo(fx, H + 20);
    expect(advances(closeBlock(fx, H + 21).events).map((a) => a.name)).toEqual(["later"]);
  });

  it("a feature waiting for samples stays due and does not hold back the others", () => {
    const fx = chainAt(10);
    const H = height(fx);
    rollingOut(fx, "a", BASE); // never gets data
    rollingOut(fx, "b", BASE);
    ok(fx.client.recordBatch(REPORTER, "b", 10, 0));
    walkTo(fx, H + 11);
    expect(feature(fx.client, "a").rolloutBps).toBe(500);
    expect(feature(fx.client, "b").rolloutBps).toBe(1500);
    ok(fx.client.recordBatch(REPORTER, "a", 10, 0));
    closeBlock(fx, H + 12);
    expect(feature(fx.client, "a")).toMatchObject({ rolloutBps: 1500, lastStepBlock: H + 11 });
  });
});

// ------------------------------------------------------------------ pauses

describe("pauses stop steps; paused blocks count neither toward dwell nor toward the deadline", () => {
  type PauseKind = "feature" | "global";
  const pauseOn = (fx: Fixture, kind: PauseKind) => ok(kind === "feature" ? fx.client.pause(GUARDIAN, "f") : fx.client.setGlobal(GUARDIAN, true, false));
  const pauseOff = (fx: Fixture, kind: PauseKind) => ok(kind === "feature" ? fx.client.resume(OPERATOR, "f") : fx.client.setGlobal(GUARDIAN, false, false));

  for (const kind of ["feature", "global"] as const) {
    describe(`${kind} pause`, () => {
      it("incrementBlocks 10, paused 5 blocks mid-dwell (13..17): the step lands at 25, not 20 (onPersist)", () => {
        const fx = chainAt(10);
        rollingOut(fx, "f", BASE);
        ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
        walkTo(fx, 13);
        pauseOn(fx, kind);
        walkTo(fx, 18);
        pauseOff(fx, kind);
        walkTo(fx, 25); // onPersist ran for every block through 24
        expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 500 });
        closeBlock(fx, 26);
        expect(feature(fx.client, "f")).toMatchObject({ rolloutBps: 1500, lastStepBlock: 25 });
      });

      it("the same by processRollout: nothing at 24, the step at 25", () => {
        const fx = chainAt(10);
        rollingOut(fx, "f", BASE);
        ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
        fx.goTo(13);
        pauseOn(fx, kind);
        fx.goTo(18);
        pauseOff(fx, kind);
        fx.goTo(24);
        expect(ok(fx.client.processRollout(OUTSIDER, "f")).events).toEqual([]);
        fx.goTo(25);
        expect(advances(ok(fx.client.processRollout(OUTSIDER, "f")).rawEvents)).toEqual([{ name: "f", fromBps: 500, toBps: 1500 }]);
      });

      it("no step while paused, even long past the due height; the rest of the dwell after resuming", () => {
        const fx = chainAt(10);
        rollingOut(fx, "f", BASE);
        ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
        walkTo(fx, 13); // 3 blocks of dwell done
        pauseOn(fx, kind);
        walkTo(fx, 40);
        expect(ok(fx.client.processRollout(OUTSIDER, "f")).events).toEqual([]);
        expect(feature(fx.client, "f").rolloutBps).toBe(500);
        pauseOff(fx, kind);
        expectStepAt(fx, "f", 47); // 7 more unpaused blocks: due at 47
      });

      it("a pause while a due step waits for samples delays the deadline by the paused blocks", () => {
        const fx = chainAt(10);
        rollingOut(fx, "f", { ...BASE, minSamples: 100, progressDeadlineBlocks: 15 }); // deadline 25 unpaused
        walkTo(fx, 22);
        pauseOn(fx, kind);
        walkTo(fx, 27);
        pauseOff(fx, kind);
        walkTo(fx, 30);
        expect(feature(fx.client, "f").status).toBe(Status.RollingOut);
        closeBlock(fx, 31);
        expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: RollbackReason.Deadline });
        expect(history(fx.client, "f").at(-1)).toMatchObject({ block: 30, actor: null });
      });

      it("reports still count while paused", () => {
        const fx = chainAt(10);
        rollingOut(fx, "f", BASE);
        pauseOn(fx, kind);
        ok(fx.client.recordBatch(REPORTER, "f", 7, 0));
        expect(feature(fx.client, "f").windowSuccesses).toBe(7n);
      });
    });
  }

  it("own pause 12..15 overlapping global pause 14..19: the union (12..19) does not count → step at 28", () => {
    const fx = chainAt(10);
    rollingOut(fx, "f", BASE);
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    walkTo(fx, 12);
    ok(fx.client.pause(GUARDIAN, "f"));
    walkTo(fx, 14);
    ok(fx.client.setGlobal(GUARDIAN, true, false));
    walkTo(fx, 16);
    ok(fx.client.resume(GUARDIAN, "f"));
    walkTo(fx, 20);
    ok(fx.client.setGlobal(GUARDIAN, false, false));
    expectStepAt(fx, "f", 28);
  });

  it("a global pause over a due height: no step in it; the step comes after the missing blocks", () => {
    const fx = chainAt(10);
    rollingOut(fx, "f", BASE);
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    walkTo(fx, 19);
    ok(fx.client.setGlobal(GUARDIAN, true, false)); // 9 blocks done
    walkTo(fx, 25);
    expect(feature(fx.client, "f").rolloutBps).toBe(500);
    ok(fx.client.setGlobal(GUARDIAN, false, false));
    expectStepAt(fx, "f", 26); // blocks 19..24 paused: 9 served before, the 10th is block 25
  });

  it("a paused Canary becomes a paused RollingOut: no dwell counts until resumed (DESIGN.md)", () => {
    const fx = chainAt(10);
    canary(fx, "f", BASE);
    ok(fx.client.pause(OPERATOR, "f"));
    ok(fx.client.startRollout(OPERATOR, "f", 10000));
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, paused: true });
    walkTo(fx, 15);
    ok(fx.client.resume(OPERATOR, "f"));
    expectStepAt(fx, "f", 25);
  });

  it("pause and resume write no history (not status changes) but emit PauseChanged", () => {
    const fx = chainAt(10);
    rollingOut(fx, "f", BASE);
    const n = history(fx.client, "f").length;
    const p = ok(fx.client.pause(GUARDIAN, "f"));
    const r = ok(fx.client.resume(GUARDIAN, "f"));
    expect(typed(p.rawEvents)).toEqual([{ name: "PauseChanged", data: { name: "f", paused: true } }]);
    expect(typed(r.rawEvents)).toEqual([{ name: "PauseChanged", data: { name: "f", paused: false } }]);
    expect(history(fx.client, "f")).toHaveLength(n);
  });
});

// ------------------------------------------------------------------ updatePolicy

describe("updatePolicy changing incrementBlocks moves the next due step", () => {
  it("shorter: started at 10 with 100, set to 10 at 15 → due at 20", () => {
    const fx = chainAt(10);
    rollingOut(fx, "f", { ...BASE, incrementBlocks: 100 });
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    walkTo(fx, 15);
    ok(fx.client.patchPolicy(OPERATOR, "f", { incrementBlocks: 10 }));
    expectStepAt(fx, "f", 20);
  });

  it("longer: started at 10 with 10, set to 20 at 15 → not at 20, due at 30", () => {
    const fx = chainAt(10);
    rollingOut(fx, "f", BASE);
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    walkTo(fx, 15);
    ok(fx.client.patchPolicy(OPERATOR, "f", { incrementBlocks: 20 }));
    expectStepAt(fx, "f", 30);
  });

  it("shorter than the dwell already served: due at once (in the update's block)", () => {
    const fx = chainAt(10);
    rollingOut(fx, "f", { ...BASE, incrementBlocks: 100 });
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    walkTo(fx, 50);
    ok(fx.client.patchPolicy(OPERATOR, "f", { incrementBlocks: 10 }));
    closeBlock(fx, 51);
    expect(feature(fx.client, "f")).toMatchObject({ rolloutBps: 1500, lastStepBlock: 50 });
  });

  it("changed while paused: the new dwell applies after resuming", () => {
    const fx = chainAt(10);
    rollingOut(fx, "f", { ...BASE, incrementBlocks: 100 });
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    walkTo(fx, 14); // 4 blocks served
    ok(fx.client.pause(GUARDIAN, "f"));
    ok(fx.client.patchPolicy(OPERATOR, "f", { incrementBlocks: 10 }));
    walkTo(fx, 30);
    expect(feature(fx.client, "f").rolloutBps).toBe(500);
    ok(fx.client.resume(GUARDIAN, "f"));
    expectStepAt(fx, "f", 36); // 6 more
  });
});

describe("leaving RollingOut takes the feature off the step schedule; policy changes apply to the next due step", () => {
  it.each([
    ["enable", (fx: Fixture) => fx.client.enable(OPERATOR, "f"), Status.Enabled, 10000],
    ["disable", (fx: Fixture) => fx.client.disable(OPERATOR, "f"), Status.Disabled, 0],
    ["rollback", (fx: Fixture) => fx.client.rollback(GUARDIAN, "f"), Status.RolledBack, 0],
    ["reportIncident", (fx: Fixture) => fx.client.reportIncident(REPORTER, "f", "CircuitBreaker"), Status.RolledBack, 0],
  ] as const)("%s mid-dwell: no step ever lands afterwards", (_, leave, status, bps) => {
    const fx = chainAt(10);
    rollingOut(fx, "f", BASE);
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    walkTo(fx, 13);
    ok(leave(fx));
    const h = history(fx.client, "f");
    walkTo(fx, 60);
    expect(ok(fx.client.processRollout(OUTSIDER, "f")).events).toEqual([]);
    expect(feature(fx.client, "f")).toMatchObject({ status, rolloutBps: bps });
    expect(history(fx.client, "f")).toEqual(h);
  });

  it("a new rollout after a rollback is due incrementBlocks after its own start", () => {
    const fx = chainAt(10);
    rollingOut(fx, "f", BASE);
    walkTo(fx, 15);
    ok(fx.client.rollback(GUARDIAN, "f"));
    walkTo(fx, 30);
    ok(fx.client.startCanary(OPERATOR, "f", 500));
    ok(fx.client.startRollout(OPERATOR, "f", 10000));
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    expectStepAt(fx, "f", 40);
  });

  it("a held Canary taken further by a new startRollout steps on from the held bps", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...BASE, incrementBps: 2000 }, { canaryBps: 1000, target: 3000 });
    drive(fx, "f", H + N + 1);
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.Canary, rolloutBps: 3000 });
    ok(fx.client.startRollout(OPERATOR, "f", 10000));
    const H2 = height(fx);
    const landed = drive(fx, "f", H2 + 4 * N + 1);
    expect(landed.map((l) => [l.height, l.toBps])).toEqual([
      [H2 + N, 5000],
      [H2 + 2 * N, 7000],
      [H2 + 3 * N, 9000],
      [H2 + 4 * N, 10000],
    ]);
    expect(feature(fx.client, "f").status).toBe(Status.Enabled);
  });

  it("lowering minSamples while a due step waits lets the next onPersist advance", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...BASE, minSamples: 100 });
    ok(fx.client.recordBatch(REPORTER, "f", 50, 0));
    walkTo(fx, H + 20);
    expect(feature(fx.client, "f").rolloutBps).toBe(500);
    ok(fx.client.patchPolicy(OPERATOR, "f", { minSamples: 50 }));
    closeBlock(fx, H + 21);
    expect(feature(fx.client, "f")).toMatchObject({ rolloutBps: 1500, lastStepBlock: H + 20 });
  });

  it("a new explicit schedule mid-rollout gives the next step", () => {
    const fx = chainAt(10);
    const H = rollingOut(fx, "f", { ...BASE, steps: [1000, 2000] });
    const first = drive(fx, "f", H + N + 1);
    expect(first.map((l) => l.toBps)).toEqual([1000]);
    ok(fx.client.patchPolicy(OPERATOR, "f", { steps: [4000, 8000] }));
    const next = drive(fx, "f", H + 4 * N + 1);
    expect(next.map((l) => l.toBps)).toEqual([4000, 8000, 10000]);
  });

  it("heights near 2^32: a dwell of 4·10^9 blocks lands exactly, and the next one saturates instead of wrapping", () => {
    const fx = chainAt(10);
    const D = 4_000_000_000;
    const H = rollingOut(fx, "f", { ...BASE, incrementBlocks: D });
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    fx.goTo(H + D - 1);
    expect(ok(fx.client.processRollout(OUTSIDER, "f")).events).toEqual([]);
    fx.goTo(H + D);
    expect(advances(ok(fx.client.processRollout(OUTSIDER, "f")).rawEvents)).toEqual([{ name: "f", fromBps: 500, toBps: 1500 }]);
    ok(fx.client.recordBatch(REPORTER, "f", 10, 0));
    for (const h of [H + D + 1, H + D + 1000, U32_MAX - 1, U32_MAX]) {
      fx.goTo(h);
      expect(ok(fx.client.processRollout(OUTSIDER, "f")).events).toEqual([]);
    }
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 1500, lastStepBlock: H + D });
  });
});

describe("startRollout resets the window", () => {
  it("Canary counters (150 successes, 1 error) are gone once RollingOut", () => {
    const fx = chainAt(10);
    canary(fx, "f", {});
    ok(fx.client.recordBatch(REPORTER, "f", 150, 1));
    ok(fx.client.startRollout(OPERATOR, "f", 10000));
    expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, windowSuccesses: 0n, windowErrors: 0n, lastStepBlock: 10 });
  });
});

// ------------------------------------------------------------------ global halt

describe("global halted: isEnabled false for Canary/RollingOut features, not for Enabled ones", () => {
  it("halt hides Canary (even at 10000 bps, even ForceOn) and RollingOut; Enabled stays on; clearing it restores", () => {
    const fx = chainAt(10);
    canary(fx, "c", BASE, 10000);
    rollingOut(fx, "r", BASE, { canaryBps: 9999, target: 10000 });
    ok(fx.client.createFeature(OPERATOR, "e", "", BASE));
    ok(fx.client.enable(OPERATOR, "e"));
    const forced = new Prng(3).account();
    ok(fx.client.setOverride(OPERATOR, "c", forced, "ForceOn"));
    const rng = new Prng(11);
    const accounts = Array.from({ length: 50 }, () => rng.account());
    const r = fx.client.isEnabledMany("r", accounts);
    expect(fx.client.isEnabledMany("c", accounts).every(Boolean)).toBe(true);
    expect(r.some(Boolean)).toBe(true);

    const g = ok(fx.client.setGlobal(GUARDIAN, false, true));
    expect(typed(g.rawEvents)).toEqual([{ name: "GlobalChanged", data: { paused: false, halted: true } }]);
    expect(fx.client.getGlobal()).toEqual({ paused: false, halted: true });
    expect(fx.client.isEnabledMany("c", accounts).some(Boolean)).toBe(false);
    expect(fx.client.isEnabledMany("r", accounts).some(Boolean)).toBe(false);
    expect(fx.client.isEnabled("c", forced)).toBe(false);
    expect(fx.client.isEnabledMany("e", accounts).every(Boolean)).toBe(true);

    ok(fx.client.setGlobal(GUARDIAN, false, false));
    expect(fx.client.isEnabledMany("c", accounts).every(Boolean)).toBe(true);
    expect(fx.client.isEnabledMany("r", accounts)).toEqual(r);
    expect(fx.client.isEnabled("c", forced)).toBe(true);
  });
});

// ------------------------------------------------------------------ history

describe("history is append-only: one entry per change, consecutive seq, pages by fromSeq and limit", () => {
  it("five status changes in one block are five entries with consecutive seq and full fields", () => {
    const fx = chainAt(10);
    const c = fx.client;
    ok(c.createFeature(OPERATOR, "f", "", BASE));
    ok(c.startCanary(OPERATOR, "f", 300));
    ok(c.rollback(GUARDIAN, "f", "Manual"));
    ok(c.startCanary(OPERATOR, "f", 700));
    ok(c.enable(OPERATOR, "f"));
    ok(c.disable(ADMIN, "f"));
    expect(history(c, "f")).toEqual([
      { seq: 0, block: 10, from: Status.Disabled, to: Status.Canary, rolloutBps: 300, reason: null, actor: hex(OPERATOR) },
      { seq: 1, block: 10, from: Status.Canary, to: Status.RolledBack, rolloutBps: 0, reason: RollbackReason.Manual, actor: hex(GUARDIAN) },
      { seq: 2, block: 10, from: Status.RolledBack, to: Status.Canary, rolloutBps: 700, reason: null, actor: hex(OPERATOR) },
      { seq: 3, block: 10, from: Status.Canary, to: Status.Enabled, rolloutBps: 10000, reason: null, actor: hex(OPERATOR) },
      { seq: 4, block: 10, from: Status.Enabled, to: Status.Disabled, rolloutBps: 0, reason: null, actor: hex(ADMIN) },
    ]);
  });

  it("earlier entries never change as more are appended; getHistory pages by fromSeq and limit", () => {
    const fx = chainAt(10);
    const c = fx.client;
    ok(c.createFeature(OPERATOR, "f", "", BASE));
    for (let i = 0; i < 6; i++) {
      ok(c.startCanary(OPERATOR, "f", 100 + i));
      ok(c.rollback(GUARDIAN, "f"));
      fx.goTo(11 + i);
    }
    const all = history(c, "f");
    expect(all.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (let i = 0; i < 3; i++) {
      ok(c.startCanary(OPERATOR, "f", 200 + i));
      ok(c.rollback(GUARDIAN, "f"));
    }
    const more = history(c, "f");
    expect(more.slice(0, all.length)).toEqual(all);
    expect(more).toHaveLength(18);

    expect(c.getHistory("f", { fromSeq: 0, limit: 1 })).toEqual([more[0]]);
    expect(c.getHistory("f", { fromSeq: 1, limit: 3 })).toEqual(more.slice(1, 4));
    expect(c.getHistory("f", { fromSeq: 15, limit: 100 })).toEqual(more.slice(15));
    expect(c.getHistory("f", { fromSeq: 17, limit: 5 })).toEqual([more[17]]);
    expect(c.getHistory("f", { fromSeq: 18, limit: 5 })).toEqual([]);
    expect(c.getHistory("f", { fromSeq: U32_MAX, limit: 100 })).toEqual([]);
    // Paging by limit 4 gives the whole history once.
    const paged = [];
    for (let from = 0; ; ) {
      const page = c.getHistory("f", { fromSeq: from, limit: 4 });
      paged.push(...page);
      if (page.length < 4) break;
      from = page[page.length - 1]!.seq + 1;
    }
    expect(paged).toEqual(more);
  });

  it("limit outside 1..100 → LimitExceeded; an unknown feature → FeatureNotFound", () => {
    const fx = chainAt(10);
    ok(fx.client.createFeature(OPERATOR, "f", "", BASE));
    expect(fx.client.tryView("getHistory", { name: "f", fromSeq: 0, limit: 0 }).codeName).toBe("LimitExceeded");
    expect(fx.client.tryView("getHistory", { name: "f", fromSeq: 0, limit: 101 }).codeName).toBe("LimitExceeded");
    expect(fx.client.tryView("getHistory", { name: "f", fromSeq: 0, limit: 100 }).ok).toBe(true);
    expect(fx.client.tryView("getHistory", { name: "nope", fromSeq: 0, limit: 10 }).codeName).toBe("FeatureNotFound");
  });

  it("the histories of 'a' and 'ab' stay apart", () => {
    const fx = chainAt(10);
    canary(fx, "a", BASE);
    canary(fx, "ab", BASE, 900);
    ok(fx.client.rollback(GUARDIAN, "ab"));
    expect(history(fx.client, "a").map((e) => e.rolloutBps)).toEqual([500]);
    expect(history(fx.client, "ab").map((e) => e.rolloutBps)).toEqual([900, 0]);
  });
});

// ------------------------------------------------------------------ listFeatures

describe("listFeatures: ascending bytewise by name, after startAfter, limit 1..100, activeOnly = Canary and RollingOut", () => {
  const NAMES = ["m", "b", "a_", "ab", "a", "a.b", "a-", "a0", "z9", "0", "a.", "aa"];
  const sorted = [...NAMES].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

  function setup(): Fixture {
    const fx = chainAt(10);
    for (const n of NAMES) ok(fx.client.createFeature(OPERATOR, n, `feature ${n}`, BASE));
    return fx;
  }

  it("all of them, in bytewise order ('-' < '.' < digits < '_' < letters)", () => {
    const fx = setup();
    expect(sorted).toEqual(["0", "a", "a-", "a.", "a.b", "a0", "a_", "aa", "ab", "b", "m", "z9"]);
    expect(fx.client.listFeatures({ limit: 100 }).map((f) => f.name)).toEqual(sorted);
  });

  it("pages: startAfter is exclusive and need not exist; pages of 5 give the list once", () => {
    const fx = setup();
    const names = (p: { startAfter?: string; limit?: number; activeOnly?: boolean }) => fx.client.listFeatures(p).map((f) => f.name);
    expect(names({ startAfter: "a", limit: 3 })).toEqual(["a-", "a.", "a.b"]);
    expect(names({ startAfter: "a.a", limit: 2 })).toEqual(["a.b", "a0"]);
    expect(names({ startAfter: "ac", limit: 100 })).toEqual(["b", "m", "z9"]);
    expect(names({ startAfter: "z9", limit: 100 })).toEqual([]);
    expect(names({ startAfter: "", limit: 1 })).toEqual(["0"]);
    const paged: string[] = [];
    let after = "";
    for (;;) {
      const page = names({ startAfter: after, limit: 5 });
      paged.push(...page);
      if (page.length < 5) break;
      after = page[page.length - 1]!;
    }
    expect(paged).toEqual(sorted);
    // The views carry the feature, not just its name.
    expect(fx.client.listFeatures({ startAfter: "l", limit: 1 })[0]).toEqual(feature(fx.client, "m"));
  });

  it("limit outside 1..100 → LimitExceeded", () => {
    const fx = setup();
    expect(fx.client.tryView("listFeatures", { startAfter: "", limit: 0, activeOnly: false }).codeName).toBe("LimitExceeded");
    expect(fx.client.tryView("listFeatures", { startAfter: "", limit: 101, activeOnly: true }).codeName).toBe("LimitExceeded");
  });

  it("activeOnly: only Canary and RollingOut, in order, paged; membership follows status changes", () => {
    const fx = setup();
    const c = fx.client;
    ok(c.startCanary(OPERATOR, "m", 100)); // Canary
    ok(c.startCanary(OPERATOR, "a.", 100));
    ok(c.startRollout(OPERATOR, "a.", 5000)); // RollingOut
    ok(c.startCanary(OPERATOR, "0", 100));
    ok(c.rollback(GUARDIAN, "0")); // RolledBack
    ok(c.enable(OPERATOR, "ab")); // Enabled
    ok(c.startCanary(OPERATOR, "z9", 100));
    ok(c.pause(GUARDIAN, "z9")); // paused Canary: still active
    const active = (p: { startAfter?: string; limit?: number } = {}) => c.listFeatures({ ...p, activeOnly: true }).map((f) => f.name);
    expect(active()).toEqual(["a.", "m", "z9"]);
    expect(active({ limit: 1 })).toEqual(["a."]);
    expect(active({ startAfter: "a.", limit: 1 })).toEqual(["m"]);
    expect(active({ startAfter: "m", limit: 5 })).toEqual(["z9"]);
    expect(active({ startAfter: "z9" })).toEqual([]);
    ok(c.rollback(GUARDIAN, "m"));
    ok(c.startCanary(OPERATOR, "0", 200));
    ok(c.disable(OPERATOR, "z9"));
    expect(active()).toEqual(["0", "a."]);
    expect(c.listAllFeatures(false).map((f) => f.name)).toEqual(sorted);
  });
});
