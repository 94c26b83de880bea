// A small typed layer over the `borsh` package (2.0.0).
//
// Schemas are written as `Field`s: Borsh types plus two annotations the wire does not see,
// `account` ([u8; 20]) and `{ enum: Kind }` (a u8 whose values have SPEC names). They compile
// to borsh-js schemas; borsh-js produces and consumes the bytes.
//
// What borsh 2.0.0 does not do, and this file adds:
// - encoding: no range checks (u16 70000 and u64 2^64 wrap silently, 1.5 truncates), and
//   lone UTF-16 surrogates are encoded as some other character. `prepare` checks every value
//   first and names the path of the first bad one.
// - decoding: trailing bytes are ignored, a bool byte 2 reads as true, and invalid UTF-8
//   (overlong forms, bad continuation bytes, encoded surrogates) decodes to something.
//   `decode` therefore re-encodes what borsh-js decoded and requires the same bytes: borsh-js
//   only ever writes canonical Borsh (bool 0/1, valid UTF-8), so bytes that survive the round
//   trip are exactly one canonical value and nothing more (SPEC section 6: trailing bytes,
//   short input, invalid UTF-8 are BadInput; the client applies the same rule to what it reads).

import { deserialize, serialize, type Schema } from "borsh";
import type { AccountLike, Field } from "../abi/field.ts";
import { enumName, parseEnum } from "./enums.ts";

export type { AccountLike, Field, StructDef } from "../abi/field.ts";

export const ACCOUNT_BYTES = 20;

/** A value did not fit its schema; `path` says where (`policy.steps[3]`). */
export class EncodeError extends TypeError {
  constructor(readonly path: string, readonly expected: string, got: unknown, message?: string) {
    super(message ?? `${path}: expected ${expected}, got ${describe(got)}`);
    this.name = "EncodeError";
  }
}

/** Bytes were not exactly one canonical Borsh value of the schema. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecodeError";
  }
}

function describe(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 60) + "…" : v);
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v === null) return "null";
  if (typeof v === "object") return "object";
  return `${typeof v} ${String(v)}`;
}

// ---------------------------------------------------------------- hex and accounts

const HEX_RE = /^0x([0-9a-fA-F]{2})*$/;

export function bytesToHex(bytes: Uint8Array): string {
  let s = "0x";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** `0x`-prefixed, even-length hex → bytes. */
export function hexToBytes(hex: string): Uint8Array {
  if (!HEX_RE.test(hex)) throw new TypeError(`expected 0x-prefixed hex with an even number of digits, got ${describe(hex)}`);
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

function accountBytesAt(a: unknown, path: string): Uint8Array {
  if (a instanceof Uint8Array) {
    if (a.length !== ACCOUNT_BYTES) throw new EncodeError(path, "an account (20 bytes)", a);
    return Uint8Array.from(a);
  }
  if (typeof a === "string" && /^0x[0-9a-fA-F]{40}$/.test(a)) return hexToBytes(a);
  throw new EncodeError(path, "an account (Uint8Array(20) or 0x + 40 hex digits)", a);
}

/** An account as 20 bytes (a copy). Throws EncodeError for anything else. */
export function toAccountBytes(a: AccountLike): Uint8Array {
  return accountBytesAt(a, "account");
}

/** An account as lower-case `0x` + 40 hex digits: the form decoded structs use. */
export function accountHex(a: AccountLike): string {
  return bytesToHex(toAccountBytes(a));
}

// ---------------------------------------------------------------- schema compilation

const compiled = new WeakMap<object, Schema>();

/** The borsh-js schema of a Field. */
export function borshSchema(f: Field): Schema {
  if (typeof f === "string") {
    return f === "account" ? { array: { type: "u8", len: ACCOUNT_BYTES } } : f;
  }
  const hit = compiled.get(f);
  if (hit) return hit;
  let s: Schema;
  if ("vec" in f) s = { array: { type: borshSchema(f.vec) } };
  else if ("option" in f) s = { option: borshSchema(f.option) };
  else if ("enum" in f) s = "u8";
  else {
    const struct: Record<string, Schema> = {};
    for (const [k, v] of Object.entries(f.struct)) struct[k] = borshSchema(v);
    s = { struct };
  }
  compiled.set(f, s);
  return s;
}

// ---------------------------------------------------------------- encoding

/** The largest value of each unsigned Borsh integer below u64. */
export const UINT_MAX: Record<"u8" | "u16" | "u32", number> = { u8: 0xff, u16: 0xffff, u32: 0xffff_ffff };
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
// In a `u` regex a surrogate pair is one code point, so this matches only lone surrogates.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Checks `value` against `f` and returns it in the shape borsh-js serializes. */
export function prepare(f: Field, value: unknown, path: string): unknown {
  if (typeof f === "string") {
    switch (f) {
      case "u8":
      case "u16":
      case "u32": {
        const max = UINT_MAX[f];
        if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max) return value;
        throw new EncodeError(path, `${f} (integer 0..${max})`, value);
      }
      case "u64": {
        if (typeof value === "bigint" && value >= 0n && value <= U64_MAX) return value;
        if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
        throw new EncodeError(path, "u64 (bigint 0..2^64-1, or a safe non-negative integer)", value);
      }
      case "i64": {
        if (typeof value === "bigint" && value >= I64_MIN && value <= I64_MAX) return value;
        if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
        throw new EncodeError(path, "i64 (bigint -2^63..2^63-1, or a safe integer)", value);
      }
      case "bool":
        if (typeof value === "boolean") return value;
        throw new EncodeError(path, "bool", value);
      case "string":
        if (typeof value === "string" && !LONE_SURROGATE.test(value)) return value;
        throw new EncodeError(path, "a string (well-formed UTF-16, encoded as UTF-8)", value);
      case "account":
        return accountBytesAt(value, path);
    }
  }
  if ("vec" in f) {
    if (!Array.isArray(value)) throw new EncodeError(path, "an array", value);
    return value.map((v, i) => prepare(f.vec, v, `${path}[${i}]`));
  }
  if ("option" in f) {
    return value === null || value === undefined ? null : prepare(f.option, value, path);
  }
  if ("enum" in f) {
    if (typeof value !== "number" && typeof value !== "string") {
      throw new EncodeError(path, `a ${f.enum} name or number`, value);
    }
    try {
      return parseEnum(f.enum, value);
    } catch (e) {
      throw new EncodeError(path, `a ${f.enum} name or an integer 0..255`, value);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new EncodeError(path, `an object with fields ${Object.keys(f.struct).join(", ")}`, value);
  }
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!Object.prototype.hasOwnProperty.call(f.struct, k)) {
      const fields = Object.keys(f.struct).join(", ");
      throw new EncodeError(`${path}.${k}`, `one of ${fields}`, obj[k], `${path}.${k}: unknown field; expected one of ${fields}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, sub] of Object.entries(f.struct)) {
    const v = obj[k];
    if (v === undefined && !(typeof sub === "object" && "option" in sub)) {
      throw new EncodeError(`${path}.${k}`, "a value (the field is required)", v);
    }
    out[k] = prepare(sub, v, `${path}.${k}`);
  }
  return out;
}

/** Borsh bytes of `value`; throws EncodeError naming the first value that does not fit. */
export function encode(f: Field, value: unknown, path = "value"): Uint8Array {
  return serialize(borshSchema(f), prepare(f, value, path), false);
}

// ---------------------------------------------------------------- decoding

function sameBytes(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Decodes exactly one canonical value of `f` from `bytes` (accounts → 0x-hex strings,
 * u64 → bigint, enums → numbers). Throws DecodeError on short input, trailing bytes, a bool
 * or option tag other than 0/1, or invalid UTF-8.
 */
export function decode(f: Field, bytes: Uint8Array, what = "value"): unknown {
  const schema = borshSchema(f);
  let raw: unknown;
  try {
    raw = deserialize(schema, bytes, false);
  } catch (e) {
    throw new DecodeError(`${what}: not a Borsh value of its type (short input or a bad tag): ${(e as Error).message}`);
  }
  const again = serialize(schema, raw, false);
  if (again.length < bytes.length && sameBytes(again, bytes, again.length)) {
    throw new DecodeError(`${what}: ${bytes.length - again.length} trailing byte(s) after the value`);
  }
  if (again.length !== bytes.length || !sameBytes(again, bytes, bytes.length)) {
    throw new DecodeError(`${what}: not canonical Borsh (a bool byte other than 0/1, or invalid UTF-8)`);
  }
  return fromRaw(f, raw);
}

/** borsh-js's decoded value → the client's shape (accounts as 0x-hex). */
function fromRaw(f: Field, raw: unknown): unknown {
  if (typeof f === "string") {
    return f === "account" ? bytesToHex(Uint8Array.from(raw as number[])) : raw;
  }
  if ("vec" in f) return (raw as unknown[]).map((v) => fromRaw(f.vec, v));
  if ("option" in f) return raw === null ? null : fromRaw(f.option, raw);
  if ("enum" in f) return raw;
  const obj = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, sub] of Object.entries(f.struct)) out[k] = fromRaw(sub, obj[k]);
  return out;
}

// ---------------------------------------------------------------- display form

/** A JSON-safe value: what `toDisplay` returns. */
export type DisplayValue = null | boolean | number | string | DisplayValue[] | { [k: string]: DisplayValue };

/**
 * The display form of a decoded value, for logs and the replay's `--json`: enums by SPEC name
 * (`Unknown(n)` for an undefined tag), accounts as 0x-hex, u64 as a number when it is at most
 * 2^53 − 1 and as a decimal string above (JSON has no 64-bit integers).
 */
export function toDisplay(f: Field, v: unknown): DisplayValue {
  if (typeof f === "string") {
    if (f === "u64" || f === "i64") {
      const b = BigInt(v as bigint);
      return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(b) : b.toString();
    }
    if (f === "account") return v instanceof Uint8Array ? bytesToHex(v) : (v as string);
    return v as DisplayValue;
  }
  if ("vec" in f) return (v as unknown[]).map((x) => toDisplay(f.vec, x));
  if ("option" in f) return v === null || v === undefined ? null : toDisplay(f.option, v);
  if ("enum" in f) return typeof v === "string" ? v : enumName(f.enum, v as number);
  const obj = v as Record<string, unknown>;
  const out: Record<string, DisplayValue> = {};
  for (const [k, sub] of Object.entries(f.struct)) out[k] = toDisplay(sub, obj[k]);
  return out;
}
