// The SDK's local evaluation on its own: its allocation-free murmur3 against SPEC section 4's
// vectors and against the reference model (src/model/murmur.ts) on random salts of every
// length mod 4, and isEnabled's order of rules. (Agreement with the contract itself, over
// 10^5 accounts per feature state, is pinned in mismatch.test.ts.)

import { describe, expect, it } from "vitest";
import { OverrideMode, Status } from "../../src/client/enums.ts";
import { bucket as modelBucket, murmur3_32 } from "../../src/model/murmur.ts";
import { FlagSnapshot, accountHash, bucketOfHash, flagFeature, isAccountHex } from "../../src/openfeature/evaluate.ts";
import { hex0x } from "../helpers/bytes.ts";
import { Prng } from "../helpers/prng.ts";
import { view } from "../helpers/views.ts";

const accountOf = (f: (i: number) => number) => Uint8Array.from({ length: 20 }, (_, i) => f(i));

/** `n` bytes from a seeded generator, so that a failure can be replayed. */
function randomBytes(n: number, rng: Prng): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(rng.next() * 256));
}

describe("accountHash and bucketOfHash: SPEC section 4 vectors", () => {
  it.each([
    ["vita_recovery_v2", accountOf(() => 0), 0xad3472a8, 6765],
    ["vita_recovery_v2", accountOf(() => 0xff), 0x517e412a, 3183],
    ["vita_recovery_v2", accountOf((i) => i + 1), 0x0224c9a9, 83],
    ["cross_chain_proofs", accountOf(() => 0), 0x42330738, 2585],
    ["a", accountOf((i) => (i < 10 ? 0x7f : 0x80)), 0xde3c15a9, 8681],
  ] as const)("salt %s", (salt, account, hash, bucket) => {
    const f = flagFeature(view({ name: "f", status: Status.Canary, rolloutBps: 0, policy: { salt } }));
    expect(accountHash(f, hex0x(account))).toBe(hash);
    expect(accountHash(f, hex0x(account).toUpperCase().replace("0X", "0x"))).toBe(hash);
    expect(bucketOfHash(hash)).toBe(bucket);
  });

  it("an empty salt hashes the feature name (name length 18: not a multiple of 4)", () => {
    const f = flagFeature(view({ name: "cross_chain_proofs", status: Status.Canary, rolloutBps: 0, policy: { salt: "" } }));
    expect(accountHash(f, hex0x(accountOf(() => 0)))).toBe(0x42330738);
  });
});

describe("accountHash equals the reference model's murmur3 on random salts and accounts", () => {
  it("salts of length 1..64 (every length mod 4) and multi-byte UTF-8 salts, 2000 accounts each", () => {
    const rng = new Prng(18);
    const salts: string[] = [];
    for (let n = 1; n <= 64; n++) salts.push(Array.from({ length: n }, () => "abcdefghijklmnopqrstuvwxyz0123456789_.-"[Math.floor(rng.next() * 39)]).join(""));
    salts.push("é", "é1", "ü-ß", "日本");
    let compared = 0;
    for (const salt of salts) {
      const f = flagFeature(view({ name: "name", status: Status.Canary, rolloutBps: 0, policy: { salt } }));
      const saltBytes = new TextEncoder().encode(salt);
      for (let i = 0; i < 2000; i++) {
        const account = randomBytes(20, rng);
        const buf = new Uint8Array(saltBytes.length + 20);
        buf.set(saltBytes);
        buf.set(account, saltBytes.length);
        const h = accountHash(f, hex0x(account));
        if (h !== murmur3_32(buf) || bucketOfHash(h) !== modelBucket(salt, account)) {
          throw new Error(`mismatch: salt ${JSON.stringify(salt)} account ${hex0x(account)}`);
        }
        compared++;
      }
    }
    expect(compared).toBe(salts.length * 2000);
  });
});

describe("isAccountHex", () => {
  it("accepts 0x + 40 hex digits in either case and refuses anything else", () => {
    expect(isAccountHex("0x" + "ab".repeat(20))).toBe(true);
    expect(isAccountHex("0x" + "AB".repeat(20))).toBe(true);
    expect(isAccountHex("0X" + "ab".repeat(20))).toBe(true);
    expect(isAccountHex("ab".repeat(21))).toBe(false);
    expect(isAccountHex("0x" + "ab".repeat(19))).toBe(false);
    expect(isAccountHex("0x" + "ab".repeat(20) + "0")).toBe(false);
    expect(isAccountHex("0x" + "ag".repeat(20))).toBe(false);
    expect(isAccountHex("0x" + "a".repeat(39) + "é")).toBe(false);
    expect(isAccountHex("")).toBe(false);
  });
});

describe("accountHash refuses what is not an account (-1)", () => {
  it("wrong length or prefix, a non-hex digit, and characters above 127 that would mask to hex digits", () => {
    for (const r of [0, 1, 2, 3]) {
      const f = flagFeature(view({ name: "f", status: Status.Canary, rolloutBps: 0, policy: { salt: "s".repeat(4 + r) } }));
      expect(accountHash(f, "0x" + "ab".repeat(20))).toBeGreaterThanOrEqual(0);
      for (const bad of [
        "0x" + "ab".repeat(19),
        "1x" + "ab".repeat(20),
        "0y" + "ab".repeat(20),
        "0x" + "ab".repeat(19) + "ag",
        "0x" + "g" + "b".repeat(39),
        "0x" + "a".repeat(39) + String.fromCharCode(0x100 + 0x61), // & 0x7f would be "a"
        "0x" + String.fromCharCode(0x80 + 0x30) + "b".repeat(39), // & 0x7f would be "0"
      ]) expect(accountHash(f, bad), `${bad} with a salt tail of ${r}`).toBe(-1);
    }
  });
});

describe("FlagSnapshot.evaluate follows SPEC section 4's order", () => {
  const A = "0x" + "11".repeat(20);
  const snapshotWith = (status: number, bps: number, halted = false) => {
    const s = new FlagSnapshot({ height: 7, hash: "0xab", global: { paused: false, halted }, features: [view({ name: "f", status, rolloutBps: bps })] });
    return s;
  };

  it("unknown flag → not-found; a targeting key that is not an account → invalid-account", () => {
    const s = snapshotWith(Status.Enabled, 10000);
    expect(s.evaluate("nope", A)).toEqual({ kind: "not-found", value: false, bucket: -1, status: -1, rolloutBps: 0, height: 7 });
    expect(s.evaluate("f", "alice").kind).toBe("invalid-account");
    expect(s.exposed("nope", A)).toBeUndefined();
    expect(s.exposed("f", "alice")).toBeUndefined();
  });

  it("a string that is not an account → invalid-account in every state (exposed: undefined)", () => {
    for (const status of [Status.Disabled, Status.Canary, Status.RollingOut, Status.Enabled, Status.RolledBack]) {
      for (const halted of [false, true]) {
        const s = snapshotWith(status, 5000, halted);
        s.setOverride("f", A, OverrideMode.ForceOn);
        for (const bad of ["alice", "", A.slice(0, 41), A + "0", "0x" + "zz".repeat(20)]) {
          expect(s.evaluate("f", bad).kind, `status ${status} halted ${halted} ${bad}`).toBe("invalid-account");
          expect(s.exposed("f", bad)).toBeUndefined();
        }
      }
    }
  });

  it("Disabled and RolledBack → false even with ForceOn", () => {
    for (const status of [Status.Disabled, Status.RolledBack]) {
      const s = snapshotWith(status, 0);
      s.setOverride("f", A, OverrideMode.ForceOn);
      expect(s.evaluate("f", A)).toMatchObject({ kind: "disabled", value: false, status });
      expect(s.exposed("f", A)).toBe(false);
    }
  });

  it("halted: Canary/RollingOut → false even with ForceOn; Enabled stays on", () => {
    for (const status of [Status.Canary, Status.RollingOut]) {
      const s = snapshotWith(status, 10000, true);
      s.setOverride("f", A, OverrideMode.ForceOn);
      expect(s.evaluate("f", A)).toMatchObject({ kind: "halted", value: false });
      expect(s.exposed("f", A)).toBe(false);
    }
    expect(snapshotWith(Status.Enabled, 10000, true).evaluate("f", A)).toMatchObject({ kind: "enabled", value: true });
  });

  it("an override decides before Enabled and before the bucket; Clear removes it; the account's case does not matter", () => {
    const s = snapshotWith(Status.Enabled, 10000);
    s.setOverride("f", A.toUpperCase().replace("0X", "0x"), OverrideMode.ForceOff);
    expect(s.evaluate("f", A)).toMatchObject({ kind: "override", value: false });
    expect(s.exposed("f", A.toUpperCase())).toBe(false);
    s.setOverride("f", A, OverrideMode.Clear);
    expect(s.evaluate("f", A)).toMatchObject({ kind: "enabled", value: true });
    s.setStatus("f", Status.Canary, 0);
    s.setOverride("f", A, OverrideMode.ForceOn);
    expect(s.evaluate("f", A)).toMatchObject({ kind: "override", value: true });
  });

  it("Canary/RollingOut by bucket: value = bucket < rolloutBps, the bucket reported", () => {
    const s = snapshotWith(Status.RollingOut, 5000);
    const f = s.feature("f")!;
    const b = bucketOfHash(accountHash(f, A));
    expect(s.evaluate("f", A)).toEqual({ kind: "split", value: b < 5000, bucket: b, status: Status.RollingOut, rolloutBps: 5000, height: 7 });
    s.setRollout("f", b);
    expect(s.evaluate("f", A).value).toBe(false);
    s.setRollout("f", b + 1);
    expect(s.evaluate("f", A).value).toBe(true);
    expect(s.exposed("f", A)).toBe(true);
  });

  it("putFeature (a refetched view) keeps the feature's overrides", () => {
    const s = snapshotWith(Status.Canary, 0);
    s.setOverride("f", A, OverrideMode.ForceOn);
    s.putFeature(view({ name: "f", status: Status.Canary, rolloutBps: 0 }));
    expect(s.override("f", A)).toBe(OverrideMode.ForceOn);
  });
});
