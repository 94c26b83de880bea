// One regression test per seed defect of SPEC section 10, each showing that this contract does
// not have it. Randomness comes from a seeded PRNG; where a test contrasts the contract with the
// seed, the seed's rule is modelled in a few lines of TypeScript from seed/canary_deployment.go.

import { describe, expect, it } from "vitest";
import { Analysis, CanaryClient, RollbackReason, Status, type PolicyInput, type TxResult } from "../../src/client/index.ts";
import { Chain } from "../../src/host/index.ts";
import { ADMIN, GUARDIAN, OPERATOR, OUTSIDER, REPORTER, account, releaseWasm, type Fixture } from "../helpers/contract.ts";
import { Prng } from "../helpers/prng.ts";
import {
  canary,
  chainAt,
  closeBlock,
  fails,
  feature,
  height,
  hex,
  history,
  ok,
  rollingOut,
  statusChanges,
  walkTo,
} from "./_health_helpers.ts";

const CHUNK = 1024;

/** The share of `accounts` for which isEnabled is true, asked in chunks of 1024. */
function exposedShare(fx: Fixture, name: string, accounts: Uint8Array[]): { share: number; flags: boolean[] } {
  const flags: boolean[] = [];
  for (let i = 0; i < accounts.length; i += CHUNK) flags.push(...fx.client.isEnabledMany(name, accounts.slice(i, i + CHUNK)));
  return { share: flags.filter(Boolean).length / accounts.length, flags };
}

function randomAccounts(seed: number, n: number): Uint8Array[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => rng.account());
}

/** Everything the views tell about a feature, to show that a failed call changed nothing. */
function snapshot(c: CanaryClient, name: string) {
  return { feature: c.getFeature(name), metrics: c.getMetrics(name), history: c.getAllHistory(name), global: c.getGlobal() };
}

const N = 100_000;
let accountsCache: Uint8Array[] | null = null;
const accounts = () => (accountsCache ??= randomAccounts(2026, N));

describe("seed defects (SPEC section 10) are absent", () => {
  // ---------------------------------------------------------------- 1
  describe("defect 1: bucketing is uniform, not user[0] % 100", () => {
    it.each([100, 500, 2500, 5000, 9000])("at %i bps, the exposed share of 10^5 random accounts is within 4·√(p(1−p)/N)", (bps) => {
      const fx = chainAt(10);
      canary(fx, "vita_recovery_v2", {}, bps);
      const p = bps / 10000;
      const { share } = exposedShare(fx, "vita_recovery_v2", accounts());
      expect(Math.abs(share - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / N));
    });

    it("the seed's rule on the same accounts would expose 58.6 % at 50 % and 5.9 % at 5 % (contrast)", () => {
      const seedShare = (pct: number) => accounts().filter((a) => a[0]! % 100 < pct).length / N;
      expect(seedShare(50)).toBeGreaterThan(0.57);
      expect(seedShare(5)).toBeGreaterThan(0.055);
      // …while the contract's buckets are not a function of the first byte: accounts that share
      // a first byte spread over the whole range.
      const fx = chainAt(10);
      canary(fx, "f", {}, 5000);
      const rng = new Prng(9);
      const buckets = Array.from({ length: 200 }, () => {
        const a = rng.account();
        a[0] = 0x00;
        return fx.client.bucketOf("f", a);
      });
      expect(Math.min(...buckets)).toBeLessThan(500);
      expect(Math.max(...buckets)).toBeGreaterThan(9500);
    });
  });

  // ---------------------------------------------------------------- 2
  describe("defect 2: two features with different salts expose independent cohorts", () => {
    it("at 50 %: P(in B | in A) is within 1 point of P(in B) over 10^5 accounts", () => {
      const fx = chainAt(10);
      canary(fx, "cohort_a", {}, 5000);
      canary(fx, "cohort_b", {}, 5000);
      const a = exposedShare(fx, "cohort_a", accounts()).flags;
      const b = exposedShare(fx, "cohort_b", accounts()).flags;
      const inA = a.filter(Boolean).length;
      const inAandB = a.filter((x, i) => x && b[i]).length;
      const pB = b.filter(Boolean).length / N;
      expect(Math.abs(inAandB / inA - pB)).toBeLessThanOrEqual(0.01);
      // The seed: P(in B | in A) = 100 %, every feature the same cohort.
      expect(inAandB / inA).toBeLessThan(0.6);
    });

    it("explicit different salts are independent too; the same salt gives the same cohort", () => {
      const fx = chainAt(10);
      canary(fx, "one", { salt: "salt-one" }, 5000);
      canary(fx, "two", { salt: "salt-two" }, 5000);
      canary(fx, "three", { salt: "salt-one" }, 5000);
      const some = accounts().slice(0, 20 * CHUNK);
      const one = exposedShare(fx, "one", some).flags;
      const two = exposedShare(fx, "two", some).flags;
      const three = exposedShare(fx, "three", some).flags;
      const inOne = one.filter(Boolean).length;
      const both = one.filter((x, i) => x && two[i]).length;
      expect(Math.abs(both / inOne - two.filter(Boolean).length / some.length)).toBeLessThanOrEqual(0.02);
      expect(three).toEqual(one);
    });
  });

  // ---------------------------------------------------------------- 3
  describe("defect 3: a rollout to a target below 100 % ends a held Canary, not Enabled", () => {
    it("target 5000: Canary at 5000 after the last step, and about half the accounts see it, not everyone", () => {
      const fx = chainAt(10);
      const H = rollingOut(fx, "f", { incrementBlocks: 10, incrementBps: 3000, minSamples: 1, minSuccessCount: 0 }, { canaryBps: 1000, target: 5000 });
      for (let h = H; h < H + 40; h++) {
        ok(fx.client.recordSuccess(REPORTER, "f"));
        walkTo(fx, h + 1);
      }
      const f = feature(fx.client, "f");
      expect(f).toMatchObject({ status: Status.Canary, rolloutBps: 5000 });
      expect(history(fx.client, "f").at(-1)).toMatchObject({ from: Status.RollingOut, to: Status.Canary, rolloutBps: 5000, actor: null });
      expect(history(fx.client, "f").some((e) => e.to === Status.Enabled)).toBe(false);
      const { share } = exposedShare(fx, "f", accounts().slice(0, 10 * CHUNK));
      expect(share).toBeGreaterThan(0.45);
      expect(share).toBeLessThan(0.55);
    });
  });

  // ---------------------------------------------------------------- 4
  describe("defect 4: target and bps are validated (InvalidPercent), and nothing wraps", () => {
    it("startRollout to 10001 or 65535 → InvalidPercent; startCanary to 0, 10001 or 65535 → InvalidPercent; nothing changes", () => {
      const fx = chainAt(10);
      canary(fx, "f", { minSuccessCount: 0 }, 9000);
      const before = snapshot(fx.client, "f");
      fails(fx.client.startRollout(OPERATOR, "f", 10001), "InvalidPercent");
      fails(fx.client.startRollout(OPERATOR, "f", 65535), "InvalidPercent");
      fails(fx.client.startRollout(OPERATOR, "f", 9000), "InvalidPercent"); // not above the current bps
      fails(fx.client.startRollout(OPERATOR, "f", 100), "InvalidPercent");
      fails(fx.client.startCanary(OPERATOR, "f", 10001), "InvalidPercent");
      fails(fx.client.startCanary(OPERATOR, "f", 65535), "InvalidPercent");
      fails(fx.client.startCanary(OPERATOR, "f", 0), "InvalidPercent");
      expect(snapshot(fx.client, "f")).toEqual(before);
      ok(fx.client.startRollout(OPERATOR, "f", 10000));
    });

    it("increments over 10000 are InvalidPolicy, as are explicit steps over 10000", () => {
      const fx = chainAt(10);
      fails(fx.client.createFeature(OPERATOR, "f", "", { incrementBps: 10001 }), "InvalidPolicy");
      fails(fx.client.createFeature(OPERATOR, "f", "", { incrementBps: 65535 }), "InvalidPolicy");
      fails(fx.client.createFeature(OPERATOR, "f", "", { steps: [5000, 10001] }), "InvalidPolicy");
    });

    it("rolloutBps 9999 + incrementBps 1000 → 10000 (capped, Enabled), never past 10000 or wrapped", () => {
      const fx = chainAt(10);
      const H = rollingOut(fx, "f", { incrementBlocks: 10, minSamples: 0, minSuccessCount: 0 }, { canaryBps: 9999, target: 10000 });
      walkTo(fx, H + 11);
      expect(feature(fx.client, "f")).toMatchObject({ status: Status.Enabled, rolloutBps: 10000 });
    });

    it("rolloutBps 9000 + incrementBps 10000 toward 9500 → 9500 (a held Canary)", () => {
      const fx = chainAt(10);
      const H = rollingOut(fx, "f", { incrementBlocks: 10, incrementBps: 10000, minSamples: 0, minSuccessCount: 0 }, { canaryBps: 9000, target: 9500 });
      walkTo(fx, H + 11);
      expect(feature(fx.client, "f")).toMatchObject({ status: Status.Canary, rolloutBps: 9500 });
    });
  });

  // ---------------------------------------------------------------- 5
  describe("defect 5: startRollout only from Canary; counters do not survive a rollback", () => {
    it("from Disabled, RolledBack and Enabled → InvalidTransition; from RollingOut → RolloutInProgress", () => {
      const fx = chainAt(10);
      const c = fx.client;
      ok(c.createFeature(OPERATOR, "f", "", { minSuccessCount: 0 }));
      fails(c.startRollout(OPERATOR, "f", 5000), "InvalidTransition"); // Disabled
      ok(c.startCanary(OPERATOR, "f", 100));
      ok(c.rollback(GUARDIAN, "f"));
      fails(c.startRollout(OPERATOR, "f", 5000), "InvalidTransition"); // RolledBack
      ok(c.enable(OPERATOR, "f"));
      fails(c.startRollout(OPERATOR, "f", 5000), "InvalidTransition"); // Enabled
      ok(c.disable(OPERATOR, "f"));
      fails(c.startRollout(OPERATOR, "f", 5000), "InvalidTransition"); // Disabled again
      ok(c.startCanary(OPERATOR, "f", 100));
      ok(c.startRollout(OPERATOR, "f", 5000));
      fails(c.startRollout(OPERATOR, "f", 6000), "RolloutInProgress");
      expect(history(c, "f").map((e) => e.to)).toEqual([Status.Canary, Status.RolledBack, Status.Enabled, Status.Disabled, Status.Canary, Status.RollingOut]);
    });

    it("a rollback's counters are gone at the next startCanary: startRollout needs fresh successes", () => {
      const fx = chainAt(10);
      const c = fx.client;
      canary(fx, "f", {}, 500); // minSuccessCount 100
      ok(c.recordBatch(REPORTER, "f", 150, 1));
      ok(c.rollback(GUARDIAN, "f"));
      ok(c.startCanary(OPERATOR, "f", 500));
      expect(feature(c, "f")).toMatchObject({ status: Status.Canary, windowSuccesses: 0n, windowErrors: 0n });
      fails(c.startRollout(OPERATOR, "f", 5000), "InsufficientData");
      ok(c.recordBatch(REPORTER, "f", 99, 0));
      fails(c.startRollout(OPERATOR, "f", 5000), "InsufficientData");
      ok(c.recordSuccess(REPORTER, "f"));
      ok(c.startRollout(OPERATOR, "f", 5000));
      // Lifetime metrics, unlike the window, keep everything.
      expect(c.getMetrics("f")).toMatchObject({ successfulOps: 250n, failedOps: 1n });
    });

    it("startCanary from Canary also resets the window", () => {
      const fx = chainAt(10);
      canary(fx, "f", {}, 500);
      ok(fx.client.recordBatch(REPORTER, "f", 150, 0));
      ok(fx.client.startCanary(OPERATOR, "f", 800));
      expect(feature(fx.client, "f")).toMatchObject({ rolloutBps: 800, windowSuccesses: 0n });
      fails(fx.client.startRollout(OPERATOR, "f", 5000), "InsufficientData");
    });
  });

  // ---------------------------------------------------------------- 6
  describe("defect 6: reports on Disabled or RolledBack features fail with FeatureDisabled and write nothing", () => {
    const setups: [string, (fx: Fixture) => void][] = [
      ["Disabled (new)", (fx) => ok(fx.client.createFeature(OPERATOR, "f", "", { minSamples: 0, maxErrorRateBps: 0 }))],
      [
        "Disabled (after Enabled)",
        (fx) => {
          ok(fx.client.createFeature(OPERATOR, "f", "", { minSamples: 0, maxErrorRateBps: 0 }));
          ok(fx.client.enable(OPERATOR, "f"));
          ok(fx.client.disable(OPERATOR, "f"));
        },
      ],
      [
        "RolledBack (by an error)",
        (fx) => {
          canary(fx, "f", { minSamples: 0, maxErrorRateBps: 0 });
          ok(fx.client.recordError(REPORTER, "f"));
          expect(feature(fx.client, "f").status).toBe(Status.RolledBack);
        },
      ],
    ];
    const reports: [string, (c: CanaryClient) => TxResult][] = [
      ["recordError", (c) => c.recordError(REPORTER, "f")],
      ["recordSuccess", (c) => c.recordSuccess(REPORTER, "f")],
      ["recordBatch", (c) => c.recordBatch(REPORTER, "f", 5, 5)],
      ["recordLatency", (c) => c.recordLatency(REPORTER, "f", 10)],
      ["recordInvariant", (c) => c.recordInvariant(REPORTER, "f", false)],
      ["reportIncident", (c) => c.reportIncident(REPORTER, "f", "CircuitBreaker")],
    ];
    for (const [state, setup] of setups) {
      it(`${state}: every report → FeatureDisabled; no history, no counts, no events`, () => {
        const fx = chainAt(10);
        setup(fx);
        const before = snapshot(fx.client, "f");
        for (let i = 0; i < 3; i++) {
          for (const [, report] of reports) fails(report(fx.client), "FeatureDisabled");
          fx.goTo(11 + i); // "at every error": a new block each round
        }
        expect(snapshot(fx.client, "f")).toEqual(before);
      });
    }
  });

  // ---------------------------------------------------------------- 7
  describe("defect 7: two status changes in one block are two history entries, every field kept", () => {
    it("startCanary and an automatic rollback in block 10", () => {
      const fx = chainAt(10);
      ok(fx.client.createFeature(OPERATOR, "f", "", { analysis: Analysis.Threshold, minSamples: 1 }));
      ok(fx.client.startCanary(OPERATOR, "f", 700));
      ok(fx.client.recordError(REPORTER, "f"));
      expect(history(fx.client, "f")).toEqual([
        { seq: 0, block: 10, from: Status.Disabled, to: Status.Canary, rolloutBps: 700, reason: null, actor: hex(OPERATOR) },
        { seq: 1, block: 10, from: Status.Canary, to: Status.RolledBack, rolloutBps: 0, reason: RollbackReason.ErrorRate, actor: hex(REPORTER) },
      ]);
    });

    it("a step and a rollback in one block, then a re-canary in it too", () => {
      const fx = chainAt(10);
      const H = rollingOut(fx, "f", { incrementBlocks: 5, minSamples: 1, minSuccessCount: 0 });
      ok(fx.client.recordSuccess(REPORTER, "f"));
      fx.goTo(H + 5);
      ok(fx.client.processRollout(OPERATOR, "f"));
      ok(fx.client.reportIncident(GUARDIAN, "f", "ConsensusFailure"));
      ok(fx.client.startCanary(OPERATOR, "f", 300));
      expect(history(fx.client, "f").slice(2)).toEqual([
        { seq: 2, block: H + 5, from: Status.RollingOut, to: Status.RollingOut, rolloutBps: 1500, reason: null, actor: hex(OPERATOR) },
        { seq: 3, block: H + 5, from: Status.RollingOut, to: Status.RolledBack, rolloutBps: 0, reason: RollbackReason.ConsensusFailure, actor: hex(GUARDIAN) },
        { seq: 4, block: H + 5, from: Status.RolledBack, to: Status.Canary, rolloutBps: 300, reason: null, actor: hex(OPERATOR) },
      ]);
    });
  });

  // ---------------------------------------------------------------- 8
  describe("defect 8: invariant and latency metrics are kept; InvariantViolation and Performance fire automatically", () => {
    it("invariantFailures, invariantChecks, averageLatency and peakLatency are persisted", () => {
      const fx = chainAt(10);
      canary(fx, "f", { maxInvariantFailures: 2, maxPeakLatency: 1000 });
      ok(fx.client.recordInvariant(REPORTER, "f", true));
      ok(fx.client.recordInvariant(REPORTER, "f", false));
      ok(fx.client.recordInvariant(REPORTER, "f", false));
      ok(fx.client.recordLatency(REPORTER, "f", 10));
      ok(fx.client.recordLatency(REPORTER, "f", 21));
      fx.goTo(11);
      const fresh = new CanaryClient(new Chain(releaseWasm(), fx.chain.store), { height: 11 });
      expect(fresh.getMetrics("f")).toEqual({
        totalOperations: 0n,
        successfulOps: 0n,
        failedOps: 0n,
        averageLatency: 15n,
        peakLatency: 21n,
        invariantChecks: 3n,
        invariantFailures: 2n,
      });
      // The third failure (> 2) fires by itself.
      const r = ok(fx.client.recordInvariant(REPORTER, "f", false));
      expect(statusChanges(r.rawEvents)).toEqual([{ name: "f", from: Status.Canary, to: Status.RolledBack, rolloutBps: 0, reason: RollbackReason.InvariantViolation }]);
      expect(fx.client.getMetrics("f")).toMatchObject({ invariantChecks: 4n, invariantFailures: 3n });
    });

    it.each([
      ["maxPeakLatency", { maxPeakLatency: 1000 }, [999, 1000, 1001]],
      ["maxAvgLatency", { maxAvgLatency: 100 }, [100, 90, 111]],
    ] as [string, PolicyInput, number[]][])("%s → Performance, automatically, in Canary and RollingOut", (_, policy, values) => {
      for (const rolling of [false, true]) {
        const fx = chainAt(10);
        if (rolling) rollingOut(fx, "f", { ...policy, minSuccessCount: 0 });
        else canary(fx, "f", policy);
        const results = values.map((v) => ok(fx.client.recordLatency(REPORTER, "f", v)));
        expect(results.slice(0, -1).every((r) => r.events.length === 0)).toBe(true);
        expect(feature(fx.client, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: RollbackReason.Performance });
      }
    });
  });

  // ---------------------------------------------------------------- 9
  describe("defect 9: no step without data, and steps happen without anyone calling processRollout", () => {
    it("default minSamples 100: a due rollout with no data does not advance in 200 blocks", () => {
      const fx = chainAt(10);
      const H = rollingOut(fx, "f", { incrementBlocks: 10 });
      const n = history(fx.client, "f").length;
      walkTo(fx, H + 200);
      ok(fx.client.processRollout(OUTSIDER, "f"));
      expect(feature(fx.client, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 500, lastStepBlock: H });
      expect(history(fx.client, "f")).toHaveLength(n);
    });

    it("onPersist alone advances every due feature (no processRollout call at all)", () => {
      const fx = chainAt(10);
      const H = height(fx);
      for (const n of ["vita_recovery_v2", "cross_chain_proofs", "commit_reveal_invest"]) {
        rollingOut(fx, n, { incrementBlocks: 10 });
        ok(fx.client.recordBatch(REPORTER, n, 100, 0));
      }
      walkTo(fx, H + 10);
      const br = closeBlock(fx, H + 11);
      expect(br.txs).toEqual([]);
      for (const n of ["vita_recovery_v2", "cross_chain_proofs", "commit_reveal_invest"]) {
        expect(feature(fx.client, n)).toMatchObject({ rolloutBps: 1500, lastStepBlock: H + 10 });
      }
    });
  });

  // ---------------------------------------------------------------- 10
  describe("defect 10: only Reporters report, only the named roles change status (Unauthorized, nothing changes)", () => {
    type Call = (c: CanaryClient, s: Parameters<CanaryClient["recordSuccess"]>[0]) => TxResult;
    const ROLES = { ADMIN, OPERATOR, GUARDIAN, REPORTER, OUTSIDER } as const;
    type Who = keyof typeof ROLES;
    const TABLE: { method: string; allowed: Who[]; call: Call; paused?: boolean }[] = [
      { method: "recordSuccess", allowed: ["REPORTER"], call: (c, s) => c.recordSuccess(s, "f") },
      { method: "recordError", allowed: ["REPORTER"], call: (c, s) => c.recordError(s, "f") },
      { method: "recordBatch", allowed: ["REPORTER"], call: (c, s) => c.recordBatch(s, "f", 1, 1) },
      { method: "recordLatency", allowed: ["REPORTER"], call: (c, s) => c.recordLatency(s, "f", 5) },
      { method: "recordInvariant", allowed: ["REPORTER"], call: (c, s) => c.recordInvariant(s, "f", true) },
      { method: "reportIncident", allowed: ["REPORTER", "GUARDIAN"], call: (c, s) => c.reportIncident(s, "f", "CircuitBreaker") },
      { method: "createFeature", allowed: ["OPERATOR"], call: (c, s) => c.createFeature(s, "g", "") },
      { method: "updatePolicy", allowed: ["OPERATOR"], call: (c, s) => c.updatePolicy(s, "f", { minSuccessCount: 0, maxErrorRateBps: 300 }) },
      { method: "startCanary", allowed: ["OPERATOR"], call: (c, s) => c.startCanary(s, "f", 900) },
      { method: "startRollout", allowed: ["OPERATOR"], call: (c, s) => c.startRollout(s, "f", 9000) },
      { method: "enable", allowed: ["OPERATOR"], call: (c, s) => c.enable(s, "f") },
      { method: "disable", allowed: ["OPERATOR"], call: (c, s) => c.disable(s, "f") },
      { method: "setOverride", allowed: ["OPERATOR"], call: (c, s) => c.setOverride(s, "f", account(0x42), "ForceOn") },
      { method: "pause", allowed: ["OPERATOR", "GUARDIAN"], call: (c, s) => c.pause(s, "f") },
      { method: "resume", allowed: ["OPERATOR", "GUARDIAN"], call: (c, s) => c.resume(s, "f"), paused: true },
      { method: "rollback", allowed: ["OPERATOR", "GUARDIAN"], call: (c, s) => c.rollback(s, "f", "Manual") },
      { method: "setGlobal", allowed: ["GUARDIAN"], call: (c, s) => c.setGlobal(s, true, true) },
    ];
    const setup = (paused?: boolean) => {
      const fx = chainAt(10);
      canary(fx, "f", { minSuccessCount: 0 });
      if (paused) ok(fx.client.pause(GUARDIAN, "f"));
      return fx;
    };

    it.each(TABLE)("$method: refused to every other role, to an unsigned sender, and to a signer who is not the sender", ({ allowed, call, paused }) => {
      const fx = setup(paused);
      const before = snapshot(fx.client, "f");
      const refused = (Object.keys(ROLES) as Who[]).filter((w) => w !== "ADMIN" && !allowed.includes(w));
      expect(refused).toContain("OUTSIDER");
      for (const w of refused) fails(call(fx.client, ROLES[w]), "Unauthorized");
      for (const w of allowed) {
        fails(call(fx.client, { sender: ROLES[w], witnesses: [] }), "Unauthorized"); // role, no witness
        fails(call(fx.client, { sender: OUTSIDER, witnesses: [ROLES[w]] }), "Unauthorized"); // witness, not the sender
      }
      expect(snapshot(fx.client, "f")).toEqual(before);
      expect(fx.client.getFeature("g")).toBeNull();
      // The allowed roles, and Admin, succeed.
      for (const w of [...allowed, "ADMIN" as const]) ok(call(setup(paused).client, ROLES[w]));
    });

    it("a Reporter cannot force a rollback by reports it may not send, nor unlock a rollout with successes", () => {
      const fx = chainAt(10);
      canary(fx, "f", { minSamples: 1 });
      for (let i = 0; i < 5; i++) fails(fx.client.recordError(OUTSIDER, "f"), "Unauthorized");
      for (let i = 0; i < 5; i++) fails(fx.client.recordBatch(OPERATOR, "f", 1000, 0), "Unauthorized");
      expect(feature(fx.client, "f")).toMatchObject({ status: Status.Canary, windowSuccesses: 0n, windowErrors: 0n });
      fails(fx.client.startRollout(OPERATOR, "f", 5000), "InsufficientData");
    });
  });

  // ---------------------------------------------------------------- 11
  describe("defect 11: a truncated feature record is CorruptState, never a trap", () => {
    const NAME = "vita_recovery_v2";
    const key = new Uint8Array([0xd0, ...Buffer.from(NAME), 0x00]);

    /** A feature with a long record (description, explicit steps, salt), committed; block 11 open. */
    function committed(status: "Canary" | "RollingOut" = "Canary"): { fx: Fixture; value: Uint8Array } {
      const fx = chainAt(10);
      ok(fx.client.createFeature(OPERATOR, NAME, "Recovery v2 — the second try", { steps: [1000, 2000, 4000], salt: "v2-salt", minSuccessCount: 0, incrementBlocks: 5, minSamples: 0 }));
      ok(fx.client.startCanary(OPERATOR, NAME, 500));
      if (status === "RollingOut") ok(fx.client.startRollout(OPERATOR, NAME, 10000));
      fx.chain.endBlock();
      const value = fx.chain.store.get(key);
      if (!value) throw new Error("feature record not found under 0xD0 name 00");
      fx.chain.beginBlock(11);
      return { fx, value };
    }

    /** Writes `bytes` as the feature record between blocks. */
    function overwrite(fx: Fixture, bytes: Uint8Array): void {
      const h = height(fx);
      fx.chain.endBlock();
      fx.chain.store.put(key, bytes);
      fx.chain.beginBlock(h + 1);
    }

    it("every truncation (0 … length − 1 bytes) makes getFeature CorruptState", () => {
      const { fx, value } = committed();
      expect(value.length).toBeGreaterThan(65);
      for (let len = value.length - 1; len >= 0; len--) {
        overwrite(fx, value.slice(0, len));
        const r = fx.client.tryView("getFeature", { name: NAME });
        expect(r.trap, `length ${len}`).toBeUndefined();
        expect(r.codeName, `length ${len}`).toBe("CorruptState");
      }
      // One trailing byte too many is not an exact decode either.
      overwrite(fx, new Uint8Array([...value, 0]));
      expect(fx.client.tryView("getFeature", { name: NAME }).codeName).toBe("CorruptState");
      // The intact record reads again.
      overwrite(fx, value);
      expect(feature(fx.client, NAME).rolloutBps).toBe(500);
    });

    it("the seed's case (4 bytes short of what it reads) in every method that reads the record: CorruptState, no trap", () => {
      const { fx, value } = committed();
      overwrite(fx, value.slice(0, value.length - 4));
      const c = fx.client;
      const views = [
        c.tryView("getFeature", { name: NAME }),
        c.tryView("getMetrics", { name: NAME }),
        c.tryView("isEnabled", { name: NAME, account: account(1) }),
        c.tryView("isEnabledMany", { name: NAME, accounts: [account(1), account(2)] }),
        c.tryView("bucketOf", { name: NAME, account: account(1) }),
        c.tryView("listFeatures", { startAfter: "", limit: 10, activeOnly: false }),
        c.tryView("listFeatures", { startAfter: "", limit: 10, activeOnly: true }),
      ];
      const txs = [
        c.recordSuccess(REPORTER, NAME),
        c.recordError(REPORTER, NAME),
        c.recordBatch(REPORTER, NAME, 1, 0),
        c.recordLatency(REPORTER, NAME, 1),
        c.recordInvariant(REPORTER, NAME, true),
        c.startCanary(OPERATOR, NAME, 700),
        c.startRollout(OPERATOR, NAME, 5000),
        c.enable(OPERATOR, NAME),
        c.disable(OPERATOR, NAME),
        c.pause(GUARDIAN, NAME),
        c.rollback(GUARDIAN, NAME),
        c.setOverride(OPERATOR, NAME, account(1), "ForceOn"),
        c.updatePolicy(OPERATOR, NAME, { salt: "v2-salt" }),
        c.processRollout(OUTSIDER, NAME),
        c.reportIncident(GUARDIAN, NAME, "CircuitBreaker"),
      ];
      for (const r of [...views, ...txs]) {
        expect(r.trap, r.method).toBeUndefined();
        expect(r.codeName, r.method).toBe("CorruptState");
      }
      // Nothing was written over the corrupt record.
      fx.chain.endBlock();
      expect(fx.chain.store.get(key)).toEqual(value.slice(0, value.length - 4));
    });

    it("a corrupt RollingOut feature at its due height: onPersist does not trap", () => {
      const { fx, value } = committed("RollingOut");
      overwrite(fx, value.slice(0, 40));
      walkTo(fx, 16);
      const br = closeBlock(fx, 17);
      expect(br.onPersist.trap).toBeUndefined();
      expect(br.onPersist.code).toBe(15); // CorruptState
    });
  });

  // ---------------------------------------------------------------- 12
  describe("defect 12: windowed counters, reset at every step", () => {
    /** The seed's rule (RecordError): cumulative counters, ≥ 10 samples, integer rate > 100 per 10000. */
    function seedRollsBackAt(stream: boolean[], start = { s: 0, e: 0 }): number {
      let { s, e } = start;
      for (let i = 0; i < stream.length; i++) {
        if (stream[i]) {
          e++;
          const n = s + e;
          if (n >= 10 && Math.floor((e * 10000) / n) > 100) return i;
        } else s++;
      }
      return -1;
    }

    it("a healthy feature at 0.5 % errors under the 1 % rule is not rolled back over 10 steps (20 seeded runs; the seed's rule trips in many of them)", () => {
      // Threshold 100 bps, minSamples 3000; 100 operations a block, a step every 40 blocks
      // (4000-operation windows), 10 steps from 100 to 10000 bps.
      const RUNS = 20;
      const PER_BLOCK = 100;
      const fx = chainAt(10);
      const H = height(fx);
      const names = Array.from({ length: RUNS }, (_, i) => `healthy_${String(i).padStart(2, "0")}`);
      const rngs = names.map((_, i) => new Prng(1000 + i));
      const streams: boolean[][] = names.map(() => []);
      for (const n of names) rollingOut(fx, n, { incrementBlocks: 40, incrementBps: 1000, maxErrorRateBps: 100, minSamples: 3000, minSuccessCount: 0 }, { canaryBps: 100 });
      for (let h = H; h <= H + 400; h++) {
        names.forEach((n, i) => {
          if (feature(fx.client, n).status !== Status.RollingOut) return;
          let e = 0;
          for (let k = 0; k < PER_BLOCK; k++) {
            const err = rngs[i]!.chance(0.005);
            streams[i]!.push(err);
            if (err) e++;
          }
          ok(fx.client.recordBatch(REPORTER, n, PER_BLOCK - e, e));
        });
        walkTo(fx, h + 1);
      }
      const statuses = names.map((n) => feature(fx.client, n).status);
      expect(statuses.filter((s) => s === Status.RolledBack)).toEqual([]);
      expect(statuses.every((s) => s === Status.Enabled)).toBe(true);
      for (const n of names) expect(history(fx.client, n).filter((e) => e.from === Status.RollingOut)).toHaveLength(10);
      // Contrast: the seed's cumulative rule on the same first 2000 operations of each run.
      const seedTrips = streams.filter((s) => seedRollsBackAt(s.slice(0, 2000)) >= 0).length;
      expect(seedTrips).toBeGreaterThanOrEqual(RUNS / 4);
    });

    it("after 100,000 healthy operations, a jump to 5 % errors is caught within a few hundred operations of the new window", () => {
      const fx = chainAt(10);
      const c = fx.client;
      // Default rule (Threshold 100 bps, minSamples 100); a step every 5 blocks.
      const H = rollingOut(fx, "f", { incrementBlocks: 5, incrementBps: 100, minSuccessCount: 0 }, { canaryBps: 100 });
      for (let h = H; h < H + 100; h++) {
        ok(c.recordBatch(REPORTER, "f", 995, 5)); // 1000 operations at exactly 0.5 %
        walkTo(fx, h + 1);
      }
      walkTo(fx, H + 101); // the step of block H+100 starts a fresh window
      expect(feature(c, "f")).toMatchObject({ status: Status.RollingOut, rolloutBps: 2100, windowSuccesses: 0n, windowErrors: 0n, lastStepBlock: H + 100 });
      expect(c.getMetrics("f")).toMatchObject({ totalOperations: 100_000n, failedOps: 500n });

      const rng = new Prng(4242);
      const jump: boolean[] = [];
      let caughtAt = -1;
      for (let i = 0; i < 5000 && caughtAt < 0; i++) {
        const err = rng.chance(0.05);
        jump.push(err);
        const r = ok(err ? c.recordError(REPORTER, "f") : c.recordSuccess(REPORTER, "f"));
        if (statusChanges(r.rawEvents).length > 0) caughtAt = i + 1;
      }
      expect(caughtAt).toBeGreaterThan(0);
      expect(caughtAt).toBeLessThanOrEqual(300);
      expect(feature(c, "f")).toMatchObject({ status: Status.RolledBack, rollbackReason: RollbackReason.ErrorRate });
      expect(history(c, "f").at(-1)).toMatchObject({ to: Status.RolledBack, reason: RollbackReason.ErrorRate, actor: hex(REPORTER) });

      // Contrast: the seed's cumulative counters (99,500 successes, 500 errors) on the same jump
      // traffic, continued, need over 12,000 operations.
      while (jump.length < 20_000) jump.push(rng.chance(0.05));
      expect(seedRollsBackAt(jump, { s: 99_500, e: 500 })).toBeGreaterThan(12_000);
    });
  });
});

// Admin implies every role (used by defect 10's positive checks); make it explicit here too.
describe("Admin holds every role", () => {
  it("hasRole is true for Admin on every role", () => {
    const fx = chainAt(10);
    for (const r of [0, 1, 2, 3]) expect(fx.client.hasRole(r, ADMIN)).toBe(true);
    expect(fx.client.hasRole(3, OUTSIDER)).toBe(false);
  });
});
