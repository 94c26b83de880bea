// Policies from statistics (src/client/statistics.ts, docs/POLICIES.md).
import { describe, expect, it } from "vitest";
import { POLICY_FIELDS } from "../../src/abi/definition.ts";
import { DEFAULT_POLICY } from "../../src/client/schema.ts";
import { comparativeConstants, comparativePolicy, floorLnPpm, sequentialConstants, sequentialPolicy } from "../../src/client/statistics.ts";
import * as legacy from "../../src/client/sequential.ts";
import * as client from "../../src/client/index.ts";

describe("the definition's defaults are what the helpers give", () => {
  it("p0 1 %, p1 2 %, α 5 %, β 10 % and r = 2 give exactly POLICY_FIELDS' statistical defaults", () => {
    const seq = sequentialPolicy({ p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1 });
    const comp = comparativePolicy({ ratio: 2, alpha: 0.05, beta: 0.1 });
    const fromDefinition = (k: keyof typeof POLICY_FIELDS) => POLICY_FIELDS[k].default;
    expect(seq).toEqual({
      analysis: fromDefinition("analysis"),
      seqSlopePpm: fromDefinition("seqSlopePpm"),
      seqInterceptPpm: fromDefinition("seqInterceptPpm"),
      seqFloorPpm: fromDefinition("seqFloorPpm"),
    });
    expect({ ...comp, analysis: undefined }).toEqual({
      analysis: undefined,
      compExcessPpm: fromDefinition("compExcessPpm"),
      compLnRatioPpm: fromDefinition("compLnRatioPpm"),
      compThresholdPpm: fromDefinition("compThresholdPpm"),
      compFloorPpm: fromDefinition("compFloorPpm"),
    });
    expect(comp.analysis).toBe(2);
    // And the client's DEFAULT_POLICY carries them.
    expect(DEFAULT_POLICY).toMatchObject({ ...seq });
    expect(DEFAULT_POLICY).toMatchObject({ ...comp, analysis: 1 });
  });

  it("the literal values (SPEC section 2)", () => {
    expect(sequentialPolicy({ p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1 })).toEqual({ analysis: 1, seqSlopePpm: 14435, seqInterceptPpm: 4109731n, seqFloorPpm: 8219462n });
    expect(comparativePolicy({ ratio: 2, alpha: 0.05, beta: 0.1 })).toEqual({
      analysis: 2,
      compExcessPpm: 1000000,
      compLnRatioPpm: 693147,
      compThresholdPpm: 2890372n,
      compFloorPpm: 5780744n,
    });
  });
});

describe("Sequential (Wald SPRT) constants", () => {
  it("p0 = 1 %, p1 = 2 %, alpha = 5 %, beta = 10 % gives s = 0.014435 and h = 4.110 (SPEC section 5)", () => {
    const c = sequentialConstants(0.01, 0.02, 0.05, 0.1);
    expect(c.slope).toBeCloseTo(0.014435, 6);
    expect(c.intercept).toBeCloseTo(4.11, 3);
    expect(c.seqSlopePpm).toBe(14435);
    expect(c.seqInterceptPpm).toBe(4109731n);
  });

  it("the constants follow the formulas (recomputed independently for another set)", () => {
    const [p0, p1, a, b] = [0.005, 0.05, 0.01, 0.2];
    const L = Math.log(p1 / p0) + Math.log((1 - p0) / (1 - p1));
    const c = sequentialConstants(p0, p1, a, b);
    expect(c.slope).toBeCloseTo(Math.log((1 - p0) / (1 - p1)) / L, 12);
    expect(c.intercept).toBeCloseTo((Math.log(1 - b) - Math.log(a)) / L, 12);
    expect(c.seqSlopePpm).toBe(Math.round(c.slope * 1e6));
    expect(c.seqInterceptPpm).toBe(BigInt(Math.round(c.intercept * 1e6)));
    expect(c.slope > p0 && c.slope < p1).toBe(true);
  });

  it("sequentialPolicy: the object form, the positional form (kept), a given floor", () => {
    const want = { analysis: 1, seqSlopePpm: 14435, seqInterceptPpm: 4109731n, seqFloorPpm: 8219462n };
    expect(sequentialPolicy(0.01, 0.02, 0.05, 0.1)).toEqual(want);
    expect(legacy.sequentialPolicy(0.01, 0.02, 0.05, 0.1)).toEqual(want);
    expect(client.sequentialPolicy({ p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1 })).toEqual(want);
    expect(sequentialPolicy({ p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1, floor: 3 }).seqFloorPpm).toBe(3000000n);
    expect(sequentialPolicy({ p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1, floor: 0 }).seqFloorPpm).toBe(0n);
    expect(sequentialPolicy({ p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1, floor: 1.0000005 }).seqFloorPpm).toBe(1000001n); // halves up
  });

  it.each([
    [{ p0: 0, p1: 0.02, alpha: 0.05, beta: 0.1 }, /p0 must be a number strictly between 0 and 1/],
    [{ p0: 0.01, p1: 1, alpha: 0.05, beta: 0.1 }, /p1 must be/],
    [{ p0: 0.02, p1: 0.01, alpha: 0.05, beta: 0.1 }, /need p0 < p1/],
    [{ p0: 0.01, p1: 0.01, alpha: 0.05, beta: 0.1 }, /need p0 < p1/],
    [{ p0: 0.01, p1: 0.02, alpha: 0, beta: 0.1 }, /alpha must be/],
    [{ p0: 0.01, p1: 0.02, alpha: 0.05, beta: 1 }, /beta must be/],
    [{ p0: 0.01, p1: 0.02, alpha: Number.NaN, beta: 0.1 }, /alpha must be/],
    [{ p0: 100, p1: 200, alpha: 0.05, beta: 0.1 }, /p0 must be .*not bps/],
    [{ p0: 0.01, p1: 0.02, alpha: 0.6, beta: 0.5 }, /alpha \+ beta < 1/],
    [{ p0: 1e-9, p1: 2e-9, alpha: 0.05, beta: 0.1 }, /rounds to 0 ppm/],
    [{ p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1, floor: -1 }, /floor must be a finite number ≥ 0/],
    [{ p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1, floor: Infinity }, /floor must be/],
    [{ p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1, floor: 1e300 }, /too large/],
  ])("refuses %o with a RangeError", (params, message) => {
    expect(() => sequentialPolicy(params)).toThrow(RangeError);
    expect(() => sequentialPolicy(params)).toThrow(message);
  });
});

describe("Comparative constants", () => {
  it("L is ⌊ln(1 + k/10^6) × 10^6⌋, exactly, for the k the contract carries", () => {
    expect(floorLnPpm(2n, 1n)).toBe(693147n);
    expect(floorLnPpm(10n, 1n)).toBe(2302585n);
    expect(floorLnPpm(3n, 2n)).toBe(405465n);
    // ln(1 + 10^-6) × 10^6 = 0.9999995: floor 0; ln(1 + 2·10^-6) × 10^6 = 1.999998: floor 1.
    expect(floorLnPpm(1_000_001n, 1_000_000n)).toBe(0n);
    expect(floorLnPpm(1_000_002n, 1_000_000n)).toBe(1n);
    for (const k of [2, 3, 17, 1000, 99_999, 500_000, 1_000_000, 4_321_987, 9_000_000]) {
      const L = Number(floorLnPpm(1_000_000n + BigInt(k), 1_000_000n));
      const x = Math.log1p(k / 1e6) * 1e6;
      expect(Math.abs(L - Math.floor(x))).toBeLessThanOrEqual(Math.abs(x - Math.round(x)) < 1e-6 ? 1 : 0);
      expect(L).toBeLessThanOrEqual(k);
    }
  });

  it.each([
    // ratio, compExcessPpm, compLnRatioPpm
    [2, 1_000_000, 693147],
    [1.5, 500_000, 405465],
    [10, 9_000_000, 2302585],
    [1.1, 100_000, 95310],
    [3, 2_000_000, 1098612],
    [1.000002, 2, 1],
  ])("ratio %d → k %d, L %d", (ratio, k, L) => {
    const c = comparativeConstants(ratio, 0.05, 0.1);
    expect(c.compExcessPpm).toBe(k);
    expect(c.compLnRatioPpm).toBe(L);
  });

  it("A = round(ln((1 − β)/α) × 10^6); the floor defaults to 2A, or is given in nats", () => {
    expect(comparativePolicy({ ratio: 2, alpha: 0.01, beta: 0.2 }).compThresholdPpm).toBe(BigInt(Math.round(Math.log(80) * 1e6)));
    expect(comparativePolicy({ ratio: 2, alpha: 0.01, beta: 0.2 }).compFloorPpm).toBe(2n * BigInt(Math.round(Math.log(80) * 1e6)));
    expect(comparativePolicy({ ratio: 2, alpha: 0.05, beta: 0.1, floor: 4 }).compFloorPpm).toBe(4_000_000n);
  });

  it.each([
    [{ ratio: 1, alpha: 0.05, beta: 0.1 }, /ratio must be a number > 1/],
    [{ ratio: 0.5, alpha: 0.05, beta: 0.1 }, /ratio must be a number > 1/],
    [{ ratio: Number.NaN, alpha: 0.05, beta: 0.1 }, /ratio must be/],
    [{ ratio: 11, alpha: 0.05, beta: 0.1 }, /above the contract's 9000000 \(r ≤ 10\)/],
    [{ ratio: 1.0000001, alpha: 0.05, beta: 0.1 }, /compExcessPpm 0; the contract needs at least 1/],
    [{ ratio: 1.000001, alpha: 0.05, beta: 0.1 }, /compLnRatioPpm 0 .*L ≥ 1/],
    [{ ratio: 2, alpha: 0.05, beta: 0.95 }, /alpha \+ beta < 1/],
    [{ ratio: 2, alpha: 0, beta: 0.1 }, /alpha must be/],
    [{ ratio: 2, alpha: 0.05, beta: 5 }, /beta must be/],
    [{ ratio: 2, alpha: 0.4999999, beta: 0.5 }, /rounds to 0 ppm; the contract needs at least 1/],
    [{ ratio: 2, alpha: 0.05, beta: 0.1, floor: -0.5 }, /floor must be/],
  ])("refuses %o with a RangeError", (params, message) => {
    expect(() => comparativePolicy(params)).toThrow(RangeError);
    expect(() => comparativePolicy(params)).toThrow(message);
  });
});
