// Host storage calls per method (issue 5: never more than the seed's). Counts, not timings:
// the calls are run on the runtime against a counting store over a throwaway overlay.

import { describe, expect, it } from "vitest";
import { Overlay } from "../../src/host/overlay.ts";
import { encodeArgs } from "../../src/client/schema.ts";
import { CountingStore } from "../../src/bench/countingStore.ts";
import type { MethodName } from "../../src/abi/methods.ts";
import { initializedChain, OPERATOR, REPORTER, account, type Fixture } from "../helpers/contract.ts";

const F = "ops";

function counted(fx: Fixture, method: MethodName, args: unknown, sender: Uint8Array, height: number) {
  const ov = new Overlay(fx.chain.store);
  const cs = new CountingStore(ov);
  const r = fx.chain.runtime.invoke(method, encodeArgs(method, args as never), { height, sender, witnesses: [sender] }, cs);
  expect(r.ok, `${method}: ${r.code} ${r.trap ?? ""}`).toBe(true);
  return { ...cs.counts, events: r.events.length };
}

/** A feature RollingOut from height 3 with a dwell of 100 blocks; the block at 3 committed. */
function rollingOut(): Fixture {
  const fx = initializedChain();
  fx.goTo(2);
  const c = fx.client;
  for (const r of [
    c.createFeature(OPERATOR, F, "", { incrementBlocks: 100, minSamples: 1, minSuccessCount: 1 }),
    c.startCanary(OPERATOR, F, 500),
    c.recordBatch(REPORTER, F, 10n, 0n),
  ]) expect(r.ok).toBe(true);
  fx.goTo(3);
  expect(c.startRollout(OPERATOR, F, 10000).ok).toBe(true);
  expect(c.recordBatch(REPORTER, F, 10n, 0n).ok).toBe(true);
  fx.goTo(4);
  fx.chain.endBlock();
  return fx;
}

describe("storage calls per invocation", () => {
  it("processRollout with no step due reads only the feature record (the seed: 1 read)", () => {
    const fx = rollingOut();
    const c = counted(fx, "processRollout", { name: F }, account(0x55), 50);
    expect(c).toEqual({ reads: 1, writes: 0, deletes: 0, nexts: 0, events: 0 });
  });

  it("processRollout on a feature that is not RollingOut reads only the feature record", () => {
    const fx = initializedChain();
    fx.goTo(2);
    expect(fx.client.createFeature(OPERATOR, F, "").ok).toBe(true);
    fx.chain.endBlock();
    expect(counted(fx, "processRollout", { name: F }, account(0x55), 3)).toEqual({ reads: 1, writes: 0, deletes: 0, nexts: 0, events: 0 });
  });

  it("processRollout with a step due still reads the global record (pause, clock) and steps", () => {
    const fx = rollingOut();
    // Due at height 3 + 100 = 103 (init at 1: the clock is height − 1).
    const early = counted(fx, "processRollout", { name: F }, account(0x55), 102);
    expect(early.reads).toBe(2); // the height bound says "maybe": the clock says not yet
    expect(early.writes).toBe(0);
    const due = counted(fx, "processRollout", { name: F }, account(0x55), 103);
    expect(due.reads).toBeGreaterThanOrEqual(2);
    expect(due.writes).toBeGreaterThan(0);
    expect(due.events).toBeGreaterThan(0);
  });

  it("recordSuccess: roles + feature read, one write (the seed: 2 reads, 2 writes)", () => {
    const fx = rollingOut();
    expect(counted(fx, "recordSuccess", { name: F }, REPORTER, 5)).toEqual({ reads: 2, writes: 1, deletes: 0, nexts: 0, events: 0 });
  });
});
