// SPEC section 6 commit semantics on the real contract: a non-zero code or a trap makes the
// transaction FAULT and the host discards every write and event of it — including writes the
// contract made earlier in the same call. Plus determinism (the same blocks give the same state
// roots on fresh chains, reused instance or not) and views that never change state.

import { beforeAll, describe, expect, it } from "vitest";
import type { MethodName } from "../../src/abi/methods.ts";
import { Chain, stateRoot, type BlockInput, type BlockResult, type BlockTx } from "../../src/host/index.ts";
import { CanaryClient, encodeArgs } from "../../src/client/index.ts";
import { releaseWasm } from "../helpers/contract.ts";
import {
  ADMIN,
  F,
  GUARDIAN,
  KEY,
  OPERATOR,
  OUTSIDER,
  REPORTER,
  account,
  chainAt,
  endBlock,
  expectRejected,
  feature,
  history,
  initializedChain,
  liveRoot,
  must,
  send,
  tamper,
  withByte,
  type Fixture,
} from "./_lifecycle_helpers.ts";

const tx = <M extends MethodName>(method: M, args: unknown, sender: Uint8Array, witnesses?: Uint8Array[]): BlockTx => ({
  method,
  args: encodeArgs(method, args as never),
  sender,
  ...(witnesses ? { witnesses } : {}),
});

const POLICY = { analysis: 0, incrementBlocks: 10, minSamples: 2, minSuccessCount: 2 }; // Threshold: the script relies on its 1 % rule

/** A scripted run: init, roles, two features through canary, rollout, steps, a rollback — with failing transactions mixed in. */
function script(withFailures: boolean): BlockInput[] {
  const fail = (t: BlockTx[]) => (withFailures ? t : []);
  return [
    {
      height: 1,
      txs: [
        ...fail([tx("grantRole", { role: 1, account: OPERATOR }, ADMIN)]), // NotInitialized
        tx("init", { admin: ADMIN }, ADMIN),
        ...fail([tx("init", { admin: OUTSIDER }, OUTSIDER)]), // AlreadyInitialized
        tx("grantRole", { role: 1, account: OPERATOR }, ADMIN),
        tx("grantRole", { role: 2, account: GUARDIAN }, ADMIN),
        tx("grantRole", { role: 3, account: REPORTER }, ADMIN),
        ...fail([tx("grantRole", { role: 0, account: OUTSIDER }, OUTSIDER)]), // Unauthorized
      ],
    },
    {
      height: 5,
      txs: [
        tx("createFeature", { name: "alpha", description: "a", policy: POLICY }, OPERATOR),
        ...fail([tx("createFeature", { name: "alpha", description: "again", policy: null }, OPERATOR)]), // exists
        tx("createFeature", { name: "beta", description: "b", policy: { ...POLICY, steps: [2500, 5000] } }, OPERATOR),
        ...fail([tx("createFeature", { name: "Beta", description: "", policy: null }, OPERATOR)]), // InvalidName
        tx("startCanary", { name: "alpha", bps: 500 }, OPERATOR),
        tx("startCanary", { name: "beta", bps: 1000 }, OPERATOR),
        ...fail([tx("startRollout", { name: "alpha", targetBps: 5000 }, OPERATOR)]), // InsufficientData
        tx("recordBatch", { name: "alpha", successes: 5, errors: 0 }, REPORTER),
        tx("recordBatch", { name: "beta", successes: 5, errors: 0 }, REPORTER),
        ...fail([tx("recordError", { name: "alpha" }, OUTSIDER)]), // Unauthorized
      ],
    },
    {
      height: 6,
      txs: [
        tx("startRollout", { name: "alpha", targetBps: 10000 }, OPERATOR),
        tx("startRollout", { name: "beta", targetBps: 5000 }, OPERATOR),
        ...fail([tx("startCanary", { name: "alpha", bps: 100 }, OPERATOR)]), // RolloutInProgress
        tx("recordBatch", { name: "alpha", successes: 3, errors: 0 }, REPORTER),
        tx("recordBatch", { name: "beta", successes: 3, errors: 0 }, REPORTER),
        tx("setOverride", { name: "alpha", account: OUTSIDER, mode: 2 }, OPERATOR),
        ...fail([tx("setOverride", { name: "alpha", account: OUTSIDER, mode: 3 }, OPERATOR)]), // BadInput
      ],
    },
    { height: 16, txs: [...fail([tx("pause", { name: "nope" }, GUARDIAN)])] }, // steps due: onPersist advances both
    {
      height: 17,
      txs: [
        tx("recordBatch", { name: "alpha", successes: 0, errors: 3 }, REPORTER), // ErrorRate rollback
        ...fail([tx("rollback", { name: "alpha", reason: 0 }, GUARDIAN)]), // InvalidTransition (already rolled back)
        tx("recordBatch", { name: "beta", successes: 4, errors: 0 }, REPORTER),
        tx("setGlobal", { paused: false, halted: true }, GUARDIAN),
        ...fail([tx("setGlobal", { paused: true, halted: true }, OPERATOR)]), // Unauthorized
      ],
    },
    { height: 26, txs: [] }, // beta reaches its target 5000: a held Canary
    {
      height: 27,
      txs: [
        tx("enable", { name: "alpha" }, OPERATOR),
        ...fail([tx("enable", { name: "alpha" }, OPERATOR)]), // InvalidTransition
        tx("updatePolicy", { name: "beta", policy: { ...POLICY, incrementBps: 50 } }, OPERATOR),
        ...fail([tx("updatePolicy", { name: "beta", policy: { ...POLICY, salt: "other" } }, OPERATOR)]), // InvalidPolicy
      ],
    },
  ];
}

function runScript(chain: Chain, blocks: BlockInput[]): BlockResult[] {
  return blocks.map((b) => chain.executeBlock(b));
}

describe("SPEC 6: a non-zero code discards every write and event of its transaction", () => {
  it("a run with failing transactions mixed in ends in the same state, block by block, as the run without them", () => {
    const a = runScript(new Chain(releaseWasm()), script(true));
    const b = runScript(new Chain(releaseWasm()), script(false));
    expect(a.map((r) => r.stateRoot)).toEqual(b.map((r) => r.stateRoot));
    expect(a.map((r) => r.events)).toEqual(b.map((r) => r.events));
    // The failing ones did fail, with no event.
    const failed = a.flatMap((r) => r.txs.filter((t) => !t.ok));
    expect(failed.length).toBe(script(true).reduce((n, blk) => n + blk.txs.length, 0) - script(false).reduce((n, blk) => n + blk.txs.length, 0));
    for (const t of failed) {
      expect(t.code).toBeGreaterThan(0);
      expect(t.events).toEqual([]);
    }
    // The run did something: steps advanced, a rollback fired, a canary was held.
    expect(a.map((r) => r.changed)).toEqual([true, true, true, true, true, true, true]);
  });

  it("a failed call in an otherwise empty block leaves the block unchanged (changed: false, same root)", () => {
    const fx = chainAt("RollingOut");
    const root = fx.chain.stateRoot();
    for (const [m, args, who] of [
      ["startCanary", { name: F, bps: 100 }, OPERATOR],
      ["grantRole", { role: 0, account: OUTSIDER }, OUTSIDER],
      ["recordError", { name: F }, OPERATOR],
      ["createFeature", { name: "x", description: "d".repeat(300), policy: null }, OPERATOR],
      ["updatePolicy", { name: F, policy: { incrementBlocks: 0 } }, OPERATOR],
    ] as const) {
      expectRejected(fx, (m === "startCanary" ? "RolloutInProgress" : m === "createFeature" ? "LimitExceeded" : m === "updatePolicy" ? "InvalidPolicy" : "Unauthorized"), () =>
        send(fx, m, args as never, who),
      );
    }
    const b = endBlock(fx);
    expect(b.events).toEqual([]);
    expect(b.changed).toBe(false);
    expect(b.stateRoot).toBe(root);
  });

  it("an unauthorized grantRole changes nothing: no role, no event, no byte", () => {
    const fx = initializedChain();
    fx.goTo(2);
    const before = liveRoot(fx);
    for (const signer of [OUTSIDER, { sender: OPERATOR, witnesses: [ADMIN] }, { sender: ADMIN, witnesses: [] }]) {
      const r = send(fx, "grantRole", { role: 0, account: OUTSIDER }, signer);
      expect(r.codeName).toBe("Unauthorized");
      expect(r.events).toEqual([]);
    }
    expect(liveRoot(fx)).toBe(before);
    expect(fx.client.hasRole("Admin", OUTSIDER)).toBe(false);
    const b = endBlock(fx);
    expect(b.changed).toBe(false);
    expect(b.events).toEqual([]);
  });
});

describe("SPEC 6: CorruptState after an earlier write in the same call discards that write too", () => {
  /**
   * Two features whose steps fall due in the same onPersist, "a1" first in index order. The
   * contract advances a1 (writes its record, a history entry, index entries, events), then meets
   * the corrupt second entry and returns CorruptState: nothing of a1's step may survive.
   */
  function twoDue(): Fixture {
    const fx = initializedChain();
    fx.goTo(10);
    for (const n of ["a1", "a2"]) {
      must(fx.client.createFeature(OPERATOR, n, "", POLICY));
      must(fx.client.startCanary(OPERATOR, n, 500));
      must(fx.client.recordBatch(REPORTER, n, 2, 0));
      must(fx.client.startRollout(OPERATOR, n, 10000));
      must(fx.client.recordBatch(REPORTER, n, 2, 0));
    }
    fx.goTo(19);
    return fx;
  }

  it("the control: both step at height 20", () => {
    const fx = twoDue();
    fx.goTo(20);
    const b = endBlock(fx, 21);
    expect(b.onPersist.code).toBe(0);
    expect(b.events.map((e) => e.name)).toEqual(["RolloutAdvanced", "RolloutAdvanced"]);
    expect(feature(fx, "a1").rolloutBps).toBe(1500);
    expect(feature(fx, "a2").rolloutBps).toBe(1500);
  });

  for (const [what, corrupt] of [
    ["a2's feature record is corrupt", (fx: Fixture) => tamper(fx, KEY.feature("a2"), (v) => withByte(v!, 0, 3))],
    ["a2's feature record is gone (its index entry remains)", (fx: Fixture) => tamper(fx, KEY.feature("a2"), () => null)],
  ] as const) {
    it(`${what}: onPersist returns CorruptState and a1 has not stepped either`, () => {
      const fx = twoDue();
      corrupt(fx); // now at block 20, open
      const a1Before = feature(fx, "a1");
      const h1Before = history(fx, "a1");
      const root = stateRoot(fx.chain.store);
      const b = endBlock(fx, 21);
      expect(b.onPersist.code).toBe(15);
      expect(b.onPersist.trap).toBeUndefined(); // a code, never a trap
      expect(b.events).toEqual([]);
      expect(stateRoot(fx.chain.store)).toBe(root);
      expect(feature(fx, "a1")).toEqual(a1Before);
      expect(history(fx, "a1")).toEqual(h1Before);
    });
  }

  it("a stray due-index entry after a1's (same due value, no such feature): CorruptState, a1 untouched", () => {
    const fx = twoDue();
    const dueKeys = [...fx.chain.store.entries()].filter(([k]) => k[0] === 0xd7).map(([k]) => k);
    expect(dueKeys).toHaveLength(2);
    const a1Key = dueKeys[0]!;
    const stray = Uint8Array.from([...a1Key.subarray(0, 5), ...new TextEncoder().encode("a1z"), 0]);
    tamper(fx, stray, () => Uint8Array.from([1]));
    const a1Before = feature(fx, "a1");
    const root = stateRoot(fx.chain.store);
    const b = endBlock(fx, 30);
    expect(b.onPersist.code).toBe(15);
    expect(b.events).toEqual([]);
    expect(stateRoot(fx.chain.store)).toBe(root);
    expect(feature(fx, "a1")).toEqual(a1Before);
  });
});

describe("SPEC 6: a trap discards every write of its call (the real contract, out of memory in onPersist)", () => {
  // The release module's memory is capped (SPEC 8); onPersist processes every due feature in one
  // call, so enough features due in one block exhaust it. With the largest records (64-byte
  // names, 256-byte descriptions, 32 steps, 64-byte salts) the contract of this writing traps
  // from about 2,950 due features (about 4,400 with minimal records); 6000 leaves a margin.
  const N = 6000;
  let fx: Fixture;
  let root: string;
  let result: BlockResult;
  const name = (i: number) => "f" + i.toString().padStart(5, "0") + "x".repeat(58);
  const policy = { incrementBlocks: 10, minSamples: 1, minSuccessCount: 1, steps: Array.from({ length: 32 }, (_, i) => (i + 1) * 300), salt: "s".repeat(64) };

  beforeAll(() => {
    fx = initializedChain();
    fx.goTo(10);
    for (let i = 0; i < N; i++) {
      const n = name(i);
      must(fx.client.createFeature(OPERATOR, n, "d".repeat(256), policy));
      must(fx.client.startCanary(OPERATOR, n, 100));
      must(fx.client.recordBatch(REPORTER, n, 1, 0));
      must(fx.client.startRollout(OPERATOR, n, 10000));
      must(fx.client.recordBatch(REPORTER, n, 1, 0));
    }
    fx.goTo(11);
    fx.goTo(20);
    root = stateRoot(fx.chain.store);
    result = endBlock(fx, 21);
  }, 120_000);

  it("whatever onPersist did, if it trapped, nothing of it was kept: same root, no events", () => {
    if (result.onPersist.code === -1) {
      expect(result.onPersist.trap).toBeDefined();
      expect(result.events).toEqual([]);
      expect(result.changed).toBe(false);
      expect(stateRoot(fx.chain.store)).toBe(root);
      expect(feature(fx, name(0)).rolloutBps).toBe(100);
    } else {
      expect(result.onPersist.code).toBe(0);
    }
  });

  it(`SPEC 5 "it processes every due feature": ${N} features due in one block all step (no trap)`, () => {
    expect(result.onPersist.trap).toBeUndefined();
    expect(result.onPersist.code).toBe(0);
    expect(feature(fx, name(0)).rolloutBps).toBe(300);
    expect(feature(fx, name(N - 1)).rolloutBps).toBe(300);
  });
});

describe("determinism: the same blocks on fresh chains give the same state roots", () => {
  it("twice on two fresh chains, and on a chain that instantiates afresh for every call", () => {
    const blocks = script(true);
    const one = runScript(new Chain(releaseWasm()), blocks);
    const two = runScript(new Chain(releaseWasm()), blocks);
    const fresh = runScript(new Chain(releaseWasm(), undefined, { reuse: false }), blocks);
    const roots = one.map((r) => r.stateRoot);
    expect(new Set(roots).size).toBe(roots.length); // every block changed something
    expect(two.map((r) => r.stateRoot)).toEqual(roots);
    expect(fresh.map((r) => r.stateRoot)).toEqual(roots);
    expect(two.map((r) => r.events)).toEqual(one.map((r) => r.events));
    expect(fresh.map((r) => r.txs.map((t) => [t.code, Buffer.from(t.output).toString("hex")]))).toEqual(
      one.map((r) => r.txs.map((t) => [t.code, Buffer.from(t.output).toString("hex")])),
    );
  });
});

describe("views never change the state root", () => {
  const VIEWS: [MethodName, unknown][] = [
    ["hasRole", { role: 1, account: OPERATOR }],
    ["hasRole", { role: 0, account: OUTSIDER }],
    ["isEnabled", { name: F, account: OUTSIDER }],
    ["isEnabled", { name: "nope", account: OUTSIDER }],
    ["isEnabledMany", { name: F, accounts: Array.from({ length: 50 }, (_, i) => account(i)) }],
    ["isEnabledMany", { name: F, accounts: Array.from({ length: 1025 }, () => OUTSIDER) }], // LimitExceeded
    ["bucketOf", { name: F, account: OUTSIDER }],
    ["bucketOf", { name: "nope", account: OUTSIDER }], // FeatureNotFound
    ["getFeature", { name: F }],
    ["getFeature", { name: "nope" }],
    ["getMetrics", { name: F }],
    ["listFeatures", { startAfter: "", limit: 100, activeOnly: false }],
    ["listFeatures", { startAfter: "", limit: 100, activeOnly: true }],
    ["listFeatures", { startAfter: "", limit: 0, activeOnly: true }], // LimitExceeded
    ["getHistory", { name: F, fromSeq: 0, limit: 100 }],
    ["getHistory", { name: F, fromSeq: 1, limit: 1 }],
    ["getHistory", { name: F, fromSeq: 0, limit: 101 }], // LimitExceeded
    ["getGlobal", {}],
  ];

  for (const start of ["Canary", "RollingOut", "Enabled"] as const) {
    it(`every view, run as a transaction on a ${start} feature with an override and a halt, writes nothing and emits nothing`, () => {
      const fx = chainAt(start);
      must(fx.client.setOverride(OPERATOR, F, OUTSIDER, "ForceOn"));
      must(fx.client.setGlobal(GUARDIAN, false, true));
      const root = liveRoot(fx);
      for (const [m, args] of VIEWS) {
        const r = fx.chain.transact(m, encodeArgs(m, args as never), { height: fx.chain.currentHeight!, sender: OUTSIDER, witnesses: [OUTSIDER] });
        expect(r.events, m).toEqual([]);
        expect(liveRoot(fx), m).toBe(root);
        const v = fx.chain.view(m, encodeArgs(m, args as never));
        expect([v.code, Buffer.from(v.output).toString("hex")], m).toEqual([r.code, Buffer.from(r.output).toString("hex")]);
      }
      const b = endBlock(fx);
      expect(b.txs.slice(-VIEWS.length).every((t) => t.events.length === 0)).toBe(true);
    });
  }

  it("views through the client between blocks leave the committed root as it was", () => {
    const fx = chainAt("RollingOut");
    fx.chain.endBlock();
    const root = stateRoot(fx.chain.store);
    const client = new CanaryClient(fx.chain);
    client.getFeature(F);
    client.getMetrics(F);
    client.listAllFeatures(true);
    client.getAllHistory(F);
    client.isEnabledMany(F, [OUTSIDER, ADMIN]);
    client.getGlobal();
    client.hasRole("Admin", ADMIN);
    expect(stateRoot(fx.chain.store)).toBe(root);
  });
});
