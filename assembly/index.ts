// The module's exports: one `() → i32` entry point per SPEC section 6 method (the generated
// Borsh entry layer, generated/entry.ts), and `_reset`.

export {
  init, grantRole, revokeRole, hasRole,
  createFeature, updatePolicy, startCanary, startRollout, enable, disable, pause, resume, rollback,
  setOverride, setGlobal,
  recordSuccess, recordError, recordBatch, recordCohorts, recordLatency, recordInvariant, reportIncident,
  processRollout, onPersist,
  isEnabled, isEnabledMany, bucketOf, getFeature, getMetrics, listFeatures, getHistory, getGlobal,
} from "./generated/entry";

export { _reset } from "./runtime/reset";
