// SPEC section 4: who sees a feature. The murmur3 bucket vectors through bucketOf, an
// independent murmur3 reference against the contract on random accounts and salts, the
// statistics of exposure over 10^6 seeded random accounts (share per level, monotone levels,
// independent cohorts), and the isEnabled decision order with overrides and the global halt.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeTypedEvent, type TxResult } from "../../src/client/index.ts";
import { OverrideMode, RollbackReason, Status } from "../../assembly/shared/codes.ts";
import { account, GUARDIAN, initializedChain, OPERATOR, type Fixture } from "../helpers/contract.ts";
import {
  bucketFromHash,
  concat,
  exposureOf,
  hexBytes,
  murmur3,
  Prng,
  randomAccounts,
  refBucket,
  utf8,
} from "./_exposure_helpers.ts";

const ok = (r: TxResult, what = r.method): void => {
  expect(r.codeName, `${what}: ${r.trap ?? ""}`).toBe("Ok");
};
import { hex0x as hex } from "../helpers/bytes.ts";

/** SPEC section 4's vectors: salt, account, murmur3(salt ‖ account), bucket. */
const VECTORS: { salt: string; account: Uint8Array; hash: number; bucket: number }[] = [
  { salt: "vita_recovery_v2", account: new Uint8Array(20).fill(0x00), hash: 0xad3472a8, bucket: 6765 },
  { salt: "vita_recovery_v2", account: new Uint8Array(20).fill(0xff), hash: 0x517e412a, bucket: 3183 },
  { salt: "vita_recovery_v2", account: Uint8Array.from({ length: 20 }, (_, i) => i + 1), hash: 0x0224c9a9, bucket: 83 },
  { salt: "cross_chain_proofs", account: new Uint8Array(20).fill(0x00), hash: 0x42330738, bucket: 2585 },
  { salt: "a", account: concat(new Uint8Array(10).fill(0x7f), new Uint8Array(10).fill(0x80)), hash: 0xde3c15a9, bucket: 8681 },
];

/** Fast permissive policy: no data needed to start a rollout, one-block steps. */
const FAST = { minSuccessCount: 0, minSamples: 0, incrementBlocks: 1 } as const;

describe("murmur3 reference (TypeScript, independent of the contract)", () => {
  it('murmur3("hello") = 0x248bfa47 and the empty string hashes to 0', () => {
    expect(murmur3(utf8("hello"))).toBe(0x248bfa47);
    expect(murmur3(new Uint8Array(0))).toBe(0);
    // Published values of the reference implementation (seed 0, and seed 1 for the empty input).
    expect(murmur3(new Uint8Array(0), 1)).toBe(0x514e28b7);
    expect(murmur3(utf8("The quick brown fox jumps over the lazy dog"))).toBe(0x2e4ff723);
  });

  it("reproduces every SPEC section 4 vector (hash and bucket)", () => {
    for (const v of VECTORS) {
      const h = murmur3(concat(utf8(v.salt), v.account));
      expect(h, `${v.salt} ${hex(v.account)}`).toBe(v.hash);
      expect(bucketFromHash(h)).toBe(v.bucket);
      expect(refBucket(utf8(v.salt), v.account)).toBe(v.bucket);
    }
  });
});

describe("bucketOf (SPEC section 4 vectors)", () => {
  let fx: Fixture;
  beforeAll(() => {
    fx = initializedChain();
    for (const name of ["vita_recovery_v2", "cross_chain_proofs", "a"]) ok(fx.client.createFeature(OPERATOR, name, ""));
    // Salted features: the salt, not the name, is hashed.
    ok(fx.client.createFeature(OPERATOR, "salted_one", "", { salt: "vita_recovery_v2" }));
    ok(fx.client.createFeature(OPERATOR, "salted_two", "", { salt: "cross_chain_proofs" }));
    ok(fx.client.createFeature(OPERATOR, "salted_three", "", { salt: "a" }));
  });

  it("salt empty: the feature name is the salt", () => {
    for (const v of VECTORS) expect(fx.client.bucketOf(v.salt, v.account), `${v.salt} ${hex(v.account)}`).toBe(v.bucket);
  });

  it("salt set: the policy salt is hashed, not the name", () => {
    const salted: Record<string, string> = { vita_recovery_v2: "salted_one", cross_chain_proofs: "salted_two", a: "salted_three" };
    for (const v of VECTORS) expect(fx.client.bucketOf(salted[v.salt]!, v.account), `${salted[v.salt]} ${hex(v.account)}`).toBe(v.bucket);
    // And the name's own bucket differs for at least one vector account (the salt really replaced it).
    const byName = VECTORS.map((v) => refBucket(utf8(salted[v.salt]!), v.account));
    expect(byName).not.toEqual(VECTORS.map((v) => v.bucket));
  });

  it("a salt is kept byte for byte by getFeature", () => {
    expect(fx.client.getFeature("salted_one")!.policy.salt).toBe("vita_recovery_v2");
    expect(fx.client.getFeature("vita_recovery_v2")!.policy.salt).toBe("");
  });

  it("an unknown feature is FeatureNotFound", () => {
    const r = fx.client.tryView("bucketOf", { name: "nope", account: account(0) });
    expect(r.codeName).toBe("FeatureNotFound");
  });
});

describe("bucketOf equals the TypeScript reference (fast-check)", () => {
  let fx: Fixture;
  beforeAll(() => {
    fx = initializedChain();
    ok(fx.client.createFeature(OPERATOR, "plain_feature", ""));
    ok(fx.client.createFeature(OPERATOR, "x", ""));
  });
  const accountArb = fc.uint8Array({ minLength: 20, maxLength: 20 });

  it("random accounts, salt = name", () => {
    fc.assert(
      fc.property(accountArb, (acc) => {
        expect(fx.client.bucketOf("plain_feature", acc)).toBe(refBucket(utf8("plain_feature"), acc));
        expect(fx.client.bucketOf("x", acc)).toBe(refBucket(utf8("x"), acc));
      }),
      { numRuns: 500, seed: 0x5eed },
    );
  });

  const nameArb = fc.stringMatching(/^[a-z0-9_.-]{1,64}$/);
  // Any UTF-8 salt up to 64 bytes (multi-byte characters included; lone surrogates excluded).
  const saltArb = fc
    .string({ unit: fc.constantFrom("a", "z", "0", "_", "-", ".", "é", "€", "𝄞", "A", " ", "\u0000"), minLength: 0, maxLength: 40 })
    .filter((s) => utf8(s).length <= 64);

  it("random feature names and salts (all tail lengths), several accounts each", () => {
    let created = 0;
    fc.assert(
      fc.property(nameArb, saltArb, fc.array(accountArb, { minLength: 1, maxLength: 4 }), (name, salt, accounts) => {
        const existing = fx.client.getFeature(name);
        if (existing === null) {
          ok(fx.client.createFeature(OPERATOR, name, "", { salt }));
          created++;
        }
        const f = fx.client.getFeature(name)!;
        const saltBytes = utf8(f.policy.salt.length > 0 ? f.policy.salt : name);
        for (const acc of accounts) expect(fx.client.bucketOf(name, acc), `${name} salt ${JSON.stringify(f.policy.salt)}`).toBe(refBucket(saltBytes, acc));
      }),
      { numRuns: 300, seed: 0xb0c4e7 },
    );
    expect(created).toBeGreaterThan(200);
  });
});

describe("exposure statistics over 10^6 seeded random accounts (isEnabledMany)", () => {
  const N = 1_000_000;
  const LEVELS = [100, 500, 1000, 2500, 5000, 7500, 9000, 9900];
  let fx: Fixture;
  let accounts: Uint8Array;
  /** Exposure bytes (0/1 per account) of feature "stat_a" at every level. */
  const atLevel = new Map<number, Uint8Array>();
  let refA: Uint16Array;

  beforeAll(() => {
    fx = initializedChain();
    accounts = randomAccounts(0xc0ffee, N);
    ok(fx.client.createFeature(OPERATOR, "stat_a", "", { salt: "salt-A" }));
    for (const bps of LEVELS) {
      ok(fx.client.startCanary(OPERATOR, "stat_a", bps)); // a re-canary at the next level
      atLevel.set(bps, exposureOf(fx.chain, "stat_a", accounts));
    }
    const salt = utf8("salt-A");
    const buf = new Uint8Array(salt.length + 20);
    buf.set(salt, 0);
    refA = new Uint16Array(N);
    for (let i = 0; i < N; i++) {
      buf.set(accounts.subarray(i * 20, i * 20 + 20), salt.length);
      refA[i] = bucketFromHash(murmur3(buf));
    }
  }, 60_000);

  const count = (e: Uint8Array): number => {
    let s = 0;
    for (let i = 0; i < e.length; i++) s += e[i]!;
    return s;
  };

  it.each(LEVELS)("at %i bps the exposed share is within 4·√(p(1−p)/N) of p", (bps) => {
    const p = bps / 10000;
    const share = count(atLevel.get(bps)!) / N;
    const tol = 4 * Math.sqrt((p * (1 - p)) / N);
    expect(Math.abs(share - p), `share ${share} vs ${p} (tolerance ${tol})`).toBeLessThanOrEqual(tol);
  });

  it("every decision equals the reference bucket < rolloutBps (all 8 × 10^6)", () => {
    for (const bps of LEVELS) {
      const e = atLevel.get(bps)!;
      let mismatches = 0;
      let first = -1;
      for (let i = 0; i < N; i++) {
        if (e[i] !== (refA[i]! < bps ? 1 : 0)) {
          mismatches++;
          if (first < 0) first = i;
        }
      }
      expect(mismatches, `at ${bps} bps, first mismatch at account ${first}`).toBe(0);
    }
  });

  it("exposure is monotone: every account in at a lower level is in at every higher level", () => {
    for (let a = 0; a < LEVELS.length; a++) {
      for (let b = a + 1; b < LEVELS.length; b++) {
        const lo = atLevel.get(LEVELS[a]!)!;
        const hi = atLevel.get(LEVELS[b]!)!;
        let lost = 0;
        for (let i = 0; i < N; i++) if (lo[i] === 1 && hi[i] === 0) lost++;
        expect(lost, `${LEVELS[a]} bps ⊆ ${LEVELS[b]} bps`).toBe(0);
      }
    }
    // 5 % → 10 % explicitly (SPEC's example), and the cohort really grows.
    expect(count(atLevel.get(1000)!)).toBeGreaterThan(count(atLevel.get(500)!));
  });

  it("two salts give independent cohorts: P(in B | in A) within 0.5 points of P(in B)", () => {
    // Two more features, both at 10 % and at 50 %: one salted "salt-B", one with the empty salt (its name).
    ok(fx.client.createFeature(OPERATOR, "stat_b", "", { salt: "salt-B" }));
    ok(fx.client.createFeature(OPERATOR, "stat_c", ""));
    for (const bps of [1000, 5000]) {
      ok(fx.client.startCanary(OPERATOR, "stat_b", bps));
      ok(fx.client.startCanary(OPERATOR, "stat_c", bps));
      const a = atLevel.get(bps)!;
      for (const other of ["stat_b", "stat_c"]) {
        const b = exposureOf(fx.chain, other, accounts);
        let inA = 0;
        let inB = 0;
        let inBoth = 0;
        for (let i = 0; i < N; i++) {
          inA += a[i]!;
          inB += b[i]!;
          inBoth += a[i]! & b[i]!;
        }
        const pB = inB / N;
        const pBgivenA = inBoth / inA;
        expect(Math.abs(pBgivenA - pB) * 100, `${other} at ${bps}: P(B|A) ${pBgivenA} vs P(B) ${pB}`).toBeLessThanOrEqual(0.5);
        // Not the seed's shared cohort (P(in B | in A) = 100 %).
        expect(pBgivenA).toBeLessThan(bps / 10000 + 0.01);
      }
    }
  });

  it("a rollout's steps only ever add accounts (monotone along RollingOut steps, held canary at target)", () => {
    const sub = accounts.subarray(0, 200_000 * 20);
    const { client, chain } = fx;
    ok(client.createFeature(OPERATOR, "stat_roll", "", { ...FAST, incrementBps: 2000 }));
    ok(client.startCanary(OPERATOR, "stat_roll", 100));
    ok(client.startRollout(OPERATOR, "stat_roll", 9000));
    let prev = exposureOf(chain, "stat_roll", sub);
    const seen: number[] = [client.getFeature("stat_roll")!.rolloutBps];
    let h = chain.currentHeight!;
    // A step started in block h is due in block h + incrementBlocks and runs in that block's
    // onPersist, so the first goTo shows no change yet.
    for (let i = 0; i < 10 && client.getFeature("stat_roll")!.status === Status.RollingOut; i++) {
      fx.goTo(++h);
      const f = client.getFeature("stat_roll")!;
      if (f.rolloutBps !== seen[seen.length - 1]) seen.push(f.rolloutBps);
      const cur = exposureOf(chain, "stat_roll", sub);
      let lost = 0;
      for (let j = 0; j < cur.length; j++) if (prev[j] === 1 && cur[j] === 0) lost++;
      expect(lost, `step to ${f.rolloutBps}`).toBe(0);
      prev = cur;
    }
    expect(seen).toEqual([100, 2100, 4100, 6100, 8100, 9000]);
    expect(client.getFeature("stat_roll")!.status).toBe(Status.Canary); // held canary at 90 %
  });
});

describe("isEnabled: the decision order of SPEC section 4", () => {
  /** Accounts with a known bucket under salt `name` (found by the reference hash). */
  function accountWithBucket(name: string, pred: (b: number) => boolean, seed = 1): Uint8Array {
    const rng = new Prng(seed);
    for (;;) {
      const a = rng.bytes(20);
      if (pred(refBucket(utf8(name), a))) return a;
    }
  }

  function freshFixture(): Fixture {
    return initializedChain();
  }

  it("no such feature → false (isEnabled) and all false (isEnabledMany)", () => {
    const { client } = freshFixture();
    expect(client.isEnabled("ghost", account(1))).toBe(false);
    expect(client.isEnabledMany("ghost", [account(1), account(2)])).toEqual([false, false]);
  });

  it("Disabled → false, even with ForceOn", () => {
    const { client } = freshFixture();
    ok(client.createFeature(OPERATOR, "f", "", FAST));
    const a = account(3);
    expect(client.isEnabled("f", a)).toBe(false);
    ok(client.setOverride(OPERATOR, "f", a, OverrideMode.ForceOn));
    expect(client.isEnabled("f", a)).toBe(false);
    // Disabled after having been Enabled: still false, override or not.
    ok(client.enable(OPERATOR, "f"));
    expect(client.isEnabled("f", a)).toBe(true);
    ok(client.disable(OPERATOR, "f"));
    expect(client.isEnabled("f", a)).toBe(false);
    expect(client.isEnabled("f", account(4))).toBe(false);
  });

  it("RolledBack → false, even with ForceOn (from Canary and from Enabled)", () => {
    const { client } = freshFixture();
    ok(client.createFeature(OPERATOR, "f", "", FAST));
    const a = account(5);
    ok(client.setOverride(OPERATOR, "f", a, OverrideMode.ForceOn));
    ok(client.startCanary(OPERATOR, "f", 10000));
    expect(client.isEnabled("f", a)).toBe(true);
    expect(client.isEnabled("f", account(6))).toBe(true);
    ok(client.rollback(GUARDIAN, "f", RollbackReason.Manual));
    expect(client.getFeature("f")!.status).toBe(Status.RolledBack);
    expect(client.isEnabled("f", a)).toBe(false);
    expect(client.isEnabled("f", account(6))).toBe(false);
    ok(client.enable(OPERATOR, "f"));
    ok(client.rollback(OPERATOR, "f", RollbackReason.Performance));
    expect(client.isEnabled("f", a)).toBe(false);
  });

  it("halted → false for Canary and RollingOut, even with ForceOn and at 10000 bps; Enabled ignores the halt", () => {
    const { client } = freshFixture();
    for (const n of ["can", "roll", "en"]) ok(client.createFeature(OPERATOR, n, "", { ...FAST, incrementBlocks: 1000 }));
    ok(client.startCanary(OPERATOR, "can", 10000));
    ok(client.startCanary(OPERATOR, "roll", 5000));
    ok(client.startRollout(OPERATOR, "roll", 10000));
    ok(client.enable(OPERATOR, "en"));
    const forced = account(7);
    const plain = accountWithBucket("roll", (b) => b < 5000);
    for (const n of ["can", "roll", "en"]) ok(client.setOverride(OPERATOR, n, forced, OverrideMode.ForceOn));
    expect([client.isEnabled("can", plain), client.isEnabled("roll", plain), client.isEnabled("en", plain)]).toEqual([true, true, true]);

    ok(client.setGlobal(GUARDIAN, false, true));
    expect(client.getGlobal()).toEqual({ paused: false, halted: true });
    for (const a of [forced, plain]) {
      expect(client.isEnabled("can", a), `can ${hex(a)}`).toBe(false);
      expect(client.isEnabled("roll", a), `roll ${hex(a)}`).toBe(false);
      expect(client.isEnabled("en", a), `en ${hex(a)}`).toBe(true);
    }
    expect(client.isEnabledMany("can", [forced, plain])).toEqual([false, false]);
    expect(client.isEnabledMany("en", [forced, plain])).toEqual([true, true]);

    // The halt lifted: back to overrides and buckets.
    ok(client.setGlobal(GUARDIAN, false, false));
    expect(client.isEnabled("can", forced)).toBe(true);
    expect(client.isEnabled("roll", forced)).toBe(true);
    expect(client.isEnabled("roll", plain)).toBe(true);
  });

  it("the global pause alone does not hide a feature", () => {
    const { client } = freshFixture();
    ok(client.createFeature(OPERATOR, "f", "", FAST));
    ok(client.startCanary(OPERATOR, "f", 10000));
    ok(client.setGlobal(GUARDIAN, true, false));
    expect(client.isEnabled("f", account(8))).toBe(true);
  });

  it("Canary/RollingOut: ForceOn → true outside the cohort, ForceOff → false inside it; otherwise bucket < rolloutBps", () => {
    const { client } = freshFixture();
    ok(client.createFeature(OPERATOR, "f", "", { ...FAST, incrementBlocks: 1000 }));
    ok(client.startCanary(OPERATOR, "f", 2500));
    const inside = accountWithBucket("f", (b) => b < 2500, 2);
    const outside = accountWithBucket("f", (b) => b >= 2500, 3);
    const edgeIn = accountWithBucket("f", (b) => b === 2499, 4);
    const edgeOut = accountWithBucket("f", (b) => b === 2500, 5);
    expect(client.isEnabled("f", inside)).toBe(true);
    expect(client.isEnabled("f", outside)).toBe(false);
    expect(client.isEnabled("f", edgeIn)).toBe(true); // bucket 2499 < 2500
    expect(client.isEnabled("f", edgeOut)).toBe(false); // bucket 2500 is not < 2500

    ok(client.setOverride(OPERATOR, "f", outside, OverrideMode.ForceOn));
    ok(client.setOverride(OPERATOR, "f", inside, OverrideMode.ForceOff));
    expect(client.isEnabled("f", outside)).toBe(true);
    expect(client.isEnabled("f", inside)).toBe(false);
    expect(client.isEnabled("f", edgeIn)).toBe(true); // others untouched

    ok(client.startRollout(OPERATOR, "f", 10000));
    expect(client.getFeature("f")!.status).toBe(Status.RollingOut);
    expect(client.isEnabled("f", outside)).toBe(true);
    expect(client.isEnabled("f", inside)).toBe(false);
    expect(client.isEnabled("f", edgeIn)).toBe(true);
    expect(client.isEnabled("f", edgeOut)).toBe(false);
  });

  it("Enabled → true for everyone; ForceOff in Enabled → false (overrides come before Enabled)", () => {
    const { client } = freshFixture();
    ok(client.createFeature(OPERATOR, "f", "", FAST));
    ok(client.enable(OPERATOR, "f"));
    const off = account(9);
    const on = account(10);
    const rng = new Prng(11);
    for (let i = 0; i < 50; i++) expect(client.isEnabled("f", rng.bytes(20))).toBe(true);
    ok(client.setOverride(OPERATOR, "f", off, OverrideMode.ForceOff));
    ok(client.setOverride(OPERATOR, "f", on, OverrideMode.ForceOn));
    expect(client.isEnabled("f", off)).toBe(false);
    expect(client.isEnabled("f", on)).toBe(true);
    expect(client.isEnabledMany("f", [off, on, account(12)])).toEqual([false, true, true]);
  });

  it("an override is per feature and per account", () => {
    const { client } = freshFixture();
    ok(client.createFeature(OPERATOR, "a", "", FAST));
    ok(client.createFeature(OPERATOR, "ab", "", FAST)); // "a" is a prefix of "ab": no key overlap allowed
    ok(client.startCanary(OPERATOR, "a", 1));
    ok(client.startCanary(OPERATOR, "ab", 1));
    const acc = accountWithBucket("a", (b) => b >= 1, 13);
    const accAb = refBucket(utf8("ab"), acc);
    expect(accAb).toBeGreaterThanOrEqual(1);
    ok(client.setOverride(OPERATOR, "a", acc, OverrideMode.ForceOn));
    expect(client.isEnabled("a", acc)).toBe(true);
    expect(client.isEnabled("ab", acc)).toBe(false);
    const other = acc.slice();
    other[19] ^= 1;
    if (refBucket(utf8("a"), other) >= 1) expect(client.isEnabled("a", other)).toBe(false);
  });

  it("setOverride Clear removes the override (back to the bucket) and emits OverrideSet; no-ops emit nothing", () => {
    const { client } = freshFixture();
    ok(client.createFeature(OPERATOR, "f", "", FAST));
    ok(client.startCanary(OPERATOR, "f", 5000));
    const inside = accountWithBucket("f", (b) => b < 5000, 14);
    const expectEvent = (r: TxResult, mode: OverrideMode): void => {
      ok(r);
      expect(r.rawEvents.length).toBe(1);
      expect(decodeTypedEvent(r.rawEvents[0]!)).toEqual({ name: "OverrideSet", data: { name: "f", account: hex(inside), mode } });
    };

    // Clear with no override: ok, no event.
    const clearNone = client.setOverride(OPERATOR, "f", inside, OverrideMode.Clear);
    ok(clearNone);
    expect(clearNone.rawEvents).toEqual([]);

    expectEvent(client.setOverride(OPERATOR, "f", inside, OverrideMode.ForceOff), OverrideMode.ForceOff);
    expect(client.isEnabled("f", inside)).toBe(false);
    // The same mode again: a no-op, no event.
    const again = client.setOverride(OPERATOR, "f", inside, OverrideMode.ForceOff);
    ok(again);
    expect(again.rawEvents).toEqual([]);
    // A different mode: an event.
    expectEvent(client.setOverride(OPERATOR, "f", inside, OverrideMode.ForceOn), OverrideMode.ForceOn);
    expect(client.isEnabled("f", inside)).toBe(true);
    expectEvent(client.setOverride(OPERATOR, "f", inside, OverrideMode.Clear), OverrideMode.Clear);
    expect(client.isEnabled("f", inside)).toBe(true); // by its bucket again
    ok(client.startCanary(OPERATOR, "f", 1));
    expect(client.isEnabled("f", inside)).toBe(refBucket(utf8("f"), inside) < 1);
    // A second Clear: no event.
    const clear2 = client.setOverride(OPERATOR, "f", inside, OverrideMode.Clear);
    ok(clear2);
    expect(clear2.rawEvents).toEqual([]);

    // Setting and clearing leaves no override record behind: the state is as before the first set
    // (apart from the re-canary, compared on a separate chain below).
    const { client: c2, chain: chain2 } = freshFixture();
    ok(c2.createFeature(OPERATOR, "f", "", FAST));
    ok(c2.startCanary(OPERATOR, "f", 5000));
    ok(c2.setOverride(OPERATOR, "f", inside, OverrideMode.ForceOn));
    ok(c2.setOverride(OPERATOR, "f", inside, OverrideMode.Clear));
    const { chain: chain3, client: c3 } = freshFixture();
    ok(c3.createFeature(OPERATOR, "f", "", FAST));
    ok(c3.startCanary(OPERATOR, "f", 5000));
    chain2.endBlock();
    chain3.endBlock();
    expect(chain2.stateRoot()).toBe(chain3.stateRoot());
  });

  it("setOverride: unknown feature → FeatureNotFound, bad mode → BadInput, non-Operator → Unauthorized", () => {
    const { client } = freshFixture();
    ok(client.createFeature(OPERATOR, "f", "", FAST));
    expect(client.setOverride(OPERATOR, "nope", account(1), OverrideMode.ForceOn).codeName).toBe("FeatureNotFound");
    expect(client.setOverride(OPERATOR, "f", account(1), 3).codeName).toBe("BadInput");
    expect(client.setOverride(GUARDIAN, "f", account(1), OverrideMode.ForceOn).codeName).toBe("Unauthorized");
  });

  it("isEnabledMany equals isEnabled per account, in every status, with overrides and duplicates", () => {
    const { client } = freshFixture();
    ok(client.createFeature(OPERATOR, "f", "", { ...FAST, incrementBlocks: 1000 }));
    const rng = new Prng(15);
    const accounts: Uint8Array[] = Array.from({ length: 300 }, () => rng.bytes(20));
    accounts.push(accounts[0]!, accounts[1]!, accounts[0]!); // duplicates
    for (let i = 0; i < 40; i++) ok(client.setOverride(OPERATOR, "f", accounts[i * 3]!, i % 2 === 0 ? OverrideMode.ForceOn : OverrideMode.ForceOff));
    const check = (what: string): void => {
      const many = client.isEnabledMany("f", accounts);
      const one = accounts.map((a) => client.isEnabled("f", a));
      expect(many, what).toEqual(one);
    };
    check("Disabled");
    ok(client.startCanary(OPERATOR, "f", 3000));
    check("Canary 30 %");
    ok(client.startRollout(OPERATOR, "f", 10000));
    check("RollingOut");
    ok(client.setGlobal(GUARDIAN, false, true));
    check("RollingOut halted");
    ok(client.setGlobal(GUARDIAN, false, false));
    ok(client.enable(OPERATOR, "f"));
    check("Enabled");
    ok(client.rollback(GUARDIAN, "f", RollbackReason.Manual));
    check("RolledBack");
    expect(client.isEnabledMany("f", [])).toEqual([]);
    // More than 1024 accounts → LimitExceeded; exactly 1024 is fine.
    const big = Array.from({ length: 1025 }, (_, i) => account(i & 0xff));
    expect(client.tryView("isEnabledMany", { name: "f", accounts: big }).codeName).toBe("LimitExceeded");
    expect(client.isEnabledMany("f", big.slice(0, 1024)).length).toBe(1024);
  });

  it("isEnabledMany equals isEnabled on random accounts and rollout levels (fast-check)", () => {
    const { client } = freshFixture();
    ok(client.createFeature(OPERATOR, "prop", "", { ...FAST, salt: "prop-salt" }));
    ok(client.startCanary(OPERATOR, "prop", 1));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10000 }),
        fc.array(fc.uint8Array({ minLength: 20, maxLength: 20 }), { minLength: 1, maxLength: 30 }),
        (bps, accs) => {
          ok(client.startCanary(OPERATOR, "prop", bps));
          const many = client.isEnabledMany("prop", accs);
          accs.forEach((a, i) => {
            const expected = refBucket(utf8("prop-salt"), a) < bps;
            expect(client.isEnabled("prop", a)).toBe(expected);
            expect(many[i]).toBe(expected);
          });
        },
      ),
      { numRuns: 200, seed: 0x15e4 },
    );
  });
});
