// Wasm memory as the host imports see it: the current view (rebuilt only after growth),
// bounds checks, copies of bytes that leave a call, and storage keys as interned strings.

import { Buffer } from "node:buffer";
import { MAX_KEY_BYTES } from "../abi/methods.ts";
import { HostFault, type CallState, type Latin1Buffer } from "./call.ts";

/** The current memory as bytes; the views are rebuilt only when the buffer changed (growth). */
export function view(cx: CallState): Uint8Array {
  // `memory.buffer` is a getter that costs about as much as the rest of a small import, so
  // it is read only when the views can be stale: memory growth detaches the old buffer (its
  // views then have length 0), and a new instance resets u8 to EMPTY. (A memory of 0 pages
  // is simply re-read every time.)
  if (cx.u8.length === 0) {
    const b = cx.memory!.buffer as ArrayBuffer;
    cx.buffer = b;
    cx.u8 = new Uint8Array(b);
    cx.buf = Buffer.from(b) as Latin1Buffer;
  }
  return cx.u8;
}

function outside(fn: string, what: string, ptr: number, len: number, size: number): HostFault {
  return len < 0
    ? new HostFault(`${fn}: negative ${what} length ${len}`)
    : new HostFault(`${fn}: ${what} [${ptr},${ptr + len}) outside memory of ${size} bytes`);
}

/** Bounds check of [ptr, ptr+len) against a memory of `size` bytes. */
export function range(fn: string, what: string, ptr: number, len: number, size: number): void {
  if ((ptr | len) < 0 || ptr + len > size) throw outside(fn, what, ptr, len, size);
}

/** `range`, and a key of at most MAX_KEY_BYTES. */
export function keyRange(fn: string, what: string, ptr: number, len: number, size: number): void {
  range(fn, what, ptr, len, size);
  if (len > MAX_KEY_BYTES) throw new HostFault(`${fn}: ${what} of ${len} bytes exceeds ${MAX_KEY_BYTES}`);
}

/** An AssemblyScript string: UTF-16LE code units, its byte length as u32 at ptr - 4. */
export function readString(cx: CallState, u8: Uint8Array, ptr: number): string {
  if (ptr === 0) return "(null)";
  if (ptr < 4 || ptr > u8.length) return "(bad string)";
  const len = (u8[ptr - 4]! | (u8[ptr - 3]! << 8) | (u8[ptr - 2]! << 16) | (u8[ptr - 1]! << 24)) >>> 0;
  if (ptr + len > u8.length || len % 2 !== 0) return "(bad string)";
  return cx.buf.toString("utf16le", ptr, ptr + Math.min(len, 2048));
}

/**
 * Copies of Wasm memory that leave a call (stored values, event data, outputs). A fresh
 * ArrayBuffer per copy (what `slice` makes) costs ~0.4 µs for a few hundred bytes and far
 * more once many are alive (external memory drives the GC: ~2 µs measured with 1,000 kept),
 * so copies of 65..2048 bytes are cut from 8 KiB slabs, like Node's Buffer pool: a view on a
 * slab costs ~0.2 µs. A slab lives as long as any copy cut from it; `MemoryStore` keeps exact
 * copies of what it is given (it re-copies views into a larger buffer), so slabs are held
 * only by overlays (one block at most), results and events. Smaller copies are V8 on-heap
 * arrays (cheap already), larger ones get their own buffer.
 */
const SLAB_BYTES = 8192;
const SLAB_MAX_COPY = 2048;
const SMALL_COPY = 64;

export class Copier {
  private slabBuf = new ArrayBuffer(0);
  private slab = new Uint8Array(0);
  /** Next free offset in the slab; starts past the end so the first slab copy cuts a slab. */
  private off = SLAB_BYTES;

  /** A stable copy of `len` bytes at `start` of `mem` (`u8` is a view of all of `mem`). */
  copy(mem: ArrayBuffer, u8: Uint8Array, start: number, len: number): Uint8Array {
    if (len <= 8) {
      // Tiny results (every bool/u16 view): a byte loop into a small on-heap array beats slice.
      const out = new Uint8Array(len);
      for (let i = 0; i < len; i++) out[i] = u8[start + i]!;
      return out;
    }
    if (len <= SMALL_COPY || len > SLAB_MAX_COPY) return u8.slice(start, start + len);
    let off = this.off;
    if (off + len > SLAB_BYTES) {
      this.slabBuf = new ArrayBuffer(SLAB_BYTES);
      this.slab = new Uint8Array(this.slabBuf);
      off = 0;
    }
    // TypedArray set from a fresh view: about half the cost of Buffer#copy (no argument
    // coercion, no _copyActual), a memmove either way.
    this.slab.set(new Uint8Array(mem, start, len), off);
    this.off = (off + len + 7) & ~7;
    return new Uint8Array(this.slabBuf, off, len);
  }
}

/**
 * Keys as latin1 binary strings. Making one (`latin1Slice`, a call into C++) and then hashing
 * it in the store's Map costs about as much as the rest of a storage import, and a contract
 * reads and writes the same few keys over and over, so the strings are interned in a small
 * direct-mapped table: a key whose bytes equal the string in its slot gets that string back
 * (its hash already computed); any other key is sliced and takes the slot. The characters are
 * the same either way: only the cost depends on the table.
 */
const KEY_SLOTS = 256; // the slot is the top 8 bits of a hash of where the key lies

export class KeyStrings {
  private readonly slots: string[] = [];

  constructor() {
    for (let i = 0; i < KEY_SLOTS; i++) this.slots.push("");
  }

  get(buf: Latin1Buffer, u8: Uint8Array, ptr: number, len: number): string {
    // The slot comes from where the key lies, its length and its last bytes (which tell apart
    // names like feature_042 and feature_043 built at the same address): no pass over every
    // byte before the comparison, which is the one that decides.
    const end = ptr + len;
    let h = Math.imul(ptr ^ (len << 16), 0x9e3779b1);
    if (len >= 3) h = Math.imul(h ^ (u8[end - 1]! | (u8[end - 2]! << 8) | (u8[end - 3]! << 16)), 0x85ebca6b);
    const slot = h >>> 24;
    const s = this.slots[slot]!;
    if (s.length === len) {
      let i = 0;
      while (i < len && s.charCodeAt(i) === u8[ptr + i]) i++;
      if (i === len) return s;
    }
    return (this.slots[slot] = buf.latin1Slice(ptr, ptr + len));
  }
}
