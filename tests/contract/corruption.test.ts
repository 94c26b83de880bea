// SPEC section 9: every stored value starts with a version byte, and a record that does not
// decode exactly gives CorruptState — never a trap (code −1), never a wrong answer — and the
// failing call changes nothing. Values are corrupted in the host's store between blocks
// (after endBlock, before the next beginBlock), with the keys of assembly/keys.ts.

import { describe, expect, it } from "vitest";
import type { MethodName } from "../../src/abi/methods.ts";
import { stateRoot } from "../../src/host/index.ts";
import { encodeArgs, type PolicyInput } from "../../src/client/index.ts";
import {
  ADMIN,
  F,
  GUARDIAN,
  KEY,
  OPERATOR,
  OUTSIDER,
  REPORTER,
  TEST_POLICY,
  account,
  chainAt,
  concat,
  endBlock,
  expectRejected,
  keysWithPrefix,
  must,
  observe,
  sendRaw,
  tamper,
  withByte,
  type Fixture,
  type Sent,
} from "./_lifecycle_helpers.ts";

type Mutation = [string, (v: Uint8Array) => Uint8Array | null];

const truncated: Mutation = ["truncated by one byte", (v) => v.subarray(0, v.length - 1)];
const halved: Mutation = ["truncated to half", (v) => v.subarray(0, v.length >> 1)];
const emptied: Mutation = ["empty", () => new Uint8Array(0)];
const trailing: Mutation = ["one trailing byte", (v) => concat(v, [0])];
const version2: Mutation = ["version 2", (v) => withByte(v, 0, 2)];
const version0: Mutation = ["version 0", (v) => withByte(v, 0, 0)];
/** The feature record is at version 2 since Revision 2: 3 is the unknown newer version. */
const version3: Mutation = ["version 3 (newer than this release)", (v) => withByte(v, 0, 3)];
/** A version 2 body under version 1's byte: the v1 reader finds no run and a 32-byte tail after the salt. */
const version1Body2: Mutation = ["version 1 over a version 2 body", (v) => withByte(v, 0, 1)];

/** A feature due for its next step at every block (the window lacks samples), so onPersist reads it. */
const DUE_POLICY: PolicyInput = { ...TEST_POLICY, incrementBlocks: 10 };
const dueChain = (): Fixture => {
  const fx = chainAt("RollingOut", DUE_POLICY);
  // Built with 1 window sample after startRollout at 30 (minSamples 2): due since 40, waiting.
  return fx;
};

/** The feature record's tail is its policy; for DUE_POLICY (no steps, empty salt) it is 97 bytes (65 + the 32 appended). */
const POLICY_BYTES = 97;
/** The appended fields' first byte, from the policy's start (no steps, empty salt): 4 + 57 + 4. */
const APPENDED_AT = 65;
const CALL_NEXT = 101;

const FEATURE_MUTATIONS: Mutation[] = [
  truncated,
  halved,
  emptied,
  trailing,
  version3,
  version1Body2,
  version0,
  ["status 9", (v) => withByte(v, 1, 9)],
  ["status 5", (v) => withByte(v, 1, 5)],
  ["flags byte 4 (only bit 0 paused and bit 1 halted exist)", (v) => withByte(v, 6, 4)],
  ["rolloutBps 10001", (v) => withByte(withByte(v, 2, 0x11), 3, 0x27)],
  ["rollbackReason Option tag 2", (v) => withByte(v, 35, 2)],
  ["policy analysis 3", (v) => withByte(v, v.length - POLICY_BYTES + 4 + 2 + 4 + 2 + 4 + 8, 3)],
  ["policy Sequential with seqInterceptPpm 0", (v) => {
    const at = v.length - POLICY_BYTES + 4 + 2 + 4 + 2 + 4 + 8;
    let out = withByte(v, at, 1);
    for (let i = 0; i < 8; i++) out = withByte(out, at + 5 + i, 0);
    return out;
  }],
  ["policy Comparative with compExcessPpm 0", (v) => {
    let out = withByte(v, v.length - POLICY_BYTES + 4 + 2 + 4 + 2 + 4 + 8, 2);
    for (let i = 0; i < 4; i++) out = withByte(out, v.length - POLICY_BYTES + APPENDED_AT + 8 + i, 0);
    return out;
  }],
  ["policy incrementBlocks 0", (v) => {
    const at = v.length - POLICY_BYTES + 4 + 2;
    return withByte(withByte(withByte(withByte(v, at, 0), at + 1, 0), at + 2, 0), at + 3, 0);
  }],
  ["description with invalid UTF-8", (v) => withByte(v, v.length - POLICY_BYTES - 1, 0xff)],
];

/** Calls that read the feature record of F, each with a signer allowed to make it. */
const FEATURE_READERS: [MethodName, unknown, Uint8Array][] = [
  ["getFeature", { name: F }, OUTSIDER],
  ["getMetrics", { name: F }, OUTSIDER],
  ["isEnabled", { name: F, account: OUTSIDER }, OUTSIDER],
  ["isEnabledMany", { name: F, accounts: [OUTSIDER, ADMIN] }, OUTSIDER],
  ["bucketOf", { name: F, account: OUTSIDER }, OUTSIDER],
  ["getHistory", { name: F, fromSeq: 0, limit: 10 }, OUTSIDER],
  ["listFeatures", { startAfter: "", limit: 10, activeOnly: false }, OUTSIDER],
  ["listFeatures", { startAfter: "", limit: 10, activeOnly: true }, OUTSIDER],
  ["recordSuccess", { name: F }, REPORTER],
  ["recordError", { name: F }, REPORTER],
  ["recordBatch", { name: F, successes: 1, errors: 1 }, REPORTER],
  ["recordCohorts", { name: F, canarySuccesses: 1, canaryErrors: 1, baseSuccesses: 1, baseErrors: 1 }, REPORTER],
  ["recordLatency", { name: F, value: 3 }, REPORTER],
  ["recordInvariant", { name: F, ok: false }, REPORTER],
  ["startCanary", { name: F, bps: 100 }, OPERATOR],
  ["startRollout", { name: F, targetBps: 9000 }, OPERATOR],
  ["enable", { name: F }, OPERATOR],
  ["disable", { name: F }, OPERATOR],
  ["pause", { name: F }, GUARDIAN],
  ["resume", { name: F }, GUARDIAN],
  ["rollback", { name: F, reason: 0 }, GUARDIAN],
  ["reportIncident", { name: F, reason: 3 }, GUARDIAN],
  ["updatePolicy", { name: F, policy: DUE_POLICY }, OPERATOR],
  ["setOverride", { name: F, account: OUTSIDER, mode: 1 }, OPERATOR],
  ["processRollout", { name: F }, OUTSIDER],
  ["onPersist", {}, account(0)],
];

/** Runs `m` and expects CorruptState as a code (not a trap), with nothing changed. */
function expectCorrupt(fx: Fixture, m: MethodName, args: unknown, signer: Uint8Array, names: string[] = [F]): Sent {
  const r = expectRejected(fx, "CorruptState", () => sendRaw(fx, m, encodeArgs(m, args as never), signer), names);
  expect(r.code).toBe(15);
  expect(r.raw.trap).toBeUndefined();
  return r;
}

describe("SPEC 9 a corrupt feature record (0xD0 name 00) → CorruptState from every call that reads it", () => {
  it("the control: on the uncorrupted chain every one of these calls succeeds", () => {
    for (const [m, args, signer] of FEATURE_READERS) {
      const fx = dueChain();
      const r = sendRaw(fx, m, encodeArgs(m, args as never), signer);
      // Some are refused by the lifecycle table (resume of a running feature), none as corrupt.
      expect(r.codeName, m).not.toBe("CorruptState");
      expect(r.raw.trap, m).toBeUndefined();
    }
  });

  for (const [what, mutate] of FEATURE_MUTATIONS) {
    it(`${what}: every reader answers CorruptState (code 15, no trap) and changes nothing`, () => {
      const fx = dueChain();
      tamper(fx, KEY.feature(F), (v) => mutate(v!));
      for (const [m, args, signer] of FEATURE_READERS) expectCorrupt(fx, m, args, signer);
    });
  }

  it("onPersist after the block meets the corrupt record too: CorruptState, nothing kept, the other feature still served", () => {
    const fx = dueChain();
    must(fx.client.createFeature(OPERATOR, "other", "", null));
    tamper(fx, KEY.feature(F), (v) => withByte(v!, 1, 9));
    const root = stateRoot(fx.chain.store);
    const b = endBlock(fx, fx.chain.lastHeight + 2);
    expect(b.onPersist.code).toBe(15);
    expect(b.onPersist.trap).toBeUndefined();
    expect(b.changed).toBe(false);
    expect(stateRoot(fx.chain.store)).toBe(root);
    expect(fx.client.getFeature("other")?.status).toBe(0);
  });

  it("the corruption is local: a second feature's record still reads and acts normally", () => {
    const fx = dueChain();
    must(fx.client.createFeature(OPERATOR, "other", "", null));
    tamper(fx, KEY.feature(F), (v) => v!.subarray(0, 10));
    must(fx.client.startCanary(OPERATOR, "other", 100));
    expect(fx.client.getFeature("other")?.status).toBe(1);
  });
});

describe("SPEC 9 a corrupt roles record (0xD5 account) → CorruptState", () => {
  const ROLE_MUTATIONS: Mutation[] = [
    emptied,
    ["truncated (version only)", (v) => v.subarray(0, 1)],
    trailing,
    version2,
    version0,
    ["mask 0", (v) => withByte(v, 1, 0)],
    ["mask with an unknown role bit (0x10)", (v) => withByte(v, 1, 0x12)],
  ];
  for (const [what, mutate] of ROLE_MUTATIONS) {
    it(`the Operator's roles ${what}: hasRole, the Operator's own calls, and grants to it → CorruptState`, () => {
      const fx = dueChain();
      tamper(fx, KEY.roles(OPERATOR), (v) => mutate(v!));
      for (const role of [0, 1, 2, 3]) expectCorrupt(fx, "hasRole", { role, account: OPERATOR }, OUTSIDER);
      expectCorrupt(fx, "startCanary", { name: F, bps: 100 }, OPERATOR);
      expectCorrupt(fx, "createFeature", { name: "x", description: "", policy: null }, OPERATOR, [F, "x"]);
      expectCorrupt(fx, "grantRole", { role: 2, account: OPERATOR }, ADMIN);
      expectCorrupt(fx, "revokeRole", { role: 1, account: OPERATOR }, ADMIN);
      // Other accounts are unaffected.
      expect(fx.client.hasRole("Guardian", GUARDIAN)).toBe(true);
    });
  }
  it("the admin's own roles record corrupt: the admin can do nothing (CorruptState), not even revoke itself", () => {
    const fx = dueChain();
    tamper(fx, KEY.roles(ADMIN), (v) => withByte(v!, 0, 2));
    expectCorrupt(fx, "grantRole", { role: 1, account: OUTSIDER }, ADMIN);
    expectCorrupt(fx, "hasRole", { role: 0, account: ADMIN }, OUTSIDER);
  });
});

/** The first account(i) whose bucket in F is below the built canary's 500 bps. */
const INSIDE: Uint8Array = (() => {
  const fx = dueChain();
  for (let i = 0; i < 256; i++) if (fx.client.bucketOf(F, account(i)) < 500) return account(i);
  throw new Error("no account inside the canary");
})();

describe("SPEC 9 a corrupt global record (0xD4) → CorruptState", () => {
  it("the control: INSIDE is exposed, and is not once the feature is halted", () => {
    const fx = dueChain();
    expect(fx.client.isEnabled(F, INSIDE)).toBe(true);
    must(fx.client.setGlobal(GUARDIAN, false, true));
    expect(fx.client.isEnabled(F, INSIDE)).toBe(false);
  });

  const GLOBAL_MUTATIONS: Mutation[] = [
    truncated,
    emptied,
    trailing,
    version2,
    ["paused bool byte 2", (v) => withByte(v, 1, 2)],
    ["halted bool byte 2", (v) => withByte(v, 2, 2)],
  ];
  const GLOBAL_READERS: [MethodName, unknown, Uint8Array][] = [
    ["getGlobal", {}, OUTSIDER],
    ["setGlobal", { paused: true, halted: true }, GUARDIAN],
    ["pause", { name: F }, GUARDIAN],
    ["processRollout", { name: F }, OUTSIDER],
    ["onPersist", {}, account(0)],
  ];
  for (const [what, mutate] of GLOBAL_MUTATIONS) {
    it(`${what}: getGlobal, setGlobal, exposure of a live feature, pause, processRollout, onPersist → CorruptState`, () => {
      const fx = dueChain();
      tamper(fx, KEY.global(), (v) => mutate(v!));
      for (const [m, args, signer] of GLOBAL_READERS) expectCorrupt(fx, m, args, signer);
    });
  }

  it("the global record deleted after init is corrupt state too, not 'not initialized' and not 'nothing to do'", () => {
    const fx = dueChain();
    tamper(fx, KEY.global(), () => null);
    for (const [m, args, signer] of GLOBAL_READERS) expectCorrupt(fx, m, args, signer);
  });

  it("isEnabled does not read the global record: a live feature answers from its record's mirror of the halt flag", () => {
    const fx = dueChain();
    tamper(fx, KEY.global(), (v) => withByte(v!, 0, 2));
    expect(fx.client.isEnabled(F, INSIDE)).toBe(true);
    expect(fx.client.isEnabledMany(F, [INSIDE, account(0x34)])).toEqual([true, false]);
  });

  it("a startCanary (which copies the halt flag into the record) on a corrupt global → CorruptState", () => {
    const fx = chainAt("Disabled");
    tamper(fx, KEY.global(), (v) => withByte(v!, 0, 2));
    expectCorrupt(fx, "startCanary", { name: F, bps: 100 }, OPERATOR);
  });

  it("a startRollout (which reads the clock) on a corrupt global → CorruptState", () => {
    const fx = chainAt("Canary");
    tamper(fx, KEY.global(), (v) => withByte(v!, 0, 2));
    expectCorrupt(fx, "startRollout", { name: F, targetBps: 9000 }, OPERATOR);
  });
});

describe("SPEC 9 a corrupt history entry (0xD2 name 00 seq) → CorruptState from getHistory", () => {
  const HISTORY_MUTATIONS: Mutation[] = [
    truncated,
    halved,
    emptied,
    trailing,
    version2,
    ["from status 9", (v) => withByte(v, 5, 9)],
    ["to status 9", (v) => withByte(v, 6, 9)],
    ["rolloutBps 10001", (v) => withByte(withByte(v, 7, 0x11), 8, 0x27)],
    ["reason Option tag 2", (v) => withByte(v, 9, 2)],
    ["actor Option tag 2", (v) => withByte(v, 10, 2)],
  ];
  for (const [what, mutate] of HISTORY_MUTATIONS) {
    it(`entry 1 ${what}: a page containing it → CorruptState; pages around it still read`, () => {
      const fx = dueChain(); // entries 0 (→ Canary) and 1 (→ RollingOut)
      tamper(fx, KEY.history(F, 1), (v) => mutate(v!));
      expectCorrupt(fx, "getHistory", { name: F, fromSeq: 0, limit: 10 }, OUTSIDER);
      expectCorrupt(fx, "getHistory", { name: F, fromSeq: 1, limit: 1 }, OUTSIDER);
      expect(fx.client.getHistory(F, { fromSeq: 0, limit: 1 })).toHaveLength(1);
      expect(fx.client.getFeature(F)?.status).toBe(2);
    });
  }
  it("an entry below the feature's history length gone → CorruptState", () => {
    const fx = dueChain();
    tamper(fx, KEY.history(F, 0), () => null);
    expectCorrupt(fx, "getHistory", { name: F, fromSeq: 0, limit: 10 }, OUTSIDER);
  });
});

describe("SPEC 9 a corrupt override (0xD3 name 00 account) → CorruptState", () => {
  const OVERRIDE_MUTATIONS: Mutation[] = [
    emptied,
    ["truncated (version only)", (v) => v.subarray(0, 1)],
    trailing,
    version2,
    ["mode 0 (Clear is never stored)", (v) => withByte(v, 1, 0)],
    ["mode 3", (v) => withByte(v, 1, 3)],
  ];
  for (const [what, mutate] of OVERRIDE_MUTATIONS) {
    it(`${what}: isEnabled/isEnabledMany for that account and setOverride → CorruptState; other accounts unaffected`, () => {
      const fx = dueChain();
      must(fx.client.setOverride(OPERATOR, F, OUTSIDER, "ForceOn"));
      tamper(fx, KEY.override(F, OUTSIDER), (v) => mutate(v!));
      expectCorrupt(fx, "isEnabled", { name: F, account: OUTSIDER }, OUTSIDER);
      expectCorrupt(fx, "isEnabledMany", { name: F, accounts: [ADMIN, OUTSIDER] }, OUTSIDER);
      expectCorrupt(fx, "setOverride", { name: F, account: OUTSIDER, mode: 2 }, OPERATOR);
      expectCorrupt(fx, "setOverride", { name: F, account: OUTSIDER, mode: 0 }, OPERATOR);
      expect(typeof fx.client.isEnabled(F, ADMIN)).toBe("boolean");
    });
  }
});

describe("SPEC 9 a corrupt meta record (0xD6) → CorruptState where the admin count is needed", () => {
  for (const [what, mutate] of [truncated, emptied, trailing, version2] as Mutation[]) {
    it(`${what}: granting or revoking Admin → CorruptState`, () => {
      const fx = dueChain();
      tamper(fx, KEY.meta(), (v) => mutate(v!));
      expectCorrupt(fx, "grantRole", { role: 0, account: OUTSIDER }, ADMIN);
      expectCorrupt(fx, "revokeRole", { role: 0, account: ADMIN }, ADMIN);
    });
  }
});

describe("SPEC 9 a corrupt due index (0xD7 dueAt name 00) → CorruptState from onPersist", () => {
  const dueKey = (fx: Fixture): Uint8Array => {
    const keys = keysWithPrefix(fx, 0xd7);
    expect(keys).toHaveLength(1);
    return keys[0]!;
  };
  const cases: [string, (fx: Fixture) => void][] = [
    ["a key without its 00 terminator", (fx) => {
      const k = dueKey(fx);
      tamper(fx, k.subarray(0, k.length - 1), () => Uint8Array.from([1]));
    }],
    ["an entry for a feature that does not exist", (fx) => {
      const k = dueKey(fx);
      tamper(fx, Uint8Array.from([...k.subarray(0, 5), 0x61, 0]), () => Uint8Array.from([1])); // "a" sorts before F
    }],
    ["an entry for an invalid name", (fx) => {
      const k = dueKey(fx);
      tamper(fx, Uint8Array.from([...k.subarray(0, 5), 0x41, 0]), () => Uint8Array.from([1])); // "A"
    }],
    ["an entry whose feature record is corrupt", (fx) => tamper(fx, KEY.feature(F), (v) => withByte(v!, 0, 9))],
  ];
  for (const [what, corrupt] of cases) {
    it(`${what}: onPersist → CorruptState (code 15, no trap), nothing kept`, () => {
      const fx = dueChain();
      corrupt(fx);
      expectCorrupt(fx, "onPersist", {}, account(0));
      const root = stateRoot(fx.chain.store);
      const b = endBlock(fx);
      expect(b.onPersist.code).toBe(15);
      expect(b.onPersist.trap).toBeUndefined();
      expect(stateRoot(fx.chain.store)).toBe(root);
    });
  }

  // DESIGN: index entries carry only a version byte and are never decoded; the feature record
  // is the truth. A marker value that would not decode changes nothing: the step still runs.
  for (const [what, value] of [
    ["version 2", [2]],
    ["empty", []],
    ["with a trailing byte", [1, 0]],
  ] as const) {
    it(`the entry's value ${what} is never decoded (DESIGN): onPersist still steps the feature from its record`, () => {
      const fx = dueChain();
      tamper(fx, dueKey(fx), () => Uint8Array.from(value));
      must(fx.client.recordSuccess(REPORTER, F)); // now 2 samples: the waiting step can run
      const b = endBlock(fx, fx.chain.lastHeight + 2);
      expect(b.onPersist.code).toBe(0);
      expect(b.events.map((e) => e.name)).toEqual(["RolloutAdvanced"]);
      expect(fx.client.getFeature(F)?.rolloutBps).toBe(1500);
    });
  }

  it("a stray entry for a feature that is not RollingOut is skipped (DESIGN), not corrupt", () => {
    const fx = dueChain();
    must(fx.client.createFeature(OPERATOR, "idle", "", null));
    const k = dueKey(fx);
    tamper(fx, Uint8Array.from([...k.subarray(0, 5), ...new TextEncoder().encode("idle"), 0]), () => Uint8Array.from([1]));
    const b = endBlock(fx, fx.chain.lastHeight + 2);
    expect(b.onPersist.code).toBe(0);
    expect(fx.client.getFeature("idle")?.status).toBe(0);
  });

  it("the control: the uncorrupted due feature makes onPersist return ok (it waits for samples)", () => {
    const fx = dueChain();
    const before = observe(fx);
    expect(endBlock(fx, CALL_NEXT).onPersist.code).toBe(0);
    expect(observe(fx).features).toEqual(before.features);
  });
});

describe("SPEC 9 a corrupt active index (0xD8 name 00) → CorruptState from listFeatures(activeOnly)", () => {
  const cases: [string, (fx: Fixture) => void][] = [
    ["an entry for a feature that does not exist", (fx) => tamper(fx, KEY.active("zzz"), () => Uint8Array.from([1]))],
    ["a key without its terminator", (fx) => tamper(fx, Uint8Array.from([0xd8, 0x7a]), () => Uint8Array.from([1]))],
  ];
  for (const [what, corrupt] of cases) {
    it(`${what}: listFeatures(activeOnly) → CorruptState`, () => {
      const fx = dueChain();
      corrupt(fx);
      expectCorrupt(fx, "listFeatures", { startAfter: "", limit: 100, activeOnly: true }, OUTSIDER);
    });
  }
  for (const [what, value] of [
    ["version 2", [2]],
    ["with a trailing byte", [1, 0]],
  ] as const) {
    it(`the entry's value ${what} is never decoded (DESIGN): the feature is listed from its record`, () => {
      const fx = dueChain();
      tamper(fx, KEY.active(F), () => Uint8Array.from(value));
      expect(fx.client.listFeatures({ activeOnly: true }).map((v) => [v.name, v.status])).toEqual([[F, 2]]);
    });
  }
});
