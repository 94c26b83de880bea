// Codes shared, from this one file, by the contract (AssemblyScript) and the TypeScript
// host and client. Only syntax valid in both languages: plain numeric enums.
// Values are part of the ABI: never renumber, never reuse a retired code.

/** The i32 every method returns; 0 = ok, anything else FAULTs the transaction. */
export enum ErrorCode {
  Ok = 0,
  /** Arguments are not exactly one Borsh value of the method's type. */
  BadInput = 1,
  /** `init` has not run yet. */
  NotInitialized = 2,
  /** `init` already ran. */
  AlreadyInitialized = 3,
  /** The sender lacks the role or did not sign. */
  Unauthorized = 4,
  FeatureNotFound = 5,
  FeatureAlreadyExists = 6,
  /** Name not 1..64 bytes of [a-z0-9_.-]. */
  InvalidName = 7,
  /** The lifecycle table does not allow this call from the current status. */
  InvalidTransition = 8,
  /** A bps argument outside its range. */
  InvalidPercent = 9,
  /** Too few window successes to start a rollout. */
  InsufficientData = 10,
  RolloutInProgress = 11,
  /** A report for a Disabled or RolledBack feature. */
  FeatureDisabled = 12,
  InvalidPolicy = 13,
  /** A length or count over its bound. */
  LimitExceeded = 14,
  /** A stored record did not decode exactly. */
  CorruptState = 15,
  /** Revoking the last Admin. */
  LastAdmin = 16,
}

export enum Status {
  Disabled = 0,
  Canary = 1,
  RollingOut = 2,
  Enabled = 3,
  RolledBack = 4,
}

export enum RollbackReason {
  Manual = 0,
  ErrorRate = 1,
  InvariantViolation = 2,
  CircuitBreaker = 3,
  ConsensusFailure = 4,
  Performance = 5,
  Deadline = 6,
}

export enum Role {
  Admin = 0,
  Operator = 1,
  Guardian = 2,
  Reporter = 3,
}

export enum OverrideMode {
  Clear = 0,
  ForceOn = 1,
  ForceOff = 2,
}

export enum Analysis {
  Threshold = 0,
  Sequential = 1,
}
