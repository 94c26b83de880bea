// Zod schemas derived from the client's Borsh field types (src/client/schema.ts), so a
// scenario's arguments, `match` objects and event matches are checked against exactly the
// types the contract takes and returns — one source of truth, no hand-written copy.
//
// Two modes:
// - "arg":   a method argument as `CanaryClient.call` takes it. Every non-Option field is
//            required; accounts are aliases or 0x-hex (resolved to lower-case 0x-hex); enums
//            are SPEC names or defined tags (→ number); u64 are safe integers or decimal
//            strings (→ bigint). A policy (Policy struct) may be partial — the client fills
//            in DEFAULT_POLICY — and its `analysis` takes any u8, because policy values are
//            the contract's to validate (InvalidPolicy), not the scenario's. `analysis` may
//            also be `{ sequential: { p0, p1, alpha, beta, floor? } }` or `{ comparative:
//            { ratio, alpha, beta, floor? } }`: the client's statistics helpers turn it into
//            the analysis and its ppm fields (checked here, before anything runs).
// - "match": an expected value for `match`: every struct field optional (a match names only
//            what it compares), Option may be null, values in the same raw form a decoded
//            result has (enum numbers, 0x-hex accounts, bigint u64), so comparing is `===`.
//
// Leaves report "expected X, got Y" in their own words; the formatter in scenario.ts adds
// the file and the path.

import { z } from "zod";
import { POLICY } from "../client/schema.ts";
import { UINT_MAX, type Field, type StructDef } from "../client/codec.ts";
import { enumNames, isEnumValue, type EnumKind } from "../client/enums.ts";
import { comparativePolicy, sequentialPolicy } from "../client/statistics.ts";

export type Mode = "arg" | "match";

/** Alias → lower-case 0x-hex. */
export type AccountBook = ReadonlyMap<string, string>;

const HEX40 = /^0x[0-9a-fA-F]{40}$/;
const U64_MAX = (1n << 64n) - 1n;

/** A short rendering of a value for "got …" in messages. */
export function describe(v: unknown): string {
  if (v === undefined) return "nothing (the field is missing)";
  if (v === null) return "null";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 60) + "…" : v);
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === "object") return "an object";
  return typeof v;
}

/** A schema that runs `parse` and reports `expected …, got …` when it returns undefined. */
export function leaf<T>(expected: string | (() => string), parse: (v: unknown) => T | undefined): z.ZodType<T> {
  return z.unknown().transform((v, ctx) => {
    const out = parse(v);
    if (out === undefined) {
      ctx.addIssue({ code: "custom", message: `expected ${typeof expected === "function" ? expected() : expected}, got ${describe(v)}` });
      return z.NEVER;
    }
    return out;
  }) as unknown as z.ZodType<T>;
}

/** Resolves an account reference: an alias of the book or 0x + 40 hex digits. */
export function resolveAccount(book: AccountBook, v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  if (HEX40.test(v)) return v.toLowerCase();
  return book.get(v);
}

function accountExpected(book: AccountBook): string {
  const names = [...book.keys()];
  const shown = names.length > 8 ? [...names.slice(0, 8), "…"] : names;
  return names.length > 0
    ? `an account: an alias (${shown.join(", ")}) or 0x + 40 hex digits`
    : "an account: 0x + 40 hex digits (the scenario defines no aliases)";
}

/** An account reference (alias or 0x-hex) → lower-case 0x-hex. Unknown aliases are errors. */
export function accountSchema(book: AccountBook): z.ZodType<string> {
  return z.unknown().transform((v, ctx) => {
    const hex = resolveAccount(book, v);
    if (hex !== undefined) return hex;
    const message =
      typeof v === "string" && !v.startsWith("0x")
        ? `unknown account alias ${JSON.stringify(v)}; expected ${accountExpected(book)}`
        : `expected ${accountExpected(book)}, got ${describe(v)}`;
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  }) as unknown as z.ZodType<string>;
}

function u64(v: unknown): bigint | undefined {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "bigint" && v >= 0n && v <= U64_MAX) return v;
  if (typeof v === "string" && /^[0-9]{1,20}$/.test(v)) {
    const b = BigInt(v);
    return b <= U64_MAX ? b : undefined;
  }
  return undefined;
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function i64(v: unknown): bigint | undefined {
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === "bigint" && v >= I64_MIN && v <= I64_MAX) return v;
  if (typeof v === "string" && /^-?[0-9]{1,19}$/.test(v)) {
    const b = BigInt(v);
    return b >= I64_MIN && b <= I64_MAX ? b : undefined;
  }
  return undefined;
}

/** An enum: a SPEC name or a tag the enum defines (`anyTag`: any u8, for policy fields). */
export function enumSchema(kind: EnumKind, anyTag = false): z.ZodType<number> {
  const names = enumNames(kind);
  const expected = anyTag
    ? `a ${kind}: ${names.join(" or ")}, or an integer 0..255`
    : `a ${kind}: one of ${names.join(", ")} (or its number 0..${names.length - 1})`;
  return leaf(expected, (v) => {
    if (typeof v === "string") {
      const i = names.indexOf(v);
      return i >= 0 && isEnumValue(kind, i) ? i : undefined;
    }
    if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 255 && (anyTag || isEnumValue(kind, v))) return v;
    return undefined;
  });
}

function structSchema(def: StructDef, build: (f: Field, key: string) => z.ZodType, allOptional: boolean): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, sub] of Object.entries(def)) {
    const s = build(sub, k);
    shape[k] = allOptional ? s.optional() : s;
  }
  const fields = Object.keys(def);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === "unrecognized_keys") {
        return `unknown field ${iss.keys.map((k) => JSON.stringify(k)).join(", ")}; expected ${fields.length ? `one of ${fields.join(", ")}` : "no fields"}`;
      }
      if (iss.code === "invalid_type") {
        return `expected an object with ${fields.length ? `fields ${fields.join(", ")}` : "no fields"}, got ${describe(iss.input)}`;
      }
      return undefined;
    },
  });
}

/**
 * The zod schema of a value of Borsh type `f` in `mode`. `inPolicy` marks the Policy struct's
 * fields (partial in arg mode, `analysis` any u8).
 */
export function fieldSchema(f: Field, mode: Mode, book: AccountBook, inPolicy = false): z.ZodType {
  if (typeof f === "string") {
    switch (f) {
      case "u8":
      case "u16":
      case "u32": {
        const max = UINT_MAX[f];
        return leaf(`${f} (an integer 0..${max})`, (v) => (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max ? v : undefined));
      }
      case "u64":
        return leaf("u64 (an integer 0..2^64-1; write values above 2^53 as a decimal string)", u64);
      case "i64":
        return leaf("i64 (an integer -2^63..2^63-1; write values beyond ±2^53 as a decimal string)", i64);
      case "bool":
        return leaf("true or false", (v) => (typeof v === "boolean" ? v : undefined));
      case "string":
        return leaf("a string", (v) => (typeof v === "string" ? v : undefined));
      case "account":
        return accountSchema(book);
    }
  }
  if ("vec" in f) {
    const item = fieldSchema(f.vec, mode, book, inPolicy);
    return z.array(item, { error: (iss) => (iss.code === "invalid_type" ? `expected a list, got ${describe(iss.input)}` : undefined) });
  }
  if ("option" in f) {
    const inner = fieldSchema(f.option, mode, book, inPolicy);
    return z.union([z.null(), inner]).optional().transform((v) => (v === undefined ? null : v));
  }
  if ("enum" in f) return enumSchema(f.enum, inPolicy);
  const isPolicy = f === POLICY;
  const struct = structSchema(f.struct, (sub) => fieldSchema(sub, mode, book, inPolicy || isPolicy), mode === "match" || isPolicy);
  return isPolicy ? z.unknown().transform(expandAnalysis).pipe(struct) : struct;
}

// ---------------------------------------------------------------- analysis from statistics

const probability = leaf("a probability strictly between 0 and 1 (0.01 = 1 %, not bps)", (v) =>
  typeof v === "number" && Number.isFinite(v) && v > 0 && v < 1 ? v : undefined,
);
const floorValue = leaf("a number ≥ 0 in the statistic's own units, not ppm (default: twice the threshold)", (v) =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined,
);
const ratioValue = leaf("a ratio > 1 and ≤ 10 (the canary's error rate over the baseline's that counts as a regression)", (v) =>
  typeof v === "number" && Number.isFinite(v) && v > 1 && v <= 10 ? v : undefined,
);

function paramsSchema<T extends z.ZodRawShape>(shape: T, what: string) {
  const fields = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === "unrecognized_keys") return `unknown field ${iss.keys.map((k) => JSON.stringify(k)).join(", ")} in ${what}; expected ${fields.join(", ")}`;
      if (iss.code === "invalid_type") return `expected ${what} (an object with ${fields.join(", ")}), got ${describe(iss.input)}`;
      return undefined;
    },
  });
}

const ANALYSIS_FORMS = {
  sequential: {
    schema: paramsSchema({ p0: probability, p1: probability, alpha: probability, beta: probability, floor: floorValue.optional() }, "Sequential parameters"),
    fields: ["seqSlopePpm", "seqInterceptPpm", "seqFloorPpm"],
    derive: (p: Record<string, unknown>): Record<string, unknown> => ({ ...sequentialPolicy(p as never) }),
  },
  comparative: {
    schema: paramsSchema({ ratio: ratioValue, alpha: probability, beta: probability, floor: floorValue.optional() }, "Comparative parameters"),
    fields: ["compExcessPpm", "compLnRatioPpm", "compThresholdPpm", "compFloorPpm"],
    derive: (p: Record<string, unknown>): Record<string, unknown> => ({ ...comparativePolicy(p as never) }),
  },
} as const;

/**
 * A policy whose `analysis` is `{sequential: {...}}` or `{comparative: {...}}` becomes the
 * same policy with `analysis` and the derived ppm fields (u64 as bigint, as the client takes
 * them). Anything else passes unchanged to the Policy struct's schema.
 */
function expandAnalysis(v: unknown, ctx: z.RefinementCtx): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  const policy = v as Record<string, unknown>;
  const a = policy.analysis;
  if (a === null || typeof a !== "object" || Array.isArray(a)) return v;
  const keys = Object.keys(a);
  const forms = Object.keys(ANALYSIS_FORMS);
  if (keys.length !== 1 || !(keys[0]! in ANALYSIS_FORMS)) {
    ctx.addIssue({
      code: "custom",
      path: ["analysis"],
      message: `expected an analysis: Threshold, Sequential or Comparative (or its number), { sequential: { p0, p1, alpha, beta, floor? } } or { comparative: { ratio, alpha, beta, floor? } }; got an object with ${keys.join(", ") || "no fields"}`,
    });
    return z.NEVER;
  }
  const kind = keys[0] as keyof typeof ANALYSIS_FORMS;
  const form = ANALYSIS_FORMS[kind];
  let failed = false;
  for (const f of form.fields) {
    if (policy[f] !== undefined) {
      failed = true;
      ctx.addIssue({ code: "custom", path: [f], message: `expected no ${f}: analysis: { ${kind}: … } derives it (write one or the other; forms: ${forms.join(", ")})` });
    }
  }
  const r = form.schema.safeParse((a as Record<string, unknown>)[kind], { reportInput: true });
  if (!r.success) {
    for (const iss of r.error.issues) {
      const path: PropertyKey[] = ["analysis", kind, ...iss.path];
      if (iss.code === "unrecognized_keys" && iss.keys.length > 0) path.push(iss.keys[0]!);
      ctx.addIssue({ code: "custom", path, message: iss.message });
    }
    return z.NEVER;
  }
  if (failed) return z.NEVER;
  let derived: Record<string, unknown>;
  try {
    derived = form.derive(r.data as Record<string, unknown>);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    ctx.addIssue({ code: "custom", path: ["analysis", kind], message: `expected ${kind} parameters the contract can carry: ${e.message}` });
    return z.NEVER;
  }
  return { ...policy, ...derived };
}

// ---------------------------------------------------------------- matching

/** Whether `actual` (a decoded raw value) has every value `expected` (a match-mode value) names. */
export function matches(f: Field, actual: unknown, expected: unknown): boolean {
  if (typeof f === "string") return actual === expected; // raw form: numbers, bigints, 0x-hex, strings, booleans
  if ("vec" in f) {
    if (!Array.isArray(actual) || !Array.isArray(expected) || actual.length !== expected.length) return false;
    return expected.every((e, i) => matches(f.vec, actual[i], e));
  }
  if ("option" in f) {
    if (expected === null) return actual === null;
    return actual !== null && actual !== undefined && matches(f.option, actual, expected);
  }
  if ("enum" in f) return actual === expected;
  if (typeof actual !== "object" || actual === null) return false;
  const a = actual as Record<string, unknown>;
  for (const [k, e] of Object.entries(expected as Record<string, unknown>)) {
    if (e === undefined) continue;
    const sub = f.struct[k];
    if (sub === undefined || !matches(sub, a[k], e)) return false;
  }
  return true;
}

/**
 * `value` (raw form) restricted to the fields `shape` names, in display form: what a failed
 * match prints as "got". With no shape (or a non-object one) the whole value.
 */
export function project(f: Field, value: unknown, shape?: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof f === "string") return f === "u64" || f === "i64" ? displayU64(value as bigint) : value;
  if ("vec" in f) {
    const arr = value as unknown[];
    const shapes = Array.isArray(shape) ? shape : [];
    return arr.map((v, i) => project(f.vec, v, shapes[i]));
  }
  if ("option" in f) return project(f.option, value, shape);
  if ("enum" in f) return enumNameOf(f.enum, value as number);
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const keys = shape && typeof shape === "object" && !Array.isArray(shape) ? Object.keys(shape).filter((k) => (shape as Record<string, unknown>)[k] !== undefined) : Object.keys(f.struct);
  for (const k of keys) {
    const sub = f.struct[k];
    if (sub !== undefined) out[k] = project(sub, obj[k], (shape as Record<string, unknown> | undefined)?.[k]);
  }
  return out;
}

function displayU64(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

function enumNameOf(kind: EnumKind, v: number): string {
  const names = enumNames(kind);
  return isEnumValue(kind, v) ? names[v]! : `Unknown(${v})`;
}

/**
 * How a value reads in expectations: the fields `shape` names (all without a shape) as
 * `status=Canary rolloutBps=500`, a plain value as its text, None for null.
 */
export function valueText(f: Field, value: unknown, shape?: unknown): string {
  return value === null || value === undefined ? "None" : flatText(project(f, value, shape));
}

/** `{status: "Canary", policy: {salt: "x"}}` → `status=Canary policy.salt=x`; a scalar → its text. */
export function flatText(v: unknown): string {
  const parts: string[] = [];
  const walk = (x: unknown, prefix: string): void => {
    if (x !== null && typeof x === "object" && !Array.isArray(x)) {
      const entries = Object.entries(x as Record<string, unknown>);
      if (entries.length === 0 && prefix) parts.push(`${prefix}={}`);
      for (const [k, sub] of entries) walk(sub, prefix ? `${prefix}.${k}` : k);
      return;
    }
    const text = typeof x === "string" ? x : JSON.stringify(x, (_k, y) => (typeof y === "bigint" ? y.toString() : y));
    parts.push(prefix ? `${prefix}=${text}` : text);
  };
  walk(v, "");
  return parts.join(" ");
}
