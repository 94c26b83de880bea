// Borsh, little-endian: a reader that never traps (it records the first failure and reads
// zeros after it) and a growable writer. Used for call arguments, results, events and records.

import { ACCOUNT_BYTES } from "../shared/codes";
import { isValidUtf8 } from "./utf8";

export class Reader {
  // Raw pointers into the buffer: the hot accessors below are inlined loads.
  private pos: usize;
  private end: usize;
  /** Set at the first short read, bad bool, bad option tag or invalid UTF-8. */
  failed: bool = false;

  constructor(private buf: Uint8Array) {
    this.pos = buf.dataStart;
    this.end = buf.dataStart + <usize>buf.length;
  }

  /** True when every byte was read and nothing failed: "decodes exactly". */
  done(): bool {
    return !this.failed && this.pos == this.end;
  }

  remaining(): i32 {
    return <i32>(this.end - this.pos);
  }

  // @ts-ignore: decorator
  @inline private take(n: i32): usize {
    const at = this.pos;
    if (this.failed || n < 0 || <usize>n > this.end - at) {
      this.failed = true;
      return 0;
    }
    this.pos = at + <usize>n;
    return at;
  }

  u8(): u8 {
    const p = this.take(1);
    return p ? load<u8>(p) : 0;
  }

  u16(): u16 {
    const p = this.take(2);
    return p ? load<u16>(p) : 0;
  }

  u32(): u32 {
    const p = this.take(4);
    return p ? load<u32>(p) : 0;
  }

  u64(): u64 {
    const p = this.take(8);
    return p ? load<u64>(p) : 0;
  }

  /** Skips n bytes; their address, or 0 (and failed) when short. */
  skip(n: i32): usize {
    return this.take(n);
  }

  bool(): bool {
    const v = this.u8();
    if (v > 1) this.failed = true;
    return v == 1;
  }

  /** An Option tag: false for None, true for Some; anything else fails. */
  option(): bool {
    return this.bool();
  }

  /**
   * `n` raw bytes: a view into the buffer being read, not a copy (nothing in the contract
   * writes into decoded bytes, and every buffer read from lives until the call ends).
   */
  bytes(n: i32): Uint8Array {
    const p = this.take(n);
    if (!p) return new Uint8Array(0);
    const start = <i32>(p - this.buf.dataStart);
    return this.buf.subarray(start, start + n);
  }

  account(): Uint8Array {
    return this.bytes(ACCOUNT_BYTES);
  }

  /** A Borsh String as its UTF-8 bytes (validated). */
  string(): Uint8Array {
    const len = this.u32();
    if (len > <u32>this.remaining()) {
      this.failed = true;
      return new Uint8Array(0);
    }
    const s = this.bytes(<i32>len);
    if (!isValidUtf8(s)) this.failed = true;
    return s;
  }

  /** A Vec count, checked against the bytes left for items of `itemSize` bytes. */
  count(itemSize: i32): i32 {
    const n = this.u32();
    if (<u64>n * <u64>itemSize > <u64>this.remaining()) {
      this.failed = true;
      return 0;
    }
    return <i32>n;
  }
}

/** A copy of the 20-byte account at `p` (the generated entry layer passes accounts by address). */
export function accountAt(p: usize): Uint8Array {
  const a = new Uint8Array(ACCOUNT_BYTES);
  memory.copy(a.dataStart, p, <usize>ACCOUNT_BYTES);
  return a;
}

export class Writer {
  private ptr: usize;
  private cap: i32;
  len: i32 = 0;

  constructor(initial: i32) {
    this.cap = initial;
    this.ptr = heap.alloc(<usize>initial);
  }

  get dataStart(): usize {
    return this.ptr;
  }

  private reserve(n: i32): usize {
    const need = this.len + n;
    if (need > this.cap) {
      let cap = this.cap << 1;
      if (cap < need) cap = need;
      this.ptr = heap.realloc(this.ptr, <usize>cap);
      this.cap = cap;
    }
    const at = this.ptr + <usize>this.len;
    this.len = need;
    return at;
  }

  /** Low byte of v (enum values are i32 in AssemblyScript). */
  u8(v: i32): Writer {
    store<u8>(this.reserve(1), <u8>v);
    return this;
  }

  u16(v: u16): Writer {
    store<u16>(this.reserve(2), v);
    return this;
  }

  u32(v: u32): Writer {
    store<u32>(this.reserve(4), v);
    return this;
  }

  u64(v: u64): Writer {
    store<u64>(this.reserve(8), v);
    return this;
  }

  bool(v: bool): Writer {
    return this.u8(v ? 1 : 0);
  }

  raw(b: Uint8Array): Writer {
    return this.copy(b.dataStart, b.length);
  }

  /** The n bytes at p, as they are. */
  copy(p: usize, n: i32): Writer {
    memory.copy(this.reserve(n), p, <usize>n);
    return this;
  }

  /** A Borsh String from UTF-8 bytes. */
  string(b: Uint8Array): Writer {
    this.u32(<u32>b.length);
    return this.raw(b);
  }

  /** Option<u8>. */
  optionU8(has: bool, v: i32): Writer {
    if (!has) return this.u8(0);
    return this.u8(1).u8(v);
  }

  /** The bytes written so far, as a view. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.len);
    memory.copy(out.dataStart, this.ptr, <usize>this.len);
    return out;
  }
}
