// ABI fuzzing (issue 7): random and mutated Borsh arguments for every exported method, on an
// initialized chain with features in every status. Only error codes 0..16 come back — never
// a trap (code −1) and never a host exception — and a non-zero code leaves every stored byte
// as it was (the root of the open block's state before == after).

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Chain, ContractRuntime, MemoryStore } from "../../src/host/index.ts";
import { METHOD_NAMES, METHODS, type MethodName } from "../../src/abi/methods.ts";
import { releaseWasm } from "../helpers/contract.ts";
import { ACCOUNTS, blockRoot, callArbs, encode, type Cmd } from "./_harness.ts";
import { seededStore } from "./_fixtures.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const { ADMIN, OPERATOR, GUARDIAN, REPORTER, OUTSIDER } = ACCOUNTS as Record<string, Uint8Array>;

const u32le = (v: number) => Uint8Array.of(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);

type Mut =
  | { k: "flip"; at: number; bits: number }
  | { k: "trunc"; at: number }
  | { k: "extend"; bytes: Uint8Array }
  | { k: "len"; at: number; v: number }
  | { k: "random"; bytes: Uint8Array }
  | { k: "none" };

const mutArb: fc.Arbitrary<Mut> = fc.oneof(
  fc.record({ k: fc.constant("flip" as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ k: fc.constant("trunc" as const), at: fc.nat() }),
  fc.record({ k: fc.constant("extend" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ k: fc.constant("len" as const), at: fc.nat(), v: fc.oneof(fc.constantFrom(0, 1, 20, 64, 65, 256, 257, 1024, 1025, 0x7fffffff, 0xffffffff), fc.nat()) }),
  fc.record({ k: fc.constant("random" as const), bytes: fc.uint8Array({ maxLength: 80 }) }),
  fc.constant({ k: "none" as const }),
);

function mutate(b: Uint8Array, m: Mut): Uint8Array {
  switch (m.k) {
    case "none":
      return b;
    case "random":
      return m.bytes;
    case "flip": {
      if (b.length === 0) return Uint8Array.of(m.bits);
      const o = b.slice();
      o[m.at % o.length]! ^= m.bits;
      return o;
    }
    case "trunc":
      return b.slice(0, b.length === 0 ? 0 : m.at % b.length); // every proper prefix of a valid value
    case "extend": {
      const o = new Uint8Array(b.length + m.bytes.length);
      o.set(b);
      o.set(m.bytes, b.length);
      return o;
    }
    case "len": {
      // Length-field tampering: overwrite 4 bytes (a String/Vec length wherever it falls) with v.
      if (b.length < 4) return b;
      const at = m.at % (b.length - 3);
      const o = b.slice();
      o.set(u32le(m.v), at);
      return o;
    }
  }
}

const methodArgs = (method: MethodName): fc.Arbitrary<Uint8Array> => {
  const arb = (callArbs as Record<string, fc.Arbitrary<Cmd>>)[method];
  if (!arb) return fc.constant(new Uint8Array(0)); // onPersist, getGlobal, … take ()
  return fc.oneof(
    { weight: 3, arbitrary: arb.map((c) => encode(c as Extract<Cmd, { t: "call" }>)) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  ).map((b) => b);
};

describe("ABI fuzzing: every method, random and mutated Borsh", () => {
  let runtime: ContractRuntime;
  let base: { store: MemoryStore; height: number };
  beforeAll(() => {
    runtime = new ContractRuntime(releaseWasm());
    base = seededStore(runtime);
  });

  for (const method of METHOD_NAMES) {
    it(`${method}: only codes 0..16, never a trap; a failure writes nothing`, () => {
      const chain = new Chain(runtime, new MemoryStore(base.store.entries()));
      let height = base.height + 1;
      chain.beginBlock(height);
      const signers = [ADMIN!, OPERATOR!, GUARDIAN!, REPORTER!, OUTSIDER!];
      fc.assert(
        fc.property(methodArgs(method), mutArb, fc.nat(signers.length - 1), fc.boolean(), (valid, m, who, newBlock) => {
          if (newBlock) {
            chain.endBlock();
            chain.beginBlock(++height);
          }
          const args = mutate(valid, m);
          const sender = signers[who]!;
          const before = blockRoot(chain);
          let r;
          try {
            r = METHODS[method].view ? chain.view(method, args, { sender }) : chain.transact(method, args, { height, sender, witnesses: [sender] });
          } catch (e) {
            throw new Error(`${method}(${Buffer.from(args).toString("hex")}): host exception ${(e as Error).message}`);
          }
          if (r.code < 0 || r.code > 16 || r.trap !== undefined) {
            throw new Error(`${method}(${Buffer.from(args).toString("hex")}): code ${r.code} trap ${r.trap}`);
          }
          if (r.code !== 0 && blockRoot(chain) !== before) throw new Error(`${method}(${Buffer.from(args).toString("hex")}): code ${r.code} but state changed`);
          if (r.code !== 0 && r.events.length !== 0) throw new Error(`${method}: code ${r.code} with events`);
        }),
        { numRuns: RUNS },
      );
      const end = chain.endBlock();
      expect(end.onPersist.code).toBe(0);
    });
  }
});
