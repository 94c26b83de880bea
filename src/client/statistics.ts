// Policies from statistics, not ppm (SPEC sections 2 and 5; the reasoning: docs/POLICIES.md).
//
// Users say what they mean — an acceptable and a bad error rate and two risks (Sequential),
// or a bad-to-good error ratio and two risks (Comparative) — and these helpers return the
// policy fields the contract carries in parts per million. Every rounding is stated:
//
//   Sequential   L  = ln(p1(1−p0) / (p0(1−p1)))
//                s  = ln((1−p0)/(1−p1)) / L          seqSlopePpm     = round(s × 10^6)
//                h  = ln((1−β)/α) / L                seqInterceptPpm = round(h × 10^6)
//                F  = floor (default 2h)             seqFloorPpm     = 2 × seqInterceptPpm
//                                                     (or round(floor × 10^6) when given)
//   Comparative  k  = (r − 1) × 10^6                  compExcessPpm   = round((r − 1) × 10^6)
//                L  = ln r                            compLnRatioPpm  = ⌊ln(1 + k/10^6) × 10^6⌋
//                                                     (exact, of the ratio the contract uses)
//                A  = ln((1−β)/α)                     compThresholdPpm = round(A × 10^6)
//                F  = floor (default 2A)              compFloorPpm    = 2 × compThresholdPpm
//                                                     (or round(floor × 10^6) when given)
//
// round = to nearest, halves up (Math.round). The inputs are binary floating point, so
// round-to-nearest gives the ppm value closest to what was written; the one value SPEC
// wants on the safe side, L, is a floor (a smaller L moves S up less for every canary error,
// so the integer statistic stays at or below the exact one) and is computed exactly (BigInt
// fixed point, 40 digits), not from Math.log, so no floating-point error can move it by one.
// The default floor is twice the threshold as the contract carries it, so F = 2h and F = 2A
// hold exactly in ppm (8219462 = 2 × 4109731, 5780744 = 2 × 2890372).

/** The Sequential (Wald SPRT with a floor) policy fields. */
export interface SequentialPolicyFields {
  analysis: 1;
  seqSlopePpm: number;
  seqInterceptPpm: bigint;
  seqFloorPpm: bigint;
}

/** The Comparative (canary vs baseline) policy fields. */
export interface ComparativePolicyFields {
  analysis: 2;
  compExcessPpm: number;
  compLnRatioPpm: number;
  compThresholdPpm: bigint;
  compFloorPpm: bigint;
}

export interface SequentialParams {
  /** Acceptable error rate (a probability, 0.01 = 1 %, not bps). */
  p0: number;
  /** Bad error rate, above p0. */
  p1: number;
  /** Risk of rolling back a feature at p0 (false alarm), per run. */
  alpha: number;
  /** Risk of missing a feature at p1. */
  beta: number;
  /** The floor F of the statistic, in the statistic's units (errors), ≥ 0; default 2h. */
  floor?: number;
}

export interface ComparativeParams {
  /** The canary-to-baseline error ratio that counts as a regression, 1 < r ≤ 10. */
  ratio: number;
  alpha: number;
  beta: number;
  /** The floor F of the statistic, in nats (the units of A), ≥ 0; default 2A. */
  floor?: number;
}

export interface SequentialConstants {
  slope: number;
  intercept: number;
  /** round(s × 10^6): Policy.seqSlopePpm (u32). */
  seqSlopePpm: number;
  /** round(h × 10^6): Policy.seqInterceptPpm (u64). */
  seqInterceptPpm: bigint;
}

export interface ComparativeConstants {
  ratio: number;
  /** ln((1−β)/α). */
  threshold: number;
  compExcessPpm: number;
  compLnRatioPpm: number;
  compThresholdPpm: bigint;
}

/** The contract's bounds on compExcessPpm (SPEC section 2). */
export const COMP_EXCESS_MAX_PPM = 9_000_000;
const U32_MAX = 0xffff_ffff;

function unit(fn: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== "number" || !Number.isFinite(v) || !(v > 0 && v < 1)) {
    throw new RangeError(`${fn}: ${name} must be a number strictly between 0 and 1 (a probability, not bps), got ${String(v)}`);
  }
}

function risks(fn: string, alpha: unknown, beta: unknown): void {
  unit(fn, "alpha", alpha);
  unit(fn, "beta", beta);
  if (!(alpha + beta < 1)) throw new RangeError(`${fn}: need alpha + beta < 1 (else the threshold ln((1−β)/α) is not positive), got ${alpha} + ${beta}`);
}

/** round(x × 10^6) as a u64 ≥ `min`, or a RangeError naming `what`. */
function ppm(fn: string, what: string, x: number, min: bigint): bigint {
  const v = Math.round(x * 1e6);
  if (!Number.isSafeInteger(v)) throw new RangeError(`${fn}: ${what} ${x} is too large to carry exactly in ppm`);
  if (BigInt(v) < min) throw new RangeError(`${fn}: ${what} ${x} rounds to ${v} ppm; the contract needs at least ${min}`);
  return BigInt(v);
}

function floorPpm(fn: string, floor: unknown, threshold: bigint): bigint {
  if (floor === undefined) return 2n * threshold;
  if (typeof floor !== "number" || !Number.isFinite(floor) || floor < 0) {
    throw new RangeError(`${fn}: floor must be a finite number ≥ 0 (in the statistic's units, not ppm), got ${String(floor)}`);
  }
  return ppm(fn, "floor", floor, 0n);
}

/**
 * s, h and their ppm forms for p0 (acceptable rate), p1 (bad rate), alpha, beta — all
 * probabilities, not bps. Requires 0 < p0 < p1 < 1, 0 < α, β < 1 and α + β < 1. Throws
 * RangeError otherwise, and when s or h rounds to 0 ppm (the contract refuses both).
 */
export function sequentialConstants(p0: number, p1: number, alpha: number, beta: number): SequentialConstants {
  const fn = "sequentialConstants";
  unit(fn, "p0", p0);
  unit(fn, "p1", p1);
  unit(fn, "alpha", alpha);
  unit(fn, "beta", beta);
  if (!(p0 < p1)) throw new RangeError(`${fn}: need p0 < p1 (acceptable rate below bad rate), got p0=${p0}, p1=${p1}`);
  if (!(alpha + beta < 1)) throw new RangeError(`${fn}: need alpha + beta < 1, got ${alpha} + ${beta}`);
  const L = Math.log((p1 * (1 - p0)) / (p0 * (1 - p1)));
  const slope = Math.log((1 - p0) / (1 - p1)) / L;
  const intercept = Math.log((1 - beta) / alpha) / L;
  const slopePpm = Math.round(slope * 1e6);
  if (slopePpm < 1) throw new RangeError(`${fn}: slope ${slope} rounds to 0 ppm (p0 too small); the contract refuses a zero slope`);
  if (slopePpm > U32_MAX) throw new RangeError(`${fn}: slope ${slope} does not fit seqSlopePpm (u32)`);
  const interceptPpm = Math.round(intercept * 1e6);
  if (!Number.isSafeInteger(interceptPpm)) throw new RangeError(`${fn}: intercept ${intercept} is too large to carry exactly`);
  if (interceptPpm < 1) throw new RangeError(`${fn}: intercept ${intercept} rounds to 0 ppm; the contract refuses a zero threshold`);
  return { slope, intercept, seqSlopePpm: slopePpm, seqInterceptPpm: BigInt(interceptPpm) };
}

/**
 * The Sequential policy fields (spread them into a PolicyInput) for an acceptable error
 * rate p0, a bad rate p1 and the risks α, β; the floor defaults to 2h. Also accepts the
 * older positional form `sequentialPolicy(p0, p1, alpha, beta)`.
 */
export function sequentialPolicy(params: SequentialParams): SequentialPolicyFields;
export function sequentialPolicy(p0: number, p1: number, alpha: number, beta: number): SequentialPolicyFields;
export function sequentialPolicy(a: SequentialParams | number, p1?: number, alpha?: number, beta?: number): SequentialPolicyFields {
  const p: SequentialParams = typeof a === "object" && a !== null ? a : { p0: a, p1: p1!, alpha: alpha!, beta: beta! };
  const c = sequentialConstants(p.p0, p.p1, p.alpha, p.beta);
  return {
    analysis: 1,
    seqSlopePpm: c.seqSlopePpm,
    seqInterceptPpm: c.seqInterceptPpm,
    seqFloorPpm: floorPpm("sequentialPolicy", p.floor, c.seqInterceptPpm),
  };
}

/**
 * ⌊ln(num/den) × 10^6⌋ for integers num > den > 0, exactly: ln(num/den) = 2·atanh(z),
 * z = (num − den)/(num + den), summed in 40-digit fixed point (the tail is bounded and far
 * below one unit of the 34th digit, and ln of a rational ≠ 1 is never a multiple of 10^-6,
 * so the floor is exact).
 */
export function floorLnPpm(num: bigint, den: bigint): bigint {
  if (!(num > den && den > 0n)) throw new RangeError(`floorLnPpm: need num > den > 0, got ${num}/${den}`);
  const ONE = 10n ** 40n;
  const a = num - den;
  const b = num + den;
  // term_j = z^(2j+1)/(2j+1); z^(2j+1) kept as a fixed-point power.
  let pow = (ONE * a) / b; // z
  const z2num = a * a;
  const z2den = b * b;
  let sum = 0n;
  for (let j = 0n; pow > 0n; j++) {
    sum += pow / (2n * j + 1n);
    pow = (pow * z2num) / z2den;
  }
  return (2n * sum * 1_000_000n) / ONE;
}

/**
 * r, A and the ppm forms for the Comparative rule. Requires 1 < r with k = round((r − 1) ×
 * 10^6) in 2..9000000 (r ≤ 10; k = 1 gives L = 0, which the contract refuses), 0 < α, β < 1,
 * α + β < 1, and A ≥ 1 ppm. L ≤ k always holds (ln(1 + x) < x); it is checked anyway.
 */
export function comparativeConstants(ratio: number, alpha: number, beta: number): ComparativeConstants {
  const fn = "comparativeConstants";
  if (typeof ratio !== "number" || !Number.isFinite(ratio) || !(ratio > 1)) {
    throw new RangeError(`${fn}: ratio must be a number > 1 (the canary's error rate over the baseline's that counts as a regression), got ${String(ratio)}`);
  }
  risks(fn, alpha, beta);
  const k = Math.round((ratio - 1) * 1e6);
  if (k > COMP_EXCESS_MAX_PPM) throw new RangeError(`${fn}: ratio ${ratio} gives compExcessPpm ${k}, above the contract's ${COMP_EXCESS_MAX_PPM} (r ≤ 10)`);
  if (k < 1) throw new RangeError(`${fn}: ratio ${ratio} gives compExcessPpm ${k}; the contract needs at least 1`);
  const L = Number(floorLnPpm(1_000_000n + BigInt(k), 1_000_000n));
  if (L < 1) throw new RangeError(`${fn}: ratio ${ratio} gives compLnRatioPpm ${L} (ln r below 10^-6); the contract needs L ≥ 1 — use a ratio of at least 1.000002`);
  if (L > k) throw new RangeError(`${fn}: compLnRatioPpm ${L} above compExcessPpm ${k}`);
  const threshold = Math.log((1 - beta) / alpha);
  const A = ppm(fn, "threshold ln((1−β)/α)", threshold, 1n);
  return { ratio, threshold, compExcessPpm: k, compLnRatioPpm: L, compThresholdPpm: A };
}

/**
 * The Comparative policy fields (spread them into a PolicyInput) for a bad-to-good error
 * ratio r and the risks α, β; the floor defaults to 2A.
 */
export function comparativePolicy(params: ComparativeParams): ComparativePolicyFields {
  if (typeof params !== "object" || params === null) throw new RangeError(`comparativePolicy: expected { ratio, alpha, beta, floor? }, got ${String(params)}`);
  const c = comparativeConstants(params.ratio, params.alpha, params.beta);
  return {
    analysis: 2,
    compExcessPpm: c.compExcessPpm,
    compLnRatioPpm: c.compLnRatioPpm,
    compThresholdPpm: c.compThresholdPpm,
    compFloorPpm: floorPpm("comparativePolicy", params.floor, c.compThresholdPpm),
  };
}
