// The CosmWasm JSON mapping of the ABI definition (docs/COSMWASM.md, /work/shared/COSMWASM.md
// section 3), computed from definition.ts: which method is an execute, a query, the
// instantiate or the sudo; each message's snake_case name; and every value's JSON form.
// The schema generator (gen/schema.ts) and the client's CosmWasm transport
// (src/client/cosmwasm.ts) both read this file, so a message name or a field's JSON form
// has one home.
//
// The rules: field names and enum values in snake_case; u8/u16/u32 JSON numbers; u64/i64
// decimal strings; accounts human (bech32) addresses; Option fields may be left out (or
// null); a view's message drops a leading `get` (`getFeature` → `feature`); arguments with
// `jsonDefaults` in the definition may be left out.

import { ENUMS, METHOD_DEFS, type MethodDef } from "./definition.ts";
import type { EnumKind, Field } from "./field.ts";

export type MethodName = keyof typeof METHOD_DEFS;

/** camelCase or PascalCase → snake_case (`isEnabledMany` → `is_enabled_many`, `RollingOut` → `rolling_out`). */
export function snake(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** What a method is on CosmWasm: an execute or query message, the instantiate (init) or the sudo (onPersist). */
export type CwKind = "execute" | "query" | "instantiate" | "sudo";

export function cwKind(method: MethodName): CwKind {
  const a = (METHOD_DEFS[method] as MethodDef).access;
  if (a === "view") return "query";
  if (a === "host") return "sudo";
  if (typeof a === "object" && "witness" in a) return "instantiate";
  return "execute";
}

/** The message's key: snake_case, views without a leading `get`. */
export function messageName(method: MethodName): string {
  const s = snake(method);
  return cwKind(method) === "query" ? s.replace(/^get_/, "") : s;
}

export const METHOD_LIST = Object.keys(METHOD_DEFS) as MethodName[];
export const EXECUTE_METHODS = METHOD_LIST.filter((m) => cwKind(m) === "execute");
export const QUERY_METHODS = METHOD_LIST.filter((m) => cwKind(m) === "query");

/** Message key → method, for execute and query messages. */
export const METHOD_BY_MESSAGE: Readonly<Record<string, MethodName>> = Object.fromEntries(
  [...EXECUTE_METHODS, ...QUERY_METHODS].map((m) => [messageName(m), m]),
);

/** The sudo messages that run onPersist (x/clock, x/cadence, the older end_block). */
export const SUDO_MESSAGES = ["clock_end_block", "cadence_end_block", "end_block"] as const;

/** Instantiate: `{ admin?: addr, max_due_per_block?: u32 }` (default admin: the sender). */
export const INSTANTIATE_FIELDS = { admin: { option: "account" }, maxDuePerBlock: { option: "u32" } } as const;

/** The contract name cw2 records (`contract_info`). */
export const CONTRACT_NAME = "onchain-canary";

/** Arguments a message may leave out, with the value they take (definition `jsonDefaults`). */
export function jsonDefaults(method: MethodName): Readonly<Record<string, string | number | boolean>> {
  return (METHOD_DEFS[method] as MethodDef).jsonDefaults ?? {};
}

/** An enum value's JSON name (`ForceOn` → `force_on`), or the number itself for a tag the enum does not define. */
export function enumJson(kind: EnumKind, tag: number): string | number {
  const v = ENUMS[kind].values[tag];
  return v === undefined ? tag : snake(v[0]);
}

/** A JSON enum name → its tag; undefined for an unknown name. */
export function enumTag(kind: EnumKind, name: string): number | undefined {
  const i = ENUMS[kind].values.findIndex(([n]) => snake(n) === name);
  return i < 0 ? undefined : i;
}

export const enumJsonNames = (kind: EnumKind): string[] => ENUMS[kind].values.map(([n]) => snake(n));

/** Accounts on a chain: 20 bytes as 0x-hex (the client's raw form) ↔ the chain's human address. */
export interface AddressCodec {
  toHuman(hex: string): string;
  toHex(human: string): string;
}

/** A JSON value did not have the form its field needs. */
export class JsonFormError extends TypeError {
  constructor(readonly path: string, expected: string, got: unknown) {
    super(`${path}: expected ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
    this.name = "JsonFormError";
  }
}

const isOption = (f: Field): f is { readonly option: Field } => typeof f === "object" && "option" in f;

/**
 * The JSON form of a raw (decoded) value of `f` (u64 bigint → "123", enum tag → snake name,
 * 0x-hex account → human address). In structs, a null Option field is left out when
 * `omitNull` (messages), kept as null otherwise (results, as serde writes them).
 */
export function toJson(f: Field, v: unknown, addr: AddressCodec, omitNull = false): unknown {
  if (typeof f === "string") {
    switch (f) {
      case "u64":
      case "i64":
        return BigInt(v as bigint).toString();
      case "account":
        return addr.toHuman(v as string);
      default:
        return v;
    }
  }
  if ("vec" in f) return (v as unknown[]).map((x) => toJson(f.vec, x, addr, omitNull));
  if ("option" in f) return v === null || v === undefined ? null : toJson(f.option, v, addr, omitNull);
  if ("enum" in f) return typeof v === "number" ? enumJson(f.enum, v) : v;
  const obj = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, sub] of Object.entries(f.struct)) {
    const x = toJson(sub, obj[k], addr, omitNull);
    if (x === null && omitNull && isOption(sub)) continue;
    out[snake(k)] = x;
  }
  return out;
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const UINT_MAX = { u8: 0xff, u16: 0xffff, u32: 0xffff_ffff } as const;

/**
 * The raw (decoded) value of a JSON value of `f`, checked as strictly as COSMWASM.md asks
 * (unknown fields, wrong types, numbers out of range → JsonFormError naming the path).
 */
export function fromJson(f: Field, j: unknown, addr: AddressCodec, path = "value"): unknown {
  if (typeof f === "string") {
    switch (f) {
      case "u8":
      case "u16":
      case "u32":
        if (typeof j === "number" && Number.isInteger(j) && j >= 0 && j <= UINT_MAX[f]) return j;
        throw new JsonFormError(path, `${f} (a JSON integer)`, j);
      case "u64":
      case "i64": {
        const re = f === "u64" ? /^[0-9]+$/ : /^-?[0-9]+$/;
        if (typeof j === "string" && re.test(j)) {
          const b = BigInt(j);
          if (f === "u64" ? b <= U64_MAX : b >= I64_MIN && b <= I64_MAX) return b;
        }
        throw new JsonFormError(path, `${f} (a decimal string)`, j);
      }
      case "bool":
        if (typeof j === "boolean") return j;
        throw new JsonFormError(path, "bool", j);
      case "string":
        if (typeof j === "string") return j;
        throw new JsonFormError(path, "string", j);
      case "account":
        if (typeof j === "string") return addr.toHex(j);
        throw new JsonFormError(path, "an address", j);
    }
  }
  if ("vec" in f) {
    if (!Array.isArray(j)) throw new JsonFormError(path, "an array", j);
    return j.map((x, i) => fromJson(f.vec, x, addr, `${path}[${i}]`));
  }
  if ("option" in f) return j === null || j === undefined ? null : fromJson(f.option, j, addr, path);
  if ("enum" in f) {
    const t = typeof j === "string" ? enumTag(f.enum, j) : undefined;
    if (t === undefined) throw new JsonFormError(path, `one of ${enumJsonNames(f.enum).join(", ")}`, j);
    return t;
  }
  if (typeof j !== "object" || j === null || Array.isArray(j)) throw new JsonFormError(path, "an object", j);
  const obj = j as Record<string, unknown>;
  const names = new Map(Object.keys(f.struct).map((k) => [snake(k), k]));
  for (const k of Object.keys(obj)) if (!names.has(k)) throw new JsonFormError(`${path}.${k}`, "no such field", obj[k]);
  const out: Record<string, unknown> = {};
  for (const [k, sub] of Object.entries(f.struct)) {
    const x = obj[snake(k)];
    if (x === undefined && !isOption(sub)) throw new JsonFormError(`${path}.${snake(k)}`, "a value (required)", x);
    out[k] = fromJson(sub, x, addr, `${path}.${snake(k)}`);
  }
  return out;
}

/** An event attribute's string form of a raw value (COSMWASM.md section 4: encoded as in section 3). */
export function toAttribute(f: Field, v: unknown, addr: AddressCodec): string {
  const j = toJson(f, v, addr);
  return j === null ? "" : typeof j === "string" ? j : JSON.stringify(j);
}

/** The raw value of an event attribute (a missing attribute, "" or "null" is None for an Option). */
export function fromAttribute(f: Field, s: string | undefined, addr: AddressCodec, path: string): unknown {
  if (isOption(f)) return s === undefined || s === "" || s === "null" ? null : fromAttribute(f.option, s, addr, path);
  if (s === undefined) throw new JsonFormError(path, "an attribute", s);
  if (typeof f === "string") {
    switch (f) {
      case "u8":
      case "u16":
      case "u32":
        return fromJson(f, /^[0-9]+$/.test(s) ? Number(s) : s, addr, path);
      case "bool":
        return fromJson(f, s === "true" ? true : s === "false" ? false : s, addr, path);
      default:
        return fromJson(f, s, addr, path);
    }
  }
  if ("enum" in f) return fromJson(f, s, addr, path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
  } catch {
    throw new JsonFormError(path, "JSON", s);
  }
  return fromJson(f, parsed, addr, path);
}
