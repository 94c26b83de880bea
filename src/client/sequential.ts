// Wald SPRT constants for the Sequential health rule (SPEC section 5).
//
// With acceptable error rate p0, bad rate p1, false-alarm risk α and miss risk β:
//   L = ln(p1(1−p0) / (p0(1−p1)))
//   s = ln((1−p0)/(1−p1)) / L          (slope)
//   h = ln((1−β)/α) / L                (intercept)
// The contract rolls back when errors ≥ h + s × samples, compared as
// errors × 10^6 ≥ seqInterceptPpm + seqSlopePpm × samples, so the policy carries s and h in
// parts per million, rounded to nearest (halves up).

export interface SequentialConstants {
  slope: number;
  intercept: number;
  /** round(s × 10^6): Policy.seqSlopePpm (u32). */
  seqSlopePpm: number;
  /** round(h × 10^6): Policy.seqInterceptPpm (u64). */
  seqInterceptPpm: bigint;
}

function openUnit(name: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v) || !(v > 0 && v < 1)) {
    throw new RangeError(`sequentialConstants: ${name} must be a number strictly between 0 and 1, got ${v}`);
  }
}

/**
 * s, h and their ppm forms for p0 (acceptable rate), p1 (bad rate), alpha, beta — all
 * probabilities, not bps. Requires 0 < p0 < p1 < 1, 0 < α < 1, 0 < β < 1 and α + β < 1
 * (else h ≤ 0, which a u64 cannot carry and which would flag every sample). Throws
 * RangeError otherwise, and when s rounds to 0 ppm (the contract refuses a zero slope).
 */
export function sequentialConstants(p0: number, p1: number, alpha: number, beta: number): SequentialConstants {
  openUnit("p0", p0);
  openUnit("p1", p1);
  openUnit("alpha", alpha);
  openUnit("beta", beta);
  if (!(p0 < p1)) throw new RangeError(`sequentialConstants: need p0 < p1 (acceptable rate below bad rate), got p0=${p0}, p1=${p1}`);
  if (!(alpha + beta < 1)) throw new RangeError(`sequentialConstants: need alpha + beta < 1, got ${alpha} + ${beta}`);
  const L = Math.log((p1 * (1 - p0)) / (p0 * (1 - p1)));
  const slope = Math.log((1 - p0) / (1 - p1)) / L;
  const intercept = Math.log((1 - beta) / alpha) / L;
  const slopePpm = Math.round(slope * 1e6);
  const interceptPpm = Math.round(intercept * 1e6);
  if (slopePpm < 1) throw new RangeError(`sequentialConstants: slope ${slope} rounds to 0 ppm (p0 too small); the contract refuses a zero slope`);
  if (!Number.isSafeInteger(interceptPpm)) throw new RangeError(`sequentialConstants: intercept ${intercept} is too large to carry exactly`);
  return { slope, intercept, seqSlopePpm: slopePpm, seqInterceptPpm: BigInt(interceptPpm) };
}

/** The policy fields for a Sequential rule: spread into a PolicyInput. */
export function sequentialPolicy(p0: number, p1: number, alpha: number, beta: number): { analysis: 1; seqSlopePpm: number; seqInterceptPpm: bigint } {
  const c = sequentialConstants(p0, p1, alpha, beta);
  return { analysis: 1, seqSlopePpm: c.seqSlopePpm, seqInterceptPpm: c.seqInterceptPpm };
}
