// The global halt mirrored into feature records (docs/STORAGE.md, flags bit 1; DESIGN.md):
// isEnabled reads one record, so setGlobal writes the halt flag into every Canary/RollingOut
// record and startCanary copies it in. What users see must be exactly SPEC section 4's rule
// 2 ("Canary/RollingOut and the global halted flag is set → false") at every moment.

import { describe, expect, it } from "vitest";
import { Chain } from "../../src/host/index.ts";
import { CanaryClient } from "../../src/client/index.ts";
import { Overlay } from "../../src/host/overlay.ts";
import { encodeArgs } from "../../src/client/schema.ts";
import { CountingStore } from "../../src/bench/countingStore.ts";
import { account, GUARDIAN, initializedChain, must, OPERATOR, releaseWasm, REPORTER, type Fixture } from "../helpers/contract.ts";
import { KEY, tamper } from "./_lifecycle_helpers.ts";
import { Role } from "../../assembly/shared/codes.ts";

const FLAGS = 6;
const HALTED_BIT = 2;
const PAUSED_BIT = 1;



/** Accounts whose bucket is below 100 bps for `name` (exposed at a 1 % canary), found through bucketOf. */
function insideAccounts(fx: Fixture, name: string, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; out.length < n && i < 100_000; i++) {
    const a = new Uint8Array(20);
    new DataView(a.buffer).setUint32(0, i);
    if (fx.client.bucketOf(name, a) < 100) out.push(a);
  }
  return out;
}

function flags(fx: Fixture, name: string): number {
  fx.chain.endBlock();
  const v = fx.chain.store.get(KEY.feature(name))!;
  fx.chain.beginBlock(fx.chain.lastHeight + 1);
  return v[FLAGS]!;
}

/** Features a..e: a Canary, b RollingOut, c Enabled, d Disabled, e RolledBack; an inside account of each. */
function fiveFeatures(): { fx: Fixture; inside: Record<string, Uint8Array> } {
  const fx = initializedChain();
  fx.goTo(2);
  const c = fx.client;
  const names = ["a", "b", "c", "d", "e"];
  for (const n of names) must(c.createFeature(OPERATOR, n, "", { minSuccessCount: 1, incrementBlocks: 1000 }));
  for (const n of ["a", "b", "c", "e"]) must(c.startCanary(OPERATOR, n, 100));
  must(c.recordBatch(REPORTER, "b", 5n, 0n));
  must(c.startRollout(OPERATOR, "b", 5000));
  must(c.enable(OPERATOR, "c"));
  must(c.rollback(GUARDIAN, "e", 0));
  fx.goTo(3);
  const inside: Record<string, Uint8Array> = {};
  for (const n of names) inside[n] = insideAccounts(fx, n, 1)[0]!;
  return { fx, inside };
}

describe("the halt flag in feature records", () => {
  it("setGlobal(halted) hides exactly the Canary/RollingOut features, and un-halting shows them again", () => {
    const { fx, inside } = fiveFeatures();
    const c = fx.client;
    const seen = () => ["a", "b", "c", "d", "e"].map((n) => c.isEnabled(n, inside[n]!));
    expect(seen()).toEqual([true, true, true, false, false]);
    must(c.setGlobal(GUARDIAN, false, true));
    expect(seen()).toEqual([false, false, true, false, false]);
    fx.goTo(4);
    expect(seen()).toEqual([false, false, true, false, false]);
    must(c.setGlobal(GUARDIAN, false, false));
    expect(seen()).toEqual([true, true, true, false, false]);
  });

  it("the bit is set in active records only, and cleared when a halted feature leaves Canary/RollingOut", () => {
    const { fx } = fiveFeatures();
    must(fx.client.setGlobal(GUARDIAN, false, true));
    fx.goTo(4);
    expect(["a", "b", "c", "d", "e"].map((n) => flags(fx, n) & HALTED_BIT)).toEqual([HALTED_BIT, HALTED_BIT, 0, 0, 0]);
    must(fx.client.rollback(GUARDIAN, "a", 0));
    must(fx.client.enable(OPERATOR, "b"));
    fx.goTo(fx.chain.currentHeight! + 1);
    expect(flags(fx, "a") & HALTED_BIT).toBe(0);
    expect(flags(fx, "b") & HALTED_BIT).toBe(0);
  });

  it("a canary started while halted starts halted, and one started after the halt is lifted does not", () => {
    const { fx, inside } = fiveFeatures();
    const c = fx.client;
    must(c.setGlobal(GUARDIAN, false, true));
    must(c.startCanary(OPERATOR, "d", 100));
    must(c.startCanary(OPERATOR, "e", 100)); // from RolledBack
    expect(c.isEnabled("d", inside.d!)).toBe(false);
    expect(c.isEnabled("e", inside.e!)).toBe(false);
    must(c.setGlobal(GUARDIAN, false, false));
    expect(c.isEnabled("d", inside.d!)).toBe(true);
    must(c.disable(OPERATOR, "d"));
    must(c.startCanary(OPERATOR, "d", 100));
    expect(c.isEnabled("d", inside.d!)).toBe(true);
  });

  it("the halt wins over ForceOn overrides, and steps and pauses keep the bit", () => {
    const fx = initializedChain();
    fx.goTo(2);
    const c = fx.client;
    must(c.createFeature(OPERATOR, "f", "", { minSuccessCount: 1, minSamples: 1, incrementBlocks: 2 }));
    must(c.startCanary(OPERATOR, "f", 100));
    must(c.recordBatch(REPORTER, "f", 5n, 0n));
    must(c.startRollout(OPERATOR, "f", 5000));
    must(c.setOverride(OPERATOR, "f", account(0x42), 1)); // ForceOn
    must(c.setGlobal(GUARDIAN, false, true));
    expect(c.isEnabled("f", account(0x42))).toBe(false);
    must(c.pause(GUARDIAN, "f"));
    must(c.resume(GUARDIAN, "f"));
    // Steps are processed by onPersist with samples in every window: the feature advances.
    for (let h = 3; h < 12; h++) {
      must(c.recordBatch(REPORTER, "f", 5n, 0n));
      fx.goTo(h);
    }
    expect(c.getFeature("f")!.rolloutBps).toBeGreaterThan(100);
    expect(flags(fx, "f") & (HALTED_BIT | PAUSED_BIT)).toBe(HALTED_BIT);
    expect(c.isEnabled("f", account(0x42))).toBe(false);
    must(c.setGlobal(GUARDIAN, false, false));
    expect(c.isEnabled("f", account(0x42))).toBe(true);
  });

  it("pausing the clock alone (paused: true, halted unchanged) rewrites no feature record", () => {
    const { fx } = fiveFeatures();
    const records = () => {
      fx.chain.endBlock();
      const v = ["a", "b", "c"].map((n) => Buffer.from(fx.chain.store.get(KEY.feature(n))!).toString("hex"));
      fx.chain.beginBlock(fx.chain.lastHeight + 1);
      return v;
    };
    const before = records();
    must(fx.client.setGlobal(GUARDIAN, true, false));
    expect(fx.client.getGlobal()).toEqual({ paused: true, halted: false });
    expect(records()).toEqual(before);
  });

  it("a corrupt active record does not block the halt: it is skipped (it answers CorruptState to everyone anyway)", () => {
    const { fx, inside } = fiveFeatures();
    tamper(fx, KEY.feature("a"), (v) => Uint8Array.from([...v!, 0]));
    must(fx.client.setGlobal(GUARDIAN, false, true));
    expect(fx.client.isEnabled("b", inside.b!)).toBe(false);
    expect(fx.client.tryView("isEnabled", { name: "a", account: inside.a! }).codeName).toBe("CorruptState");
  });

  it("isEnabled reads one record (the feature's), inside or outside the canary, halted or not", () => {
    const { fx, inside } = fiveFeatures();
    const count = (acct: Uint8Array) => {
      const cs = new CountingStore(new Overlay(fx.chain.store));
      const r = fx.chain.runtime.invoke("isEnabled", encodeArgs("isEnabled", { name: "a", account: acct }), { height: 10, sender: account(0), witnesses: [] }, cs);
      expect(r.ok).toBe(true);
      return cs.counts;
    };
    fx.chain.endBlock();
    expect(count(inside.a!)).toEqual({ reads: 1, writes: 0, deletes: 0, nexts: 0 });
    expect(count(account(0x99))).toEqual({ reads: 1, writes: 0, deletes: 0, nexts: 0 });
    fx.chain.beginBlock(fx.chain.lastHeight + 1);
    must(fx.client.setGlobal(GUARDIAN, false, true));
    fx.chain.endBlock();
    expect(count(inside.a!)).toEqual({ reads: 1, writes: 0, deletes: 0, nexts: 0 });
  });

  it("the cost of a halt grows with the active features: one read and one write each (500 active)", () => {
    const chain = new Chain(releaseWasm());
    const c = new CanaryClient(chain, { height: () => chain.currentHeight });
    chain.beginBlock(1);
    must(c.init(OPERATOR, OPERATOR));
    must(c.grantRole(OPERATOR, Role.Guardian, GUARDIAN));
    for (let i = 0; i < 500; i++) {
      const n = `f${i}`;
      must(c.createFeature(OPERATOR, n, ""));
      if (i % 2 === 0) must(c.startCanary(OPERATOR, n, 100));
    }
    chain.endBlock();
    const cs = new CountingStore(new Overlay(chain.store));
    const r = chain.runtime.invoke("setGlobal", encodeArgs("setGlobal", { paused: false, halted: true }), { height: 2, sender: GUARDIAN, witnesses: [GUARDIAN] }, cs);
    expect(r.ok).toBe(true);
    // roles + global, then per active feature: an index step and its record; 250 writes + the global.
    expect(cs.counts.writes).toBe(251);
    expect(cs.counts.nexts).toBe(251);
    expect(cs.counts.reads).toBe(2 + 250);
  });
});
