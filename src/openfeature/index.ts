// onchain-canary/openfeature: the OpenFeature provider, its snapshot and local evaluation.
// (The reporter, src/openfeature/reporter.ts, is exported from here as well once it lands.)

export { CanaryProvider, type CanaryProviderOptions, type TrackSink } from "./provider.ts";
export { FlagSync, changedFlags, defaultLogger, type FlagSyncEvents, type FlagSyncOptions, type FlagSyncStats, type SdkLogger, type SyncState } from "./sync.ts";
export { FlagSnapshot, accountHash, bucketOfHash, flagFeature, isAccountHex, type Evaluation, type EvaluationKind, type FlagFeature } from "./evaluate.ts";
