// Who sees a feature (SPEC section 4): salted murmur3 buckets, overrides, the global halt.

import { ACCOUNT_BYTES } from "../shared/codes";
import { isOffStatus } from "../model/feature";
import { OverrideMode, Status } from "../shared/codes";

/** MurmurHash3 x86 32-bit of the n bytes at p, seed 0. */
export function murmur3(p: usize, n: i32): u32 {
  let h: u32 = 0;
  const blocks = <usize>(n >> 2);
  for (let i: usize = 0; i < blocks; i++) {
    h ^= mixK(load<u32>(p + (i << 2)));
    h = rotl<u32>(h, 13) * 5 + 0xe6546b64;
  }
  const tail = p + (blocks << 2);
  const rest = n & 3;
  if (rest > 0) {
    let k: u32 = load<u8>(tail);
    if (rest > 1) k |= <u32>load<u8>(tail, 1) << 8;
    if (rest > 2) k |= <u32>load<u8>(tail, 2) << 16;
    h ^= mixK(k);
  }
  h ^= <u32>n;
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

// @ts-ignore: decorator
@inline function mixK(k: u32): u32 {
  k *= 0xcc9e2d51;
  k = rotl<u32>(k, 15);
  return k * 0x1b873593;
}

/**
 * bucket = (murmur3(salt ‖ account) × 10000) >> 32, in 0..9999: uniform up to 1 part in 2^32.
 * salt ‖ account is hashed as one string in a buffer that holds the salt once and each
 * account after it in turn.
 */
export class Buckets {
  private buf: usize;
  private saltLen: i32;

  constructor(salt: usize, saltLen: i32) {
    this.buf = heap.alloc(<usize>(saltLen + ACCOUNT_BYTES));
    this.saltLen = saltLen;
    memory.copy(this.buf, salt, <usize>saltLen);
  }

  /** The bucket of the 20-byte account at `account`. */
  of(account: usize): u16 {
    // The 20 account bytes as five words, no loop (a metered loop pays per round).
    const at = this.buf + <usize>this.saltLen;
    store<u32>(at, load<u32>(account));
    store<u32>(at, load<u32>(account, 4), 4);
    store<u32>(at, load<u32>(account, 8), 8);
    store<u32>(at, load<u32>(account, 12), 12);
    store<u32>(at, load<u32>(account, 16), 16);
    return <u16>((<u64>murmur3(this.buf, this.saltLen + ACCOUNT_BYTES) * 10000) >> 32);
  }
}

/**
 * SPEC section 4's decision for the 20-byte account at `account` of a feature with this status, rollout and
 * halt flag (its record's mirror of the global one), given the account's override mode
 * (Clear when none).
 */
export function decideExposure(status: i32, rolloutBps: u16, halted: bool, buckets: Buckets, account: usize, mode: i32): bool {
  if (isOffStatus(status)) return false;
  if (status == Status.Enabled) return mode != OverrideMode.ForceOff;
  // Canary or RollingOut: the halt wins over everything, then overrides, then the bucket.
  if (halted) return false;
  if (mode == OverrideMode.ForceOn) return true;
  if (mode == OverrideMode.ForceOff) return false;
  return buckets.of(account) < rolloutBps;
}
