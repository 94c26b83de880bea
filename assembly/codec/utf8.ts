// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.

export function isValidUtf8(s: Uint8Array): bool {
  return isValidUtf8At(s.dataStart, s.length);
}

/** The same check on the n bytes at p (records are validated where they were read). */
export function isValidUtf8At(p: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    // ASCII runs (names, most descriptions) eight bytes at a time.
    while (i + 8 <= n && (load<u64>(p + <usize>i) & 0x8080808080808080) == 0) i += 8;
    if (i == n) break;
    const b0 = <u32>load<u8>(p + <usize>i);
    if (b0 < 0x80) {
      i++;
      continue;
    }
    let need: i32;
    let min: u32;
    let cp: u32;
    if ((b0 & 0xe0) == 0xc0) {
      need = 1; min = 0x80; cp = b0 & 0x1f;
    } else if ((b0 & 0xf0) == 0xe0) {
      need = 2; min = 0x800; cp = b0 & 0x0f;
    } else if ((b0 & 0xf8) == 0xf0) {
      need = 3; min = 0x10000; cp = b0 & 0x07;
    } else {
      return false;
    }
    if (i + need >= n) return false; // truncated sequence
    for (let k = 1; k <= need; k++) {
      const b = <u32>load<u8>(p + <usize>(i + k));
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}
