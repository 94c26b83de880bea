// Model-based tests (issue 7): random call sequences — every role, outsiders and unsigned
// senders, every method, edge and invalid arguments, mutated Borsh, random gaps of blocks with
// onPersist after each block — run on the contract (through the host) and on the reference
// model (src/model). After every step: codes, decoded results and events agree, the observable
// state agrees, and the invariants hold (see _harness.ts). MODEL_RUNS=2000 for the long run.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runScenario, scenarioArb, type Scenario } from "./_harness.ts";

const RUNS = Number(process.env.MODEL_RUNS ?? 100);
const SEED = process.env.MODEL_SEED === undefined ? undefined : Number(process.env.MODEL_SEED);

describe("contract vs reference model", () => {
  it(`agrees on ${RUNS} random call sequences (≤ 60 calls, all roles, all methods, block gaps)`, () => {
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        runScenario(sc as Scenario);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false, verbose: 1 },
    );
  }, 3_600_000);

  it("agrees on a reused module and on fresh instances (reuse: false)", () => {
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        runScenario(sc as Scenario, { reuse: false, observe: false });
      }),
      { numRuns: Math.max(5, Math.floor(RUNS / 10)), seed: SEED },
    );
  }, 3_600_000);

  it("a fixed scenario: canary → rollout → steps → Enabled, with pauses and reports", () => {
    const sc: Scenario = {
      preInit: true,
      start: 1,
      cmds: [
        { t: "call", method: "createFeature", args: { name: "a", description: "d", policy: { incrementBlocks: 2, incrementBps: 5000, minSamples: 1, minSuccessCount: 1n, progressDeadlineBlocks: 5 } }, who: "OPERATOR", sign: "self" },
        { t: "call", method: "startCanary", args: { name: "a", bps: 100 }, who: "OPERATOR", sign: "self" },
        { t: "call", method: "recordSuccess", args: { name: "a" }, who: "REPORTER", sign: "self" },
        { t: "gap", n: 1 },
        { t: "call", method: "startRollout", args: { name: "a", targetBps: 10000 }, who: "OPERATOR", sign: "self" },
        { t: "call", method: "pause", args: { name: "a" }, who: "GUARDIAN", sign: "self" },
        { t: "gap", n: 3 },
        { t: "call", method: "resume", args: { name: "a" }, who: "GUARDIAN", sign: "self" },
        { t: "call", method: "recordSuccess", args: { name: "a" }, who: "REPORTER", sign: "self" },
        { t: "gap", n: 1 },
        { t: "gap", n: 1 },
        { t: "call", method: "recordBatch", args: { name: "a", successes: 3n, errors: 0n }, who: "REPORTER", sign: "self" },
        { t: "gap", n: 2 },
        { t: "gap", n: 2 },
      ],
    };
    const r = runScenario(sc);
    expect(r.steps).toBe(18);
  });
});
