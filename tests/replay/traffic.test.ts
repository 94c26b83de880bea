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
