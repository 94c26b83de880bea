// Synthetic traffic: deterministic from the seed, uniform, independent of the contract.
import { describe, expect, it } from "vitest";
import { Population, TrafficStream, Xoshiro128, makeTraffic } from "../../src/replay/traffic.ts";
import type { TrafficSpec } from "../../src/replay/scenario.ts";

const spec = (over: Partial<TrafficSpec> = {}): TrafficSpec => ({
  feature: "f",
  from: 1,
  to: 100,
  callsPerBlock: 100,
  population: 1000,
  errorRateBps: { exposed: 500, unexposed: 100 },
  reporter: "0x00000000000000000000000000000000000000a3",
  reporterLabel: "monitor",
  ...over,
});

describe("Xoshiro128", () => {
  it("is a pure function of its seed material", () => {
    const a = new Xoshiro128("seed");
    const b = new Xoshiro128("seed");
    const c = new Xoshiro128("other");
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xs);
    for (const x of xs) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
  });

  it("below(n) is uniform over [0, n)", () => {
    const r = new Xoshiro128("uniform");
    const counts = new Array<number>(10).fill(0);
    const N = 100_000;
    for (let i = 0; i < N; i++) counts[r.below(10)]!++;
    // Each bucket within 5 standard deviations of N/10.
    const sd = Math.sqrt(N * 0.1 * 0.9);
    for (const c of counts) expect(Math.abs(c - N / 10)).toBeLessThan(5 * sd);
    for (let i = 0; i < 1000; i++) {
      const v = r.below(100_000_000);
      expect(v >= 0 && v < 100_000_000).toBe(true);
    }
  });
});

describe("Population", () => {
  it("gives every index a distinct, fixed account, unrelated across features and seeds", () => {
    const p = new Population(42, "f");
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(Buffer.from(p.account(i)).toString("hex"));
    expect(seen.size).toBe(20_000);
    expect(new Population(42, "f").account(7)).toEqual(p.account(7));
    expect(new Population(42, "g").account(7)).not.toEqual(p.account(7));
    expect(new Population(43, "f").account(7)).not.toEqual(p.account(7));
    expect(new Population("42", "f").account(7)).toEqual(p.account(7));
  });

  it("counts distinct exposed accounts once each", () => {
    const p = new Population(1, "f");
    p.grow(100);
    for (const i of [3, 3, 5, 99, 5]) p.markExposed(i);
    expect(p.exposedAccounts).toBe(3);
    p.grow(200); // keeps what it has seen
    p.markExposed(3);
    p.markExposed(150);
    expect(p.exposedAccounts).toBe(4);
  });
});

describe("TrafficStream", () => {
  it("writes isEnabledMany's Borsh arguments: the name, the count, then the drawn accounts", () => {
    const pop = new Population(1, "f");
    const s = new TrafficStream(spec({ callsPerBlock: 3 }), 1, 0, pop);
    s.draw();
    const a = s.args;
    expect(a.length).toBe(4 + 1 + 4 + 3 * 20);
    expect([...a.subarray(0, 9)]).toEqual([1, 0, 0, 0, 0x66, 3, 0, 0, 0]);
  });

  it("draws the same calls and dice whatever the contract answered (common random numbers)", () => {
    const run = (exposeAll: boolean) => {
      const { streams } = makeTraffic(9, [spec()]);
      const s = streams[0]!;
      const out: number[] = [];
      for (let b = 0; b < 20; b++) {
        s.draw();
        out.push(...s.args.subarray(9, 49));
        const exposure = exposeAll ? new Uint8Array(4 + 100).fill(1) : null;
        s.tally(exposure, 4);
      }
      return { out, pop: s.population };
    };
    const a = run(true);
    const b = run(false);
    expect(b.out).toEqual(a.out);
    expect(a.pop.exposedCalls).toBe(2000);
    expect(b.pop.exposedCalls).toBe(0);
    expect(a.pop.calls).toBe(b.pop.calls);
    // The exposed arm fails at 5 %, the old path at 1 %.
    expect(a.pop.exposedErrors / 2000).toBeGreaterThan(0.03);
    expect(a.pop.exposedErrors / 2000).toBeLessThan(0.07);
    expect(b.pop.unexposedErrors / 2000).toBeLessThan(0.025);
  });

  it("gives each entry of one feature its own stream but the same accounts", () => {
    const { streams, populations } = makeTraffic(5, [spec(), spec({ from: 101, to: 200 }), spec({ feature: "g" })]);
    expect(populations.map((p) => p.feature)).toEqual(["f", "g"]);
    expect(streams[0]!.population).toBe(streams[1]!.population);
    streams[0]!.draw();
    streams[1]!.draw();
    expect([...streams[0]!.args]).not.toEqual([...streams[1]!.args]);
  });

  it("adding traffic for another feature leaves this feature's draws unchanged", () => {
    const alone = makeTraffic(5, [spec()]).streams[0]!;
    const withOther = makeTraffic(5, [spec({ feature: "g" }), spec()]).streams[1]!;
    alone.draw();
    withOther.draw();
    expect([...withOther.args]).toEqual([...alone.args]);
  });
});

describe("Revision 2 traffic: outages, regressions, both cohorts' outcomes", () => {
  /** Runs `blocks` blocks of one stream with everyone exposed (or no one), returning each block's outcome and the args drawn. */
  const run = (s: TrafficSpec, blocks: number, exposeAll = true, seed = 3) => {
    const { streams } = makeTraffic(seed, [s]);
    const st = streams[0]!;
    const out: { o: ReturnType<TrafficStream["tally"]>; args: string }[] = [];
    for (let h = s.from; h < s.from + blocks; h++) {
      st.draw();
      const args = Buffer.from(st.args).toString("hex");
      const o = st.tally(exposeAll ? new Uint8Array(4 + s.callsPerBlock).fill(1) : null, 4, h);
      out.push({ o: { ...o }, args });
    }
    return { out, pop: st.population };
  };

  it("an entry without the new fields draws and fails exactly as before (tally with and without a height)", () => {
    const s = spec();
    const a = makeTraffic(9, [s]).streams[0]!;
    const b = makeTraffic(9, [{ ...s, report: "batch" }]).streams[0]!;
    for (let h = 1; h <= 30; h++) {
      a.draw();
      b.draw();
      const exposure = new Uint8Array(4 + 100).map((_, i) => (i % 3 === 0 ? 1 : 0));
      expect({ ...b.tally(exposure, 4, h) }).toEqual({ ...a.tally(exposure, 4) });
    }
  });

  it("outages and regressions change the rates, never the draws (common random numbers)", () => {
    const plain = run(spec({ to: 200 }), 40);
    const changed = run(spec({ to: 200, outages: [{ from: 5, to: 9, addBps: 2000 }], regression: { from: 20, exposedErrorRateBps: 4000 } }), 40);
    expect(changed.out.map((x) => x.args)).toEqual(plain.out.map((x) => x.args));
    expect(changed.out.map((x) => x.o.calls)).toEqual(plain.out.map((x) => x.o.calls));
  });

  // Each block's outcome equals that of a twin stream (same seed, same draws) whose plain rates are the effective ones.
  const cases: [string, Partial<TrafficSpec>, (h: number) => { exposed: number; unexposed: number }][] = [
    ["an outage raises both paths inside from..to", { outages: [{ from: 10, to: 14, addBps: 300 }] }, (h) => (h >= 10 && h <= 14 ? { exposed: 800, unexposed: 400 } : { exposed: 500, unexposed: 100 })],
    ["two overlapping outages add up, capped at 10000", { outages: [{ from: 3, to: 8, addBps: 6000 }, { from: 6, to: 12, addBps: 6000 }] }, (h) =>
      h >= 6 && h <= 8 ? { exposed: 10000, unexposed: 10000 } : h >= 3 && h <= 8 ? { exposed: 6500, unexposed: 6100 } : h >= 6 && h <= 12 ? { exposed: 6500, unexposed: 6100 } : { exposed: 500, unexposed: 100 }],
    ["a regression from a height changes only the new path", { regression: { from: 12, exposedErrorRateBps: 2500 } }, (h) => (h >= 12 ? { exposed: 2500, unexposed: 100 } : { exposed: 500, unexposed: 100 })],
    ["a regression and an outage together", { regression: { from: 6, exposedErrorRateBps: 1000 }, outages: [{ from: 4, to: 7, addBps: 100 }] }, (h) =>
      ({ exposed: (h >= 6 ? 1000 : 500) + (h >= 4 && h <= 7 ? 100 : 0), unexposed: 100 + (h >= 4 && h <= 7 ? 100 : 0) })],
  ];
  it.each(cases)("%s", (_what, extra, ratesAt) => {
    const base = spec({ from: 1, to: 100 });
    const changed = run({ ...base, ...extra }, 20);
    for (const exposeAll of [true, false]) {
      const got = exposeAll ? changed : run({ ...base, ...extra }, 20, false);
      for (let h = 1; h <= 20; h++) {
        // A twin stream at the effective rates: advance it to block h, compare that block.
        const twin = makeTraffic(3, [{ ...base, errorRateBps: ratesAt(h) }]).streams[0]!;
        for (let k = 1; k < h; k++) twin.draw();
        twin.draw();
        const o = twin.tally(exposeAll ? new Uint8Array(4 + 100).fill(1) : null, 4, h);
        expect(got.out[h - 1]!.o, `height ${h}, ${exposeAll ? "all exposed" : "none exposed"}`).toEqual({ ...o });
      }
    }
  });

  it("a regression after N exposed calls switches at exactly the (N+1)th exposed call, inside a block", () => {
    // 100 calls a block, all exposed, healthy path never fails, the regressed one always does.
    const s = spec({ errorRateBps: { exposed: 0, unexposed: 0 }, regression: { afterExposedCalls: 250, exposedErrorRateBps: 10000 } });
    const { out, pop } = run(s, 5);
    expect(out.map((x) => x.o.exposedErrors)).toEqual([0, 0, 50, 100, 100]);
    expect(pop.regressionBegan).toEqual({ height: 3, exposedCalls: 250 });
    // afterExposedCalls 0: from the first exposed call; counted only over exposed calls.
    const none = run({ ...s, regression: { afterExposedCalls: 0, exposedErrorRateBps: 10000 } }, 3, false);
    expect(none.out.map((x) => x.o.unexposedErrors)).toEqual([0, 0, 0]);
    expect(none.pop.regressionBegan).toBeNull();
    expect(run({ ...s, regression: { afterExposedCalls: 0, exposedErrorRateBps: 10000 } }, 1).out[0]!.o.exposedErrors).toBe(100);
  });

  it("regressionBegan records the first block with a regressed exposed call (by height)", () => {
    const { pop } = run(spec({ from: 1, regression: { from: 4, exposedErrorRateBps: 900 } }), 6);
    expect(pop.regressionBegan).toEqual({ height: 4, exposedCalls: 300 });
  });

  it.each([
    ["everyone exposed", (i: number) => 1],
    ["no one exposed", (_i: number) => 0],
    ["every third call exposed", (i: number) => (i % 3 === 0 ? 1 : 0)],
  ])("a block's outcome splits its calls into exposed and unexposed, successes and errors (%s)", (_what, exposed) => {
    const { streams } = makeTraffic(11, [spec({ errorRateBps: { exposed: 3000, unexposed: 2000 } })]);
    const st = streams[0]!;
    let totals = { ec: 0, ee: 0, uc: 0, ue: 0 };
    for (let h = 1; h <= 10; h++) {
      st.draw();
      const o = st.tally(new Uint8Array(4 + 100).map((_, i) => (i < 4 ? 0 : exposed(i - 4))), 4, h);
      expect(o.exposedSuccesses + o.exposedErrors).toBe(o.exposedCalls);
      expect(o.unexposedSuccesses + o.unexposedErrors).toBe(o.unexposedCalls);
      expect(o.exposedCalls + o.unexposedCalls).toBe(o.calls);
      totals = { ec: totals.ec + o.exposedCalls, ee: totals.ee + o.exposedErrors, uc: totals.uc + o.unexposedCalls, ue: totals.ue + o.unexposedErrors };
    }
    const p = st.population;
    expect({ ec: p.exposedCalls, ee: p.exposedErrors, uc: p.unexposedCalls, ue: p.unexposedErrors }).toEqual(totals);
  });
});
