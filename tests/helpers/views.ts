// A FeatureView built by hand (no contract): the views that the SDK's and the CLI's pure code
// read, written as the fields that matter to a test.

import { DEFAULT_POLICY, Status, type FeatureView, type Policy } from "../../src/client/index.ts";

const BASE_VIEW: FeatureView = {
  name: "fast_sync",
  description: "",
  status: Status.Disabled,
  rolloutBps: 0,
  targetBps: 0,
  paused: false,
  startBlock: 0,
  lastStepBlock: 0,
  windowSuccesses: 0n,
  windowErrors: 0n,
  rollbackReason: null,
  createdBy: "0x" + "11".repeat(20),
  policy: { ...DEFAULT_POLICY, steps: [] },
  runSuccesses: 0n,
  runErrors: 0n,
  baseSuccesses: 0n,
  baseErrors: 0n,
  statistic: 0n,
};

/**
 * A Disabled feature "fast_sync" at 0 bps with the default policy (no steps) and nothing
 * counted, with `over`'s fields; `over.policy` overlays only the policy fields it sets.
 */
export function view(over: Partial<Omit<FeatureView, "policy">> & { policy?: Partial<Policy> } = {}): FeatureView {
  return { ...BASE_VIEW, ...over, policy: { ...BASE_VIEW.policy, ...over.policy } } as FeatureView;
}
