// GENERATED from src/abi/definition.ts by scripts/gen-abi.ts (`npm run gen`): do not edit.
// Codes, enums and limits shared, from this one file, by the contract (AssemblyScript) and the
// TypeScript host and client. Only syntax valid in both languages: plain numeric enums and
// constants. Values are part of the ABI: never renumber, never reuse a retired code.

/** The i32 every method returns; 0 = ok, anything else FAULTs the transaction. */
export enum ErrorCode {
  /** success: writes and events are kept, result bytes are set */
  Ok = 0,
  /** the arguments are not exactly one Borsh value of the method's type (short, trailing bytes, bad tag, invalid UTF-8, enum argument out of range) */
  BadInput = 1,
  /** `init` has not run (every method except `init` and `onPersist`) */
  NotInitialized = 2,
  /** `init` already ran */
  AlreadyInitialized = 3,
  /** the sender lacks the role (or Admin), or did not sign; `init`: the admin did not sign */
  Unauthorized = 4,
  /** no feature of that name (also any name that is not a valid feature name) */
  FeatureNotFound = 5,
  /** `createFeature` of an existing name */
  FeatureAlreadyExists = 6,
  /** `createFeature`: the name is not 1..64 bytes of `[a-z0-9_.-]` */
  InvalidName = 7,
  /** the lifecycle table does not allow the call from the current status (or pause/resume state) */
  InvalidTransition = 8,
  /** a bps argument out of range: `startCanary` bps not 1..10000; `startRollout` target not in (rolloutBps, 10000] */
  InvalidPercent = 9,
  /** `startRollout` with window successes below `minSuccessCount` */
  InsufficientData = 10,
  /** `startCanary` or `startRollout` while RollingOut */
  RolloutInProgress = 11,
  /** a report or incident for a Disabled or RolledBack feature */
  FeatureDisabled = 12,
  /** a policy breaking SPEC section 2's rules, or `updatePolicy` changing the salt */
  InvalidPolicy = 13,
  /** a description over 256 bytes, a `limit` outside 1..100, more than 1024 accounts, a `startAfter` over 64 bytes */
  LimitExceeded = 14,
  /** a stored record or index key that does not decode exactly (STORAGE.md) */
  CorruptState = 15,
  /** revoking Admin from the last account that holds it */
  LastAdmin = 16,
}

/** A feature's lifecycle status (SPEC section 2, the seed's values). */
export enum Status {
  /** nobody sees it; reports are refused */
  Disabled = 0,
  /** exposed to accounts whose bucket is below rolloutBps; health rules armed */
  Canary = 1,
  /** a canary widening one step per dwell toward targetBps */
  RollingOut = 2,
  /** everyone sees it; reports count, no automatic rollback */
  Enabled = 3,
  /** nobody sees it; rollbackReason says why */
  RolledBack = 4,
}
/** The largest Status tag. */
export const STATUS_MAX = 4;

/** Why a feature was rolled back (the seed's values plus Deadline). */
export enum RollbackReason {
  /** an Operator or Guardian called rollback */
  Manual = 0,
  /** the error-rate rule of the policy's analysis fired */
  ErrorRate = 1,
  /** window invariant failures exceeded maxInvariantFailures */
  InvariantViolation = 2,
  /** an incident reported by a Reporter or Guardian */
  CircuitBreaker = 3,
  /** an incident reported by a Reporter or Guardian */
  ConsensusFailure = 4,
  /** average or peak latency over the policy's limit */
  Performance = 5,
  /** RollingOut with no advance for progressDeadlineBlocks */
  Deadline = 6,
}
/** The largest RollbackReason tag. */
export const ROLLBACK_REASON_MAX = 6;

/** Roles (SPEC section 3); Admin implies every role. */
export enum Role {
  /** grants and revokes roles; holds every other role */
  Admin = 0,
  /** creates features, changes policy and status */
  Operator = 1,
  /** pauses, rolls back, sets the global switches */
  Guardian = 2,
  /** reports health */
  Reporter = 3,
}
/** The largest Role tag. */
export const ROLE_MAX = 3;

/** A per-account override of exposure. */
export enum OverrideMode {
  /** no override (the key is deleted) */
  Clear = 0,
  /** the account sees the feature while it is Canary, RollingOut or Enabled */
  ForceOn = 1,
  /** the account never sees the feature */
  ForceOff = 2,
}
/** The largest OverrideMode tag. */
export const OVERRIDE_MODE_MAX = 2;

/** The error-rate rule of a policy (a policy field, validated as policy, never decoded as an enum). */
export enum Analysis {
  /** window error rate above maxErrorRateBps (peeks: for large windows) */
  Threshold = 0,
  /** Wald's SPRT statistic over the run, floored (the default) */
  Sequential = 1,
  /** the canary's share of errors against its share of traffic, from recordCohorts */
  Comparative = 2,
}
/** The largest Analysis tag. */
export const ANALYSIS_MAX = 2;

export const MAX_NAME_BYTES = 64;
export const MAX_DESCRIPTION_BYTES = 256;
export const MAX_STEPS = 32;
export const MAX_SALT_BYTES = 64;
export const BPS_FULL = 10000;
export const MAX_ACCOUNTS = 1024;
export const MAX_PAGE = 100;
export const ACCOUNT_BYTES = 20;
