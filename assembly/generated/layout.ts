// GENERATED from src/abi/definition.ts by scripts/gen-abi.ts (`npm run gen`): do not edit.
// Byte layouts of the policy, the counters and every stored record (docs/STORAGE.md).

// Policy: the fixed fields after the steps (Vec<u16>), from the first of them
export const POLICY_INCREMENT_BPS: usize = 0;
export const POLICY_INCREMENT_BLOCKS: usize = 2;
export const POLICY_MAX_ERROR_RATE_BPS: usize = 6;
export const POLICY_MIN_SAMPLES: usize = 8;
export const POLICY_MIN_SUCCESS_COUNT: usize = 12;
export const POLICY_ANALYSIS: usize = 20;
export const POLICY_SEQ_SLOPE_PPM: usize = 21;
export const POLICY_SEQ_INTERCEPT_PPM: usize = 25;
export const POLICY_MAX_INVARIANT_FAILURES: usize = 33;
export const POLICY_MAX_AVG_LATENCY: usize = 37;
export const POLICY_MAX_PEAK_LATENCY: usize = 45;
export const POLICY_PROGRESS_DEADLINE_BLOCKS: usize = 53;
export const POLICY_SALT: usize = 57;
export const POLICY_SEQ_FLOOR_PPM: usize = 0; // after salt
export const POLICY_COMP_EXCESS_PPM: usize = 8; // after salt
export const POLICY_COMP_LN_RATIO_PPM: usize = 12; // after salt
export const POLICY_COMP_THRESHOLD_PPM: usize = 16; // after salt
export const POLICY_COMP_FLOOR_PPM: usize = 24; // after salt
export const POLICY_BYTES: usize = 32;
export const POLICY_FIXED_BYTES: usize = POLICY_SALT;
/** The fields appended after the salt (seqFloorPpm, compExcessPpm, compLnRatioPpm, compThresholdPpm, compFloorPpm): their bytes. */
export const POLICY_APPENDED_BYTES: usize = 32;

// Policy as version 1 records hold it: the fixed fields after the steps
export const POLICY_V1_INCREMENT_BPS: usize = 0;
export const POLICY_V1_INCREMENT_BLOCKS: usize = 2;
export const POLICY_V1_MAX_ERROR_RATE_BPS: usize = 6;
export const POLICY_V1_MIN_SAMPLES: usize = 8;
export const POLICY_V1_MIN_SUCCESS_COUNT: usize = 12;
export const POLICY_V1_ANALYSIS: usize = 20;
export const POLICY_V1_SEQ_SLOPE_PPM: usize = 21;
export const POLICY_V1_SEQ_INTERCEPT_PPM: usize = 25;
export const POLICY_V1_MAX_INVARIANT_FAILURES: usize = 33;
export const POLICY_V1_MAX_AVG_LATENCY: usize = 37;
export const POLICY_V1_MAX_PEAK_LATENCY: usize = 45;
export const POLICY_V1_PROGRESS_DEADLINE_BLOCKS: usize = 53;
export const POLICY_V1_SALT: usize = 57;
export const POLICY_V1_FIXED_BYTES: usize = POLICY_V1_SALT;

/** SPEC section 2's default policy, Borsh-encoded (read-only, like every policy's bytes). */
export const DEFAULT_POLICY: usize = memory.data<u8>([0, 0, 0, 0, 232, 3, 192, 33, 0, 0, 100, 0, 100, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 1, 99, 56, 0, 0, 163, 181, 62, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 70, 107, 125, 0, 0, 0, 0, 0, 64, 66, 15, 0, 155, 147, 10, 0, 132, 26, 44, 0, 0, 0, 0, 0, 8, 53, 88, 0, 0, 0, 0, 0]);
export const DEFAULT_POLICY_BYTES: i32 = 97;
/** The appended fields' default bytes: the default policy's last POLICY_APPENDED_BYTES. */
export const DEFAULT_POLICY_APPENDED: usize = DEFAULT_POLICY + <usize>(DEFAULT_POLICY_BYTES - <i32>POLICY_APPENDED_BYTES);

// The feature record's counters, from the first
export const COUNTERS_WINDOW_SUCCESSES: usize = 0;
export const COUNTERS_WINDOW_ERRORS: usize = 8;
export const COUNTERS_WINDOW_LATENCY_SUM: usize = 16;
export const COUNTERS_WINDOW_LATENCY_COUNT: usize = 24;
export const COUNTERS_WINDOW_LATENCY_PEAK: usize = 32;
export const COUNTERS_WINDOW_INVARIANT_CHECKS: usize = 40;
export const COUNTERS_WINDOW_INVARIANT_FAILURES: usize = 48;
export const COUNTERS_TOTAL_OPERATIONS: usize = 56;
export const COUNTERS_SUCCESSFUL_OPS: usize = 64;
export const COUNTERS_FAILED_OPS: usize = 72;
export const COUNTERS_LATENCY_SUM: usize = 80;
export const COUNTERS_LATENCY_COUNT: usize = 88;
export const COUNTERS_PEAK_LATENCY: usize = 96;
export const COUNTERS_INVARIANT_CHECKS: usize = 104;
export const COUNTERS_INVARIANT_FAILURES: usize = 112;
export const COUNTERS_BYTES: usize = 120;
/** The window's counters come first; a step resets these bytes. */
export const WINDOW_COUNTERS_BYTES: usize = 56;

// The run counters and statistic (feature record v2), from the first
export const RUN_RUN_SUCCESSES: usize = 0;
export const RUN_RUN_ERRORS: usize = 8;
export const RUN_BASE_SUCCESSES: usize = 16;
export const RUN_BASE_ERRORS: usize = 24;
export const RUN_STATISTIC: usize = 32;
export const RUN_BYTES: usize = 40;

/** feature record (window, run and lifetime counters included): the version written today. */
export const FEATURE_VERSION: u8 = 2;
// feature record, version 1: offsets within each run of fixed-size fields
export const FEATURE_V1_VERSION: usize = 0;
export const FEATURE_V1_STATUS: usize = 1;
export const FEATURE_V1_ROLLOUT_BPS: usize = 2;
export const FEATURE_V1_TARGET_BPS: usize = 4;
export const FEATURE_V1_FLAGS: usize = 6;
export const FEATURE_V1_START_BLOCK: usize = 7;
export const FEATURE_V1_LAST_STEP_BLOCK: usize = 11;
export const FEATURE_V1_STEP_ACCUM: usize = 15;
export const FEATURE_V1_CLOCK_MARK: usize = 19;
export const FEATURE_V1_DUE_AT: usize = 23;
export const FEATURE_V1_HISTORY_LEN: usize = 27;
export const FEATURE_V1_OVERRIDE_COUNT: usize = 31;
export const FEATURE_V1_ROLLBACK_REASON: usize = 35;
export const FEATURE_V1_CREATED_BY: usize = 0; // after rollbackReason
export const FEATURE_V1_COUNTERS: usize = 20; // after rollbackReason
export const FEATURE_V1_DESCRIPTION: usize = 140; // after rollbackReason
export const FEATURE_V1_POLICY: usize = 0; // after description
// feature record, version 2: offsets within each run of fixed-size fields
export const FEATURE_V2_VERSION: usize = 0;
export const FEATURE_V2_STATUS: usize = 1;
export const FEATURE_V2_ROLLOUT_BPS: usize = 2;
export const FEATURE_V2_TARGET_BPS: usize = 4;
export const FEATURE_V2_FLAGS: usize = 6;
export const FEATURE_V2_START_BLOCK: usize = 7;
export const FEATURE_V2_LAST_STEP_BLOCK: usize = 11;
export const FEATURE_V2_STEP_ACCUM: usize = 15;
export const FEATURE_V2_CLOCK_MARK: usize = 19;
export const FEATURE_V2_DUE_AT: usize = 23;
export const FEATURE_V2_HISTORY_LEN: usize = 27;
export const FEATURE_V2_OVERRIDE_COUNT: usize = 31;
export const FEATURE_V2_ROLLBACK_REASON: usize = 35;
export const FEATURE_V2_CREATED_BY: usize = 0; // after rollbackReason
export const FEATURE_V2_COUNTERS: usize = 20; // after rollbackReason
export const FEATURE_V2_RUN: usize = 140; // after rollbackReason
export const FEATURE_V2_DESCRIPTION: usize = 180; // after rollbackReason
export const FEATURE_V2_POLICY: usize = 0; // after description

/** history entry (append-only): the version written today. */
export const HISTORY_VERSION: u8 = 1;
// history record, version 1: offsets within each run of fixed-size fields
export const HISTORY_V1_VERSION: usize = 0;
export const HISTORY_V1_BLOCK: usize = 1;
export const HISTORY_V1_FROM: usize = 5;
export const HISTORY_V1_TO: usize = 6;
export const HISTORY_V1_ROLLOUT_BPS: usize = 7;
export const HISTORY_V1_REASON: usize = 9;
export const HISTORY_V1_ACTOR: usize = 0; // after reason

/** override of one account: the version written today. */
export const OVERRIDE_VERSION: u8 = 1;
// override record, version 1: offsets within each run of fixed-size fields
export const OVERRIDE_V1_VERSION: usize = 0;
export const OVERRIDE_V1_MODE: usize = 1;
export const OVERRIDE_V1_BYTES: i32 = 2;

/** global state and the pause-aware clock: the version written today. */
export const GLOBAL_VERSION: u8 = 1;
// global record, version 1: offsets within each run of fixed-size fields
export const GLOBAL_V1_VERSION: usize = 0;
export const GLOBAL_V1_PAUSED: usize = 1;
export const GLOBAL_V1_HALTED: usize = 2;
export const GLOBAL_V1_CLOCK_BASE: usize = 3;
export const GLOBAL_V1_CLOCK_SINCE: usize = 7;
export const GLOBAL_V1_BYTES: i32 = 11;

/** roles of one account: the version written today. */
export const ROLES_VERSION: u8 = 1;
// roles record, version 1: offsets within each run of fixed-size fields
export const ROLES_V1_VERSION: usize = 0;
export const ROLES_V1_MASK: usize = 1;
export const ROLES_V1_BYTES: i32 = 2;

/** contract meta (its presence = init ran): the version written today. */
export const META_VERSION: u8 = 1;
// meta record, version 1: offsets within each run of fixed-size fields
export const META_V1_VERSION: usize = 0;
export const META_V1_ADMIN_COUNT: usize = 1;
export const META_V1_BYTES: i32 = 5;

/** index marker (only the key is read): the version written today. */
export const MARKER_VERSION: u8 = 1;
// marker record, version 1: offsets within each run of fixed-size fields
export const MARKER_V1_VERSION: usize = 0;
export const MARKER_V1_BYTES: i32 = 1;
