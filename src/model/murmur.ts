// murmur3_x86_32 and the bucket of SPEC section 4, written for the reference model
// (independently of the contract's code). Pure integer arithmetic (Math.imul, >>> 0).

export function murmur3_32(data: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const n = data.length;
  const blocks = n & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = n & 3;
  if (tail === 3) k ^= data[blocks + 2]! << 16;
  if (tail >= 2) k ^= data[blocks + 1]! << 8;
  if (tail >= 1) {
    k ^= data[blocks]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  return fmix32(h ^ n);
}

/** murmur3's 32-bit finalizer: a bijection on 32-bit words with full avalanche (also the replay's traffic accounts). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const utf8 = new TextEncoder();

/** bucket = (murmur3(saltBytes ‖ account) × 10000) >> 32, 0..9999. */
export function bucket(salt: string, account: Uint8Array): number {
  const s = utf8.encode(salt);
  const buf = new Uint8Array(s.length + account.length);
  buf.set(s, 0);
  buf.set(account, s.length);
  return Number((BigInt(murmur3_32(buf, 0)) * 10000n) >> 32n);
}
