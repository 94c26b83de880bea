// Who sees a feature (SPEC section 4): salted murmur3 buckets, overrides, the global halt.

import { Feature } from "./feature";
import { OverrideMode, Status } from "./shared/codes";
import { LazyGlobal } from "./state";

/** MurmurHash3 x86 32-bit of `a ‖ b` (two parts, hashed as one byte string), seed 0. */
export function murmur3Concat(a: Uint8Array, b: Uint8Array): u32 {
  const total = a.length + b.length;
  let h: u32 = 0;
  let block: u32 = 0;
  let filled = 0;
  for (let part = 0; part < 2; part++) {
    const src = part == 0 ? a : b;
    for (let i = 0; i < src.length; i++) {
      block |= <u32>unchecked(src[i]) << (<u32>filled << 3);
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
export function bucketOf(salt: Uint8Array, account: Uint8Array): u16 {
  return <u16>((<u64>murmur3Concat(salt, account) * 10000) >> 32);
}

/** The salt bytes: policy.salt, or the name when it is empty. */
export function saltOf(f: Feature): Uint8Array {
  return f.policy.salt.length > 0 ? f.policy.salt : f.name;
}

/**
 * SPEC section 4's decision for one account, given its override mode (Clear when none) and
 * the global halt flag. `halted` is asked for only when it can change the answer, so callers
 * may read it lazily.
 */
export function decideExposure(f: Feature, salt: Uint8Array, account: Uint8Array, mode: i32, global: LazyGlobal): bool {
  const status = f.status;
  if (status == Status.Disabled || status == Status.RolledBack) return false;
  if (status == Status.Enabled) return mode != OverrideMode.ForceOff;
  // Canary or RollingOut: the halt wins over everything, then overrides, then the bucket.
  let candidate: bool;
  if (mode == OverrideMode.ForceOn) candidate = true;
  else if (mode == OverrideMode.ForceOff) candidate = false;
  else candidate = bucketOf(salt, account) < f.rolloutBps;
  return candidate && !global.halted();
}
