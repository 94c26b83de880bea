// The host ABI (SPEC section 7): every raw import in this one file, each documented, behind
// thin typed wrappers. Nothing else in the contract touches an import. (SPEC's `log` is not
// imported: the contract writes no debug lines.) Another host (a CosmWasm build) swaps this
// file for its own with the same wrappers.

// ---- raw imports (module "host"); pointers and lengths are offsets into our memory ----

/** Byte length of the call's Borsh arguments. */
import { ACCOUNT_BYTES } from "../shared/codes";

@external("host", "input_len")
declare function input_len(): i32;
/** Copies the call's arguments to dst. */
@external("host", "input_read")
declare function input_read(dst: usize): void;
/** Sets the call's result bytes (last write wins). */
@external("host", "output_write")
declare function output_write(src: usize, len: i32): void;
/** −1 if the key is absent; else the value's length, min(len, cap) bytes copied to dst. */
@external("host", "storage_read")
declare function storage_read(key: usize, keyLen: i32, dst: usize, cap: i32): i32;
/** Puts a value. */
@external("host", "storage_write")
declare function storage_write(key: usize, keyLen: i32, val: usize, valLen: i32): void;
/** Deletes a key (absent is fine). */
@external("host", "storage_delete")
declare function storage_delete(key: usize, keyLen: i32): void;
/** Smallest key > after (bytewise) starting with prefix: −1 if none, else its length, min(len, cap) bytes copied. */
@external("host", "storage_next")
declare function storage_next(prefix: usize, prefixLen: i32, after: usize, afterLen: i32, dst: usize, cap: i32): i32;
/** Height of the block being executed (u32). */
@external("host", "block_height")
declare function block_height(): i32;
/** Copies the transaction's sender (20 bytes) to dst. */
@external("host", "caller")
declare function caller(dst: usize): void;
/** 1 if the transaction is signed by the 20-byte account at ptr, else 0. */
@external("host", "check_witness")
declare function check_witness(account: usize): i32;
/** Emits an event: ASCII name, Borsh payload. */
@external("host", "emit")
declare function emit(name: usize, nameLen: i32, data: usize, dataLen: i32): void;

// ---- typed wrappers ----


/** Most records fit in one read of this size; a longer value costs a second, exact read. */
const READ_CAP = 512;

/**
 * A heap buffer of `len` bytes that is NOT zeroed (the host or the caller fills it right
 * away): saves the memset `new Uint8Array` does. Bytes past what is written are never looked at.
 */
function rawBuffer(len: i32): ArrayBuffer {
  return changetype<ArrayBuffer>(__new(<usize>len, idof<ArrayBuffer>()));
}

/** `len` bytes that the caller writes in full before reading (keys): no memset. */
export function uninitBytes(len: i32): Uint8Array {
  return Uint8Array.wrap(rawBuffer(len), 0, len);
}

/** The call's argument bytes. */
export function readInput(): Uint8Array {
  const len = input_len();
  const buf = uninitBytes(len);
  if (len > 0) input_read(buf.dataStart);
  return buf;
}

export function writeOutput(ptr: usize, len: i32): void {
  output_write(ptr, len);
}

/** The stored value, or null when absent; a first read of `cap` bytes, a second exact one if longer. */
function readValue(key: Uint8Array, cap: i32): Uint8Array | null {
  let raw = rawBuffer(cap);
  const len = storage_read(key.dataStart, key.length, changetype<usize>(raw), cap);
  if (len < 0) return null;
  if (len <= cap) {
    // Give back the unused tail (the buffer is the heap's last block, so this only moves the
    // top down): later allocations reuse it, and `_reset` has fewer bytes to clear.
    if (len < cap) raw = changetype<ArrayBuffer>(__renew(changetype<usize>(raw), <usize>len));
    return Uint8Array.wrap(raw, 0, len);
  }
  const big = uninitBytes(len);
  storage_read(key.dataStart, key.length, big.dataStart, len);
  return big;
}

/** The stored value, or null when absent ("may_load"). */
export function storageGet(key: Uint8Array): Uint8Array | null {
  return readValue(key, READ_CAP);
}

/** Records of at most this many bytes (roles, meta, global, override) need one small buffer. */
const SMALL_READ_CAP = 16;

/** storageGet for small records: the same answer, a 16-byte buffer instead of 512 to allocate and wipe. */
export function storageGetSmall(key: Uint8Array): Uint8Array | null {
  return readValue(key, SMALL_READ_CAP);
}

/** True when the key is present; reads no value bytes. */
export function storageHas(key: Uint8Array): bool {
  return storage_read(key.dataStart, key.length, 0, 0) >= 0;
}

export function storagePut(key: Uint8Array, ptr: usize, len: i32): void {
  storage_write(key.dataStart, key.length, ptr, len);
}

export function storageDelete(key: Uint8Array): void {
  storage_delete(key.dataStart, key.length);
}

/** The smallest stored key > after that starts with prefix, or null. Keys are ≤ 128 bytes. */
export function storageNext(prefix: Uint8Array, after: Uint8Array): Uint8Array | null {
  const buf = uninitBytes(128); // only the key's bytes, which the host writes, are read
  const len = storage_next(prefix.dataStart, prefix.length, after.dataStart, after.length, buf.dataStart, 128);
  if (len < 0) return null;
  return buf.subarray(0, min(len, 128));
}

export function blockHeight(): u32 {
  return <u32>block_height();
}

/** The transaction's sender. */
export function sender(): Uint8Array {
  const buf = uninitBytes(ACCOUNT_BYTES); // the host writes all 20 bytes
  caller(buf.dataStart);
  return buf;
}

export function isWitness(account: Uint8Array): bool {
  return check_witness(account.dataStart) == 1;
}

/** `name` must be ASCII (every event name is a constant): one byte per UTF-16 code unit. */
export function emitEvent(name: string, ptr: usize, len: i32): void {
  // A byte loop instead of String.UTF8.encode: the same bytes for ASCII, ~350 bytes less code.
  const n = name.length;
  const bytes = heap.alloc(<usize>n);
  for (let i = 0; i < n; i++) store<u8>(bytes + <usize>i, <u8>load<u16>(changetype<usize>(name) + (<usize>i << 1)));
  emit(bytes, n, ptr, len);
}
