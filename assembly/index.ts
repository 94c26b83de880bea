// The module's exports: one `() → i32` entry point per SPEC section 6 method, and `_reset`.

export {
  init, grantRole, revokeRole, hasRole,
  createFeature, updatePolicy, startCanary, startRollout, enable, disable, pause, resume, rollback,
  setOverride, setGlobal,
  recordSuccess, recordError, recordBatch, recordLatency, recordInvariant, reportIncident,
  processRollout, onPersist,
  isEnabled, isEnabledMany, bucketOf, getFeature, getMetrics, listFeatures, getHistory, getGlobal,
} from "./entry/native";

export { _reset } from "./runtime/reset";
