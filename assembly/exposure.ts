// Who sees a feature (SPEC section 4): salted murmur3 buckets, overrides, the global halt.

import { ACCOUNT_LEN } from "./env";
import { OverrideMode, Status } from "./shared/codes";

/** MurmurHash3 x86 32-bit of the aLen bytes at a ‖ the bLen bytes at b (one byte string), seed 0. */
export function murmur3Concat(a: usize, aLen: i32, b: usize, bLen: i32): u32 {
  const total = aLen + bLen;
  let h: u32 = 0;
  let block: u32 = 0;
  let filled = 0;
  for (let part = 0; part < 2; part++) {
    const src = part == 0 ? a : b;
    const n = part == 0 ? aLen : bLen;
    for (let i = 0; i < n; i++) {
      block |= <u32>load<u8>(src + <usize>i) << (<u32>filled << 3);
      if (++filled == 4) {
        h ^= mixK(block);
        h = rotl<u32>(h, 13) * 5 + 0xe6546b64;
        block = 0;
        filled = 0;
      }
    }
  }
  if (filled > 0) h ^= mixK(block);
  h ^= <u32>total;
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

/** bucket = (murmur3(salt ‖ account) × 10000) >> 32, in 0..9999: uniform up to 1 part in 2^32. */
export function bucketOf(salt: usize, saltLen: i32, account: usize): u16 {
  return <u16>((<u64>murmur3Concat(salt, saltLen, account, ACCOUNT_LEN) * 10000) >> 32);
}

/**
 * SPEC section 4's decision for the 20-byte account at `account` of a feature with this status, rollout and
 * halt flag (its record's mirror of the global one), given the account's override mode
 * (Clear when none). Salt: policy.salt, or the name when that is empty.
 */
export function decideExposure(status: i32, rolloutBps: u16, halted: bool, salt: usize, saltLen: i32, account: usize, mode: i32): bool {
  if (status == Status.Disabled || status == Status.RolledBack) return false;
  if (status == Status.Enabled) return mode != OverrideMode.ForceOff;
  // Canary or RollingOut: the halt wins over everything, then overrides, then the bucket.
  if (halted) return false;
  if (mode == OverrideMode.ForceOn) return true;
  if (mode == OverrideMode.ForceOff) return false;
  return bucketOf(salt, saltLen, account) < rolloutBps;
}
