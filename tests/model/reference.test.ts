// The reference model on its own: SPEC section 4's murmur3 and bucket vectors, and the
// contract agreeing with the model's bucket on random salts and accounts.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucket, murmur3_32 } from "../../src/model/index.ts";
import { initializedChain, OPERATOR } from "../helpers/contract.ts";

const acc = (f: (i: number) => number) => Uint8Array.from({ length: 20 }, (_, i) => f(i));
const cat = (s: string, a: Uint8Array) => {
  const b = new TextEncoder().encode(s);
  const o = new Uint8Array(b.length + a.length);
  o.set(b);
  o.set(a, b.length);
  return o;
};

describe("reference model: murmur3 and bucket (SPEC section 4 vectors)", () => {
  it("murmur3(\"hello\") = 0x248bfa47", () => {
    expect(murmur3_32(new TextEncoder().encode("hello"))).toBe(0x248bfa47);
  });
  it.each([
    ["vita_recovery_v2", acc(() => 0), 0xad3472a8, 6765],
    ["vita_recovery_v2", acc(() => 0xff), 0x517e412a, 3183],
    ["vita_recovery_v2", acc((i) => i + 1), 0x0224c9a9, 83],
    ["cross_chain_proofs", acc(() => 0), 0x42330738, 2585],
    ["a", acc((i) => (i < 10 ? 0x7f : 0x80)), 0xde3c15a9, 8681],
  ] as const)("%s", (salt, account, h, b) => {
    expect(murmur3_32(cat(salt, account))).toBe(h);
    expect(bucket(salt, account)).toBe(b);
  });
  it("the contract's bucketOf equals the model's on random salts and accounts", () => {
    const { client } = initializedChain();
    const salts = ["", "s", "salt-with-é", "x".repeat(64)];
    salts.forEach((salt, i) => expect(client.createFeature(OPERATOR, `f${i}`, "", { salt }).ok).toBe(true));
    fc.assert(
      fc.property(fc.nat(salts.length - 1), fc.uint8Array({ minLength: 20, maxLength: 20 }), (i, a) => {
        expect(client.bucketOf(`f${i}`, a)).toBe(bucket(salts[i] || `f${i}`, a));
      }),
      { numRuns: 300 },
    );
  });
});
