// A minimal JSON Schema draft-07 validator (no validator is installed: ajv is not in
// node_modules) for the subset schema/*.json uses: type (one or a list, "integer"),
// required, properties, additionalProperties (false or a schema), enum, oneOf, anyOf, allOf,
// $ref (#/definitions/…), pattern, minimum/maximum, items, minItems/maxItems, minLength/maxLength.
// A keyword it does not know is an error, so a schema cannot silently outgrow it.
//
// For the CosmWasm tests: `checkMessage(kind, msg)` throws unless `msg` validates against
// schema/raw/<kind>.json; `checkResponse(query, value)` against response_to_<query>.json.
// Every message a CosmWasm test sends should pass through `checkMessage`.

import { readFileSync } from "node:fs";
import { join } from "node:path";

export type Schema = { [k: string]: unknown } | boolean;

const KNOWN = new Set([
  "$schema", "title", "description", "default", "format", "definitions",
  "type", "required", "properties", "additionalProperties", "enum", "oneOf", "anyOf", "allOf",
  "$ref", "pattern", "minimum", "maximum", "items", "minItems", "maxItems", "minLength", "maxLength",
]);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  switch (t) {
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    default:
      return typeOf(v) === t;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The errors of `value` against `schema` (empty when valid); `root` resolves `$ref`s. */
export function validate(schema: Schema, value: unknown, root: Schema = schema, path = "$"): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: no value allowed`];
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`validator: unsupported keyword ${k} at ${path}`);
  const errs: string[] = [];
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === "string") {
    const m = /^#\/definitions\/(.+)$/.exec(s.$ref);
    const defs = (root as Record<string, unknown>).definitions as Record<string, Schema> | undefined;
    const target = m ? defs?.[m[1]!] : undefined;
    if (target === undefined) throw new Error(`validator: unresolved $ref ${s.$ref}`);
    errs.push(...validate(target, value, root, path));
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => hasType(value, t))) return [...errs, `${path}: expected ${types.join(" or ")}, got ${typeOf(value)}`];
  }
  if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => deepEqual(e, value))) {
    errs.push(`${path}: not one of ${JSON.stringify(s.enum)}`);
  }
  if (typeof value === "string") {
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value)) errs.push(`${path}: does not match ${s.pattern}`);
    const len = [...value].length;
    if (typeof s.minLength === "number" && len < s.minLength) errs.push(`${path}: shorter than ${s.minLength}`);
    if (typeof s.maxLength === "number" && len > s.maxLength) errs.push(`${path}: longer than ${s.maxLength}`);
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) errs.push(`${path}: below ${s.minimum}`);
    if (typeof s.maximum === "number" && value > s.maximum) errs.push(`${path}: above ${s.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems) errs.push(`${path}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === "number" && value.length > s.maxItems) errs.push(`${path}: more than ${s.maxItems} items`);
    if (s.items !== undefined) value.forEach((v, i) => errs.push(...validate(s.items as Schema, v, root, `${path}[${i}]`)));
  }
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in obj)) errs.push(`${path}: missing ${r}`);
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) errs.push(...validate(props[k]!, v, root, `${path}.${k}`));
      else if (s.additionalProperties !== undefined) errs.push(...validate(s.additionalProperties as Schema, v, root, `${path}.${k}`));
    }
  }
  if (s.allOf !== undefined) for (const sub of s.allOf as Schema[]) errs.push(...validate(sub, value, root, path));
  if (s.anyOf !== undefined) {
    const all = (s.anyOf as Schema[]).map((sub) => validate(sub, value, root, path));
    if (!all.some((e) => e.length === 0)) errs.push(`${path}: matches none of anyOf (${all.map((e) => e[0]).join("; ")})`);
  }
  if (s.oneOf !== undefined) {
    const all = (s.oneOf as Schema[]).map((sub) => validate(sub, value, root, path));
    const n = all.filter((e) => e.length === 0).length;
    if (n !== 1) {
      // For a message, name the variant its one key picks, to say what is wrong with it.
      const key = typeOf(value) === "object" ? Object.keys(value as object)[0] : undefined;
      const i = (s.oneOf as Record<string, unknown>[]).findIndex((v) => key !== undefined && (v.required as string[] | undefined)?.[0] === key);
      errs.push(n === 0 ? `${path}: matches no oneOf variant${i >= 0 ? ` (${key}: ${all[i]!.join("; ")})` : ""}` : `${path}: matches ${n} oneOf variants`);
    }
  }
  return errs;
}

const root = join(import.meta.dirname, "..", "..", "schema", "raw");
const cache = new Map<string, Schema>();

/** schema/raw/<file>.json, parsed once. */
export function loadSchema(file: string): Schema {
  let s = cache.get(file);
  if (s === undefined) {
    s = JSON.parse(readFileSync(join(root, `${file}.json`), "utf8")) as Schema;
    cache.set(file, s);
  }
  return s;
}

export type MessageKind = "instantiate" | "execute" | "query" | "sudo" | "migrate";

/** Throws unless `msg` is valid against schema/raw/<kind>.json. */
export function checkMessage(kind: MessageKind, msg: unknown): void {
  const errs = validate(loadSchema(kind), msg);
  if (errs.length > 0) throw new Error(`${kind} message ${JSON.stringify(msg)} does not match schema/raw/${kind}.json: ${errs.join("; ")}`);
}

/** Throws unless `value` is valid against schema/raw/response_to_<query>.json. */
export function checkResponse(query: string, value: unknown): void {
  const errs = validate(loadSchema(`response_to_${query}`), value);
  if (errs.length > 0) throw new Error(`${query} response ${JSON.stringify(value)} does not match its schema: ${errs.join("; ")}`);
}

/** Whether `msg` is valid against schema/raw/<kind>.json (for tests of refused input). */
export function isValidMessage(kind: MessageKind, msg: unknown): boolean {
  return validate(loadSchema(kind), msg).length === 0;
}
