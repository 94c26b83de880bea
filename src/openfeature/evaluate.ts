// The flag state at one block and the local evaluation of SPEC section 4, bit-identical to
// the contract's isEnabled: unknown → not found; Disabled/RolledBack → false; Canary or
// RollingOut while the global `halted` flag is set → false; an override; Enabled → true;
// else bucket < rolloutBps.
//
// The hot path (evaluate, exposed) allocates nothing but the Evaluation it returns: the
// salt's whole 4-byte murmur3 blocks are hashed once per feature, and the 20 account bytes
// are read straight from the "0x" + 40 hex string.

import type { FeatureView, GlobalState, Policy } from "../client/schema.ts";
import { OverrideMode, Status, isLive, isOff } from "../client/enums.ts";

/** Why an evaluation came out as it did (SPEC section 4's order). */
export type EvaluationKind = "not-found" | "invalid-account" | "disabled" | "halted" | "override" | "enabled" | "split";

export interface Evaluation {
  kind: EvaluationKind;
  /** Whether the account sees the feature (false for not-found and invalid-account). */
  value: boolean;
  /** The account's bucket 0..9999, or -1 when the rule did not need it. */
  bucket: number;
  /** The feature's Status, or -1 when the feature is unknown. */
  status: number;
  rolloutBps: number;
  /** The block height of the snapshot evaluated. */
  height: number;
}

/** One feature as the snapshot holds it. */
export interface FlagFeature {
  readonly name: string;
  /** Current (kept by StatusChanged / RolloutAdvanced events). */
  status: number;
  /** Current exposure 0..10000. */
  rolloutBps: number;
  /** The feature's own pause (kept by PauseChanged events). */
  paused: boolean;
  /** The policy (refetched on PolicyUpdated). */
  policy: Policy;
  /**
   * The FeatureView as last fetched (at creation, policy update or a full load), at the
   * node's height then, which may differ from the snapshot's: its counters, targetBps and
   * statistic lag (reports emit no events) and its status fields may lead or lag. Read
   * `status`, `rolloutBps`, `paused` and `policy` above, which are the snapshot's.
   */
  view: FeatureView;
  /** UTF-8 of policy.salt, or of the name when the salt is empty. */
  readonly saltBytes: Uint8Array;
  /** account hex (lowercase "0x"…) → OverrideMode.ForceOn / ForceOff. */
  readonly overrides: Map<string, number>;
  // murmur3 state after the salt's whole 4-byte blocks, and its 0..3 leftover bytes
  // (little-endian in saltTail): the account's bytes continue that stream.
  readonly saltState: number;
  readonly saltTail: number;
  readonly saltTailLength: number;
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Hex digit value by char code (0..127), -1 for anything else. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}

/** The byte of two ASCII hex digits by (c1 << 7 | c2); 0x100 when either is not a hex digit. */
const PAIR = new Uint16Array(1 << 14).fill(0x100);
for (let a = 0; a < 128; a++) {
  for (let b = 0; b < 128; b++) if (NIBBLE[a]! >= 0 && NIBBLE[b]! >= 0) PAIR[(a << 7) | b] = (NIBBLE[a]! << 4) | NIBBLE[b]!;
}

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function saltPrefix(salt: Uint8Array): { state: number; tail: number; tailLength: number } {
  const whole = salt.length & ~3;
  let h = 0;
  for (let i = 0; i < whole; i += 4) {
    h = mixBlock(h, salt[i]! | (salt[i + 1]! << 8) | (salt[i + 2]! << 16) | (salt[i + 3]! << 24));
  }
  let tail = 0;
  for (let i = whole; i < salt.length; i++) tail |= salt[i]! << (8 * (i - whole));
  return { state: h, tail, tailLength: salt.length - whole };
}

/** "0x" + 40 hex digits (either case). */
export function isAccountHex(account: string): boolean {
  if (account.length !== 42 || account.charCodeAt(0) !== 48 || (account.charCodeAt(1) | 0x20) !== 120) return false;
  for (let i = 2; i < 42; i++) {
    const c = account.charCodeAt(i);
    if (c > 127 || NIBBLE[c]! < 0) return false;
  }
  return true;
}

/**
 * murmur3_x86_32(saltBytes ‖ account, seed 0) for `account` given as "0x" + 40 hex digits,
 * or -1 when it is not one; no allocation. The salt's whole blocks are already in
 * `saltState`; its r = 0..3 leftover bytes start the first block, so with the account's
 * bytes read as five aligned words w0..w4 the blocks are tail | w0 << 8r and then
 * w(m-1) >>> (32 - 8r) | w(m) << 8r, and the last r bytes (w4's top ones) are murmur's tail.
 * The digits are checked as they are read (a character above 127, or a pair that is not two
 * hex digits, marks the account invalid), in locals: module state written per word cost a
 * third of the function's time.
 */
export function accountHash(f: Pick<FlagFeature, "saltState" | "saltTail" | "saltTailLength" | "saltBytes">, account: string): number {
  if (account.length !== 42 || account.charCodeAt(0) !== 48 || (account.charCodeAt(1) | 0x20) !== 120) return -1;
  let h = f.saltState;
  const r = f.saltTailLength;
  const up = 8 * r;
  const down = 32 - up;
  let carry = f.saltTail;
  let chars = 0;
  let pairs = 0;
  for (let at = 2; at < 42; at += 8) {
    const c0 = account.charCodeAt(at), c1 = account.charCodeAt(at + 1), c2 = account.charCodeAt(at + 2), c3 = account.charCodeAt(at + 3);
    const c4 = account.charCodeAt(at + 4), c5 = account.charCodeAt(at + 5), c6 = account.charCodeAt(at + 6), c7 = account.charCodeAt(at + 7);
    chars |= c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7;
    const b0 = PAIR[((c0 & 0x7f) << 7) | (c1 & 0x7f)]!;
    const b1 = PAIR[((c2 & 0x7f) << 7) | (c3 & 0x7f)]!;
    const b2 = PAIR[((c4 & 0x7f) << 7) | (c5 & 0x7f)]!;
    const b3 = PAIR[((c6 & 0x7f) << 7) | (c7 & 0x7f)]!;
    pairs |= b0 | b1 | b2 | b3;
    const w = b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
    if (r === 0) {
      h = mixBlock(h, w);
    } else {
      h = mixBlock(h, carry | (w << up));
      carry = w >>> down;
    }
  }
  if ((chars & ~0x7f) !== 0 || (pairs & 0x100) !== 0) return -1;
  if (r !== 0) {
    let k = Math.imul(carry, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= f.saltBytes.length + 20;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** (hash × 10000) >> 32: the product is below 2^46, exact in a double, and the division by 2^32 is exact. */
export function bucketOfHash(hash: number): number {
  return Math.floor((hash * 10000) / 4294967296);
}

const utf8 = new TextEncoder();

/** A snapshot feature from its FeatureView (status, rolloutBps and paused as the view says). */
export function flagFeature(view: FeatureView): FlagFeature {
  const saltBytes = utf8.encode(view.policy.salt === "" ? view.name : view.policy.salt);
  const p = saltPrefix(saltBytes);
  return {
    name: view.name,
    status: view.status,
    rolloutBps: view.rolloutBps,
    paused: view.paused,
    policy: view.policy,
    view,
    saltBytes,
    overrides: new Map(),
    saltState: p.state,
    saltTail: p.tail,
    saltTailLength: p.tailLength,
  };
}

/**
 * The flag state at one block: features, overrides, the global switches, the block's height
 * and hash. FlagSync keeps one up to date by applying each block's events (the mutators
 * below); evaluation is synchronous and reads only this object.
 */
export class FlagSnapshot {
  height: number;
  /** Hash of the block at `height` ("" before the first block). */
  hash: string;
  readonly global: GlobalState;
  private readonly byName = new Map<string, FlagFeature>();

  constructor(init: { height: number; hash: string; global: GlobalState; features?: Iterable<FeatureView> }) {
    this.height = init.height;
    this.hash = init.hash;
    this.global = { paused: init.global.paused, halted: init.global.halted };
    for (const v of init.features ?? []) this.putFeature(v);
  }

  /** The feature named `name`, or undefined. */
  feature(name: string): FlagFeature | undefined {
    return this.byName.get(name);
  }

  /** Every feature, in no particular order. */
  features(): IterableIterator<FlagFeature> {
    return this.byName.values();
  }

  get size(): number {
    return this.byName.size;
  }

  /** The override mode (OverrideMode.ForceOn/ForceOff) of (feature, account), or undefined. */
  override(name: string, account: string): number | undefined {
    return this.byName.get(name)?.overrides.get(account.toLowerCase());
  }

  /**
   * SPEC section 4's isEnabled, with the reason and the bucket. A string that is not an
   * account gives "invalid-account" whatever the feature's state (after "not-found").
   */
  evaluate(flagKey: string, account: string): Evaluation {
    const f = this.byName.get(flagKey);
    if (f === undefined) return { kind: "not-found", value: false, bucket: -1, status: -1, rolloutBps: 0, height: this.height };
    const status = f.status;
    const rolloutBps = f.rolloutBps;
    const height = this.height;
    if (isOff(status)) {
      return isAccountHex(account) ? { kind: "disabled", value: false, bucket: -1, status, rolloutBps, height } : invalidAccount(status, rolloutBps, height);
    }
    if (isLive(status) && this.global.halted) {
      return isAccountHex(account) ? { kind: "halted", value: false, bucket: -1, status, rolloutBps, height } : invalidAccount(status, rolloutBps, height);
    }
    if (f.overrides.size > 0 && isAccountHex(account)) {
      const mode = f.overrides.get(lowerAccount(account));
      if (mode !== undefined) return { kind: "override", value: mode === OverrideMode.ForceOn, bucket: -1, status, rolloutBps, height };
    }
    if (status === Status.Enabled) {
      return isAccountHex(account) ? { kind: "enabled", value: true, bucket: -1, status, rolloutBps, height } : invalidAccount(status, rolloutBps, height);
    }
    const hash = accountHash(f, account);
    if (hash < 0) return invalidAccount(status, rolloutBps, height);
    const bucket = bucketOfHash(hash);
    return { kind: "split", value: bucket < rolloutBps, bucket, status, rolloutBps, height };
  }

  /** Whether `account` sees `flagKey` (isEnabled); undefined for an unknown flag or a string that is not an account. */
  exposed(flagKey: string, account: string): boolean | undefined {
    const f = this.byName.get(flagKey);
    if (f === undefined) return undefined;
    const status = f.status;
    if (isLive(status)) {
      if (this.global.halted) return isAccountHex(account) ? false : undefined;
      if (f.overrides.size > 0 && isAccountHex(account)) {
        const mode = f.overrides.get(lowerAccount(account));
        if (mode !== undefined) return mode === OverrideMode.ForceOn;
      }
      const hash = accountHash(f, account);
      return hash < 0 ? undefined : bucketOfHash(hash) < f.rolloutBps;
    }
    if (!isAccountHex(account)) return undefined;
    if (status === Status.Enabled) {
      const mode = f.overrides.size > 0 ? f.overrides.get(lowerAccount(account)) : undefined;
      return mode === undefined ? true : mode === OverrideMode.ForceOn;
    }
    return false; // Disabled, RolledBack
  }

  // ------------------------------------------------------------ mutators (FlagSync)

  /** Adds or replaces a feature from its view, keeping its overrides. */
  putFeature(view: FeatureView): FlagFeature {
    const f = flagFeature(view);
    const old = this.byName.get(view.name);
    if (old !== undefined) for (const [a, m] of old.overrides) f.overrides.set(a, m);
    this.byName.set(view.name, f);
    return f;
  }

  /** StatusChanged: false when the feature is unknown. */
  setStatus(name: string, status: number, rolloutBps: number): boolean {
    const f = this.byName.get(name);
    if (f === undefined) return false;
    f.status = status;
    f.rolloutBps = rolloutBps;
    return true;
  }

  /** RolloutAdvanced: false when the feature is unknown. */
  setRollout(name: string, rolloutBps: number): boolean {
    const f = this.byName.get(name);
    if (f === undefined) return false;
    f.rolloutBps = rolloutBps;
    return true;
  }

  /** PauseChanged: false when the feature is unknown. */
  setPaused(name: string, paused: boolean): boolean {
    const f = this.byName.get(name);
    if (f === undefined) return false;
    f.paused = paused;
    return true;
  }

  /** OverrideSet (mode Clear deletes): false when the feature is unknown. */
  setOverride(name: string, account: string, mode: number): boolean {
    const f = this.byName.get(name);
    if (f === undefined) return false;
    const key = account.toLowerCase();
    if (mode === OverrideMode.Clear) f.overrides.delete(key);
    else f.overrides.set(key, mode);
    return true;
  }

  /** GlobalChanged. */
  setGlobal(paused: boolean, halted: boolean): void {
    this.global.paused = paused;
    this.global.halted = halted;
  }

  /** Marks the snapshot as of block `height` with hash `hash`. */
  setBlock(height: number, hash: string): void {
    this.height = height;
    this.hash = hash;
  }
}

function invalidAccount(status: number, rolloutBps: number, height: number): Evaluation {
  return { kind: "invalid-account", value: false, bucket: -1, status, rolloutBps, height };
}

/** The override map's key: lowercase, allocating only when the input has uppercase digits. */
function lowerAccount(account: string): string {
  for (let i = 2; i < 42; i++) {
    const c = account.charCodeAt(i);
    if (c >= 65 && c <= 70) return "0x" + account.slice(2).toLowerCase();
  }
  return account.charCodeAt(1) === 120 ? account : "0x" + account.slice(2);
}
