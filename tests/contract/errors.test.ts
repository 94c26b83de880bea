// SPEC section 6 error codes: each one produced, BadInput for every method and every kind of
// malformed input, NotInitialized before init, the precedence BadInput > NotInitialized >
// Unauthorized > the rest, LimitExceeded, InvalidPolicy (SPEC section 2), InvalidName,
// FeatureNotFound and FeatureDisabled. Every failing call is checked to change nothing.

import { describe, expect, it } from "vitest";
import { METHOD_NAMES, METHODS, type MethodName } from "../../src/abi/methods.ts";
import { stateRoot } from "../../src/host/index.ts";
import { encodeArgs, ErrorCode, type ErrorCodeName, type MethodArgs, type PolicyInput } from "../../src/client/index.ts";
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
  emptyChain,
  expectRejected,
  feature,
  initializedChain,
  liveRoot,
  metrics,
  must,
  replaceString,
  send,
  sendRaw,
  tamper,
  view,
  withByte,
  type Fixture,
  type Start,
} from "./_lifecycle_helpers.ts";

const EMPTY_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** Valid arguments for every method (F exists on the chains these are sent to). */
const VALID: { [M in MethodName]: MethodArgs[M] } = {
  init: { admin: ADMIN },
  grantRole: { role: 2, account: OUTSIDER },
  revokeRole: { role: 2, account: GUARDIAN },
  hasRole: { role: 1, account: OPERATOR },
  createFeature: { name: "newf", description: "desc", policy: { ...TEST_POLICY, salt: "salt" } },
  updatePolicy: { name: F, policy: { ...TEST_POLICY, incrementBlocks: 77 } },
  startCanary: { name: F, bps: 700 },
  startRollout: { name: F, targetBps: 6000 },
  enable: { name: F },
  disable: { name: F },
  pause: { name: F },
  resume: { name: F },
  rollback: { name: F, reason: 0 },
  setOverride: { name: F, account: OUTSIDER, mode: 1 },
  setGlobal: { paused: true, halted: false },
  recordSuccess: { name: F },
  recordError: { name: F },
  recordBatch: { name: F, successes: 1, errors: 0 },
  recordCohorts: { name: F, canarySuccesses: 1, canaryErrors: 0, baseSuccesses: 3, baseErrors: 0 },
  recordLatency: { name: F, value: 5 },
  recordInvariant: { name: F, ok: true },
  reportIncident: { name: F, reason: 3 },
  processRollout: { name: F },
  onPersist: {},
  isEnabled: { name: F, account: OUTSIDER },
  isEnabledMany: { name: F, accounts: [OUTSIDER, ADMIN] },
  bucketOf: { name: F, account: OUTSIDER },
  getFeature: { name: F },
  getMetrics: { name: F },
  listFeatures: { startAfter: "aaaa", limit: 10, activeOnly: false },
  getHistory: { name: F, fromSeq: 0, limit: 10 },
  getGlobal: {},
};

const validBytes = (m: MethodName): Uint8Array => encodeArgs(m, VALID[m] as never);

/** The Borsh Strings of each method's valid arguments (by content), where invalid UTF-8 can go. */
const STRINGS: Partial<Record<MethodName, string[]>> = Object.fromEntries(
  METHOD_NAMES.map((m) => {
    const a = VALID[m] as Record<string, unknown>;
    const s: string[] = [];
    if (typeof a.name === "string") s.push(a.name);
    if (typeof a.description === "string") s.push(a.description);
    const p = a.policy as PolicyInput | null | undefined;
    if (p && typeof p.salt === "string" && p.salt !== "") s.push(p.salt);
    if (typeof a.startAfter === "string") s.push(a.startAfter);
    return [m, s];
  }).filter(([, s]) => (s as string[]).length > 0),
);

/** 4-byte invalid UTF-8 sequences (same length as the 4-byte strings they replace). */
const BAD_UTF8: [string, number[]][] = [
  ["byte 0xff", [0x66, 0xff, 0x61, 0x74]],
  ["lone continuation byte", [0x80, 0x65, 0x61, 0x74]],
  ["overlong '/'", [0xc0, 0xaf, 0x61, 0x74]],
  ["UTF-16 surrogate", [0xed, 0xa0, 0x80, 0x74]],
  ["truncated sequence", [0x66, 0x65, 0xe2, 0x82]],
  ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
];

/** The offset of the Borsh String `s` (its u32 length prefix) in `bytes`. */
function stringOffset(bytes: Uint8Array, s: string): number {
  const sb = new TextEncoder().encode(s);
  const needle = [sb.length, 0, 0, 0, ...sb];
  for (let i = 0; i + needle.length <= bytes.length; i++) if (needle.every((b, j) => bytes[i + j] === b)) return i;
  throw new Error(`string ${s} not found`);
}

/** Runs raw bytes as `m` signed by `signer`, expecting `code` and no effect. */
function rejectRaw(fx: Fixture, m: MethodName, bytes: Uint8Array, code: ErrorCodeName, signer: Parameters<typeof sendRaw>[3] = ADMIN) {
  expectRejected(fx, code, () => sendRaw(fx, m, bytes, signer), [F, "newf"]);
}

/** A chain where every valid call above could succeed on its own: F is a Canary, ADMIN holds every role. */
const ready = (): Fixture => chainAt("Canary");

describe("SPEC 6 BadInput: arguments that are not exactly one Borsh value, for every method", () => {
  for (const m of METHOD_NAMES) {
    describe(m, () => {
      it("the valid arguments are accepted (the control)", () => {
        const fx = ready();
        const r = sendRaw(fx, m, validBytes(m), ADMIN);
        // Some valid calls fail for their own reason (init twice), never for BadInput.
        expect(r.codeName).not.toBe("BadInput");
        if (m !== "init" && m !== "resume") expect(r.codeName).toBe("Ok");
      });

      it("valid arguments plus one trailing byte → BadInput, nothing changes", () => {
        const fx = ready();
        rejectRaw(fx, m, concat(validBytes(m), [0]), "BadInput");
        rejectRaw(fx, m, concat(validBytes(m), [0xff, 0xff, 0xff, 0xff]), "BadInput");
      });

      const valid = validBytes(m);
      if (valid.length > 0) {
        it("valid arguments minus the last byte, and empty input → BadInput, nothing changes", () => {
          const fx = ready();
          rejectRaw(fx, m, valid.subarray(0, valid.length - 1), "BadInput");
          rejectRaw(fx, m, new Uint8Array(0), "BadInput");
          if (valid.length > 3) rejectRaw(fx, m, valid.subarray(0, 3), "BadInput");
        });
      }

      for (const s of STRINGS[m] ?? []) {
        it(`invalid UTF-8 in the string "${s}" → BadInput (every kind)`, () => {
          const fx = ready();
          for (const [, bad] of BAD_UTF8) rejectRaw(fx, m, replaceString(valid, s, Uint8Array.from(bad)), "BadInput");
        });
        it(`a length prefix of "${s}" longer than the input → BadInput`, () => {
          const fx = ready();
          const i = stringOffset(valid, s);
          const big = Uint8Array.from(valid);
          big.set([0xff, 0xff, 0xff, 0x7f], i);
          rejectRaw(fx, m, big, "BadInput");
          big.set([s.length + 1, 0, 0, 0], i); // one byte more than the string: reads into the next field
          if (i + 4 + s.length === valid.length) rejectRaw(fx, m, big, "BadInput");
        });
      }
    });
  }

  const enumCases: [string, MethodName, (b: Uint8Array) => Uint8Array][] = [
    ["setGlobal paused = bool byte 2", "setGlobal", (b) => withByte(b, 0, 2)],
    ["setGlobal halted = bool byte 2", "setGlobal", (b) => withByte(b, 1, 2)],
    ["setGlobal paused = bool byte 0xff", "setGlobal", (b) => withByte(b, 0, 0xff)],
    ["listFeatures activeOnly = bool byte 2", "listFeatures", (b) => withByte(b, -1, 2)],
    ["recordInvariant ok = bool byte 2", "recordInvariant", (b) => withByte(b, -1, 2)],
    ["grantRole role 4", "grantRole", (b) => withByte(b, 0, 4)],
    ["grantRole role 255", "grantRole", (b) => withByte(b, 0, 255)],
    ["revokeRole role 4", "revokeRole", (b) => withByte(b, 0, 4)],
    ["hasRole role 4", "hasRole", (b) => withByte(b, 0, 4)],
    ["setOverride mode 3", "setOverride", (b) => withByte(b, -1, 3)],
    ["setOverride mode 255", "setOverride", (b) => withByte(b, -1, 255)],
    ["rollback reason 7", "rollback", (b) => withByte(b, -1, 7)],
    ["rollback reason 255", "rollback", (b) => withByte(b, -1, 255)],
    ["reportIncident reason 0 (Manual)", "reportIncident", (b) => withByte(b, -1, 0)],
    ["reportIncident reason 1 (ErrorRate)", "reportIncident", (b) => withByte(b, -1, 1)],
    ["reportIncident reason 2 (InvariantViolation)", "reportIncident", (b) => withByte(b, -1, 2)],
    ["reportIncident reason 5 (Performance)", "reportIncident", (b) => withByte(b, -1, 5)],
    ["reportIncident reason 6 (Deadline)", "reportIncident", (b) => withByte(b, -1, 6)],
    ["reportIncident reason 7", "reportIncident", (b) => withByte(b, -1, 7)],
    ["isEnabledMany account count 2^32 − 1", "isEnabledMany", (b) => withByte(withByte(withByte(withByte(b, 8, 0xff), 9, 0xff), 10, 0xff), 11, 0xff)],
    ["isEnabledMany account count 3 with 2 accounts", "isEnabledMany", (b) => withByte(b, 8, 3)],
  ];
  for (const [title, m, mutate] of enumCases) {
    it(`${title} → BadInput, nothing changes`, () => {
      const fx = ready();
      rejectRaw(fx, m, mutate(validBytes(m)), "BadInput");
    });
  }

  it("createFeature Option<Policy> tag 2 → BadInput (with a policy after it, and with nothing after it)", () => {
    const fx = ready();
    const withPolicy = validBytes("createFeature");
    const tagAt = 4 + 4 + 4 + 4; // name "newf", description "desc"
    expect(withPolicy[tagAt]).toBe(1);
    rejectRaw(fx, "createFeature", withByte(withPolicy, tagAt, 2), "BadInput");
    const none = encodeArgs("createFeature", { name: "newf", description: "desc", policy: null });
    expect(none[none.length - 1]).toBe(0);
    rejectRaw(fx, "createFeature", withByte(none, -1, 2), "BadInput");
  });

  it("a policy steps count larger than the input → BadInput (not InvalidPolicy)", () => {
    const fx = ready();
    const b = validBytes("updatePolicy");
    const stepsAt = 4 + F.length; // policy starts with the steps Vec count
    expect([...b.subarray(stepsAt, stepsAt + 4)]).toEqual([0, 0, 0, 0]);
    rejectRaw(fx, "updatePolicy", withByte(b, stepsAt, 200), "BadInput");
  });

  it("policy fields are validated as policy, never decoded as enums: analysis 3 → InvalidPolicy, not BadInput", () => {
    const fx = ready();
    expectRejected(fx, "InvalidPolicy", () => send(fx, "updatePolicy", { name: F, policy: { ...TEST_POLICY, analysis: 3 } }, OPERATOR));
  });
});

describe("SPEC 6 NotInitialized: every method before init (onPersist excepted)", () => {
  for (const m of METHOD_NAMES) {
    if (m === "init") continue;
    if (m === "onPersist") {
      it("onPersist before init returns ok and does nothing (no write, no event)", () => {
        const fx = emptyChain();
        const r = send(fx, "onPersist", {}, account(0));
        expect(r.codeName).toBe("Ok");
        expect(r.events).toEqual([]);
        expect(liveRoot(fx)).toBe(EMPTY_ROOT);
        const b = fx.chain.endBlock();
        expect(b.onPersist.code).toBe(0);
        expect(b.changed).toBe(false);
        expect(stateRoot(fx.chain.store)).toBe(EMPTY_ROOT);
      });
      continue;
    }
    it(`${m} before init → NotInitialized, nothing written`, () => {
      const fx = emptyChain();
      const r = sendRaw(fx, m, validBytes(m), ADMIN);
      expect(r.codeName).toBe("NotInitialized");
      expect(r.events).toEqual([]);
      expect(liveRoot(fx)).toBe(EMPTY_ROOT);
    });
  }

  it("init itself is the one call that works before init", () => {
    const fx = emptyChain();
    expect(fx.client.init(ADMIN, ADMIN).codeName).toBe("Ok");
  });
});

describe("SPEC 6 precedence: BadInput > NotInitialized > Unauthorized > the rest", () => {
  for (const m of METHOD_NAMES) {
    it(`${m}: malformed input is BadInput before init and from an unsigned outsider`, () => {
      const a = emptyChain();
      const bad = concat(validBytes(m), [7]);
      expect(sendRaw(a, m, bad, ADMIN).codeName).toBe("BadInput");
      expect(sendRaw(a, m, bad, { sender: OUTSIDER, witnesses: [] }).codeName).toBe("BadInput");
      expect(liveRoot(a)).toBe(EMPTY_ROOT);
      const b = ready();
      rejectRaw(b, m, bad, "BadInput", { sender: OUTSIDER, witnesses: [] });
    });
  }

  it("an enum out of range on a call that would also fail for its status is BadInput", () => {
    const fx = chainAt("Disabled");
    expectRejected(fx, "BadInput", () => send(fx, "reportIncident", { name: F, reason: 0 }, REPORTER)); // FeatureDisabled otherwise
    expectRejected(fx, "BadInput", () => send(fx, "rollback", { name: F, reason: 7 }, GUARDIAN)); // InvalidTransition otherwise
    expectRejected(fx, "BadInput", () => send(fx, "rollback", { name: "nope", reason: 9 }, OUTSIDER)); // Unauthorized otherwise
  });

  const notInit: [string, MethodName, unknown][] = [
    ["an unsigned outsider", "startCanary", { name: F, bps: 700 }],
    ["an unknown feature", "enable", { name: "nope" }],
    ["an invalid name", "createFeature", { name: "BAD NAME", description: "", policy: null }],
    ["a description too long", "createFeature", { name: "x", description: "d".repeat(257), policy: null }],
    ["an invalid policy", "createFeature", { name: "x", description: "", policy: { incrementBps: 0 } }],
    ["bps 0", "startCanary", { name: F, bps: 0 }],
    ["getHistory limit 0", "getHistory", { name: F, fromSeq: 0, limit: 0 }],
    ["getHistory limit 101", "getHistory", { name: F, fromSeq: 0, limit: 101 }],
    ["listFeatures limit 0", "listFeatures", { startAfter: "", limit: 0, activeOnly: false }],
    ["listFeatures limit 101", "listFeatures", { startAfter: "", limit: 101, activeOnly: true }],
    ["listFeatures startAfter of 65 bytes", "listFeatures", { startAfter: "a".repeat(65), limit: 10, activeOnly: false }],
    ["isEnabledMany 1025 accounts", "isEnabledMany", { name: F, accounts: Array.from({ length: 1025 }, () => OUTSIDER) }],
    ["revoking the only admin", "revokeRole", { role: 0, account: ADMIN }],
    ["a report for an unknown feature", "recordSuccess", { name: F }],
    ["hasRole of nobody", "hasRole", { role: 3, account: OUTSIDER }],
  ];
  for (const [what, m, args] of notInit) {
    it(`before init, ${what} (${m}) → NotInitialized`, () => {
      const fx = emptyChain();
      const signer = what === "an unsigned outsider" ? { sender: OUTSIDER, witnesses: [] } : ADMIN;
      const r = sendRaw(fx, m, encodeArgs(m, args as never), signer);
      expect(r.codeName).toBe("NotInitialized");
      expect(liveRoot(fx)).toBe(EMPTY_ROOT);
    });
  }

  const unauth: [string, MethodName, unknown][] = [
    ["an unknown feature (FeatureNotFound otherwise)", "startCanary", { name: "nope", bps: 100 }],
    ["an invalid name (InvalidName otherwise)", "createFeature", { name: "BAD", description: "", policy: null }],
    ["an existing name (FeatureAlreadyExists otherwise)", "createFeature", { name: F, description: "", policy: null }],
    ["a description too long (LimitExceeded otherwise)", "createFeature", { name: "x", description: "d".repeat(300), policy: null }],
    ["an invalid policy (InvalidPolicy otherwise)", "updatePolicy", { name: F, policy: { incrementBlocks: 0 } }],
    ["bps 0 (InvalidPercent otherwise)", "startCanary", { name: F, bps: 0 }],
    ["a wrong status (InvalidTransition otherwise)", "enable", { name: F }],
    ["a Disabled feature (FeatureDisabled otherwise)", "recordError", { name: F }],
    ["revoking the last admin (LastAdmin otherwise)", "revokeRole", { role: 0, account: ADMIN }],
  ];
  for (const [what, m, args] of unauth) {
    it(`after init, an outsider with ${what} (${m}) → Unauthorized, nothing changes`, () => {
      const fx = chainAt(m === "enable" ? "Enabled" : "Disabled");
      expectRejected(fx, "Unauthorized", () => sendRaw(fx, m, encodeArgs(m, args as never), OUTSIDER));
    });
  }

  it("createFeature's own order (DESIGN): InvalidName > LimitExceeded > InvalidPolicy > FeatureAlreadyExists", () => {
    const fx = chainAt("Disabled");
    const long = "d".repeat(257);
    const badPolicy = { incrementBps: 0 };
    const cf = (name: string, description: string, policy: PolicyInput | null) =>
      send(fx, "createFeature", { name, description, policy }, OPERATOR);
    expectRejected(fx, "InvalidName", () => cf("Bad", long, badPolicy));
    expectRejected(fx, "LimitExceeded", () => cf(F, long, badPolicy));
    expectRejected(fx, "InvalidPolicy", () => cf(F, "", badPolicy));
    expectRejected(fx, "FeatureAlreadyExists", () => cf(F, "", null));
  });
});

describe("SPEC 6 LimitExceeded", () => {
  it("description of 257 bytes → LimitExceeded; 256 bytes accepted (bytes, not characters)", () => {
    const fx = chainAt("Disabled");
    const cf = (name: string, description: string) => send(fx, "createFeature", { name, description, policy: null }, OPERATOR);
    expectRejected(fx, "LimitExceeded", () => cf("a1", "d".repeat(257)), ["a1"]);
    expectRejected(fx, "LimitExceeded", () => cf("a2", "€".repeat(86)), ["a2"]); // 258 bytes, 86 characters
    expectRejected(fx, "LimitExceeded", () => cf("a3", "é".repeat(128) + "x"), ["a3"]); // 257 bytes
    expect(cf("b1", "d".repeat(256)).codeName).toBe("Ok");
    expect(cf("b2", "é".repeat(128)).codeName).toBe("Ok");
    expect(feature(fx, "b2").description).toBe("é".repeat(128));
  });

  for (const limit of [0, 101, 65535]) {
    it(`listFeatures limit ${limit} → LimitExceeded (activeOnly false and true)`, () => {
      const fx = chainAt("Canary");
      for (const activeOnly of [false, true]) {
        const r = view(fx, "listFeatures", { startAfter: "", limit, activeOnly });
        expect(r.codeName).toBe("LimitExceeded");
      }
    });
    it(`getHistory limit ${limit} → LimitExceeded`, () => {
      const fx = chainAt("Canary");
      expect(view(fx, "getHistory", { name: F, fromSeq: 0, limit }).codeName).toBe("LimitExceeded");
    });
  }

  it("listFeatures and getHistory accept limits 1 and 100", () => {
    const fx = chainAt("Canary");
    for (const limit of [1, 100]) {
      expect(fx.client.listFeatures({ limit })).toHaveLength(1);
      expect(fx.client.getHistory(F, { limit })).toHaveLength(1);
    }
  });

  it("listFeatures startAfter of 65 bytes → LimitExceeded (DESIGN); 64 bytes accepted", () => {
    const fx = chainAt("Canary");
    expect(view(fx, "listFeatures", { startAfter: "a".repeat(65), limit: 10, activeOnly: false }).codeName).toBe("LimitExceeded");
    expect(fx.client.listFeatures({ startAfter: "a".repeat(64) })).toHaveLength(1);
  });

  it("isEnabledMany with 1025 accounts → LimitExceeded; 1024 and 0 accepted", () => {
    const fx = chainAt("Enabled");
    const many = (n: number) => Array.from({ length: n }, (_, i) => account(i & 0xff));
    expect(view(fx, "isEnabledMany", { name: F, accounts: many(1025) }).codeName).toBe("LimitExceeded");
    expect(view(fx, "isEnabledMany", { name: "nope", accounts: many(1025) }).codeName).toBe("LimitExceeded");
    expect(fx.client.isEnabledMany(F, many(1024))).toEqual(Array(1024).fill(true));
    expect(fx.client.isEnabledMany(F, [])).toEqual([]);
  });
});

describe("SPEC 2 InvalidPolicy: every rule, on createFeature and on updatePolicy", () => {
  const steps = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const BAD: [string, PolicyInput][] = [
    ["33 steps", { steps: steps(33) }],
    ["steps not increasing (equal)", { steps: [100, 100] }],
    ["steps decreasing", { steps: [200, 100] }],
    ["a step 0", { steps: [0, 100] }],
    ["a step 10001", { steps: [100, 10001] }],
    ["a step 65535", { steps: [65535] }],
    ["incrementBps 0", { incrementBps: 0 }],
    ["incrementBps 10001", { incrementBps: 10001 }],
    ["incrementBlocks 0", { incrementBlocks: 0 }],
    ["maxErrorRateBps 10001", { maxErrorRateBps: 10001 }],
    ["analysis 3", { analysis: 3 }],
    ["analysis 255", { analysis: 255 }],
    ["Sequential with slope 0", { analysis: 1, seqSlopePpm: 0, seqInterceptPpm: 4_110_000 }],
    ["Sequential with threshold (seqInterceptPpm) 0", { analysis: 1, seqSlopePpm: 14435, seqInterceptPpm: 0 }],
    ["Comparative with compExcessPpm 0", { analysis: 2, compExcessPpm: 0, compLnRatioPpm: 1 }],
    ["Comparative with compExcessPpm 9000001", { analysis: 2, compExcessPpm: 9_000_001 }],
    ["Comparative with compExcessPpm 2^32 − 1", { analysis: 2, compExcessPpm: 0xffffffff }],
    ["Comparative with compLnRatioPpm 0", { analysis: 2, compLnRatioPpm: 0 }],
    ["Comparative with compLnRatioPpm k + 1", { analysis: 2, compExcessPpm: 1000000, compLnRatioPpm: 1000001 }],
    ["Comparative with compThresholdPpm 0", { analysis: 2, compThresholdPpm: 0 }],
    ["deadline = incrementBlocks", { incrementBlocks: 100, progressDeadlineBlocks: 100 }],
    ["deadline < incrementBlocks", { incrementBlocks: 100, progressDeadlineBlocks: 50 }],
    ["deadline 1 with incrementBlocks 1", { incrementBlocks: 1, progressDeadlineBlocks: 1 }],
    ["salt of 65 bytes", { salt: "s".repeat(65) }],
    ["salt of 33 two-byte characters (66 bytes)", { salt: "é".repeat(33) }],
  ];
  const GOOD: [string, PolicyInput][] = [
    ["32 steps", { steps: steps(32) }],
    ["steps [10000]", { steps: [10000] }],
    ["steps [1, 10000]", { steps: [1, 10000] }],
    ["incrementBps 1 and 10000", { incrementBps: 10000 }],
    ["incrementBps 1", { incrementBps: 1 }],
    ["incrementBlocks 1", { incrementBlocks: 1 }],
    ["maxErrorRateBps 0", { maxErrorRateBps: 0 }],
    ["maxErrorRateBps 10000", { maxErrorRateBps: 10000 }],
    ["Sequential with slope 1", { analysis: 1, seqSlopePpm: 1 }],
    ["Threshold with slope 0", { analysis: 0, seqSlopePpm: 0 }],
    ["Threshold with slope 0, threshold 0 and every comp* field 0", { analysis: 0, seqSlopePpm: 0, seqInterceptPpm: 0, compExcessPpm: 0, compLnRatioPpm: 0, compThresholdPpm: 0 }],
    ["Sequential with threshold 1 and floor 0", { analysis: 1, seqInterceptPpm: 1, seqFloorPpm: 0 }],
    ["Sequential with every comp* field 0 (not its rule)", { analysis: 1, compExcessPpm: 0, compLnRatioPpm: 0, compThresholdPpm: 0 }],
    ["Comparative with the defaults (r = 2)", { analysis: 2 }],
    ["Comparative with k = 1, L = 1, threshold 1, floor 0", { analysis: 2, compExcessPpm: 1, compLnRatioPpm: 1, compThresholdPpm: 1, compFloorPpm: 0 }],
    ["Comparative with k = 9000000, L = k", { analysis: 2, compExcessPpm: 9_000_000, compLnRatioPpm: 9_000_000 }],
    ["Comparative with slope 0 and threshold 0 (not its rule)", { analysis: 2, seqSlopePpm: 0, seqInterceptPpm: 0 }],
    ["extreme appended fields", { seqFloorPpm: 2n ** 64n - 1n, compThresholdPpm: 2n ** 64n - 1n, compFloorPpm: 2n ** 64n - 1n }],
    ["deadline = incrementBlocks + 1", { incrementBlocks: 100, progressDeadlineBlocks: 101 }],
    ["deadline 0 (off)", { incrementBlocks: 100, progressDeadlineBlocks: 0 }],
    ["extreme u32/u64 fields", { minSamples: 0xffffffff, minSuccessCount: 2n ** 64n - 1n, maxAvgLatency: 2n ** 64n - 1n, incrementBlocks: 0xfffffffe, progressDeadlineBlocks: 0xffffffff }],
  ];

  for (const [what, p] of BAD) {
    it(`createFeature with ${what} → InvalidPolicy, nothing created`, () => {
      const fx = chainAt("Disabled");
      expectRejected(fx, "InvalidPolicy", () => send(fx, "createFeature", { name: "pol", description: "", policy: p }, OPERATOR), ["pol"]);
    });
    it(`updatePolicy with ${what} → InvalidPolicy, policy unchanged`, () => {
      const fx = chainAt("Canary");
      expectRejected(fx, "InvalidPolicy", () => send(fx, "updatePolicy", { name: F, policy: { ...TEST_POLICY, ...p } }, OPERATOR));
    });
  }

  it("the salt's 64-byte edge: 64 bytes accepted at creation (ASCII and 32 two-byte characters)", () => {
    const fx = chainAt("Disabled");
    must(fx.client.createFeature(OPERATOR, "s64", "", { salt: "s".repeat(64) }));
    must(fx.client.createFeature(OPERATOR, "s64u", "", { salt: "é".repeat(32) }));
    expect(feature(fx, "s64").policy.salt).toBe("s".repeat(64));
  });

  for (const [what, p] of GOOD) {
    it(`createFeature with ${what} is accepted and stored exactly`, () => {
      const fx = chainAt("Disabled");
      const r = send(fx, "createFeature", { name: "pol", description: "", policy: p }, OPERATOR);
      expect(r.codeName).toBe("Ok");
      const stored = feature(fx, "pol").policy;
      for (const [k, v] of Object.entries(p)) {
        const want = typeof v === "number" && typeof stored[k as keyof typeof stored] === "bigint" ? BigInt(v) : v;
        expect(stored[k as keyof typeof stored], k).toEqual(want);
      }
    });
    it(`updatePolicy with ${what} is accepted, with a PolicyUpdated event`, () => {
      const fx = chainAt("RollingOut");
      const r = send(fx, "updatePolicy", { name: F, policy: p }, OPERATOR);
      expect(r.codeName).toBe("Ok");
      expect(r.events).toEqual([{ name: "PolicyUpdated", data: { name: F } }]);
    });
  }

  it("updatePolicy with the policy already stored is a no-op (DESIGN): ok, no event, no write", () => {
    const fx = chainAt("RollingOut");
    const before = liveRoot(fx);
    const r = send(fx, "updatePolicy", { name: F, policy: TEST_POLICY }, OPERATOR);
    expect(r.codeName).toBe("Ok");
    expect(r.events).toEqual([]);
    expect(liveRoot(fx)).toBe(before);
  });

  describe("the salt is fixed once the feature exists", () => {
    const withSalt = (salt: string): Fixture => {
      const fx = chainAt("Disabled");
      must(fx.client.createFeature(OPERATOR, "salted", "", { ...TEST_POLICY, salt }));
      return fx;
    };
    const cases: [string, string, string][] = [
      ["empty → 'x'", "", "x"],
      ["empty → the feature's own name (DESIGN: empty stays empty)", "", "salted"],
      ["'s1' → 's2'", "s1", "s2"],
      ["'s1' → empty", "s1", ""],
      ["'s1' → 's1 ' (one more byte)", "s1", "s1 "],
    ];
    for (const [what, from, to] of cases) {
      it(`updatePolicy changing the salt ${what} → InvalidPolicy, nothing changes`, () => {
        const fx = withSalt(from);
        expectRejected(fx, "InvalidPolicy", () => send(fx, "updatePolicy", { name: "salted", policy: { ...TEST_POLICY, salt: to } }, OPERATOR), ["salted"]);
      });
    }
    for (const salt of ["", "s1"]) {
      it(`updatePolicy keeping the salt ${JSON.stringify(salt)} byte for byte is accepted`, () => {
        const fx = withSalt(salt);
        const before = fx.client.bucketOf("salted", OUTSIDER);
        must(fx.client.updatePolicy(OPERATOR, "salted", { ...TEST_POLICY, salt, incrementBps: 250 }));
        expect(feature(fx, "salted").policy).toMatchObject({ salt, incrementBps: 250 });
        expect(fx.client.bucketOf("salted", OUTSIDER)).toBe(before);
      });
    }
  });
});

describe("SPEC 2 InvalidName: createFeature names are 1..64 bytes of [a-z0-9_.-]", () => {
  const BAD: [string, string][] = [
    ["empty", ""],
    ["65 bytes", "a".repeat(65)],
    ["uppercase", "Feat"],
    ["a space", "fe at"],
    ["a slash", "a/b"],
    ["a colon", "a:b"],
    ["a NUL byte", "a\u0000b"],
    ["non-ASCII", "café"],
    ["a tab", "a\tb"],
  ];
  for (const [what, name] of BAD) {
    it(`${what} → InvalidName, nothing created`, () => {
      const fx = chainAt("Disabled");
      expectRejected(fx, "InvalidName", () => send(fx, "createFeature", { name, description: "", policy: null }, OPERATOR), [name]);
    });
  }
  it("64 bytes, one byte, and every allowed character are accepted", () => {
    const fx = chainAt("Disabled");
    for (const name of ["a".repeat(64), "z", "0", "abcdefghijklmnopqrstuvwxyz0123456789_.-", "-", "."]) {
      expect(send(fx, "createFeature", { name, description: "", policy: null }, OPERATOR).codeName, name).toBe("Ok");
      expect(feature(fx, name).name).toBe(name);
    }
  });
});

describe("SPEC 6 FeatureNotFound: every method taking a name, for an unknown feature", () => {
  const NAMED: [MethodName, (name: string) => unknown, Parameters<typeof send>[3]][] = [
    ["updatePolicy", (name) => ({ name, policy: TEST_POLICY }), OPERATOR],
    ["startCanary", (name) => ({ name, bps: 100 }), OPERATOR],
    ["startRollout", (name) => ({ name, targetBps: 1000 }), OPERATOR],
    ["enable", (name) => ({ name }), OPERATOR],
    ["disable", (name) => ({ name }), OPERATOR],
    ["pause", (name) => ({ name }), GUARDIAN],
    ["resume", (name) => ({ name }), GUARDIAN],
    ["rollback", (name) => ({ name, reason: 0 }), GUARDIAN],
    ["setOverride", (name) => ({ name, account: OUTSIDER, mode: 1 }), OPERATOR],
    ["recordSuccess", (name) => ({ name }), REPORTER],
    ["recordError", (name) => ({ name }), REPORTER],
    ["recordBatch", (name) => ({ name, successes: 1, errors: 1 }), REPORTER],
    ["recordCohorts", (name) => ({ name, canarySuccesses: 1, canaryErrors: 1, baseSuccesses: 1, baseErrors: 1 }), REPORTER],
    ["recordLatency", (name) => ({ name, value: 1 }), REPORTER],
    ["recordInvariant", (name) => ({ name, ok: false }), REPORTER],
    ["reportIncident", (name) => ({ name, reason: 4 }), REPORTER],
    ["processRollout", (name) => ({ name }), OUTSIDER],
    ["bucketOf", (name) => ({ name, account: OUTSIDER }), OUTSIDER],
    ["getHistory", (name) => ({ name, fromSeq: 0, limit: 10 }), OUTSIDER],
  ];
  // "fea" is a prefix of F, "feat0" extends it, "FEAT" and "a/b" are names no feature can have (DESIGN).
  const UNKNOWN = ["nope", "fea", "feat0", "FEAT", "a/b", ""];
  for (const [m, args, signer] of NAMED) {
    it(`${m} → FeatureNotFound for every unknown name, nothing changes`, () => {
      const fx = chainAt("Canary");
      for (const name of UNKNOWN) {
        expectRejected(fx, "FeatureNotFound", () => sendRaw(fx, m, encodeArgs(m, args(name) as never), signer), [F, name]);
      }
    });
  }
  it("views: getFeature/getMetrics → None, isEnabled → false, isEnabledMany → all false", () => {
    const fx = chainAt("Enabled");
    for (const name of UNKNOWN) {
      expect(fx.client.getFeature(name)).toBeNull();
      expect(fx.client.getMetrics(name)).toBeNull();
      expect(fx.client.isEnabled(name, OUTSIDER)).toBe(false);
      expect(fx.client.isEnabledMany(name, [OUTSIDER, ADMIN, account(3)])).toEqual([false, false, false]);
    }
    expect(fx.client.isEnabled(F, OUTSIDER)).toBe(true); // the control
  });
});

describe("SPEC 6 FeatureDisabled: reports on a Disabled or RolledBack feature count nothing", () => {
  const REPORTS: [MethodName, unknown, Parameters<typeof send>[3]][] = [
    ["recordSuccess", { name: F }, REPORTER],
    ["recordError", { name: F }, REPORTER],
    ["recordBatch", { name: F, successes: 5, errors: 5 }, REPORTER],
    ["recordCohorts", { name: F, canarySuccesses: 5, canaryErrors: 5, baseSuccesses: 5, baseErrors: 5 }, REPORTER],
    ["recordLatency", { name: F, value: 10 }, REPORTER],
    ["recordInvariant", { name: F, ok: false }, REPORTER],
    ["recordInvariant", { name: F, ok: true }, REPORTER],
    ["reportIncident", { name: F, reason: 3 }, REPORTER],
    ["reportIncident", { name: F, reason: 4 }, GUARDIAN],
  ];
  for (const start of ["Disabled", "RolledBack"] as Start[]) {
    for (const [m, args, signer] of REPORTS) {
      it(`${m} ${JSON.stringify(args).slice(12)} on ${start} → FeatureDisabled, metrics and window unchanged`, () => {
        const fx = chainAt(start);
        const m0 = metrics(fx);
        const v0 = feature(fx);
        expectRejected(fx, "FeatureDisabled", () => sendRaw(fx, m, encodeArgs(m, args as never), signer));
        expect(metrics(fx)).toEqual(m0);
        expect(feature(fx)).toEqual(v0);
      });
    }
  }
  it("the control: in Enabled, reports count in metrics and nothing rolls back", () => {
    const fx = chainAt("Enabled");
    const m0 = metrics(fx);
    must(fx.client.recordBatch(REPORTER, F, 5, 5));
    expect(metrics(fx).totalOperations).toBe(m0.totalOperations + 10n);
    expect(feature(fx).status).toBe(3);
  });
});

describe("SPEC 6: every error code 1..16 is produced", () => {
  const SCENARIOS: [ErrorCodeName, (fx: Fixture) => ReturnType<typeof send>][] = [
    ["BadInput", (fx) => sendRaw(fx, "enable", concat(encodeArgs("enable", { name: F }), [0]), OPERATOR)],
    ["NotInitialized", () => {
      const e = emptyChain();
      return send(e, "enable", { name: F }, ADMIN);
    }],
    ["AlreadyInitialized", (fx) => send(fx, "init", { admin: ADMIN }, ADMIN)],
    ["Unauthorized", (fx) => send(fx, "enable", { name: F }, OUTSIDER)],
    ["FeatureNotFound", (fx) => send(fx, "enable", { name: "nope" }, OPERATOR)],
    ["FeatureAlreadyExists", (fx) => send(fx, "createFeature", { name: F, description: "", policy: null }, OPERATOR)],
    ["InvalidName", (fx) => send(fx, "createFeature", { name: "Nope", description: "", policy: null }, OPERATOR)],
    ["InvalidTransition", (fx) => send(fx, "pause", { name: F }, OPERATOR)],
    ["InvalidPercent", (fx) => send(fx, "startCanary", { name: F, bps: 0 }, OPERATOR)],
    ["InsufficientData", (fx) => {
      must(fx.client.startCanary(OPERATOR, F, 100));
      return send(fx, "startRollout", { name: F, targetBps: 200 }, OPERATOR);
    }],
    ["RolloutInProgress", (fx) => {
      must(fx.client.startCanary(OPERATOR, F, 100));
      must(fx.client.recordBatch(REPORTER, F, 2, 0));
      must(fx.client.startRollout(OPERATOR, F, 200));
      return send(fx, "startCanary", { name: F, bps: 300 }, OPERATOR);
    }],
    ["FeatureDisabled", (fx) => send(fx, "recordSuccess", { name: F }, REPORTER)],
    ["InvalidPolicy", (fx) => send(fx, "updatePolicy", { name: F, policy: { incrementBlocks: 0 } }, OPERATOR)],
    ["LimitExceeded", (fx) => send(fx, "createFeature", { name: "x", description: "d".repeat(257), policy: null }, OPERATOR)],
    ["CorruptState", (fx) => {
      tamper(fx, KEY.feature(F), (v) => withByte(v!, 0, 3));
      return send(fx, "enable", { name: F }, OPERATOR);
    }],
    ["LastAdmin", (fx) => send(fx, "revokeRole", { role: 0, account: ADMIN }, ADMIN)],
  ];

  it("the scenarios cover all 16 codes, each once", () => {
    const names = SCENARIOS.map(([n]) => ErrorCode[n]).sort((a, b) => a - b);
    expect(names).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  for (const [name, run] of SCENARIOS) {
    it(`${ErrorCode[name]} ${name}`, () => {
      const fx = chainAt("Disabled");
      const r = run(fx);
      expect(r.codeName).toBe(name);
      expect(r.code).toBe(ErrorCode[name]);
      expect(r.events).toEqual([]);
    });
  }
});

describe("control: every method exists in the ABI table used here", () => {
  it("VALID names every method of SPEC section 6", () => {
    expect(Object.keys(VALID).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.keys(METHODS)).toHaveLength(32);
  });
  it("a fresh initialized chain answers hasRole for the fixture's roles (sanity)", () => {
    const fx = initializedChain();
    expect(fx.client.hasRole("Reporter", REPORTER)).toBe(true);
  });
});
