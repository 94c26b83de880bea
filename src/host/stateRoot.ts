// The state root: one hash that commits to every byte of contract storage.
//
// Encoding (this comment is the reference; docs copy it):
//
//   stateRoot = hex( SHA-256( pair_0 ‖ pair_1 ‖ … ‖ pair_{n-1} ) )
//   pair_i    = u32_le(len(key_i)) ‖ key_i ‖ u32_le(len(value_i)) ‖ value_i
//
// where the pairs are every (key, value) in the store in ascending bytewise key order
// (shorter key first when one key is a prefix of the other), `u32_le` is a 4-byte
// little-endian length, and `hex` is lowercase, 64 characters. An empty store has the root
// of the empty input, e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.
// The length prefixes make the encoding injective: no two different stores hash the same
// byte string. The root is a plain linear hash (no Merkle proofs): it exists to compare
// two runs, not to prove single keys.

import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { isBinaryStore, type Store } from "./store.ts";

const CHUNK = 1 << 16;

export function stateRoot(store: Store): string {
  const hash = createHash("sha256");
  let buf = Buffer.allocUnsafe(CHUNK);
  let at = 0;
  const flush = (): void => {
    if (at > 0) hash.update(buf.subarray(0, at));
    at = 0;
  };
  const room = (n: number): void => {
    if (at + n <= buf.length) return;
    flush();
    if (n > buf.length) buf = Buffer.allocUnsafe(n);
  };
  if (isBinaryStore(store)) {
    for (const [k, v] of store.entriesBin()) {
      room(8 + k.length + v.length);
      buf.writeUInt32LE(k.length, at);
      at += 4;
      at += buf.write(k, at, "latin1");
      buf.writeUInt32LE(v.length, at);
      at += 4;
      buf.set(v, at);
      at += v.length;
    }
  } else {
    for (const [k, v] of store.entries()) {
      room(8 + k.length + v.length);
      buf.writeUInt32LE(k.length, at);
      at += 4;
      buf.set(k, at);
      at += k.length;
      buf.writeUInt32LE(v.length, at);
      at += 4;
      buf.set(v, at);
      at += v.length;
    }
  }
  flush();
  return hash.digest("hex");
}
