// Values SPEC.md states, written out once for the tests that check the code against them.

/** SPEC section 2's default policy, as the client decodes it (written out, not DEFAULT_POLICY). */
export const SPEC_DEFAULT_POLICY = Object.freeze({
  steps: [],
  incrementBps: 1000,
  incrementBlocks: 8640,
  maxErrorRateBps: 100,
  minSamples: 100,
  minSuccessCount: 100n,
  analysis: 1,
  seqSlopePpm: 14435,
  seqInterceptPpm: 4109731n,
  maxInvariantFailures: 0,
  maxAvgLatency: 0n,
  maxPeakLatency: 0n,
  progressDeadlineBlocks: 0,
  salt: "",
  seqFloorPpm: 8219462n,
  compExcessPpm: 1000000,
  compLnRatioPpm: 693147,
  compThresholdPpm: 2890372n,
  compFloorPpm: 5780744n,
});
