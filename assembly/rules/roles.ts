// Who may do what (SPEC section 3). Roles are one bit mask per account; Admin implies all.

import { isWitness } from "../host/env";
import * as events from "../generated/events";
import { Global } from "../storage/records";
import { ErrorCode, Role } from "../shared/codes";
import { isInitialized, loadAdminCount, loadRoles, saveAdminCount, saveGlobal, saveRoles } from "../storage/state";

const ADMIN_BIT: i32 = 1 << Role.Admin;
/** `alt` for calls that accept a single role. */
export const NO_ROLE: i32 = -1;

function bit(role: i32): i32 {
  return 1 << <i32>role;
}

/**
 * Ok when the sender holds `role` (or `alt`, or Admin) and signed the transaction;
 * else NotInitialized, Unauthorized or CorruptState. A role record implies init ran, so the
 * meta record is read only on the failure path.
 */
export function authorize(who: Uint8Array, role: i32, alt: i32): i32 {
  const mask = loadRoles(who);
  if (mask < 0) return ErrorCode.CorruptState;
  const wanted = ADMIN_BIT | bit(role) | (alt >= 0 ? 1 << alt : 0);
  if ((mask & wanted) == 0) {
    return isInitialized() ? ErrorCode.Unauthorized : ErrorCode.NotInitialized;
  }
  return isWitness(who) ? ErrorCode.Ok : ErrorCode.Unauthorized;
}

/** Ok once init ran; NotInitialized before. */
export function requireInitialized(): i32 {
  return isInitialized() ? ErrorCode.Ok : ErrorCode.NotInitialized;
}

export function init(admin: Uint8Array, now: u32): i32 {
  // Unauthorized before the method's own AlreadyInitialized (SPEC section 6 error order).
  if (!isWitness(admin)) return ErrorCode.Unauthorized;
  if (isInitialized()) return ErrorCode.AlreadyInitialized;
  saveAdminCount(1);
  saveRoles(admin, ADMIN_BIT);
  events.roleChanged(Role.Admin, admin, true);
  const g = new Global();
  g.clockSince = now;
  saveGlobal(g);
  return ErrorCode.Ok;
}

export function grantRole(who: Uint8Array, role: i32, account: Uint8Array): i32 {
  return changeRole(who, role, account, true);
}

export function revokeRole(who: Uint8Array, role: i32, account: Uint8Array): i32 {
  return changeRole(who, role, account, false);
}

/** grantRole (grant) and revokeRole: an admin's call; no change, no event. */
function changeRole(who: Uint8Array, role: i32, account: Uint8Array, grant: bool): i32 {
  const auth = authorize(who, Role.Admin, NO_ROLE);
  if (auth != ErrorCode.Ok) return auth;
  const mask = loadRoles(account);
  if (mask < 0) return ErrorCode.CorruptState;
  if (((mask & bit(role)) != 0) == grant) return ErrorCode.Ok; // already so: nothing changes
  if (role == Role.Admin) {
    const admins = loadAdminCount();
    if (admins < 0) return ErrorCode.CorruptState;
    if (!grant && admins <= 1) return ErrorCode.LastAdmin;
    // At most one admin per 20-byte account: the count cannot reach 2^32.
    saveAdminCount(grant ? <u32>admins + 1 : <u32>admins - 1);
  }
  saveRoles(account, grant ? mask | bit(role) : mask & ~bit(role));
  events.roleChanged(role, account, grant);
  return ErrorCode.Ok;
}

/** −1 when corrupt, else 1 when the account holds role or Admin, 0 otherwise. */
export function holds(role: i32, account: Uint8Array): i32 {
  const mask = loadRoles(account);
  if (mask < 0) return -1;
  return (mask & (ADMIN_BIT | bit(role))) != 0 ? 1 : 0;
}
