// Generators of the statistics property tests (statistic-module.test.ts): random report
// sequences on a Sequential feature "a" and a Comparative feature "b", and the scenario they
// make for the harness. Also used by statistic.test.ts to show, on the model alone, that the
// sequences reach what they claim to (floors, thresholds, n_c = 0, n_b = 0, u64 extremes).

import fc from "fast-check";
import type { Cmd, Scenario } from "./_harness.ts";
import { DEFAULTS, U64_MAX } from "../../src/model/index.ts";

const U = U64_MAX;

const u64Extreme = fc.oneof(fc.constantFrom(U, U - 1n, 1n << 63n, (1n << 63n) - 1n, 1n << 32n), fc.bigInt(0n, U));
/** A count: mostly realistic, sometimes 0, sometimes at the u64 extremes. */
const countArb = (max: bigint) =>
  fc.oneof({ weight: 10, arbitrary: fc.bigInt(0n, max) }, { weight: 3, arbitrary: fc.constant(0n) }, { weight: 1, arbitrary: u64Extreme });
const errArb = fc.oneof({ weight: 6, arbitrary: fc.constant(0n) }, { weight: 6, arbitrary: fc.bigInt(1n, 3n) }, { weight: 2, arbitrary: fc.bigInt(4n, 40n) }, { weight: 1, arbitrary: u64Extreme });

const common = {
  steps: fc.constant([] as number[]),
  incrementBps: fc.constantFrom(2500, 5000),
  incrementBlocks: fc.integer({ min: 1, max: 4 }),
  minSamples: fc.oneof(fc.constantFrom(0, 1, 100), fc.integer({ min: 0, max: 600 })),
  minSuccessCount: fc.constant(0n),
};

export const seqPolicyArb = fc.record({
  ...common,
  analysis: fc.constant(1),
  seqSlopePpm: fc.oneof({ weight: 3, arbitrary: fc.constant(14435) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 2_000_000 }) }, { weight: 1, arbitrary: fc.constantFrom(1, 600_000, 999_999, 1_000_000, 0xffffffff) }),
  seqInterceptPpm: fc.oneof({ weight: 3, arbitrary: fc.constant(4109731n) }, { weight: 3, arbitrary: fc.bigInt(1n, 20_000_000n) }, { weight: 1, arbitrary: fc.constantFrom(1n, (1n << 63n) - 1n, 1n << 63n, U) }),
  seqFloorPpm: fc.oneof({ weight: 3, arbitrary: fc.constant(8219462n) }, { weight: 3, arbitrary: fc.bigInt(0n, 20_000_000n) }, { weight: 1, arbitrary: fc.constantFrom(0n, 1n << 63n, (1n << 63n) + 1n, U) }),
});

export const compPolicyArb = fc
  .record({
    ...common,
    analysis: fc.constant(2),
    compExcessPpm: fc.oneof({ weight: 3, arbitrary: fc.constant(1_000_000) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 9_000_000 }) }, { weight: 1, arbitrary: fc.constantFrom(1, 9_000_000) }),
    lnFrac: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1)),
    compThresholdPpm: fc.oneof({ weight: 3, arbitrary: fc.constant(2890372n) }, { weight: 3, arbitrary: fc.bigInt(1n, 12_000_000n) }, { weight: 1, arbitrary: fc.constantFrom(1n, (1n << 63n) - 1n, 1n << 63n, U) }),
    compFloorPpm: fc.oneof({ weight: 3, arbitrary: fc.constant(5780744n) }, { weight: 3, arbitrary: fc.bigInt(0n, 12_000_000n) }, { weight: 1, arbitrary: fc.constantFrom(0n, 1n << 63n, (1n << 63n) + 1n, U) }),
  })
  .map(({ lnFrac, ...p }) => ({
    ...p,
    // L = ⌊ln r × 10^6⌋ for r = 1 + k/10^6 most of the time; otherwise anywhere in 1..k.
    compLnRatioPpm: lnFrac === 0 ? Math.max(1, Math.floor(Math.log1p(p.compExcessPpm / 1e6) * 1e6)) : Math.min(p.compExcessPpm, Math.max(1, Math.round(lnFrac * p.compExcessPpm))),
  }));

export const R = (method: string, args: Record<string, unknown>): Cmd => ({ t: "call", method, args, who: "REPORTER", sign: "self" }) as Cmd;
export const O = (method: string, args: Record<string, unknown>): Cmd => ({ t: "call", method, args, who: "OPERATOR", sign: "self" }) as Cmd;

const nameArb = fc.constantFrom("a", "b");
/** One report, to either feature (both analyses see every kind). */
const reportArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ name: nameArb, canarySuccesses: countArb(150n), canaryErrors: errArb, baseSuccesses: countArb(600n), baseErrors: errArb }).map((a) => R("recordCohorts", a)),
  },
  {
    // A shared outage: the same error count on both cohorts.
    weight: 1,
    arbitrary: fc.record({ name: nameArb, cs: fc.bigInt(0n, 100n), bs: fc.bigInt(0n, 300n), e: fc.bigInt(1n, 6n) }).map(({ name, cs, bs, e }) =>
      R("recordCohorts", { name, canarySuccesses: cs, canaryErrors: e, baseSuccesses: bs, baseErrors: e }),
    ),
  },
  { weight: 3, arbitrary: fc.record({ name: nameArb, successes: countArb(150n), errors: errArb }).map((a) => R("recordBatch", a)) },
  {
    // Both counts huge: successes + errors above 2^64 − 1 (n must be the exact sum, not a saturated one).
    weight: 1,
    arbitrary: fc.record({ name: nameArb, a: u64Extreme, b: u64Extreme, cohorts: fc.boolean(), base: countArb(600n) }).map(({ name, a, b, cohorts, base }) =>
      cohorts ? R("recordCohorts", { name, canarySuccesses: a, canaryErrors: b, baseSuccesses: base, baseErrors: b }) : R("recordBatch", { name, successes: a, errors: b }),
    ),
  },
  { weight: 2, arbitrary: nameArb.map((name) => R("recordSuccess", { name })) },
  { weight: 2, arbitrary: nameArb.map((name) => R("recordError", { name })) },
);

/** A block: a few reports, now and then a lifecycle call, then a gap (onPersist runs). */
const blockArb = (policyArbs: Record<string, fc.Arbitrary<Record<string, unknown>>>): fc.Arbitrary<Cmd[]> =>
  fc
    .record({
      reports: fc.array(reportArb, { minLength: 1, maxLength: 4 }),
      extra: fc.oneof(
        { weight: 14, arbitrary: fc.constant(null) },
        { weight: 2, arbitrary: nameArb.map((name) => O("startRollout", { name, targetBps: 10000 })) },
        { weight: 1, arbitrary: fc.record({ name: nameArb, bps: fc.integer({ min: 1, max: 3000 }) }).map((a) => O("startCanary", a)) },
        { weight: 1, arbitrary: nameArb.map((name) => O("enable", { name })) },
        // Same analysis, new statistical fields (a reset) or only a new minSamples (no reset).
        { weight: 1, arbitrary: fc.tuple(policyArbs.a!, policyArbs.b!, nameArb, fc.boolean()).map(([pa, pb, name, full]) => O("updatePolicy", { name, policy: full ? (name === "a" ? pa : pb) : { ...(name === "a" ? pa : pb), keepStatistic: true } })) },
      ),
      gap: fc.integer({ min: 1, max: 3 }),
    })
    .map(({ reports, extra, gap }) => [...(extra ? [extra] : []), ...reports, { t: "gap", n: gap } as Cmd]);

export function scenario(pa: Record<string, unknown>, pb: Record<string, unknown>, blocks: Cmd[][]): Scenario {
  const policies: Record<string, Record<string, unknown>> = { a: pa, b: pb };
  // updatePolicy with keepStatistic: the stored policy with only minSamples changed (no reset expected).
  let current = { ...policies };
  const cmds: Cmd[] = [O("startCanary", { name: "a", bps: 500 }), O("startCanary", { name: "b", bps: 500 })];
  for (const block of blocks)
    for (const c of block) {
      if (c.t === "call" && c.method === "updatePolicy") {
        const name = c.args.name as string;
        const p = c.args.policy as Record<string, unknown>;
        const next = p.keepStatistic ? { ...current[name]!, minSamples: p.minSamples } : { ...p };
        current = { ...current, [name]: next };
        cmds.push({ ...c, args: { name, policy: next } });
      } else cmds.push(c);
    }
  return { preInit: true, start: 100, creates: [{ name: "a", policy: pa }, { name: "b", policy: pb }], cmds };
}

export const clean = (p: Record<string, unknown>) => ({ ...DEFAULTS, ...p, steps: [] as number[] });

/** A whole random statistics scenario: "a" Sequential, "b" Comparative, both policies random, 1..maxBlocks blocks. */
export function statScenarioArb(maxBlocks = 14): fc.Arbitrary<Scenario> {
  const arbs = { a: seqPolicyArb.map(clean), b: compPolicyArb.map(clean) };
  return fc.tuple(arbs.a, arbs.b, fc.array(blockArb(arbs), { minLength: 1, maxLength: maxBlocks })).map(([a, b, blocks]) => scenario(a, b, blocks));
}

/**
 * The default policies (Sequential "a", Comparative "b"), a deterministic mix: 20 blocks of
 * healthy traffic on both cohorts (the Sequential floor is reached), a rollout from block 3,
 * then a 5× regression of the canary only.
 */
export function defaultRegressionScenario(): Scenario {
  // A deterministic mix (an LCG): 0.5 % errors on both cohorts for 20 blocks, then 2.5 % (5×) on the canary only.
  const cmds: Cmd[][] = [];
  let x = 12345;
  const rnd = (n: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31), x % n);
  const errors = (n: number, perMille: number) => BigInt(Array.from({ length: n }, () => rnd(1000) < perMille).filter(Boolean).length);
  for (let blk = 0; blk < 40; blk++) {
    const block: Cmd[] = [];
    for (const name of ["a", "b"]) {
      const nc = 60 + rnd(80);
      const nb = 300 + rnd(400);
      const ec = errors(nc, blk >= 20 ? 25 : 5);
      const eb = errors(nb, 5);
      block.push(R("recordCohorts", { name, canarySuccesses: BigInt(nc) - ec, canaryErrors: ec, baseSuccesses: BigInt(nb) - eb, baseErrors: eb }));
    }
    if (blk === 3) block.push(O("startRollout", { name: "a", targetBps: 10000 }), O("startRollout", { name: "b", targetBps: 10000 }));
    block.push({ t: "gap", n: 1 });
    cmds.push(block);
  }
  const pol = { incrementBlocks: 5, incrementBps: 1000, minSuccessCount: 0n };
  return scenario(clean({ ...pol, analysis: 1 }), clean({ ...pol, analysis: 2 }), cmds);
}
