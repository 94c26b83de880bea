// The native entry layer (SPEC sections 6 and 7): one `() → i32` per method that decodes the
// Borsh arguments (BadInput unless exact), checks the caller, calls one rule function and
// writes the result. The rules live in the called functions (rules/), so an entry layer
// for another ABI (CosmWasm's JSON messages) can sit beside this one and call the same.

import { Reader, Writer } from "../codec/borsh";
import { ACCOUNT_LEN, blockHeight, readInput, sender, writeOutput } from "../host/env";
import { Policy } from "../model/policy";
import * as lifecycle from "../rules/lifecycle";
import * as reports from "../rules/reports";
import * as roles from "../rules/roles";
import { NO_ROLE } from "../rules/roles";
import * as steps from "../rules/steps";
import { Tx } from "../rules/tx";
import * as views from "../rules/views";
import { ErrorCode, OverrideMode, RollbackReason, Role } from "../shared/codes";
import { loadInto, RecordLoad } from "../storage/state";

const BAD: i32 = ErrorCode.BadInput;

function args(): Reader {
  return new Reader(readInput());
}

function respond(code: i32, out: Writer): i32 {
  if (code == ErrorCode.Ok) writeOutput(out.dataStart, out.len);
  return code;
}

function isRole(v: i32): bool {
  return v <= Role.Reporter;
}

/** The transaction as seen from the caller's side. */
function callerTx(): Tx {
  return new Tx(sender());
}

/** The arguments of a method that takes only a feature name; null unless exactly that (BadInput). */
function onlyName(): Uint8Array | null {
  const r = args();
  const name = r.string();
  return r.done() ? name : null;
}

/**
 * A call on one named feature: the caller's transaction and, once the caller holds `role`
 * (or `alt`, or Admin), the feature's record; else `code` says why not (roles.authorize).
 * One object: the record load itself, carrying the transaction.
 */
class FeatureCall extends RecordLoad {
  tx: Tx;

  constructor(name: Uint8Array, role: i32, alt: i32) {
    super(name);
    const tx = callerTx();
    this.tx = tx;
    const auth = roles.authorize(tx.actor!, role, alt);
    if (auth != ErrorCode.Ok) this.code = auth;
    else loadInto(this);
  }
}

// ---- roles ----

export function init(): i32 {
  const r = args();
  const admin = r.account();
  if (!r.done()) return BAD;
  return roles.init(admin, blockHeight());
}

export function grantRole(): i32 {
  const r = args();
  const role = r.u8();
  const account = r.account();
  if (!r.done() || !isRole(role)) return BAD;
  return roles.grantRole(sender(), role, account);
}

export function revokeRole(): i32 {
  const r = args();
  const role = r.u8();
  const account = r.account();
  if (!r.done() || !isRole(role)) return BAD;
  return roles.revokeRole(sender(), role, account);
}

export function hasRole(): i32 {
  const r = args();
  const role = r.u8();
  const account = r.account();
  if (!r.done() || !isRole(role)) return BAD;
  const init = roles.requireInitialized();
  if (init != ErrorCode.Ok) return init;
  const held = roles.holds(role, account);
  if (held < 0) return ErrorCode.CorruptState;
  return respond(ErrorCode.Ok, new Writer(1).bool(held == 1));
}

// ---- features and lifecycle ----

export function createFeature(): i32 {
  const r = args();
  const name = r.string();
  const description = r.string();
  const policy: Policy | null = r.option() ? Policy.read(r) : null;
  if (!r.done()) return BAD;
  const tx = callerTx();
  const auth = roles.authorize(tx.actor!, Role.Operator, NO_ROLE);
  if (auth != ErrorCode.Ok) return auth;
  return lifecycle.createFeature(name, description, policy, tx);
}

export function updatePolicy(): i32 {
  const r = args();
  const name = r.string();
  const policy = Policy.read(r);
  if (!r.done()) return BAD;
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.updatePolicy(c.feature(), policy);
}

export function startCanary(): i32 {
  const r = args();
  const name = r.string();
  const bps = r.u16();
  if (!r.done()) return BAD;
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.startCanary(c.feature(), bps, c.tx);
}

export function startRollout(): i32 {
  const r = args();
  const name = r.string();
  const target = r.u16();
  if (!r.done()) return BAD;
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.startRollout(c.feature(), target, c.tx);
}

export function enable(): i32 {
  const name = onlyName();
  if (name == null) return BAD;
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.enable(c.feature(), c.tx);
}

export function disable(): i32 {
  const name = onlyName();
  if (name == null) return BAD;
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.disable(c.feature(), c.tx);
}

function pauseOrResume(paused: bool): i32 {
  const name = onlyName();
  if (name == null) return BAD;
  const c = new FeatureCall(name, Role.Operator, Role.Guardian);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.setPaused(c.feature(), paused, c.tx);
}

export function pause(): i32 {
  return pauseOrResume(true);
}

export function resume(): i32 {
  return pauseOrResume(false);
}

export function rollback(): i32 {
  const r = args();
  const name = r.string();
  const reason: i32 = r.u8();
  if (!r.done() || reason > RollbackReason.Deadline) return BAD;
  const c = new FeatureCall(name, Role.Operator, Role.Guardian);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.rollBack(c.feature(), reason, c.tx);
}

export function setOverride(): i32 {
  const r = args();
  const name = r.string();
  const account = r.account();
  const mode: i32 = r.u8();
  if (!r.done() || mode > OverrideMode.ForceOff) return BAD;
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.setOverride(c.feature(), account, mode);
}

export function setGlobal(): i32 {
  const r = args();
  const paused = r.bool();
  const halted = r.bool();
  if (!r.done()) return BAD;
  const tx = callerTx();
  const auth = roles.authorize(tx.actor!, Role.Guardian, NO_ROLE);
  if (auth != ErrorCode.Ok) return auth;
  return lifecycle.setGlobal(paused, halted, tx);
}

// ---- reports ----

function outcomes(name: Uint8Array, successes: u64, errors: u64): i32 {
  const c = new FeatureCall(name, Role.Reporter, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : reports.recordOutcomes(c, successes, errors, c.tx);
}

export function recordSuccess(): i32 {
  const name = onlyName();
  if (name == null) return BAD;
  return outcomes(name, 1, 0);
}

export function recordError(): i32 {
  const name = onlyName();
  if (name == null) return BAD;
  return outcomes(name, 0, 1);
}

export function recordBatch(): i32 {
  const r = args();
  const name = r.string();
  const successes = r.u64();
  const errors = r.u64();
  if (!r.done()) return BAD;
  return outcomes(name, successes, errors);
}

export function recordLatency(): i32 {
  const r = args();
  const name = r.string();
  const value = r.u64();
  if (!r.done()) return BAD;
  const c = new FeatureCall(name, Role.Reporter, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : reports.recordLatency(c, value, c.tx);
}

export function recordInvariant(): i32 {
  const r = args();
  const name = r.string();
  const ok = r.bool();
  if (!r.done()) return BAD;
  const c = new FeatureCall(name, Role.Reporter, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : reports.recordInvariant(c, ok, c.tx);
}

export function reportIncident(): i32 {
  const r = args();
  const name = r.string();
  const reason: i32 = r.u8();
  const known = reason == RollbackReason.CircuitBreaker || reason == RollbackReason.ConsensusFailure;
  if (!r.done() || !known) return BAD;
  const c = new FeatureCall(name, Role.Reporter, Role.Guardian);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.reportIncident(c.feature(), reason, c.tx);
}

// ---- steps ----

export function processRollout(): i32 {
  const name = onlyName();
  if (name == null) return BAD;
  const rec = views.loadRecordForCall(name);
  if (rec.code != ErrorCode.Ok) return rec.code;
  return steps.processRollout(rec, blockHeight());
}

export function onPersist(): i32 {
  if (!args().done()) return BAD;
  return steps.onPersist(Tx.at(blockHeight(), null));
}

// ---- views ----

export function isEnabled(): i32 {
  const r = args();
  const name = r.string();
  const account = r.skip(ACCOUNT_LEN);
  if (!r.done()) return BAD;
  const out = new Writer(1);
  return respond(views.exposures(name, account, 1, false, out), out);
}

export function isEnabledMany(): i32 {
  const r = args();
  const name = r.string();
  const n = r.count(ACCOUNT_LEN);
  const accounts = r.skip(n * ACCOUNT_LEN); // the accounts, back to back, where they were read
  if (!r.done()) return BAD;
  if (n > views.MAX_ACCOUNTS) {
    const init = roles.requireInitialized();
    return init != ErrorCode.Ok ? init : ErrorCode.LimitExceeded;
  }
  const out = new Writer(n + 4);
  return respond(views.exposures(name, accounts, n, true, out), out);
}

export function bucketOf(): i32 {
  const r = args();
  const name = r.string();
  const account = r.skip(ACCOUNT_LEN);
  if (!r.done()) return BAD;
  const out = new Writer(2);
  return respond(views.bucketOf(name, account, out), out);
}

export function getFeature(): i32 {
  const name = onlyName();
  if (name == null) return BAD;
  const out = new Writer(512);
  return respond(views.getFeature(name, false, out), out);
}

export function getMetrics(): i32 {
  const name = onlyName();
  if (name == null) return BAD;
  const out = new Writer(64);
  return respond(views.getFeature(name, true, out), out);
}

export function listFeatures(): i32 {
  const r = args();
  const startAfter = r.string();
  const limit = r.u16();
  const activeOnly = r.bool();
  if (!r.done()) return BAD;
  const out = new Writer(4096);
  return respond(views.listFeatures(startAfter, limit, activeOnly, out), out);
}

export function getHistory(): i32 {
  const r = args();
  const name = r.string();
  const fromSeq = r.u32();
  const limit = r.u16();
  if (!r.done()) return BAD;
  const out = new Writer(1024);
  return respond(views.getHistory(name, fromSeq, limit, out), out);
}

export function getGlobal(): i32 {
  if (!args().done()) return BAD;
  const out = new Writer(2);
  return respond(views.getGlobal(out), out);
}
