// Strict, integer-only JSON (COSMWASM.md section 3) for the CosmWasm entry layer: a parser
// into a small tree, a writer, and the walkers of the generated descriptors
// (generated/json.ts, format in src/abi/gen/json.ts): JSON message → the method's exact
// Borsh arguments, Borsh result or event payload → JSON. No floats anywhere: a number with a
// fraction, an exponent or a sign is refused, as is an unknown or missing field, a duplicate
// key, a wrong type or a number out of range (→ BadInput by the caller). UTF-8 is checked
// strictly; escapes (\uXXXX with surrogate pairs) are decoded.

import { Reader, Writer } from "./borsh";
import { isValidUtf8 } from "./utf8";
import { ACCOUNT_BYTES } from "../shared/codes";
import { canonicalize, humanize } from "../host/env";
import { ENUM_NAMES } from "../generated/json";

export const J_NULL: u8 = 0;
export const J_BOOL: u8 = 1;
export const J_NUM: u8 = 2;
export const J_STR: u8 = 3;
export const J_ARR: u8 = 4;
export const J_OBJ: u8 = 5;

/** Descriptor type codes (src/abi/gen/json.ts). */
const T_U8: u8 = 1, T_U16: u8 = 2, T_U32: u8 = 3, T_U64: u8 = 4, T_I64: u8 = 5, T_BOOL: u8 = 6, T_STR: u8 = 7, T_ACC: u8 = 8;
const T_VEC: u8 = 9, T_OPT: u8 = 10, T_ENUM: u8 = 11, T_STRUCT: u8 = 12, T_DEFAULTS: u8 = 13, T_LOOSE: u8 = 14;

const MAX_DEPTH = 32;

export class JNode {
  kind: u8 = J_NULL;
  flag: bool = false;
  /** J_NUM: the value (a u64). */
  num: u64 = 0;
  /** J_STR: the decoded UTF-8 bytes. */
  str: Uint8Array | null = null;
  items: JNode[] | null = null;
  keys: Uint8Array[] | null = null;
}

/** Why the last parse or transcode failed (a detail for the error message). */
export let jsonError: string = "";

function fail(why: string): void {
  if (jsonError.length == 0) jsonError = why;
}

export function clearJsonError(): void {
  jsonError = "";
}

function bytesEqual(a: Uint8Array, p: usize, n: i32): bool {
  if (a.length != n) return false;
  return memory.compare(a.dataStart, p, <usize>n) == 0;
}

function bytesToString(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length);
}

// ---------------------------------------------------------------- parser

class Parser {
  p: usize;
  end: usize;
  ok: bool = true;
  constructor(ptr: usize, len: i32) {
    this.p = ptr;
    this.end = ptr + <usize>len;
  }

  bad(why: string): JNode {
    this.ok = false;
    fail(why);
    return new JNode();
  }

  ws(): void {
    while (this.p < this.end) {
      const c = load<u8>(this.p);
      if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) this.p++;
      else break;
    }
  }

  peek(): i32 {
    return this.p < this.end ? <i32>load<u8>(this.p) : -1;
  }

  lit(word: string): bool {
    const n = word.length;
    if (this.end - this.p < <usize>n) return false;
    for (let i = 0; i < n; i++) if (<i32>load<u8>(this.p + <usize>i) != word.charCodeAt(i)) return false;
    this.p += <usize>n;
    return true;
  }

  value(depth: i32): JNode {
    if (depth > MAX_DEPTH) return this.bad("nesting too deep");
    this.ws();
    const c = this.peek();
    const n = new JNode();
    if (c == 0x7b) {
      // object
      this.p++;
      n.kind = J_OBJ;
      const keys = new Array<Uint8Array>();
      const items = new Array<JNode>();
      this.ws();
      if (this.peek() == 0x7d) {
        this.p++;
      } else {
        while (true) {
          this.ws();
          if (this.peek() != 0x22) return this.bad("expected a key");
          const k = this.string();
          if (!this.ok) return n;
          for (let i = 0; i < keys.length; i++) {
            if (bytesEqual(keys[i], k.dataStart, k.length)) return this.bad("duplicate field `" + bytesToString(k) + "`");
          }
          this.ws();
          if (this.peek() != 0x3a) return this.bad("expected `:`");
          this.p++;
          const v = this.value(depth + 1);
          if (!this.ok) return n;
          keys.push(k);
          items.push(v);
          this.ws();
          const d = this.peek();
          this.p++;
          if (d == 0x2c) continue;
          if (d == 0x7d) break;
          return this.bad("expected `,` or `}`");
        }
      }
      n.keys = keys;
      n.items = items;
      return n;
    }
    if (c == 0x5b) {
      this.p++;
      n.kind = J_ARR;
      const items = new Array<JNode>();
      this.ws();
      if (this.peek() == 0x5d) {
        this.p++;
      } else {
        while (true) {
          const v = this.value(depth + 1);
          if (!this.ok) return n;
          items.push(v);
          this.ws();
          const d = this.peek();
          this.p++;
          if (d == 0x2c) continue;
          if (d == 0x5d) break;
          return this.bad("expected `,` or `]`");
        }
      }
      n.items = items;
      return n;
    }
    if (c == 0x22) {
      n.kind = J_STR;
      n.str = this.string();
      return n;
    }
    if (c >= 0x30 && c <= 0x39) {
      n.kind = J_NUM;
      let v: u64 = 0;
      let digits = 0;
      let over = false;
      while (this.p < this.end) {
        const d = <i32>load<u8>(this.p);
        if (d < 0x30 || d > 0x39) break;
        if (digits == 1 && v == 0) return this.bad("a number with a leading zero");
        const dv = <u64>(d - 0x30);
        // v * 10 + dv > u64::MAX exactly when v > 1844674407370955161, or v equals it and dv > 5
        if (v > 1844674407370955161 || (v == 1844674407370955161 && dv > 5)) over = true;
        v = v * 10 + dv;
        digits++;
        this.p++;
      }
      const e = this.peek();
      if (e == 0x2e || e == 0x65 || e == 0x45) return this.bad("not an integer (no fractions or exponents)");
      if (over) return this.bad("number out of range");
      n.num = v;
      return n;
    }
    if (c == 0x2d) return this.bad("negative number");
    if (this.lit("true")) {
      n.kind = J_BOOL;
      n.flag = true;
      return n;
    }
    if (this.lit("false")) {
      n.kind = J_BOOL;
      return n;
    }
    if (this.lit("null")) return n;
    return this.bad("invalid JSON");
  }

  hex4(): i32 {
    if (this.end - this.p < 4) return -1;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = <i32>load<u8>(this.p + <usize>i);
      let d: i32;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      else return -1;
      v = (v << 4) | d;
    }
    this.p += 4;
    return v;
  }

  /** A string at `"`: its UTF-8 bytes, escapes decoded, UTF-8 checked. */
  string(): Uint8Array {
    this.p++; // opening quote
    // Fast path: no escape before the closing quote: one copy.
    let q = this.p;
    while (q < this.end) {
      const c = load<u8>(q);
      if (c == 0x22 || c == 0x5c || c < 0x20) break;
      q++;
    }
    if (q < this.end && load<u8>(q) == 0x22) {
      const n = <i32>(q - this.p);
      const out = new Uint8Array(n);
      memory.copy(out.dataStart, this.p, <usize>n);
      this.p = q + 1;
      if (!isValidUtf8(out)) {
        this.bad("invalid UTF-8");
        return new Uint8Array(0);
      }
      return out;
    }
    const w = new Writer(32);
    while (true) {
      if (this.p >= this.end) {
        this.bad("unterminated string");
        return new Uint8Array(0);
      }
      const c = load<u8>(this.p++);
      if (c == 0x22) break;
      if (c < 0x20) {
        this.bad("control character in a string");
        return new Uint8Array(0);
      }
      if (c != 0x5c) {
        w.u8(c);
        continue;
      }
      if (this.p >= this.end) {
        this.bad("unterminated string");
        return new Uint8Array(0);
      }
      const e = load<u8>(this.p++);
      if (e == 0x22 || e == 0x5c || e == 0x2f) w.u8(e);
      else if (e == 0x62) w.u8(8);
      else if (e == 0x66) w.u8(12);
      else if (e == 0x6e) w.u8(10);
      else if (e == 0x72) w.u8(13);
      else if (e == 0x74) w.u8(9);
      else if (e == 0x75) {
        let cp = this.hex4();
        if (cp < 0) {
          this.bad("bad \\u escape");
          return new Uint8Array(0);
        }
        if (cp >= 0xd800 && cp < 0xdc00) {
          // a high surrogate: a low one must follow
          if (!(this.lit("\\u"))) {
            this.bad("lone surrogate");
            return new Uint8Array(0);
          }
          const lo = this.hex4();
          if (lo < 0xdc00 || lo > 0xdfff) {
            this.bad("lone surrogate");
            return new Uint8Array(0);
          }
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        } else if (cp >= 0xdc00 && cp < 0xe000) {
          this.bad("lone surrogate");
          return new Uint8Array(0);
        }
        if (cp < 0x80) w.u8(cp);
        else if (cp < 0x800) w.u8(0xc0 | (cp >> 6)).u8(0x80 | (cp & 0x3f));
        else if (cp < 0x10000) w.u8(0xe0 | (cp >> 12)).u8(0x80 | ((cp >> 6) & 0x3f)).u8(0x80 | (cp & 0x3f));
        else w.u8(0xf0 | (cp >> 18)).u8(0x80 | ((cp >> 12) & 0x3f)).u8(0x80 | ((cp >> 6) & 0x3f)).u8(0x80 | (cp & 0x3f));
      } else {
        this.bad("bad escape");
        return new Uint8Array(0);
      }
    }
    const out = w.toBytes();
    if (!isValidUtf8(out)) {
      this.bad("invalid UTF-8");
      return new Uint8Array(0);
    }
    return out;
  }
}

/** Parses exactly one JSON value (whitespace around it allowed); null on any error (jsonError says why). */
export function parseJson(ptr: usize, len: i32): JNode | null {
  const p = new Parser(ptr, len);
  const v = p.value(0);
  if (!p.ok) return null;
  p.ws();
  if (p.p != p.end) {
    fail("trailing characters after the JSON value");
    return null;
  }
  return v;
}

/** The value of `key` in an object node, or null. */
export function field(obj: JNode, key: string): JNode | null {
  if (obj.kind != J_OBJ) return null;
  const keys = obj.keys!;
  const k = String.UTF8.encode(key);
  for (let i = 0; i < keys.length; i++) {
    if (bytesEqual(keys[i], changetype<usize>(k), k.byteLength)) return obj.items![i];
  }
  return null;
}

/** A decimal string of a u64 (no sign, no leading zeros); -1 in `ok` when not one. */
export function parseU64String(s: Uint8Array): u64 {
  decimalOk = false;
  const n = s.length;
  if (n == 0 || n > 20) return 0;
  if (n > 1 && s[0] == 0x30) return 0;
  let v: u64 = 0;
  for (let i = 0; i < n; i++) {
    const d = <u64>s[i] - 0x30;
    if (d > 9) return 0;
    if (v > 1844674407370955161 || (v == 1844674407370955161 && d > 5)) return 0;
    v = v * 10 + d;
  }
  decimalOk = true;
  return v;
}
export let decimalOk: bool = false;

// ---------------------------------------------------------------- descriptors

/** A cursor over a descriptor. */
class Desc {
  constructor(public p: usize) {}
  u8(): u8 {
    return load<u8>(this.p++);
  }
  u16(): i32 {
    const v = <i32>load<u16>(this.p);
    this.p += 2;
    return v;
  }
  /** A length-prefixed name: returns its address, `len` holds its length. */
  name(): usize {
    this.len = <i32>load<u8>(this.p);
    const at = this.p + 1;
    this.p = at + <usize>this.len;
    return at;
  }
  len: i32 = 0;
}

/** Skips one type descriptor at d. */
function skipType(d: Desc): void {
  const t = d.u8();
  if (t == T_VEC || t == T_OPT) skipType(d);
  else if (t == T_ENUM || t == T_LOOSE) d.p++;
  else if (t == T_STRUCT || t == T_DEFAULTS) {
    const n = <i32>d.u8();
    for (let i = 0; i < n; i++) {
      d.name();
      if (t == T_DEFAULTS) {
        const dl = d.u16();
        if (dl != 0xffff) d.p += <usize>dl;
      }
      skipType(d);
    }
  }
}

/** The snake_case name of value `tag` of enum `kind`: its address (length in `enumNameLen`), 0 if out of range. */
let enumNameLen: i32 = 0;
function enumName(kind: i32, tag: i32): usize {
  let p = ENUM_NAMES;
  for (let k = 0; k < kind; k++) {
    const count = <i32>load<u8>(p++);
    for (let i = 0; i < count; i++) p += 1 + <usize>load<u8>(p);
  }
  const count = <i32>load<u8>(p++);
  if (tag < 0 || tag >= count) return 0;
  for (let i = 0; i < tag; i++) p += 1 + <usize>load<u8>(p);
  enumNameLen = <i32>load<u8>(p);
  return p + 1;
}

function enumTag(kind: i32, s: Uint8Array): i32 {
  for (let tag = 0; tag < 256; tag++) {
    const p = enumName(kind, tag);
    if (p == 0) return -1;
    if (bytesEqual(s, p, enumNameLen)) return tag;
  }
  return -1;
}

function rawString(p: usize, n: i32): string {
  return String.UTF8.decodeUnsafe(p, <usize>n);
}

/** JSON → Borsh by descriptor; false on error (jsonError says why). */
function encodeValue(v: JNode, d: Desc, w: Writer, what: string): bool {
  const t = d.u8();
  if (t == T_OPT) {
    if (v.kind == J_NULL) {
      skipType(d);
      w.u8(0);
      return true;
    }
    w.u8(1);
    return encodeValue(v, d, w, what);
  }
  if (t == T_U8 || t == T_U16 || t == T_U32) {
    if (v.kind != J_NUM) return wrong(what, "a number");
    const max: u64 = t == T_U8 ? 0xff : t == T_U16 ? 0xffff : 0xffffffff;
    if (v.num > max) return wrong(what, "a number in range");
    if (t == T_U8) w.u8(<i32>v.num);
    else if (t == T_U16) w.u16(<u16>v.num);
    else w.u32(<u32>v.num);
    return true;
  }
  if (t == T_U64 || t == T_I64) {
    if (v.kind != J_STR) return wrong(what, "a decimal string");
    const n = parseU64String(v.str!);
    if (!decimalOk) return wrong(what, "a decimal string of a u64");
    w.u64(n);
    return true;
  }
  if (t == T_BOOL) {
    if (v.kind != J_BOOL) return wrong(what, "a bool");
    w.bool(v.flag);
    return true;
  }
  if (t == T_STR) {
    if (v.kind != J_STR) return wrong(what, "a string");
    w.string(v.str!);
    return true;
  }
  if (t == T_ACC) {
    if (v.kind != J_STR) return wrong(what, "an address");
    const c = canonicalize(v.str!);
    if (c == null) return wrong(what, "a valid address");
    if (c.length != ACCOUNT_BYTES) return wrong(what, "an address of a 20-byte account");
    w.raw(c);
    return true;
  }
  if (t == T_ENUM || t == T_LOOSE) {
    const kind = <i32>d.u8();
    if (v.kind != J_STR) return wrong(what, "a name");
    const tag = enumTag(kind, v.str!);
    if (tag < 0) {
      if (t == T_ENUM) return wrong(what, "a known name");
      w.u8(0xff); // a policy field: validated as policy (InvalidPolicy), never BadInput
      return true;
    }
    w.u8(tag);
    return true;
  }
  if (t == T_VEC) {
    if (v.kind != J_ARR) return wrong(what, "an array");
    const items = v.items!;
    w.u32(<u32>items.length);
    const start = d.p;
    if (items.length == 0) skipType(d);
    for (let i = 0; i < items.length; i++) {
      d.p = start;
      if (!encodeValue(items[i], d, w, what)) return false;
    }
    return true;
  }
  // struct / struct with defaults
  return encodeStruct(v, d, w, t == T_DEFAULTS, what);
}

function wrong(what: string, expected: string): bool {
  fail("`" + what + "` must be " + expected);
  return false;
}

/** A struct at d (its type byte read): every field in order; unknown keys refused. */
function encodeStruct(v: JNode, d: Desc, w: Writer, defaults: bool, what: string): bool {
  const n = <i32>d.u8();
  if (v.kind != J_OBJ) {
    for (let i = 0; i < n; i++) {
      d.name();
      if (defaults) {
        const dl = d.u16();
        if (dl != 0xffff) d.p += <usize>dl;
      }
      skipType(d);
    }
    return wrong(what, "an object");
  }
  const keys = v.keys!;
  const fieldsStart = d.p;
  let used = 0;
  for (let i = 0; i < n; i++) {
    const np = d.name();
    const nl = d.len;
    let defP: usize = 0;
    let defL = -1;
    if (defaults) {
      const dl = d.u16();
      if (dl != 0xffff) {
        defP = d.p;
        defL = dl;
        d.p += <usize>dl;
      }
    }
    let found: JNode | null = null;
    for (let k = 0; k < keys.length; k++) {
      if (bytesEqual(keys[k], np, nl)) {
        found = v.items![k];
        break;
      }
    }
    const fname = rawString(np, nl);
    if (found == null) {
      if (defL >= 0) {
        w.copy(defP, defL);
        skipType(d);
        continue;
      }
      if (load<u8>(d.p) == T_OPT) {
        skipType(d);
        w.u8(0);
        continue;
      }
      fail("missing field `" + fname + "`");
      return false;
    }
    used++;
    if (!encodeValue(found, d, w, fname)) return false;
  }
  if (used != keys.length) {
    for (let k = 0; k < keys.length; k++) {
      if (!structHas(fieldsStart, n, defaults, keys[k])) {
        fail("unknown field `" + bytesToString(keys[k]) + "`");
        break;
      }
    }
    return false;
  }
  return true;
}

function structHas(start: usize, n: i32, defaults: bool, key: Uint8Array): bool {
  const d = new Desc(start);
  for (let i = 0; i < n; i++) {
    const np = d.name();
    if (bytesEqual(key, np, d.len)) return true;
    if (defaults) {
      const dl = d.u16();
      if (dl != 0xffff) d.p += <usize>dl;
    }
    skipType(d);
  }
  return false;
}

/** The method's Borsh arguments from its JSON args object, by the descriptor at `desc`; null on error. */
export function encodeArgs(v: JNode, desc: usize): Uint8Array | null {
  const w = new Writer(64);
  const d = new Desc(desc);
  if (!encodeValue(v, d, w, "message")) return null;
  return w.toBytes();
}

// ---------------------------------------------------------------- writer

export class JOut extends Writer {
  ch(c: i32): JOut {
    this.u8(c);
    return this;
  }

  ascii(s: string): JOut {
    for (let i = 0; i < s.length; i++) this.ch(s.charCodeAt(i));
    return this;
  }

  dec(v: u64): JOut {
    if (v == 0) {
      this.ch(0x30);
      return this;
    }
    const buf = new StaticArray<u8>(20);
    let i = 20;
    while (v > 0) {
      buf[--i] = <u8>(0x30 + <i32>(v % 10));
      v /= 10;
    }
    for (; i < 20; i++) this.ch(buf[i]);
    return this;
  }

  sdec(v: i64): JOut {
    if (v < 0) {
      this.ch(0x2d);
      return this.dec(<u64>(0 - v)); // i64.MIN wraps to 2^63, printed right as u64
    }
    return this.dec(<u64>v);
  }

  /** A JSON string of UTF-8 bytes (escaping `"`, `\` and control characters). */
  str(p: usize, n: i32): JOut {
    this.ch(0x22);
    this.strBody(p, n);
    this.ch(0x22);
    return this;
  }

  strBody(p: usize, n: i32): JOut {
    for (let i = 0; i < n; i++) {
      const c = <i32>load<u8>(p + <usize>i);
      if (c == 0x22 || c == 0x5c) this.ch(0x5c).ch(c);
      else if (c < 0x20) {
        this.ascii("\\u00");
        this.ch(hexDigit(c >> 4)).ch(hexDigit(c & 15));
      } else this.ch(c);
    }
    return this;
  }

  strOf(b: Uint8Array): JOut {
    return this.str(b.dataStart, b.length);
  }
}

function hexDigit(v: i32): i32 {
  return v < 10 ? 0x30 + v : 0x61 + v - 10;
}

/** Writes the Borsh value at r as JSON by descriptor; false when the bytes do not fit it. */
function writeValue(r: Reader, d: Desc, o: JOut): bool {
  const t = d.u8();
  if (t == T_U8) o.dec(r.u8());
  else if (t == T_U16) o.dec(r.u16());
  else if (t == T_U32) o.dec(r.u32());
  else if (t == T_U64) o.ch(0x22).dec(r.u64()).ch(0x22);
  else if (t == T_I64) o.ch(0x22).sdec(<i64>r.u64()).ch(0x22);
  else if (t == T_BOOL) o.ascii(r.bool() ? "true" : "false");
  else if (t == T_STR) o.strOf(r.string());
  else if (t == T_ACC) o.strOf(humanize(r.bytes(ACCOUNT_BYTES)));
  else if (t == T_ENUM || t == T_LOOSE) {
    const kind = <i32>d.u8();
    const tag = <i32>r.u8();
    const p = enumName(kind, tag);
    if (p == 0) o.dec(<u64>tag);
    else o.str(p, enumNameLen);
  } else if (t == T_OPT) {
    if (r.option()) return writeValue(r, d, o);
    skipType(d);
    o.ascii("null");
  } else if (t == T_VEC) {
    const n = r.count(1);
    const start = d.p;
    o.ch(0x5b);
    if (n == 0) skipType(d);
    for (let i = 0; i < n; i++) {
      if (i > 0) o.ch(0x2c);
      d.p = start;
      if (!writeValue(r, d, o)) return false;
      if (r.failed) return false;
    }
    o.ch(0x5d);
  } else {
    const n = <i32>d.u8();
    o.ch(0x7b);
    for (let i = 0; i < n; i++) {
      if (i > 0) o.ch(0x2c);
      const np = d.name();
      o.str(np, d.len).ch(0x3a);
      if (!writeValue(r, d, o)) return false;
    }
    o.ch(0x7d);
  }
  return !r.failed;
}

/** The JSON of the Borsh `bytes` by the descriptor at `desc`; false when they do not decode exactly. */
export function writeJson(bytes: Uint8Array, desc: usize, o: JOut): bool {
  const r = new Reader(bytes);
  if (!writeValue(r, new Desc(desc), o)) return false;
  return r.done();
}

/**
 * The fields of an event payload as CosmWasm attributes `{"key":..,"value":..}`, each value a
 * string encoded as in section 3 (numbers in decimal, enums by name, accounts human); a None
 * option is left out (wasmd refuses empty attribute values).
 */
export function writeAttributes(bytes: Uint8Array, desc: usize, o: JOut): bool {
  const r = new Reader(bytes);
  const d = new Desc(desc);
  d.u8(); // struct
  const n = <i32>d.u8();
  let first = true;
  for (let i = 0; i < n; i++) {
    const np = d.name();
    const nl = d.len;
    let t = d.u8();
    if (t == T_OPT) {
      if (!r.option()) {
        skipType(d);
        continue;
      }
      t = d.u8();
    }
    if (!first) o.ch(0x2c);
    first = false;
    o.ascii("{\"key\":").str(np, nl).ascii(",\"value\":\"");
    if (t == T_U8) o.dec(r.u8());
    else if (t == T_U16) o.dec(r.u16());
    else if (t == T_U32) o.dec(r.u32());
    else if (t == T_U64) o.dec(r.u64());
    else if (t == T_I64) o.sdec(<i64>r.u64());
    else if (t == T_BOOL) o.ascii(r.bool() ? "true" : "false");
    else if (t == T_STR) {
      const s = r.string();
      o.strBody(s.dataStart, s.length);
    } else if (t == T_ACC) {
      const h = humanize(r.bytes(ACCOUNT_BYTES));
      o.strBody(h.dataStart, h.length);
    } else if (t == T_ENUM || t == T_LOOSE) {
      const tag = <i32>r.u8();
      const p = enumName(<i32>d.u8(), tag);
      if (p == 0) o.dec(<u64>tag);
      else o.strBody(p, enumNameLen);
    } else return false;
    o.ascii("\"}");
  }
  return r.done();
}

/** Standard base64 (with padding) of n bytes at p. */
export function base64(o: JOut, p: usize, n: i32): void {
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (<i32>load<u8>(p + <usize>i) << 16) | (<i32>load<u8>(p + <usize>i + 1) << 8) | <i32>load<u8>(p + <usize>i + 2);
    o.ch(A.charCodeAt(v >> 18)).ch(A.charCodeAt((v >> 12) & 63)).ch(A.charCodeAt((v >> 6) & 63)).ch(A.charCodeAt(v & 63));
  }
  const rest = n - i;
  if (rest == 1) {
    const v = <i32>load<u8>(p + <usize>i) << 16;
    o.ch(A.charCodeAt(v >> 18)).ch(A.charCodeAt((v >> 12) & 63)).ch(0x3d).ch(0x3d);
  } else if (rest == 2) {
    const v = (<i32>load<u8>(p + <usize>i) << 16) | (<i32>load<u8>(p + <usize>i + 1) << 8);
    o.ch(A.charCodeAt(v >> 18)).ch(A.charCodeAt((v >> 12) & 63)).ch(A.charCodeAt((v >> 6) & 63)).ch(0x3d);
  }
}
