// The handlers behind the entry layer (SPEC sections 3 and 6): one per method, called by the
// generated Borsh entry points (generated/entry.ts) with arguments already decoded exactly
// (BadInput, enum ranges). A handler checks the caller, loads what the rule needs, calls one
// rule function and writes the result. The rules live in rules/, so an entry layer for
// another ABI (CosmWasm's JSON messages) calls these same handlers.

import { accountAt, Writer } from "../codec/borsh";
import { blockHeight, sender, writeOutput } from "../host/env";
import { Policy } from "../model/policy";
import * as lifecycle from "../rules/lifecycle";
import * as reports from "../rules/reports";
import * as roles from "../rules/roles";
import { NO_ROLE } from "../rules/roles";
import * as steps from "../rules/steps";
import { Tx } from "../rules/tx";
import * as views from "../rules/views";
import { ErrorCode, MAX_ACCOUNTS, Role } from "../shared/codes";
import { loadInto, RecordLoad } from "../storage/state";

function respond(code: i32, out: Writer): i32 {
  if (code == ErrorCode.Ok) writeOutput(out.dataStart, out.len);
  return code;
}

/** The transaction as seen from the caller's side. */
function callerTx(): Tx {
  return new Tx(sender());
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

export function init(admin: usize): i32 {
  return roles.init(accountAt(admin), blockHeight());
}

export function grantRole(role: i32, account: usize): i32 {
  return roles.grantRole(sender(), role, accountAt(account));
}

export function revokeRole(role: i32, account: usize): i32 {
  return roles.revokeRole(sender(), role, accountAt(account));
}

export function hasRole(role: i32, account: usize): i32 {
  const init = roles.requireInitialized();
  if (init != ErrorCode.Ok) return init;
  const held = roles.holds(role, accountAt(account));
  if (held < 0) return ErrorCode.CorruptState;
  return respond(ErrorCode.Ok, new Writer(1).bool(held == 1));
}

// ---- features and lifecycle ----

export function createFeature(name: Uint8Array, description: Uint8Array, policy: Policy | null): i32 {
  const tx = callerTx();
  const auth = roles.authorize(tx.actor!, Role.Operator, NO_ROLE);
  if (auth != ErrorCode.Ok) return auth;
  return lifecycle.createFeature(name, description, policy, tx);
}

export function updatePolicy(name: Uint8Array, policy: Policy): i32 {
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.updatePolicy(c.feature(), policy);
}

export function startCanary(name: Uint8Array, bps: u16): i32 {
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.startCanary(c.feature(), bps, c.tx);
}

export function startRollout(name: Uint8Array, targetBps: u16): i32 {
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.startRollout(c.feature(), targetBps, c.tx);
}

export function enable(name: Uint8Array): i32 {
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.enable(c.feature(), c.tx);
}

export function disable(name: Uint8Array): i32 {
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.disable(c.feature(), c.tx);
}

function pauseOrResume(name: Uint8Array, paused: bool): i32 {
  const c = new FeatureCall(name, Role.Operator, Role.Guardian);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.setPaused(c.feature(), paused, c.tx);
}

export function pause(name: Uint8Array): i32 {
  return pauseOrResume(name, true);
}

export function resume(name: Uint8Array): i32 {
  return pauseOrResume(name, false);
}

export function rollback(name: Uint8Array, reason: i32): i32 {
  const c = new FeatureCall(name, Role.Operator, Role.Guardian);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.rollBack(c.feature(), reason, c.tx);
}

export function setOverride(name: Uint8Array, account: usize, mode: i32): i32 {
  const c = new FeatureCall(name, Role.Operator, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.setOverride(c.feature(), accountAt(account), mode);
}

export function setGlobal(paused: bool, halted: bool): i32 {
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

export function recordSuccess(name: Uint8Array): i32 {
  return outcomes(name, 1, 0);
}

export function recordError(name: Uint8Array): i32 {
  return outcomes(name, 0, 1);
}

export function recordBatch(name: Uint8Array, successes: u64, errors: u64): i32 {
  return outcomes(name, successes, errors);
}

export function recordCohorts(name: Uint8Array, canarySuccesses: u64, canaryErrors: u64, baseSuccesses: u64, baseErrors: u64): i32 {
  const c = new FeatureCall(name, Role.Reporter, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : reports.recordCohorts(c, canarySuccesses, canaryErrors, baseSuccesses, baseErrors, c.tx);
}

export function recordLatency(name: Uint8Array, value: u64): i32 {
  const c = new FeatureCall(name, Role.Reporter, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : reports.recordLatency(c, value, c.tx);
}

export function recordInvariant(name: Uint8Array, ok: bool): i32 {
  const c = new FeatureCall(name, Role.Reporter, NO_ROLE);
  return c.code != ErrorCode.Ok ? c.code : reports.recordInvariant(c, ok, c.tx);
}

/** `reason` is CircuitBreaker or ConsensusFailure (the entry layer refuses others as BadInput). */
export function reportIncident(name: Uint8Array, reason: i32): i32 {
  const c = new FeatureCall(name, Role.Reporter, Role.Guardian);
  return c.code != ErrorCode.Ok ? c.code : lifecycle.reportIncident(c.feature(), reason, c.tx);
}

// ---- steps ----

export function processRollout(name: Uint8Array): i32 {
  const rec = views.loadRecordForCall(name);
  if (rec.code != ErrorCode.Ok) return rec.code;
  return steps.processRollout(rec, blockHeight());
}

export function onPersist(): i32 {
  // Every due feature, no corrupt one skipped, from the start of the index (the CosmWasm
  // entry passes a batch limit and a resume point instead).
  return steps.onPersist(Tx.at(blockHeight(), null), i32.MAX_VALUE, false, null);
}

// ---- views ----

export function isEnabled(name: Uint8Array, account: usize): i32 {
  const out = new Writer(1);
  return respond(views.exposures(name, account, 1, false, out), out);
}

/** The `count` accounts lie back to back at `accounts`, where they were read. */
export function isEnabledMany(name: Uint8Array, accounts: usize, count: i32): i32 {
  if (count > MAX_ACCOUNTS) {
    const init = roles.requireInitialized();
    return init != ErrorCode.Ok ? init : ErrorCode.LimitExceeded;
  }
  const out = new Writer(count + 4);
  return respond(views.exposures(name, accounts, count, true, out), out);
}

export function bucketOf(name: Uint8Array, account: usize): i32 {
  const out = new Writer(2);
  return respond(views.bucketOf(name, account, out), out);
}

export function getFeature(name: Uint8Array): i32 {
  const out = new Writer(512);
  return respond(views.getFeature(name, false, out), out);
}

export function getMetrics(name: Uint8Array): i32 {
  const out = new Writer(64);
  return respond(views.getFeature(name, true, out), out);
}

export function listFeatures(startAfter: Uint8Array, limit: u16, activeOnly: bool): i32 {
  const out = new Writer(4096);
  return respond(views.listFeatures(startAfter, limit, activeOnly, out), out);
}

export function getHistory(name: Uint8Array, fromSeq: u32, limit: u16): i32 {
  const out = new Writer(1024);
  return respond(views.getHistory(name, fromSeq, limit, out), out);
}

export function getGlobal(): i32 {
  const out = new Writer(2);
  return respond(views.getGlobal(out), out);
}
