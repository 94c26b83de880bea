// SPEC section 5, the lifecycle table: every call from every starting status. Allowed calls
// have exactly the table's effect (view fields, one history entry, the events); every
// "otherwise" returns its named code and changes nothing. Starting statuses are reached by
// driving the real contract (chainAt).

import { describe, expect, it } from "vitest";
import type { ErrorCodeName, FeatureView, HistoryEntry, TypedEvent } from "../../src/client/index.ts";
import { Analysis } from "../../src/client/index.ts";
import {
  ADMIN,
  BUILT_ROLLBACK_REASON,
  CALL_HEIGHT,
  CANARY_BPS,
  F,
  GUARDIAN,
  H_CANARY,
  H_NEXT,
  OPERATOR,
  OUTSIDER,
  REPORTER,
  ROLLOUT_TARGET,
  START_STATUSES,
  STATUS_OF,
  TEST_POLICY,
  account,
  chainAt,
  endBlock,
  expectRejected,
  feature,
  hexOf,
  history,
  must,
  send,
  type Fixture,
  type Sent,
  type Start,
} from "./_lifecycle_helpers.ts";
import { SPEC_DEFAULT_POLICY } from "../helpers/spec.ts";

const S = { Disabled: 0, Canary: 1, RollingOut: 2, Enabled: 3, RolledBack: 4 } as const;
const R = { Manual: 0, ErrorRate: 1, InvariantViolation: 2, CircuitBreaker: 3, ConsensusFailure: 4, Performance: 5, Deadline: 6 };

/** The view fields every call here must leave alone. */
const IDENTITY = ["name", "description", "createdBy", "policy"] as const;

interface Effect {
  /** Fields with the value they must have after the call. */
  set: Partial<FeatureView>;
  /** Fields that must equal their value before the call. */
  keep: (keyof FeatureView)[];
  /** The one new history entry (without seq and block, which are checked separately), or null for none. */
  entry: Omit<HistoryEntry, "seq" | "block"> | null;
  events: TypedEvent[];
  /** isEnabled for an account with no override (when the call decides it regardless of bucket). */
  exposedToAll?: boolean;
}

interface Call {
  title: string;
  run: (fx: Fixture) => Sent;
  /** Starting statuses the table allows, each with its effect (given the view before). */
  allowed: Partial<Record<Start, (before: FeatureView) => Effect>>;
  /** Every other starting status: its named code. */
  otherwise: Partial<Record<Start, ErrorCodeName>>;
}

const statusChanged = (from: number, to: number, rolloutBps: number, reason: number | null): TypedEvent => ({
  name: "StatusChanged",
  data: { name: F, from, to, rolloutBps, reason },
});

const pauseChanged = (paused: boolean): TypedEvent => ({ name: "PauseChanged", data: { name: F, paused } });

const NEW_CANARY_BPS = 700;
const NEW_TARGET = 6000;

const startCanaryEffect = (before: FeatureView): Effect => ({
  set: {
    status: S.Canary,
    rolloutBps: NEW_CANARY_BPS,
    targetBps: 0,
    windowSuccesses: 0n,
    windowErrors: 0n,
    startBlock: CALL_HEIGHT,
    lastStepBlock: CALL_HEIGHT,
    rollbackReason: null,
    paused: before.paused, // DESIGN: a paused Canary stays paused
  },
  keep: [...IDENTITY],
  entry: { from: before.status, to: S.Canary, rolloutBps: NEW_CANARY_BPS, reason: null, actor: hexOf(OPERATOR) },
  events: [statusChanged(before.status, S.Canary, NEW_CANARY_BPS, null)],
});

const startRolloutEffect = (before: FeatureView): Effect => ({
  set: {
    status: S.RollingOut,
    targetBps: NEW_TARGET,
    windowSuccesses: 0n,
    windowErrors: 0n,
    lastStepBlock: CALL_HEIGHT,
    paused: before.paused, // DESIGN: a paused Canary becomes a paused RollingOut
  },
  keep: [...IDENTITY, "rolloutBps", "startBlock", "rollbackReason"],
  entry: { from: S.Canary, to: S.RollingOut, rolloutBps: before.rolloutBps, reason: null, actor: hexOf(OPERATOR) },
  events: [statusChanged(S.Canary, S.RollingOut, before.rolloutBps, null)],
});

const enableEffect = (before: FeatureView): Effect => ({
  set: { status: S.Enabled, rolloutBps: 10000, paused: false, rollbackReason: null },
  keep: [...IDENTITY, "startBlock", "lastStepBlock"],
  entry: { from: before.status, to: S.Enabled, rolloutBps: 10000, reason: null, actor: hexOf(OPERATOR) },
  events: [statusChanged(before.status, S.Enabled, 10000, null)],
  exposedToAll: true,
});

const disableEffect = (before: FeatureView): Effect => ({
  set: { status: S.Disabled, rolloutBps: 0, paused: false },
  // DESIGN: disable keeps rollbackReason (only startCanary and enable clear it).
  keep: [...IDENTITY, "startBlock", "lastStepBlock", "rollbackReason"],
  entry: { from: before.status, to: S.Disabled, rolloutBps: 0, reason: null, actor: hexOf(OPERATOR) },
  events: [statusChanged(before.status, S.Disabled, 0, null)],
  exposedToAll: false,
});

const rollbackEffect = (reason: number, actor: Uint8Array) => (before: FeatureView): Effect => ({
  set: { status: S.RolledBack, rolloutBps: 0, paused: false, rollbackReason: reason },
  // DESIGN: the window is kept on rollback so the reason can be inspected.
  keep: [...IDENTITY, "startBlock", "lastStepBlock", "windowSuccesses", "windowErrors"],
  entry: { from: before.status, to: S.RolledBack, rolloutBps: 0, reason, actor: hexOf(actor) },
  events: [statusChanged(before.status, S.RolledBack, 0, reason)],
  exposedToAll: false,
});

const pauseEffect = (paused: boolean) => (): Effect => ({
  set: { paused },
  keep: [
    ...IDENTITY, "status", "rolloutBps", "targetBps", "startBlock", "lastStepBlock",
    "windowSuccesses", "windowErrors", "rollbackReason",
  ],
  entry: null, // DESIGN: pause/resume are not status changes
  events: [pauseChanged(paused)],
});

const ALL_BUT = (effect: (b: FeatureView) => Effect, ...not: Start[]) =>
  Object.fromEntries(START_STATUSES.filter((s) => !not.includes(s)).map((s) => [s, effect])) as Partial<
    Record<Start, (b: FeatureView) => Effect>
  >;

const CALLS: Call[] = [
  {
    title: `startCanary(${NEW_CANARY_BPS})`,
    run: (fx) => send(fx, "startCanary", { name: F, bps: NEW_CANARY_BPS }, OPERATOR),
    allowed: { Disabled: startCanaryEffect, RolledBack: startCanaryEffect, Canary: startCanaryEffect, CanaryPaused: startCanaryEffect },
    otherwise: { RollingOut: "RolloutInProgress", RollingOutPaused: "RolloutInProgress", Enabled: "InvalidTransition" },
  },
  {
    title: `startRollout(${NEW_TARGET})`,
    run: (fx) => send(fx, "startRollout", { name: F, targetBps: NEW_TARGET }, OPERATOR),
    allowed: { Canary: startRolloutEffect, CanaryPaused: startRolloutEffect },
    otherwise: {
      RollingOut: "RolloutInProgress",
      RollingOutPaused: "RolloutInProgress",
      Disabled: "InvalidTransition",
      Enabled: "InvalidTransition",
      RolledBack: "InvalidTransition",
    },
  },
  {
    title: "enable",
    run: (fx) => send(fx, "enable", { name: F }, OPERATOR),
    allowed: ALL_BUT(enableEffect, "Enabled"),
    otherwise: { Enabled: "InvalidTransition" },
  },
  {
    title: "disable",
    run: (fx) => send(fx, "disable", { name: F }, OPERATOR),
    allowed: ALL_BUT(disableEffect, "Disabled"),
    otherwise: { Disabled: "InvalidTransition" },
  },
  {
    title: "rollback(InvariantViolation)",
    run: (fx) => send(fx, "rollback", { name: F, reason: R.InvariantViolation }, GUARDIAN),
    allowed: ALL_BUT(rollbackEffect(R.InvariantViolation, GUARDIAN), "Disabled", "RolledBack"),
    otherwise: { Disabled: "InvalidTransition", RolledBack: "InvalidTransition" },
  },
  {
    title: "pause",
    run: (fx) => send(fx, "pause", { name: F }, GUARDIAN),
    allowed: { Canary: pauseEffect(true), RollingOut: pauseEffect(true) },
    otherwise: {
      Disabled: "InvalidTransition",
      CanaryPaused: "InvalidTransition",
      RollingOutPaused: "InvalidTransition",
      Enabled: "InvalidTransition",
      RolledBack: "InvalidTransition",
    },
  },
  {
    title: "resume",
    run: (fx) => send(fx, "resume", { name: F }, OPERATOR),
    allowed: { CanaryPaused: pauseEffect(false), RollingOutPaused: pauseEffect(false) },
    otherwise: {
      Disabled: "InvalidTransition",
      Canary: "InvalidTransition",
      RollingOut: "InvalidTransition",
      Enabled: "InvalidTransition",
      RolledBack: "InvalidTransition",
    },
  },
  {
    title: "reportIncident(CircuitBreaker)",
    run: (fx) => send(fx, "reportIncident", { name: F, reason: R.CircuitBreaker }, REPORTER),
    allowed: ALL_BUT(rollbackEffect(R.CircuitBreaker, REPORTER), "Disabled", "RolledBack"),
    otherwise: { Disabled: "FeatureDisabled", RolledBack: "FeatureDisabled" },
  },
  {
    title: "reportIncident(ConsensusFailure) by a Guardian",
    run: (fx) => send(fx, "reportIncident", { name: F, reason: R.ConsensusFailure }, GUARDIAN),
    allowed: ALL_BUT(rollbackEffect(R.ConsensusFailure, GUARDIAN), "Disabled", "RolledBack"),
    otherwise: { Disabled: "FeatureDisabled", RolledBack: "FeatureDisabled" },
  },
];

describe("SPEC 5 lifecycle table: every call × every starting status", () => {
  it("the table is complete: every call names every starting status exactly once", () => {
    for (const c of CALLS) {
      const named = [...Object.keys(c.allowed), ...Object.keys(c.otherwise)].sort();
      expect(named, c.title).toEqual([...START_STATUSES].sort());
    }
  });

  for (const c of CALLS) {
    describe(c.title, () => {
      for (const start of START_STATUSES) {
        const effect = c.allowed[start];
        if (effect) {
          it(`from ${start}: allowed, with the table's effect, one history entry and its events`, () => {
            const fx = chainAt(start);
            const before = feature(fx);
            const hBefore = history(fx);
            const r = c.run(fx);
            expect(r.codeName).toBe("Ok");
            const want = effect(before);
            const after = feature(fx);
            for (const [k, v] of Object.entries(want.set)) expect(after[k as keyof FeatureView], k).toEqual(v);
            for (const k of want.keep) expect(after[k], k).toEqual(before[k]);
            const h = history(fx);
            if (want.entry === null) {
              expect(h).toEqual(hBefore);
            } else {
              expect(h.slice(0, hBefore.length)).toEqual(hBefore); // append-only
              expect(h.length).toBe(hBefore.length + 1);
              expect(h[h.length - 1]).toEqual({ seq: hBefore.length, block: CALL_HEIGHT, ...want.entry });
            }
            expect(r.events).toEqual(want.events);
            if (want.exposedToAll !== undefined) {
              expect(fx.client.isEnabled(F, OUTSIDER)).toBe(want.exposedToAll);
              expect(fx.client.isEnabled(F, account(0x01))).toBe(want.exposedToAll);
            }
          });
        } else {
          const code = c.otherwise[start]!;
          it(`from ${start}: ${code}, nothing changes`, () => {
            const fx = chainAt(start);
            expectRejected(fx, code, () => c.run(fx));
          });
        }
      }
    });
  }
});

describe("SPEC 5 createFeature", () => {
  it("creates a Disabled feature at 0 bps with no rollout, no reason, its creator, and a FeatureCreated event", () => {
    const fx = chainAt("Disabled");
    const r = send(fx, "createFeature", { name: "other", description: "desc", policy: TEST_POLICY }, OPERATOR);
    expect(r.codeName).toBe("Ok");
    expect(r.events).toEqual([{ name: "FeatureCreated", data: { name: "other", createdBy: hexOf(OPERATOR) } }]);
    const v = feature(fx, "other");
    expect(v).toMatchObject({
      name: "other",
      description: "desc",
      status: S.Disabled,
      rolloutBps: 0,
      targetBps: 0,
      paused: false,
      windowSuccesses: 0n,
      windowErrors: 0n,
      rollbackReason: null,
      createdBy: hexOf(OPERATOR),
    });
    expect(v.policy).toMatchObject({ incrementBlocks: 1000, minSamples: 2, minSuccessCount: 2n, incrementBps: 1000 });
    expect(fx.client.isEnabled("other", OUTSIDER)).toBe(false);
    // Creation is not a status change: no history entry.
    expect(history(fx, "other")).toEqual([]);
  });

  it("without a policy (None) the feature gets SPEC section 2's defaults", () => {
    const fx = chainAt("Disabled");
    must(fx.client.createFeature(OPERATOR, "dflt", ""));
    expect(feature(fx, "dflt").policy).toEqual(SPEC_DEFAULT_POLICY);
  });

  for (const start of START_STATUSES) {
    it(`the same name again, the feature being ${start}: FeatureAlreadyExists, nothing changes`, () => {
      const fx = chainAt(start);
      expectRejected(fx, "FeatureAlreadyExists", () =>
        send(fx, "createFeature", { name: F, description: "again", policy: null }, OPERATOR),
      );
    });
  }
});

describe("SPEC 5 startCanary(bps): bps must be 1..10000", () => {
  for (const start of ["Disabled", "RolledBack", "Canary", "CanaryPaused"] as const) {
    for (const bps of [0, 10001, 65535]) {
      it(`from ${start}, bps ${bps}: InvalidPercent, nothing changes`, () => {
        const fx = chainAt(start);
        expectRejected(fx, "InvalidPercent", () => send(fx, "startCanary", { name: F, bps }, OPERATOR));
      });
    }
    for (const bps of [1, 10000]) {
      it(`from ${start}, bps ${bps}: accepted, Canary at ${bps}`, () => {
        const fx = chainAt(start);
        must(fx.client.startCanary(OPERATOR, F, bps));
        expect(feature(fx)).toMatchObject({ status: S.Canary, rolloutBps: bps });
      });
    }
  }

  it("the status is checked before bps (DESIGN): RollingOut with bps 0 → RolloutInProgress, Enabled with bps 0 → InvalidTransition", () => {
    const a = chainAt("RollingOut");
    expectRejected(a, "RolloutInProgress", () => send(a, "startCanary", { name: F, bps: 0 }, OPERATOR));
    const b = chainAt("Enabled");
    expectRejected(b, "InvalidTransition", () => send(b, "startCanary", { name: F, bps: 10001 }, OPERATOR));
  });

  it("re-canary from Canary: one history entry and a StatusChanged with from = to = Canary, window reset", () => {
    const fx = chainAt("Canary");
    expect(feature(fx).windowSuccesses).toBe(3n);
    const n = history(fx).length;
    const r = send(fx, "startCanary", { name: F, bps: 900 }, OPERATOR);
    expect(r.codeName).toBe("Ok");
    expect(r.events).toEqual([statusChanged(S.Canary, S.Canary, 900, null)]);
    const h = history(fx);
    expect(h.length).toBe(n + 1);
    expect(h[n]).toEqual({ seq: n, block: CALL_HEIGHT, from: S.Canary, to: S.Canary, rolloutBps: 900, reason: null, actor: hexOf(OPERATOR) });
    expect(feature(fx)).toMatchObject({ status: S.Canary, rolloutBps: 900, windowSuccesses: 0n, startBlock: CALL_HEIGHT });
  });

  it("re-canary lowers exposure too: 900 → 100 bps leaves only buckets below 100 exposed", () => {
    const fx = chainAt("Canary");
    must(fx.client.startCanary(OPERATOR, F, 100));
    const accts = Array.from({ length: 200 }, (_, i) => account(i));
    const on = fx.client.isEnabledMany(F, accts);
    accts.forEach((a, i) => expect(on[i]).toBe(fx.client.bucketOf(F, a) < 100));
  });
});

describe("SPEC 5 startRollout(target): rolloutBps < target ≤ 10000, enough window successes", () => {
  for (const target of [0, CANARY_BPS - 1, CANARY_BPS, 10001, 65535]) {
    it(`from Canary at ${CANARY_BPS}, target ${target}: InvalidPercent, nothing changes`, () => {
      const fx = chainAt("Canary");
      expectRejected(fx, "InvalidPercent", () => send(fx, "startRollout", { name: F, targetBps: target }, OPERATOR));
    });
  }
  for (const target of [CANARY_BPS + 1, 10000]) {
    it(`from Canary at ${CANARY_BPS}, target ${target}: accepted`, () => {
      const fx = chainAt("Canary");
      must(fx.client.startRollout(OPERATOR, F, target));
      expect(feature(fx)).toMatchObject({ status: S.RollingOut, targetBps: target, rolloutBps: CANARY_BPS });
    });
  }

  it("window successes < minSuccessCount: InsufficientData, nothing changes; one more success unlocks it", () => {
    const fx = chainAt("Disabled", { ...TEST_POLICY, analysis: Analysis.Threshold, minSuccessCount: 2, maxErrorRateBps: 10000 });
    must(fx.client.startCanary(OPERATOR, F, 500));
    must(fx.client.recordSuccess(REPORTER, F));
    must(fx.client.recordBatch(REPORTER, F, 0, 50)); // errors are not successes
    expect(feature(fx)).toMatchObject({ windowSuccesses: 1n, windowErrors: 50n });
    expectRejected(fx, "InsufficientData", () => send(fx, "startRollout", { name: F, targetBps: 5000 }, OPERATOR));
    must(fx.client.recordSuccess(REPORTER, F));
    expect(send(fx, "startRollout", { name: F, targetBps: 5000 }, OPERATOR).codeName).toBe("Ok");
  });

  it("successes from before a re-canary do not count (the window was reset)", () => {
    const fx = chainAt("Canary"); // 3 window successes, minSuccessCount 2
    must(fx.client.startCanary(OPERATOR, F, 800));
    expectRejected(fx, "InsufficientData", () => send(fx, "startRollout", { name: F, targetBps: 5000 }, OPERATOR));
  });

  it("the order is status, target, successes (DESIGN)", () => {
    const a = chainAt("RollingOut");
    expectRejected(a, "RolloutInProgress", () => send(a, "startRollout", { name: F, targetBps: 0 }, OPERATOR));
    const b = chainAt("Disabled");
    expectRejected(b, "InvalidTransition", () => send(b, "startRollout", { name: F, targetBps: 10001 }, OPERATOR));
    const c = chainAt("Disabled");
    must(c.client.startCanary(OPERATOR, F, 500)); // no successes at all
    expectRejected(c, "InvalidPercent", () => send(c, "startRollout", { name: F, targetBps: 500 }, OPERATOR));
    expectRejected(c, "InsufficientData", () => send(c, "startRollout", { name: F, targetBps: 501 }, OPERATOR));
  });

  it("a rollout after a rollback needs a new canary: RolledBack → startRollout is InvalidTransition", () => {
    const fx = chainAt("RolledBack"); // window kept with 3 successes
    expectRejected(fx, "InvalidTransition", () => send(fx, "startRollout", { name: F, targetBps: 5000 }, OPERATOR));
  });
});

describe("SPEC 5 steps: a held canary and the end of a rollout", () => {
  const STEP = { incrementBlocks: 10, incrementBps: 1000, minSamples: 2, minSuccessCount: 2 };

  /** Canary at 500 at H_CANARY with 2 successes, rollout to `target` at H_NEXT with 2 successes. */
  function rolling(target: number, policy = STEP): Fixture {
    const fx = chainAt("Disabled", policy, H_CANARY);
    must(fx.client.startCanary(OPERATOR, F, 500));
    must(fx.client.recordBatch(REPORTER, F, 2, 0));
    fx.goTo(H_NEXT);
    must(fx.client.startRollout(OPERATOR, F, target));
    must(fx.client.recordBatch(REPORTER, F, 2, 0));
    return fx;
  }

  it("a rollout to a target below 10000 ends as a held Canary at target: one history entry, RolloutAdvanced then StatusChanged", () => {
    const fx = rolling(1500);
    const n = history(fx).length;
    fx.goTo(H_NEXT + 10);
    const b = endBlock(fx, H_NEXT + 11);
    expect(b.onPersist.code).toBe(0);
    expect(b.events.map((e) => e.name)).toEqual(["RolloutAdvanced", "StatusChanged"]);
    const v = feature(fx);
    expect(v).toMatchObject({ status: S.Canary, rolloutBps: 1500, lastStepBlock: H_NEXT + 10, windowSuccesses: 0n });
    const h = history(fx);
    expect(h.length).toBe(n + 1);
    expect(h[n]).toEqual({ seq: n, block: H_NEXT + 10, from: S.RollingOut, to: S.Canary, rolloutBps: 1500, reason: null, actor: null });
    // Held: never Enabled, never everyone, however long it waits with healthy reports.
    for (let k = 2; k < 8; k++) {
      must(fx.client.recordBatch(REPORTER, F, 10, 0));
      fx.goTo(H_NEXT + 10 * k);
    }
    expect(feature(fx)).toMatchObject({ status: S.Canary, rolloutBps: 1500 });
    const accts = Array.from({ length: 300 }, (_, i) => account(i));
    const on = fx.client.isEnabledMany(F, accts);
    expect(on.some((x) => !x)).toBe(true);
    accts.forEach((a, i) => expect(on[i]).toBe(fx.client.bucketOf(F, a) < 1500));
  });

  it("a held canary can roll out again (it is a Canary)", () => {
    const fx = rolling(1500);
    fx.goTo(H_NEXT + 10);
    fx.goTo(H_NEXT + 11);
    must(fx.client.recordBatch(REPORTER, F, 2, 0));
    must(fx.client.startRollout(OPERATOR, F, 10000));
    expect(feature(fx)).toMatchObject({ status: S.RollingOut, rolloutBps: 1500, targetBps: 10000 });
  });

  it("an ordinary step is one entry with from = to = RollingOut and RolloutAdvanced only; reaching 10000 is Enabled", () => {
    const fx = rolling(10000, { ...STEP, steps: [2000] } as typeof STEP);
    const n = history(fx).length;
    fx.goTo(H_NEXT + 10);
    const b1 = endBlock(fx, H_NEXT + 11);
    expect(b1.events).toHaveLength(1);
    expect(b1.events[0]!.name).toBe("RolloutAdvanced");
    expect(feature(fx)).toMatchObject({ status: S.RollingOut, rolloutBps: 2000 });
    must(fx.client.recordBatch(REPORTER, F, 2, 0));
    fx.goTo(H_NEXT + 20);
    const b2 = endBlock(fx, H_NEXT + 21);
    expect(b2.events.map((e) => e.name)).toEqual(["RolloutAdvanced", "StatusChanged"]);
    expect(feature(fx)).toMatchObject({ status: S.Enabled, rolloutBps: 10000 });
    const h = history(fx);
    expect(h.slice(n)).toEqual([
      { seq: n, block: H_NEXT + 10, from: S.RollingOut, to: S.RollingOut, rolloutBps: 2000, reason: null, actor: null },
      { seq: n + 1, block: H_NEXT + 20, from: S.RollingOut, to: S.Enabled, rolloutBps: 10000, reason: null, actor: null },
    ]);
  });

  it("startCanary on a held canary starts over: targetBps back to 0 (DESIGN)", () => {
    const fx = rolling(1500);
    fx.goTo(H_NEXT + 10);
    fx.goTo(H_NEXT + 11);
    expect(feature(fx).targetBps).toBe(1500);
    must(fx.client.startCanary(OPERATOR, F, 200));
    expect(feature(fx)).toMatchObject({ status: S.Canary, rolloutBps: 200, targetBps: 0 });
  });
});

describe("SPEC 5 rollbackReason: set by a rollback, cleared only by the next startCanary or enable", () => {
  it("disable keeps it; the startCanary after clears it", () => {
    const fx = chainAt("RolledBack");
    expect(feature(fx).rollbackReason).toBe(BUILT_ROLLBACK_REASON);
    must(fx.client.disable(OPERATOR, F));
    expect(feature(fx)).toMatchObject({ status: S.Disabled, rollbackReason: BUILT_ROLLBACK_REASON });
    must(fx.client.startCanary(OPERATOR, F, 100));
    expect(feature(fx).rollbackReason).toBeNull();
  });

  it("startCanary straight from RolledBack clears it", () => {
    const fx = chainAt("RolledBack");
    must(fx.client.startCanary(OPERATOR, F, 100));
    expect(feature(fx).rollbackReason).toBeNull();
  });

  it("enable clears it (from RolledBack, and from Disabled after a rollback)", () => {
    const a = chainAt("RolledBack");
    must(a.client.enable(OPERATOR, F));
    expect(feature(a).rollbackReason).toBeNull();
    const b = chainAt("RolledBack");
    must(b.client.disable(OPERATOR, F));
    must(b.client.enable(OPERATOR, F));
    expect(feature(b).rollbackReason).toBeNull();
  });

  it("failed calls, reports refused as FeatureDisabled, and disable never clear it", () => {
    const fx = chainAt("RolledBack");
    expect(send(fx, "rollback", { name: F, reason: 0 }, GUARDIAN).codeName).toBe("InvalidTransition");
    expect(send(fx, "recordSuccess", { name: F }, REPORTER).codeName).toBe("FeatureDisabled");
    expect(send(fx, "pause", { name: F }, GUARDIAN).codeName).toBe("InvalidTransition");
    must(fx.client.disable(OPERATOR, F));
    fx.goTo(CALL_HEIGHT + 1);
    expect(feature(fx).rollbackReason).toBe(BUILT_ROLLBACK_REASON);
  });

  it("a later rollback replaces it with the new reason; a rollback from Enabled sets it", () => {
    const fx = chainAt("RolledBack");
    must(fx.client.startCanary(OPERATOR, F, 100));
    must(fx.client.rollback(OPERATOR, F, R.Deadline));
    expect(feature(fx).rollbackReason).toBe(R.Deadline);
    const e = chainAt("Enabled");
    must(e.client.rollback(ADMIN, F, R.Manual));
    expect(feature(e)).toMatchObject({ status: S.RolledBack, rollbackReason: R.Manual });
  });
});

describe("SPEC 5 pause: steps stop, health rules stay armed", () => {
  it("a paused RollingOut does not step when due; resumed, it steps after the remaining dwell", () => {
    const fx = chainAt("Disabled", { incrementBlocks: 10, minSamples: 2, minSuccessCount: 2 }, H_CANARY);
    must(fx.client.startCanary(OPERATOR, F, 500));
    must(fx.client.recordBatch(REPORTER, F, 2, 0));
    fx.goTo(H_NEXT);
    must(fx.client.startRollout(OPERATOR, F, 10000));
    must(fx.client.recordBatch(REPORTER, F, 2, 0));
    fx.goTo(H_NEXT + 4);
    must(fx.client.pause(GUARDIAN, F));
    fx.goTo(H_NEXT + 50);
    fx.goTo(H_NEXT + 51);
    expect(feature(fx)).toMatchObject({ status: S.RollingOut, rolloutBps: 500, paused: true });
    must(fx.client.resume(OPERATOR, F)); // at H_NEXT+51: 4 blocks of dwell banked, 6 to go
    fx.goTo(H_NEXT + 56);
    fx.goTo(H_NEXT + 57); // onPersist at +56: 4 + 5 < 10
    expect(feature(fx).rolloutBps).toBe(500);
    fx.goTo(H_NEXT + 58); // onPersist at +57: 4 + 6 = 10, due
    expect(feature(fx)).toMatchObject({ status: S.RollingOut, rolloutBps: 1500, paused: false, lastStepBlock: H_NEXT + 57 });
  });

  it("a paused Canary still rolls back on a bad report", () => {
    const fx = chainAt("CanaryPaused");
    const r = send(fx, "recordBatch", { name: F, successes: 0, errors: 5 }, REPORTER);
    expect(r.codeName).toBe("Ok");
    expect(feature(fx)).toMatchObject({ status: S.RolledBack, rollbackReason: R.ErrorRate, paused: false });
    expect(r.events).toEqual([statusChanged(S.Canary, S.RolledBack, 0, R.ErrorRate)]);
  });

  it("pause by an Operator and resume by a Guardian work too (either role)", () => {
    const fx = chainAt("RollingOut");
    expect(send(fx, "pause", { name: F }, OPERATOR).events).toEqual([pauseChanged(true)]);
    expect(send(fx, "resume", { name: F }, GUARDIAN).events).toEqual([pauseChanged(false)]);
    expect(feature(fx).paused).toBe(false);
  });
});

describe("SPEC 5 history is append-only across a whole lifecycle, two changes in one block included", () => {
  it("every status change in one block gets its own entry, in order", () => {
    const fx = chainAt("Disabled");
    must(fx.client.startCanary(OPERATOR, F, 100));
    must(fx.client.recordBatch(REPORTER, F, 2, 0));
    must(fx.client.startRollout(OPERATOR, F, 5000));
    must(fx.client.rollback(GUARDIAN, F, R.Manual));
    must(fx.client.startCanary(OPERATOR, F, 200));
    must(fx.client.enable(OPERATOR, F));
    must(fx.client.disable(OPERATOR, F));
    const h = history(fx);
    expect(h.map((e) => [e.seq, e.block, e.from, e.to, e.rolloutBps, e.reason])).toEqual([
      [0, CALL_HEIGHT, S.Disabled, S.Canary, 100, null],
      [1, CALL_HEIGHT, S.Canary, S.RollingOut, 100, null],
      [2, CALL_HEIGHT, S.RollingOut, S.RolledBack, 0, R.Manual],
      [3, CALL_HEIGHT, S.RolledBack, S.Canary, 200, null],
      [4, CALL_HEIGHT, S.Canary, S.Enabled, 10000, null],
      [5, CALL_HEIGHT, S.Enabled, S.Disabled, 0, null],
    ]);
    expect(h.map((e) => e.actor)).toEqual([
      hexOf(OPERATOR), hexOf(OPERATOR), hexOf(GUARDIAN), hexOf(OPERATOR), hexOf(OPERATOR), hexOf(OPERATOR),
    ]);
  });

  it("the builders' own history: Canary then RollingOut recorded at their heights", () => {
    const fx = chainAt("RollingOut");
    expect(history(fx)).toEqual([
      { seq: 0, block: H_CANARY, from: S.Disabled, to: S.Canary, rolloutBps: CANARY_BPS, reason: null, actor: hexOf(OPERATOR) },
      { seq: 1, block: H_NEXT, from: S.Canary, to: S.RollingOut, rolloutBps: CANARY_BPS, reason: null, actor: hexOf(OPERATOR) },
    ]);
    expect(feature(fx)).toMatchObject({ targetBps: ROLLOUT_TARGET, startBlock: H_CANARY, lastStepBlock: H_NEXT });
  });
});

describe("every starting status is what its builder says", () => {
  for (const s of START_STATUSES) {
    it(`${s}: status ${STATUS_OF[s]}, paused ${s.endsWith("Paused")}`, () => {
      const v = feature(chainAt(s));
      expect(v.status).toBe(STATUS_OF[s]);
      expect(v.paused).toBe(s.endsWith("Paused"));
    });
  }
});
