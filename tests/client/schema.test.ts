import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecodeError, EncodeError, bytesToHex, decode, encode, hexToBytes } from "../../src/client/codec.ts";
import {
  DEFAULT_POLICY,
  FEATURE_VIEW,
  HISTORY_ENTRY,
  METRICS,
  POLICY,
  decodeArgs,
  decodeFeatureView,
  decodeHistoryEntry,
  decodeMetrics,
  decodePolicy,
  decodeResult,
  displayResult,
  encodeArgs,
  encodeFeatureView,
  encodeHistoryEntry,
  encodeMetrics,
  encodePolicy,
  type FeatureView,
  type HistoryEntry,
  type Metrics,
  type Policy,
} from "../../src/client/schema.ts";

/** Hex written with spaces for readability → bytes. */
import { hx } from "../helpers/bytes.ts";
import { SPEC_DEFAULT_POLICY } from "../helpers/spec.ts";

const ACC = "0x000102030405060708090a0b0c0d0e0f10111213";

// Every field a distinct, byte-asymmetric value: swapping two fields or a byte order changes the bytes.
const POLICY_FULL: Policy = {
  steps: [0x0102, 0x1234],
  incrementBps: 0x0304,
  incrementBlocks: 0x05060708,
  maxErrorRateBps: 0x090a,
  minSamples: 0x0b0c0d0e,
  minSuccessCount: 0x0f10111213141516n,
  analysis: 1,
  seqSlopePpm: 0x1718191a,
  seqInterceptPpm: 0x1b1c1d1e1f202122n,
  maxInvariantFailures: 0x23242526,
  maxAvgLatency: 0x2728292a2b2c2d2en,
  maxPeakLatency: 0xffffffffffffffffn,
  progressDeadlineBlocks: 0x2f303132,
  salt: "sé",
  seqFloorPpm: 0x3334353637383940n,
  compExcessPpm: 0x41424344,
  compLnRatioPpm: 0x45464748,
  compThresholdPpm: 0x494a4b4c4d4e4f50n,
  compFloorPpm: 0x5152535455565758n,
};

// Written by hand from SPEC section 2's field order, little-endian: [bytes, field].
const POLICY_FULL_HEX = [
  ["02000000 0201 3412", "steps: Vec<u16> [0x0102, 0x1234]"],
  ["0403", "incrementBps u16"],
  ["08070605", "incrementBlocks u32"],
  ["0a09", "maxErrorRateBps u16"],
  ["0e0d0c0b", "minSamples u32"],
  ["16151413 1211100f", "minSuccessCount u64"],
  ["01", "analysis u8"],
  ["1a191817", "seqSlopePpm u32"],
  ["2221201f 1e1d1c1b", "seqInterceptPpm u64"],
  ["26252423", "maxInvariantFailures u32"],
  ["2e2d2c2b 2a292827", "maxAvgLatency u64"],
  ["ffffffff ffffffff", "maxPeakLatency u64 = 2^64-1"],
  ["3231302f", "progressDeadlineBlocks u32"],
  ["03000000 73c3a9", 'salt "sé" (UTF-8 73 c3 a9)'],
  ["40393837 36353433", "seqFloorPpm u64 (Revision 2: appended)"],
  ["44434241", "compExcessPpm u32"],
  ["48474645", "compLnRatioPpm u32"],
  ["504f4e4d 4c4b4a49", "compThresholdPpm u64"],
  ["58575655 54535251", "compFloorPpm u64"],
]
  .map(([bytes]) => bytes)
  .join(" ");

const DEFAULT_POLICY_HEX = `
  00000000 e803 c0210000 6400 64000000 6400000000000000 01 63380000
  a3b53e0000000000 00000000 0000000000000000 0000000000000000 00000000 00000000
  466b7d0000000000 40420f00 9b930a00 841a2c0000000000 0835580000000000`;

const VIEW_FULL: FeatureView = {
  name: "ab",
  description: "ü→",
  status: 2,
  rolloutBps: 0x1234,
  targetBps: 10000,
  paused: true,
  startBlock: 0x01020304,
  lastStepBlock: 0x0a0b0c0d,
  windowSuccesses: 0x1122334455667788n,
  windowErrors: 0x99n,
  rollbackReason: 6,
  createdBy: ACC,
  policy: { ...DEFAULT_POLICY, steps: [] },
  runSuccesses: 0x0102030405060708n,
  runErrors: 0x11n,
  baseSuccesses: 0xffffffffffffffffn,
  baseErrors: 0x22n,
  statistic: -0x0102030405060708n,
};

const VIEW_FULL_HEX =
  "02000000 6162" + // name "ab"
  "05000000 c3bce28692" + // description "ü→"
  "02" + // status RollingOut
  "3412" + // rolloutBps
  "1027" + // targetBps 10000
  "01" + // paused
  "04030201" + // startBlock
  "0d0c0b0a" + // lastStepBlock
  "8877665544332211" + // windowSuccesses
  "9900000000000000" + // windowErrors
  "01 06" + // rollbackReason Some(Deadline)
  "000102030405060708090a0b0c0d0e0f10111213" + // createdBy
  DEFAULT_POLICY_HEX +
  "0807060504030201" + // runSuccesses
  "1100000000000000" + // runErrors
  "ffffffffffffffff" + // baseSuccesses 2^64-1
  "2200000000000000" + // baseErrors
  "f8f8f9fafbfcfdfe"; // statistic i64 −0x0102030405060708 (two's complement)

describe("golden encodings (SPEC field order, little-endian)", () => {
  it("a full Policy encodes to the hand-written bytes, field by field in SPEC order", () => {
    expect(bytesToHex(encodePolicy(POLICY_FULL))).toBe(bytesToHex(hx(POLICY_FULL_HEX)));
  });

  it("the hand-written Policy bytes decode to the same Policy", () => {
    expect(decodePolicy(hx(POLICY_FULL_HEX))).toEqual(POLICY_FULL);
  });

  it("DEFAULT_POLICY has SPEC section 2's defaults and encodes to the hand-written bytes", () => {
    expect(DEFAULT_POLICY).toEqual(SPEC_DEFAULT_POLICY);
    expect(bytesToHex(encodePolicy(DEFAULT_POLICY))).toBe(bytesToHex(hx(DEFAULT_POLICY_HEX)));
    expect(Object.isFrozen(DEFAULT_POLICY) && Object.isFrozen(DEFAULT_POLICY.steps)).toBe(true);
  });

  it("a partial policy is completed from DEFAULT_POLICY", () => {
    const bytes = encodePolicy({ incrementBlocks: 100 });
    expect(decodePolicy(bytes)).toEqual({ ...DEFAULT_POLICY, incrementBlocks: 100 });
  });

  it("a full FeatureView encodes to the hand-written bytes and decodes back", () => {
    expect(bytesToHex(encodeFeatureView(VIEW_FULL))).toBe(bytesToHex(hx(VIEW_FULL_HEX)));
    expect(decodeFeatureView(hx(VIEW_FULL_HEX))).toEqual(VIEW_FULL);
  });

  it("Metrics fields are seven u64 in SPEC order", () => {
    const m: Metrics = {
      totalOperations: 1n,
      successfulOps: 0x0203n,
      failedOps: 0x040506n,
      averageLatency: 0x0708090an,
      peakLatency: 0x0b0c0d0e0fn,
      invariantChecks: 0x101112131415n,
      invariantFailures: 0xffffffffffffffffn,
    };
    const hex =
      "0100000000000000 0302000000000000 0605040000000000 0a09080700000000" +
      "0f0e0d0c0b000000 1514131211100000 ffffffffffffffff";
    expect(bytesToHex(encodeMetrics(m))).toBe(bytesToHex(hx(hex)));
    expect(decodeMetrics(hx(hex))).toEqual(m);
  });

  it("HistoryEntry fields are seq, block, from, to, rolloutBps, reason, actor in SPEC order", () => {
    const a: HistoryEntry = { seq: 0x01020304, block: 0x05060708, from: 2, to: 4, rolloutBps: 0x2710, reason: 1, actor: ACC };
    const aHex = "04030201 08070605 02 04 1027 0101 01000102030405060708090a0b0c0d0e0f10111213";
    expect(bytesToHex(encodeHistoryEntry(a))).toBe(bytesToHex(hx(aHex)));
    expect(decodeHistoryEntry(hx(aHex))).toEqual(a);
    const b: HistoryEntry = { seq: 0, block: 7, from: 2, to: 2, rolloutBps: 0x1234, reason: null, actor: null };
    const bHex = "00000000 07000000 02 02 3412 00 00";
    expect(bytesToHex(encodeHistoryEntry(b))).toBe(bytesToHex(hx(bHex)));
    expect(decodeHistoryEntry(hx(bHex))).toEqual(b);
  });

  it("getGlobal's result is (paused, halted) in that order", () => {
    expect(decodeResult("getGlobal", hx("01 00"))).toEqual({ paused: true, halted: false });
    expect(decodeResult("getGlobal", hx("00 01"))).toEqual({ paused: false, halted: true });
  });

  it("methods without arguments take empty input", () => {
    expect(encodeArgs("onPersist", {}).length).toBe(0);
    expect(encodeArgs("getGlobal", {}).length).toBe(0);
    expect(decodeArgs("getGlobal", new Uint8Array())).toEqual({});
  });

  it("methods with result () accept only empty output", () => {
    expect(decodeResult("startCanary", new Uint8Array())).toBeNull();
    expect(() => decodeResult("startCanary", hx("00"))).toThrow(DecodeError);
  });
});

// ---------------------------------------------------------------- round trips

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const u8 = fc.integer({ min: 0, max: 255 });
const str = fc.string({ unit: "grapheme", maxLength: 20 });
const acct = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(bytesToHex);

const policyArb: fc.Arbitrary<Policy> = fc.record({
  steps: fc.array(u16, { maxLength: 40 }),
  incrementBps: u16,
  incrementBlocks: u32,
  maxErrorRateBps: u16,
  minSamples: u32,
  minSuccessCount: u64,
  analysis: u8,
  seqSlopePpm: u32,
  seqInterceptPpm: u64,
  maxInvariantFailures: u32,
  maxAvgLatency: u64,
  maxPeakLatency: u64,
  progressDeadlineBlocks: u32,
  salt: str,
  seqFloorPpm: u64,
  compExcessPpm: u32,
  compLnRatioPpm: u32,
  compThresholdPpm: u64,
  compFloorPpm: u64,
});

const viewArb: fc.Arbitrary<FeatureView> = fc.record({
  name: str,
  description: str,
  status: u8,
  rolloutBps: u16,
  targetBps: u16,
  paused: fc.boolean(),
  startBlock: u32,
  lastStepBlock: u32,
  windowSuccesses: u64,
  windowErrors: u64,
  rollbackReason: fc.option(u8, { nil: null }),
  createdBy: acct,
  policy: policyArb,
  runSuccesses: u64,
  runErrors: u64,
  baseSuccesses: u64,
  baseErrors: u64,
  statistic: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
});

describe("Borsh round trips", () => {
  it("asymmetric values survive encode → decode: 0x1234, 0x12345678, 2^64-1, non-ASCII UTF-8", () => {
    const p: Policy = {
      ...DEFAULT_POLICY,
      steps: [0x1234, 0x2710],
      incrementBps: 0x1234,
      incrementBlocks: 0x12345678,
      minSuccessCount: 0xffffffffffffffffn,
      maxPeakLatency: 0x123456789abcdef0n,
      salt: "Grüße, 日本語, 🚀",
    };
    const bytes = encodePolicy(p);
    expect(decodePolicy(bytes)).toEqual(p);
    // The 4-byte emoji and 3-byte CJK are encoded as UTF-8, length-prefixed by byte count.
    const saltBytes = new TextEncoder().encode(p.salt);
    // The salt is the last v1 field; the five Revision 2 fields (8 + 4 + 4 + 8 + 8 bytes) follow it.
    const tail = bytes.slice(bytes.length - 32 - saltBytes.length - 4, bytes.length - 32);
    expect(bytesToHex(tail)).toBe(bytesToHex(new Uint8Array([saltBytes.length, 0, 0, 0, ...saltBytes])));
  });

  it("any Policy round-trips", () => {
    fc.assert(
      fc.property(policyArb, (p) => {
        expect(decodePolicy(encodePolicy(p))).toEqual(p);
      }),
    );
  });

  it("any FeatureView round-trips", () => {
    fc.assert(
      fc.property(viewArb, (v) => {
        expect(decodeFeatureView(encodeFeatureView(v))).toEqual(v);
      }),
    );
  });

  it("any FeatureView's encoding equals Borsh written independently (TextEncoder + manual little-endian)", () => {
    fc.assert(
      fc.property(viewArb, (v) => {
        expect(bytesToHex(encodeFeatureView(v))).toBe(bytesToHex(referenceFeatureView(v)));
      }),
    );
  });

  it("any HistoryEntry and Metrics round-trip", () => {
    const h = fc.record({
      seq: u32,
      block: u32,
      from: u8,
      to: u8,
      rolloutBps: u16,
      reason: fc.option(u8, { nil: null }),
      actor: fc.option(acct, { nil: null }),
    });
    fc.assert(
      fc.property(h, (e) => {
        expect(decodeHistoryEntry(encodeHistoryEntry(e))).toEqual(e);
      }),
    );
    const m = fc.record({
      totalOperations: u64,
      successfulOps: u64,
      failedOps: u64,
      averageLatency: u64,
      peakLatency: u64,
      invariantChecks: u64,
      invariantFailures: u64,
    });
    fc.assert(
      fc.property(m, (x) => {
        expect(decodeMetrics(encodeMetrics(x))).toEqual(x);
      }),
    );
  });

  it("accounts decode as lower-case 0x-hex whatever case or form they were given in", () => {
    const upper = "0xABCDEF0123456789ABCDEF0123456789ABCDEF01";
    const bytes = encode({ struct: { a: "account", b: "account" } }, { a: upper, b: hexToBytes(upper) });
    expect(decode({ struct: { a: "account", b: "account" } }, bytes)).toEqual({ a: upper.toLowerCase(), b: upper.toLowerCase() });
  });
});

/** An independent Borsh writer for FeatureView, from SPEC section 6, to cross-check the schema. */
function referenceFeatureView(v: FeatureView): Uint8Array {
  const out: number[] = [];
  const le = (n: bigint, bytes: number) => {
    for (let i = 0; i < bytes; i++) out.push(Number((n >> BigInt(8 * i)) & 0xffn));
  };
  const s = (x: string) => {
    const b = new TextEncoder().encode(x);
    le(BigInt(b.length), 4);
    out.push(...b);
  };
  const p = v.policy;
  s(v.name);
  s(v.description);
  le(BigInt(v.status), 1);
  le(BigInt(v.rolloutBps), 2);
  le(BigInt(v.targetBps), 2);
  le(v.paused ? 1n : 0n, 1);
  le(BigInt(v.startBlock), 4);
  le(BigInt(v.lastStepBlock), 4);
  le(v.windowSuccesses, 8);
  le(v.windowErrors, 8);
  if (v.rollbackReason === null) out.push(0);
  else out.push(1, v.rollbackReason);
  out.push(...hexToBytes(v.createdBy));
  le(BigInt(p.steps.length), 4);
  for (const x of p.steps) le(BigInt(x), 2);
  le(BigInt(p.incrementBps), 2);
  le(BigInt(p.incrementBlocks), 4);
  le(BigInt(p.maxErrorRateBps), 2);
  le(BigInt(p.minSamples), 4);
  le(p.minSuccessCount, 8);
  le(BigInt(p.analysis), 1);
  le(BigInt(p.seqSlopePpm), 4);
  le(p.seqInterceptPpm, 8);
  le(BigInt(p.maxInvariantFailures), 4);
  le(p.maxAvgLatency, 8);
  le(p.maxPeakLatency, 8);
  le(BigInt(p.progressDeadlineBlocks), 4);
  s(p.salt);
  le(p.seqFloorPpm, 8);
  le(BigInt(p.compExcessPpm), 4);
  le(BigInt(p.compLnRatioPpm), 4);
  le(p.compThresholdPpm, 8);
  le(p.compFloorPpm, 8);
  le(v.runSuccesses, 8);
  le(v.runErrors, 8);
  le(v.baseSuccesses, 8);
  le(v.baseErrors, 8);
  le(BigInt.asUintN(64, v.statistic), 8);
  return new Uint8Array(out);
}

// ---------------------------------------------------------------- strict decoding

describe("decoding is exact", () => {
  it("trailing bytes are rejected (borsh-js alone would ignore them)", () => {
    const good = hx(VIEW_FULL_HEX);
    const longer = new Uint8Array([...good, 0x00]);
    expect(() => decodeFeatureView(longer)).toThrow(/1 trailing byte/);
    expect(() => decodeResult("isEnabled", hx("01 01"))).toThrow(DecodeError);
    expect(() => decodeResult("getFeature", hx("00 00"))).toThrow(/trailing/);
  });

  it("every strict prefix of a FeatureView (short input) is rejected", () => {
    const good = hx(VIEW_FULL_HEX);
    for (let n = 0; n < good.length; n++) {
      expect(() => decodeFeatureView(good.slice(0, n)), `prefix of ${n} bytes`).toThrow(DecodeError);
    }
  });

  it("a bool byte other than 0 or 1 is rejected", () => {
    expect(() => decodeResult("isEnabled", hx("02"))).toThrow(/not canonical/);
    expect(() => decodeResult("getGlobal", hx("00 ff"))).toThrow(DecodeError);
  });

  it("an Option tag other than 0 or 1 is rejected", () => {
    expect(() => decodeResult("getMetrics", hx("02"))).toThrow(DecodeError);
  });

  it("invalid UTF-8 in a String is rejected: overlong, stray continuation, encoded surrogate, truncated, > U+10FFFF", () => {
    const bad = ["02000000 c080", "01000000 80", "03000000 eda080", "01000000 c3", "02000000 c328", "04000000 f7bfbfbf", "04000000 f4908080"];
    for (const b of bad) {
      expect(() => decode("string", hx(b)), b).toThrow(DecodeError);
    }
    expect(decode("string", hx("04000000 f09f9a80"))).toBe("🚀");
  });

  it("a Vec count larger than the input is rejected without reading past the end", () => {
    expect(() => decodeResult("isEnabledMany", hx("ffffffff 01"))).toThrow(DecodeError);
  });
});

describe("encoding refuses values that do not fit, naming where", () => {
  const bad: [string, () => unknown, RegExp][] = [
    ["u16 above 65535", () => encodeArgs("startCanary", { name: "x", bps: 70000 }), /startCanary\.bps: expected u16/],
    ["negative u16", () => encodeArgs("startCanary", { name: "x", bps: -1 }), /startCanary\.bps/],
    ["non-integer", () => encodeArgs("startCanary", { name: "x", bps: 1.5 }), /startCanary\.bps/],
    ["u64 = 2^64", () => encodeArgs("recordBatch", { name: "x", successes: 1n << 64n, errors: 0n }), /recordBatch\.successes: expected u64/],
    ["negative u64", () => encodeArgs("recordBatch", { name: "x", successes: 0n, errors: -1n }), /recordBatch\.errors/],
    ["unsafe number for u64", () => encodeArgs("recordLatency", { name: "x", value: 2 ** 60 }), /recordLatency\.value/],
    ["lone surrogate", () => encodeArgs("enable", { name: "a\uD800b" }), /enable\.name: expected a string/],
    ["19-byte account", () => encodeArgs("init", { admin: new Uint8Array(19) }), /init\.admin: expected an account/],
    ["malformed hex account", () => encodeArgs("init", { admin: "0x1234" }), /init\.admin/],
    ["unknown role name", () => encodeArgs("grantRole", { role: "operator", account: ACC }), /grantRole\.role: expected a Role/],
    ["unknown policy field", () => encodeArgs("updatePolicy", { name: "x", policy: { incrementBlock: 1 } as never }), /updatePolicy\.policy\.incrementBlock: unknown field/],
    ["bad steps element", () => encodeArgs("updatePolicy", { name: "x", policy: { steps: [1, 70000] } }), /updatePolicy\.policy\.steps\[1\]/],
    ["missing field", () => encodeArgs("startCanary", { name: "x" } as never), /startCanary\.bps: expected a value/],
    ["bool as number", () => encodeArgs("setGlobal", { paused: 1 as never, halted: false }), /setGlobal\.paused: expected bool/],
  ];
  for (const [what, f, msg] of bad) {
    it(`rejects ${what}`, () => {
      expect(f).toThrow(EncodeError);
      expect(f).toThrow(msg);
    });
  }

  it("policy values are sent as given, not validated as policy (the contract answers InvalidPolicy)", () => {
    const bytes = encodeArgs("updatePolicy", { name: "x", policy: { analysis: 7, incrementBps: 0, steps: [5, 3] } });
    expect(decodeArgs("updatePolicy", bytes)).toMatchObject({ policy: { analysis: 7, incrementBps: 0, steps: [5, 3] } });
  });

  it("unknown enum numbers are sent as given (the contract answers BadInput)", () => {
    expect(bytesToHex(encodeArgs("grantRole", { role: 9, account: ACC }))).toBe("0x09" + ACC.slice(2));
  });
});

describe("display form", () => {
  it("a FeatureView displays enums by name, accounts as 0x-hex and u64 JSON-safe", () => {
    const d = displayResult("getFeature", { ...VIEW_FULL, windowErrors: 5n, policy: { ...VIEW_FULL.policy, analysis: 1 } }) as Record<string, unknown>;
    expect(d).toMatchObject({
      status: "RollingOut",
      rollbackReason: "Deadline",
      createdBy: ACC,
      windowSuccesses: "1234605616436508552",
      windowErrors: 5,
      policy: { analysis: "Sequential", minSuccessCount: 100 },
    });
    expect(() => JSON.stringify(d)).not.toThrow();
  });

  it("an undefined enum tag displays as Unknown(n)", () => {
    expect(displayResult("getHistory", [{ seq: 0, block: 1, from: 9, to: 0, rolloutBps: 0, reason: 200, actor: null }])).toEqual([
      { seq: 0, block: 1, from: "Unknown(9)", to: "Disabled", rolloutBps: 0, reason: "Unknown(200)", actor: null },
    ]);
  });

  it("schemas are exported for reuse", () => {
    expect(Object.keys(POLICY.struct)).toHaveLength(19); // 14 of the first release + 5 appended by Revision 2
    expect(Object.keys(FEATURE_VIEW.struct)).toHaveLength(18); // 13 + run, baseline and statistic (Revision 2)
    expect(Object.keys(METRICS.struct)).toHaveLength(7);
    expect(Object.keys(HISTORY_ENTRY.struct)).toHaveLength(7);
  });
});
