// The host ABI on CosmWasm (COSMWASM.md): the same typed wrappers as env.ts, over CosmWasm
// 2.x's `env` imports and its Region ABI. `npm run build:cosmwasm` compiles the contract with
// this file in place of assembly/host/env.ts (src/verify/build.ts, `substitute`), so every
// rule runs unchanged; only this file and entry/cosmwasm.ts know they are on CosmWasm.
//
// Mapping: storage read/write/delete/next → db_read/db_write/db_remove/db_scan+db_next;
// caller() = the canonical address of info.sender; check_witness(a) = a equals it (a sender
// whose canonical address is not 20 bytes is nobody's witness, so it holds no role); the
// block height comes from env.block.height; input and output are the JSON message's Borsh
// transcoding and the handler's Borsh result (entry/cosmwasm.ts turns both into JSON); events
// are collected here for the response.

import { ACCOUNT_BYTES } from "../shared/codes";

// ---- raw imports (module "env"), CosmWasm 2.x signatures; pointers are Region pointers ----

/** Value of a key as a new Region (ownership passes to us), or 0 when absent. */
@external("env", "db_read")
declare function db_read(key: u32): u32;
@external("env", "db_write")
declare function db_write(key: u32, value: u32): void;
@external("env", "db_remove")
declare function db_remove(key: u32): void;
/** An iterator over [start, end) (0 = unbounded) in `order` (1 ascending): its id. */
@external("env", "db_scan")
declare function db_scan(start: u32, end: u32, order: i32): u32;
/** The iterator's next record as a Region: key ‖ u32be keyLen ‖ value ‖ u32be valueLen (empty key = end). */
@external("env", "db_next")
declare function db_next(iterator: u32): u32;
/** 0 if valid, else a Region with the error message. */
@external("env", "addr_validate")
declare function addr_validate(human: u32): u32;
@external("env", "addr_canonicalize")
declare function addr_canonicalize(human: u32, canonical: u32): u32;
@external("env", "addr_humanize")
declare function addr_humanize(canonical: u32, human: u32): u32;

// ---- regions ----

/** A Region { offset, capacity, length } of `len` bytes at `ptr`. */
export function region(ptr: usize, len: i32): u32 {
  const r = heap.alloc(12);
  store<u32>(r, <u32>ptr);
  store<u32>(r, <u32>len, 4);
  store<u32>(r, <u32>len, 8);
  return <u32>r;
}

/** A new empty Region with `cap` bytes of room (CosmWasm's `allocate`). */
export function newRegion(cap: i32): u32 {
  const data = heap.alloc(<usize>cap);
  const r = heap.alloc(12);
  store<u32>(r, <u32>data);
  store<u32>(r, <u32>cap, 4);
  store<u32>(r, 0, 8);
  return <u32>r;
}

/** The bytes a Region holds, copied. */
export function regionBytes(r: u32): Uint8Array {
  const len = <i32>load<u32>(r, 8);
  const out = uninitBytes(len);
  memory.copy(out.dataStart, <usize>load<u32>(r), <usize>len);
  return out;
}

function regionOf(b: Uint8Array): u32 {
  return region(b.dataStart, b.length);
}

// ---- the call's state, set by entry/cosmwasm.ts ----

let input: Uint8Array | null = null;
let outPtr: usize = 0;
let outLen: i32 = -1;
let height: u32 = 0;
const SENDER: usize = memory.data(ACCOUNT_BYTES);
let senderIsAccount: bool = false;
/** instantiate: the admin named in the message counts as witnessed (cw-plus style). */
let extraWitness: Uint8Array | null = null;

export function setInput(b: Uint8Array): void {
  input = b;
  outPtr = 0;
  outLen = -1;
}

export function outputPtr(): usize {
  return outPtr;
}

/** -1 when the handler wrote no result. */
export function outputLen(): i32 {
  return outLen;
}

export function setHeight(h: u32): void {
  height = h;
}

/** The sender's canonical address: a 20-byte one is an account; any other holds no role. */
export function setSender(canonical: Uint8Array): void {
  senderIsAccount = canonical.length == ACCOUNT_BYTES;
  memory.fill(SENDER, 0, ACCOUNT_BYTES);
  if (senderIsAccount) memory.copy(SENDER, canonical.dataStart, ACCOUNT_BYTES);
}

export function setExtraWitness(a: Uint8Array | null): void {
  extraWitness = a;
}

// ---- events: name ‖ payload records in a static log (survives the heap releases of onPersist's loop) ----

const EVENT_LOG_BYTES: i32 = 32768;
const EVENT_LOG: usize = memory.data(EVENT_LOG_BYTES);
let eventEnd: i32 = 0;

export function clearEvents(): void {
  eventEnd = 0;
}

/** Bytes used in the log: records of u8 nameLen ‖ name ‖ u16 len ‖ payload from eventLog(). */
export function eventLogEnd(): i32 {
  return eventEnd;
}

export function eventLog(): usize {
  return EVENT_LOG;
}

// ---- accounts ----

/** The canonical address of a human address (addr_validate, then addr_canonicalize), or null when invalid. */
export function canonicalize(human: Uint8Array): Uint8Array | null {
  const src = regionOf(human);
  if (addr_validate(src) != 0) return null;
  const dst = newRegion(128);
  if (addr_canonicalize(src, dst) != 0) return null;
  return regionBytes(dst);
}

/** The human address of a canonical one (a trap if the chain cannot: stored accounts came from it). */
export function humanize(canonical: Uint8Array): Uint8Array {
  const dst = newRegion(256);
  if (addr_humanize(regionOf(canonical), dst) != 0) unreachable();
  return regionBytes(dst);
}

// ---- typed wrappers (the same as env.ts) ----

function rawBuffer(len: i32): ArrayBuffer {
  return changetype<ArrayBuffer>(__new(<usize>len, idof<ArrayBuffer>()));
}

/** `len` bytes that the caller writes in full before reading (keys): no memset. */
export function uninitBytes(len: i32): Uint8Array {
  return Uint8Array.wrap(rawBuffer(len), 0, len);
}

/** The call's argument bytes (the JSON message transcoded to the method's Borsh arguments). */
export function readInput(): Uint8Array {
  const b = input;
  return b != null ? b : new Uint8Array(0);
}

export function writeOutput(ptr: usize, len: i32): void {
  outPtr = ptr;
  outLen = len;
}

export function storageGet(key: Uint8Array): Uint8Array | null {
  const r = db_read(regionOf(key));
  if (r == 0) return null;
  return regionBytes(r);
}

export function storageGetSmall(key: Uint8Array): Uint8Array | null {
  return storageGet(key);
}

export function storageHas(key: Uint8Array): bool {
  return db_read(regionOf(key)) != 0;
}

export function storagePut(key: Uint8Array, ptr: usize, len: i32): void {
  db_write(regionOf(key), region(ptr, len));
}

export function storageDelete(key: Uint8Array): void {
  db_remove(regionOf(key));
}

/** The smallest stored key > after that starts with prefix, or null: one ascending scan over [max(prefix, after ‖ 00), prefix + 1). */
export function storageNext(prefix: Uint8Array, after: Uint8Array): Uint8Array | null {
  let start = prefix;
  if (after.length > 0 && memory.compare(after.dataStart, prefix.dataStart, <usize>min(after.length, prefix.length)) >= 0) {
    start = new Uint8Array(after.length + 1); // zeroed: after ‖ 00
    memory.copy(start.dataStart, after.dataStart, <usize>after.length);
  }
  // end = prefix + 1 (with carry); all 0xFF: unbounded
  let endRegion: u32 = 0;
  const end = new Uint8Array(prefix.length);
  memory.copy(end.dataStart, prefix.dataStart, <usize>prefix.length);
  let i = end.length - 1;
  while (i >= 0 && end[i] == 0xff) i--;
  if (i >= 0) {
    end[i] = end[i] + 1;
    endRegion = region(end.dataStart, i + 1);
  }
  const it = db_scan(regionOf(start), endRegion, 1);
  const kv = db_next(it);
  const p = <usize>load<u32>(kv);
  const n = <i32>load<u32>(kv, 8);
  if (n < 8) return null;
  const valueLen = <i32>bswap<u32>(load<u32>(p + <usize>n - 4));
  const keyEnd = n - 8 - valueLen; // where keyLen sits
  if (keyEnd < 0) return null;
  const keyLen = <i32>bswap<u32>(load<u32>(p + <usize>keyEnd));
  if (keyLen <= 0 || keyLen > keyEnd) return null;
  const key = uninitBytes(keyLen);
  memory.copy(key.dataStart, p + <usize>(keyEnd - keyLen), <usize>keyLen);
  return key;
}

export function blockHeight(): u32 {
  return height;
}

/** The transaction's sender: its 20-byte canonical address (zeros for a sender that is no account). */
export function sender(): Uint8Array {
  const out = uninitBytes(ACCOUNT_BYTES);
  memory.copy(out.dataStart, SENDER, ACCOUNT_BYTES);
  return out;
}

export function isWitness(account: Uint8Array): bool {
  const w = extraWitness;
  if (w != null && memory.compare(w.dataStart, account.dataStart, ACCOUNT_BYTES) == 0) return true;
  return senderIsAccount && memory.compare(SENDER, account.dataStart, ACCOUNT_BYTES) == 0;
}

/** `name` is ASCII. Appended to the event log; entry/cosmwasm.ts turns the log into `wasm-` events. */
export function emitEvent(name: string, ptr: usize, len: i32): void {
  const n = name.length;
  const need = 1 + n + 2 + len;
  if (eventEnd + need > EVENT_LOG_BYTES) unreachable(); // bounded by max_due_per_block (≤ 100)
  let p = EVENT_LOG + <usize>eventEnd;
  store<u8>(p++, <u8>n);
  for (let i = 0; i < n; i++) store<u8>(p++, <u8>name.charCodeAt(i));
  store<u16>(p, <u16>len);
  p += 2;
  memory.copy(p, ptr, <usize>len);
  eventEnd += need;
}
