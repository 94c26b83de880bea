// SPEC section 5 "When steps run" and section 6 listFeatures: the cost of onPersist grows with
// the number of due features, not with the number of features; listFeatures with activeOnly
// touches storage in proportion to what it returns. Cost is measured as host storage calls:
// the committed state is copied into a CountingStore (no binary fast path, so every
// storage_read / storage_next / storage_write / storage_delete of the module is exactly one
// get / next / put / delete on it) and the method is invoked on the chain's own runtime.

import { beforeAll, describe, expect, it } from "vitest";
import { encodeArgs } from "../../src/client/index.ts";
import type { MethodName } from "../../src/abi/methods.ts";
import { OverrideMode, RollbackReason, Status } from "../../assembly/shared/codes.ts";
import { account, GUARDIAN, initializedChain, must, OPERATOR, REPORTER, type Fixture } from "../helpers/contract.ts";
import { CountingStore, Prng, refBucket, utf8, type StorageCounts } from "./_exposure_helpers.ts";

/** An account whose bucket under salt `name` satisfies `pred` (found with the reference hash). */
function accountIn(name: string, pred: (b: number) => boolean): Uint8Array {
  const rng = new Prng(7);
  for (;;) {
    const a = rng.bytes(20);
    if (pred(refBucket(utf8(name), a))) return a;
  }
}

const BIG = 10_000;
const DUE_INDEXES = Array.from({ length: 10 }, (_, k) => k * 1000 + 500); // spread over the name order
const DUE_POLICY = { incrementBlocks: 10, minSamples: 0, minSuccessCount: 0 } as const;
const LATE_POLICY = { incrementBlocks: 100_000, minSamples: 0, minSuccessCount: 0 } as const;
const IDLE_HEIGHT = 5; // nothing due yet
const DUE_HEIGHT = 11; // rollouts started at height 1 with a dwell of 10

const nameOf = (i: number): string => `f_${String(i).padStart(5, "0")}`;

type Kind = "due" | "canary" | "late" | "enabled" | "rolledBack" | "disabled";

/** What feature i is in the big world: 10 due RollingOut, the rest a mix, most inactive. */
function kindOf(i: number): Kind {
  if (DUE_INDEXES.includes(i)) return "due";
  switch (i % 50) {
    case 0:
      return "canary";
    case 1:
      return "late"; // RollingOut, due only after 100,000 blocks
    case 2:
      return "enabled";
    case 3:
      return "rolledBack";
    default:
      return "disabled";
  }
}

function kindCounts(): Record<Kind, number> {
  const c: Record<Kind, number> = { due: 0, canary: 0, late: 0, enabled: 0, rolledBack: 0, disabled: 0 };
  for (let i = 0; i < BIG; i++) c[kindOf(i)]++;
  return c;
}
const ACTIVE_IN_BIG = ((c) => c.due + c.canary + c.late)(kindCounts()); // 400

interface World {
  fx: Fixture;
  indexes: number[];
  setupMs: number;
}

const ok = (r: { ok: boolean; codeName: string; method: string }): void => must(r);

/** Features `indexes`, each put in its kind's state in block 1; the chain is left at an open block 2. */
function buildWorld(indexes: number[]): World {
  const t0 = performance.now();
  const fx = initializedChain();
  const { client } = fx;
  for (const i of indexes) {
    const name = nameOf(i);
    const kind = kindOf(i);
    ok(client.createFeature(OPERATOR, name, "", kind === "late" ? LATE_POLICY : DUE_POLICY));
    if (kind === "canary" || kind === "rolledBack") ok(client.startCanary(OPERATOR, name, 500));
    if (kind === "due" || kind === "late") {
      ok(client.startCanary(OPERATOR, name, 100));
      ok(client.startRollout(OPERATOR, name, 10000));
    }
    if (kind === "enabled") ok(client.enable(OPERATOR, name));
    if (kind === "rolledBack") ok(client.rollback(GUARDIAN, name, RollbackReason.Manual));
  }
  fx.goTo(2);
  return { fx, indexes, setupMs: performance.now() - t0 };
}

interface Measured {
  counts: StorageCounts;
  code: number;
  output: Uint8Array;
  events: number;
}

/**
 * Runs `method` on a copy of the committed state with counting storage. The chain's open block
 * must hold no transactions (so the committed store is the current state).
 */
function measureOn(store: CountingStore, fx: Fixture, method: MethodName, args: unknown, sender: Uint8Array, height: number): Measured {
  store.reset();
  const r = fx.chain.runtime.invoke(method, encodeArgs(method, args as never), { height, sender, witnesses: [sender] }, store);
  return { counts: { ...store.counts }, code: r.code, output: r.output, events: r.events.length };
}

function snapshot(fx: Fixture): CountingStore {
  return new CountingStore(fx.chain.store.entries());
}

const total = (c: StorageCounts): number => c.reads + c.nexts + c.writes + c.deletes;
const fmt = (c: StorageCounts): string => `${c.reads + c.nexts} reads (${c.reads} get, ${c.nexts} next) / ${c.writes + c.deletes} writes (${c.writes} put, ${c.deletes} delete)`;

describe("onPersist: cost grows with due features, not with features (SPEC section 5)", () => {
  let small: World;
  let big: World;
  const idle: Record<string, Measured> = {};
  const due: Record<string, Measured> = {};

  beforeAll(() => {
    small = buildWorld(DUE_INDEXES);
    big = buildWorld(Array.from({ length: BIG }, (_, i) => i));
    for (const [label, w] of [["small", small], ["big", big]] as const) {
      w.fx.goTo(IDLE_HEIGHT);
      idle[label] = measureOn(snapshot(w.fx), w.fx, "onPersist", {}, new Uint8Array(20), IDLE_HEIGHT);
      w.fx.goTo(DUE_HEIGHT);
      due[label] = measureOn(snapshot(w.fx), w.fx, "onPersist", {}, new Uint8Array(20), DUE_HEIGHT);
    }
    console.log(
      [
        `setup: ${DUE_INDEXES.length} features in ${small.setupMs.toFixed(0)} ms, ${BIG} features in ${big.setupMs.toFixed(0)} ms`,
        `onPersist, nothing due:    10 features: ${fmt(idle.small!.counts)} | ${BIG} features: ${fmt(idle.big!.counts)}`,
        `onPersist, 10 due:         10 features: ${fmt(due.small!.counts)} | ${BIG} features: ${fmt(due.big!.counts)}`,
      ].join("\n"),
    );
  }, 120_000);

  it("the big world really holds 10,000 features, 10 of them RollingOut and due, the rest a mix", () => {
    const { client } = big.fx;
    const all = client.listAllFeatures();
    expect(all.length).toBe(BIG);
    const byStatus = new Map<number, number>();
    for (const f of all) byStatus.set(f.status, (byStatus.get(f.status) ?? 0) + 1);
    const want = kindCounts();
    expect(want.due).toBe(10);
    expect(byStatus.get(Status.RollingOut)).toBe(want.due + want.late);
    expect(byStatus.get(Status.Canary)).toBe(want.canary);
    expect(byStatus.get(Status.Enabled)).toBe(want.enabled);
    expect(byStatus.get(Status.RolledBack)).toBe(want.rolledBack);
    expect(byStatus.get(Status.Disabled)).toBe(want.disabled);
    expect(want.disabled).toBeGreaterThan(9000);
  });

  it("both onPersist runs succeed and write what a step writes, nothing more", () => {
    for (const m of [idle.small!, idle.big!, due.small!, due.big!]) expect(m.code).toBe(0);
    expect(idle.small!.counts.writes + idle.small!.counts.deletes).toBe(0);
    expect(idle.big!.counts.writes + idle.big!.counts.deletes).toBe(0);
    expect(due.small!.events).toBe(10); // one RolloutAdvanced per due feature
    expect(due.big!.events).toBe(10);
  });

  it("10 due among 10,000 costs the same storage calls as 10 due among 10 (within a small constant)", () => {
    const s = due.small!.counts;
    const b = due.big!.counts;
    expect(Math.abs(total(b) - total(s)), `${fmt(b)} vs ${fmt(s)}`).toBeLessThanOrEqual(2);
    expect(b.writes + b.deletes).toBe(s.writes + s.deletes);
    // And it is proportional to 10: a handful of calls per due feature, far below one per feature.
    expect(total(b)).toBeLessThanOrEqual(10 * 10 + 5);
  });

  it("with nothing due onPersist is O(1) whatever the number of features", () => {
    expect(Math.abs(total(idle.big!.counts) - total(idle.small!.counts))).toBeLessThanOrEqual(1);
    expect(total(idle.big!.counts)).toBeLessThanOrEqual(4);
  });

  it("on the real chain, the due block advances exactly the 10 due features", () => {
    for (const w of [small, big]) {
      const { fx } = w;
      const end = fx.chain.endBlock(); // block DUE_HEIGHT: runs onPersist
      expect(end.onPersist.ok).toBe(true);
      fx.chain.beginBlock(DUE_HEIGHT + 1);
      for (const i of DUE_INDEXES) {
        const f = fx.client.getFeature(nameOf(i))!;
        expect([f.status, f.rolloutBps, f.lastStepBlock], nameOf(i)).toEqual([Status.RollingOut, 1100, DUE_HEIGHT]);
      }
    }
    const late = big.fx.client.getFeature(nameOf(1))!;
    expect([late.status, late.rolloutBps]).toEqual([Status.RollingOut, 100]);
  });

  it("per-call storage cost does not depend on the number of features", () => {
    const cases: [MethodName, unknown, Uint8Array, number][] = [
      ["isEnabled", { name: nameOf(500), account: account(0x42) }, new Uint8Array(20), DUE_HEIGHT + 1],
      ["recordSuccess", { name: nameOf(500) }, REPORTER, DUE_HEIGHT + 1],
      ["createFeature", { name: "zz_new_feature", description: "", policy: null }, OPERATOR, DUE_HEIGHT + 1],
      ["processRollout", { name: nameOf(500) }, account(0x33), DUE_HEIGHT + 1], // just advanced: not due
      ["getFeature", { name: nameOf(500) }, new Uint8Array(20), DUE_HEIGHT + 1],
    ];
    const sStore = snapshot(small.fx);
    const bStore = snapshot(big.fx);
    for (const [method, args, sender, h] of cases) {
      const s = measureOn(sStore, small.fx, method, args, sender, h);
      const b = measureOn(bStore, big.fx, method, args, sender, h);
      expect(s.code, method).toBe(0);
      expect(b.counts, `${method}: ${fmt(b.counts)} vs ${fmt(s.counts)}`).toEqual(s.counts);
    }
  });

  describe("listFeatures activeOnly touches storage in proportion to what it returns", () => {
    const list = (w: World, startAfter: string, limit: number): { m: Measured; n: number } => {
      const m = measureOn(snapshot(w.fx), w.fx, "listFeatures", { startAfter, limit, activeOnly: true }, new Uint8Array(20), DUE_HEIGHT + 1);
      expect(m.code).toBe(0);
      const n = m.output[0]! | (m.output[1]! << 8) | (m.output[2]! << 16) | (m.output[3]! << 24);
      return { m, n };
    };
    let bigStore: CountingStore;
    beforeAll(() => {
      bigStore = snapshot(big.fx);
    });
    const listOn = (startAfter: string, limit: number): { m: Measured; n: number } => {
      const m = measureOn(bigStore, big.fx, "listFeatures", { startAfter, limit, activeOnly: true }, new Uint8Array(20), DUE_HEIGHT + 1);
      expect(m.code).toBe(0);
      return { m, n: m.output[0]! | (m.output[1]! << 8) | (m.output[2]! << 16) | (m.output[3]! << 24) };
    };

    it("a full page among 10,000 features costs about what 10 results cost per result", () => {
      const s = list(small, "", 100); // 10 active, all returned
      const b = listOn("", 100); // 400 active, 100 returned
      expect(s.n).toBe(10);
      expect(b.n).toBe(100);
      console.log(`listFeatures activeOnly: 10 returned of 10 features: ${fmt(s.m.counts)} | 100 returned of ${BIG}: ${fmt(b.m.counts)}`);
      for (const { m, n } of [s, b]) {
        expect(m.counts.writes + m.counts.deletes).toBe(0);
        expect(total(m.counts), `${n} returned`).toBeLessThanOrEqual(2 * n + 4);
      }
    });

    it("a name range with 100 features of which 4 are active costs about 4 results, not 100", () => {
      // After f_09899: f_09900 (Canary), f_09901 (late RollingOut), f_09950, f_09951; 96 inactive ones between.
      const r = listOn(nameOf(9899), 100);
      expect(r.n).toBe(4);
      console.log(`listFeatures activeOnly from ${nameOf(9899)}: 4 returned: ${fmt(r.m.counts)}`);
      expect(total(r.m.counts)).toBeLessThanOrEqual(2 * 4 + 4);
    });

    it("paging through every active feature costs in proportion to the 400 active, not the 10,000", () => {
      let after = "";
      let seen = 0;
      let calls = 0;
      let pages = 0;
      for (;;) {
        const r = listOn(after, 100);
        pages++;
        calls += total(r.m.counts);
        seen += r.n;
        if (r.n < 100) break;
        // The name of the last returned item: page through the real chain for it.
        after = big.fx.client.listFeatures({ startAfter: after, limit: 100, activeOnly: true }).at(-1)!.name;
      }
      expect(seen).toBe(ACTIVE_IN_BIG);
      console.log(`listFeatures activeOnly, all ${seen} active in ${pages} pages: ${calls} storage calls`);
      expect(calls).toBeLessThanOrEqual(2 * seen + 4 * pages);
    });
  });
});

describe("storage calls per call (compared with the seed's reads/writes)", () => {
  it("isEnabled, recordSuccess, createFeature, processRollout and others: measured and bounded", () => {
    const fx = initializedChain();
    const { client } = fx;
    ok(client.createFeature(OPERATOR, "can", "", DUE_POLICY));
    ok(client.startCanary(OPERATOR, "can", 5000));
    ok(client.createFeature(OPERATOR, "ovr", "", DUE_POLICY));
    ok(client.startCanary(OPERATOR, "ovr", 5000));
    ok(client.setOverride(OPERATOR, "ovr", account(0x99), OverrideMode.ForceOn));
    ok(client.createFeature(OPERATOR, "roll", "", LATE_POLICY));
    ok(client.startCanary(OPERATOR, "roll", 100));
    ok(client.startRollout(OPERATOR, "roll", 10000));
    ok(client.createFeature(OPERATOR, "due", "", DUE_POLICY));
    ok(client.startCanary(OPERATOR, "due", 100));
    ok(client.startRollout(OPERATOR, "due", 10000));
    ok(client.createFeature(OPERATOR, "en", "", DUE_POLICY));
    ok(client.enable(OPERATOR, "en"));
    ok(client.createFeature(OPERATOR, "healthy", "", { ...DUE_POLICY, minSamples: 100 }));
    ok(client.startCanary(OPERATOR, "healthy", 5000));
    ok(client.createFeature(OPERATOR, "fragile", "", DUE_POLICY)); // minSamples 0: one error rolls it back
    ok(client.startCanary(OPERATOR, "fragile", 5000));
    fx.goTo(5);
    const inCohort = accountIn("can", (b) => b < 5000);
    const outOfCohort = accountIn("can", (b) => b >= 5000);
    const store = snapshot(fx);
    const zero = new Uint8Array(20);
    const h = 5;
    // [label, method, args, sender, seed's reads/writes or null]
    const rows: [string, MethodName, unknown, Uint8Array, string | null][] = [
      ["isEnabled (Canary, no overrides, out of cohort)", "isEnabled", { name: "can", account: outOfCohort }, zero, "1/0"],
      ["isEnabled (Canary, no overrides, in cohort)", "isEnabled", { name: "can", account: inCohort }, zero, "1/0"],
      ["isEnabled (Canary, feature has overrides)", "isEnabled", { name: "ovr", account: inCohort }, zero, null],
      ["isEnabled (Enabled)", "isEnabled", { name: "en", account: account(0x42) }, zero, null],
      ["isEnabled (unknown feature)", "isEnabled", { name: "nope", account: account(0x42) }, zero, null],
      ["recordSuccess (Canary)", "recordSuccess", { name: "can" }, REPORTER, "2/2"],
      ["recordError (Canary, stays healthy)", "recordError", { name: "healthy" }, REPORTER, null],
      ["recordError (Canary, rolls back)", "recordError", { name: "fragile" }, REPORTER, null],
      ["createFeature", "createFeature", { name: "brand_new", description: "", policy: null }, OPERATOR, "1/2"],
      ["processRollout (RollingOut, not due)", "processRollout", { name: "roll" }, account(0x33), "1/0"],
      ["processRollout (Canary: nothing to do)", "processRollout", { name: "can" }, account(0x33), null],
      ["startCanary (re-canary)", "startCanary", { name: "can", bps: 6000 }, OPERATOR, null],
      ["setOverride (new)", "setOverride", { name: "can", account: account(0x55), mode: OverrideMode.ForceOff }, OPERATOR, null],
      ["getFeature", "getFeature", { name: "can" }, zero, null],
    ];
    const lines: string[] = [];
    const results = new Map<string, Measured>();
    for (const [label, method, args, sender, seed] of rows) {
      const m = measureOn(store, fx, method, args, sender, h);
      expect(m.code, label).toBe(0);
      results.set(label, m);
      const c = m.counts;
      lines.push(`${label.padEnd(50)} ${String(c.reads + c.nexts).padStart(2)}/${c.writes + c.deletes}  (get ${c.reads}, next ${c.nexts}, put ${c.writes}, delete ${c.deletes})${seed ? `  seed ${seed}` : ""}`);
    }
    // processRollout when due: the step itself.
    fx.goTo(11);
    const dueStore = snapshot(fx);
    const step = measureOn(dueStore, fx, "processRollout", { name: "due" }, account(0x33), 11);
    expect(step.code).toBe(0);
    expect(step.events).toBe(1);
    const c = step.counts;
    lines.push(`${"processRollout (due: one step)".padEnd(50)} ${String(c.reads + c.nexts).padStart(2)}/${c.writes + c.deletes}  (get ${c.reads}, next ${c.nexts}, put ${c.writes}, delete ${c.deletes})`);
    console.log("storage calls per call: reads/writes\n" + lines.join("\n"));

    const rw = (label: string): [number, number] => {
      const k = results.get(label)!.counts;
      return [k.reads + k.nexts, k.writes + k.deletes];
    };
    // Views write nothing; a processRollout that is not due writes nothing (idempotent).
    for (const label of ["isEnabled (Canary, no overrides, out of cohort)", "isEnabled (Canary, no overrides, in cohort)", "isEnabled (Canary, feature has overrides)", "isEnabled (Enabled)", "isEnabled (unknown feature)", "getFeature", "processRollout (RollingOut, not due)", "processRollout (Canary: nothing to do)"]) {
      expect(rw(label)[1], label).toBe(0);
    }
    // Small constants: a view of one account reads the feature, at most its override and the global flag.
    expect(rw("isEnabled (Canary, no overrides, out of cohort)")[0]).toBeLessThanOrEqual(3);
    expect(rw("isEnabled (Canary, no overrides, in cohort)")[0]).toBeLessThanOrEqual(3);
    expect(rw("isEnabled (Canary, feature has overrides)")[0]).toBeLessThanOrEqual(3);
    expect(rw("isEnabled (unknown feature)")[0]).toBeLessThanOrEqual(2);
    expect(rw("recordSuccess (Canary)")[1]).toBeLessThanOrEqual(2);
    expect(rw("createFeature")[1]).toBeLessThanOrEqual(3);
    expect(rw("processRollout (RollingOut, not due)")[0]).toBeLessThanOrEqual(4);
  });
});
