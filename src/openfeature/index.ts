// onchain-canary/openfeature: the OpenFeature provider (CanaryProvider), its snapshot and local
// evaluation (FlagSync, FlagSnapshot), and CanaryReporter, which records outcomes for the
// rollback rules.

export { CanaryProvider, type CanaryProviderOptions, type TrackSink } from "./provider.ts";
export { FlagSync, changedFlags, defaultLogger, type FlagSyncEvents, type FlagSyncOptions, type FlagSyncStats, type SdkLogger, type SyncState } from "./sync.ts";
export { FlagSnapshot, accountHash, bucketOfHash, flagFeature, isAccountHex, type Evaluation, type EvaluationKind, type FlagFeature } from "./evaluate.ts";
export { CanaryReporter, TRACK_EVENTS, type CanaryReporterOptions, type ReporterStats, type ReporterProvider, type ReporterSnapshot } from "./reporter.ts";
