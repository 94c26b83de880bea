// SPEC section 9, "Layouts evolve": a store written by release v1 (tests/fixtures/stores/v1/,
// generated once by make-v1.ts and never by a test) opened by the CURRENT module gives every
// view the v1 release gave, field by field (a later release may append fields), and the same
// state root; both as a raw key/value dump (state.json) and as the LevelDB directory the
// chain store wrote (leveldb/).

import { cpSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Chain, MemoryStore, stateRoot, type Store } from "../../src/host/index.ts";
import { CanaryClient } from "../../src/client/index.ts";
import { LevelStore } from "../../src/store/index.ts";
import { fromHex, hex } from "../helpers/bytes.ts";
import { releaseWasm } from "../helpers/contract.ts";
import { tempDir } from "../helpers/temp.ts";
import { acct, captureExposure, captureViews } from "../fixtures/stores/views.ts";
import { expectFields } from "./fields.ts";
import { SPEC_DEFAULT_POLICY } from "../helpers/spec.ts";

const DIR = fileURLToPath(new URL("../fixtures/stores/v1/", import.meta.url));
const state = JSON.parse(readFileSync(path.join(DIR, "state.json"), "utf8")) as {
  release: string;
  height: number;
  stateRoot: string;
  entries: [string, string][];
};
const expected = JSON.parse(readFileSync(path.join(DIR, "expect.json"), "utf8")) as {
  height: number;
  viewHeight: number;
  names: string[];
  views: ReturnType<typeof captureViews>;
  afterUnhalt: ReturnType<typeof captureExposure>;
};


function loaded(): MemoryStore {
  return new MemoryStore(state.entries.map(([k, v]) => [fromHex(k), fromHex(v)] as const));
}

/**
 * Opens `store` with the current release module and checks it against expect.json: every view
 * in the next block, the root unchanged by that (empty) block, then what isEnabled answers
 * once a Guardian lifts the halt in the block after.
 */
function checkStore(store: Store): void {
  const chain = new Chain(releaseWasm(), store);
  const client = new CanaryClient(chain, { height: () => chain.currentHeight });
  expect(chain.stateRoot()).toBe(state.stateRoot);

  chain.beginBlock(expected.viewHeight);
  expectFields(captureViews(client, expected.names), expected.views, "views");
  const br = chain.endBlock();
  expect(br.onPersist.ok, "onPersist on the v1 store").toBe(true);
  expect(br.changed, "an empty block changes nothing (no step is due)").toBe(false);
  expect(br.stateRoot).toBe(state.stateRoot);

  chain.beginBlock(expected.viewHeight + 1);
  const r = client.setGlobal(acct("guardian"), false, false);
  expect(r.ok, `setGlobal: ${r.codeName}`).toBe(true);
  expectFields(captureExposure(client, expected.names), expected.afterUnhalt, "afterUnhalt");
  chain.abortBlock();
}

describe("release v1's store, opened by the current module", () => {
  it("the fixture holds what it claims: every status, held and paused canaries, a paused rollout, reasons, overrides, roles, the halt", () => {
    expect(state.release).toBe("v1");
    const fs = Object.values(expected.views.features).map((f) => f.getFeature as Record<string, unknown> | null);
    const live = fs.filter((f): f is Record<string, unknown> => f !== null);
    expect(new Set(live.map((f) => f.status))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(live.some((f) => f.status === 1 && f.targetBps === f.rolloutBps && (f.targetBps as number) > 0), "a held canary").toBe(true);
    expect(live.some((f) => f.status === 1 && f.paused), "a paused canary").toBe(true);
    expect(live.some((f) => f.status === 2 && f.paused), "a paused rollout").toBe(true);
    expect(new Set(live.map((f) => f.rollbackReason).filter((r) => r !== null)).size, "rollback reasons").toBeGreaterThanOrEqual(5);
    expect(live.some((f) => (f.policy as { analysis: number }).analysis === 1), "a Sequential policy").toBe(true);
    expect(live.some((f) => (f.policy as { steps: number[] }).steps.length > 0), "explicit steps").toBe(true);
    expect(live.some((f) => (f.policy as { salt: string }).salt !== ""), "a salt").toBe(true);
    expect(fs.includes(null), "an unknown name").toBe(true);
    const hist = Object.values(expected.views.features).flatMap((f) => (f.getHistory ?? []) as { block: number; actor: string | null }[]);
    expect(hist.some((h) => h.actor === null), "onPersist's entries").toBe(true);
    const perBlock = Object.values(expected.views.features).map((f) => ((f.getHistory ?? []) as { block: number }[]).map((h) => h.block));
    expect(perBlock.some((b) => b.length > new Set(b).size), "two changes in one block").toBe(true);
    const metrics = Object.values(expected.views.features).map((f) => f.getMetrics as Record<string, string> | null).filter((m) => m !== null);
    expect(metrics.some((m) => m.peakLatency !== "0" && m.averageLatency !== "0")).toBe(true);
    expect(metrics.some((m) => m.invariantFailures !== "0")).toBe(true);
    for (const role of ["Admin", "Operator", "Guardian", "Reporter"]) {
      // Admins hold every role; another Admin (admin2) was granted, the others to non-admins.
      const other = (a: string) => (role === "Admin" ? a !== "admin" : a !== "admin" && a !== "admin2");
      expect(Object.entries(expected.views.hasRole[role]!).some(([a, v]) => v && other(a)), `${role} granted`).toBe(true);
    }
    expect(expected.views.getGlobal).toEqual({ paused: false, halted: true });
    // ForceOn and ForceOff: after the halt is lifted, an account out of a canary's bucket range
    // is on and one inside it is off (beta: u1 ForceOn, u2 ForceOff).
    expect(expected.afterUnhalt.isEnabled.beta).toMatchObject({ u1: true, u2: false });
  });

  it("state.json: the root of the raw entries is the committed one", () => {
    const store = loaded();
    expect(store.size).toBe(state.entries.length);
    expect(stateRoot(store)).toBe(state.stateRoot);
  });

  it("state.json: every view equals v1's, field by field; an empty block keeps the root; lifting the halt exposes what v1 did", () => {
    checkStore(loaded());
  });

  it("leveldb/: the chain store opens (a copy) at v1's height and root, holds exactly state.json's entries, and gives the same views", async () => {
    const dir = path.join(tempDir("v1"), "db");
    cpSync(path.join(DIR, "leveldb"), dir, { recursive: true }); // opening writes LOCK and LOG: never in the fixture
    const store = await LevelStore.open(dir);
    try {
      expect(store.height).toBe(state.height);
      expect(store.stateRoot).toBe(state.stateRoot);
      expect([...store.entries()].map(([k, v]) => [hex(k), hex(v)])).toEqual(state.entries);
      checkStore(store);
    } finally {
      store.discardStaged();
      await store.close();
    }
  });

  // Revision 2 appends five policy fields and the run (run and baseline counters, the
  // statistic): a v1 record opens with the fields at their defaults and the run at 0.
  const APPENDED = {
    seqFloorPpm: SPEC_DEFAULT_POLICY.seqFloorPpm,
    compExcessPpm: SPEC_DEFAULT_POLICY.compExcessPpm,
    compLnRatioPpm: SPEC_DEFAULT_POLICY.compLnRatioPpm,
    compThresholdPpm: SPEC_DEFAULT_POLICY.compThresholdPpm,
    compFloorPpm: SPEC_DEFAULT_POLICY.compFloorPpm,
  };
  const RUN_ZERO = { runSuccesses: 0n, runErrors: 0n, baseSuccesses: 0n, baseErrors: 0n, statistic: 0n };

  it("every v1 feature: the appended policy fields at their defaults, run counters and statistic 0 (getFeature and listFeatures)", () => {
    const chain = new Chain(releaseWasm(), loaded());
    const client = new CanaryClient(chain, { height: () => chain.currentHeight });
    chain.beginBlock(expected.viewHeight);
    const live = expected.names.filter((n) => client.getFeature(n) !== null);
    expect(live.length).toBeGreaterThanOrEqual(15);
    for (const n of live) {
      const f = client.getFeature(n)!;
      expect(f.policy, n).toMatchObject(APPENDED);
      expect(f, n).toMatchObject(RUN_ZERO);
    }
    const listed = client.listFeatures({ limit: 100 });
    expect(listed.map((f) => f.name)).toEqual([...live].sort());
    for (const f of listed) {
      expect(f.policy, f.name).toMatchObject(APPENDED);
      expect(f, f.name).toMatchObject(RUN_ZERO);
    }
    chain.abortBlock();
  });

  it("a v1 record is upgraded to version 2 when it is next written whole: a report counts in the run, nothing else moves", () => {
    const chain = new Chain(releaseWasm(), loaded());
    const client = new CanaryClient(chain, { height: () => chain.currentHeight });
    const featureKey = (n: string) => Uint8Array.from([0xd0, ...new TextEncoder().encode(n), 0]);
    chain.beginBlock(expected.viewHeight);
    expect(client.setGlobal(acct("guardian"), false, false).ok).toBe(true); // the halt mirror: patched in place, still v1
    const live = expected.names.filter((n) => { const f = client.getFeature(n); return f !== null && (f.status === 1 || f.status === 3); });
    expect(live.length).toBeGreaterThanOrEqual(3);
    const before = new Map(live.map((n) => [n, { view: client.getFeature(n)!, metrics: client.getMetrics(n)! }]));
    chain.endBlock();
    for (const n of live) expect(chain.store.get(featureKey(n))![0], `${n} is still stored as v1`).toBe(1);
    chain.beginBlock(expected.viewHeight + 1);
    for (const n of live) {
      const r = client.transact("recordCohorts", { name: n, canarySuccesses: 0, canaryErrors: 0, baseSuccesses: 7, baseErrors: 1 }, acct("reporter"));
      expect(r.ok, `${n}: ${r.codeName}`).toBe(true);
    }
    chain.endBlock();
    for (const n of live) {
      expect(chain.store.get(featureKey(n))![0], `${n} is now stored as v2`).toBe(2);
      expect(client.getFeature(n)).toEqual({ ...before.get(n)!.view, baseSuccesses: 7n, baseErrors: 1n });
      expect(client.getMetrics(n)).toEqual(before.get(n)!.metrics);
    }
  });
});
