// Heap release within one call. The stub runtime frees nothing, so a call that walks many
// records (onPersist with thousands of due features) would run out of memory; instead it
// releases the whole heap between items, keeping what must survive in static memory.
// `_reset` clears up to the highest top ever reached, so a reused instance still starts
// from the same bytes as a fresh one. Nothing may be allocated on the heap at start-up
// (no top-level objects), since a release would free it.

import { storageNext } from "../host/env";
import { single } from "../storage/keys";

/** The highest heap top reached before a release in this call (static: survives releases). */
const HIGH_WATER: usize = memory.data(4);

/** The current top of the heap (the next allocation's address, plus its header). */
function heapTop(): usize {
  return heap.alloc(0) + 16;
}

/** Frees every heap allocation: anything allocated before is garbage from here on. */
export function releaseHeap(): void {
  const top = heapTop();
  if (top > <usize>load<u32>(HIGH_WATER)) store<u32>(HIGH_WATER, <u32>top);
  __reset();
}

/** A scan position (u32 length ‖ key) for loops that release the heap between items. */
const SCAN_KEY_BYTES: usize = 4 + 128;
const SCAN_KEY: usize = memory.data(<i32>SCAN_KEY_BYTES);

/** Starts a scan from the first key. */
export function startScan(): void {
  store<u32>(SCAN_KEY, 0);
}

/** Starts a scan after `key` (≤ 128 bytes): the CosmWasm sudo's saved position. */
export function resumeScan(key: Uint8Array): void {
  saveScanKey(key);
}

/** The scan's current position (a copy on the heap; empty before the first key). */
export function scanPosition(): Uint8Array {
  return loadScanKey();
}

/**
 * Releases the heap (nothing allocated before survives), then the next key under `prefix`
 * after the saved position, saved as the new position; null when there is none.
 */
export function scanNext(prefix: u8): Uint8Array | null {
  releaseHeap();
  const key = storageNext(single(prefix), loadScanKey());
  if (key != null) saveScanKey(key);
  return key;
}

/** The saved position, on the heap (empty: from the start). */
function loadScanKey(): Uint8Array {
  const len = <i32>load<u32>(SCAN_KEY);
  const key = new Uint8Array(len);
  memory.copy(key.dataStart, SCAN_KEY + 4, <usize>len);
  return key;
}

/** Saves `key` (≤ 128 bytes: the host's key limit) as the position. */
function saveScanKey(key: Uint8Array): void {
  store<u32>(SCAN_KEY, <u32>key.length);
  memory.copy(SCAN_KEY + 4, key.dataStart, <usize>key.length);
}

/** Frees the heap and zeroes every byte it ever handed out, the high-water mark and the scan key. */
export function wipeHeap(): void {
  let top = heapTop();
  const high = <usize>load<u32>(HIGH_WATER);
  if (high > top) top = high;
  __reset();
  zero(__heap_base, top);
  store<u32>(HIGH_WATER, 0);
  zero(SCAN_KEY, SCAN_KEY + SCAN_KEY_BYTES);
}

/**
 * Zeroes [from, to) with word stores, then the bytes left. Not memory.fill: this loop runs
 * only in `_reset`, which the gas meter leaves unmetered (memory.fill is shared with calls).
 */
function zero(from: usize, to: usize): void {
  let p = from;
  for (; p + 8 <= to; p += 8) store<u64>(p, 0);
  for (; p < to; p++) store<u8>(p, 0);
}
