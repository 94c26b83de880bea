import { describe, expect, it } from "vitest";
import { sequentialConstants, sequentialPolicy } from "../../src/client/sequential.ts";

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

  it("sequentialPolicy gives the Sequential policy fields", () => {
    expect(sequentialPolicy(0.01, 0.02, 0.05, 0.1)).toEqual({ analysis: 1, seqSlopePpm: 14435, seqInterceptPpm: 4109731n });
  });

  it("invalid inputs are rejected with the reason", () => {
    expect(() => sequentialConstants(0, 0.02, 0.05, 0.1)).toThrow(/p0 must be a number strictly between 0 and 1/);
    expect(() => sequentialConstants(0.01, 1, 0.05, 0.1)).toThrow(/p1 must be/);
    expect(() => sequentialConstants(0.02, 0.01, 0.05, 0.1)).toThrow(/need p0 < p1/);
    expect(() => sequentialConstants(0.01, 0.01, 0.05, 0.1)).toThrow(/need p0 < p1/);
    expect(() => sequentialConstants(0.01, 0.02, 0, 0.1)).toThrow(/alpha must be/);
    expect(() => sequentialConstants(0.01, 0.02, 0.05, 1)).toThrow(/beta must be/);
    expect(() => sequentialConstants(0.01, 0.02, Number.NaN, 0.1)).toThrow(/alpha must be/);
    expect(() => sequentialConstants(0.01, 0.02, 0.6, 0.5)).toThrow(/alpha \+ beta < 1/);
    expect(() => sequentialConstants(1e-9, 2e-9, 0.05, 0.1)).toThrow(/rounds to 0 ppm/);
  });
});
